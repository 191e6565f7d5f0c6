"""凭证借贷不平衡（unbalanced-voucher）

## What it does
Adds up the debits and the credits of each voucher and reports the vouchers whose totals differ.
Lines without a voucher number (凭证号 0) are not a voucher and are left out; so are sheets that
are journals or account ledgers (现金日记账, 科目明细账: most vouchers there show only the one
line that touches that account, see ``journal_single_line_share``).

## Why is this bad?
"有借必有贷，借贷必相等": a voucher that does not balance has a line missing, a wrong amount or a
typing error, and the books built from it are wrong.

## Example
A flagged voucher:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-3 | 2021-03-03 | 购买办公用品 | 管理费用-办公费 | 850.00 | |
| 记-3 | 2021-03-03 | 购买办公用品 | 银行存款 | | 580.00 |

→ 凭证借方合计 850.00 元，贷方合计 580.00 元，相差 270.00 元

## Use instead
| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-3 | 2021-03-03 | 购买办公用品 | 管理费用-办公费 | 850.00 | |
| 记-3 | 2021-03-03 | 购买办公用品 | 银行存款 | | 850.00 |

## Options
- ``journal_single_line_share`` (0.8): a sheet where at least this share of vouchers has a single
  line is taken for a journal and not checked.

## References
- 《村集体经济组织会计制度》《会计基础工作规范》第五十一条：记账凭证借贷金额必须相等
"""
from __future__ import annotations

import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import Share

from ._common import findings, journal_like_lines, voucher_first_lines, voucher_keys, yuan

ID = "unbalanced-voucher"
TITLE = "凭证借贷不平衡"
TITLE_EN = "Voucher debits and credits do not balance"
GROUP = "records"
SEVERITY = "high"
BASIS = "《会计基础工作规范》第五十一条：记账凭证借贷方金额必须相等"
REQUIRES = ("voucher", "debit", "credit")
OPTIONS = {
    "journal_single_line_share": Share(0.8,
        help="某工作表中只有一行分录的凭证占比达到此值，即视为日记账或明细账（只列出一方科目），"
             "不检查借贷平衡。来源：本工具约定；序时账中每张凭证至少两行。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    keep = (ledger["voucher_no"] > 0) & ~journal_like_lines(ledger, float(options["journal_single_line_share"]))
    lines = ledger[["voucher_id", "line_id", "debit_fen", "credit_fen"]][keep]
    if lines.empty:
        return no_findings()
    totals = lines.groupby("voucher_id", sort=False)[["debit_fen", "credit_fen"]].sum()
    off = totals[totals["debit_fen"] != totals["credit_fen"]]
    if off.empty:
        return no_findings()
    difference = (off["debit_fen"] - off["credit_fen"]).abs()
    message = ("凭证借方合计 " + yuan(off["debit_fen"]) + " 元，贷方合计 " + yuan(off["credit_fen"])
               + " 元，相差 " + yuan(difference) + " 元")
    first = voucher_first_lines(lines, lines["voucher_id"].isin(off.index)).reindex(off.index)
    return findings(voucher_keys(ledger, off.index), first, difference, message)
