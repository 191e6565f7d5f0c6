"""Cell-value parsers: dates, periods, amounts, voucher numbers.

The one-value parsers (``parse_date_value``, ``parse_period_value``, ``parse_voucher_value``) take
any cell value and never raise: they return the value, None for a blank, or "bad".  The reader
applies them once per distinct cell text (and remembers the answers across files); amounts are
parsed for a whole Arrow column at once by ``amounts_from_text``, exactly, digit by digit.

The column functions (``parse_dates``, ``parse_amounts`` …) do the same for a pandas Series of raw
cell values of any type (str, float, int, date, datetime or None) and return the parsed values
plus a mask of cells that were present but could not be parsed.  No parser raises on any value.
"""
from __future__ import annotations

import datetime as dt
import functools
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Serial numbers Excel uses for 1954-10-16 … 2119-01-08; anything outside is not a ledger date.
SERIAL_RANGE = (20000, 80000)
YEAR_RANGE = (1990, 2100)


# String work runs on Arrow-backed strings: pandas' .str on object columns is a Python loop
# per cell, Arrow's kernels are 10-20x faster on ledger-sized columns (see README "Speed").
ARROW_TEXT = pd.StringDtype("pyarrow")


def text_mask(values: pd.Series) -> np.ndarray:
    """True for the cells that hold text (str), False for numbers, dates and missing cells."""
    array = values.to_numpy(dtype=object)
    kind = pd.api.types.infer_dtype(array, skipna=False)
    if kind == "string":       # most text columns: every cell is str ('' when empty)
        return np.ones(len(array), dtype=bool)
    if kind in ("floating", "integer", "date", "datetime", "empty"):
        return np.zeros(len(array), dtype=bool)
    return _TYPE_OF(array) == str


_TYPE_OF = np.frompyfunc(type, 1, 1)


def text_view(values: pd.Series, mask: np.ndarray | None = None) -> pd.Series:
    """The text cells as Arrow strings; "" for every other cell."""
    mask = text_mask(values) if mask is None else mask
    array = values.to_numpy(dtype=object)
    return pd.Series(pd.array(np.where(mask, array, ""), dtype=ARROW_TEXT), index=values.index)


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell holds nothing: None, NaN, or only white space."""
    mask = text_mask(values)
    blank = values.isna().to_numpy().copy()
    if mask.any():
        blank |= mask & (text_view(values, mask).str.strip() == "").to_numpy(dtype=bool, na_value=False)
    return pd.Series(blank, index=values.index)


def map_unique(values: pd.Series, parse_one) -> list:
    """Apply a one-cell parser once per distinct value; returns one result per cell.

    A ledger repeats a few hundred dates and voucher numbers over thousands of lines, so this is
    the vectorised form for parsers that need Python logic per value."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    results = []
    for value in uniques:
        try:
            results.append(parse_one(value))
        except Exception:  # noqa: BLE001 - a parser must never raise on a cell
            results.append("bad")
    results.append(None)  # what code -1 (a missing cell) maps to
    table = np.empty(len(results), dtype=object)
    table[:] = results
    return table[codes]


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
# A date cell reaches us as "2021-03-06 00:00:00"; the time of day does not matter here.
_TIME_OF_DAY = re.compile(r"(?<=\d)(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.\d+)?$")


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
    text = _TIME_OF_DAY.sub("", str(value).strip())
    text = text.replace(" ", "").replace("－", "-").replace("／", "/").replace("．", ".")
    if not text:
        return None
    if _SERIAL_TEXT.match(text):
        # Cells arrive as text, so an Excel serial (a date cell without a date format) reads "44261".
        number = float(text)
        if SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(number))
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
    mapped = map_unique(values, lambda v: parse_date_value(v, year, month))
    bad = pd.Series(mapped == "bad", index=values.index)
    mapped[bad.to_numpy()] = None
    dates = pd.Series(pd.to_datetime(mapped, errors="coerce"), index=values.index).astype("datetime64[ns]")
    return dates, bad


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
    mapped = pd.Series(map_unique(values, lambda v: parse_period_value(v, year)), index=values.index)
    bad = mapped == "bad"
    return mapped.where(~bad & mapped.notna(), "").astype(object), bad


# ------------------------------------------------------------------------------ amounts

_AMOUNT_TEXT = r"^(?P<sign>-)?(?P<whole>\d{1,13})(?:\.(?P<fraction>\d+))?$"
# Ten trillion yuan: beyond any village or community book, and far inside int64 fen.
MAX_AMOUNT_YUAN = 10**13
MAX_VOUCHER_NUMBER = 999_999_999
_AMOUNT_NOISE = "[\\s\u3000,，¥￥$元]|(?i:rmb|cny)|人民币"
_ZERO_DASHES = {"-", "—", "--", "－", "——", "/"}


