"""凭证号不连续（voucher-number-gap）

## What it does
Within each entity, book, month and voucher word (记, 现付, 银付 … number separately), lists the
voucher numbers missing between 1 and the highest number used.  One finding per gap, attached to
the voucher just after it, naming the missing numbers compactly (缺 7–9 号).  Journals and account
ledgers (which list only the vouchers touching one account) are not checked.

A sequence runs across all files of one entity's book: a supplementary file (补录) whose 记-6 …
记-8 continue the main file's 记-1 … 记-5 leaves no gap, while two entities each number on their
own.  Numbers are compared in their normalised form (记-0006 is 6); the message describes the
sequence by its word and those numbers (2021-03 记字凭证缺 2 号).

## Why is this bad?
Vouchers are numbered in sequence each month; a gap means a voucher was removed, voided without
being kept, or not entered.

## Example
A flagged sequence in 2021-03 (记-2 missing):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-1 | 2021-03-03 | 购买办公用品 | 管理费用-办公费 | 300.00 | |
| 记-1 | 2021-03-03 | 购买办公用品 | 银行存款 | | 300.00 |
| 记-3 | 2021-03-05 | 支付水电费 | 管理费用-水电费 | 420.00 | |
| 记-3 | 2021-03-05 | 支付水电费 | 银行存款 | | 420.00 |

→ 2021-03 记字凭证缺 2 号

## Use instead
Number vouchers without gaps and keep voided vouchers (作废) in the sequence; this is not flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-1 | 2021-03-03 | 购买办公用品 | 管理费用-办公费 | 300.00 | |
| 记-1 | 2021-03-03 | 购买办公用品 | 银行存款 | | 300.00 |
| 记-2 | 2021-03-05 | 支付水电费 | 管理费用-水电费 | 420.00 | |
| 记-2 | 2021-03-05 | 支付水电费 | 银行存款 | | 420.00 |

A 现付-2 does not fill a gap in the 记 sequence, and 现付-1 after 记-3 is not a gap: each voucher
word has its own numbers.

## Options
- ``start_at_one`` (true): numbers below the first one used (缺 1–2 号) count as a gap.
- ``journal_single_line_share`` (0.8): see unbalanced-voucher.

## References
- 《会计基础工作规范》第五十一条：记账凭证应当连续编号
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import Flag, Share

from ._common import Vouchers, findings, group_codes, journal_like_lines, voucher_first_lines, voucher_keys

ID = "voucher-number-gap"
TITLE = "凭证号不连续"
TITLE_EN = "Gap in voucher numbers"
GROUP = "records"
SEVERITY = "low"
BASIS = "《会计基础工作规范》第五十一条：记账凭证应当连续编号"
REQUIRES = ("voucher",)
OPTIONS = {
    "start_at_one": Flag(True, help="每月编号应从 1 开始；为 true 时首张凭证之前缺少的号码也报告。来源：《会计基础工作规范》第五十一条。"),
    "journal_single_line_share": Share(0.8, help="只有一行分录的凭证占比达到此值的工作表视为日记账或明细账，不检查编号。来源：本工具约定。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    keep = (ledger["voucher_no"] > 0) & ~journal_like_lines(ledger, float(options["journal_single_line_share"]))
    kept = np.flatnonzero(keep.to_numpy())
    if len(kept) == 0:
        return no_findings()
    group = ["entity", "book", "period", "voucher_word"]
    # One row per voucher: entity, book, period, word and number are the same on all its lines.
    voucher_id = ledger["voucher_id"] if len(kept) == len(ledger) else ledger["voucher_id"].iloc[kept]
    numbers = ledger[group + ["voucher_no", "voucher_id"]].iloc[kept[Vouchers(voucher_id).first_line]]
    # Each sequence (entity, book, month, word) as a number that sorts like its text.
    sequence = group_codes(numbers, group, sort=True)
    number = numbers["voucher_no"].to_numpy()
    # Sequence and number as one integer sort in one pass (vouchers mostly come in that order).
    order = (np.argsort(sequence * (number.max() + 1) + number, kind="stable") if number.max() < 2 ** 31
             else np.lexsort((number, sequence)))
    sequence, number = sequence[order], number[order]
    start = 0 if options.get("start_at_one", True) else np.nan
    previous = np.concatenate(([start], number[:-1])).astype("float64")
    previous[np.concatenate(([True], sequence[1:] != sequence[:-1]))] = start
    after_gap = number - previous > 1
    if not after_gap.any():
        return no_findings()
    gaps = numbers.iloc[order[after_gap]].copy()
    gaps["from"] = previous[after_gap].astype("int64") + 1
    gaps["to"] = gaps["voucher_no"] - 1
    single = gaps["from"] == gaps["to"]
    missing = gaps["from"].astype(str).where(single, gaps["from"].astype(str) + "–" + gaps["to"].astype(str))
    count = (gaps["to"] - gaps["from"] + 1).astype(str)
    word = gaps["voucher_word"].where(gaps["voucher_word"] == "", gaps["voucher_word"] + "字")
    message = (gaps["period"] + " " + word + "凭证缺 " + missing + " 号"
               + pd.Series("", index=gaps.index).where(single, "（共 " + count + " 张）"))
    message = message.str.replace("  ", " ", regex=False)
    first_line = voucher_first_lines(ledger, keep & ledger["voucher_id"].isin(gaps["voucher_id"]))
    return findings(voucher_keys(ledger, gaps["voucher_id"]), first_line.reindex(gaps["voucher_id"]), 0, message)
