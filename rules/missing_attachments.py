"""无附件凭证（missing-attachments）

## What it does
Where the ledger has an attachment count (附件数, 附单据数), finds payment vouchers — vouchers
that credit cash or bank — whose count is 0 or blank.  When the count is blank for every voucher
of a sheet, one finding on the sheet's first payment voucher says so instead of one per voucher.

## Why is this bad?
A payment needs its original documents (invoice, receipt, approval): a voucher without them
cannot show what was bought or who approved it, and is where 白条入账 hides.

## Example
A flagged voucher:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 | 附件数 |
| --- | --- | --- | --- | --- | --- | --- |
| 记-4 | 2021-03-04 | 支付绿化款 | 管理费用-其他 | 5,000.00 | | 0 |
| 记-4 | 2021-03-04 | 支付绿化款 | 银行存款 | | 5,000.00 | |

→ 付款凭证（付出 5,000.00 元）附件数为 0，未附原始凭证

## Use instead
| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 | 附件数 |
| --- | --- | --- | --- | --- | --- | --- |
| 记-4 | 2021-03-04 | 支付绿化款 | 管理费用-其他 | 5,000.00 | | 3 |
| 记-4 | 2021-03-04 | 支付绿化款 | 银行存款 | | 5,000.00 | |

A transfer voucher that moves no money (转账凭证, e.g. 计提折旧) is not a payment and is not checked.

## Options
- ``payment_classes`` (["cash", "bank"]): account classes whose credit makes a voucher a payment.

## References
- 《会计基础工作规范》第五十一条：记账凭证必须附有原始凭证并注明所附原始凭证的张数
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses

from ._common import Vouchers, findings, in_sheet_order, place_codes, voucher_keys, yuan

ID = "missing-attachments"
TITLE = "无附件凭证"
TITLE_EN = "Payment voucher without attachments"
GROUP = "records"
SEVERITY = "low"
BASIS = "《会计基础工作规范》第五十一条：除结账和更正错误外，记账凭证必须附有原始凭证"
REQUIRES = ("attachments", "debit", "credit", "account")
OPTIONS = {
    "payment_classes": AccountClasses(["cash", "bank"], help="贷记这些科目类别即视为付款凭证：cash 库存现金，bank 银行存款。来源：《会计基础工作规范》第五十一条。"),
}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    ordered = in_sheet_order(ledger, ["voucher_id", "account_class", "credit_fen", "attachments"])
    paying = ordered["account_class"].isin(list(options["payment_classes"]))
    by_voucher = Vouchers(ordered["voucher_id"])
    vouchers = by_voucher.frame(
        line_id=by_voucher.first(ordered["line_id"]), sheet=by_voucher.first(place_codes(ordered)),
        paid=by_voucher.sum(ordered["credit_fen"].where(paying, 0)),
        attachments=by_voucher.max(ordered["attachments"].to_numpy(dtype="float64", na_value=np.nan)))
    recorded = np.bincount(vouchers["sheet"], weights=vouchers["attachments"].notna())
    blank_sheet = pd.Series(recorded[vouchers["sheet"]] == 0, index=vouchers.index)
    payments = vouchers[vouchers["paid"] > 0]
    none = payments["attachments"].isna() | (payments["attachments"] == 0)
    hit = payments[none]
    if hit.empty:
        return no_findings()
    whole_sheet = blank_sheet[hit.index]
    single = hit[~whole_sheet]
    state = pd.Series("附件数为 0", index=single.index).where(single["attachments"].notna(), "附件数空白")
    message = "付款凭证（付出 " + yuan(single["paid"]).set_axis(single.index) + " 元）" + state + "，未附原始凭证"
    results = [findings(voucher_keys(ledger, single.index), single["line_id"], single["paid"], message)]

    sheets = hit[whole_sheet]
    if not sheets.empty:
        counts = sheets.groupby("sheet", sort=False).size()
        first = sheets.drop_duplicates("sheet")
        count = counts.loc[first["sheet"]].to_numpy()
        results.append(findings(voucher_keys(ledger, first.index), first["line_id"], 0,
                                "本表 " + pd.Series(count, index=first.index).astype(str)
                                + " 张付款凭证的附件数均为空白，请核对原始凭证是否齐全"))
    results = [r for r in results if not r.empty]
    return pd.concat(results, ignore_index=True) if results else no_findings()
