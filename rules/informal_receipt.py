"""白条入账（informal-receipt）

## What it does
Finds payments booked on an informal slip instead of an invoice: vouchers that pay money out
(credit cash or bank, debit an expense, asset or payable) where a line's summary says so —
白条, 收据, 借条, 欠条, 无发票, 后补发票 … (``keywords``).

Receipts that are lawful vouchers for what they pay are not flagged: the government's and
non-profits' own receipts (财政票据, 行政事业单位往来结算票据, 捐赠收据, 党费收据, 工会经费收据) and
summaries that say the invoice was supplied (已补发票), and subsidies and relief paid to people,
who sign for them (补贴, 救助 … 收条) — ``exempt_keywords``.  Money received
against a receipt (收到…开具收据) is not a payment and is never looked at.

## Why is this bad?
《会计法》 and the village finance measures require a lawful original voucher for every payment;
a slip (白条) can be written by anyone for any amount and is how public money is paid out
without a trace, or how missing cash is covered (白条抵库).

## Example
A flagged voucher:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-14 | 2021-06-15 | 付王师傅水管维修费（白条） | 管理费用-维修费 | 850.00 | |
| 记-14 | 2021-06-15 | 付王师傅水管维修费（白条） | 库存现金 | | 850.00 |

→ 付款 850.00 元，摘要含“白条”：以白条、收据等非正式凭据入账，未取得合规发票

## Use instead
Ask the payee for an invoice (or a tax office's 代开发票); neither look-alike is flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-14 | 2021-06-15 | 付王师傅水管维修费 | 管理费用-维修费 | 850.00 | |
| 记-14 | 2021-06-15 | 付王师傅水管维修费 | 库存现金 | | 850.00 |
| 记-15 | 2021-06-16 | 收到场地租金开具收据 | 库存现金 | 600.00 | |
| 记-15 | 2021-06-16 | 收到场地租金开具收据 | 其他收入 | | 600.00 |

## Options
- ``keywords`` (白条, 收据, 借条 …): words in a payment's summary that mean it has no invoice.
- ``exempt_keywords`` (财政, 结算票据, 捐赠 …): lawful receipts and invoices supplied afterwards.
- ``payment_classes`` (["expense", "asset", "receivable_payable"]): debited account classes that make a payment.

## References
- 《中华人民共和国会计法》第十四条（原始凭证必须合法、真实）
- 《中华人民共和国发票管理办法》第二十一条（不符合规定的发票不得作为财务报销凭证）
- 村级财务管理办法：严禁白条入账、白条抵库
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses, Words

from ._common import Payments, Vouchers, findings, first_keyword, keyword_regex, line_text, voucher_keys, yuan

ID = "informal-receipt"
TITLE = "白条入账"
TITLE_EN = "Payment booked on a slip instead of an invoice"
GROUP = "journal"
SEVERITY = "medium"
BASIS = "《会计法》第十四条；《发票管理办法》第二十一条；村级财务管理办法：严禁白条入账、白条抵库"
REQUIRES = ("debit", "credit", "account", "summary")
OPTIONS = {
    "keywords": Words(["白条", "收据", "收条", "借条", "欠条", "便条", "手写单", "无发票", "没有发票", "未开发票",
                       "未取得发票", "暂无发票", "后补发票", "发票后补", "补开发票", "待补发票"],
        help="付款凭证摘要含这些词，表示以白条、收据等非正式凭据入账。来源：巡察和审计常见问题表述（白条入账、无发票报销）。"),
    "exempt_keywords": Words(["财政", "非税", "结算票据", "捐赠", "党费", "工会经费", "行政事业", "已补", "已取得", "已附",
                              "补贴", "补助", "慰问金", "救助", "救济", "抚恤", "低保"],
        help="摘要含这些词的不报告：财政票据、行政事业单位往来结算票据、捐赠收据、党费和工会经费收据是合法凭据，"
             "“已补发票”说明发票已补齐；发给个人的补贴、救助由本人签收（收条）即可。"
             "来源：《财政票据管理办法》；《中华人民共和国公益事业捐赠法》；村级财务管理办法（补助发放签领）。"),
    "payment_classes": AccountClasses(["expense", "asset", "receivable_payable"],
        help="被借记即视为“付款”的科目类别（同时贷记库存现金或银行存款）。来源：本工具约定，与现金支付规则一致。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    # Words first, on each distinct summary: few lines of a ledger have any of them.
    text = line_text(ledger, ("summary",))
    word = first_keyword(text, options["keywords"])
    has_word = (word != "").to_numpy(dtype=bool)
    if not has_word.any():
        return no_findings()
    exempt = text.str.contains(keyword_regex(options["exempt_keywords"]), regex=True).to_numpy(dtype=bool)
    by_voucher = Vouchers(ledger["voucher_id"])
    wording = has_word & ~exempt
    candidate = by_voucher.any(wording) & ~by_voucher.any(exempt)
    if not candidate.any():
        return no_findings()
    lines = ledger[candidate[by_voucher.code]]
    payments = Payments(lines, options["payment_classes"])
    if not payments.count:
        return no_findings()
    # The line that carries the word, the first of the voucher's.
    in_lines = np.flatnonzero(candidate[by_voucher.code])
    worded = pd.DataFrame({"voucher_id": ledger["voucher_id"].to_numpy()[in_lines],
                           "line_id": ledger["line_id"].to_numpy()[in_lines],
                           "word": word.to_numpy(dtype=object)[in_lines]})[wording[in_lines]]
    shown = worded.groupby("voucher_id", sort=False).first().reindex(payments.voucher_id)
    message = ("付款 " + yuan(payments.paid) + " 元，摘要含“" + shown["word"].reset_index(drop=True)
               + "”：以白条、收据等非正式凭据入账，未取得合规发票")
    return findings(voucher_keys(ledger, payments.voucher_id), shown["line_id"], payments.paid, message)
