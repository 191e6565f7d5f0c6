"""坐支现金（cash-takings-paid-out）

## What it does
Finds days on which a unit took cash in (租金, 收费, 还款 … — cash that did not come from the
bank) and paid cash out, and the cash it held before the takings could not cover the payments:
the difference was paid out of the takings before they were deposited (坐支).  Per unit (entity
and book) and day:

    付自收入 = min(当日收入, 当日支出 − 收款前库存现金 − 当日提现)    （收款前为红字时按 0 计）

reported where it is at least ``min_amount_yuan``.  Cash on hand before the day is known from a
cash journal's 余额 column, or from ``opening_cash_yuan``; where the opening is unknown it is
taken as ``unknown_opening_max_yuan`` (more cash than a unit may keep), so the cash before the
takings is the most it could have been and a finding stands whatever the opening was.  A
voucher counts by its net effect on cash; withdrawals from the bank (提现) are not takings and
deposits (存现) are not payments.  A day that ends below zero is left to negative-cash-balance.
The finding is on the day's largest payment and names the largest receipt.

## Why is this bad?
《现金管理暂行条例》第十一条 forbids paying out of cash takings (不准坐支现金): takings are to be
deposited the same day, and payments made from cash drawn for them, so that every receipt and
every payment shows in the books and the bank.

## Example
A flagged voucher (no opening known: at most 5,000 yuan on hand before the takings):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-1 | 2021-03-05 | 收取门面租金 | 库存现金 | 10,000.00 | |
| 记-1 | 2021-03-05 | 收取门面租金 | 其他收入-租金 | | 10,000.00 |
| 记-2 | 2021-03-05 | 发放保洁员工资 | 应付工资 | 8,000.00 | |
| 记-2 | 2021-03-05 | 发放保洁员工资 | 库存现金 | | 8,000.00 |

→ 2021-03-05 收取现金 10,000.00 元（收款凭证 记-1）、支付现金 8,000.00 元；期初库存现金未知，按期初最多 5,000.00 元推算，收款前库存现金至多 5,000.00 元，不足支付，3,000.00 元付自当日现金收入，未先送存银行（坐支）

## Use instead
Deposit the takings and draw cash for the payment; this look-alike is not flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-1 | 2021-03-05 | 收取门面租金 | 库存现金 | 10,000.00 | |
| 记-1 | 2021-03-05 | 收取门面租金 | 其他收入-租金 | | 10,000.00 |
| 记-2 | 2021-03-05 | 租金存入银行 | 银行存款 | 10,000.00 | |
| 记-2 | 2021-03-05 | 租金存入银行 | 库存现金 | | 10,000.00 |
| 记-3 | 2021-03-05 | 提现发放工资 | 库存现金 | 8,000.00 | |
| 记-3 | 2021-03-05 | 提现发放工资 | 银行存款 | | 8,000.00 |
| 记-4 | 2021-03-05 | 发放保洁员工资 | 应付工资 | 8,000.00 | |
| 记-4 | 2021-03-05 | 发放保洁员工资 | 库存现金 | | 8,000.00 |

## Options
- ``min_amount_yuan`` (100): the least amount paid out of takings that is reported.
- ``opening_cash_yuan`` (""): cash on hand at the start of the ledger, in yuan; "" means unknown.
  Set it per entity in ``[[overrides]]`` as ``opening_cash_yuan`` (one number for the three
  cash rules).
- ``unknown_opening_max_yuan`` (5000): where the opening is unknown, the most cash a unit is
  taken to have started with.

## References
- 《现金管理暂行条例》第十一条（开户单位支付现金，可以从本单位库存现金限额中支付或者从开户银行提取，不得从本单位的现金收入中直接支付（即坐支））
- 《现金管理暂行条例实施细则》第十二条
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import Yuan

from ._common import OPENING_CASH, CashDays, cash_days_of, fen, findings, voucher_keys, yuan

ID = "cash-takings-paid-out"
TITLE = "坐支现金"
TITLE_EN = "Payments made out of cash takings"
GROUP = "journal"
SEVERITY = "high"
BASIS = "《现金管理暂行条例》第十一条：不得从本单位的现金收入中直接支付（坐支）"
REQUIRES = ("debit", "credit", "account", "date")
OPTIONS = {
    "min_amount_yuan": Yuan(100, help="付自当日现金收入的金额达到此数（元）才报告，零星差额不报。来源：本工具约定。"),
    "opening_cash_yuan": OPENING_CASH,
    "unknown_opening_max_yuan": Yuan(5000,
        help="期初余额未知时，按期初最多有这么多现金推算收款前的库存现金（所得为可能的最大值，报告的坐支在任何期初下都成立）。"
             "来源：村级财务管理办法核定的库存现金限额常见 1000～5000 元，期初超过 5000 元本身即超限额。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    days = cash_days_of(ledger, options)
    # Cash on hand before the takings (NaN: unknown); a red balance held nothing to pay with.
    available = np.maximum(days.start, 0) + days.withdrawn
    short = days.payments - available
    from_takings = np.minimum(days.takings, short)
    hit = ((days.takings > 0) & (days.payments > 0) & (days.end >= 0)
           & (from_takings >= max(fen(options["min_amount_yuan"]), 1)))
    if not hit.any():
        return no_findings()
    at = np.flatnonzero(hit)
    payer = days.voucher_of_day(days.voucher_payments)[at]
    receipt = days.voucher_of_day(days.voucher_takings)[at]
    receipt_name = pd.Series(ledger.loc[CashDays.cash_line(ledger, receipt, "debit_fen"), "voucher"].to_numpy(dtype=object))
    receipts = np.bincount(days.day_of_voucher[days.voucher_takings > 0], minlength=len(days.day))[at]
    receipt_name = receipt_name.where(receipts == 1, receipt_name + " 等 " + pd.Series(receipts).astype(str) + " 张")
    amount = from_takings[at].astype("int64")
    date = pd.Series(days.day[at].astype("datetime64[D]")).dt.strftime("%Y-%m-%d")
    start = days.start[at].astype("int64")
    before = yuan(start) + " 元" + pd.Series(np.where(start < 0, "（红字）", ""), dtype=object)
    withdrawn = days.withdrawn[at]
    withdrawn_text = pd.Series(np.where(withdrawn > 0, "，另有当日提现 " + yuan(withdrawn) + " 元", ""), dtype=object)
    how = pd.Series(np.where(days.written[at], "据现金日记账余额，收款前库存现金 ",
                             np.where(days.known[at], "收款前库存现金 ",
                                      "期初库存现金未知，按期初最多 " + yuan(pd.Series([days.unknown_opening_fen])).iloc[0]
                                      + " 元推算，收款前库存现金至多 ")), dtype=object)
    message = (date + " 收取现金 " + yuan(days.takings[at]) + " 元（收款凭证 " + receipt_name + "）、支付现金 "
               + yuan(days.payments[at]) + " 元；" + how + before + withdrawn_text + "，不足支付，" + yuan(amount) + " 元付自当日现金收入，未先送存银行（坐支）")
    severity = np.where(days.known[at], "high", "medium")
    return findings(voucher_keys(ledger, payer), CashDays.cash_line(ledger, payer), amount, message, severity)
