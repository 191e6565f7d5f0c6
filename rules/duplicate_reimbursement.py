"""重复报销（duplicate-reimbursement）

## What it does
Finds the same bill paid twice: a payment (voucher) of exactly the same amount to the same
counterparty as an earlier one, at most ``window_days`` after it, in a different voucher.  The
later voucher is flagged, naming the earlier.

The counterparty is the 往来单位 column where the ledger has one, else the payee the summary
names (付张记五金店材料款 → 张记五金店).  Payments that name no payee are compared by their summary,
but only a summary the unit writes rarely (``routine_summary_count``): two 购买打印纸 of the same
price are two boxes of paper.  Payments that recur (the same counterparty and amount in
``recurring_months`` or more months: rent, fees, subscriptions) and payments of a fixed sum per
person or by rule (wages, allowances, relief: ``exempt_keywords``) are not compared, nor
payments under ``min_yuan``.

## Why is this bad?
An invoice reimbursed twice (once from the original, once from a copy, or in two books) is the
classic duplicate that audit suites test for; inspections list 同一发票重复报销 among the usual
problems.

## Example
A flagged voucher:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-4 | 2021-03-08 | 付张记五金店材料款 | 管理费用-维修费 | 1,360.00 | |
| 记-4 | 2021-03-08 | 付张记五金店材料款 | 银行存款 | | 1,360.00 |
| 记-11 | 2021-03-19 | 报销张记五金店材料款 | 管理费用-维修费 | 1,360.00 | |
| 记-11 | 2021-03-19 | 报销张记五金店材料款 | 库存现金 | | 1,360.00 |

→ 与 记-4（2021-03-08）向“张记五金店”的付款金额同为 1,360.00 元，相隔 11 天：疑似重复报销

## Use instead
These look-alikes, a monthly rent of the same amount, are not flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-2 | 2021-01-05 | 付幸福物业公司活动室租金 | 管理费用-租赁费 | 3,000.00 | |
| 记-2 | 2021-01-05 | 付幸福物业公司活动室租金 | 银行存款 | | 3,000.00 |
| 记-3 | 2021-02-03 | 付幸福物业公司活动室租金 | 管理费用-租赁费 | 3,000.00 | |
| 记-3 | 2021-02-03 | 付幸福物业公司活动室租金 | 银行存款 | | 3,000.00 |
| 记-4 | 2021-03-05 | 付幸福物业公司活动室租金 | 管理费用-租赁费 | 3,000.00 | |
| 记-4 | 2021-03-05 | 付幸福物业公司活动室租金 | 银行存款 | | 3,000.00 |

## Options
- ``window_days`` (20): a second payment at most this many days after the first is a duplicate.
- ``min_yuan`` (200): smaller payments are not compared.
- ``recurring_months`` (3): the same counterparty and amount in this many months is a recurring payment.
- ``routine_summary_count`` (6): a summary on more payments a year than this is routine.
- ``exempt_keywords`` (工资, 补贴, 慰问 …): payments of a fixed sum per person or by rule.
- ``payment_classes`` (["expense", "asset", "receivable_payable"]): debited account classes that make a payment.

## References
- 《会计基础工作规范》第四十八条（原始凭证的审核）；《中华人民共和国发票管理办法》
- 审计软件的日记账测试：重复付款（duplicate payments）
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses, Count, Words, Yuan

from ._common import NO_DAY, Payments, payments_of, day_text, fen, findings, payment_partners, voucher_keys, yuan

ID = "duplicate-reimbursement"
TITLE = "重复报销"
TITLE_EN = "The same bill paid twice"
GROUP = "journal"
SEVERITY = "medium"
BASIS = "《会计基础工作规范》第四十八条：原始凭证须经审核；同一发票不得重复报销"
REQUIRES = ("date", "debit", "credit", "account", "summary")
OPTIONS = {
    "window_days": Count(20,
        help="同一收款方、同一金额的第二笔付款在第一笔后不超过此天数，视为重复报销。"
             "来源：本工具约定，短于一个月，使按月支付的房租、物业费不被误报。"),
    "min_yuan": Yuan(200, help="低于此金额（元）的付款不作比较。来源：本工具约定，小额同价（停车费、快递费）常见。"),
    "recurring_months": Count(3,
        help="同一收款方、同一金额的付款出现在此数或更多个月份，视为按期支付（房租、服务费、订阅费），不作比较。来源：本工具约定。"),
    "routine_summary_count": Count(6,
        help="未写明收款方的付款按摘要比较；同一单位一年内用同一摘要超过此数的付款视为日常支出，不作比较。来源：本工具约定。"),
    "exempt_keywords": Words(["工资", "薪酬", "津贴", "补贴", "补助", "慰问", "救助", "救济", "低保", "五保", "抚恤",
                              "奖金", "奖励", "党费", "会费", "社保", "公积金", "保险", "税", "利息", "手续费"],
        help="摘要含这些词的付款按人按标准发放或按规定缴纳，同额是常态，不作比较。来源：本工具约定。"),
    "payment_classes": AccountClasses(["expense", "asset", "receivable_payable"],
        help="被借记即视为“付款”的科目类别（同时贷记库存现金或银行存款）。来源：本工具约定，与现金支付规则一致。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    payments = payments_of(ledger, options["payment_classes"])
    payments.summary_uses()     # routine summaries are counted over all payments of a unit-year
    payments = payments.subset((payments.paid >= max(fen(options["min_yuan"]), 1)) & (payments.day != NO_DAY))
    if payments.count < 2:
        return no_findings()
    # Only an amount a unit paid twice within the window can be a duplicate: most payments leave
    # here, on numbers alone, before the payees are looked for.
    payments = payments.subset(_repeated_within(payments, payments.unit, options["window_days"]))
    if payments.count < 2:
        return no_findings()
    payments = payments.subset(~payments.contains("summary", options["exempt_keywords"]))
    group, by_payee, name = payment_partners(payments, options["routine_summary_count"])
    keep = group >= 0
    payments, group, by_payee, name = payments.subset(keep), group[keep], by_payee[keep], name[keep]
    if payments.count < 2:
        return no_findings()
    # One number for each counterparty and amount.
    amount_code = pd.factorize(payments.paid)[0]
    same = pd.factorize(group * (amount_code.max() + 1) + amount_code)[0]
    month = payments.day.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    months = np.bincount(np.unique(same * (month.max() - month.min() + 1) + (month - month.min()))
                         // (month.max() - month.min() + 1), minlength=same.max() + 1)
    order = np.lexsort((payments.line_id(), payments.day, same))
    s, d = same[order], payments.day[order]
    repeated = ((s[1:] == s[:-1]) & (d[1:] - d[:-1] <= options["window_days"])
                & (months[s[1:]] < options["recurring_months"]))
    if not repeated.any():
        return no_findings()
    later, earlier = order[1:][repeated], order[:-1][repeated]
    shown = payments.column("voucher").to_numpy(dtype=object)
    partner = np.where(by_payee[later], "向“" + name[later].astype(str) + "”的付款",
                       "摘要同为“" + name[later].astype(str) + "”的付款")
    gap = payments.day[later] - payments.day[earlier]
    gap_text = np.where(gap == 0, "同日", "相隔 " + gap.astype(str) + " 天")
    message = ("与 " + pd.Series(shown[earlier], dtype=object) + "（" + day_text(payments.day[earlier]) + "）"
               + pd.Series(partner, dtype=object) + "金额同为 " + yuan(payments.paid[later]) + " 元，"
               + pd.Series(gap_text, dtype=object) + "：疑似重复报销")
    return findings(voucher_keys(ledger, payments.voucher_id[later]), payments.line_id()[later], payments.paid[later],
                    message)


def _repeated_within(payments: Payments, group: np.ndarray, window: int) -> np.ndarray:
    """True for the payments of an amount that the same ``group`` paid twice within ``window``
    days at least once: all of them, so that a recurring payment is still seen to recur."""
    if payments.count < 2:
        return np.zeros(payments.count, dtype=bool)
    same = pd.factorize(group * (payments.paid.max() + 1) + payments.paid)[0]
    first_day = payments.day.min()
    order = np.argsort(same * (payments.day.max() - first_day + 1) + (payments.day - first_day), kind="stable")
    s, d = same[order], payments.day[order]
    close = (s[1:] == s[:-1]) & (d[1:] - d[:-1] <= window)
    repeated = np.zeros(same.max() + 1, dtype=bool)
    repeated[s[1:][close]] = True
    return repeated[same]
