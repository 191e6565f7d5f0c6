"""`python -m checker …` works where the voucher-check script is not on PATH (common on Windows)."""
from .cli import main

if __name__ == "__main__":
    main()
