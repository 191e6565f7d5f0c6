"""The ledger fields we understand, the headers real exports use for them, and the columns of
the normalised table every rule receives.

The normalised ledger (one row per voucher entry line) has exactly the columns in
``LEDGER_COLUMNS``; ``voucher_checker.schema`` validates it. Rules may rely on every column being there:
a field the source sheet lacked is blank ("" / NaN / <NA>), and the engine never hands a rule
lines from a sheet that lacks a field the rule declares in ``REQUIRES``.
"""
from __future__ import annotations

# Source fields, as rules name them in REQUIRES.  "account" is satisfied by a code or a name,
# "debit"/"credit" also by one amount column with a direction column.
SOURCE_FIELDS = (
    "date", "year", "month", "day", "period", "voucher", "voucher_word", "line_no", "summary",
    "account_code", "account_name", "debit", "credit", "amount", "direction", "counterparty",
    "settlement", "preparer", "reviewer", "poster", "cashier", "attachments", "quantity",
    "unit_price", "unit", "counter_account", "balance",
)

# Header text → field.  Matching is on the cell with spaces, colons and line breaks removed.
# Order matters only for readability; exact matches win over "contains" matches.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "凭证日期", "制单日期", "记账日期", "业务日期", "发生日期", "入账日期"),
    "year": ("年", "年度", "会计年度"),
    "month": ("月", "月份"),
    "day": ("日",),
    "period": ("会计期间", "期间", "所属期间", "记账期间"),
    "voucher": ("凭证号", "凭证号数", "凭证字号", "凭证编号", "字号", "凭证号码", "凭证"),
    "voucher_word": ("凭证字", "凭证类别", "凭证类型", "凭证种类"),
    "line_no": ("分录号", "行号", "序号", "分录序号"),
    "summary": ("摘要", "凭证摘要", "分录摘要", "摘要说明", "业务摘要"),
    "account_code": ("科目编码", "科目代码", "科目编号", "会计科目编码", "科目号"),
    "account_name": ("科目名称", "会计科目", "科目", "科目全名", "科目全称", "会计科目名称"),
    "debit": ("借方", "借方金额", "借方发生额", "借", "借方本币", "收入金额", "借方(元)", "收入"),
    "credit": ("贷方", "贷方金额", "贷方发生额", "贷", "贷方本币", "支出金额", "贷方(元)", "支出"),
    "amount": ("金额", "发生额", "本币金额", "金额(元)"),
    "direction": ("方向", "借贷方向", "借/贷", "借贷"),
    "counterparty": ("往来单位", "单位名称", "客户", "供应商", "辅助核算", "往来单位名称",
                     "对方单位", "收款单位", "辅助项"),
    "settlement": ("结算方式", "结算号", "票据号", "支付方式", "付款方式"),
    "preparer": ("制单", "制单人", "填制人", "录入人"),
    "reviewer": ("审核", "审核人", "复核", "复核人", "审批人", "监督人", "监委会审核"),
    "poster": ("记账", "记账人", "过账", "过账人"),
    "cashier": ("出纳", "出纳人"),
    "attachments": ("附件数", "附件张数", "附单据数", "附件", "单据数", "附件(张)"),
    "quantity": ("数量", "借方数量", "采购数量"),
    "unit_price": ("单价",),
    # The unit whose books a line belongs to, in exports of several books (用友, 金蝶).
    "unit": ("核算账簿名称", "核算账簿", "账簿名称", "账套名称", "核算单位", "核算单位名称", "核算主体", "账套"),
    # Journals (现金日记账, 银行存款日记账): the other side of each movement, and the running balance.
    "counter_account": ("对方科目", "对方科目名称", "对应科目", "对方科目全称"),
    "balance": ("余额", "结余", "结存", "账面余额", "余额金额", "结余金额"),
}

# A header row must contain at least one of these and at least MIN_HEADER_FIELDS fields.
CORE_FIELDS = ("summary", "debit", "credit", "amount", "account_name", "account_code", "voucher")
MIN_HEADER_FIELDS = 3

# Rows that are subtotals, carries or opening balances, not entries.  Matched at the start of
# the summary (or of any text cell left of the amounts) after removing spaces.
SUBTOTAL_MARKERS = (
    "本日合计", "本月合计", "本期合计", "本年累计", "本年合计", "本季合计", "累计", "合计", "小计",
    "总计", "期初余额", "年初余额", "上年结转", "上期结转", "承前页", "过次页", "承上页", "转下页",
    "期末余额", "本月发生额", "结转下年",
)

