"""现金支付（cash-payment）

## What it does
Finds payments made in cash: vouchers that credit cash on hand (库存现金) and debit an expense, an
asset or a payable/receivable, where the cash paid is at or above ``threshold_yuan``.  The amount
is the smaller of the cash credited and those debits, so a deposit of cash into the bank
(借 银行存款 / 贷 库存现金) is never a payment.

Payments that the cash rules allow (wages, remuneration for labour, subsidies and relief paid
to individuals, travel advances …, found by ``permitted_keywords`` in the summary or account of
the debited lines) are still reported, at ``permitted_severity``, because many village rules
require every payment by transfer; set ``drop_permitted`` to leave them out.

## Why is this bad?
Cash payments leave no bank trail and are where public money goes missing; the inspection
notice cites 2021年9月18#凭证支付疫情防控物资0.3万元 in cash.

## Example
A flagged voucher:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-18 | 2021-09-18 | 现金购买疫情防控物资 | 管理费用-疫情防控 | 3,000.00 | |
| 记-18 | 2021-09-18 | 现金购买疫情防控物资 | 库存现金 | | 3,000.00 |

→ 现金支付 3,000.00 元，达到现金结算起点 1,000.00 元，应通过银行转账支付

## Use instead
Pay the supplier by transfer; neither of these look-alikes is flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-18 | 2021-09-18 | 支付疫情防控物资款 | 管理费用-疫情防控 | 3,000.00 | |
| 记-18 | 2021-09-18 | 支付疫情防控物资款 | 银行存款 | | 3,000.00 |
| 记-19 | 2021-09-20 | 存现 | 银行存款 | 3,000.00 | |
| 记-19 | 2021-09-20 | 存现 | 库存现金 | | 3,000.00 |

A cash wage payment (支付9月工资) is reported at low severity as permitted.

## Options
- ``threshold_yuan`` (1000): cash payments at or above this are reported.
- ``payment_classes`` (["expense", "asset", "receivable_payable"]): debited account classes that make a payment.
- ``permitted_keywords``: words marking the uses cash is allowed for.
- ``permitted_severity`` ("low"), ``drop_permitted`` (false).

## References
- 《现金管理暂行条例》第五条（现金使用范围，结算起点 1000 元）
- 村级财务管理办法：支出一律通过银行转账结算
- 巡察反馈：2021年9月18#凭证现金支付疫情防控物资0.3万元
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses, Flag, Severity, Words, Yuan

from ._common import Vouchers, fen, findings, first_keyword, line_text, voucher_keys, yuan

ID = "cash-payment"
TITLE = "现金支付"
TITLE_EN = "Payment made in cash"
GROUP = "notice"
SEVERITY = "medium"
BASIS = "《现金管理暂行条例》第五条：现金只用于规定范围，结算起点以上的支出应通过银行转账"
REQUIRES = ("debit", "credit", "account")
OPTIONS = {
    "threshold_yuan": Yuan(1000,
        help="现金支付金额达到此数（元）即报告。来源：《现金管理暂行条例》第五条，结算起点 1000 元；"
             "本地要求一律转账的可改为 0。"),
    "payment_classes": AccountClasses(["expense", "asset", "receivable_payable"],
        help="被借记即视为“支付”的科目类别：expense 费用支出、asset 资产、receivable_payable 往来。"
             "来源：本工具约定；存现（借银行存款）不属支付。"),
    "permitted_keywords": Words([
        "工资", "薪酬", "薪金", "津贴", "补贴", "误工", "劳务费", "劳务报酬", "报酬", "工时费", "务工",
        "差旅费", "出差", "抚恤", "救助", "救济", "慰问金", "困难群众", "困难户", "困难党员", "低保", "五保",
        "特困", "奖金", "奖励金", "收购",
    ],
        help="摘要或科目含这些词的支出属于允许使用现金的范围（工资、个人劳务报酬、对个人的补助救济、"
             "差旅费、向个人收购等），按 permitted_severity 报告。来源：《现金管理暂行条例》第五条第（一）至（六）项。"),
    "permitted_severity": Severity("low", help="允许范围内的现金支付的风险等级（high、medium、low）。来源：本工具约定，默认 low 供核实。"),
    "drop_permitted": Flag(False, help="为 true 时不报告允许范围内的现金支付。来源：本工具约定；本地要求一律转账时保持 false。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    threshold = fen(options["threshold_yuan"])
    is_cash = (ledger["account_class"] == "cash").to_numpy()
    is_target = (ledger["account_class"].isin(list(options["payment_classes"])) & (ledger["debit_fen"] > 0)).to_numpy()
    by_voucher = Vouchers(ledger["voucher_id"])
    vouchers = by_voucher.frame(cash_out=by_voucher.sum(np.where(is_cash, ledger["credit_fen"], 0)),
                                paid_to=by_voucher.sum(np.where(is_target, ledger["debit_fen"], 0)))
    vouchers["paid"] = np.minimum(vouchers["cash_out"], vouchers["paid_to"])
    is_hit = ((vouchers["paid"] > 0) & (vouchers["paid"] >= threshold)).to_numpy()
    hit = vouchers[is_hit].copy()
    if hit.empty:
        return no_findings()

    # Keywords are looked for only on the debited lines of the vouchers found.
    in_hit = is_hit[by_voucher.code]
    targets = ledger[["voucher_id", "summary", "account_name"]][is_target & in_hit]
    permitted_word = first_keyword(line_text(targets, ("summary", "account_name")), options["permitted_keywords"])
    permitted_line = permitted_word != ""
    # Permitted only when every debited line is of a permitted kind.
    unpermitted = (~permitted_line).groupby(targets["voucher_id"]).sum()
    hit["permitted"] = unpermitted.reindex(hit.index).fillna(0) == 0
    if options.get("drop_permitted", False):
        hit = hit[~hit["permitted"]]
        if hit.empty:
            return no_findings()

    words = pd.DataFrame({"voucher_id": targets["voucher_id"], "word": permitted_word})[permitted_line]
    word = words.groupby("voucher_id")["word"].first().reindex(hit.index).fillna("")
    paid_text = yuan(hit["paid"]).set_axis(hit.index)
    threshold_text = yuan(pd.Series([threshold])).iloc[0]
    message = pd.Series("现金支付 " + paid_text + " 元，达到现金结算起点 " + threshold_text + " 元，应通过银行转账支付",
                        index=hit.index)
    message = message.where(~hit["permitted"], "现金支付 " + paid_text + " 元，摘要或科目含“" + word
                            + "”，属现金使用范围内的支出；请核实本地是否要求转账支付")
    severity = pd.Series(SEVERITY, index=hit.index).where(~hit["permitted"], options.get("permitted_severity", "low"))

    paying = is_cash & (ledger["credit_fen"] > 0).to_numpy() & in_hit
    cash_lines = ledger[["voucher_id", "line_id", "credit_fen"]][paying]
    cash_lines = cash_lines[cash_lines["voucher_id"].isin(hit.index)]
    line_id = (cash_lines.sort_values("credit_fen", ascending=False, kind="stable")
               .groupby("voucher_id")["line_id"].first())
    return findings(voucher_keys(ledger, hit.index), line_id.reindex(hit.index), hit["paid"], message, severity)
