"""公款吃喝送礼（hospitality-and-gifts）

## What it does
Finds spending (debits to expense, asset or unrecognised accounts) on what the eight-point
rules (八项规定) forbid paying for from public money, by words in the summary or the line's own
sub-account:

- tobacco and alcohol (``tobacco_alcohol_keywords``: 香烟, 白酒, 酒水 …);
- shopping, gift and fuel cards (``card_keywords``: 购物卡, 礼品卡, 加油卡 …);
- banquets (``banquet_keywords``: 宴请, 聚餐, 酒席 …), tourism (``tourism_keywords``: 旅游,
  旅行社 …) and entertainment (``entertainment_keywords``: KTV, 会所 …);
- gifts (``gift_keywords``: 礼品, 礼金, 红包 …);
- festival foods bought in their festival's season (``festival_foods``: 月饼 in August to
  October, 粽子 in May and June, 年货 from December to February …);
- official receptions (``reception_keywords``: 招待费, 接待费 …), which are allowed with a letter,
  an approval and a list of guests: reported at ``reception_severity`` to be checked.

Not flagged: relief for named needy groups (慰问困难群众, 低保户, 高龄老人 … in
``needy_keywords``) unless the summary says it went to everyone (全体, 每人 …); festival foods in
the union book (``union_festival_allowed``: the union may give members festival goods).  The
standard top-level account names are not searched (``standard_account_names``), as in
bulk-goods-distribution.  One finding per voucher, on its largest such line.

## Why is this bad?
The central eight-point rules and their implementing rules forbid banquets, tourism, gifts,
cards, tobacco and alcohol paid from public money (公款吃喝、公款旅游、公款送礼、违规发放购物卡);
festival seasons are when inspections find them.

## Example
A flagged voucher:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-9 | 2021-09-15 | 购买月饼 | 管理费用-其他 | 1,200.00 | |
| 记-9 | 2021-09-15 | 购买月饼 | 银行存款 | | 1,200.00 |

→ 支出 1,200.00 元，摘要或科目含“月饼”（节日期间购买节日食品），属八项规定禁止的公款支出，请核实

## Use instead
Relief for the needy on an approved list is not flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-9 | 2021-09-15 | 中秋慰问困难群众购买月饼 | 公益支出-慰问 | 1,200.00 | |
| 记-9 | 2021-09-15 | 中秋慰问困难群众购买月饼 | 银行存款 | | 1,200.00 |

## Options
- ``min_amount_yuan`` (0): smaller spending is left out.
- ``tobacco_alcohol_keywords``, ``card_keywords``, ``banquet_keywords``, ``tourism_keywords``,
  ``entertainment_keywords``, ``gift_keywords``, ``reception_keywords``: the words of each kind.
- ``festival_foods`` (["月饼:8-10", "粽子:5-6", "年货:12-2" …]): a food and the months (of the
  voucher's date, or its period) in which buying it is flagged; a food without months is
  flagged all year.
- ``reception_severity`` ("low"); ``union_festival_allowed`` (true); ``needy_keywords``,
  ``everyone_keywords``; ``goods_classes`` (["expense", "asset", "other"]);
  ``standard_account_names``.

## References
- 《中共中央政治局关于改进工作作风、密切联系群众的八项规定》及其实施细则
- 《党政机关国内公务接待管理规定》（公函、审批、接待清单）
- 《基层工会经费收支管理办法》（节日慰问品）
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses, Flag, Severity, Words, Yuan

from ._common import (STANDARD_ACCOUNT_NAMES, fen, findings, joined_keywords, keyword_regex, line_text, voucher_keys,
                      without_names, yuan)

ID = "hospitality-and-gifts"
TITLE = "公款吃喝送礼"
TITLE_EN = "Banquets, gifts, cards, tobacco and alcohol paid from public money"
GROUP = "journal"
SEVERITY = "high"
BASIS = "中央八项规定及其实施细则：严禁公款吃喝、公款旅游、公款送礼，严禁违规发放购物卡、购买烟酒"
REQUIRES = ("debit", "account", "summary")

_EIGHT_POINTS = "来源：中央八项规定实施细则及各地纪委通报的典型问题。"
OPTIONS = {
    "min_amount_yuan": Yuan(0, help="支出金额达到此数（元）才报告；八项规定不论金额大小。来源：本工具约定。"),
    "tobacco_alcohol_keywords": Words(["香烟", "烟酒", "烟草", "卷烟", "中华烟", "芙蓉王", "白酒", "红酒", "啤酒", "洋酒",
                                       "酒水", "茅台", "五粮液", "名酒"],
        help="烟酒。不含单独的“烟”“酒”（油烟机、酒精、酒店不算）。" + _EIGHT_POINTS),
    "card_keywords": Words(["购物卡", "超市卡", "礼品卡", "提货卡", "提货券", "消费卡", "储值卡", "加油卡", "油卡", "礼券",
                            "代金券"],
        help="购物卡、礼品卡、加油卡等卡券。" + _EIGHT_POINTS),
    "banquet_keywords": Words(["宴请", "宴席", "酒席", "宴会", "酒宴", "聚餐", "接风", "饭局"], help="宴请、聚餐。" + _EIGHT_POINTS),
    "tourism_keywords": Words(["旅游", "旅行社", "景区门票", "度假", "游览", "农家乐"], help="公款旅游。" + _EIGHT_POINTS),
    "entertainment_keywords": Words(["KTV", "歌厅", "洗浴", "足浴", "按摩", "会所", "高尔夫"],
        help="娱乐消费。" + _EIGHT_POINTS),
    "gift_keywords": Words(["礼品", "礼金", "红包", "礼物", "土特产"], help="送礼。" + _EIGHT_POINTS),
    "festival_foods": Words(["月饼:8-10", "粽子:5-6", "年货:12-2", "汤圆:1-3", "元宵:1-3", "大闸蟹:9-11", "腊肉:12-2",
                             "年夜饭:1-2"],
        help="节日食品及其节日所在月份（“食品:起月-止月”，可跨年，如 12-2；不写月份则全年报告），按凭证日期或会计期间判断。"
             "来源：各地纪委节日期间“四风”问题通报（中秋月饼、端午粽子、春节年货）。"),
    "reception_keywords": Words(["招待费", "接待费", "招待餐", "接待餐", "业务招待", "公务接待"],
        help="公务接待：有公函、审批单和接待清单的可以列支，按 reception_severity 报告供核实。来源：《党政机关国内公务接待管理规定》。"),
    "reception_severity": Severity("low", help="公务接待支出的风险等级。来源：本工具约定，默认 low 供核对接待清单。"),
    "union_festival_allowed": Flag(True,
        help="为 true 时工会账中的节日食品（会员节日慰问品）不报告。来源：《基层工会经费收支管理办法》允许向会员发放节日慰问品。"),
    "needy_keywords": Words(["困难", "低保", "五保", "特困", "孤寡", "残疾", "留守", "贫困", "救助", "受灾", "灾民", "空巢",
                             "高龄", "老党员"],
        help="对特定困难群体的慰问救助，一般经审批名单发放，不报告（除非同时含 everyone_keywords）。"
             "来源：民政救助及党内关怀帮扶规定。"),
    "everyone_keywords": Words(["全体", "每人", "人手", "全员", "所有"], help="表示人人有份的词，出现时即使含 needy_keywords 也报告。来源：本工具约定。"),
    "goods_classes": AccountClasses(["expense", "asset", "other"],
        help="检查哪些科目类别的借方：expense 费用支出，asset 资产，other 未识别科目。来源：本工具约定。"),
    "standard_account_names": Words(list(STANDARD_ACCOUNT_NAMES),
        help="各会计制度一级科目的标准名称，其中的字不算关键词。"
             "来源：政府会计制度、民间非营利组织会计制度、村集体经济组织会计制度、工会会计制度科目表。"),
}

# kind -> (option with its words, what the message says it is)
_KINDS = {
    "tobacco_alcohol": ("tobacco_alcohol_keywords", "公款购买烟酒"),
    "card": ("card_keywords", "购买购物卡、礼品卡、加油卡等卡券"),
    "banquet": ("banquet_keywords", "公款宴请、聚餐"),
    "tourism": ("tourism_keywords", "公款旅游"),
    "entertainment": ("entertainment_keywords", "公款娱乐消费"),
    "gift": ("gift_keywords", "公款送礼"),
    "festival": ("festival_foods", "节日期间购买节日食品"),
}


def _festival_months(entries) -> dict[str, set[int]]:
    """"月饼:8-10" → {"月饼": {8, 9, 10}}; "年货:12-2" wraps the year; no months: all twelve."""
    months: dict[str, set[int]] = {}
    for entry in entries:
        food, _, span = str(entry).partition(":")
        first, _, last = span.partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError:
            start, end = 1, 12
        if not (1 <= start <= 12 and 1 <= end <= 12):
            start, end = 1, 12
        chosen = set(range(start, end + 1)) if start <= end else set(range(start, 13)) | set(range(1, end + 1))
        months.setdefault(food.strip(), set()).update(chosen)
    return {food: chosen for food, chosen in months.items() if food}


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    foods = _festival_months(options["festival_foods"])
    words = {kind: (list(foods) if kind == "festival" else list(options[name])) for kind, (name, _) in _KINDS.items()}
    any_word = keyword_regex([w for kind in _KINDS for w in words[kind]] + list(options["reception_keywords"]))
    spent = ((ledger["debit_fen"] > 0) & (ledger["debit_fen"] >= fen(options["min_amount_yuan"]))).to_numpy()
    # The few lines with a keyword in some column are found first, each column's distinct texts
    # searched once; the rest of the rule looks only at them.
    worded = np.zeros(len(ledger), dtype=bool)
    for column in ("summary", "account_name", "counterparty"):
        codes, texts = pd.factorize(ledger[column])
        has = pd.Series(texts, dtype=object).str.replace(r"\s+", "", regex=True).str.contains(any_word, regex=True)
        worded |= has.to_numpy(dtype=bool)[codes] if len(texts) else False
    chosen = np.flatnonzero(spent & worded)
    lines = ledger[["voucher_id", "line_id", "debit_fen", "summary", "account_name", "counterparty", "book", "date",
                    "period", "account_class"]].iloc[chosen]
    lines = lines[lines["account_class"].isin(list(options["goods_classes"])).to_numpy(dtype=bool)]
    if lines.empty:
        return no_findings()
    whole_text = line_text(lines, ("summary", "account_name", "counterparty"))
    text = without_names(whole_text, options["standard_account_names"])
    found = {kind: text.str.contains(keyword_regex(w), regex=True).to_numpy(dtype=bool) for kind, w in words.items()}
    reception = text.str.contains(keyword_regex(options["reception_keywords"]), regex=True).to_numpy(dtype=bool)
    candidate = np.logical_or.reduce([*found.values(), reception])
    if not candidate.any():
        return no_findings()

    # Festival foods count only in their season (and not in the union book when allowed there).
    if found["festival"].any():
        month = lines["date"].dt.month.to_numpy(dtype="float64", na_value=np.nan)
        from_period = pd.to_numeric(lines["period"].str[5:7], errors="coerce").to_numpy(dtype="float64")
        month = np.where(np.isnan(month), from_period, month)
        in_season = np.zeros(len(lines), dtype=bool)
        for food, chosen in foods.items():
            has_food = text.str.contains(keyword_regex([food]), regex=True).to_numpy(dtype=bool)
            in_season |= has_food & np.isin(month, list(chosen))
        found["festival"] = found["festival"] & in_season
        if options.get("union_festival_allowed", True):
            found["festival"] = found["festival"] & (lines["book"] != "union").to_numpy(dtype=bool)
    needy = (whole_text.str.contains(keyword_regex(options["needy_keywords"]), regex=True)
             & ~text.str.contains(keyword_regex(options["everyone_keywords"]), regex=True)).to_numpy(dtype=bool)
    forbidden = np.logical_or.reduce(list(found.values())) & ~needy
    reception = reception & ~needy & ~forbidden
    flagged = forbidden | reception
    if not flagged.any():
        return no_findings()

    at = np.flatnonzero(flagged)
    hit = lines.iloc[at]
    kinds = pd.Series("", index=hit.index, dtype=object)
    for kind, (_, label) in _KINDS.items():
        kinds = kinds.where(~found[kind][at], kinds + "、" + label)
    kinds = kinds.str.lstrip("、")
    shown = [w for kind in _KINDS for w in words[kind]] + list(options["reception_keywords"])
    cues = joined_keywords(text.iloc[at], shown)
    amount = yuan(hit["debit_fen"]).set_axis(hit.index)
    message = pd.Series("支出 " + amount + " 元，摘要或科目含" + cues + "（" + kinds + "），属八项规定禁止的公款支出，请核实",
                        index=hit.index)
    is_reception = pd.Series(reception[at], index=hit.index)
    message = message.where(~is_reception, "支出 " + amount + " 元，摘要或科目含" + cues
                            + "（公务接待），请核对公函、接待审批单和接待清单，是否超标准或变相公款吃喝")
    severity = pd.Series(SEVERITY, index=hit.index).where(~is_reception, options.get("reception_severity", "low"))

    # One finding per voucher: a forbidden line before a reception, then the largest.
    result = pd.DataFrame({"voucher_id": hit["voucher_id"], "line_id": hit["line_id"], "amount": hit["debit_fen"],
                           "message": message, "severity": severity, "reception": is_reception})
    first = result.sort_values(["reception", "amount"], ascending=[True, False], kind="stable").drop_duplicates("voucher_id")
    first = first.sort_values("line_id", kind="stable")
    return findings(voucher_keys(ledger, first["voucher_id"]), first["line_id"], first["amount"], first["message"],
                    first["severity"])
