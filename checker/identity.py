"""A finding's identity: the same finding gets the same identity in every scan of the same books.

The identity has two parts, ``PPPPPPPPPPPP-DDDDDDDD`` (hexadecimal):

- the *place* (12 digits): entity, book, period, voucher word and number (normalised: NFKC, no
  spaces) and the rule.  A corrected voucher that still breaks the rule keeps its place, so a
  later scan can tell "still there after rectification" from "new".
- the *content* (8 digits): a digest of the voucher's lines (account, summary, debit, credit;
  in any order) and of the line the rule pointed at.  It tells apart two findings of one rule on
  one voucher, and a voucher that was edited from one that was not.

Neither part depends on the file name, the sheet, the row position or the order of the lines,
so re-exporting, renaming or re-sorting the books does not change an identity.  The hash is our
own (a polynomial over the UTF-8 bytes, finished with splitmix64), computed on whole columns
with numpy: it gives the same digits on every platform and with every pandas or Python version
(Python's ``hash`` and pandas' hashing make no such promise), which the store relies on.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from .schema import voucher_lines

IDENTITY_PATTERN = re.compile(r"^[0-9a-f]{12}-[0-9a-f]{8}$")
PLACE_DIGITS, CONTENT_DIGITS = 12, 8

_MULTIPLIER = np.uint64(0x100000001B3)       # FNV's 64-bit prime: odd, so every power is odd too
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SEPARATOR = "\x1f"


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def hash_strings(values) -> np.ndarray:
    """A 64-bit hash of each string of an Arrow or pandas text column, read from the Arrow buffers."""
    array = pyarrow.array(values) if not isinstance(values, (pyarrow.Array, pyarrow.ChunkedArray)) else values
    if isinstance(array, pyarrow.ChunkedArray):
        array = array.combine_chunks()
    array = pc.fill_null(array.cast(pyarrow.large_string()), "")
    n = len(array)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[array.offset:array.offset + n + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    data = (np.frombuffer(buffers[2], dtype=np.uint8)[first:last] if buffers[2] is not None and last > first
            else np.zeros(0, dtype=np.uint8))
    starts, lengths = offsets[:-1] - first, np.diff(offsets)
    result = np.zeros(n, dtype=np.uint64)
    filled = lengths > 0
    if len(data):
        longest = int(lengths.max())
        with np.errstate(over="ignore"):
            powers = np.cumprod(np.full(longest, _MULTIPLIER, dtype=np.uint64))
            position = np.arange(len(data), dtype=np.int64) - np.repeat(starts, lengths)
            terms = (data.astype(np.uint64) + np.uint64(1)) * powers[position]
            result[filled] = np.add.reduceat(terms, starts[filled])
    with np.errstate(over="ignore"):
        return _mix(result ^ (lengths.astype(np.uint64) * _GOLDEN))


def _normalised(values) -> pyarrow.Array:
    """Text as people would not tell apart: NFKC (full-width digits and letters), no whitespace."""
    text = pc.fill_null(pyarrow.array(pd.Series(values).astype("str").array) if not isinstance(
        values, (pyarrow.Array, pyarrow.ChunkedArray)) else values.cast(pyarrow.string()), "")
    return pc.replace_substring_regex(pc.utf8_normalize(text, form="NFKC"), r"\s+", "")


def _joined(columns) -> pyarrow.Array:
    columns = [column.cast(pyarrow.large_string()) for column in columns]
    return pc.binary_join_element_wise(*columns, pyarrow.scalar(_SEPARATOR, pyarrow.large_string()))


_LINE_COLUMNS = ("account_code", "account_name", "summary", "debit_fen", "credit_fen")


def _line_hashes(lines: pd.DataFrame) -> np.ndarray:
    return hash_strings(_joined([
        _normalised(lines["account_code"]), _normalised(lines["account_name"]), _normalised(lines["summary"]),
        pyarrow.array(lines["debit_fen"].to_numpy(dtype="int64")).cast(pyarrow.string()),
        pyarrow.array(lines["credit_fen"].to_numpy(dtype="int64")).cast(pyarrow.string())]))


def _hex(values: np.ndarray, digits: int) -> np.ndarray:
    """The top ``digits`` hexadecimal digits of each 64-bit value, as text, without a Python loop."""
    nibbles = (values[:, None] >> (np.uint64(4) * np.arange(15, 15 - digits, -1, dtype=np.uint64))) & np.uint64(15)
    codes = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles.astype(np.int64)]
    return np.ascontiguousarray(codes).view(f"S{digits}").ravel().astype(str)


def finding_identities(findings: pd.DataFrame, ledger: pd.DataFrame) -> pd.Series:
    """The identity of each finding (``findings`` as the engine builds them, before its own
    columns are dropped: it needs ``line_id``), as a text Series on the findings' index."""
    if findings.empty:
        return pd.Series([], index=findings.index, dtype="str")
    # A unit finding (level "unit": a whole book, or one sheet of it) has no voucher: its place
    # is entity, book, the sheet it applies to ("" for the whole book) and rule, its content that
    # place.
    unit = (findings["level"] == "unit").to_numpy(dtype=bool) if "level" in findings.columns else \
        np.zeros(len(findings), dtype=bool)
    word = findings["voucher_word"].astype(object).where(~unit, "@" + findings["sheet"].fillna("").astype(str))
    number = np.where(unit, 0, findings["voucher_no"].astype("Float64").fillna(0).to_numpy(dtype="int64"))
    place = hash_strings(_joined([
        _normalised(findings["entity"]), _normalised(findings["book"]), _normalised(findings["period"]),
        _normalised(word), pyarrow.array(number).cast(pyarrow.string()), _normalised(findings["rule"])]))
    content = _mix(place)
    vouchers = ~unit
    if vouchers.any():
        content = content.copy()
        content[vouchers] = _voucher_content(findings["line_id"].to_numpy()[vouchers].astype("int64"), ledger)
    with np.errstate(over="ignore"):
        # Two findings left alike (one rule reporting one line twice with different messages)
        # are numbered in the engine's order, which does not depend on positions either.
        both = place ^ _mix(content)
        if len(np.unique(both)) < len(both):
            repeat = pd.Series(both).groupby(both, sort=False).cumcount().to_numpy().astype(np.uint64)
            content = np.where(repeat > 0, _mix(content + repeat * _MULTIPLIER), content)
    text = np.char.add(np.char.add(_hex(place, PLACE_DIGITS), "-"), _hex(content, CONTENT_DIGITS))
    return pd.Series(text, index=findings.index, dtype="str")


