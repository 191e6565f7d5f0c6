"""Cell-value parsers: dates, periods, amounts, voucher numbers.

Each works on a whole column (a pandas Series of raw cell values: str, float, int, date,
datetime or None) and returns the parsed values plus a mask of cells that were present but could
not be parsed, so the caller can turn those into errors.  No parser raises on any cell value.

Dates and voucher numbers are parsed once per distinct value (a ledger repeats a few hundred
dates and numbers over thousands of lines); amounts are parsed with vectorised string operations.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Serial numbers Excel uses for 1954-10-16 … 2119-01-08; anything outside is not a ledger date.
SERIAL_RANGE = (20000, 80000)
YEAR_RANGE = (1990, 2100)


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell holds nothing: None, NaN, or only white space."""
    raw = values.astype(object)
    return raw.isna() | (raw.astype(str).str.strip() == "")


def _valid_date(year: int, month: int, day: int) -> dt.datetime | None:
    if not (YEAR_RANGE[0] <= year <= YEAR_RANGE[1]):
        return None
    try:
        return dt.datetime(year, month, day)
    except ValueError:
        return None


_DATE_FULL = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")
_DATE_DAY = re.compile(r"^(\d{1,2})日?$")


def parse_date_value(value, year: int | None = None, month: int | None = None):
    """One cell → datetime, or None for blank, or the string "bad" for an unparseable value.

    ``year``/``month`` complete dates written without them (月/日 columns with the year in the
    title, or a day column in a month sheet)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return _valid_date(value.year, value.month, value.day) or "bad"
    if isinstance(value, dt.date):
        return _valid_date(value.year, value.month, value.day) or "bad"
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(number))
        if number.is_integer() and 19000101 <= number <= 21001231:
            value = str(int(number))
        elif number.is_integer() and 1 <= number <= 31 and year and month:
            return _valid_date(year, month, int(number)) or "bad"
        else:
            return "bad"
    text = str(value).strip().replace(" ", "").replace("－", "-").replace("／", "/").replace("．", ".")
    if not text:
        return None
    for pattern in (_DATE_FULL, _DATE_COMPACT):
        match = pattern.match(text)
        if match:
            return _valid_date(*(int(g) for g in match.groups())) or "bad"
    match = _DATE_MONTH_DAY.match(text)
    if match and year:
        return _valid_date(year, int(match.group(1)), int(match.group(2))) or "bad"
    match = _DATE_DAY.match(text)
    if match and year and month:
        return _valid_date(year, month, int(match.group(1))) or "bad"
    return "bad"


def parse_dates(values: pd.Series, year: int | None = None, month: int | None = None) -> tuple[pd.Series, pd.Series]:
    """Column → (datetime64 Series with NaT for blanks, mask of unparseable cells)."""
    uniques = pd.unique(values.astype(object))
    parsed = {}
    for value in uniques:
        try:
            parsed[_hashable(value)] = parse_date_value(value, year, month)
        except Exception:  # noqa: BLE001 - a parser must never raise on a cell
            parsed[_hashable(value)] = "bad"
    mapped = values.astype(object).map(lambda v: parsed[_hashable(v)])
    bad = mapped.map(lambda v: isinstance(v, str))
    dates = pd.to_datetime(mapped.where(~bad, None), errors="coerce").astype("datetime64[ns]")
    return dates, bad


def _hashable(value):
    if isinstance(value, float) and np.isnan(value):
        return "__nan__"
    return value


_PERIOD = re.compile(r"^(\d{4})\s*(?:[-./年]\s*(?:第)?\s*)?(\d{1,2})\s*(?:月|期|月份)?$")


def parse_period_value(value, year: int | None = None) -> str | None:
    """2021.3, 2021年3期, 202103, 2021-03, or a bare month with a known year → "2021-03"."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and not value.is_integer():
        # 2021.3 stored as a number; 2021.10 arrives as 2021.1, so read the fraction as a month
        # with two decimals: 2021.1 → October is ambiguous, take the digits as written.
        text = f"{value:.2f}".rstrip("0")
        return parse_period_value(text, year)
    text = str(int(value)) if isinstance(value, (int, float)) else str(value).strip()
    if not text:
        return None
    match = _PERIOD.match(text)
    if match:
        y, m = int(match.group(1)), int(match.group(2))
        if YEAR_RANGE[0] <= y <= YEAR_RANGE[1] and 1 <= m <= 12:
            return f"{y:04d}-{m:02d}"
        return "bad"
    month = re.match(r"^(\d{1,2})\s*(?:月|期|月份)?$", text)
    if month and year and 1 <= int(month.group(1)) <= 12:
        return f"{year:04d}-{int(month.group(1)):02d}"
    return "bad"


def parse_periods(values: pd.Series, year: int | None = None) -> tuple[pd.Series, pd.Series]:
    uniques = pd.unique(values.astype(object))
    parsed = {}
    for value in uniques:
        try:
            parsed[_hashable(value)] = parse_period_value(value, year)
        except Exception:  # noqa: BLE001
            parsed[_hashable(value)] = "bad"
    mapped = values.astype(object).map(lambda v: parsed[_hashable(v)])
    bad = mapped == "bad"
    return mapped.where(~bad & mapped.notna(), "").astype(object), bad


