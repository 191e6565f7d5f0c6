"""`python -m checker …` works where the voucher-check script is not on PATH (common on Windows)."""
from .cli import main

# Windows starts --jobs workers by re-importing the main module as "__mp_main__": only the
# real entry runs the command.
if __name__ == "__main__":
    main()
