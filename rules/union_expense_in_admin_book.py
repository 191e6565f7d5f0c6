"""行政账报销工会票据（union-expense-in-admin-book）

## What it does
In any book other than the union book (工会账), finds expense lines (debits to the classes in
``debit_classes``) whose summary, own sub-account or counterparty names the trade union: 工会,
工会会员, 会员活动, 职工之家, or a union newspaper or magazine (《工人日报》, 《湖南工人报》,
《中国工人》, 《工会博览》 …, with or without book-title marks).  One finding per voucher.

The own sub-account is the account name without the standard top-level names of the charts
(``standard_account_names``): 管理费用-工会经费 counts as 工会经费 — a union bill booked to the
administrative book's union-funding sub-account is exactly what this rule is for — while 工会 in
the union chart's 工会资金结转 / 工会资金结余 (seen when a union ledger's book is not recognised)
is no union word.  The funding words below are looked for in the whole text, top-level names
included (上缴 of 上缴上级支出): a false finding costs more than a missed one.

Not flagged:
- the same line in the union book;
- the administrative book funding the union (拨缴/上缴/计提工会经费) or receiving money back
  (收到工会经费返还 is income, not an expense);
- party papers (《人民日报》, 《湖南日报》, 《求是》, 《当代党员》);
- "工会" that is only two characters of other words: 施工会议, 员工会餐, 开工会审, 职工会计培训;
- 劳动保护用品 (work clothing, gloves): the magazine 《劳动保护》 is matched only in book-title
  marks or next to 订阅/杂志/期刊.

## Why is this bad?
Union money is kept and spent in the union's own books; paying union bills from the
administrative book mixes the two funds.  The notice cites 2020年12月27#凭证支付《湖南工人报》
杂志费156元.

## Example
A flagged voucher in the administrative book (行政账):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-27 | 2020-12-28 | 订阅2021年《湖南工人报》 | 管理费用-报刊费 | 156.00 | |
| 记-27 | 2020-12-28 | 订阅2021年《湖南工人报》 | 银行存款 | | 156.00 |

→ 行政账列支工会支出 156.00 元（含“湖南工人报”），工会支出应在工会账中核算，不得由行政经费报销

## Use instead
Book it in the union book, or subscribe party papers from the administrative book; this
look-alike in the administrative book is not flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-27 | 2020-12-28 | 订阅2021年《人民日报》 | 管理费用-报刊费 | 1,200.00 | |
| 记-27 | 2020-12-28 | 订阅2021年《人民日报》 | 银行存款 | | 1,200.00 |

## Options
- ``union_keywords``: words naming the union or its activities.
- ``union_publications``: union newspapers and magazines, matched anywhere.
- ``ambiguous_publications`` (["劳动保护", "工友"]): titles that are also ordinary words.
- ``fund_transfer_words``: with 工会经费, the funding transfers the administrative book books
  correctly (拨缴、计提、返还).
- ``debit_classes`` (["expense", "other"]): account classes whose debits are checked.
- ``standard_account_names`` (业务活动费用, 管理费用, 职工活动支出, 工会资金结转 … of the government,
  non-profit, village and union charts): top-level names whose words are not union words.

## References
- 《工会会计制度》第二条、第六条（工会经费单独建账、独立核算）
- 《湖南省基层工会经费收支管理办法实施细则》
- 巡察反馈：2020年12月27#凭证支付《湖南工人报》杂志费156元
"""
from __future__ import annotations

import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses, Words

from ._common import (STANDARD_ACCOUNT_NAMES, book_label, findings, joined_keywords, keyword_regex, line_text,
                      voucher_keys, without_names, yuan)

