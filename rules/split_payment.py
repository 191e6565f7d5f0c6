"""拆分支付（split-payment）

## What it does
Finds one payment split into several to stay under a limit: two or more payments (vouchers) to
the same counterparty, each under the limit and together at or above it, each within
``window_days`` of the one before.  The limits are the approval limit (``approval_limit_yuan``,
for every payment) and, for payments in cash, the cash settlement threshold
(``cash_threshold_yuan``).  Every voucher of the split is flagged, once, naming the others.
Each part must come to ``min_part_share`` of the limit, and a group of more than ``max_parts``
payments is routine buying, not a split.

The parts must be booked to the same account.  The counterparty is the 往来单位 column where the
ledger has one, else the payee the summary names (付张记五金店材料款 → 张记五金店; a name ending in
店, 超市, 公司 …).  Payments that name no payee are compared by their summary, but only a summary
the unit writes rarely (``routine_summary_count``): 支付办公费 every week is not one purchase.
Payments whose sums are set by rule or by the month (wages, utilities: ``exempt_keywords``) are
not compared.

## Why is this bad?
Splitting a purchase into parts under the limit avoids the collective decision (集体研究, 四议两公开)
or the bank transfer the rules require; inspections cite it among the usual problems, and audit
suites test for split transactions.

## Example
A flagged split (approval limit 5,000 yuan):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-5 | 2021-05-10 | 付张记五金店材料款 | 管理费用-维修费 | 3,000.00 | |
| 记-5 | 2021-05-10 | 付张记五金店材料款 | 银行存款 | | 3,000.00 |
| 记-7 | 2021-05-11 | 付张记五金店材料款 | 管理费用-维修费 | 2,800.00 | |
| 记-7 | 2021-05-11 | 付张记五金店材料款 | 银行存款 | | 2,800.00 |

→ 向“张记五金店”付款 2 笔（记-5、记-7，2021-05-10 至 2021-05-11），合计 5,800.00 元，达到集体决策限额 5,000.00 元，而每笔均低于限额：疑似拆分支付

## Use instead
Decide once and pay once; these look-alikes, two unrelated small payments on one day, are not
flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-5 | 2021-05-10 | 付张记五金店材料款 | 管理费用-维修费 | 3,000.00 | |
| 记-5 | 2021-05-10 | 付张记五金店材料款 | 银行存款 | | 3,000.00 |
| 记-6 | 2021-05-10 | 付红旗印刷厂宣传册印刷费 | 管理费用-印刷费 | 2,800.00 | |
| 记-6 | 2021-05-10 | 付红旗印刷厂宣传册印刷费 | 银行存款 | | 2,800.00 |

## Options
- ``window_days`` (3): payments at most this many days apart count as one purchase.
- ``approval_limit_yuan`` (5000): the collective-decision limit; "" to skip.
- ``cash_threshold_yuan`` (1000): the cash settlement threshold, for cash payments; "" to skip.
- ``min_part_share`` (0.3): smaller payments are not parts of a split.
- ``max_parts`` (4): more payments than this in a group are not a split.
- ``routine_summary_count`` (6): a summary on more payments a year than this is routine.
- ``exempt_keywords`` (工资, 水电 …): payments not compared.
- ``payment_classes`` (["expense", "asset", "receivable_payable"]): debited account classes that make a payment.

## References
- 村级财务管理办法：限额以上支出须集体研究决定，不得拆分规避
- 《现金管理暂行条例》第五条（结算起点 1000 元）
- 审计软件的日记账测试：拆分交易（split transactions）
"""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses, Count, Share, Words, Yuan

from ._common import NO_DAY, payments_of, day_text, fen, findings, is_set, payment_partners, voucher_keys, yuan

