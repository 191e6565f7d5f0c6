"""Checks on a file before any parser touches it: untrusted ledgers must never hurt the user,
the machine or the report.  ``check_before_open`` raises UnreadableFile with a plain message."""
from __future__ import annotations


def check_before_open(path: str, reading: dict) -> None:
    """Refuse files that would exhaust memory or are not what their name says (filled in by issue 6)."""
    return None
