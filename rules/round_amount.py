"""整数金额支付（round-amount）

## What it does
Finds payments of round sums: vouchers that pay money out (credit cash or bank, debit an
expense, asset or payable) of ``min_yuan`` or more, in an exact multiple of ``multiple_yuan``
(by default 5,000.00, 20,000.00 … but not 5,300.00 or 20,000.50).

Payments whose sums are round by their nature are not flagged (``exempt_keywords``, looked for
in the summaries of the voucher): wages and allowances, social insurance, taxes, dues, funds
allocated to or paid up to another body, deposits, rents, petty cash.

## Why is this bad?
Real purchases rarely come to a round sum; round payments are the journal-entry test every audit
suite runs, a sign of an estimate, an advance never settled or an invoice made to fit.  Reported
at low severity: a round sum asks for its contract or invoice, it proves nothing.

## Example
A flagged voucher:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-7 | 2021-08-12 | 支付小区绿化工程款 | 管理费用-维修费 | 20,000.00 | |
| 记-7 | 2021-08-12 | 支付小区绿化工程款 | 银行存款 | | 20,000.00 |

→ 支付 20,000.00 元，为 1,000.00 元的整数倍：整数金额的支付，请核对合同、发票和验收资料

## Use instead
Neither look-alike is flagged: a sum that is not round, and round wages.

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-7 | 2021-08-12 | 支付小区绿化工程款 | 管理费用-维修费 | 19,860.00 | |
| 记-7 | 2021-08-12 | 支付小区绿化工程款 | 银行存款 | | 19,860.00 |
| 记-8 | 2021-08-15 | 发放8月社区工作者工资 | 管理费用-工资 | 18,000.00 | |
| 记-8 | 2021-08-15 | 发放8月社区工作者工资 | 银行存款 | | 18,000.00 |

## Options
- ``multiple_yuan`` (1000): a payment in an exact multiple of this is round.
- ``min_yuan`` (5000): smaller round payments are not reported.
- ``exempt_keywords`` (工资, 补贴, 社保 …): payments round by their nature.
- ``payment_classes`` (["expense", "asset", "receivable_payable"]): debited account classes that make a payment.

## References
- 审计软件的日记账测试：整数金额（CaseWare IDEA、ACL 等）
- 《中国注册会计师审计准则第1141号——财务报表审计中与舞弊相关的责任》：以整数金额记录的分录
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses, Words, Yuan

from ._common import payments_of, fen, findings, keyword_regex, line_text, voucher_keys, yuan

ID = "round-amount"
TITLE = "整数金额支付"
TITLE_EN = "Payment of a round sum"
GROUP = "journal"
SEVERITY = "low"
BASIS = "审计日记账测试：整数金额；《中国注册会计师审计准则第1141号》：以整数金额记录的分录"
REQUIRES = ("debit", "credit", "account")
OPTIONS = {
    "multiple_yuan": Yuan(1000, help="支付金额为此数（元）的整数倍即为整数金额。来源：审计软件整数金额测试的常用设置（千元整数）。"),
    "min_yuan": Yuan(5000, help="整数金额达到此数（元）才报告。来源：本工具约定，小额整数支付（如 1,000 元）过于常见。"),
    "exempt_keywords": Words(["工资", "薪酬", "津贴", "补贴", "补助", "奖金", "社保", "保险", "公积金", "税",
                              "党费", "会费", "工会经费", "拨付", "拨款", "上缴", "上交", "划拨", "押金", "保证金",
                              "租金", "房租", "备用金", "慰问金"],
        help="凭证摘要含这些词的支付按规定或合同本就是整数（工资、补贴、社保、税费、经费拨付、押金、租金等），不报告。"
             "来源：本工具约定。"),
    "payment_classes": AccountClasses(["expense", "asset", "receivable_payable"],
        help="被借记即视为“支付”的科目类别（同时贷记库存现金或银行存款）。来源：本工具约定，与现金支付规则一致。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    multiple, least = fen(options["multiple_yuan"]), fen(options["min_yuan"])
    payments = payments_of(ledger, options["payment_classes"])
    if multiple <= 0:
        return no_findings()
    payments = payments.subset((payments.paid >= max(least, 1)) & (payments.paid % multiple == 0))
    if not payments.count:
        return no_findings()
    # Exempt words on any line of the round payments only.
    lines = ledger[["voucher_id", "summary"]][np.isin(ledger["voucher_id"].to_numpy(), payments.voucher_id)]
    exempt_line = line_text(lines, ("summary",)).str.contains(keyword_regex(options["exempt_keywords"]), regex=True)
    exempt = lines["voucher_id"][exempt_line.to_numpy(dtype=bool)].unique()
    payments = payments.subset(~np.isin(payments.voucher_id, exempt))
    if not payments.count:
        return no_findings()
    message = ("支付 " + yuan(payments.paid) + " 元，为 " + yuan([multiple]).iloc[0]
               + " 元的整数倍：整数金额的支付，请核对合同、发票和验收资料")
    return findings(voucher_keys(ledger, payments.voucher_id), payments.line_id(), payments.paid, message)
