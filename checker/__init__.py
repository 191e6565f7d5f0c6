"""voucher-checker: finds vouchers that break financial rules in community and village ledgers."""


def __getattr__(name: str):
    # The version is looked up when asked for: importlib.metadata takes longer to load than
    # anything else the command line needs before it starts reading.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version
        try:
            value = version("voucher-checker")
        except PackageNotFoundError:  # running from a source tree that was not installed
            value = "0.0.0+local"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
