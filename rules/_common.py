"""Helpers shared by rule modules (not a rule: the leading underscore keeps it out of discovery).

Everything here is vectorised over the ledger; the only Python loops run over keyword lists or
over the few distinct strings a regex extracted, never over ledger rows.

Speed on a million lines comes from three habits the helpers below make easy:
- group, sort and join on integers (``voucher_id``, ``place_codes``), not on text columns: a
  groupby on the text ``voucher_key`` costs ~15x one on ``voucher_id``;
- run text operations once per distinct text (``line_text``, ``on_distinct``): a ledger repeats a
  few hundred summaries and account names over all its lines;
- select the few columns and candidate lines a rule needs before anything else: a row filter on
  the whole ledger copies every column of it.
Rules name vouchers by ``voucher_key`` only in their result, for the few vouchers they report
(``voucher_keys``).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from voucher_checker.engine import combination_codes, no_findings, shared
from voucher_checker.fields import BOOK_LABELS
from voucher_checker.money import yuan_to_fen
from voucher_checker.options import Yuan
from voucher_checker.schema import voucher_lines

# The cash rules' opening balance, declared once: a unit's cash on hand is one number whichever
# rule uses it, and a unit's [[overrides]] may give it to all of them at once (policy.UNIT_FACTS).
OPENING_CASH = Yuan("", optional=True,
    help="账簿起始时的库存现金余额（元）；留空 \"\" 表示未知。来源：总账或现金日记账的期初余额。"
         "各单位不同，宜写在该单位的 [[overrides]] 中（opening_cash_yuan = …，超限额提取备用金、库存现金出现负数、坐支现金三条规则共用）。")

__all__ = ["OPENING_CASH", "on_distinct", "in_sheet_order", "findings", "unit_findings", "yuan", "fen", "keyword_regex", "first_keyword", "line_text",
           "without_names", "STANDARD_ACCOUNT_NAMES",
           "journal_like_lines", "voucher_first_lines", "chinese_number", "book_label", "joined_keywords",
           "is_set", "blank", "voucher_keys", "place_codes", "group_codes", "first_of_each", "Vouchers", "CashDays", "cash_days_of", "NEEDY_WORDS", "EVERYONE_WORDS",
           "NO_DAY", "day_numbers", "day_text", "unit_codes", "PAYEE_SUFFIXES", "payee_in_summary", "counterparties",
           "PLACEHOLDER_COUNTERPARTIES", "is_placeholder_counterparty", "Payments", "payments_of", "payment_partners",
           "shared"]


def fen(yuan_value) -> int:
    return yuan_to_fen(yuan_value)


def is_set(value) -> bool:
    """An optional policy value counts as unknown when blank (TOML has no null, so "" stands for it)."""
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return str(value).strip() != ""


def yuan(fen_values) -> pd.Series:
    """Integer fen → "2,500.00", the same text as ``voucher_checker.money.format_yuan``, for a whole column."""
    values = pd.Series(fen_values).astype("int64")
    sign = np.where(values < 0, "-", "")
    absolute = values.abs()
    whole = (absolute // 100).astype(str).str.replace(r"(\d)(?=(?:\d{3})+$)", r"\1,", regex=True)
    cents = (absolute % 100).astype(str).str.zfill(2)
    return pd.Series(sign, index=values.index) + whole + "." + cents


def blank(text: pd.Series) -> np.ndarray:
    """True where the text is empty or only spaces: ``text.str.strip() == ""`` without building
    a stripped copy of every text."""
    return ((text == "") | text.str.isspace()).to_numpy(dtype=bool)


def findings(voucher_key, line_id, amount_fen, message, severity=None) -> pd.DataFrame:
    """The result frame of a rule, with the dtypes the engine expects."""
    keys = pd.Series(voucher_key).astype(object).to_numpy()
    if len(keys) == 0:
        return no_findings()

    def column(values, dtype):
        if np.ndim(values) == 0:
            return np.full(len(keys), values, dtype=dtype)
        return pd.Series(values).astype(dtype).to_numpy()

    frame = pd.DataFrame({"voucher_key": keys, "line_id": column(line_id, "int64"),
                          "amount_fen": column(amount_fen, "int64"), "message": column(message, object)})
    if severity is not None:
        frame["severity"] = column(severity, object)
    return frame


def unit_findings(line_id, amount_fen, message, file="", sheet="", severity=None) -> pd.DataFrame:
    """The result frame of findings about a unit's book as a whole or one of its sheets, not a
    voucher: ``line_id`` is any line of the unit (the engine takes the entity and book from it),
    ``file`` / ``sheet`` where the finding applies ("" for the whole unit).  The report shows
    such a finding as 单位整体 or the sheet, with no voucher."""
    lines = pd.Series(line_id).astype("int64").to_numpy()
    frame = findings(np.full(len(lines), None, dtype=object), lines, amount_fen, message, severity)
    if frame.empty:
        return frame
    frame["level"] = "unit"
    for name, values in (("file", file), ("sheet", sheet)):
        frame[name] = np.full(len(lines), values, dtype=object) if np.ndim(values) == 0 else \
            pd.Series(values).astype(object).to_numpy()
    return frame


def keyword_regex(words, lookahead: str = "") -> str:
    """One alternation of escaped words, longest first so that 湖南工人报 wins over 工人报."""
    cleaned = sorted({str(w).strip() for w in words if str(w).strip()}, key=len, reverse=True)
    if not cleaned:
        return r"(?!x)x"
    return "(?:" + "|".join(re.escape(w) for w in cleaned) + ")" + lookahead


def first_keyword(text: pd.Series, words, lookahead: str = "") -> pd.Series:
    """The first keyword found in each text ("" when none)."""
    found = text.str.extract("(" + keyword_regex(words, lookahead) + ")", expand=False)
    return found.fillna("").astype(object)


def joined_keywords(text: pd.Series, words) -> pd.Series:
    """Every distinct keyword found in each text, in order of appearance, as “七一”“活动”."""
    def join(distinct: pd.Series) -> pd.Series:
        found = distinct.str.findall(keyword_regex(words))
        exploded = found.explode().dropna()
        if exploded.empty:
            return pd.Series("", index=distinct.index, dtype=object)
        unique = exploded.groupby(level=0, sort=False).unique()
        quoted = unique.str.join("”“")
        return ("“" + quoted + "”").reindex(distinct.index).fillna("").astype(object)
    return on_distinct(text, join)


def on_distinct(values: pd.Series, transform) -> pd.Series:
    """Apply a text transform once per distinct value (a ledger repeats a few hundred summaries,
    accounts and names over thousands of lines) and spread the results back over the lines."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
        dtype = uniques.dtype
    else:
        (codes, uniques), dtype = pd.factorize(values), values.dtype
    done = transform(pd.Series(uniques, dtype=dtype)).to_numpy(dtype=object)
    return pd.Series(done[codes] if len(done) else np.array([], dtype=object), index=values.index, dtype=object)


