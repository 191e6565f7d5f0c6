"""超限额提取备用金（petty-cash-over-limit）

## What it does
Finds vouchers that move money from the bank into cash on hand (借 库存现金 / 贷 银行存款 — the
summary may say 提取备用金, 提现, 取现, 取现备用 or anything else; the accounts decide) when

- the amount withdrawn is above the cash limit (``limit_yuan``), or
- the cash balance at the end of the withdrawal's day is above the limit.  The balance is only
  computed where it can be known: ``opening_cash_yuan`` is set, or the entity's book starts in
  January (the year's opening balance is then taken as 0 — the carried-forward rows are not
  entries — so the computed balance is a lower bound and every balance finding is real).  Months
  missing from the ledger stop the balance check from that month on.  A cash journal's own
  余额 column, where written, gives the balance at the end of the day instead (it includes the
  opening balance the entries do not show).

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
  Set it per entity in ``[[overrides]]`` as ``opening_cash_yuan`` (one number for the three
  cash rules).
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

from voucher_checker.engine import no_findings
from voucher_checker.options import Flag, Words, Yuan

from ._common import (OPENING_CASH, NO_DAY, Vouchers, day_numbers, fen, findings, first_of_each, group_codes, is_set, keyword_regex,
                      voucher_keys, yuan)

ID = "petty-cash-over-limit"
TITLE = "超限额提取备用金"
TITLE_EN = "Petty cash withdrawn over the limit"
GROUP = "notice"
SEVERITY = "high"
BASIS = "《现金管理暂行条例》第九条、第十一条；村级财务管理办法：库存现金不准超过规定限额"
REQUIRES = ("debit", "credit", "account")
OPTIONS = {
    "limit_yuan": Yuan(2000,
        help="备用金（库存现金）限额，单位元；提取金额或提取后当日现金余额超过此数即报告。"
             "来源：村级财务管理办法由各地核定（常见 1000、2000、5000 元），巡察反馈将 2500 元认定为超限额，默认 2000 元。"),
    "opening_cash_yuan": OPENING_CASH,
    "assume_zero_opening_in_january": Flag(True,
        help="账簿从 1 月开始且未填期初余额时，按期初为 0 计算余额（所得余额不高于实际，报告的超限均成立）。"
             "来源：本工具约定；上年结转行不是分录，读取时已剔除。"),
    "petty_cash_account_words": Words(["备用金"], help="科目名称含这些词的账户视同库存现金（如 其他应收款-备用金）。来源：村级会计制度中备用金的常见核算方式。"),
}



def _month_index(period: pd.Series) -> pd.Series:
    return period.str[:4].astype("int64") * 12 + period.str[5:7].astype("int64")


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    limit = fen(options["limit_yuan"])
    # Account names are looked at once per distinct name.
    account, names = pd.factorize(ledger["account_name"])
    petty = pd.Series(names, dtype=ledger["account_name"].dtype).str.contains(
        keyword_regex(options.get("petty_cash_account_words", [])), regex=True).to_numpy(dtype=bool)
    is_cash = (ledger["account_class"] == "cash").to_numpy() | petty[account]
    is_bank = (ledger["account_class"] == "bank").to_numpy()

    months = _Months(ledger)
    # Only cash and bank lines move the balance; the first line of each month is kept as well so
    # that a month without them is not taken for a month missing from the ledger.  A million-line
    # ledger then costs a fraction of its size here.
    keep = is_cash | is_bank
    keep[months.first_line] = True
    kept = np.flatnonzero(keep)
    is_cash, is_bank = is_cash[kept], is_bank[kept]
    debit, credit = ledger["debit_fen"].to_numpy()[kept], ledger["credit_fen"].to_numpy()[kept]
    line_id = ledger["line_id"].to_numpy()[kept]
    dates = ledger["date"].to_numpy()[kept]
    day = day_numbers(dates)             # NO_DAY (undated) sorts after the dated days of a month, as NaT does

    by_kept = Vouchers(ledger["voucher_id"].iloc[kept])
    withdrawn = np.minimum(by_kept.sum(np.where(is_cash, debit, 0)), by_kept.sum(np.where(is_bank, credit, 0)))
    first_day = by_kept.min(day)
    vouchers = pd.DataFrame({
        "book_month": months.of_line[kept[by_kept.first_line]],
        "day": first_day,
        "voucher_no": ledger["voucher_no"].to_numpy()[kept[by_kept.first_line]],
        # Vouchers of one month, day and number (记-6 and 现付-6) follow each other as their lines do.
        "first_line": by_kept.min(np.where(day == first_day[by_kept.code], line_id, np.iinfo("int64").max)),
        "cash_net": by_kept.sum(np.where(is_cash, debit - credit, 0))})
    # Vouchers without cash lines leave the balance as it is and can be left out of it, unless a
    # day is booked in two months (the last voucher of that day may then be one of them).
    counted = by_kept.any(is_cash) | ~_days_in_own_month(vouchers, months).all()
    balance = np.full(by_kept.count, np.nan)
    balance[counted] = _end_of_day_balance(vouchers[counted], months, options)
    # A cash journal's own 余额 column knows the opening the entries cannot; where it is written,
    # the journal's end-of-day balance is the one judged.
    written = ledger["balance_fen"].iloc[kept]
    has_written = is_cash & written.notna().to_numpy() & (day != NO_DAY)
    if has_written.any():
        book_day = months.book[months.of_line[kept]].astype("int64") * (2 ** 31) + day
        end_of_day = (pd.Series(written.to_numpy()[has_written].astype("int64"), index=book_day[has_written])
                      .groupby(level=0, sort=False).last())
        voucher_day = months.book[vouchers["book_month"].to_numpy()].astype("int64") * (2 ** 31) + first_day
        from_journal = end_of_day.reindex(voucher_day).to_numpy(dtype="float64")
        balance = np.where(np.isnan(from_journal), balance, from_journal)

    withdrawal = withdrawn > 0
    over_amount = withdrawal & (withdrawn > limit)
    over_balance = withdrawal & ~np.isnan(balance) & (balance > limit)
    is_hit = over_amount | over_balance
    if not is_hit.any():
        return no_findings()
    hit = pd.DataFrame({"withdrawn": withdrawn[is_hit], "balance": balance[is_hit]}, index=by_kept.id[is_hit])
    amount_over = pd.Series(over_amount[is_hit], index=hit.index)
    both = pd.Series((over_amount & over_balance)[is_hit], index=hit.index)
    balance_text = yuan(hit["balance"].fillna(0).astype("int64")).set_axis(hit.index)
    withdrawn_text = yuan(hit["withdrawn"]).set_axis(hit.index)
    limit_text = yuan(pd.Series([limit])).iloc[0]
    message = pd.Series(
        "提取备用金 " + withdrawn_text + " 元后，当日库存现金余额 " + balance_text + " 元，超过备用金限额 "
        + limit_text + " 元", index=hit.index)
    message = message.where(~amount_over, "提取备用金 " + withdrawn_text + " 元，超过备用金限额 " + limit_text + " 元")
    message = message.where(~both, message + "；提取后当日库存现金余额 " + balance_text + " 元，也超过限额")

    shown = is_cash & (debit > 0) & is_hit[by_kept.code]
    cash_lines = pd.DataFrame({"voucher_id": by_kept.id[by_kept.code[shown]], "line_id": line_id[shown],
                               "debit_fen": debit[shown]})
    shown_line = (cash_lines.sort_values("debit_fen", ascending=False, kind="stable")
                  .groupby("voucher_id")["line_id"].first())
    return findings(voucher_keys(ledger, hit.index), shown_line.reindex(hit.index), hit["withdrawn"], message)


class _Months:
    """The months each book (entity and book) has in the ledger.

    ``of_line`` numbers each line's book and month; indexed by that number: ``book``, ``month``
    (``_month_index``), ``first_line`` (the month's first line), ``first_month`` (of the book) and
    ``contiguous`` (every month of the book from its first to this one is in the ledger: a month
    missing breaks the running balance from there on)."""

    def __init__(self, ledger: pd.DataFrame):
        self.of_line = group_codes(ledger, ["entity", "book", "period"])
        self.first_line = first_of_each(self.of_line)
        firsts = ledger[["entity", "book", "period"]].iloc[self.first_line]
        self.book = group_codes(firsts, ["entity", "book"])
        self.month = _month_index(firsts["period"]).to_numpy()
        order = np.lexsort((self.month, self.book))
        book = self.book[order]
        starts = np.flatnonzero(np.concatenate(([True], book[1:] != book[:-1])))
        lengths = np.diff(np.append(starts, len(order)))
        rank = np.arange(len(order)) - np.repeat(starts, lengths) + 1
        self.first_month = np.empty(len(order), dtype="int64")
        self.first_month[order] = np.repeat(self.month[order][starts], lengths)
        self.contiguous = np.empty(len(order), dtype=bool)
        self.contiguous[order] = (self.month[order] - self.first_month[order] + 1) == rank


def _days_in_own_month(vouchers: pd.DataFrame, months: _Months) -> np.ndarray:
    """True for vouchers whose day is in the month they are booked in (or that have no date)."""
    since_1970 = (months.month - (1970 * 12 + 1)).astype("datetime64[M]")
    first_day = since_1970.astype("datetime64[D]").astype("int64")
    next_first_day = (since_1970 + 1).astype("datetime64[D]").astype("int64")
    book_month, day = vouchers["book_month"].to_numpy(), vouchers["day"].to_numpy()
    return (day == NO_DAY) | ((first_day[book_month] <= day) & (day < next_first_day[book_month]))


def _end_of_day_balance(vouchers: pd.DataFrame, months: _Months, options: dict) -> np.ndarray:
    """Cash balance at the end of each voucher's day (NaN where it cannot be known)."""
    book_month = vouchers["book_month"].to_numpy()
    if vouchers.empty:
        return np.array([], dtype="float64")
    if is_set(options.get("opening_cash_yuan")):
        opening = np.full(len(vouchers), float(fen(options["opening_cash_yuan"])))
    elif options.get("assume_zero_opening_in_january", True):
        opening = np.where((months.first_month[book_month] % 12) == 1, 0.0, np.nan)
    else:
        return np.full(len(vouchers), np.nan)
    book = months.book[book_month]
    day = vouchers["day"].to_numpy()
    # Within a book: by month, day (undated last), number and line; the order within a day does
    # not change the balance at its end.  Book, month and day go into one integer to sort by.
    month = months.month[book_month] - months.month.min()
    dated = day != NO_DAY
    day_zero = day[dated].min() if dated.any() else 0
    days = (day[dated].max() if dated.any() else 0) - day_zero + 2
    when = (book * (month.max() + 1) + month) * days + np.where(dated, day - day_zero, days - 1)
    order = np.lexsort((vouchers["first_line"].to_numpy(), vouchers["voucher_no"].to_numpy(), when))
    net = vouchers["cash_net"].to_numpy()[order]
    book = book[order]
    starts = np.flatnonzero(np.concatenate(([True], book[1:] != book[:-1])))
    total = np.cumsum(net)
    running = total - np.repeat(total[starts] - net[starts], np.diff(np.append(starts, len(order)))) + opening[order]
    # The limit applies to the cash left at the end of the day, after that day's payments: the
    # balance after the last voucher of the same book and day (an undated voucher is its own
    # day).  A day is one run in this order unless it is booked in two months.
    day = day[order]
    same_day = np.where(day != NO_DAY, book * (2 ** 31) + day, -1 - np.arange(len(order)))
    run_start = np.flatnonzero(np.concatenate(([True], same_day[1:] != same_day[:-1])))
    run_of_day = pd.factorize(same_day[run_start])[0]
    run_end = np.append(run_start[1:], len(order)) - 1
    last = np.zeros(run_of_day.max() + 1, dtype="int64")
    np.maximum.at(last, run_of_day, run_end)
    end_of_day = running[last[np.repeat(run_of_day, np.diff(np.append(run_start, len(order))))]]
    balance = np.empty(len(order))
    balance[order] = np.where(months.contiguous[book_month[order]], end_of_day, np.nan)
    return balance