ID = "union-expense-in-admin-book"
TITLE = "行政账报销工会票据"
TITLE_EN = "Union expense paid from the administrative book"
GROUP = "notice"
SEVERITY = "high"
BASIS = "《工会会计制度》：工会经费单独建账、独立核算；《湖南省基层工会经费收支管理办法实施细则》"
REQUIRES = ("debit", "account", "summary")
OPTIONS = {
    "union_keywords": Words(["工会", "工会会员", "会员活动", "会员福利", "职工之家", "职工书屋", "职工互助保险", "职代会"],
        help="摘要、科目或往来单位含这些词即视为工会支出（“会员”单独出现含义不明，不在默认词表）。"
             "来源：《工会会计制度》支出科目及常见工会活动名称。"),
    "union_publications": Words(["工人日报", "湖南工人报", "工人报", "中国工人", "工会博览", "工会信息", "中国职工", "中国工运",
                                 "当代工人", "工会理论研究", "职工天地", "工会工作"],
        help="工会系统报刊名称（带不带书名号均可）。来源：全国及湖南省总工会主办报刊；党报党刊不在此列。"),
    "ambiguous_publications": Words(["劳动保护", "工友"],
        help="也是普通词语的报刊名（如“劳动保护用品”），仅在书名号内或与“订阅、杂志、期刊”同时出现时才算。"
             "来源：本工具约定，避免把劳保用品当作报刊。"),
    "fund_transfer_words": Words(["拨缴", "上缴", "上解", "划拨", "拨付", "拨款", "计提", "缴纳", "交纳", "返还", "退回"],
        help="与“工会经费”同时出现时表示行政账向工会拨缴、计提工会经费或工会返还经费，属正确核算，不报告。"
             "来源：《工会法》第四十三条（按工资总额 2% 向工会拨缴经费）。"),
    "debit_classes": AccountClasses(["expense", "other"], help="检查哪些科目类别的借方：expense 费用支出，other 未识别科目。来源：本工具约定。"),
    "standard_account_names": Words(list(STANDARD_ACCOUNT_NAMES),
        help="各会计制度一级科目的标准名称；其中的字（如“工会资金结转”中的“工会”）不算工会支出的标志，"
             "明细科目（如“管理费用-工会经费”中的“工会经费”）照常计入。"
             "来源：政府会计制度、民间非营利组织会计制度、村集体经济组织会计制度、工会会计制度科目表。"),
}

# "工会" that continues into 会议/会餐/会审/会计/会商/会谈/会签/会同/会见 belongs to 施工会议,
# 员工会餐 and the like, not to the union; "工会会议" still matches because the union's own
# "工会" is followed by a second 会.
_NOT_UNION_AFTER = "(?!议|餐|审|计|商|谈|签|同|见|战|诊|晤|考|演|展)"
_TITLE_CONTEXT = "订阅|订购|订报|杂志|期刊|刊物|报刊"


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    is_candidate = ((ledger["book"] != "union") & (ledger["debit_fen"] > 0)
                    & ledger["account_class"].isin(list(options["debit_classes"])))
    columns = ["voucher_id", "line_id", "debit_fen", "book", "summary", "account_name", "counterparty"]
    candidates = ledger[columns][is_candidate]
    if candidates.empty:
        return no_findings()
    whole_text = line_text(candidates)
    # Union words are looked for in the summary, the line's own sub-account and the counterparty,
    # not in the chart's top-level name (工会 of 工会资金结转); funding words, in all of it.
    text = without_names(whole_text, options["standard_account_names"])
    union_words = [w for w in options["union_keywords"] if w != "工会"]
    bare_union = "|工会" + _NOT_UNION_AFTER if "工会" in options["union_keywords"] else ""
    named = text.str.contains(keyword_regex(union_words) + bare_union, regex=True)
    publication = text.str.contains(keyword_regex(options["union_publications"]), regex=True)
    ambiguous = options["ambiguous_publications"]
    titled = (text.str.contains("《" + keyword_regex(ambiguous) + "》", regex=True)
              | (text.str.contains(keyword_regex(ambiguous), regex=True) & text.str.contains(_TITLE_CONTEXT, regex=True)))
    excluded = whole_text.str.contains("工会经费", regex=False) & whole_text.str.contains(
        keyword_regex(options["fund_transfer_words"]), regex=True)
    hit = candidates[(named | publication | titled) & ~excluded]
    if hit.empty:
        return no_findings()

    words = joined_keywords(text[hit.index], list(options["union_keywords"]) + list(options["union_publications"])
                            + list(ambiguous))
    lines = pd.DataFrame({"voucher_id": hit["voucher_id"], "line_id": hit["line_id"], "debit_fen": hit["debit_fen"],
                          "words": words, "book": book_label(hit["book"])})
    vouchers = lines.groupby("voucher_id", sort=False).agg(
        line_id=("line_id", "first"), amount=("debit_fen", "sum"), words=("words", "first"), book=("book", "first"))
    message = (vouchers["book"] + "列支工会支出 " + yuan(vouchers["amount"]).set_axis(vouchers.index) + " 元（含"
               + vouchers["words"] + "），工会支出应在工会账中核算，不得由行政经费报销")
    return findings(voucher_keys(ledger, vouchers.index), vouchers["line_id"], vouchers["amount"], message)