BOOKS = ("admin", "union", "party", "unknown")
BOOK_LABELS = {"admin": "行政账", "union": "工会账", "party": "党费账", "unknown": "未识别账套"}

ACCOUNT_CLASSES = ("cash", "bank", "expense", "income", "asset", "receivable_payable", "other")

SEVERITIES = ("high", "medium", "low")
# A rule's default weight in the risk score (voucher_checker.scoring), by its severity.
SEVERITY_WEIGHTS = {"high": 50, "medium": 30, "low": 15}
SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}

# The normalised table.  dtype names are pandas dtypes; "str" columns never hold NaN ("" instead).
# Its rows are in sheet order: by line_id, which numbers the lines file by file (in the order
# the files were collected), sheet by sheet (in workbook order) and row by row.
LEDGER_COLUMNS: dict[str, str] = {
    "line_id": "int64",          # unique within a scan; also the index
    "file": "str",               # as shown to the user (relative to the scanned folder)
    "sheet": "str",
    "row": "int64",              # Excel row number, 1-based, as Excel shows it
    "entity": "str",             # community / village name, "" when unknown
    "book": "str",               # admin | union | party | unknown
    "date": "datetime64[ns]",    # NaT when the source has only a period
    "period": "str",             # "YYYY-MM"
    "voucher_word": "str",       # 记, 现付, 银付, 转 …; "" when the book has bare numbers
    "voucher_no": "int64",
    "voucher": "str",            # display form, e.g. "记-6", "现付-18", "6"
    "voucher_key": "str",        # entity|book|period|word|number: one voucher
    "voucher_id": "int64",       # the same voucher as a dense integer (0, 1, 2 … in line order):
                                 # group and sort by this, it is ~15x faster than voucher_key
    "line_no": "Int64",
    "summary": "str",
    "account_code": "str",
    "account_name": "str",       # full name as in the ledger, e.g. "管理费用-办公费"
    "account_class": "str",      # one of ACCOUNT_CLASSES
    "debit_fen": "int64",        # >= 0; a red (negative) amount is moved to the other side
    "credit_fen": "int64",       # >= 0
    "is_reversal": "bool",       # the source amount was negative or in parentheses (红字)
    "counterparty": "str",
    "settlement": "str",
    "preparer": "str",
    "reviewer": "str",
    "poster": "str",
    "attachments": "Int64",
    "quantity": "float64",
    "unit_price_fen": "Int64",
    "journal": "str",            # cash | bank for the lines of a cash or bank journal, "" otherwise
    "balance_fen": "Int64",      # a journal's running balance (余额) after this movement, where written
}
TEXT_COLUMNS = tuple(c for c, t in LEDGER_COLUMNS.items() if t == "str")


def fields_satisfy(present: frozenset[str] | set[str], required: tuple[str, ...]) -> list[str]:
    """The required fields a sheet lacks (empty when a rule can run on it)."""
    have = set(present)
    if "account_code" in have or "account_name" in have:
        have.add("account")
    if "amount" in have and "direction" in have:
        have.update(("debit", "credit"))
    if {"year", "month", "day"} <= have or "date" in have:
        have.add("date")
    if "period" in have or "date" in have or "month" in have:
        have.add("period")
    return [f for f in required if f not in have]

# How `inspect` and the report name source fields.
SOURCE_FIELD_LABELS = {
    "date": "日期", "year": "年", "month": "月", "day": "日", "period": "会计期间", "voucher": "凭证号",
    "voucher_word": "凭证字", "line_no": "分录号", "summary": "摘要", "account_code": "科目编码",
    "account_name": "科目名称", "debit": "借方金额", "credit": "贷方金额", "amount": "金额",
    "direction": "借贷方向", "counterparty": "往来单位", "settlement": "结算方式", "preparer": "制单人",
    "reviewer": "审核人", "poster": "记账人", "cashier": "出纳", "attachments": "附件数", "quantity": "数量",
    "unit_price": "单价", "account": "会计科目", "unit": "核算单位", "counter_account": "对方科目", "balance": "余额",
}


def field_label(name: str) -> str:
    """The Chinese name users know for a source field (审核人 for reviewer)."""
    return SOURCE_FIELD_LABELS.get(name) or HEADER_SYNONYMS.get(name, (name,))[0]
