"""缺少审核或制单审核同一人（missing-approval）

## What it does
Where the ledger has a reviewer column (审核, 复核, 审批人, 监委会审核 …), finds vouchers with no
reviewer, and vouchers whose reviewer is the preparer (制单).  The same-person check runs only
where a preparer is recorded.  When every voucher of a sheet lacks a reviewer, one finding about
the sheet (a unit finding: the report names the sheet, not a voucher) says so, with the count,
instead of one per voucher.

## Why is this bad?
A voucher nobody reviewed, or that its preparer reviewed, has had no second pair of eyes; the
notice also finds the residents' supervision committee signing nothing (居务监督流于形式).

## Example
A flagged voucher (preparer and reviewer the same):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 | 制单 | 审核 |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 记-2 | 2021-03-02 | 支付保洁费 | 管理费用-其他 | 600.00 | | 张三 | 张三 |
| 记-2 | 2021-03-02 | 支付保洁费 | 银行存款 | | 600.00 | | |

→ 制单人与审核人同为“张三”，未经他人审核

## Use instead
| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 | 制单 | 审核 |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 记-2 | 2021-03-02 | 支付保洁费 | 管理费用-其他 | 600.00 | | 张三 | 李四 |
| 记-2 | 2021-03-02 | 支付保洁费 | 银行存款 | | 600.00 | | |

## Options
- ``check_same_person`` (true): report vouchers reviewed by their preparer.

## References
- 《会计基础工作规范》第五十一条：记账凭证应有填制、审核人员签名或盖章；第十二条 不相容职务分离
- 村级财务管理办法：村务监督委员会审核签字
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import Flag

from ._common import Vouchers, findings, in_sheet_order, place_codes, unit_findings, voucher_keys

ID = "missing-approval"
TITLE = "缺少审核或制单审核同一人"
TITLE_EN = "Voucher not reviewed, or reviewed by its preparer"
GROUP = "records"
SEVERITY = "medium"
BASIS = "《会计基础工作规范》第五十一条：记账凭证应有填制、审核人员签名；不相容职务相互分离"
REQUIRES = ("reviewer",)
OPTIONS = {
    "check_same_person": Flag(True, help="为 true 时报告制单人与审核人为同一人的凭证（仅在记录了制单人时检查）。来源：《会计基础工作规范》不相容职务分离。"),
}


def _people(reviewer: pd.Series, preparer: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Reviewer and preparer of each line as numbers standing for their names (spaces removed;
    NaN where blank), and the names.  Spaces are removed once per distinct name, and comparing
    reviewer with preparer is comparing numbers."""
    distinct = [pd.factorize(column) for column in (reviewer, preparer)]
    cleaned = [pd.Series(names, dtype=column.dtype).str.replace(r"\s+", "", regex=True).to_numpy(dtype=object)
               for column, (_, names) in zip((reviewer, preparer), distinct)]
    names = pd.Index(pd.unique(np.concatenate(cleaned)))
    numbers = []
    for (codes, _), clean in zip(distinct, cleaned):
        number = names.get_indexer(clean).astype("float64")
        number[clean == ""] = np.nan
        numbers.append(number[codes])
    return numbers[0], numbers[1], names


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    ordered = in_sheet_order(ledger, ["voucher_id", "reviewer", "preparer", "debit_fen"])
    reviewer, preparer, names = _people(ordered["reviewer"], ordered["preparer"])
    by_voucher = Vouchers(ordered["voucher_id"])
    # A voucher's reviewer is the first one written on any of its lines (blanks are NaN).
    vouchers = by_voucher.frame(
        line_id=by_voucher.first(ordered["line_id"]), sheet=by_voucher.first(place_codes(ordered)),
        reviewer=by_voucher.first_present(reviewer), preparer=by_voucher.first_present(preparer),
        amount=by_voucher.sum(ordered["debit_fen"]))
    unreviewed = vouchers["reviewer"].isna()
    per_sheet = unreviewed.groupby(vouchers["sheet"]).agg(["all", "size"])
    whole_sheets = per_sheet.index[per_sheet["all"] & (per_sheet["size"] > 1)]
    in_whole_sheet = vouchers["sheet"].isin(whole_sheets)

    results = []
    single = vouchers[unreviewed & ~in_whole_sheet]
    results.append(findings(voucher_keys(ledger, single.index), single["line_id"], single["amount"], "凭证无审核人签章"))

    sheet_first = vouchers[in_whole_sheet].drop_duplicates("sheet")
    counts = per_sheet.loc[sheet_first["sheet"], "size"].to_numpy()
    at = np.searchsorted(ordered["line_id"].to_numpy(), sheet_first["line_id"].to_numpy())   # in line_id order
    results.append(unit_findings(sheet_first["line_id"], 0,
                                 "本表 " + pd.Series(counts).astype(str) + " 张凭证均无审核人签章（审核栏全部空白）",
                                 file=ordered["file"].iloc[at].to_numpy(dtype=object),
                                 sheet=ordered["sheet"].iloc[at].to_numpy(dtype=object)))

    if options.get("check_same_person", True):
        same = vouchers[vouchers["reviewer"].notna() & (vouchers["reviewer"] == vouchers["preparer"])]
        name = pd.Series(names[same["reviewer"].to_numpy(dtype="int64")].to_numpy(dtype=object), index=same.index)
        results.append(findings(voucher_keys(ledger, same.index), same["line_id"], same["amount"],
                                "制单人与审核人同为“" + name.astype(str) + "”，未经他人审核"))
    results = [r for r in results if not r.empty]
    return pd.concat(results, ignore_index=True) if results else no_findings()
