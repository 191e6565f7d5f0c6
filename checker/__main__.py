"""`python -m voucher_checker …` works where the voucher-check script is not on PATH (common on Windows)."""
from .cli import console

if __name__ == "__main__":
    console()