def _voucher_content(line_ids: np.ndarray, ledger: pd.DataFrame) -> np.ndarray:
    """A digest of each flagged line's voucher (its lines in any order) and of the line itself."""
    # Only the columns hashed are taken from the ledger: taking whole rows of a large ledger
    # would copy every column of them.
    columns = ledger[list(_LINE_COLUMNS) + ["voucher_id"]]
    flagged = columns.iloc[ledger.index.get_indexer(line_ids)]
    voucher = flagged["voucher_id"].to_numpy(dtype="int64")
    lines = columns.iloc[voucher_lines(ledger, np.unique(voucher))]
    ids = lines["voucher_id"].to_numpy(dtype="int64")
    order = np.argsort(ids, kind="stable")
    ids, hashes = ids[order], _line_hashes(lines)[order]
    bounds = np.concatenate(([0], np.flatnonzero(ids[1:] != ids[:-1]) + 1))
    with np.errstate(over="ignore"):
        # A sum: the digest does not depend on the order of the lines.
        sums = np.add.reduceat(hashes, bounds)
        counts = np.diff(np.append(bounds, len(ids))).astype(np.uint64)
        digest = _mix(sums ^ (counts * _GOLDEN))[np.searchsorted(ids[bounds], voucher)]
        return _mix(digest ^ _mix(_line_hashes(flagged) + _GOLDEN))


def place_of(identity: str) -> str:
    """The place part of an identity: findings of one rule on one voucher share it."""
    return identity[:PLACE_DIGITS]
