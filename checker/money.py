"""Money is kept as integer fen; these are the only conversions to and from text."""
from __future__ import annotations


def format_yuan(fen: int) -> str:
    """12345678 → "123,456.78"; negative amounts keep their sign."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def yuan_to_fen(yuan) -> int:
    """A policy value in yuan (int, float or text) → fen, rounded half away from zero exactly."""
    from decimal import ROUND_HALF_UP, Decimal
    return int((Decimal(str(yuan)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
