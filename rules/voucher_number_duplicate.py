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

import pandas as pd

from checker.engine import no_findings

from ._common import findings

ID = "voucher-number-duplicate"
TITLE = "凭证号重复"
TITLE_EN = "Voucher number used twice"
SEVERITY = "medium"
BASIS = "《会计基础工作规范》第五十一条：记账凭证应当连续编号，一张凭证一个编号"
REQUIRES = ("voucher",)
DEFAULTS = {"max_split_share": 0.3}
OPTIONS_HELP = {
    "max_split_share": "某工作表中被分成多段的凭证占比超过此值，说明该表不按凭证排序（如按科目排列的明细账），"
                       "该表只按日期判断重复。来源：本工具约定。",
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    lines = ledger[ledger["voucher_no"] > 0].sort_values(["file", "sheet", "row", "line_id"], kind="stable")
    if lines.empty:
        return no_findings()
    place = lines["file"] + "\x00" + lines["sheet"]
    new_run = (lines["voucher_key"] != lines["voucher_key"].shift()) | (place != place.shift())
    lines = lines.assign(run=new_run.cumsum(), place=place)

    runs_per_key_in_sheet = lines.groupby(["place", "voucher_key"])["run"].nunique()
    split_share = (runs_per_key_in_sheet > 1).groupby(level="place").mean()
    unordered_places = split_share[split_share > float(options["max_split_share"])].index
    ordered_lines = lines[~lines["place"].isin(unordered_places)]

    runs = ordered_lines.groupby("voucher_key")["run"].nunique()
    dates = lines.groupby("voucher_key")["date"].nunique()
    flagged = runs[runs > 1].index.union(dates[dates > 1].index)
    if flagged.empty:
        return no_findings()

    hit = lines[lines["voucher_key"].isin(flagged)].copy()
    by_run = ordered_lines["voucher_key"].isin(runs[runs > 1].index)
    hit["by_run"] = by_run.reindex(hit.index, fill_value=False)
    first_run = hit.groupby("voucher_key")["run"].transform("first")
    first_date = hit.groupby("voucher_key")["date"].transform("first")
    # The "second voucher": lines after the first run where runs tell, otherwise lines on another date.
    later = (hit["by_run"] & (hit["run"] != first_run)) | (~hit["by_run"] & (hit["date"] != first_date)
                                                           & hit["date"].notna())

    run_spans = hit.groupby(["voucher_key", "run"], sort=False).agg(
        sheet=("sheet", "first"), first_row=("row", "min"), last_row=("row", "max"))
    sheets_per_key = run_spans.groupby(level="voucher_key")["sheet"].transform("nunique")
    rows = ("第 " + run_spans["first_row"].astype(str)
            + ("–" + run_spans["last_row"].astype(str)).where(run_spans["first_row"] != run_spans["last_row"], "")
            + " 行")
    rows = (run_spans["sheet"] + " " + rows).where(sheets_per_key > 1, rows)
    spans = rows.groupby(level="voucher_key").agg("、".join)
    run_count = run_spans.groupby(level="voucher_key").size()
    date_list = (hit.dropna(subset=["date"]).drop_duplicates(["voucher_key", "date"])
                 .assign(day=lambda f: f["date"].dt.strftime("%Y-%m-%d"))
                 .groupby("voucher_key")["day"].agg("、".join))

    vouchers = hit.groupby("voucher_key", sort=False).agg(voucher=("voucher", "first"), period=("period", "first"))
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

    second = hit[later].groupby("voucher_key", sort=False).agg(line_id=("line_id", "first"),
                                                               amount=("debit_fen", "sum"))
    second = second.reindex(vouchers.index)
    fallback = hit.groupby("voucher_key")["line_id"].first().reindex(vouchers.index)
    line_id = second["line_id"].fillna(fallback)
    amount = second["amount"].fillna(0)
    return findings(vouchers.index, line_id, amount, message)
