"""节假日记账（holiday-posting）

## What it does
Finds vouchers dated on a rest day: a Saturday or Sunday that was not a make-up workday (调休上班),
or a statutory holiday (法定节假日), from the State Council's schedule as the ``chinesecalendar``
package carries it.  A voucher is looked at once, by its date.

Not flagged, because accountants date them so without anything being wrong:

- closing and accrual vouchers (``closing_keywords``: 结转, 计提, 摊销 …);
- with ``skip_month_end``, a batch of vouchers (``month_end_batch_vouchers`` or more of one unit)
  dated on the month's last day, or on the rest days just before it (a month that ends on a
  Sunday is closed with that date); a single payment on such a day is still flagged;
- entries the bank dates (``bank_dated_keywords``: 利息, 手续费 …).

A year the calendar does not cover is checked for plain weekends only, and the rule says so as a
rule gap for each sheet with such dates.  Where a unit dates ``routine_share`` or more of a
year's vouchers on rest days (and has at least ``routine_min_vouchers`` of them), its dates are
not posting days (or it works weekends as a rule): flagging each would flood the report, so the
rule reports a rule gap for the unit's sheets instead.

## Why is this bad?
A community office keeps working days; entries on rest days are the journal-entry test every
audit suite runs (postings on weekends and holidays), a sign of vouchers made up afterwards or of
spending outside the office's control.

## Example
A flagged voucher (2020-05-17 was an ordinary Sunday):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-12 | 2020-05-17 | 支付活动场地布置费 | 管理费用-活动经费 | 1,200.00 | |
| 记-12 | 2020-05-17 | 支付活动场地布置费 | 银行存款 | | 1,200.00 |

→ 凭证日期 2020-05-17 是星期日（休息日），不是调休上班日

2021-10-01 is flagged as 国庆节假日, and so is a lone payment on Sunday 2020-05-31 (May's last
day: a batch of vouchers dated that day would be the month's closing).

## Use instead
Date vouchers on working days; this look-alike on a Saturday that was a make-up workday is not
flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-8 | 2020-05-09 | 支付活动场地布置费 | 管理费用-活动经费 | 1,200.00 | |
| 记-8 | 2020-05-09 | 支付活动场地布置费 | 银行存款 | | 1,200.00 |
| 记-30 | 2021-10-31 | 结转本月管理费用 | 本年收益 | 1,200.00 | |
| 记-30 | 2021-10-31 | 结转本月管理费用 | 管理费用-活动经费 | | 1,200.00 |

Nor is the closing voucher dated Sunday 2021-10-31, the month's last day.

## Options
- ``closing_keywords`` (结转, 计提 …): vouchers with these in a summary are closing entries.
- ``skip_month_end`` (true) and ``month_end_batch_vouchers`` (3): a batch of vouchers on the
  month's last day and the rest days just before it is not flagged.
- ``bank_dated_keywords`` (利息, 手续费 …): entries the bank books on its own date.
- ``routine_share`` (0.1) and ``routine_min_vouchers`` (100): a unit-year dated that often on rest
  days gets a rule gap instead of a finding per voucher.

## References
- 《全国年节及纪念日放假办法》；国务院办公厅每年发布的部分节假日安排通知（调休）
- 审计软件的日记账测试：周末及节假日记账（CaseWare IDEA、ACL 等）
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings, with_gap_notes
from voucher_checker.options import Count, Flag, Share, Words

from ._common import NO_DAY, Vouchers, day_numbers, day_text, findings, first_of_each, group_codes, keyword_regex, \
    line_text, voucher_keys

ID = "holiday-posting"
TITLE = "节假日记账"
TITLE_EN = "Voucher dated on a weekend or public holiday"
GROUP = "journal"
SEVERITY = "low"
BASIS = "《全国年节及纪念日放假办法》及国务院办公厅节假日安排；审计日记账测试：周末及节假日记账"
REQUIRES = ("date",)
OPTIONS = {
    "closing_keywords": Words(["结转", "计提", "摊销", "折旧", "结账", "月末", "期末", "年末"],
        help="摘要含这些词的凭证是期末结转、计提等账务处理，按惯例可在月末任何一天入账，不报告。"
             "来源：《会计基础工作规范》第五十一条（结账和更正错误的记账凭证）及记账惯例。"),
    "skip_month_end": Flag(True,
        help="为 true 时，单位在当月最后一天、或紧挨月末的休息日（如月末为星期日时的周六、周日）集中记了"
             "多张凭证（见下项）的，这些凭证不报告：会计按惯例以月末日期结账。来源：记账惯例（本工具约定）。"),
    "month_end_batch_vouchers": Count(3,
        help="同一单位在月末休息日记账的凭证达到此张数，才视为按月末日期集中结账而不报告；"
             "只有一两张的照常报告（如月末星期日的一笔付款）。来源：本工具约定。"),
    "bank_dated_keywords": Words(["利息", "结息", "手续费", "账户管理费", "短信费", "扣费", "代扣", "自动扣款"],
        help="摘要含这些词的分录按银行的记账日入账（结息、扣费在周末也会发生），不报告。来源：银行结息和收费惯例。"),
    "routine_share": Share(0.1,
        help="某单位某年在休息日的凭证占比达到此数时，其日期看来不是记账日（或单位惯常在休息日办公），"
             "不逐张报告，改为在“规则未运行”中说明。来源：本工具约定；按工作日记账的单位通常远低于此数，"
             "随意填写的日期约 31% 落在休息日。"),
    "routine_min_vouchers": Count(100,
        help="上项占比只在单位该年有日期的凭证达到此数时才判断。来源：本工具约定。"),
}

_WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@functools.cache
def _calendar():
    """The holiday schedule as sorted day numbers: holidays (with their Chinese names), make-up
    workdays, the years covered and the package's version."""
    import chinese_calendar

    holidays = sorted(chinese_calendar.holidays.items())
    holiday_days = day_numbers(np.array([d for d, _ in holidays], dtype="datetime64[ns]"))
    names = np.array([_HOLIDAY_NAMES.get(str(name), "法定节假日") for _, name in holidays], dtype=object)
    workdays = day_numbers(np.array(sorted(chinese_calendar.workdays), dtype="datetime64[ns]"))
    years = [d.year for d, _ in holidays]
    return holiday_days, names, np.sort(workdays), min(years), max(years), getattr(chinese_calendar, "__version__", "")