ID = "split-payment"
TITLE = "拆分支付"
TITLE_EN = "One payment split into several under a limit"
GROUP = "journal"
SEVERITY = "medium"
BASIS = "村级财务管理办法：限额以上支出须集体研究决定；《现金管理暂行条例》第五条：结算起点以上应转账"
REQUIRES = ("date", "debit", "credit", "account", "summary")
OPTIONS = {
    "window_days": Count(3, help="相隔不超过此天数的付款视为同一笔业务。来源：本工具约定（拆分付款多在同日或相邻几日）。"),
    "approval_limit_yuan": Yuan(5000,
        help="须经集体研究决定的支出限额（元）；留空 \"\" 不检查。"
             "来源：村级财务管理办法由各地规定（常见 2000、5000、10000 元），默认 5000 元。", optional=True),
    "cash_threshold_yuan": Yuan(1000,
        help="现金结算起点（元），用于现金付款；留空 \"\" 不检查。来源：《现金管理暂行条例》第五条，结算起点 1000 元。",
        optional=True),
    "min_part_share": Share(0.3,
        help="每笔达到限额的此比例才算拆分的一部分：拆分规避审批的付款每笔都接近限额，零星小额付款不是拆分。"
             "来源：本工具约定。"),
    "max_parts": Count(4, minimum=2,
        help="一组付款超过此笔数时不视为拆分（是经常性的零星采购）。来源：本工具约定。"),
    "routine_summary_count": Count(6,
        help="未写明收款方的付款按摘要比较；同一单位一年内用同一摘要超过此数的付款视为日常支出，不作比较。来源：本工具约定。"),
    "exempt_keywords": Words(["工资", "薪酬", "社保", "公积金", "税", "党费", "会费", "水电", "电费", "水费", "燃气",
                              "话费", "宽带", "通讯费", "利息", "手续费"],
        help="摘要含这些词的付款按月或按规定发生，不作比较。来源：本工具约定。"),
    "payment_classes": AccountClasses(["expense", "asset", "receivable_payable"],
        help="被借记即视为“付款”的科目类别（同时贷记库存现金或银行存款）。来源：本工具约定，与现金支付规则一致。"),
}

_SHOWN_VOUCHERS = 5


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    payments = payments_of(ledger, options["payment_classes"])
    payments.summary_uses()     # routine summaries are counted over all payments of a unit-year
    limits = [(fen(options[name]), label, cash)
              for name, label, cash in (("approval_limit_yuan", "集体决策限额", False),
                                        ("cash_threshold_yuan", "现金结算起点", True))
              if is_set(options.get(name)) and fen(options[name]) > 0]
    if not payments.count or not limits:
        return no_findings()
    under_some = np.zeros(payments.count, dtype=bool)
    for limit, _, cash in limits:
        paid = payments.cash_paid if cash else payments.paid
        under_some |= (paid > 0) & (paid < limit)
    payments = payments.subset(under_some & (payments.day != NO_DAY))
    if not payments.count:
        return no_findings()
    payments = payments.subset(~payments.contains("summary", options["exempt_keywords"]))
    group, by_payee, name = payment_partners(payments, options["routine_summary_count"])
    # The parts of one purchase are booked to one account: payments to a shop for different
    # things (materials, printing) are not one split.
    account = payments.texts("account_name")[0]
    group = np.where(group >= 0, pd.factorize(group * (account.max(initial=0) + 1) + account)[0], -1)
    results = []
    flagged = np.zeros(payments.count, dtype=bool)
    for limit, label, cash in limits:
        paid = payments.cash_paid if cash else payments.paid
        smallest = int((Decimal(str(options["min_part_share"])) * limit).to_integral_value(rounding=ROUND_CEILING))
        eligible = (group >= 0) & (paid > 0) & (paid >= smallest) & (paid < limit) & ~flagged
        found = _splits(np.flatnonzero(eligible), group, payments.day, paid, limit, options["window_days"],
                        options["max_parts"])
        if found is None:
            continue
        members, cluster = found
        flagged[members] = True
        results.append(_messages(ledger, payments, members, cluster, paid, by_payee, name, limit, label, cash))
    if not results:
        return no_findings()
    result = pd.concat(results, ignore_index=True)
    return findings(result["voucher_key"], result["line_id"], result["amount_fen"], result["message"])


