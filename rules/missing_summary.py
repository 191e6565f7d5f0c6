"""摘要或科目缺失（missing-summary）

## What it does
Finds vouchers with no summary (摘要) on any line, and lines without an account (科目编码 and
科目名称 both blank).  One finding per voucher.  A voucher that writes its summary on the first
line only is accepted unless ``require_every_line`` is set, because hand-written and many
exported vouchers do just that.  The account check runs only on sheets that have an account
column with anything in it.

## Why is this bad?
Without a summary nobody can tell what the money was for; without an account the line is not in
the books at all.

## Example
A flagged voucher:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-9 | 2021-03-09 | | 管理费用-其他 | 600.00 | |
| 记-9 | 2021-03-09 | | 银行存款 | | 600.00 |

→ 凭证无摘要（2 行均未填写摘要）

## Use instead
| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-9 | 2021-03-09 | 支付保洁费 | 管理费用-其他 | 600.00 | |
| 记-9 | 2021-03-09 | | 银行存款 | | 600.00 |

## Options
- ``require_every_line`` (false): report every line without a summary, not only vouchers with none.

## References
- 《会计基础工作规范》第五十一条：记账凭证应填写摘要、会计科目
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import Flag

from ._common import Vouchers, blank, findings, place_codes, voucher_keys

ID = "missing-summary"
TITLE = "摘要或科目缺失"
TITLE_EN = "Line without summary or account"
GROUP = "records"
SEVERITY = "low"
BASIS = "《会计基础工作规范》第五十一条：记账凭证应当填写摘要、会计科目等内容"
REQUIRES = ("summary",)
OPTIONS = {
    "require_every_line": Flag(False,
        help="为 true 时每一行都须有摘要；为 false 时只要凭证中有一行填写摘要即可（手工凭证常只在首行写摘要）。"
             "来源：《会计基础工作规范》第五十一条；默认从宽。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    no_summary = blank(ledger["summary"])
    no_account = blank(ledger["account_code"]) & blank(ledger["account_name"])
    place = place_codes(ledger)
    # A sheet with no account anywhere lacks the column; that is a reading gap, not a finding.
    sheet_has_accounts = np.bincount(place, weights=~no_account) > 0
    no_account = no_account & sheet_has_accounts[place]

    by_voucher = Vouchers(ledger["voucher_id"])
    vouchers = by_voucher.frame(lines=np.bincount(by_voucher.code),
                                blank_summary=by_voucher.sum(no_summary.astype("int64")),
                                blank_account=by_voucher.sum(no_account.astype("int64")))
    summary_problem = (vouchers["blank_summary"] > 0) if options.get("require_every_line", False) \
        else (vouchers["blank_summary"] == vouchers["lines"])
    hit = vouchers[summary_problem | (vouchers["blank_account"] > 0)]
    if hit.empty:
        return no_findings()
    summary_text = pd.Series("", index=hit.index)
    all_blank = hit["blank_summary"] == hit["lines"]
    summary_text = summary_text.where(~summary_problem[hit.index],
                                      ("凭证无摘要（" + hit["lines"].astype(str) + " 行均未填写摘要）").where(
                                          all_blank, hit["blank_summary"].astype(str) + " 行未填写摘要"))
    account_text = ("" + hit["blank_account"].astype(str) + " 行未填写会计科目").where(hit["blank_account"] > 0, "")
    message = (summary_text + "；" + account_text).str.strip("；")

    # The lines shown: those without a summary where that is the problem, and those without an account.
    voucher_id = ledger["voucher_id"]
    offending = (no_summary & voucher_id.isin(hit.index[summary_problem[hit.index]]).to_numpy()) | no_account
    lines = ledger[["voucher_id", "line_id", "debit_fen", "credit_fen"]][offending]
    lines = lines[lines["voucher_id"].isin(hit.index)]
    per_voucher = (lines.assign(amount=lines["debit_fen"] + lines["credit_fen"])
                   .groupby("voucher_id").agg(line_id=("line_id", "first"), amount=("amount", "sum")))
    per_voucher = per_voucher.reindex(hit.index)
    return findings(voucher_keys(ledger, hit.index), per_voucher["line_id"], per_voucher["amount"], message)
