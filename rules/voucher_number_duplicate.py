"""凭证号重复（voucher-number-duplicate）

## What it does
Finds one voucher number used for two vouchers in the same month (same entity, book and voucher
word).  The lines of one voucher are contiguous rows of one sheet and carry one date, so a number
is reported when its lines

- form two or more separate runs of rows (other vouchers in between, or on two sheets), or
- carry two or more different dates.

The finding is attached to the first line of the second occurrence.  Sheets that are not in
voucher order (科目明细账 sorted by account, where every voucher is split: more than
``max_split_share`` of its vouchers) are judged by dates only.

Numbers are compared across all files of one entity's book and in their normalised form (记-0006
and 记账凭证第6号 are one number); the message shows the number as the ledger wrote it and names
the rows of each occurrence, with the sheet when they are on two sheets and the file and sheet
when they are in two files (建设社区2021.xlsx / Sheet1 第 4–5 行、建设社区2021补录.xlsx / Sheet1
第 2–3 行).  Vouchers of two entities never share a number, and the reader drops exact copies of
a voucher (the same file received twice) before the rules run.

## Why is this bad?
Two vouchers under one number hide one of them from the sequence check and make the voucher
impossible to find from the books; it is also how a voucher is slipped in afterwards.

## Example
A flagged ledger (two different vouchers numbered 记-6 in March):

| 行 | 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- | --- |
| 5 | 记-6 | 2021-03-06 | 提取备用金 | 库存现金 | 1,500.00 | |
| 6 | 记-6 | 2021-03-06 | 提取备用金 | 银行存款 | | 1,500.00 |
| 7 | 记-7 | 2021-03-10 | 支付电费 | 管理费用-水电费 | 300.00 | |
| 8 | 记-7 | 2021-03-10 | 支付电费 | 银行存款 | | 300.00 |
| 9 | 记-6 | 2021-03-20 | 购买办公用品 | 管理费用-办公费 | 200.00 | |
| 10 | 记-6 | 2021-03-20 | 购买办公用品 | 银行存款 | | 200.00 |

→ 凭证号 记-6 在 2021-03 用于 2 张凭证（第 5–6 行、第 9–10 行；日期 2021-03-06、2021-03-20）

## Use instead
Give the second voucher the next free number; this is not flagged:

| 行 | 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- | --- |
| 5 | 记-6 | 2021-03-06 | 提取备用金 | 库存现金 | 1,500.00 | |
| 6 | 记-6 | 2021-03-06 | 提取备用金 | 银行存款 | | 1,500.00 |
| 7 | 记-7 | 2021-03-10 | 支付电费 | 管理费用-水电费 | 300.00 | |
| 8 | 记-7 | 2021-03-10 | 支付电费 | 银行存款 | | 300.00 |
| 9 | 记-8 | 2021-03-20 | 购买办公用品 | 管理费用-办公费 | 200.00 | |
| 10 | 记-8 | 2021-03-20 | 购买办公用品 | 银行存款 | | 200.00 |

A voucher whose lines are contiguous and share one date is one voucher, however many lines it
has; 记-6 and 现付-6 are different vouchers.

## Options
- ``max_split_share`` (0.3): above this share of split vouchers a sheet is taken as not in
  voucher order and only dates are compared.

## References
- 《会计基础工作规范》第五十一条：记账凭证应当连续编号
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import Share

from ._common import Vouchers, findings, in_sheet_order, place_codes, voucher_keys

ID = "voucher-number-duplicate"
TITLE = "凭证号重复"
TITLE_EN = "Voucher number used twice"
GROUP = "records"
SEVERITY = "medium"
BASIS = "《会计基础工作规范》第五十一条：记账凭证应当连续编号，一张凭证一个编号"
REQUIRES = ("voucher",)
OPTIONS = {
    "max_split_share": Share(0.3,
        help="某工作表中被分成多段的凭证占比超过此值，说明该表不按凭证排序（如按科目排列的明细账），"
             "该表只按日期判断重复。来源：本工具约定。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    lines = in_sheet_order(ledger, ["voucher_id", "voucher", "period", "date", "debit_fen", "journal"], ledger["voucher_no"] > 0)
    if lines.empty:
        return no_findings()
    by_voucher = Vouchers(lines["voucher_id"])
    voucher, place = by_voucher.code, place_codes(lines)
    # A run: consecutive lines of one voucher on one sheet.
    new_run = np.concatenate(([True], (voucher[1:] != voucher[:-1]) | (place[1:] != place[:-1])))
    run = np.cumsum(new_run)
    starts = np.flatnonzero(new_run)

    # Runs of each voucher on each sheet; a sheet where many vouchers are split is not in voucher order.
    pairs, runs_in_sheet = np.unique(place[starts] * by_voucher.count + voucher[starts], return_counts=True)
    pair_place = pairs // by_voucher.count
    split_share = np.bincount(pair_place, weights=runs_in_sheet > 1) / np.bincount(pair_place)
    in_order = ~(split_share > float(options["max_split_share"]))[place]
    # A voucher touching cash and bank is in both journals: journals are judged by dates only.
    if "journal" in lines:
        in_order &= lines["journal"].to_numpy(dtype=object) == ""

    runs = np.bincount(voucher[starts[in_order[starts]]], minlength=by_voucher.count)
    # Two dates or more: the earliest and the latest date of a voucher differ.
    date = lines["date"].to_numpy()
    dated, when, no_date = ~np.isnat(date), date.view("int64"), np.iinfo("int64")
    earliest = by_voucher.min(np.where(dated, when, no_date.max))
    latest = by_voucher.max(np.where(dated, when, no_date.min))
    flagged = (runs > 1) | ((earliest != no_date.max) & (earliest != latest))
    if not flagged.any():
        return no_findings()

    in_hit = flagged[voucher]
    hit = lines[in_hit].assign(run=run[in_hit], by_run=(in_order & (runs > 1)[voucher])[in_hit])
    dates = hit.groupby("voucher_id")["date"].nunique()
    first_run = hit.groupby("voucher_id")["run"].transform("first")
    first_date = hit.groupby("voucher_id")["date"].transform("first")
    # The "second voucher": lines after the first run where runs tell, otherwise lines on another date.
    later = (hit["by_run"] & (hit["run"] != first_run)) | (~hit["by_run"] & (hit["date"] != first_date)
                                                           & hit["date"].notna())

    run_spans = hit.groupby(["voucher_id", "run"], sort=False).agg(
        file=("file", "first"), sheet=("sheet", "first"), first_row=("row", "min"), last_row=("row", "max"))
    # Rows are named by sheet when the voucher number is on two sheets, by file and sheet when on
    # two files (the same number in a main book and its 补录 file; two exports both named Sheet1).
    files_per_key = run_spans.groupby(level="voucher_id")["file"].transform("nunique")
    sheets_per_key = run_spans.groupby(level="voucher_id")["sheet"].transform("nunique")
    rows = ("第 " + run_spans["first_row"].astype(str)
            + ("–" + run_spans["last_row"].astype(str)).where(run_spans["first_row"] != run_spans["last_row"], "")
            + " 行")
    place = (run_spans["sheet"] + " ").where(sheets_per_key > 1, "")
    place = (run_spans["file"] + " / " + run_spans["sheet"] + " ").where(files_per_key > 1, place)
    rows = place + rows
    spans = rows.groupby(level="voucher_id").agg("、".join)
    run_count = run_spans.groupby(level="voucher_id").size()
    date_list = (hit.dropna(subset=["date"]).drop_duplicates(["voucher_id", "date"])
                 .assign(day=lambda f: f["date"].dt.strftime("%Y-%m-%d"))
                 .groupby("voucher_id")["day"].agg("、".join))

    vouchers = hit.groupby("voucher_id", sort=False).agg(voucher=("voucher", "first"), period=("period", "first"))
    vouchers["spans"] = spans
    vouchers["runs"] = run_count
    vouchers["dates"] = date_list.reindex(vouchers.index).fillna("")
    vouchers["date_count"] = dates.reindex(vouchers.index).fillna(0)
    count = vouchers["runs"].where(vouchers["runs"] > 1, vouchers["date_count"]).astype("int64").astype(str)
    date_part = ("；日期 " + vouchers["dates"]).where(vouchers["date_count"] > 1, "")
    where_part = vouchers["spans"].where(vouchers["runs"] > 1, "")
    detail = (where_part + date_part).str.lstrip("；")
    message = ("凭证号 " + vouchers["voucher"] + " 在 " + vouchers["period"] + " 用于 " + count + " 张凭证（"
               + detail + "）")

    second = hit[later].groupby("voucher_id", sort=False).agg(line_id=("line_id", "first"),
                                                              amount=("debit_fen", "sum"))
    second = second.reindex(vouchers.index)
    fallback = hit.groupby("voucher_id")["line_id"].first().reindex(vouchers.index)
    line_id = second["line_id"].fillna(fallback)
    amount = second["amount"].fillna(0)
    return findings(voucher_keys(ledger, vouchers.index), line_id, amount, message)