def parse_amounts(values: pd.Series, scale: int = 1) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Column → (int64 fen, may be negative; mask of unparseable cells; mask of reversal cells).

    Cells of any type: numbers are Excel doubles, fen = round(x·100·scale); text is read by
    ``amounts_from_text``.  ``scale`` is 10000 for books kept in 万元."""
    raw = values.astype(object)
    n = len(raw)
    is_text = text_mask(raw)
    missing = raw.isna().to_numpy()
    other = ~is_text & ~missing
    fen = np.zeros(n, dtype="int64")
    bad = np.zeros(n, dtype=bool)
    reversal = np.zeros(n, dtype=bool)
    if other.any():
        numbers = pd.to_numeric(raw[other], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(over="ignore", invalid="ignore"):
            finite = np.isfinite(numbers) & (np.abs(numbers) * scale < MAX_AMOUNT_YUAN)
        positions = np.flatnonzero(other)
        fen[positions[finite]] = np.round(numbers[finite] * 100 * scale).astype("int64")
        bad[positions[~finite]] = True          # dates, booleans, inf in an amount cell
    if is_text.any():
        positions = np.flatnonzero(is_text)
        text = pa.array(raw.iloc[positions].astype(str).str.strip().tolist(), type=pa.string())
        fen[positions], bad[positions], reversal[positions] = amounts_from_text(text, scale)
    index = raw.index
    reversal |= fen < 0
    return pd.Series(fen, index=index, dtype="int64"), pd.Series(bad, index=index), pd.Series(reversal, index=index)


# Text a number cell becomes, and what most typed amounts look like: parsed as a double, which
# is exact here (at most 12 integer digits and 2 decimals: the error of x·100 is far below ½ fen).
_PLAIN_AMOUNT = r"^-?\d{1,12}(?:\.\d{1,2})?$"


def amounts_from_text(text: pa.Array, scale: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trimmed text cells (Arrow) → (int64 fen, may be negative; bad mask; reversal mask).

    Exact, digit by digit: "2,500.00", "¥2,500", "(300.00)", "-300", "2500元", "1234.5678";
    "-" or "—" alone means 0, a blank cell 0.  A digit beyond the fen rounds half up, like the
    ledger software does.  ``scale`` is 10000 for books kept in 万元 (then four more decimals
    count)."""
    text = pc.fill_null(text, "")
    n = len(text)
    fen = np.zeros(n, dtype="int64")
    bad = np.zeros(n, dtype=bool)
    parenthesised = np.zeros(n, dtype=bool)
    if scale == 1:
        # "2,500.00" is the commonest text amount: without its separators it is plain.
        separated = pc.match_substring(text, ",").to_numpy(zero_copy_only=False)
        plain_text = pc.replace_substring(text, ",", "") if separated.any() else text
        plain = pc.match_substring_regex(plain_text, _PLAIN_AMOUNT).to_numpy(zero_copy_only=False)
        if plain.any():
            numbers = pc.cast(plain_text.filter(pa.array(plain)), pa.float64()).to_numpy()
            fen[plain] = np.round(numbers * 100).astype("int64")
    else:
        plain = np.zeros(n, dtype=bool)
    rest = ~plain & pc.not_equal(text, "").to_numpy(zero_copy_only=False)
    if rest.any():
        positions = np.flatnonzero(rest)
        # NFKC turns full-width digits and signs typed with a Chinese input method (２，５００．００,
        # （３００）, －) into ASCII ones.
        other = pc.utf8_normalize(text.filter(pa.array(rest)), "NFKC")
        other = pc.replace_substring_regex(other, _AMOUNT_NOISE, "")
        zero = pc.or_(pc.equal(other, ""), pc.is_in(other, pa.array(sorted(_ZERO_DASHES))))
        keep = ~zero.to_numpy(zero_copy_only=False)
        positions, other = positions[keep], other.filter(pa.array(keep))
        if len(other):
            wrapped = pc.match_substring_regex(other, "^[(（].*[)）]$").to_numpy(zero_copy_only=False)
            parenthesised[positions[wrapped]] = True
            other = pc.replace_substring_regex(other, "^[(（](.*)[)）]$", "-\\1")
            parts = pc.extract_regex(other, _AMOUNT_TEXT)
            parsed = parts.is_valid().to_numpy(zero_copy_only=False)
            bad[positions[~parsed]] = True
            if parsed.any():
                ok = parts.filter(pa.array(parsed))
                places = 2 + len(str(scale)) - 1          # fen, plus four decimals more for 万元
                whole = pc.cast(ok.field("whole"), pa.int64()).to_numpy()
                too_big = whole.astype("float64") * scale >= MAX_AMOUNT_YUAN
                bad[positions[parsed][too_big]] = True
                whole = np.where(too_big, 0, whole)
                fraction = pc.utf8_rpad(pc.fill_null(ok.field("fraction"), ""), places + 1, "0")
                kept = pc.cast(pc.utf8_slice_codeunits(fraction, 0, places), pa.int64()).to_numpy()
                next_digit = pc.cast(pc.utf8_slice_codeunits(fraction, places, places + 1), pa.int64()).to_numpy()
                value = (whole * 10 ** places + kept + (next_digit >= 5)) * (scale * 100 // 10 ** places)
                value[too_big] = 0
                sign = np.where(pc.fill_null(pc.equal(ok.field("sign"), "-"), False).to_numpy(zero_copy_only=False), -1, 1)
                fen[positions[parsed]] = value * sign
    return fen, bad, (fen < 0) | parenthesised


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
        return ("", int(number)) if number.is_integer() and 0 <= number <= MAX_VOUCHER_NUMBER else "bad"
    text = str(value).strip().replace(" ", "")
    if not text:
        return None
    match = _VOUCHER.match(text)
    if not match:
        return "bad"
    word = match.group("word").rstrip("字").strip()
    return word, int(match.group("number"))


# Voucher words written out in full: 记账凭证第0012号 is 记-12.
_WORD_NAMES = {"记账": "记", "收款": "收", "付款": "付", "转账": "转", "现金收款": "现收", "现金付款": "现付",
               "银行收款": "银收", "银行付款": "银付"}


@functools.lru_cache(maxsize=4096)
def voucher_word(word: str) -> str:
    """A voucher word in its short form: 记字 → 记, 记账凭证 → 记, 付款凭证 → 付."""
    word = (word or "").strip().replace(" ", "")
    for tail in ("凭证", "字"):
        if word.endswith(tail):
            word = word[:-len(tail)]
    return _WORD_NAMES.get(word, word)


def voucher_table(values: list, parse_one=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct cell values → (word, number (-1 for blank or bad), bad mask), one per value.
    ``parse_one`` stands in for parse_voucher_value (the reader passes a cached one)."""
    words, numbers, bad = [], [], []
    for value in values:
        try:
            parsed = (parse_one or parse_voucher_value)(value)
        except Exception:  # noqa: BLE001 - a parser must never raise on a cell
            parsed = "bad"
        words.append(parsed[0] if isinstance(parsed, tuple) else "")
        numbers.append(parsed[1] if isinstance(parsed, tuple) else -1)
        bad.append(parsed == "bad")
    return np.array(words, dtype=object), np.array(numbers, dtype="int64"), np.array(bad, dtype=bool)


# The usual voucher cells ("记-6", "记-0006", "记字第6号", "现付-18", "JZ-6", "6") in one Arrow pass.
# The word is Chinese characters or Latin letters and there is no space but " " (removed): every
# cell this takes, _VOUCHER reads alike (RE2's \d and \s are ASCII only, Python's are not, so
# full-width digits, other spaces and other words are left to _VOUCHER, once per distinct value).
_PLAIN_VOUCHER = "^(?P<word>[\u4e00-\u9fffA-Za-z]*?)字?(?:[-－—_#№:：])?第?0*(?P<number>[0-9]{1,9})号?$"


def vouchers_from_text(values: pa.Array, parse_one=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """voucher_table for distinct cells given as Arrow text: (word, number (-1 for blank or
    bad), bad mask), one per value, the same as voucher_table gives."""
    text = pc.replace_substring(values.cast(pa.string()), " ", "")
    parts = pc.extract_regex(text, _PLAIN_VOUCHER)
    plain = parts.is_valid().to_numpy(zero_copy_only=False)
    blank = pc.fill_null(pc.equal(text, ""), True).to_numpy(zero_copy_only=False)
    words = pc.fill_null(pc.utf8_rtrim(parts.field("word"), "字"), "").to_numpy(zero_copy_only=False).astype(object)
    numbers = np.full(len(values), -1, dtype="int64")
    if plain.any():
        numbers[plain] = pc.cast(parts.field("number").filter(pa.array(plain)), pa.int64()).to_numpy()
    bad = np.zeros(len(values), dtype=bool)
    rest = np.flatnonzero(~plain & ~blank)
    if len(rest):
        rest_words, rest_numbers, rest_bad = voucher_table(values.take(pa.array(rest)).to_pylist(), parse_one)
        words[rest], numbers[rest], bad[rest] = rest_words, rest_numbers, rest_bad
    return words, numbers, bad


def parse_vouchers(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Column → (word, number (Int64, <NA> for blank), mask of unparseable cells)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    words, numbers, bad_flags = voucher_table([*uniques, None])   # code -1 (a missing cell) → the last
    word, number, bad = words[codes], numbers[codes], bad_flags[codes]
    number_series = pd.Series(pd.array(number, dtype="Int64"), index=values.index)
    number_series[number < 0] = pd.NA
    return pd.Series(word, index=values.index, dtype=object), number_series, pd.Series(bad, index=values.index)


# Separators and measure words written around a count: "1,200", "3张", "2 份".
_COUNT_NOISE = re.compile(r"[\s,，张份个件]")


def parse_count_value(text: str):
    """One count cell's text ("3", "3张", "1,200") → float; "bad" when it is not a number."""
    try:
        return float(_COUNT_NOISE.sub("", text))
    except ValueError:
        return "bad"


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Plain numbers (quantity, attachments): numbers or numeric text → float; bad mask."""
    raw = values.astype(object)
    mask = text_mask(raw)
    cleaned = text_view(raw, mask).str.replace(_COUNT_NOISE.pattern, "", regex=True).astype(object)
    numeric = pd.to_numeric(raw.where(~mask, cleaned), errors="coerce")
    present = ~is_blank(raw)
    bad = present & numeric.isna()
    return numeric.astype("float64"), bad