def line_text(ledger: pd.DataFrame, columns=("summary", "account_name", "counterparty")) -> pd.Series:
    """The free text of each line that keywords are looked for in, spaces removed.

    A categorical Series: its ``.str`` methods (contains, extract …) run once per distinct text
    and are spread back over the lines by pandas, so a keyword search over a million lines costs
    what it costs over the few hundred texts they repeat.  The texts themselves are plain Python
    strings, so regexes behave as on any object column."""
    if ledger.empty:
        return pd.Series(pd.Categorical([], categories=pd.Index([], dtype=object)), index=ledger.index)
    combined = combination_codes(ledger, columns)
    sample = ledger[list(columns)].iloc[first_of_each(combined)]
    text = sample[columns[0]].astype(str)
    for column in columns[1:]:
        text = text + " " + sample[column].astype(str)
    cleaned = text.str.replace(r"\s+", "", regex=True).to_numpy(dtype=object)
    # Different texts can be the same once spaces are removed; a category must be unique.
    codes, categories = pd.factorize(cleaned)
    return pd.Series(pd.Categorical.from_codes(codes[combined], categories=pd.Index(categories, dtype=object)),
                     index=ledger.index)


# The standard names of top-level accounts in the charts community and village books are kept
# under: 政府会计制度 (government), 民间非营利组织会计制度 (non-profit), 村集体经济组织会计制度
# (village, 2004 and 2023) and 工会会计制度 (union).  They say which chart a line is booked in,
# not what was bought or for whom, yet some hold words keyword rules look for: 活动 in 业务活动费用,
# 业务活动成本 and 职工活动支出, 福利 in 应付福利费, 工会 in 工会资金结转.  Listed are the expense,
# cost and outlay accounts where purchases are booked, and the other names that hold such words;
# each once, under the first chart below that has it.
STANDARD_ACCOUNT_NAMES = [
    # 政府会计制度: expenses and budget outlays
    "业务活动费用", "单位管理费用", "经营费用", "资产处置费用", "上缴上级费用", "对附属单位补助费用", "所得税费用",
    "其他费用", "行政支出", "事业支出", "经营支出", "上缴上级支出", "对附属单位补助支出", "投资支出", "债务还本支出",
    "其他支出", "应付职工薪酬",
    # 民间非营利组织会计制度
    "业务活动成本", "管理费用", "筹资费用", "应付工资", "应付福利费",
    # 村集体经济组织会计制度
    "公益支出", "税金及附加", "应付劳务费", "公积公益金", "一事一议资金",
    # 工会会计制度
    "职工活动支出", "职工服务支出", "维权支出", "业务支出", "资本性支出", "补助下级支出", "工会资金结转", "工会资金结余",
]


def without_names(text: pd.Series, names) -> pd.Series:
    """A ``line_text`` with every one of ``names`` (longest first) blanked out, so that the words
    inside them count as no keyword: with the standard top-level account names, "购买慰问品
    业务活动费用-慰问品" is searched as "购买慰问品|-慰问品", the summary and the line's own
    sub-account.  The name becomes a "|" so that the words on either side of it do not join into
    a word neither side wrote.  Once per distinct text, as ``line_text``."""
    pattern = keyword_regex(names)
    categories = pd.Series(text.cat.categories, dtype=object).str.replace(pattern, "|", regex=True)
    # Texts that differed only in a standard name are now the same; a category must be unique.
    codes, unique = pd.factorize(categories.to_numpy(dtype=object))
    blanked = pd.Categorical.from_codes(codes[text.cat.codes.to_numpy()], categories=pd.Index(unique, dtype=object))
    return pd.Series(blanked, index=text.index)


