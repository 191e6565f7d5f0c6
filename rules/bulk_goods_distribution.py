"""利用活动普发物资（bulk-goods-distribution）

## What it does
Finds purchases (debits to expense or asset accounts) of goods bought to be handed out:

- a large quantity — from the 数量 column, or from the summary written with Arabic or Chinese
  numerals and a measure word (616个, 500条, 300盒, 1,000件, 两百份, 一百二十桶) — at or above
  ``min_quantity``; or
- words of handing out: 慰问品, 纪念品, 礼品, 购物卡, 超市卡, 人手一份 …
  (``distribution_keywords``), or 发放/分发/福利 next to a purchase (``weak_distribution_keywords``),

and the line amount is at or above ``min_amount_yuan``.  Activity and festival words (七一, 中秋,
春节, 重阳, 活动 …) are named in the message; a large quantity with neither festival nor
distribution words is reported at ``quantity_only_severity``.

Not flagged: supplies for the office's own use or for public work (打印纸, 硒鼓, 电脑, 档案盒,
口罩, 宣传资料 … in ``own_use_keywords``), and relief for named needy groups (慰问困难群众, 低保户,
高龄老人 … in ``needy_keywords``) unless the summary says it went to everyone (全体, 每人, 人手).

Where words are looked for: the words that make a finding (distribution, festival, purchase and
everyone words) in the summary and the line's own sub-account — the account name without the
standard top-level names of the charts (``standard_account_names``), so that 业务活动费用-慰问品
counts as 慰问品 while 活动 in 业务活动费用 or 业务活动成本 is no activity word and
业务活动费用-办公费 is no more suspect than 管理费用-办公费.  The words that clear a line (own use,
needy groups) in the whole summary and account name: a false finding costs more than a missed one.

## Why is this bad?
The eight-point rules forbid handing out goods, gifts and cards (滥发实物、礼品、购物卡) under the
cover of an activity or a festival.  The notice cites 2021年7月12#凭证支付616个烧水壶1.85万元.

## Example
A flagged voucher:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-12 | 2021-07-12 | 购买烧水壶616个（七一活动） | 管理费用-其他 | 18,500.00 | |
| 记-12 | 2021-07-12 | 购买烧水壶616个（七一活动） | 银行存款 | | 18,500.00 |

→ 购买物品 616 个，金额 18,500.00 元，摘要含“七一”“活动”，疑似利用活动普发实物、礼品或购物卡

## Use instead
Office supplies for the office itself are not distribution; this look-alike is not flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-13 | 2021-07-15 | 购买打印纸50箱 | 管理费用-办公费 | 1,500.00 | |
| 记-13 | 2021-07-15 | 购买打印纸50箱 | 银行存款 | | 1,500.00 |

## Options
- ``min_quantity`` (50): a community office of 5–20 staff does not use 50 units of one consumer
  good; at or above this a purchase is bulk.
- ``min_amount_yuan`` (2000): smaller purchases are left out (same order as the cash limit).
- ``measure_words``, ``distribution_keywords``, ``weak_distribution_keywords``, ``purchase_keywords``,
  ``festival_keywords``, ``own_use_keywords``, ``needy_keywords``, ``everyone_keywords``.
- ``goods_classes`` (["expense", "asset", "other"]), ``quantity_only_severity`` ("medium").
- ``standard_account_names`` (业务活动费用, 业务活动成本, 管理费用, 其他支出, 公益支出, 经营支出,
  职工活动支出 … of the government, non-profit, village and union charts): top-level names whose
  words are not keywords.

## References
- 中央八项规定及其实施细则：严禁以各种名义突击花钱和滥发津贴、补贴、奖金和实物
- 《雨湖区村级财务管理办法（试行）》；巡察反馈：2021年7月12#凭证支付616个烧水壶1.85万元
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import AccountClasses, Count, Severity, Words, Yuan

from ._common import (EVERYONE_WORDS, NEEDY_WORDS, STANDARD_ACCOUNT_NAMES, chinese_number, fen, findings, joined_keywords, keyword_regex, line_text,
                      voucher_keys, without_names, yuan)

ID = "bulk-goods-distribution"
TITLE = "利用活动普发物资"
TITLE_EN = "Goods handed out wholesale under cover of an activity"
GROUP = "notice"
SEVERITY = "high"
BASIS = "中央八项规定精神：严禁滥发实物、礼品、购物卡；村级财务管理办法"
REQUIRES = ("debit", "account", "summary")
OPTIONS = {
    "min_quantity": Count(50,
        help="一次购买同一物品的数量达到此数即视为批量。来源：本工具约定——社区工作人员一般 5–20 人，"
             "办公自用不会一次买 50 件同类消费品；巡察反馈例为 616 个。"),
    "min_amount_yuan": Yuan(2000, help="金额达到此数（元）才报告，避免零星采购。来源：本工具约定，与备用金限额同一量级（2000 元）。"),
    "measure_words": Words(["个", "条", "盒", "份", "件", "箱", "袋", "桶", "瓶", "套", "只", "把", "双", "床", "提",
                            "包", "支", "本", "块", "顶", "罐", "壶", "听", "对", "册", "张", "台"],
        help="摘要中紧跟数量的量词（616个、500条、两百份）。来源：常见商品量词；不含 斤、米、次、人 等非件数单位。"),
    "distribution_keywords": Words(["慰问品", "纪念品", "礼品", "礼物", "礼包", "购物卡", "超市卡", "提货卡", "提货券",
                                    "礼券", "卡券", "人手一份", "每人一份", "福利品", "节日物资", "过节物资", "月饼"],
        help="单独出现即表明发放实物、礼品、购物卡的词。来源：八项规定实施细则所列“滥发实物、礼品、购物卡”。"),
    "weak_distribution_keywords": Words(["发放", "分发", "福利", "奖品", "赠送", "慰问"],
        help="与购买或数量同时出现时才算发放的词（单独的“发放工资”不算）。来源：本工具约定。"),
    "purchase_keywords": Words(["购买", "购置", "采购", "买", "购"], help="表示购买的词，用于配合 weak_distribution_keywords。来源：本工具约定。"),
    "festival_keywords": Words(["七一", "建党", "中秋", "春节", "新春", "重阳", "端午", "三八", "妇女节", "五一", "劳动节",
                                "国庆", "元旦", "元宵", "六一", "儿童节", "八一", "节日", "过节", "活动"],
        help="活动、节日词，写入问题说明；仅有数量而无节日、发放词的按 quantity_only_severity 报告。"
             "来源：巡察反馈（七一活动）及常见节日。"),
    "own_use_keywords": Words(["打印纸", "复印纸", "A4纸", "A3纸", "纸张", "办公用品", "办公椅", "办公桌", "会议桌", "硒鼓",
                               "墨盒", "碳粉", "色带", "电脑", "打印机", "复印机", "文件柜", "档案盒", "档案袋", "档案柜",
                               "文件袋", "文件夹", "签字笔", "中性笔", "笔芯", "订书", "信封", "稿纸", "便签", "灯管", "灯泡",
                               "空调", "垃圾袋", "垃圾桶", "扫把", "拖把", "消毒", "口罩", "防疫", "疫情", "宣传", "印制",
                               "印刷", "横幅", "展板", "海报", "手册", "资料", "复印", "桶装水", "矿泉水", "盒饭", "工作餐",
                               "活动室", "活动中心", "桌椅", "椅子", "凳", "党旗", "国旗", "党徽", "奖状", "证书", "灭火器", "安全帽", "水泥", "树苗", "苗木"],
        help="办公自用、公共事务用品（办公耗材、设备、防疫、宣传资料等），含这些词的不报告。"
             "来源：巡察整改措施“建立完善办公用品购置和领用制度”。"),
    "needy_keywords": Words(NEEDY_WORDS,
        help="对特定困难群体的慰问救助，一般经审批名单发放，不报告（除非同时含 everyone_keywords）。"
             "来源：民政救助及党内关怀帮扶规定。"),
    "everyone_keywords": Words(EVERYONE_WORDS, help="表示人人有份的词，出现时即使含 needy_keywords 也报告。来源：本工具约定。"),
    "goods_classes": AccountClasses(["expense", "asset", "other"],
        help="检查哪些科目类别的借方：expense 费用支出，asset 资产（库存物资），other 未识别科目。来源：本工具约定。"),
    "quantity_only_severity": Severity("medium", help="只有大批数量、没有节日或发放字样时的风险等级。来源：本工具约定。"),
    "standard_account_names": Words(list(STANDARD_ACCOUNT_NAMES),
        help="各会计制度一级科目的标准名称；其中的字（如“业务活动费用”中的“活动”）不算发放、节日词。"
             "来源：政府会计制度、民间非营利组织会计制度、村集体经济组织会计制度、工会会计制度科目表。"),
}

_CHINESE_NUMERAL = "[零〇一二两三四五六七八九十百千万]+"
# A count followed by these is a duration or a place, not goods: 3个月, 12个村民小组.
_NOT_GOODS_AFTER = "(?!月|工作日|小时|季度|村|社区|网格|小组|单位|点位|组|人)"


def _summary_quantity(summary: pd.Series, measure_words) -> pd.DataFrame:
    """The largest count-with-measure-word in each summary and its measure word (the first one
    written when two counts are equal)."""
    pattern = (r"(?P<number>\d{1,3}(?:[,，]\d{3})+|\d+|" + _CHINESE_NUMERAL + r")\s*(?P<unit>"
               + keyword_regex(measure_words) + ")" + _NOT_GOODS_AFTER)
    found = summary.str.extractall(pattern)
    if found.empty:
        return pd.DataFrame({"quantity": np.nan, "unit": ""}, index=summary.index)
    digits = found["number"].str.replace(r"[,，]", "", regex=True)
    arabic = pd.to_numeric(digits.where(digits.str.fullmatch(r"\d+")), errors="coerce")
    words = pd.unique(digits[arabic.isna()])
    chinese = digits.map({w: chinese_number(w) for w in words})
    found["quantity"] = arabic.fillna(chinese)
    found = found.dropna(subset=["quantity"]).sort_values("quantity", ascending=False, kind="stable")
    best = found.groupby(level=0).first()
    return best[["quantity", "unit"]].reindex(summary.index).fillna({"unit": ""})


def _quantity_text(quantity: pd.Series) -> pd.Series:
    whole = quantity.round().astype("int64").astype(str)
    return whole.where(quantity == quantity.round(), quantity.astype(str))


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    min_amount = fen(options["min_amount_yuan"])
    is_purchase = ((ledger["debit_fen"] > 0) & (ledger["debit_fen"] >= min_amount)
                   & ledger["account_class"].isin(list(options["goods_classes"])))
    lines = ledger[["voucher_id", "line_id", "debit_fen", "summary", "account_name", "quantity"]][is_purchase]
    if lines.empty:
        return no_findings()
    whole_text = line_text(lines, ("summary", "account_name"))
    # Words that make a finding are looked for in the summary and the line's own sub-account, not
    # in the chart's top-level name (活动 of 业务活动费用); words that clear a line, in all of it.
    text = without_names(whole_text, options["standard_account_names"])
    # Counts are read once per distinct summary: a ledger repeats its summaries.
    codes, summaries = pd.factorize(lines["summary"])
    summaries = pd.Series(summaries, dtype=lines["summary"].dtype).str.replace(r"\s+", "", regex=True)
    from_summary = _summary_quantity(summaries, options["measure_words"]).iloc[codes].set_axis(lines.index)
    column_quantity = lines["quantity"].where(lines["quantity"] > 0)
    quantity = column_quantity.fillna(from_summary["quantity"])
    unit = from_summary["unit"].where(column_quantity.isna(), "")

    def has(words, where=text) -> pd.Series:
        return where.str.contains(keyword_regex(words), regex=True)

    bulk = quantity >= float(options["min_quantity"])
    strong = has(options["distribution_keywords"])
    weak = has(options["weak_distribution_keywords"]) & (has(options["purchase_keywords"]) | quantity.notna())
    festival = has(options["festival_keywords"])
    own_use = has(options["own_use_keywords"], whole_text)
    needy = has(options["needy_keywords"], whole_text) & ~has(options["everyone_keywords"])
    flagged = (bulk | strong | weak) & ~own_use & ~needy
    if not flagged.any():
        return no_findings()

    hit = lines[flagged]
    cues = joined_keywords(text[hit.index], list(options["distribution_keywords"]) + list(options["festival_keywords"])
                           + list(options["weak_distribution_keywords"]) + list(options["everyone_keywords"]))
    amount_text = yuan(hit["debit_fen"]).set_axis(hit.index)
    quantity_hit = quantity[hit.index]
    counted = quantity_hit.notna()
    unit_hit = unit[hit.index]
    count_text = pd.Series("购买物品 ", index=hit.index) + _quantity_text(quantity_hit.fillna(0)) \
        + (" " + unit_hit).where(unit_hit != "", "") + "，金额 " + amount_text + " 元"
    count_text = count_text.where(counted, "购买物品金额 " + amount_text + " 元")
    with_cues = count_text + "，摘要含" + cues + "，疑似利用活动普发实物、礼品或购物卡"
    quantity_only = count_text + "，数量明显超过办公自用，未注明用途，请核实是否普发实物"
    message = with_cues.where(cues != "", quantity_only)
    severity = pd.Series(SEVERITY, index=hit.index).where(
        festival[hit.index] | strong[hit.index] | weak[hit.index], options.get("quantity_only_severity", "medium"))

    # One finding per voucher: its largest flagged line speaks for it.
    order = hit.sort_values("debit_fen", ascending=False, kind="stable").index
    result = pd.DataFrame({"voucher_id": hit["voucher_id"], "line_id": hit["line_id"], "amount": hit["debit_fen"],
                           "message": message, "severity": severity}).loc[order]
    first = result.drop_duplicates("voucher_id")
    return findings(voucher_keys(ledger, first["voucher_id"]), first["line_id"], first["amount"], first["message"],
                    first["severity"])