def _splits(candidates, group, day, paid, limit, window, max_parts):
    """The candidates that are parts of a split, and a cluster number for each: sorted by group
    and day, a window of parts (each within ``window`` days of the one before) reaching the limit,
    of no more than ``max_parts`` parts.  None when there are none."""
    if len(candidates) < 2:
        return None
    order = candidates[np.lexsort((day[candidates], group[candidates]))]
    g, d, a = group[order], day[order], paid[order]
    span = int(d.max() - d.min()) + window + 1
    key = g * span + (d - d.min())
    # From each part, the parts within the window after it: their sum, by running totals.
    end = np.searchsorted(key, key + window, side="right")
    running = np.concatenate(([0], np.cumsum(a)))
    start = np.arange(len(order))
    reaching = ((end - start) >= 2) & ((running[end] - running[start]) >= limit)
    if not reaching.any():
        return None
    cover = np.zeros(len(order) + 1, dtype="int64")
    np.add.at(cover, start[reaching], 1)
    np.add.at(cover, end[reaching], -1)
    member = np.cumsum(cover)[:-1] > 0
    at = np.flatnonzero(member)
    # A new cluster where the group changes or the gap to the part before is over the window.
    new = np.ones(len(at), dtype=bool)
    new[1:] = (g[at][1:] != g[at][:-1]) | (d[at][1:] - d[at][:-1] > window) | (at[1:] != at[:-1] + 1)
    cluster = np.cumsum(new) - 1
    small = np.bincount(cluster)[cluster] <= max_parts
    if not small.any():
        return None
    return order[at][small], pd.factorize(cluster[small])[0]


def _messages(ledger, payments, members, cluster, paid, by_payee, name, limit, label, cash) -> pd.DataFrame:
    keys = voucher_keys(ledger, payments.voucher_id[members])
    shown = payments.column("voucher", members).to_numpy(dtype=object)
    day = payments.day[members]
    parts = pd.DataFrame({"cluster": cluster, "voucher": shown, "day": day, "paid": paid[members]})
    by_cluster = parts.groupby("cluster", sort=False)
    count = by_cluster["paid"].transform("size").to_numpy()
    total = by_cluster["paid"].transform("sum").to_numpy()
    first, last = by_cluster["day"].transform("min").to_numpy(), by_cluster["day"].transform("max").to_numpy()
    # Few vouchers are parts of splits: their numbers are joined cluster by cluster.
    listed = parts.groupby("cluster", sort=False).head(_SHOWN_VOUCHERS).groupby("cluster", sort=False)["voucher"].agg("、".join)
    vouchers = (listed.reindex(cluster) + np.where(count > _SHOWN_VOUCHERS, "等", "")).to_numpy(dtype=object)
    partner = np.where(by_payee[members], "向“" + name[members].astype(str) + "”",
                       "摘要同为“" + name[members].astype(str) + "”的")
    span = np.where(first == last, day_text(first).to_numpy(dtype=object),
                    (day_text(first) + " 至 " + day_text(last)).to_numpy(dtype=object))
    kind = "现金付款 " if cash else "付款 "
    message = (pd.Series(partner, dtype=object) + kind + pd.Series(count).astype(str) + " 笔（" + pd.Series(vouchers)
               + "，" + pd.Series(span) + "），合计 " + yuan(total) + " 元，达到" + label + " " + yuan([limit]).iloc[0]
               + " 元，而每笔均低于" + ("起点" if cash else "限额") + "：疑似拆分支付")
    return pd.DataFrame({"voucher_key": keys, "line_id": payments.line_id()[members], "amount_fen": paid[members],
                         "message": message.to_numpy(dtype=object)})
