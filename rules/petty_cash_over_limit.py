"""超限额提取备用金（petty-cash-over-limit）

## What it does
Finds vouchers that move money from the bank into cash on hand (借 库存现金 / 贷 银行存款 — the
summary may say 提取备用金, 提现, 取现, 取现备用 or anything else; the accounts decide) when

- the amount withdrawn is above the cash limit (``limit_yuan``), or
- the cash balance at the end of the withdrawal's day is above the limit.  The balance is only
  computed where it can be known: ``opening_cash_yuan`` is set, or the entity's book starts in
  January (the year's opening balance is then taken as 0 — the carried-forward rows are not
  entries — so the computed balance is a lower bound and every balance finding is real).  Months
  missing from the ledger stop the balance check from that month on.

A voucher gets one finding; when both the amount and the balance are over, the message says both.
A debit to an account named 备用金 (其他应收款-备用金) counts as cash on hand here.

## Why is this bad?
Cash on hand above the limit set for the village or community breaks the cash-management rules
and is the risk the inspection notice names first: 2021年3月6#凭证提取0.25万元.

## Example
A flagged voucher (limit 2,000 yuan):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-6 | 2021-03-06 | 提取备用金 | 库存现金 | 2,500.00 | |
| 记-6 | 2021-03-06 | 提取备用金 | 银行存款 | | 2,500.00 |

→ 提取备用金 2,500.00 元，超过备用金限额 2,000.00 元

## Use instead
Withdraw no more than the limit; this look-alike is not flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-6 | 2021-03-06 | 提取备用金 | 库存现金 | 2,000.00 | |
| 记-6 | 2021-03-06 | 提取备用金 | 银行存款 | | 2,000.00 |

Nor is a deposit (存现: 借 银行存款 / 贷 库存现金) of any amount.

## Options
- ``limit_yuan`` (2000): the cash limit (备用金/库存现金限额) in yuan; a withdrawal above it is flagged.
- ``opening_cash_yuan`` (""): cash on hand at the start of the ledger, in yuan; "" means unknown.
  Set it per entity in ``[[overrides]]``.
- ``assume_zero_opening_in_january`` (true): a book whose first month is January starts from 0.
- ``petty_cash_account_words`` (["备用金"]): accounts whose name contains these count as cash.

## References
- 《现金管理暂行条例》第九条、第十一条（库存现金限额；超过限额的现金应于当日送存银行）
- 《雨湖区村级财务管理办法（试行）》：库存现金不准超过规定限额
- 巡察反馈：2021年3月6#凭证提取备用金0.25万元
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from checker.engine import no_findings

from ._common import fen, findings, is_set, keyword_regex, yuan

ID = "petty-cash-over-limit"
TITLE = "超限额提取备用金"
TITLE_EN = "Petty cash withdrawn over the limit"
SEVERITY = "high"
BASIS = "《现金管理暂行条例》第九条、第十一条；村级财务管理办法：库存现金不准超过规定限额"
REQUIRES = ("debit", "credit", "account")
DEFAULTS = {
    "limit_yuan": 2000,
    "opening_cash_yuan": "",
    "assume_zero_opening_in_january": True,
    "petty_cash_account_words": ["备用金"],
}
OPTIONS_HELP = {
    "limit_yuan": "备用金（库存现金）限额，单位元；提取金额或提取后当日现金余额超过此数即报告。"
                  "来源：村级财务管理办法由各地核定（常见 1000、2000、5000 元），巡察反馈将 2500 元认定为超限额，默认 2000 元。",
    "opening_cash_yuan": "账簿起始时的库存现金余额（元），用于计算提取后的余额；留空 \"\" 表示未知。"
                         "来源：总账或现金日记账的期初余额；可在 [[overrides]] 中按单位填写。",
    "assume_zero_opening_in_january": "账簿从 1 月开始且未填期初余额时，按期初为 0 计算余额（所得余额不高于实际，报告的超限均成立）。"
                                      "来源：本工具约定；上年结转行不是分录，读取时已剔除。",
    "petty_cash_account_words": "科目名称含这些词的账户视同库存现金（如 其他应收款-备用金）。来源：村级会计制度中备用金的常见核算方式。",
}

_ORDER = ["period", "date", "voucher_no", "file", "sheet", "row"]


def _month_index(period: pd.Series) -> pd.Series:
    return period.str[:4].astype("int64") * 12 + period.str[5:7].astype("int64")


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    limit = fen(options["limit_yuan"])
    petty = ledger["account_name"].str.contains(keyword_regex(options.get("petty_cash_account_words", [])),
                                                regex=True)
    is_cash = (ledger["account_class"] == "cash") | petty
    is_bank = ledger["account_class"] == "bank"
    # Only cash and bank lines move the balance; one line per month is kept as well so that the
    # months present stay known.  A million-line ledger then costs a fraction of its size here.
    keep = is_cash | is_bank | ~ledger.duplicated(["entity", "book", "period"])
    ledger, is_cash, is_bank = ledger[keep], is_cash[keep], is_bank[keep]
    lines = pd.DataFrame({
        "voucher_key": ledger["voucher_key"],
        "cash_in": ledger["debit_fen"].where(is_cash, 0),
        "cash_net": (ledger["debit_fen"] - ledger["credit_fen"]).where(is_cash, 0),
        "bank_out": ledger["credit_fen"].where(is_bank, 0),
    })
    vouchers = lines.groupby("voucher_key", sort=False)[["cash_in", "cash_net", "bank_out"]].sum()
    context = ["voucher_key", "entity", "book", *_ORDER]   # sorting only these avoids copying the ledger
    firsts = ledger[context].sort_values(_ORDER, kind="stable").groupby("voucher_key", sort=False)
    vouchers = vouchers.join(firsts[["entity", "book", "period", "date", "voucher_no", "file", "sheet", "row"]].first())
    vouchers["withdrawn"] = np.minimum(vouchers["cash_in"], vouchers["bank_out"])

    balance = _end_of_day_balance(vouchers, options)
    vouchers["balance"] = balance
    withdrawal = vouchers["withdrawn"] > 0
    over_amount = withdrawal & (vouchers["withdrawn"] > limit)
    over_balance = withdrawal & vouchers["balance"].notna() & (vouchers["balance"] > limit)
    hit = vouchers[over_amount | over_balance]
    if hit.empty:
        return no_findings()
    amount_over = over_amount[hit.index]
    balance_text = yuan(hit["balance"].fillna(0).astype("int64")).set_axis(hit.index)
    withdrawn_text = yuan(hit["withdrawn"]).set_axis(hit.index)
    limit_text = yuan(pd.Series([limit])).iloc[0]
    both = amount_over & over_balance[hit.index]
    message = pd.Series(
        "提取备用金 " + withdrawn_text + " 元后，当日库存现金余额 " + balance_text + " 元，超过备用金限额 "
        + limit_text + " 元", index=hit.index)
    message = message.where(~amount_over, "提取备用金 " + withdrawn_text + " 元，超过备用金限额 " + limit_text + " 元")
    message = message.where(~both, message + "；提取后当日库存现金余额 " + balance_text + " 元，也超过限额")

    cash_lines = ledger[is_cash & (ledger["debit_fen"] > 0) & ledger["voucher_key"].isin(hit.index)]
    line_id = cash_lines.sort_values("debit_fen", ascending=False, kind="stable").groupby("voucher_key")["line_id"].first()
    return findings(hit.index, line_id.reindex(hit.index), hit["withdrawn"], message)


def _end_of_day_balance(vouchers: pd.DataFrame, options: dict) -> pd.Series:
    """Cash balance at the end of each voucher's day (NaN where it cannot be known)."""
    ordered = vouchers.sort_values(["entity", "book"] + _ORDER, kind="stable")
    group = [ordered["entity"], ordered["book"]]
    month = _month_index(ordered["period"])
    first_month = month.groupby(group).transform("min")
    # A month missing from the ledger breaks the running balance from there on.
    present = month.groupby(group).rank(method="dense").astype("int64")
    contiguous = (month - first_month + 1) == present
    if is_set(options.get("opening_cash_yuan")):
        opening = pd.Series(float(fen(options["opening_cash_yuan"])), index=ordered.index)
    elif options.get("assume_zero_opening_in_january", True):
        starts_in_january = (first_month % 12) == 1
        opening = pd.Series(np.where(starts_in_january, 0.0, np.nan), index=ordered.index)
    else:
        return pd.Series(np.nan, index=vouchers.index)
    running = ordered["cash_net"].groupby(group).cumsum() + opening
    # The limit applies to the cash left at the end of the day, after that day's payments.
    day = ordered["date"].dt.strftime("%Y-%m-%d").fillna("")
    day = day.where(day != "", "voucher:" + ordered.index.astype(str))
    end_of_day = running.groupby([ordered["entity"], ordered["book"], day]).transform("last")
    return end_of_day.where(contiguous).reindex(vouchers.index)
