"""略低于限额的支付（just-under-threshold）

## What it does
Finds payments that stop just below a limit that would have needed more: from ``share`` (90%)
of the limit up to, not including, the limit itself.

- Cash payments (credit 库存现金) just under the cash settlement threshold
  (``cash_threshold_yuan``, 1,000 yuan), above which payment must be by transfer.
- Any payment (credit cash or bank, debit an expense, asset or payable) just under the approval
  limit (``approval_limit_yuan``), above which the spending needs a collective decision (集体
  研究), or just under the limit of the 四议两公开 procedure (``major_decision_yuan``, not set by
  default: localities set it).

A voucher gets one finding, for the highest limit it is just under.  Payments fixed by rule
(wages, social insurance, taxes, dues: ``exempt_keywords``) are not flagged.

## Why is this bad?
Amounts just under an approval or cash limit are the journal-entry test every audit suite runs:
a purchase kept (or invoiced) at 4,980 yuan where 5,000 would have gone to the committee.
Reported at low severity: one such payment proves nothing, several point at a habit.

## Example
A flagged voucher (approval limit 5,000 yuan):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-16 | 2021-05-20 | 支付活动室装修费 | 管理费用-维修费 | 4,960.00 | |
| 记-16 | 2021-05-20 | 支付活动室装修费 | 银行存款 | | 4,960.00 |

→ 支付 4,960.00 元，为集体决策限额 5,000.00 元的 99%，略低于限额

## Use instead
These look-alikes are not flagged: a payment well under the limit, and a cash payment of 960
yuan for wages.

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-16 | 2021-05-20 | 支付活动室装修费 | 管理费用-维修费 | 3,960.00 | |
| 记-16 | 2021-05-20 | 支付活动室装修费 | 银行存款 | | 3,960.00 |
| 记-17 | 2021-05-21 | 支付保洁员5月工资 | 管理费用-工资 | 960.00 | |
| 记-17 | 2021-05-21 | 支付保洁员5月工资 | 库存现金 | | 960.00 |

## Options
- ``share`` (0.9): a payment from this share of a limit up to the limit is just under it.
- ``cash_threshold_yuan`` (1000): the cash settlement threshold, for cash payments.
- ``approval_limit_yuan`` (5000): the collective-decision limit, for every payment; "" to skip.
- ``major_decision_yuan`` (""): the 四议两公开 limit; "" (the default) to skip.
- ``exempt_keywords`` (工资, 社保, 税 …): payments whose amount is fixed by rule.
- ``payment_classes`` (["expense", "asset", "receivable_payable"]): debited account classes that make a payment.

## References
- 《现金管理暂行条例》第五条（结算起点 1000 元）
- 村级重大事项“四议两公开”工作法；村级财务管理办法（一定金额以上支出须集体研究，金额由各地规定）
- 审计软件的日记账测试：略低于审批限额的金额
"""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses, Share, Words, Yuan

from ._common import payments_of, fen, findings, is_set, keyword_regex, line_text, voucher_keys, yuan

ID = "just-under-threshold"
TITLE = "略低于限额的支付"
TITLE_EN = "Payment just under an approval or cash limit"
GROUP = "journal"
SEVERITY = "low"
BASIS = "《现金管理暂行条例》第五条；村级财务管理办法及“四议两公开”：限额以上支出须集体决策"
REQUIRES = ("debit", "credit", "account")
OPTIONS = {
    "share": Share(0.9, help="支付金额达到限额的此比例、但未达到限额，即为“略低于限额”。来源：本工具约定（审计软件常用 90%）。"),
    "cash_threshold_yuan": Yuan(1000,
        help="现金结算起点（元），用于现金支付；留空 \"\" 不检查。来源：《现金管理暂行条例》第五条，结算起点 1000 元。",
        optional=True),
    "approval_limit_yuan": Yuan(5000,
        help="须经集体研究决定的支出限额（元），用于全部支付；留空 \"\" 不检查。"
             "来源：村级财务管理办法由各地规定（常见 2000、5000、10000 元），默认 5000 元。", optional=True),
    "major_decision_yuan": Yuan("",
        help="须经“四议两公开”程序的支出限额（元）；留空 \"\" 不检查。来源：各地“四议两公开”实施办法规定的金额。",
        optional=True),
    "exempt_keywords": Words(["工资", "薪酬", "社保", "保险", "公积金", "税", "党费", "会费", "工会经费"],
        help="凭证摘要含这些词的支付金额由规定确定，不报告。来源：本工具约定。"),
    "payment_classes": AccountClasses(["expense", "asset", "receivable_payable"],
        help="被借记即视为“支付”的科目类别（同时贷记库存现金或银行存款）。来源：本工具约定，与现金支付规则一致。"),
}

_LIMITS = (("major_decision_yuan", "“四议两公开”限额", False), ("approval_limit_yuan", "集体决策限额", False),
           ("cash_threshold_yuan", "现金结算起点", True))


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    payments = payments_of(ledger, options["payment_classes"])
    share = options["share"]
    limit = np.zeros(payments.count, dtype="int64")
    label = np.full(payments.count, "", dtype=object)
    amount = np.zeros(payments.count, dtype="int64")
    # The highest limit first: a voucher just under two limits is reported for the higher.
    for name, limit_label, cash_only in _LIMITS:
        if not is_set(options.get(name)) or fen(options[name]) <= 0:
            continue
        value = fen(options[name])
        paid = payments.cash_paid if cash_only else payments.paid
        # The lowest amount just under the limit, in whole fen, computed exactly once.
        lowest = int((Decimal(str(share)) * value).to_integral_value(rounding=ROUND_CEILING))
        under = (paid < value) & (paid >= lowest) & (limit == 0)
        limit[under], label[under], amount[under] = value, limit_label, paid[under]
    payments, limit, label, amount = payments.subset(limit > 0), limit[limit > 0], label[limit > 0], amount[limit > 0]
    if not payments.count:
        return no_findings()
    lines = ledger[["voucher_id", "summary"]][np.isin(ledger["voucher_id"].to_numpy(), payments.voucher_id)]
    exempt_line = line_text(lines, ("summary",)).str.contains(keyword_regex(options["exempt_keywords"]), regex=True)
    kept = ~np.isin(payments.voucher_id, lines["voucher_id"][exempt_line.to_numpy(dtype=bool)].unique())
    payments, limit, label, amount = payments.subset(kept), limit[kept], label[kept], amount[kept]
    if not payments.count:
        return no_findings()
    percent = pd.Series(np.floor(amount * 100 / limit).astype("int64")).astype(str)
    cash = pd.Series(label == "现金结算起点")
    message = ("支付 " + yuan(amount) + " 元，为" + pd.Series(label) + " " + yuan(limit) + " 元的 " + percent
               + "%，略低于限额")
    message = message.where(~cash, "现金支付 " + yuan(amount) + " 元，为现金结算起点 " + yuan(limit) + " 元的 "
                            + percent + "%，略低于起点")
    return findings(voucher_keys(ledger, payments.voucher_id), payments.line_id(), amount, message)