def _year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970


def _rest_days(days: np.ndarray):
    """For distinct day numbers: rest day or not, the holiday's name ("" for a weekend or a
    working day), whether the calendar covers the year, and the weekday (0 Monday)."""
    holiday_days, names, workdays, first, last, _ = _calendar()
    weekday = (days + 3) % 7                      # 1970-01-01 was a Thursday
    covered = (_year(days) >= first) & (_year(days) <= last)
    at = np.clip(np.searchsorted(holiday_days, days), 0, max(len(holiday_days) - 1, 0))
    is_holiday = covered & (holiday_days[at] == days) if len(holiday_days) else np.zeros(len(days), bool)
    is_workday = covered & np.isin(days, workdays)
    rest = is_holiday | ((weekday >= 5) & ~is_workday)
    holiday = np.where(is_holiday, names[at] if len(names) else "", "")
    return rest, holiday, covered, weekday


def _at_month_end(days: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """True for the month's last day and the rest days just before it: every day from it to the
    month's end is a rest day."""
    month = days.astype("datetime64[D]").astype("datetime64[M]")
    last = ((month + 1).astype("datetime64[D]") - 1).astype("int64")
    span = np.arange(days.min(), last.max() + 1)
    span_rest, *_ = _rest_days(span)
    # The next working day on or after each day of the span.
    working = np.where(~span_rest, np.arange(len(span)), len(span))
    next_working = np.minimum.accumulate(working[::-1])[::-1] + span[0]
    return (days == last) | (rest & (next_working[days - span[0]] > last))


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    by_voucher = Vouchers(ledger["voucher_id"])
    day = by_voucher.min(day_numbers(ledger["date"].to_numpy()))
    dated = day != NO_DAY
    if not dated.any():
        return no_findings()
    # The calendar is looked at once per distinct day.
    distinct, day_code = np.unique(day[dated], return_inverse=True)
    rest, holiday, covered, weekday = _rest_days(distinct)
    first_line = by_voucher.first_line
    # Each voucher's sheet and unit, from one pass over the ledger: there are few of either.
    places = _Places(ledger, first_line)
    on_rest = np.zeros(by_voucher.count, dtype=bool)
    on_rest[dated] = rest[day_code]
    if options.get("skip_month_end", True):
        # A month closed on its last (rest) day dates a batch of vouchers so; one payment alone
        # on that day is a payment made on a rest day.
        at_end = _at_month_end(distinct, rest)[day_code]
        _, same_day, count = np.unique(places.unit[dated] * (2 ** 31) + day[dated], return_inverse=True,
                                       return_counts=True)
        on_rest[dated] &= ~(at_end & (count[same_day] >= options["month_end_batch_vouchers"]))
    year = np.where(dated, _year(np.where(dated, day, 0)), 0)
    notes = _uncovered_notes(places, dated, year)

    # Units that date a large share of a year's vouchers on rest days: a note instead of a flood.
    unit_year = places.unit * 10_000 + year
    unit_years, unit_of = np.unique(unit_year[dated], return_inverse=True)
    vouchers = np.bincount(unit_of)
    resting = np.bincount(unit_of, weights=on_rest[dated])
    routine = (vouchers >= options["routine_min_vouchers"]) & (resting >= options["routine_share"] * vouchers)
    if routine.any():
        routine_voucher = np.zeros(by_voucher.count, dtype=bool)
        routine_voucher[dated] = routine[unit_of]
        notes += _routine_notes(places, routine_voucher, unit_of[routine_voucher[dated]], unit_years % 10_000,
                                vouchers, resting, options)
        on_rest &= ~routine_voucher

    candidate = np.flatnonzero(on_rest)
    if len(candidate):
        # Closing and bank-dated entries, by the summaries of the candidates' lines only.
        words = list(options["closing_keywords"]) + list(options["bank_dated_keywords"])
        in_candidate = on_rest[by_voucher.code]
        lines = ledger[["voucher_id", "summary"]][in_candidate]
        excused = line_text(lines, ("summary",)).str.contains(keyword_regex(words), regex=True).to_numpy(dtype=bool)
        excused_voucher = np.zeros(by_voucher.count, dtype=bool)
        excused_voucher[by_voucher.code[np.flatnonzero(in_candidate)[excused]]] = True
        candidate = candidate[~excused_voucher[candidate]]
    if not len(candidate):
        return with_gap_notes(no_findings(), notes)

    distinct_at = np.searchsorted(distinct, day[candidate])
    when = day_text(day[candidate])
    weekday_text = pd.Series(np.array(_WEEKDAYS, dtype=object)[weekday[distinct_at]])
    holiday_text = pd.Series(holiday[distinct_at], dtype=object)
    known = pd.Series(covered[distinct_at])
    message = ("凭证日期 " + when + " 是" + weekday_text + "（休息日），不是调休上班日").where(
        known, "凭证日期 " + when + " 是" + weekday_text + "（该年节假日安排不在日历内，只按周末判断）")
    message = message.where(holiday_text == "", "凭证日期 " + when + " 是" + holiday_text + "假日（" + weekday_text + "）")
    amount = by_voucher.sum(ledger["debit_fen"].to_numpy())[candidate]
    result = findings(voucher_keys(ledger, by_voucher.id[candidate]), ledger["line_id"].to_numpy()[first_line[candidate]],
                      amount, message)
    return with_gap_notes(result, notes)


class _Places:
    """The sheet (file and sheet) and unit (entity and book) of each voucher, as numbers:
    ``place`` and ``unit`` by voucher, ``file`` and ``sheet`` by place."""

    def __init__(self, ledger: pd.DataFrame, first_line: np.ndarray):
        columns = ["entity", "book", "file", "sheet"]
        combination = group_codes(ledger, columns)
        firsts = ledger[columns].iloc[first_of_each(combination)]
        unit_of_combination = group_codes(firsts, ["entity", "book"])
        place_of_combination = group_codes(firsts, ["file", "sheet"])
        places = first_of_each(place_of_combination)
        self.file = firsts["file"].to_numpy(dtype=object)[places]
        self.sheet = firsts["sheet"].to_numpy(dtype=object)[places]
        self.place = place_of_combination[combination[first_line]]
        self.unit = unit_of_combination[combination[first_line]]


def _uncovered_notes(places: _Places, dated: np.ndarray, year: np.ndarray) -> list:
    """A note for each sheet with vouchers dated in years the calendar does not cover."""
    *_, first, last, version = _calendar()
    outside = dated & ((year < first) | (year > last))
    if not outside.any():
        return []
    pairs = np.unique(places.place[outside] * 10_000 + year[outside])
    notes = []
    for place in pd.unique(pairs // 10_000):
        shown = "、".join(str(y) for y in pairs[pairs // 10_000 == place] % 10_000)
        notes.append((places.file[place], places.sheet[place],
                      f"{shown} 年不在节假日日历（chinesecalendar {version}，{first}–{last} 年）范围内："
                      "只按周六、周日检查，未计法定节假日和调休上班日"))
    return notes


def _routine_notes(places: _Places, routine_voucher, unit_of, year_of_unit, vouchers, resting, options) -> list:
    """A note for each sheet of a unit-year whose dates fall on rest days as a rule."""
    units = len(vouchers)
    pairs = np.unique(places.place[routine_voucher] * units + unit_of)
    notes = []
    for place, unit in zip(pairs // units, pairs % units):
        year = year_of_unit[unit]
        share = resting[unit] / vouchers[unit]
        notes.append((places.file[place], places.sheet[place],
                      f"{year} 年 {int(resting[unit]):,} 张凭证（占 {share:.0%}）日期在周末或节假日，"
                      f"达到 {options['routine_share']:.0%}：日期看来不是记账日（或单位惯常在休息日办公），未逐张报告"))
    return notes
