"""voucher-checker: finds vouchers that break financial rules in community and village ledgers."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("voucher-checker")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+local"