# ------------------------------------------------------------------------------ amounts

_AMOUNT_TEXT = re.compile(r"^(-)?(\d+)(?:\.(\d+))?$")
_AMOUNT_NOISE = re.compile(r"[\s,，¥￥$元]|RMB|CNY|人民币", re.IGNORECASE)
_ZERO_DASHES = {"-", "—", "--", "－", "——", "/"}


def parse_amounts(values: pd.Series, scale: int = 1) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Column → (int64 fen, may be negative; mask of unparseable cells; mask of reversal cells).

    Numbers are Excel doubles: fen = round(x·100·scale).  Text is parsed digit by digit, so
    "2,500.00", "¥2,500", "(300.00)", "-300", "2500元" are exact; "-" or "—" alone means 0.
    ``scale`` is 10000 for books kept in 万元."""
    raw = values.astype(object)
    is_number = raw.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
    numbers = pd.to_numeric(raw.where(is_number, np.nan), errors="coerce").astype("float64")
    fen = np.zeros(len(raw), dtype="int64")
    number_mask = is_number.to_numpy() & ~np.isnan(numbers.to_numpy())
    fen[number_mask] = np.round(numbers.to_numpy()[number_mask] * 100 * scale).astype("int64")

    is_text = raw.map(lambda v: isinstance(v, str))
    text = raw.where(is_text, "").astype(str)
    text = text.str.replace(_AMOUNT_NOISE, "", regex=True)
    text = text.where(~text.isin(_ZERO_DASHES), "")
    parenthesised = text.str.match(r"^[(（].*[)）]$")
    text = text.str.replace(r"^[(（](.*)[)）]$", r"-\1", regex=True)
    parts = text.str.extract(_AMOUNT_TEXT)
    parsed_text = parts[1].notna()
    bad = is_text & (text != "") & ~parsed_text
    bad |= ~is_text & ~is_number & raw.notna() & (raw.astype(str).str.strip() != "")
    if parsed_text.any():
        whole = parts.loc[parsed_text, 1].astype("int64")
        fraction = parts.loc[parsed_text, 2].fillna("").str.ljust(3, "0")
        cents = fraction.str[:2].astype("int64")
        # a third decimal rounds half up, like the ledger software does
        third = fraction.str[2:3].replace("", "0").astype("int64")
        text_fen = whole * 100 + cents + (third >= 5).astype("int64")
        if scale != 1:
            text_fen = text_fen * scale
        sign = np.where(parts.loc[parsed_text, 0].notna(), -1, 1)
        fen[parsed_text.to_numpy()] = (text_fen * sign).to_numpy()
    reversal = pd.Series(fen < 0, index=raw.index) | parenthesised
    return pd.Series(fen, index=raw.index, dtype="int64"), bad, reversal


# ------------------------------------------------------------------------------ voucher numbers

_VOUCHER = re.compile(
    r"^(?P<word>[^\d\s\-－—_#№:：]*?)\s*(?:字)?\s*(?:[-－—_#№:：]\s*)?(?:第)?\s*0*(?P<number>\d{1,9})\s*(?:号)?$")


def parse_voucher_value(value) -> tuple[str, int] | None | str:
    """"记-6", "记-0006", "记 - 6", "记字第6号", "现付-18", "银付18", "6" → (word, number);
    None for blank; "bad" when no number can be read."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        return ("", int(number)) if number.is_integer() and number >= 0 else "bad"
    text = str(value).strip().replace(" ", "")
    if not text:
        return None
    match = _VOUCHER.match(text)
    if not match:
        return "bad"
    word = match.group("word").rstrip("字").strip()
    return word, int(match.group("number"))


def parse_vouchers(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Column → (word, number (Int64, <NA> for blank), mask of unparseable cells)."""
    uniques = pd.unique(values.astype(object))
    parsed = {}
    for value in uniques:
        try:
            parsed[_hashable(value)] = parse_voucher_value(value)
        except Exception:  # noqa: BLE001
            parsed[_hashable(value)] = "bad"
    mapped = values.astype(object).map(lambda v: parsed[_hashable(v)])
    bad = mapped.map(lambda v: isinstance(v, str))
    ok = mapped.map(lambda v: isinstance(v, tuple))
    word = mapped.map(lambda v: v[0] if isinstance(v, tuple) else "").astype(object)
    number = pd.array([v[1] if isinstance(v, tuple) else pd.NA for v in mapped], dtype="Int64")
    return word, pd.Series(number, index=values.index), bad & ~ok


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Plain numbers (quantity, attachments): numbers or numeric text → float; bad mask."""
    raw = values.astype(object)
    text = raw.map(lambda v: v if isinstance(v, str) else None)
    cleaned = text.str.replace(r"[\s,，张份个件]", "", regex=True)
    numeric = pd.to_numeric(raw.where(text.isna(), cleaned), errors="coerce")
    present = ~is_blank(raw)
    bad = present & numeric.isna()
    return numeric.astype("float64"), bad