def first_of_each(codes: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each code, for codes numbered 0, 1, 2 … in order of
    first appearance (as ``pd.factorize`` numbers them): a new code is one above all before it."""
    codes = np.asarray(codes)
    if len(codes) == 0:
        return np.array([], dtype="int64")
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.concatenate(([True], seen[1:] > seen[:-1])))


class Vouchers:
    """The lines of a ledger (or of some of its lines) grouped by voucher, with per-voucher sums,
    maxima and first values in milliseconds where a pandas groupby takes tens.

    Vouchers are numbered 0, 1, 2 … in order of first appearance, the order of
    ``groupby("voucher_id", sort=False)``: ``code`` is that number for each line, ``id`` the
    voucher_id of each voucher and ``first_line`` the position of its first line.  Results are
    numpy arrays in that order; ``frame`` puts them in a DataFrame indexed by voucher_id."""

    def __init__(self, voucher_id: pd.Series):
        ids = voucher_id.to_numpy()
        first = first_of_each(ids)
        # The whole ledger's voucher_id is already numbered so; a subset of it needs renumbering.
        if not (len(first) == (ids.max() + 1 if len(ids) else 0) and np.array_equal(ids[first], np.arange(len(first)))):
            ids = pd.factorize(ids)[0]
            first = first_of_each(ids)
        self.code = ids
        self.first_line = first
        self.id = voucher_id.to_numpy()[first]
        self.count = len(first)

    def first(self, values) -> np.ndarray:
        """The value on each voucher's first line."""
        return np.asarray(values)[self.first_line]

    def first_present(self, values) -> np.ndarray:
        """The first value that is not NaN on each voucher's lines (NaN when none is)."""
        values = np.asarray(values, dtype="float64")
        present = np.flatnonzero(~np.isnan(values))
        line = np.full(self.count, len(values))
        np.minimum.at(line, self.code[present], present)
        return np.append(values, np.nan)[line]

    def sum(self, values) -> np.ndarray:
        """The total of numbers (integers stay exact) over each voucher's lines."""
        values = np.asarray(values)
        total = np.zeros(self.count, dtype=values.dtype)
        np.add.at(total, self.code, values)
        return total

    def any(self, mask) -> np.ndarray:
        """True for the vouchers with a line in ``mask``."""
        return np.bincount(self.code[np.asarray(mask, dtype=bool)], minlength=self.count) > 0

    def min(self, values) -> np.ndarray:
        """The smallest of integer values on each voucher's lines."""
        values = np.asarray(values)
        smallest = np.full(self.count, np.iinfo(values.dtype).max, dtype=values.dtype)
        np.minimum.at(smallest, self.code, values)
        return smallest

    def max(self, values) -> np.ndarray:
        """The largest value on each voucher's lines; for floats, the largest that is not NaN
        (NaN when none is)."""
        values = np.asarray(values)
        if values.dtype.kind == "f":
            largest = np.full(self.count, np.nan)
            np.fmax.at(largest, self.code, values)
        else:
            largest = np.full(self.count, np.iinfo(values.dtype).min, dtype=values.dtype)
            np.maximum.at(largest, self.code, values)
        return largest

    def frame(self, **columns) -> pd.DataFrame:
        return pd.DataFrame(columns, index=pd.Index(self.id, name="voucher_id"))


SHEET_ORDER = ["file", "sheet", "row", "line_id"]


def in_sheet_order(ledger: pd.DataFrame, columns: list[str], mask=None) -> pd.DataFrame:
    """``columns`` of the ledger (and ``SHEET_ORDER``) in sheet order, for the lines in ``mask``
    (all when None); selecting only what is used avoids copying the whole ledger (a million
    lines of it is half a gigabyte).

    Sheet order is line_id order (the reader numbers lines file by file, sheet by sheet in
    workbook order, row by row).  The ledger and every subset the engine hands a rule are
    already in it, so this normally selects and does not sort."""
    lines = ledger[list(dict.fromkeys([*columns, *SHEET_ORDER]))]
    if mask is not None:
        lines = lines[mask]
    if lines["line_id"].is_monotonic_increasing:
        return lines
    return lines.sort_values("line_id", kind="stable")


def voucher_keys(ledger: pd.DataFrame, voucher_ids) -> np.ndarray:
    """The voucher_key of each of ``voucher_ids``: rules group by the integer id and name only
    the few vouchers they report."""
    wanted = np.asarray(voucher_ids, dtype="int64")
    ids = ledger["voucher_id"].to_numpy()
    if len(wanted) == 0:
        return np.array([], dtype=object)
    at = voucher_lines(ledger, wanted)
    names = pd.Series(ledger["voucher_key"].iloc[at].to_numpy(dtype=object), index=ids[at])
    names = names[~names.index.duplicated()]
    return names.reindex(wanted).to_numpy(dtype=object)


def group_codes(frame: pd.DataFrame, columns: list[str], sort: bool = False) -> np.ndarray:
    """The combination of the text ``columns`` in each row as an integer: 0, 1, 2 … in order of
    first appearance, or in the order of the texts when ``sort``.

    Neighbouring rows mostly repeat it (the lines of a sheet, the vouchers of a month), so only
    the rows where it changes are grouped; comparing neighbours is cheap where hashing a million
    texts is not."""
    if frame.empty:
        return np.array([], dtype="int64")
    changed = np.zeros(len(frame), dtype=bool)
    changed[0] = True
    for column in columns:
        changed |= (frame[column] != frame[column].shift()).to_numpy(dtype=bool)
    starts = np.flatnonzero(changed)
    runs = frame[columns].iloc[starts]
    run_code = runs.groupby(columns, sort=sort, dropna=False).ngroup().to_numpy()
    return np.repeat(run_code, np.diff(np.append(starts, len(frame))))


def place_codes(ledger: pd.DataFrame) -> np.ndarray:
    """The sheet (file and sheet) of each line as 0, 1, 2 … in order of first appearance."""
    return group_codes(ledger, ["file", "sheet"])


def voucher_first_lines(ledger: pd.DataFrame, mask: pd.Series | None = None) -> pd.Series:
    """line_id of the first line (in sheet order, that is the lowest line_id) of each voucher,
    among the lines in ``mask``, indexed by voucher_id."""
    lines = ledger[["voucher_id", "line_id"]]
    lines = lines if mask is None else lines[mask]
    return lines.groupby("voucher_id", sort=False)["line_id"].min()


def journal_like_lines(ledger: pd.DataFrame, single_line_share: float = 0.8) -> pd.Series:
    """True for lines of sheets that look like a journal or an account ledger (现金日记账, 明细账)
    rather than a voucher list: most of their vouchers show a single line, because such sheets
    list only the side of each voucher that touches one account.  Balance and numbering checks
    would flag every voucher there."""
    if ledger.empty:
        return pd.Series(False, index=ledger.index)
    # A cash or bank journal read as voucher lines (voucher_checker.journals) shows two lines a row.
    read_as_journal = ledger["journal"].to_numpy(dtype=object) != "" if "journal" in ledger else False
    place = place_codes(ledger)
    by_voucher = Vouchers(ledger["voucher_id"])
    # Lines per (sheet, voucher): a voucher that is on two sheets counts on each.
    if np.array_equal(by_voucher.min(place), by_voucher.max(place)):   # every voucher on one sheet
        lines, pair_place = np.bincount(by_voucher.code), by_voucher.first(place)
    else:
        pairs, lines = np.unique(place * by_voucher.count + by_voucher.code, return_counts=True)
        pair_place = pairs // by_voucher.count
    vouchers = np.bincount(pair_place)
    share = np.bincount(pair_place, weights=lines == 1) / vouchers
    journal = (share >= single_line_share) & (vouchers >= 3)
    return pd.Series(journal[place] | read_as_journal, index=ledger.index)


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> float:
    """Chinese numerals as written in summaries → a number: 两百 200, 一百二十 120, 三千五 3500,
    一万 10000, 十五 15.  NaN when the text is not a numeral."""
    if not text:
        return float("nan")
    total, section, digit, last_unit, zero = 0, 0, None, 1, False
    for char in text:
        if char in _DIGITS:
            zero = zero or (_DIGITS[char] == 0 and last_unit > 1)
            digit = _DIGITS[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            section += (1 if digit is None else digit) * unit
            digit, last_unit, zero = None, unit, False
        elif char == "万":
            section += digit or 0
            total += (section or 1) * 10000
            section, digit, last_unit, zero = 0, None, 10000, False
        else:
            return float("nan")
    if digit is not None:
        # 三千五 means 3500 (a trailing digit counts one place below the last unit), 一百零五 105.
        section += digit * (last_unit // 10 if last_unit >= 100 and not zero else 1)
    return float(total + section)


def book_label(book: pd.Series) -> pd.Series:
    return book.map(BOOK_LABELS).fillna(book)




# Relief to those in need is given by an approved list; a word of "everyone" makes it a handout.
NEEDY_WORDS = ["困难", "低保", "五保", "特困", "孤寡", "残疾", "留守", "贫困", "救助", "受灾", "灾民", "空巢", "高龄", "老党员"]
EVERYONE_WORDS = ["全体", "每人", "人手", "全员", "所有"]


def cash_days_of(ledger: pd.DataFrame, options: dict) -> "CashDays":
    """The ledger's cash days with the opening the cash rules' options give (``opening_cash_yuan``,
    ``unknown_opening_max_yuan``); built once a run for the rules that ask with the same options
    (``voucher_checker.engine.shared``)."""
    opening = fen(options["opening_cash_yuan"]) if is_set(options.get("opening_cash_yuan")) else None
    unknown = fen(options["unknown_opening_max_yuan"])
    return shared(ledger, ("cash-days", opening, unknown), lambda lines: CashDays(lines, opening, unknown))


class CashDays:
    """Cash on hand (库存现金) day by day, per unit: what came in and went out each day and the
    balance at the day's end where it can be known.  Shared by the cash-balance rules.

    A unit's lines never meet another unit's: days are kept per entity and book, and a unit's
    journals (现金日记账, 银行存款日记账) apart from its voucher lists, so that a movement read from
    both is not counted twice.  Each voucher that touches cash counts once, by its net effect on
    cash (a voucher that debits and credits cash only moves what is left), split by its other
    side: cash that comes from the bank is a withdrawal (提现), cash that goes to the bank a deposit
    (存现), the rest are takings (收入) and payments (支出).  An undated voucher counts on the last day
    of its period.

    The day's end balance (``end``) is known (``known``):
    - in a journal, from its own 余额 column: the balance written on the day's last cash row;
    - in a voucher list (or a unit's cash journal with no 余额 written at all), only from
      ``opening_fen`` (an opening the policy gives), and only up to the first month missing from
      the ledger (a missing month's movements are unknown).  A unit's bank journal alone says
      too little of its cash (only withdrawals and deposits) to follow it.
    Otherwise ``end`` assumes the opening given as ``unknown_opening_fen`` (a ceiling: the most
    cash a unit could plausibly have held at its start), so ``end`` is the highest the balance
    could have been.  ``start`` is the balance before the day's movements.  Arrays are per day,
    in order of unit, then day; ``unit`` numbers the units, ``journal`` is True for journal days,
    ``written`` for the days whose balance a journal's 余额 gives."""

    def __init__(self, ledger: pd.DataFrame, opening_fen: int | None, unknown_opening_fen: int):
        self.opening_fen, self.unknown_opening_fen = opening_fen, unknown_opening_fen
        is_cash = (ledger["account_class"] == "cash").to_numpy(dtype=bool)
        is_bank = (ledger["account_class"] == "bank").to_numpy(dtype=bool)
        kept = np.flatnonzero(is_cash | is_bank)
        # Only the columns used, and only cash and bank lines: a row filter copies every column.
        lines = ledger[["voucher_id", "line_id", "debit_fen", "credit_fen", "entity", "book", "date", "period",
                        "journal", "balance_fen"]].iloc[kept]
        is_cash, is_bank = is_cash[kept], is_bank[kept]
        debit, credit = lines["debit_fen"].to_numpy(), lines["credit_fen"].to_numpy()
        by_voucher = Vouchers(lines["voucher_id"])
        touches_cash = by_voucher.any(is_cash)
        net = by_voucher.sum(np.where(is_cash, debit - credit, 0))
        inflow, outflow = np.maximum(net, 0), np.maximum(-net, 0)
        withdrawn = np.minimum(inflow, by_voucher.sum(np.where(is_bank, credit, 0)))
        deposited = np.minimum(outflow, by_voucher.sum(np.where(is_bank, debit, 0)))
        in_journal = (lines["journal"] != "").to_numpy(dtype=bool)
        journal = by_voucher.first(in_journal)
        unit_of_line = group_codes(lines, ["entity", "book"])
        unit = by_voucher.first(unit_of_line) * 2 + journal
        day = by_voucher.min(day_numbers(lines["date"].to_numpy()))
        undated = day == NO_DAY
        if undated.any():
            period = by_voucher.first(lines["period"].to_numpy(dtype=object))[undated]
            month_start = pd.to_datetime(pd.Series(period, dtype=object) + "-01", errors="coerce")
            last_day = (month_start + pd.offsets.MonthEnd(0)).to_numpy().astype("datetime64[D]").astype("int64")
            day[undated] = last_day
        # Written balances: the journal's 余额 on its own cash rows, last of each voucher in sheet order.
        balance = lines["balance_fen"]
        written = is_cash & in_journal & balance.notna().to_numpy()
        if written.any():
            written &= (lines["journal"] == "cash").to_numpy(dtype=bool)
        position = np.where(written, np.arange(len(lines)), -1)
        last_written = by_voucher.max(position)

        chosen = np.flatnonzero(touches_cash)
        order = chosen[np.lexsort((lines["line_id"].to_numpy()[by_voucher.first_line[chosen]], day[chosen],
                                   unit[chosen]))]
        self.voucher_id = by_voucher.id[order]          # vouchers that touch cash, by unit and day
        v_unit, v_day = unit[order], day[order]
        new_day = np.concatenate(([True], (v_unit[1:] != v_unit[:-1]) | (v_day[1:] != v_day[:-1]))) \
            if len(order) else np.array([], dtype=bool)
        starts = np.flatnonzero(new_day)
        self.day_of_voucher = np.cumsum(new_day) - 1
        self.unit, self.day = v_unit[starts], v_day[starts]      # unit: entity and book, times 2, + journal
        self.journal = (self.unit % 2) == 1

        def per_day(values):
            return np.add.reduceat(values[order], starts) if len(starts) else np.array([], dtype="int64")
        self.net, self.withdrawn, self.deposited = per_day(net), per_day(withdrawn), per_day(deposited)
        self.takings = per_day(inflow - withdrawn)
        self.payments = per_day(outflow - deposited)
        self.voucher_takings = (inflow - withdrawn)[order]
        self.voucher_payments = (outflow - deposited)[order]

        n = len(starts)
        first_of_unit = np.concatenate(([True], self.unit[1:] != self.unit[:-1])) if n else np.array([], dtype=bool)
        month = self.day.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
        gap = np.concatenate(([False], month[1:] - month[:-1] > 1)) & ~first_of_unit if n else first_of_unit
        segment = np.cumsum(first_of_unit | gap) - 1
        seg_start = np.flatnonzero(first_of_unit | gap)
        total = np.cumsum(self.net)
        before = (total - self.net)[seg_start]
        running = total - np.repeat(before, np.diff(np.append(seg_start, n)))   # from 0 at each segment
        # Journals: the balance written on the day's last cash row, where one is written.
        day_written = np.full(n, -1, dtype="int64")
        if n:
            np.maximum.at(day_written, self.day_of_voucher, last_written[order])
        has_written = self.journal & (day_written >= 0)
        written_end = np.where(has_written, balance.to_numpy(dtype="float64", na_value=np.nan)[
            np.maximum(day_written, 0)] if len(lines) else np.zeros(n), np.nan)
        # Computed from the movements: voucher lists, and cash journals without any 余额.
        computed = ~self.journal
        if self.journal.any():
            in_cash_journal = by_voucher.any((lines["journal"] == "cash").to_numpy(dtype=bool))[order]
            units = int(self.unit.max()) + 1
            with_cash_journal = np.bincount(v_unit[in_cash_journal], minlength=units) > 0
            with_written = np.bincount(self.unit[has_written], minlength=units) > 0
            computed |= (with_cash_journal & ~with_written)[self.unit]
        first_segment = np.repeat(first_of_unit[seg_start], np.diff(np.append(seg_start, n)))
        opened = computed & first_segment & (opening_fen is not None)
        end = running + np.where(opened, opening_fen or 0, unknown_opening_fen).astype("float64")
        self.end = np.where(computed, end, written_end)
        self.known = opened | has_written
        self.written = has_written                    # known from a journal's 余额
        self.start = self.end - self.net
        self.segment = segment

    def voucher_of_day(self, amounts) -> np.ndarray:
        """The voucher_id of the voucher with the largest of ``amounts`` (one per voucher, in the
        order of ``voucher_id``: ``voucher_takings``, ``voucher_payments``) on each day."""
        order = np.lexsort((-np.asarray(amounts), self.day_of_voucher))
        starts = np.flatnonzero(np.concatenate(([True], np.diff(self.day_of_voucher[order]) != 0))) \
            if len(order) else np.array([], dtype="int64")
        return self.voucher_id[order[starts]]

    @staticmethod
    def cash_line(ledger: pd.DataFrame, voucher_ids, side: str = "credit_fen") -> np.ndarray:
        """line_id of each voucher's cash line with the largest amount on ``side`` (its first
        cash line when none has one): the line a finding about its cash shows."""
        wanted = np.asarray(voucher_ids, dtype="int64")
        at = voucher_lines(ledger, wanted)
        lines = ledger[["voucher_id", "line_id", "account_class", side]].iloc[at]
        lines = lines[lines["account_class"] == "cash"]
        best = lines.sort_values([side, "line_id"], ascending=[False, True], kind="stable").groupby("voucher_id")["line_id"].first()
        return best.reindex(wanted).to_numpy(dtype="int64")


# ---------------------------------------------------------------- days and payments
# Shared by the journal-entry tests (holiday-posting, round-amount, just-under-threshold,
# split-payment, duplicate-reimbursement, informal-receipt).

NO_DAY = np.iinfo("int64").max      # an undated voucher
_NS_PER_DAY = 86_400_000_000_000


def day_numbers(dates) -> np.ndarray:
    """Dates as whole days since 1970-01-01 (``NO_DAY`` where there is none): integers to sort,
    subtract and look up, where datetime64 values would need converting at every step."""
    values = np.asarray(dates, dtype="datetime64[ns]")
    return np.where(np.isnat(values), NO_DAY, values.view("int64") // _NS_PER_DAY)


def day_text(days) -> pd.Series:
    """Day numbers → "2021-10-01"."""
    return pd.Series(np.asarray(days, dtype="int64").astype("datetime64[D]").astype(str), dtype=object)


def unit_codes(ledger: pd.DataFrame, positions=None) -> np.ndarray:
    """The unit (entity and book) of each line, or of the lines at ``positions``, as 0, 1, 2 …"""
    lines = ledger[["entity", "book"]]
    return group_codes(lines if positions is None else lines.iloc[positions], ["entity", "book"])


# A name that ends in one of these is a business or body a payment goes to: 张记五金店, 红旗超市,
# 湘潭市某某建筑劳务有限公司.  Longest first, so that 有限公司 wins over 公司.
PAYEE_SUFFIXES = [
    "有限责任公司", "股份有限公司", "有限公司", "公司", "五金店", "五金行", "商店", "商行", "商贸", "超市",
    "经营部", "门市部", "批发部", "服务部", "专卖店", "便利店", "店", "厂", "酒店", "饭店", "宾馆", "餐馆", "餐厅",
    "酒家", "合作社", "工作室", "加油站", "药房", "药店", "诊所", "物业", "农家乐", "广告部", "装饰部", "维修部",
]
# Words before a payee's name that are not part of it: 付张记五金店材料款, 向红旗超市购买, 支付给 ….
_PAYEE_LEADS = ["支付给", "付给", "收到", "和", "支付", "预付", "结付", "结算", "偿还", "归还", "报销", "购买", "采购", "订购",
                "付", "向", "从", "在", "给", "购", "买", "还", "欠"]


def payee_in_summary(summary: pd.Series) -> pd.Series:
    """The payee a summary names ("付张记五金店材料款" → "张记五金店"), "" when it names none.

    Community ledgers rarely have a counterparty column; the payee is written into the summary.
    Only names ending in a business suffix (``PAYEE_SUFFIXES``) count: a person's name cannot be
    told from the words around it.  Once per distinct summary."""
    suffix = re.compile(keyword_regex(PAYEE_SUFFIXES))
    lead = re.compile(keyword_regex(_PAYEE_LEADS))

    def name_in(text: str) -> str:
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            # The longest head of the run that ends in a suffix: 付张记五金店材料款 → 付张记五金店.
            for found in reversed(list(suffix.finditer(run))):
                head = run[:found.end()]
                # The name follows the last lead word that leaves it two characters before its
                # suffix (春节向幸福超市 → 幸福超市); a one-character lead may be the name's own
                # first character (向阳超市), a longer one (支付, 购买) never is.
                leads = list(lead.finditer(head))
                tails = [tail for m in reversed(leads)
                         for tail in (head[m.end():], head[m.start():] if len(m.group()) == 1 else "")]
                tails += [] if leads else [head]
                name = next((t for t in tails if len(t) - len(found.group()) >= 2), "")
                if name:
                    return name
        return ""

    def names(distinct: pd.Series) -> pd.Series:
        return pd.Series([name_in(str(t)) for t in distinct.to_numpy(dtype=object)], index=distinct.index, dtype=object)
    return on_distinct(summary.astype(object).fillna(""), names)


# 往来单位 / 辅助核算 cells that name no one: a catch-all or a department (部门：办公室), under
# which every payment of a unit would look like one payee's.
PLACEHOLDER_COUNTERPARTIES = ["个人", "散户", "其他", "其它", "零星", "零散", "现金", "无", "/", "-", "办公室", "财务室",
                              "村委会", "居委会", "社区"]


def is_placeholder_counterparty(names: pd.Series) -> np.ndarray:
    """True for 往来单位 texts (spaces removed) that name no one (``PLACEHOLDER_COUNTERPARTIES``,
    a department)."""
    text = names.astype(object).fillna("").astype(str)
    return (text.isin(PLACEHOLDER_COUNTERPARTIES) | text.str.contains("部门", regex=False)).to_numpy(dtype=bool)


def counterparties(lines: pd.DataFrame) -> pd.Series:
    """The counterparty of each line: its 往来单位 where the ledger has one, else the payee its
    summary names ("" when neither)."""
    written = on_distinct(lines["counterparty"], lambda t: t.astype(object).fillna("").str.replace(r"\s+", "", regex=True))
    written = written.where(~is_placeholder_counterparty(written), "")
    named = payee_in_summary(lines["summary"])
    return written.where(written != "", named)


class Payments:
    """The vouchers that pay money out, one row each: they credit cash or bank and debit
    ``payment_classes`` (expenses, assets, payables).  The amount paid is the smaller of the two
    sides, so a deposit (借 银行存款 / 贷 库存现金) or a withdrawal is never a payment.

    Arrays in voucher order: ``voucher_id``, ``paid`` and ``cash_paid`` (fen), ``day``
    (``day_numbers``), ``unit`` (entity and book as a number) and ``line`` (the position in the
    ledger of the largest debited line: its summary and counterparty describe the payment).
    ``texts`` gives a text column of those lines as codes into its distinct values, so that
    text work runs once per distinct text."""

    def __init__(self, ledger: pd.DataFrame, payment_classes):
        # The seven account classes are numbered once; each test is then on integers.
        class_code, classes = pd.factorize(ledger["account_class"])
        classes = np.asarray(classes, dtype=object)
        debit, credit = ledger["debit_fen"].to_numpy(), ledger["credit_fen"].to_numpy()
        is_cash = (classes == "cash")[class_code] if len(classes) else np.zeros(len(ledger), dtype=bool)
        is_bank = (classes == "bank")[class_code] if len(classes) else np.zeros(len(ledger), dtype=bool)
        is_target = (np.isin(classes, list(payment_classes))[class_code] if len(classes)
                     else np.zeros(len(ledger), dtype=bool)) & (debit > 0)
        by_voucher = Vouchers(ledger["voucher_id"])
        cash_out = by_voucher.sum(np.where(is_cash, credit, 0))
        money_out = cash_out + by_voucher.sum(np.where(is_bank, credit, 0))
        target = np.where(is_target, debit, 0)
        paid = np.minimum(money_out, by_voucher.sum(target))
        paying = paid > 0
        # The largest debited line of each paying voucher, the first of equals.
        largest = by_voucher.max(target)
        shown = np.flatnonzero(is_target & paying[by_voucher.code] & (target == largest[by_voucher.code]))
        line = np.full(by_voucher.count, len(ledger))
        np.minimum.at(line, by_voucher.code[shown], shown)
        self.voucher_id = by_voucher.id[paying]
        self.paid = paid[paying]
        self.cash_paid = np.minimum(cash_out, paid)[paying]
        self.line = line[paying]
        self.day = day_numbers(ledger["date"].to_numpy()[self.line]) if len(self.line) else np.array([], dtype="int64")
        self.count = len(self.voucher_id)
        self._ledger = ledger
        self._texts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._unit = None
        self._summary_uses = None

    @property
    def unit(self) -> np.ndarray:
        """The unit (entity and book) of each payment as a number, worked out when first asked:
        on the few payments left after a rule's cheap tests it costs little."""
        if self._unit is None:
            self._unit = unit_codes(self._ledger, self.line)
        return self._unit

    def column(self, name: str, at=None) -> pd.Series:
        """A ledger column on each payment's shown line (or on those of the payments ``at``)."""
        line = self.line if at is None else self.line[at]
        return self._ledger[name].iloc[line].reset_index(drop=True)

    def line_id(self) -> np.ndarray:
        return self._ledger["line_id"].to_numpy()[self.line]

    def texts(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A text column of the shown lines as (codes, distinct texts with spaces removed)."""
        if name not in self._texts:
            # The whole column is numbered once: cheaper than taking the payments' lines out first.
            codes, uniques = pd.factorize(self._ledger[name], use_na_sentinel=False)
            codes = codes[self.line]
            cleaned = pd.Series(uniques, dtype=object).fillna("").astype(str).str.replace(r"\s+", "", regex=True)
            self._texts[name] = (codes, cleaned.to_numpy(dtype=object))
        return self._texts[name]

    def contains(self, name: str, words) -> np.ndarray:
        """True for the payments whose ``name`` text holds one of ``words``."""
        codes, uniques = self.texts(name)
        found = pd.Series(uniques, dtype=object).str.contains(keyword_regex(words), regex=True).to_numpy(dtype=bool)
        return found[codes] if len(found) else np.zeros(self.count, dtype=bool)

    def summary_uses(self) -> np.ndarray:
        """How many payments of its unit and year carry each payment's summary, numbers and months
        left aside (支付10月办公用品费 is 支付#月办公用品费 every month).  Ask on all the payments
        before taking subsets: a subset keeps the counts of the whole."""
        if self._summary_uses is None:
            summary_code, summaries = self.texts("summary")
            masked = pd.Series(summaries, dtype=object).str.replace(r"[0-9０-９一二三四五六七八九十]+月", "#月", regex=True) \
                .str.replace(r"[0-9０-９]+", "#", regex=True)
            routine_code = pd.factorize(masked.to_numpy(dtype=object))[0][summary_code] if self.count else summary_code
            dated = self.day != NO_DAY
            year = np.where(dated, np.where(dated, self.day, 0).astype("datetime64[D]").astype("datetime64[Y]")
                            .astype("int64"), -1)
            unit_year = pd.factorize(self.unit * 100_000 + year)[0]
            unit_year_summary = pd.factorize(unit_year * (routine_code.max(initial=0) + 1) + routine_code)[0]
            self._summary_uses = np.bincount(unit_year_summary)[unit_year_summary] if self.count else unit_year_summary
        return self._summary_uses

    def subset(self, mask) -> "Payments":
        """The payments in ``mask``, as a Payments of their own."""
        other = object.__new__(Payments)
        mask = np.asarray(mask, dtype=bool)
        for name in ("voucher_id", "paid", "cash_paid", "line", "day"):
            setattr(other, name, getattr(self, name)[mask])
        other.count, other._ledger = int(mask.sum()), self._ledger
        other._unit = None if self._unit is None else self._unit[mask]
        other._summary_uses = None if self._summary_uses is None else self._summary_uses[mask]
        other._texts = {name: (codes[mask], uniques) for name, (codes, uniques) in self._texts.items()}
        return other


def payments_of(ledger: pd.DataFrame, payment_classes) -> Payments:
    """``Payments(ledger, payment_classes)``, built once a run for the rules that ask for the same
    classes (``voucher_checker.engine.shared``).
    Its lazily worked-out parts (``unit``, ``texts``, ``summary_uses``) are the same whoever asks
    first, so sharing them is safe."""
    classes = tuple(sorted(str(c) for c in payment_classes))
    return shared(ledger, ("payments", classes), lambda lines: Payments(lines, classes))


def payment_partners(payments: Payments, routine_count: int):
    """Who each payment is to, for rules that compare payments with each other: the counterparty
    (its 往来单位, or the payee its summary names), else its summary, unless the unit writes that
    summary on more than ``routine_count`` payments a year (支付办公费, 购买打印纸 say what was
    bought, not from whom: two of them are not "the same" payment).  The count is
    ``Payments.summary_uses``: ask it on all payments before narrowing them down.

    Returns ``group`` (unit and partner as one number, -1 for none), ``by_payee`` (True where the
    partner is a payee, not a summary) and ``name`` (the payee or summary, as text)."""
    if not payments.count:
        empty = np.array([], dtype="int64")
        return empty, empty.astype(bool), np.array([], dtype=object)
    summary_code, summaries = payments.texts("summary")
    written_code, written = payments.texts("counterparty")
    written = np.where(is_placeholder_counterparty(pd.Series(written, dtype=object)), "", written).astype(object)
    named = payee_in_summary(pd.Series(summaries, dtype=object)).to_numpy(dtype=object)
    # Payees written and named, numbered together: 张记五金店 is one whichever way it was given.
    payee_code, payees = pd.factorize(np.concatenate([written, named]).astype(object))
    payee_of_written, payee_of_named = payee_code[:len(written)], payee_code[len(written):]
    has_written = written[written_code] != ""
    payee = np.where(has_written, payee_of_written[written_code], payee_of_named[summary_code])
    by_payee = np.asarray(payees, dtype=object)[payee] != ""
    uses = payments.summary_uses()
    by_summary = ~by_payee & (summaries[summary_code] != "") & (uses <= routine_count)
    partner = np.where(by_payee, payee, len(payees) + summary_code)
    group = pd.factorize(payments.unit * (len(payees) + len(summaries) + 1) + partner)[0]
    group = np.where(by_payee | by_summary, group, -1)
    name = np.where(by_payee, np.asarray(payees, dtype=object)[payee], np.where(by_summary, summaries[summary_code], ""))
    return group, by_payee, name
