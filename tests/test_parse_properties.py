"""Property-based tests of the cell parsers: any cell value parses or is marked bad, never raises."""
from __future__ import annotations

import datetime as dt

import re

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from voucher_checker import parse
from voucher_checker.headers import HeaderMatcher

CELL = st.one_of(
    st.none(), st.text(max_size=30), st.text(alphabet="0123456789,.-()¥￥元 年月日/记字第号", max_size=20),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10**20, max_value=10**20),
    st.booleans(), st.dates(), st.datetimes(),
)
COLUMN = st.lists(CELL, max_size=25).map(lambda values: pd.Series(values, dtype=object))
SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(COLUMN, st.one_of(st.none(), st.integers(1990, 2100)), st.one_of(st.none(), st.integers(1, 12)))
def test_dates_parse_or_are_marked_bad(column, year, month):
    dates, bad = parse.parse_dates(column, year, month)
    assert len(dates) == len(bad) == len(column)
    assert not (bad & dates.notna()).any()


@SETTINGS
@given(COLUMN, st.sampled_from([1, 10000]))
def test_amounts_parse_or_are_marked_bad(column, scale):
    fen, bad, reversal = parse.parse_amounts(column, scale)
    assert fen.dtype == "int64" and len(fen) == len(bad) == len(reversal) == len(column)


@SETTINGS
@given(COLUMN)
def test_vouchers_periods_numbers_never_raise(column):
    word, number, bad = parse.parse_vouchers(column)
    assert len(word) == len(number) == len(column)
    assert not (bad & number.notna()).any()
    periods, bad_periods = parse.parse_periods(column, 2021)
    assert periods.map(lambda p: p == "" or (len(p) == 7 and p[4] == "-")).all()
    numbers, bad_numbers = parse.parse_numbers(column)
    assert len(numbers) == len(column)


@SETTINGS
@given(st.integers(min_value=-10**13, max_value=10**13))
def test_text_amounts_round_trip_exactly(fen):
    text = f"{fen / 100:,.2f}" if abs(fen) < 2**52 else None
    yuan, cents = divmod(abs(fen), 100)
    text = f"{'-' if fen < 0 else ''}{yuan:,}.{cents:02d}"
    parsed, bad, _ = parse.parse_amounts(pd.Series([text, f"({yuan:,}.{cents:02d})"], dtype=object))
    assert not bad.any()
    assert parsed.iloc[0] == fen
    assert parsed.iloc[1] == -abs(fen)


@SETTINGS
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_written_date_form_round_trips(day):
    forms = [f"{day:%Y-%m-%d}", f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
             f"{day.year}年{day.month}月{day.day}日", f"{day:%Y%m%d}", int(f"{day:%Y%m%d}")]
    dates, bad = parse.parse_dates(pd.Series(forms, dtype=object))
    assert not bad.any()
    assert (dates == pd.Timestamp(day)).all()


@SETTINGS
@given(st.integers(min_value=0, max_value=99999), st.sampled_from(["记", "现付", "银付", "转", "收"]))
def test_voucher_forms_round_trip(number, word):
    forms = [f"{word}-{number}", f"{word}-{number:04d}", f"{word}字第{number}号", f"{word} - {number}", f"{word}{number}"]
    words, numbers, bad = parse.parse_vouchers(pd.Series(forms, dtype=object))
    assert not bad.any()
    assert set(words) == {word} and set(numbers) == {number}
    bare_words, bare_numbers, _ = parse.parse_vouchers(pd.Series([number, str(number), float(number)], dtype=object))
    assert set(bare_words) == {""} and set(bare_numbers) == {number}


@SETTINGS
@given(st.one_of(st.none(), st.text(max_size=40), st.floats(), st.integers(), st.dates()))
def test_header_matching_never_raises(cell):
    matcher = HeaderMatcher()
    assert matcher.match(cell) in (None, *matcher.exact.values())


def test_nan_and_inf_amounts_are_bad_not_numbers():
    fen, bad, _ = parse.parse_amounts(pd.Series([np.nan, np.inf, -np.inf, 1.5], dtype=object))
    assert list(fen) == [0, 0, 0, 150]
    assert list(bad) == [False, True, True, False]


@SETTINGS
@given(st.integers(min_value=0, max_value=10**9 - 1), st.integers(min_value=0, max_value=9999))
def test_wan_yuan_text_keeps_four_decimals(wan, fraction):
    # 万元 books: "12.3456" 万元 is 123,456 yuan, i.e. 12,345,600 fen, to the fen.
    fen, bad, _ = parse.amounts_from_text(pa.array([f"{wan}.{fraction:04d}", f"{wan:,}.{fraction:04d}"]), 10000)
    assert not bad.any()
    assert list(fen) == [(wan * 10000 + fraction) * 100] * 2


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.text(max_size=20),
                          st.from_regex(r"-?[0-9]{1,14}(\.[0-9]{0,5})?", fullmatch=True)), max_size=30))
def test_amounts_from_text_never_raise_and_plain_numbers_are_exact(texts):
    fen, bad, reversal = parse.amounts_from_text(pa.array(texts, type=pa.string()))
    assert len(fen) == len(bad) == len(reversal) == len(texts)
    for text, value, is_bad in zip(texts, fen.tolist(), bad.tolist()):
        plain = text is not None and re.fullmatch(r"-?[0-9]{1,13}(\.[0-9]{0,5})?", text)
        if plain and not text.endswith("."):
            whole, _, decimals = text.lstrip("-").partition(".")
            decimals = (decimals + "000")[:3]
            expected = int(whole) * 100 + int(decimals[:2]) + (int(decimals[2]) >= 5)
            assert not is_bad and value == (-expected if text.startswith("-") else expected)


VOUCHER_TEXT = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="记现银收付转字第号-－—_#№:： 0123456789０１２３\u3000JZ", max_size=12),
    st.builds(lambda word, sep, number: f"{word}{sep}{number}", st.sampled_from(["记", "现付", "记字", "JZ", "记账", ""]),
              st.sampled_from(["-", "", "字第", " - ", "－", "第", "#"]), st.integers(0, 10**10)),
)


@SETTINGS
@given(st.lists(VOUCHER_TEXT, max_size=30))
def test_vouchers_read_in_arrow_as_the_python_parser_reads_them(values):
    """The reader parses the usual voucher cells in one Arrow pass and leaves the rest to
    parse_voucher_value: together they must read every cell exactly as the parser alone."""
    words, numbers, bad = parse.vouchers_from_text(pa.array(values, pa.string()))
    expected_words, expected_numbers, expected_bad = parse.voucher_table(values)
    assert list(words) == list(expected_words)
    assert list(numbers) == list(expected_numbers)
    assert list(bad) == list(expected_bad)
