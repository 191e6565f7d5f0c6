"""Helpers shared by rule modules (not a rule: the leading underscore keeps it out of discovery).

Everything here is vectorised over the ledger; the only Python loops run over keyword lists or
over the few distinct strings a regex extracted, never over ledger rows.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from checker.engine import no_findings
from checker.fields import BOOK_LABELS
from checker.money import yuan_to_fen

__all__ = ["on_distinct", "in_sheet_order", "findings", "yuan", "fen", "keyword_regex", "first_keyword", "line_text",
           "journal_like_lines", "voucher_first_lines", "chinese_number", "book_label", "joined_keywords",
           "is_set"]


def fen(yuan_value) -> int:
    return yuan_to_fen(yuan_value)


def is_set(value) -> bool:
    """An optional policy value counts as unknown when blank (TOML has no null, so "" stands for it)."""
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return str(value).strip() != ""


def yuan(fen_values) -> pd.Series:
    """Integer fen → "2,500.00", the same text as ``checker.money.format_yuan``, for a whole column."""
    values = pd.Series(fen_values).astype("int64")
    sign = np.where(values < 0, "-", "")
    absolute = values.abs()
    whole = (absolute // 100).astype(str).str.replace(r"(\d)(?=(?:\d{3})+$)", r"\1,", regex=True)
    cents = (absolute % 100).astype(str).str.zfill(2)
    return pd.Series(sign, index=values.index) + whole + "." + cents


def findings(voucher_key, line_id, amount_fen, message, severity=None) -> pd.DataFrame:
    """The result frame of a rule, with the dtypes the engine expects."""
    keys = pd.Series(voucher_key).astype(object).to_numpy()
    if len(keys) == 0:
        return no_findings()

    def column(values, dtype):
        if np.ndim(values) == 0:
            return np.full(len(keys), values, dtype=dtype)
        return pd.Series(values).astype(dtype).to_numpy()

    frame = pd.DataFrame({"voucher_key": keys, "line_id": column(line_id, "int64"),
                          "amount_fen": column(amount_fen, "int64"), "message": column(message, object)})
    if severity is not None:
        frame["severity"] = column(severity, object)
    return frame


def keyword_regex(words, lookahead: str = "") -> str:
    """One alternation of escaped words, longest first so that 湖南工人报 wins over 工人报."""
    cleaned = sorted({str(w).strip() for w in words if str(w).strip()}, key=len, reverse=True)
    if not cleaned:
        return r"(?!x)x"
    return "(?:" + "|".join(re.escape(w) for w in cleaned) + ")" + lookahead


def first_keyword(text: pd.Series, words, lookahead: str = "") -> pd.Series:
    """The first keyword found in each text ("" when none)."""
    found = text.str.extract("(" + keyword_regex(words, lookahead) + ")", expand=False)
    return found.fillna("").astype(object)


def joined_keywords(text: pd.Series, words) -> pd.Series:
    """Every distinct keyword found in each text, in order of appearance, as “七一”“活动”."""
    found = text.str.findall(keyword_regex(words))
    exploded = found.explode().dropna()
    if exploded.empty:
        return pd.Series("", index=text.index, dtype=object)
    unique = exploded.groupby(level=0, sort=False).unique()
    quoted = unique.str.join("”“")
    return ("“" + quoted + "”").reindex(text.index).fillna("").astype(object)


def on_distinct(values: pd.Series, transform) -> pd.Series:
    """Apply a text transform once per distinct value (a ledger repeats a few hundred summaries,
    accounts and names over thousands of lines) and spread the results back over the lines."""
    codes, uniques = pd.factorize(values)
    done = transform(pd.Series(uniques, dtype=values.dtype)).to_numpy(dtype=object)
    return pd.Series(done[codes] if len(done) else np.array([], dtype=object), index=values.index, dtype=object)


def line_text(ledger: pd.DataFrame, columns=("summary", "account_name", "counterparty")) -> pd.Series:
    """The free text of each line that keywords are looked for in, spaces removed."""
    text = ledger[columns[0]].astype(str)
    for column in columns[1:]:
        text = text + " " + ledger[column].astype(str)
    return on_distinct(text, lambda t: t.str.replace(r"\s+", "", regex=True))


SHEET_ORDER = ["file", "sheet", "row", "line_id"]


def in_sheet_order(ledger: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the ledger in sheet order; sorting only what is used avoids copying the
    whole ledger (a million lines of it is half a gigabyte)."""
    used = list(dict.fromkeys([*columns, *SHEET_ORDER]))
    return ledger[used].sort_values(SHEET_ORDER, kind="stable")


def voucher_first_lines(ledger: pd.DataFrame, mask: pd.Series | None = None) -> pd.Series:
    """line_id of the first line (in sheet order) of each voucher, among the lines in ``mask``."""
    lines = ledger if mask is None else ledger[mask]
    ordered = in_sheet_order(lines, ["voucher_key"])
    return ordered.groupby("voucher_key", sort=False)["line_id"].first()


def journal_like_lines(ledger: pd.DataFrame, single_line_share: float = 0.8) -> pd.Series:
    """True for lines of sheets that look like a journal or an account ledger (现金日记账, 明细账)
    rather than a voucher list: most of their vouchers show a single line, because such sheets
    list only the side of each voucher that touches one account.  Balance and numbering checks
    would flag every voucher there."""
    if ledger.empty:
        return pd.Series(False, index=ledger.index)
    per_voucher = ledger.groupby(["file", "sheet", "voucher_key"], sort=False).size()
    share = (per_voucher == 1).groupby(level=["file", "sheet"]).mean()
    journal = share[(share >= single_line_share) & (per_voucher.groupby(level=["file", "sheet"]).size() >= 3)]
    keys = pd.MultiIndex.from_arrays([ledger["file"], ledger["sheet"]])
    return pd.Series(keys.isin(journal.index), index=ledger.index)


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> float:
    """Chinese numerals as written in summaries → a number: 两百 200, 一百二十 120, 三千五 3500,
    一万 10000, 十五 15.  NaN when the text is not a numeral."""
    if not text:
        return float("nan")
    total, section, digit, last_unit, zero = 0, 0, None, 1, False
    for char in text:
        if char in _DIGITS:
            zero = zero or (_DIGITS[char] == 0 and last_unit > 1)
            digit = _DIGITS[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            section += (1 if digit is None else digit) * unit
            digit, last_unit, zero = None, unit, False
        elif char == "万":
            section += digit or 0
            total += (section or 1) * 10000
            section, digit, last_unit, zero = 0, None, 10000, False
        else:
            return float("nan")
    if digit is not None:
        # 三千五 means 3500 (a trailing digit counts one place below the last unit), 一百零五 105.
        section += digit * (last_unit // 10 if last_unit >= 100 and not zero else 1)
    return float(total + section)


def book_label(book: pd.Series) -> pd.Series:
    return book.map(BOOK_LABELS).fillna(book)
