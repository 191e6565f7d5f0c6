"""库存现金出现负数（negative-cash-balance）

## What it does
Follows each unit's cash on hand (库存现金) day by day and finds days that end with less than
nothing.  The balance is judged only where it can be known or bounded, as an auditor would:

- in a cash journal (现金日记账) with a 余额 column, the balance the journal itself writes on the
  day's last row;
- in a voucher list, from ``opening_cash_yuan`` when the policy gives the opening balance;
- otherwise the opening is unknown (the 期初余额 / 上年结转 row is not an entry and most exports
  leave it out).  The day's balance is then worked out from an opening of
  ``unknown_opening_max_yuan``, more cash than a unit may keep at its start; a day that still
  ends below zero was either really negative or began with more cash than any limit allows —
  both wrong.  A smaller deficit may only mean the opening was not read, and is not reported.

A month missing from the ledger breaks the count: the balance after it starts again from an
unknown opening.  A run of negative days is one finding, on its first day, attached to that
day's largest cash payment, with the number of days and the lowest balance.  Each unit (entity
and book) is followed on its own, its journals apart from its voucher lists.

## Why is this bad?
Cash cannot be negative.  A red cash balance means payments were booked before the cash that
paid them: receipts not recorded, or 白条抵库 (IOUs kept in the till in place of cash).

## Example
A flagged voucher (no opening known; 5,000 yuan assumed):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-1 | 2021-03-01 | 提取备用金 | 库存现金 | 1,000.00 | |
| 记-1 | 2021-03-01 | 提取备用金 | 银行存款 | | 1,000.00 |
| 记-2 | 2021-03-05 | 支付工程款 | 管理费用-维修费 | 9,000.00 | |
| 记-2 | 2021-03-05 | 支付工程款 | 库存现金 | | 9,000.00 |

→ 期初库存现金未知：即使期初有 5,000.00 元，2021-03-05 日终库存现金余额仍为 -3,000.00 元，可能存在收入未入账或白条抵库

## Use instead
Pay large sums from the bank; this look-alike, within what an opening could explain, is not
flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-1 | 2021-03-01 | 提取备用金 | 库存现金 | 1,000.00 | |
| 记-1 | 2021-03-01 | 提取备用金 | 银行存款 | | 1,000.00 |
| 记-2 | 2021-03-05 | 支付工程款 | 管理费用-维修费 | 3,000.00 | |
| 记-2 | 2021-03-05 | 支付工程款 | 库存现金 | | 3,000.00 |

## Options
- ``opening_cash_yuan`` (""): cash on hand at the start of the ledger, in yuan; "" means unknown.
  Set it per entity in ``[[overrides]]`` as ``opening_cash_yuan`` (one number for the three
  cash rules).
- ``unknown_opening_max_yuan`` (5000): where the opening is unknown, the most cash a unit is
  taken to have started with.

## References
- 《现金管理暂行条例》第十一条（不准用不符合财务制度的凭证顶替库存现金）
- 《会计基础工作规范》第五十条（现金日记账逐日结出余额）
- 村级财务管理办法：库存现金不准白条抵库
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import Yuan

from ._common import OPENING_CASH, CashDays, cash_days_of, findings, voucher_keys, yuan

ID = "negative-cash-balance"
TITLE = "库存现金出现负数"
TITLE_EN = "Cash on hand below zero"
GROUP = "journal"
SEVERITY = "high"
BASIS = "《现金管理暂行条例》第十一条：不准用不符合财务制度的凭证顶替库存现金（白条抵库）"
REQUIRES = ("debit", "credit", "account")
OPTIONS = {
    "opening_cash_yuan": OPENING_CASH,
    "unknown_opening_max_yuan": Yuan(5000,
        help="期初余额未知时，按期初最多有这么多现金推算；推算后仍为负数才报告（差额较小可能只是期初未读到）。"
             "来源：村级财务管理办法核定的库存现金限额常见 1000～5000 元，期初超过 5000 元本身即超限额。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    days = cash_days_of(ledger, options)
    negative = days.end < 0                       # NaN (balance unknown) compares False
    if not negative.any():
        return no_findings()
    # A run of negative days of one unit and stretch of months (segments never span units) is one finding.
    stretch = days.segment
    previous = np.concatenate(([False], negative[:-1] & (stretch[1:] == stretch[:-1])))
    first = negative & ~previous
    run = np.cumsum(first) - 1
    in_run = np.flatnonzero(negative)
    run_of = run[in_run]
    length = np.bincount(run_of)
    lowest = np.full(len(length), np.inf)
    np.minimum.at(lowest, run_of, days.end[in_run])
    lowest_day = np.zeros(len(length), dtype="int64")
    is_lowest = days.end[in_run] == lowest[run_of]
    np.maximum.at(lowest_day, run_of[is_lowest], days.day[in_run][is_lowest])   # the last day at the lowest

    at = np.flatnonzero(first)
    voucher = days.voucher_of_day(days.voucher_payments + 1)[at]   # +1: a day with no payment still names one
    end = days.end[at].astype("int64")
    date = pd.Series(days.day[at].astype("datetime64[D]")).dt.strftime("%Y-%m-%d")
    balance = yuan(end)
    written, known = days.written[at], days.known[at]
    message = pd.Series(np.where(
        written, "现金日记账余额栏：" + date + " 日终库存现金余额为 " + balance + " 元（红字）",
        np.where(known, "按期初库存现金 " + yuan(pd.Series([days.opening_fen or 0])).iloc[0] + " 元推算，" + date
                 + " 日终库存现金余额为 " + balance + " 元",
                 "期初库存现金未知：即使期初有 " + yuan(pd.Series([days.unknown_opening_fen])).iloc[0] + " 元，" + date
                 + " 日终库存现金余额仍为 " + balance + " 元")), dtype=object)
    runs = length[run[at]]
    longer = runs > 1
    low_date = pd.Series(lowest_day[run[at]].astype("datetime64[D]")).dt.strftime("%Y-%m-%d")
    suffix = ("；自当日起连续 " + pd.Series(runs).astype(str) + " 个记账日为负数，最低 "
              + yuan(lowest[run[at]].astype("int64")) + " 元（" + low_date + "）")
    message = message.where(~longer, message + suffix) + "，可能存在收入未入账或白条抵库"
    severity = np.where(known, "high", "medium")
    return findings(voucher_keys(ledger, voucher), CashDays.cash_line(ledger, voucher), -end, message, severity)
