"""Read ledger files into normalised lines.

Flow for one file: open it (fastexcel for Excel, csv for text) → for each sheet find the header
row(s) → map columns to fields → drop blank, subtotal and repeated-header rows (counting each) →
fill voucher-level fields down from a voucher's first line → parse dates, periods, voucher
numbers and amounts → lines with file, sheet and Excel row.  Every row below the header ends up
either as a line or in ``dropped`` with a reason; every problem is a DataError naming file,
sheet, row and column.  Nothing here raises for bad input.

Speed (see README "Speed"): every cell arrives as Arrow text straight from the Rust reader (no
Python object per cell), and each step works on whole columns.  Columns whose values repeat —
dates, voucher numbers, names, accounts — are dictionary-encoded once and parsed once per
distinct value; fill-down works on the integer codes.  Files are read by a pool of threads: the
Rust reader and the Arrow kernels release the GIL, so threads use every core without the start-up
and copying costs of worker processes.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import parse
from .accounts import split_account
from . import journals
from .context import book_marks, is_unnamed, month_from_sheet, same_unit, sheet_context, unit_from_cell, year_from_text
from .headers import Header, HeaderMatcher, find_header
from .money import format_yuan
from .model import DataError, SheetInfo
from .policy import Policy
from .sources import (InputFile, NotALedger, RawSheet, UnreadableFile, collect_inputs, column_letter,  # noqa: F401
                      open_sheets)
from .schema import finalise_columns, line_order, month_labels

DROP_REASONS = {
    "subtotal": "合计/累计/结转行", "header": "重复的表头行", "no_content": "无分录内容的行",
    "no_amount": "借贷金额均为空", "bad_amount": "金额无法识别", "no_voucher": "缺少凭证号",
    "bad_voucher": "凭证号无法识别", "no_period": "无法确定日期或会计期间", "schema": "数据不符合结构要求",
}
DATE_FIELDS = ("date", "year", "month", "day", "period")
VOUCHER_LEVEL_FIELDS = ("date", "year", "month", "day", "period", "voucher", "voucher_word",
                        "preparer", "reviewer", "poster", "cashier", "attachments", "unit")


@dataclass
class FileRead:
    lines: list | None                  # the file's lines: finalised columns (schema.finalise_columns) per batch
    sheets: list[SheetInfo] = field(default_factory=list)
    errors: list[DataError] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------- one sheet

# RE2 (Arrow's regex engine) knows no \uXXXX escapes and its \s is ASCII only, so patterns that
# run in Arrow carry CJK characters and the ideographic space literally.
_SPACE = "[\\s\u3000]"
_CJK = "\u4e00-\u9fff"


def _subtotal_pattern(markers: list[str]) -> str:
    """"本月合计", " 本 月 合 计 ", "3月合计", "合计：" — but not "累计折旧" (a real account)."""
    spaced = (f"{_SPACE}*".join(re.escape(ch) for ch in m) for m in sorted(markers, key=len, reverse=True))
    return (f"^{_SPACE}*(?:\\d{{1,4}}{_SPACE}*年)?{_SPACE}*(?:\\d{{1,2}}{_SPACE}*月)?{_SPACE}*(?:第?\\d+期)?"
            f"{_SPACE}*(?:" + "|".join(spaced) + f")[^{_CJK}]*$")


def _column_label(index: int, texts: dict[int, str]) -> str:
    header = texts.get(index, "")
    return f"{column_letter(index)}（{header}）" if header else column_letter(index)


@dataclass
class PreparedSheet:
    """A sheet whose header and context are known, ready to have its rows read."""
    raw: RawSheet
    info: SheetInfo
    header: Header
    year: int | None
    month: int | None
    scale: int
    item: InputFile | None = None
    file_index: int = 0         # the input file's place in the scan, and the sheet's in its workbook:
    position: int = 0           # together with the row they order the lines (schema.line_order)
    rows: tuple[int, int] | None = None     # a piece of a long sheet: its raw rows [start, end),
                                            # counted in an ``info`` of its own (merge_pieces)

    @property
    def signature(self) -> tuple:
        return tuple(sorted(self.header.columns.items())), tuple(sorted(self.header.texts.items()))

    @property
    def data_rows(self) -> tuple[int, int]:
        """The raw rows [start, end) read as data: below the header, or the piece's."""
        if self.rows is not None:
            return self.rows
        return self.header.rows[-1] + 1, self.raw.height


class SheetReader:
    """The per-sheet steps: hidden or empty, where the header is, and what the names say."""

    def __init__(self, item: InputFile, raw: RawSheet, policy: Policy, matcher: HeaderMatcher):
        self.item, self.raw, self.policy, self.matcher = item, raw, policy, matcher
        self.info = SheetInfo(file=item.display, sheet=raw.name)
        self.errors: list[DataError] = []

    def error(self, row: int | None, column: str, message: str, kind: str = "error") -> None:
        self.errors.append(DataError(self.item.display, self.raw.name, row, column, message, kind))

    def _is_empty(self, head: list[list]) -> bool:
        if any(c is not None and c.strip() for row in head for c in row):
            return False
        return not any(pc.any(pc.not_equal(pc.utf8_trim_whitespace(column), "")).as_py()
                       for column in self.raw.columns if column.null_count < len(column))

    def prepare(self) -> PreparedSheet | None:
        raw, info, reading = self.raw, self.info, self.policy.reading
        if raw.note:
            info.status, info.note = "error", "无法读取"
            self.error(None, "", f"无法读取这张工作表：{raw.note}")
            return None
        if raw.hidden:
            info.status, info.note = "hidden", "隐藏的工作表，未检查"
            self.error(None, "", "这是隐藏的工作表，已跳过；如需检查，请在 Excel/WPS 中取消隐藏。", "warning")
            return None
        search_rows = int(reading.get("header_search_rows", 30))
        rows = raw.head(search_rows + 1)
        if self._is_empty(rows):
            info.status, info.note = "empty", "空工作表"
            return None
        header = find_header(rows, self.matcher, search_rows)
        if header is None:
            info.status = "no-header"
            info.note = "找不到表头"
            self.error(None, "", f"在前 {reading.get('header_search_rows', 30)} 行中找不到表头：需要至少三项"
                       "可识别的列名（如 日期、凭证号、摘要、科目、借方、贷方）。若这是账簿，请在策略文件 "
                       "[reading] header_synonyms 中补充列名。", "warning")
            return None
        self._unit_column(header)
        year, month, scale = self._context(rows, header)
        info.header_rows = tuple(r + 1 for r in header.rows)
        cols = header.columns
        info.columns = {f: _column_label(i, header.texts) for f, i in cols.items()}
        info.fields = frozenset(cols)
        if info.journal:
            # The journal's own account is the account of one side of each row.
            info.fields = info.fields | {"account_name"}
        missing = []
        if "voucher" not in cols:
            missing.append("凭证号")
        if not ({"debit", "credit"} <= set(cols) or {"amount", "direction"} <= set(cols)):
            missing.append("借方和贷方金额（或金额和借贷方向）")
        if not ({"date", "period", "month"} & set(cols)) and not (year and month):
            missing.append("日期或会计期间")
        if missing:
            info.status, info.note = "error", "缺少必需的列"
            self.error(header.rows[-1] + 1, "", f"表头第 {info.header_rows[-1]} 行中找不到必需的列：{'、'.join(missing)}。"
                       "已识别的列：" + "、".join(f"{v}→{f}" for f, v in info.columns.items()) + "。")
            return None
        return PreparedSheet(raw, info, header, year, month, scale, self.item)

    def _unit_column(self, header: Header) -> None:
        """单位名称 names the counterparty in most ledgers, and the unit whose books these are in
        exports of several books (the same value on every line): the column's values decide."""
        cols = header.columns
        if "unit" in cols or "counterparty" not in cols:
            return
        column = cols["counterparty"]
        if header.texts.get(column, "").split("/")[-1].strip() != "单位名称" or column >= len(self.raw.columns):
            return
        start = header.rows[-1] + 1
        values = pc.utf8_trim_whitespace(self.raw.columns[column].slice(start))
        distinct = [v for v in pc.unique(values).to_pylist() if v]
        if len(distinct) == 1:
            cols["unit"] = cols.pop("counterparty")

    def _context(self, rows: list[list], header: Header) -> tuple[int | None, int | None, int]:
        title = " ".join(str(c).strip() for row in rows[:header.rows[0]] for c in row if isinstance(c, str) and c.strip())
        stem = Path(self.item.path).stem
        sheet_year, sheet_month = month_from_sheet(self.raw.name)
        year = header.year or year_from_text(title) or sheet_year or year_from_text(self.raw.name, stem)
        amount_headers = " ".join(header.texts.get(header.columns.get(f, -1), "") for f in ("debit", "credit", "amount"))
        scale = 10000 if "万元" in title or "万元" in amount_headers else 1
        info = self.info
        cols = header.columns
        context = sheet_context(
            title=title, sheet=self.raw.name, path=self.item.path, display=self.item.display, root=self.item.root,
            reading=self.policy.reading,
            hint=self.policy.source_hint(self.item.display) or self.policy.source_hint(self.item.path),
            journal_like="counter_account" in cols and not ({"account_name", "account_code"} & set(cols)))
        info.entity, info.entity_reason = context.entity, context.entity_reason
        info.book, info.book_reason = context.book, context.book_reason
        info.journal, info.journal_reason = context.journal, context.journal_reason
        if "unit" in cols:
            info.entity_reason = (f"由列“{header.texts.get(cols['unit'], '')}”逐行识别；该列为空的行："
                                  + info.entity_reason)
        for warning in context.warnings:
            self.error(None, "", warning, "warning")
        if "counter_account" in cols and not ({"account_name", "account_code"} & set(cols)) and not context.journal:
            self.error(None, "", "这张表像日记账（有“对方科目”、没有“科目”列），但从标题、工作表名和文件名中看不出是"
                       "现金日记账还是银行存款日记账，涉及科目的规则不能运行；请在文件名或工作表名中注明。", "warning")
        return year, sheet_month, scale


# --------------------------------------------------------------------------- columns of a batch

class Cells:
    """The cells of a batch as text, column by column (index = Excel column), with the views the
    steps need, each computed once: trimmed text ("" for a blank cell), a filled-cell mask, and
    dictionary codes (-1 for blank) with the distinct values they point to."""

    def __init__(self, columns: list[pa.Array | None], length: int):
        self.columns, self.length = columns, length
        self._text: dict[int, pa.Array] = {}
        self._codes: dict[int, tuple[np.ndarray, pa.Array]] = {}

    @property
    def width(self) -> int:
        return len(self.columns)

    def text(self, column: int | None) -> pa.Array:
        if column is None or column >= len(self.columns) or self.columns[column] is None:
            return pc.fill_null(pa.nulls(self.length, pa.string()), "")
        if column not in self._text:
            self._text[column] = pc.fill_null(pc.utf8_trim_whitespace(self.columns[column]), "")
        return self._text[column]

    def filled(self, column: int) -> np.ndarray:
        return pc.not_equal(self.text(column), "").to_numpy(zero_copy_only=False)

    def codes(self, column: int | None) -> tuple[np.ndarray, pa.Array]:
        if column is None or column >= len(self.columns) or self.columns[column] is None:
            return np.full(self.length, -1, dtype=np.int64), pa.array([], pa.string())
        if column not in self._codes:
            encoded = pc.dictionary_encode(self.text(column))
            codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            dictionary = encoded.dictionary
            blank = pc.index(dictionary, "").as_py()
            if blank >= 0:
                codes[codes == blank] = -1
            self._codes[column] = (codes, dictionary)
        return self._codes[column]


def _take_text(values, codes: np.ndarray) -> pa.Array:
    """values[codes] as Arrow text, "" where a code is -1."""
    if isinstance(values, pa.Array):
        dictionary = pa.concat_arrays([values.cast(pa.string()), pa.array([""], type=pa.string())])
    else:
        dictionary = pa.array(list(values) + [""], type=pa.string())
    return dictionary.take(pa.array(np.where(codes >= 0, codes, len(dictionary) - 1)))


def _take(values: np.ndarray, codes: np.ndarray, missing):
    """values[codes] with ``missing`` where a code is -1."""
    table = np.empty(len(values) + 1, dtype=values.dtype if len(values) else object)
    table[:len(values)] = values
    table[-1] = missing
    return table[np.where(codes >= 0, codes, len(values))]


def _forward_fill(codes: np.ndarray, new_sheet: np.ndarray) -> np.ndarray:
    """Blank codes (-1) take the last code above them in the same sheet."""
    positions = np.arange(len(codes))
    last = np.maximum.accumulate(np.where((codes >= 0) | new_sheet, positions, 0))
    return codes[last]


def _group_first(codes: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Every line of a group takes the group's first non-blank code (-1 when it has none)."""
    first = np.full(int(group[-1]) + 1 if len(group) else 0, -1, dtype=np.int64)
    present = np.flatnonzero(codes >= 0)
    if len(present):
        groups = group[present]
        leading = np.ones(len(groups), dtype=bool)
        leading[1:] = groups[1:] != groups[:-1]
        first[groups[leading]] = codes[present[leading]]
    return first[group]


def _shift(values: np.ndarray, fill) -> np.ndarray:
    shifted = np.empty_like(values)
    if len(values):
        shifted[0] = fill
        shifted[1:] = values[:-1]
    return shifted


def _distinct_numbers(values: pa.Array, strip: str = "") -> np.ndarray:
    """Each distinct text as a number (NaN when it is not one), e.g. "3月" → 3 with strip="月"."""
    text = pd.Series(values.to_pylist(), dtype=object)
    if strip:
        text = text.str.replace(strip, "", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64")


def rows_dropped_before_fill(cells: Cells, filled: dict[int, np.ndarray], header: Header,
                             policy: Policy) -> dict[str, np.ndarray]:
    """The rows a batch drops before it fills voucher fields down, by DROP_REASONS key in the
    order they are dropped.  ``filled`` is each column's filled-cell mask."""
    cols, width = header.columns, cells.width
    # Subtotal / carry rows: a marker in a text cell outside the account, counterparty and
    # amount columns (an account may be called 累计折旧).
    not_checked = {cols.get(f) for f in ("account_name", "account_code", "counterparty", "debit", "credit",
                                         "amount", "direction", "quantity", "unit_price", "attachments")}
    pattern = _subtotal_pattern(policy.reading.get("subtotal_markers", []))
    subtotal = np.zeros(cells.length, dtype=bool)
    for c in range(width):
        if c not in not_checked and filled[c].any():
            # Once per distinct value: dates, voucher numbers and names repeat, and their codes
            # are needed later anyway.  A blank cell (code -1) takes the appended False.
            codes, values = cells.codes(c)
            marked = pc.match_substring_regex(values, pattern).to_numpy(zero_copy_only=False)
            subtotal |= np.append(marked, False)[codes]
    # Exports that paginate repeat the header row on every page.
    repeated = np.zeros(cells.length, dtype=int)
    for i, text in header.texts.items():
        label = text.split("/")[-1].strip()
        if label and i < width:
            repeated += pc.equal(cells.text(i), label).to_numpy(zero_copy_only=False)
    mapped = [c for c in cols.values() if c < width]
    has_content = np.logical_or.reduce([filled[c] for c in mapped]) if mapped else np.zeros(cells.length, dtype=bool)
    return {"subtotal": subtotal, "header": repeated >= min(3, len(header.texts)), "no_content": ~has_content}


class BatchReader:
    """Turns the rows of one or more sheets with the same header (a workbook's monthly sheets,
    and the same layout in the next workbooks) into lines in one vectorised pass.  Sheet-specific context (name, year, month, unit,
    entity, book) travels as per-row arrays; counts and errors go back to each sheet."""

    def __init__(self, sheets: list[PreparedSheet], policy: Policy):
        self.sheets, self.policy = sheets, policy
        self.header = sheets[0].header
        self.cols = self.header.columns
        # Per input file (PreparedSheet.file_index): a batch may span several files.
        self.errors: dict[int, list[DataError]] = {}
        self.dropped: dict[int, list[dict]] = {}
        self._labels: dict[str, str] = {}

    # -- bookkeeping per sheet
    def error(self, sheet_index: int, row: int | None, column: str, message: str, kind: str = "error") -> None:
        sheet = self.sheets[sheet_index]
        self.errors.setdefault(sheet.file_index, []).append(
            DataError(sheet.item.display, sheet.raw.name, row, column, message, kind))

    def label(self, field_name: str) -> str:
        # Asked once per bad cell: a column of bad cells must not spell its label out each time.
        if field_name not in self._labels:
            self._labels[field_name] = _column_label(self.cols[field_name], self.header.texts)
        return self._labels[field_name]

    def per_sheet(self, values: list, dtype=object) -> np.ndarray:
        table = np.empty(len(values), dtype=dtype)
        table[:] = values
        return table

    def drop(self, keep: np.ndarray, mask: np.ndarray, reason_key: str, positions: np.ndarray | None = None) -> np.ndarray:
        """Rows in ``mask`` still kept are dropped for the reason given, counted per sheet and
        listed with their content.  ``positions`` maps the rows to the batch's rows."""
        hit = keep & mask
        if not hit.any():
            return keep
        reason = DROP_REASONS[reason_key]
        rows = np.flatnonzero(hit) if positions is None else positions[hit]
        sheet_of = self.sheet_of[rows]
        for index, count in zip(*np.unique(sheet_of, return_counts=True)):
            skipped = self.sheets[index].info.skipped
            skipped[reason] = skipped.get(reason, 0) + int(count)
        index = pa.array(rows)
        cells = [self.cells.text(c).take(index).to_pylist() for c in range(self.cells.width)]
        texts = [" | ".join(v for v in row if v)[:200] for row in zip(*cells)] if cells else [""] * len(rows)
        for s, r, t in zip(sheet_of, self.excel_row[rows], texts):
            sheet = self.sheets[s]
            self.dropped.setdefault(sheet.file_index, []).append(
                {"file": sheet.item.display, "sheet": sheet.raw.name, "row": int(r), "reason": reason, "text": t})
        return keep & ~hit

    # -- the pass
    def read(self) -> dict | None:
        """The batch's lines as columns (numpy arrays and Arrow text), or None when none."""
        starts = [s.data_rows[0] for s in self.sheets]
        lengths = [max(0, s.data_rows[1] - start) for s, start in zip(self.sheets, starts)]
        length = sum(lengths)
        width = max(len(s.raw.columns) for s in self.sheets)
        columns = []
        for c in range(width):
            parts = [s.raw.columns[c].slice(start, count) if c < len(s.raw.columns) else pa.nulls(count, pa.string())
                     for s, start, count in zip(self.sheets, starts, lengths)]
            columns.append(parts[0] if len(parts) == 1 else pa.concat_arrays(parts))
        self.cells = cells = Cells(columns, length)
        self.excel_row = np.concatenate([np.arange(start + 1, start + 1 + count, dtype=np.int64)
                                         for start, count in zip(starts, lengths)])
        self.sheet_of = np.repeat(np.arange(len(self.sheets)), lengths)
        filled = {c: cells.filled(c) for c in range(width)}
        nonblank = np.logical_or.reduce(list(filled.values())) if width else np.zeros(length, dtype=bool)
        counts = np.bincount(self.sheet_of[nonblank], minlength=len(self.sheets))
        for sheet, count in zip(self.sheets, counts):
            sheet.info.data_rows = int(count)
            sheet.info.status = "read"
        if not nonblank.any():
            for sheet in self.sheets:
                sheet.info.note = "表头下没有数据"
            return None
        keep = nonblank
        for reason, mask in rows_dropped_before_fill(cells, filled, self.header, self.policy).items():
            keep = self.drop(keep, mask, reason)
        if not keep.any():
            return None
        return self._parse(np.flatnonzero(keep))

    def _fill_voucher_fields(self, codes_of, new_sheet: np.ndarray) -> dict[str, tuple[np.ndarray, pa.Array]]:
        """Voucher fields are often on a voucher's first line only: carry them down its lines.
        Returns field → (codes per line after filling, distinct values)."""
        cols = self.cols
        voucher, _ = codes_of(cols["voucher"])
        date, _ = codes_of(cols.get("date"))
        filled_voucher = _forward_fill(voucher, new_sheet)
        filled_date = _forward_fill(date, new_sheet)
        starts = new_sheet | ((voucher >= 0) & ((voucher != _shift(filled_voucher, -1))
                                                | ((date >= 0) & (date != _shift(filled_date, -1)))))
        group = np.cumsum(starts) - 1
        result = {}
        for field_name in VOUCHER_LEVEL_FIELDS:
            if field_name not in cols:
                continue
            codes, values = codes_of(cols[field_name])
            codes = _group_first(codes, group)
            if field_name in DATE_FIELDS:
                # Journals print a date only when it changes: a blank date means "same day".
                codes = _forward_fill(codes, new_sheet)
            result[field_name] = (codes, values)
        return result

    def _parse_context(self, codes: np.ndarray, values: pa.Array, sheet_index: np.ndarray, parse_one, convert):
        """Parse each distinct value with no sheet context; re-parse the failures with their
        sheet's year and month.  ``convert`` turns parsed values (None for blank or bad) into a
        numpy array.  Returns (parsed per line, bad mask per line)."""
        texts = values.to_pylist()
        parsed = [parse_one(text, None, None) for text in texts]
        bad_values = np.array([p == "bad" for p in parsed] + [False], dtype=bool)
        table = convert([None if p == "bad" else p for p in parsed] + [None])
        index = np.where(codes >= 0, codes, len(texts))
        per_line, bad = table[index], bad_values[index]
        if bad.any():
            for s in np.unique(sheet_index[bad]):
                sheet = self.sheets[s]
                if not sheet.year:
                    continue
                rows = bad & (sheet_index == s)
                for code in np.unique(codes[rows]):
                    again = parse_one(texts[code], sheet.year, sheet.month)
                    if again != "bad":
                        fixed = rows & (codes == code)
                        per_line[fixed] = convert([again])[0]
                        bad[fixed] = False
        return per_line, bad

    def _parse(self, positions: np.ndarray) -> dict | None:
        """Parse the rows at ``positions`` (of the batch).  Text columns are read from the batch
        only for the lines finally kept (``text_of`` returns a function of those lines)."""
        cols, sheets, cells = self.cols, self.sheets, self.cells
        count = len(positions)
        sheet_index = self.sheet_of[positions]
        excel_row = self.excel_row[positions]
        new_sheet = np.ones(count, dtype=bool)
        new_sheet[1:] = sheet_index[1:] != sheet_index[:-1]
        def column_codes(column: int | None) -> tuple[np.ndarray, pa.Array]:
            codes, values = cells.codes(column)
            return codes[positions], values

        voucher_level = self._fill_voucher_fields(column_codes, new_sheet)

        def codes_of(field_name: str) -> tuple[np.ndarray, pa.Array]:
            return voucher_level[field_name] if field_name in voucher_level else column_codes(cols.get(field_name))

        def text_of(field_name: str):
            """The field's text for some of the lines (indexes into ``positions``)."""
            if field_name in voucher_level:
                codes, values = voucher_level[field_name]
                return lambda lines: _take_text(values, codes[lines])
            text = cells.text(cols.get(field_name))
            return lambda lines: text.take(pa.array(positions[lines]))

        def report_bad(mask, field_name: str, what: str) -> None:
            mask = np.asarray(mask, dtype=bool)
            if not mask.any():
                return
            shown = text_of(field_name)(np.flatnonzero(mask)).to_pylist()
            for sheet, row, value in zip(sheet_index[mask], excel_row[mask], shown):
                self.error(int(sheet), int(row), self.label(field_name), f"{what}：“{value}”")

        out: dict[str, object] = {"row": excel_row,
                                  "_order": line_order(self.per_sheet([s.file_index for s in sheets], np.int64)[sheet_index],
                                                       self.per_sheet([s.position for s in sheets], np.int64)[sheet_index],
                                                       excel_row)}

        # voucher number and word
        codes, values = codes_of("voucher")
        words, numbers, bad_values = parse.vouchers_from_text(values, _voucher_of)
        bad_voucher = _take(bad_values, codes, False).astype(bool)
        number = _take(numbers, codes, -1).astype(np.int64)
        report_bad(bad_voucher, "voucher", "凭证号无法识别，应为“记-6”“记字第6号”“现付-18”或数字")
        voucher_codes = codes

        words = np.array([parse.voucher_word(w) for w in words], dtype=object)

        def given_word(lines: np.ndarray) -> pa.Array:
            """The 凭证字 column's word (记字, 记账凭证 → 记), "" where blank."""
            codes, values = codes_of("voucher_word")
            normal = [parse.voucher_word(w) for w in values.to_pylist()]
            return _take_text(normal, codes[lines])

        def word(lines: np.ndarray) -> pa.Array:
            parsed = _take_text(words, voucher_codes[lines])
            if "voucher_word" not in cols:
                return parsed
            given = given_word(lines)
            return pc.if_else(pc.not_equal(given, ""), given, parsed)
        out["voucher_word"] = word

        def voucher_as_written(lines: np.ndarray) -> pa.Array:
            """The voucher as the ledger wrote it (记-0006, 记账凭证第0012号); a separate 凭证字 column's
            word joined to a bare number (记 | 12 → 记-12)."""
            written = pc.replace_substring_regex(text_of("voucher")(lines), r"^([0-9]+)\.0+$", r"\1")
            if "voucher_word" not in cols:
                return written
            given = pc.utf8_trim_whitespace(text_of("voucher_word")(lines))
            bare = pc.match_substring_regex(written, "^[0-9]+$")
            joined = pc.binary_join_element_wise(given, written, "-")
            return pc.if_else(pc.and_(bare, pc.not_equal(given, "")), joined, written)
        out["voucher"] = voucher_as_written
        out["voucher_no"] = number

        # date and period (as a month count year*12 + month-1, -1 unknown)
        years = self.per_sheet([s.year or 0 for s in sheets], np.int64)[sheet_index]
        bad_date = np.zeros(count, dtype=bool)
        if "date" in cols:
            codes, values = codes_of("date")
            dates, bad_date = self._parse_context(codes, values, sheet_index, _date_of, _datetimes)
            report_bad(bad_date, "date", "日期无法识别，应为 2021-03-06、2021/3/6、2021年3月6日、20210306 或 Excel 日期")
        elif "month" in cols and "day" in cols:
            def component(field_name: str, unit: str) -> np.ndarray:
                codes, values = codes_of(field_name)
                return _take(_distinct_numbers(values, unit), codes, np.nan)
            context_year = np.where(years > 0, years, np.nan).astype("float64")
            y = component("year", "年") if "year" in cols else np.full(count, np.nan)
            y = np.where(np.isnan(y), context_year, y)
            m, d = component("month", "月"), component("day", "日")
            dates = _dates_from_parts(y, m, d)
            present = (codes_of("month")[0] >= 0) | (codes_of("day")[0] >= 0)
            bad_date = present & np.isnat(dates)
            for sheet, row, yy, mm, dd in zip(sheet_index[bad_date], excel_row[bad_date], y[bad_date], m[bad_date],
                                              d[bad_date]):
                self.error(int(sheet), int(row), self.label("month"),
                           f"年/月/日无法组成日期（年 {int(yy) if yy == yy else '未知'}，月 {_plain(mm)}，日 {_plain(dd)}）")
        elif "day" in cols:
            codes, values = codes_of("day")
            dates, bad_date = self._parse_context(codes, values, sheet_index, _date_of, _datetimes)
            report_bad(bad_date, "day", "日无法识别")
        else:
            dates = np.full(count, np.datetime64("NaT"), dtype="datetime64[ns]")
        out["date"] = dates

        month_index = np.full(count, -1, dtype=np.int64)
        if "period" in cols:
            codes, values = codes_of("period")
            periods, bad_period = self._parse_context(codes, values, sheet_index, _period_of, _month_indexes)
            report_bad(bad_period, "period", "会计期间无法识别，应为 2021.3、2021年3期、202103 或 2021-03")
            month_index = periods
        known_date = ~np.isnat(dates)
        from_date = dates.astype("datetime64[M]").astype(np.int64) + 1970 * 12
        month_index = np.where((month_index < 0) & known_date, from_date, month_index)
        if "month" in cols:
            codes, values = codes_of("month")
            month_number = _take(_distinct_numbers(values, "月"), codes, np.nan)
            known = (month_number >= 1) & (month_number <= 12) & (years > 0)
            from_month = years * 12 + np.nan_to_num(month_number, nan=1).astype(np.int64) - 1
            month_index = np.where((month_index < 0) & known, from_month, month_index)
        sheet_months = self.per_sheet([s.year * 12 + s.month - 1 if s.year and s.month else -1 for s in sheets],
                                      np.int64)[sheet_index]
        month_index = np.where(month_index < 0, sheet_months, month_index)

        # amounts; a book kept in 万元 says so in its title or amount headers
        scales = self.per_sheet([s.scale for s in sheets], np.int64)[sheet_index]

        def amounts(field_name: str):
            text = cells.text(cols[field_name]).take(pa.array(positions))
            if (scales == 1).all():
                return parse.amounts_from_text(text)
            fen = np.zeros(count, dtype=np.int64)
            bad, reversal = np.zeros(count, dtype=bool), np.zeros(count, dtype=bool)
            for scale in np.unique(scales):
                rows = scales == scale
                fen[rows], bad[rows], reversal[rows] = parse.amounts_from_text(text.filter(pa.array(rows)), int(scale))
            return fen, bad, reversal

        if {"debit", "credit"} <= set(cols):
            debit, bad_debit, reversal_debit = amounts("debit")
            credit, bad_credit, reversal_credit = amounts("credit")
            report_bad(bad_debit, "debit", "借方金额无法识别，应为数字（如 2,500.00）")
            report_bad(bad_credit, "credit", "贷方金额无法识别，应为数字（如 2,500.00）")
            bad_amount = bad_debit | bad_credit
        else:
            amount, bad_amount, reversal_debit = amounts("amount")
            report_bad(bad_amount, "amount", "金额无法识别，应为数字（如 2,500.00）")
            direction = cells.text(cols["direction"]).take(pa.array(positions))
            is_debit = pc.match_substring_regex(direction, "^(借|J|D|Dr|DR|1)").to_numpy(zero_copy_only=False)
            is_credit = pc.match_substring_regex(direction, "^(贷|C|Cr|CR|-1|2)").to_numpy(zero_copy_only=False)
            bad_direction = ~is_debit & ~is_credit & (amount != 0)
            report_bad(bad_direction, "direction", "借贷方向无法识别，应为“借”或“贷”")
            bad_amount = bad_amount | bad_direction
            debit = np.where(is_debit, amount, 0)
            credit = np.where(is_credit, amount, 0)
            reversal_credit = np.zeros(count, dtype=bool)
        # A red (negative) amount on one side is the same as a positive amount on the other.
        out["debit_fen"] = np.clip(debit, 0, None) + np.clip(-credit, 0, None)
        out["credit_fen"] = np.clip(credit, 0, None) + np.clip(-debit, 0, None)
        out["is_reversal"] = reversal_debit | reversal_credit

        # text fields
        for field_name in ("summary", "counterparty", "settlement", "preparer", "reviewer", "poster"):
            out[field_name] = text_of(field_name)
        account_codes, values = column_codes(cols.get("account_name"))
        split = [split_account(text) for text in values.to_pylist()]
        split_code, split_name = [code for code, _ in split], [name for _, name in split]
        code_column = text_of("account_code")

        def account_code(lines: np.ndarray) -> pa.Array:
            code = code_column(lines)
            return pc.if_else(pc.not_equal(code, ""), code, _take_text(split_code, account_codes[lines]))
        out["account_code"] = account_code
        out["account_name"] = lambda lines: _take_text(split_name, account_codes[lines])
        for field_name in ("line_no", "attachments", "quantity"):
            if field_name in cols:
                codes, values = codes_of(field_name)
                parsed = [_number_of(text) for text in values.to_pylist()]
                numbers = np.array([p if isinstance(p, float) and p >= 0 else np.nan for p in parsed], dtype="float64")
                bad_numbers = np.array([not (isinstance(p, float) and p >= 0) for p in parsed], dtype=bool)
                bad = _take(bad_numbers, codes, False).astype(bool)
                report_bad(bad, field_name, "应为非负数字，已按空值处理")
                out[field_name] = _take(numbers, codes, np.nan).astype("float64")
        if "unit_price" in cols:
            price, bad_price, _ = amounts("unit_price")
            out["unit_price_fen"] = pd.array(price, dtype="Int64")
            out["unit_price_fen"][bad_price | ~cells.filled(cols["unit_price"])[positions]] = pd.NA
        for name, values in (("file", [s.item.display for s in sheets]), ("sheet", [s.raw.name for s in sheets]),
                             ("entity", [s.info.entity for s in sheets]), ("book", [s.info.book for s in sheets])):
            out[name] = lambda lines, values=values: _take_text(values, sheet_index[lines])
        if "unit" in cols:
            out["entity"], out["book"] = self._units(codes_of("unit"), sheet_index)

        # rows that cannot become lines, each explained by an error above or here
        keep = np.ones(count, dtype=bool)
        keep = self.drop(keep, bad_voucher, "bad_voucher", positions)
        no_voucher = keep & (number < 0)
        for sheet, row in zip(sheet_index[no_voucher], excel_row[no_voucher]):
            self.error(int(sheet), int(row), self.label("voucher"), "这一行之前没有凭证号，无法确定属于哪张凭证")
        keep = self.drop(keep, no_voucher, "no_voucher", positions)
        keep = self.drop(keep, bad_amount, "bad_amount", positions)
        no_period = month_index < 0
        unexplained = keep & no_period & ~bad_date
        for sheet, row in zip(sheet_index[unexplained], excel_row[unexplained]):
            self.error(int(sheet), int(row), self.label("date") if "date" in cols else "", "无法确定这一行的日期或会计期间")
        keep = self.drop(keep, no_period, "no_period", positions)
        keep = self.drop(keep, (out["debit_fen"] == 0) & (out["credit_fen"] == 0), "no_amount", positions)

        lines = np.bincount(sheet_index[keep], minlength=len(sheets))
        sheet_months = np.unique(sheet_index[keep] * (1 << 20) + month_index[keep])
        for i, sheet in enumerate(sheets):
            sheet.info.lines = int(lines[i])
            sheet.info.periods = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in
                                  (sheet_months[(sheet_months >> 20) == i] & ((1 << 20) - 1)).tolist()]
        if not keep.any():
            return None
        lines = np.flatnonzero(keep)
        out["period"] = lambda lines: month_labels(month_index[lines])
        result = {name: values(lines) if callable(values) else values[lines] for name, values in out.items()}
        if "counter_account" not in cols or {"account_name", "account_code"} & set(cols):
            return result
        # A journal: each row is one movement of the journal's own account.
        journal = self.per_sheet([s.info.journal for s in sheets])[sheet_index[lines]].astype(str)
        balance, has_balance = np.zeros(len(lines), dtype=np.int64), np.zeros(len(lines), dtype=bool)
        if "balance" in cols:
            fen, bad, _ = amounts("balance")
            has_balance = cells.filled(cols["balance"])[positions] & ~bad
            self._check_balances(sheet_index, positions, lines, fen, has_balance, out["debit_fen"] - out["credit_fen"])
            balance, has_balance = fen[lines], has_balance[lines]
        return journals.as_voucher_lines(result, journal, text_of("counter_account")(lines), balance, has_balance)

    def _units(self, unit: tuple[np.ndarray, pa.Array], sheet_index: np.ndarray):
        """Entity and book per line from a unit column (核算账簿名称 …; "某某公司-某某账簿" names the
        unit before the dash); a blank cell or a value that names no unit keeps the sheet's.  A
        union or party word in the value marks the book; otherwise the sheet's book stands."""
        codes, values = unit
        reading = self.policy.reading
        texts = values.to_pylist()
        entities = [unit_from_cell(text, reading)[0] for text in texts]
        books = [next((b for b, _, _ in book_marks(text, reading) if b in ("union", "party")), "") for text in texts]
        sheet_entities = [s.info.entity for s in self.sheets]
        sheet_books = [s.info.book for s in self.sheets]
        offset = len(texts)
        entity_codes = np.where((codes >= 0) & _take(np.array([bool(e) for e in entities]), codes, False).astype(bool),
                                codes, offset + sheet_index)
        book_codes = np.where((codes >= 0) & _take(np.array([bool(b) for b in books]), codes, False).astype(bool),
                              codes, offset + sheet_index)
        for i, sheet in enumerate(self.sheets):
            mine = np.unique(entity_codes[sheet_index == i])
            named = [entities[c] for c in mine.tolist() if c < offset]
            if not named:
                continue
            info = sheet.info
            if not is_unnamed(info.entity) and not any(same_unit(name, info.entity) for name in named):
                self.error(i, None, "", f"单位名称不一致：列“{self.header.texts.get(self.cols['unit'], '')}”中为"
                           f"“{'、'.join(named[:3])}”，{info.entity_reason.removeprefix('由')}为“{info.entity}”；"
                           "按更具体的单位列处理。", "warning")
            info.entity = "、".join(named[:3]) + (f" 等 {len(named)} 个单位" if len(named) > 3 else "")
        return (lambda lines: _take_text(entities + sheet_entities, entity_codes[lines]),
                lambda lines: _take_text(books + sheet_books, book_codes[lines]))

    def _check_balances(self, sheet_index, positions, lines, balance, has_balance, movement) -> None:
        """A journal's written 余额 against its movements, sheet by sheet; each row where they stop
        agreeing is a warning.  The opening balance is the 期初余额 (or 承前页, 上月结转) row's 余额
        above the first line, where there is one."""
        cells, column = self.cells, self.cols["balance"]
        for i in np.unique(sheet_index[lines]).tolist():
            mine = lines[sheet_index[lines] == i]
            first_row = positions[mine[0]]
            above = np.flatnonzero((self.sheet_of[:first_row] == i) & cells.filled(column)[:first_row])
            opening = None
            if len(above):
                fen, bad, _ = parse.amounts_from_text(cells.text(column).take(pa.array(above[-1:])))
                opening = None if bad[0] else int(fen[0])
            breaks = journals.balance_breaks(movement[mine], balance[mine], has_balance[mine], opening)
            for k, (at, written, expected) in enumerate(breaks[:5]):
                more = f"（这张表共 {len(breaks)} 处不符，只列前 5 处）" if k == 0 and len(breaks) > 5 else ""
                self.error(i, int(self.excel_row[positions[mine[at]]]), self.label("balance"),
                           f"余额与逐笔计算不符：账面余额 {format_yuan(written)} 元，按上一笔余额加减本行收支应为 "
                           f"{format_yuan(expected)} 元{more}", "warning")


def _safe(parse_one, value, year, month):
    try:
        return parse_one(value, year, month)
    except Exception:  # noqa: BLE001 - a parser must never raise on a cell
        return "bad"


# Parsers of one distinct cell text, remembered across sheets and files: a district's ledgers
# repeat the same dates, periods, voucher numbers and counts in every workbook.
@functools.lru_cache(maxsize=1 << 17)
def _date_of(text: str, year: int | None, month: int | None):
    parsed = _safe(parse.parse_date_value, text, year, month)
    return np.datetime64(parsed, "ns") if isinstance(parsed, dt.datetime) else parsed


@functools.lru_cache(maxsize=1 << 15)
def _period_of(text: str, year: int | None, month: int | None):
    return _safe(lambda v, y, m: parse.parse_period_value(v, y), text, year, month)


_voucher_of = functools.lru_cache(maxsize=1 << 17)(parse.parse_voucher_value)
_number_of = functools.lru_cache(maxsize=1 << 15)(parse.parse_count_value)


def _datetimes(values: list) -> np.ndarray:
    return np.array([np.datetime64("NaT") if v is None else v for v in values], dtype="datetime64[ns]")


def _month_indexes(periods: list) -> np.ndarray:
    """"2021-03" → 2021*12 + 2; None → -1 (periods as parse_period_value writes them)."""
    return np.array([int(p[:4]) * 12 + int(p[5:7]) - 1 if p else -1 for p in periods], dtype=np.int64)


def _plain(number: float) -> str:
    return "nan" if number != number else (str(int(number)) if float(number).is_integer() else str(number))


def _dates_from_parts(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Dates from year, month and day numbers (NaT where they do not make a date), built once
    per distinct combination."""
    parts = pd.DataFrame({"year": year, "month": month, "day": day})
    distinct = parts.drop_duplicates()
    made = pd.to_datetime(distinct, errors="coerce").astype("datetime64[ns]")
    lookup = pd.Series(made.to_numpy(), index=pd.MultiIndex.from_frame(distinct))
    return lookup.reindex(pd.MultiIndex.from_frame(parts)).to_numpy(dtype="datetime64[ns]")


# --------------------------------------------------------------------------- files and batches

def read_batch(batch: list[PreparedSheet], policy: Policy) -> tuple[list[dict], dict, dict]:
    """Lines (with finalised columns) of sheets that share a layout, and their errors and
    dropped rows by input file (index)."""
    reader = BatchReader(batch, policy)
    try:
        lines = reader.read()
    except Exception as exc:  # noqa: BLE001 - one odd sheet must not stop the batch
        if len(batch) > 1:
            # Read the sheets one by one so the sheet at fault is named and the others still count.
            parts, errors, dropped = [], {}, {}
            for sheet in batch:
                sheet.info.skipped = {}
                more = read_batch([sheet], policy)
                parts += more[0]
                for found, into in ((more[1], errors), (more[2], dropped)):
                    for index, values in found.items():
                        into.setdefault(index, []).extend(values)
            return parts, errors, dropped
        sheet = batch[0]
        sheet.info.status = "error"
        sheet.info.lines, sheet.info.skipped, sheet.info.data_rows = 0, {}, 0
        message = f"读取这张工作表时出错：{type(exc).__name__}: {exc}。请把该文件提供给维护人员。"
        if sheet.rows:      # a piece of a long sheet: the rest of the sheet was read
            message = (f"读取这张工作表第 {sheet.rows[0] + 1}–{sheet.rows[1]} 行时出错：{type(exc).__name__}: {exc}。"
                       "这些行没有参与检查；请把该文件提供给维护人员。")
        return [], {sheet.file_index: [DataError(sheet.item.display, sheet.raw.name, None, "", message)]}, {}
    for sheet in batch:
        sheet.raw = None        # the cells are not needed any more; the lines hold what counts
    if lines is None or not len(lines["row"]):
        return [], reader.errors, reader.dropped
    order = lines.pop("_order")
    columns = finalise_columns(lines, len(order), policy.account_names, policy.account_prefixes)
    columns["_order"] = order
    return [columns], reader.errors, reader.dropped


_MATCHERS: dict[str, HeaderMatcher] = {}


def _matcher(policy: Policy) -> HeaderMatcher:
    """One matcher (and its memory of header cells) per set of header synonyms, shared by files."""
    key = repr(sorted((policy.reading.get("header_synonyms") or {}).items()))
    if key not in _MATCHERS:
        _MATCHERS[key] = HeaderMatcher(policy.reading.get("header_synonyms"))
    return _MATCHERS[key]


@dataclass
class PreparedFile:
    """One input opened and understood sheet by sheet: its sheets ready to read (``ready``) and
    what is known of every sheet so far (``result``: sheet infos, errors)."""
    item: InputFile
    result: FileRead
    ready: list[PreparedSheet] = field(default_factory=list)
    skipped: bool = False               # not a ledger (a report this tool wrote): said, not an error


def prepare_file(item: InputFile, policy: Policy, opened=None, index: int = 0) -> PreparedFile:
    """Open a file and find each sheet's header, columns and context.  Never raises for bad
    input.  ``index`` is the file's place among the inputs (it orders the lines)."""
    try:
        sheets = opened.result() if opened is not None else open_sheets(item.path, policy.reading)
    except NotALedger as exc:
        return PreparedFile(item, FileRead(None, [], [DataError(item.display, "", None, "", str(exc), "warning")]),
                            skipped=True)
    except UnreadableFile as exc:
        return PreparedFile(item, FileRead(None, [], [DataError(item.display, "", None, "", str(exc))]))
    except OSError as exc:
        return PreparedFile(item, FileRead(None, [], [DataError(item.display, "", None, "",
                                                                f"无法读取文件：{exc.strerror or exc}")]))
    matcher = _matcher(policy)
    prepared = PreparedFile(item, FileRead(None))
    for position, raw in enumerate(sheets):
        reader = SheetReader(item, raw, policy, matcher)
        try:
            sheet = reader.prepare()
        except Exception as exc:  # noqa: BLE001
            reader.info.status = "error"
            reader.error(None, "", f"读取这张工作表时出错：{type(exc).__name__}: {exc}。请把该文件提供给维护人员。")
            sheet = None
        prepared.result.sheets.append(reader.info)
        # What the names say is the same on every monthly sheet: one warning per file.
        said = {e.message for e in prepared.result.errors if e.kind == "warning" and e.row is None}
        prepared.result.errors.extend(e for e in reader.errors
                                      if not (e.kind == "warning" and e.row is None and e.message in said))
        if sheet is not None:
            sheet.file_index, sheet.position = index, position
            prepared.ready.append(sheet)
    return prepared


def finish_file(prepared: PreparedFile) -> FileRead:
    """A file's account once all its sheets are read: the per-sheet completeness check, and a
    file with no readable sheet at all becomes an input that could not be read."""
    result, item = prepared.result, prepared.item
    # Batches and a long sheet's pieces report as they finish: list by sheet and row instead.
    position = {info.sheet: i for i, info in enumerate(result.sheets)}
    result.errors.sort(key=lambda e: (position.get(e.sheet, -1), e.row or 0))
    result.dropped.sort(key=lambda d: (position.get(d["sheet"], -1), d["row"]))
    for info in result.sheets:
        accounted = info.lines + sum(info.skipped.values())
        if info.status == "read" and accounted != info.data_rows:
            result.errors.append(DataError(item.display, info.sheet, None, "",
                                           f"行数核对不一致：分录 {info.lines} 行 + 剔除 {sum(info.skipped.values())} 行 "
                                           f"≠ 表头下非空行 {info.data_rows} 行。这是程序缺陷，请把该文件提供给维护人员。"))
    if not prepared.skipped and not any(s.lines for s in result.sheets):
        promoted = [DataError(e.file, e.sheet, e.row, e.column, e.message, "error")
                    if e.row is None and e.kind == "warning" and "隐藏" not in e.message else e
                    for e in result.errors]
        result.errors = promoted
        if not any(e.kind == "error" for e in promoted):
            result.errors.append(DataError(item.display, "", None, "", "文件中没有可检查的分录（所有工作表都是空的或已隐藏）。"))
    return result


def _batches(sheets: list[PreparedSheet]) -> list[list[PreparedSheet]]:
    groups: dict[tuple, list[PreparedSheet]] = {}
    for sheet in sheets:
        groups.setdefault(sheet.signature, []).append(sheet)
    return list(groups.values())


_CUT_WINDOW = 2_000            # rows searched for a voucher's first line near each cut


def split_sheet(sheet: PreparedSheet, piece_rows: int, policy: Policy) -> list[PreparedSheet]:
    """A long sheet as pieces of about ``piece_rows`` rows that read into exactly the lines the
    whole sheet reads into.  Each cut is on the first line of a voucher that carries its own
    voucher number and date fields (they are filled down a voucher's lines and a journal's
    days), and follows a line of another voucher (rows_dropped_before_fill: subtotal, repeated
    header and blank rows do not count, as they do not in the filling); where no such row is
    near, the piece runs on.  Each piece counts its rows in its own SheetInfo (merge_pieces adds
    them up)."""
    start, end = sheet.data_rows
    cuts = [start]
    target = start + piece_rows
    while target < end - piece_rows // 2:
        cut = _voucher_start_near(sheet, target, end, policy)
        if cut is None:
            target += piece_rows
            continue
        cuts.append(cut)
        target = cut + piece_rows
    if len(cuts) == 1:
        return [sheet]
    cuts.append(end)
    return [dataclasses.replace(sheet, rows=(a, b),
                                info=dataclasses.replace(sheet.info, lines=0, skipped={}, data_rows=0, periods=[]))
            for a, b in zip(cuts, cuts[1:])]


def _voucher_start_near(sheet: PreparedSheet, target: int, end: int, policy: Policy) -> int | None:
    """The first row from ``target`` on (within _CUT_WINDOW) that a piece may start with."""
    low, high = max(sheet.data_rows[0], target - _CUT_WINDOW), min(end, target + _CUT_WINDOW)
    cols = sheet.header.columns
    window = Cells([column.slice(low, high - low) for column in sheet.raw.columns], high - low)
    filled = {c: window.filled(c) for c in range(window.width)}
    # The batch drops these rows before it fills voucher fields down: they are not looked at.
    skipped = np.logical_or.reduce(list(rows_dropped_before_fill(window, filled, sheet.header, policy).values()))
    dated = np.logical_and.reduce([window.filled(cols[f]) for f in DATE_FIELDS if f in cols]
                                  + [np.ones(high - low, dtype=bool)])
    voucher = window.text(cols["voucher"]).to_pylist()
    previous = ""               # the voucher cell of the last line above that the batch keeps
    for i in np.flatnonzero(~skipped).tolist():
        if voucher[i] and i >= target - low and previous and voucher[i] != previous and dated[i]:
            return low + i
        previous = voucher[i] or previous
    return None


def merge_pieces(whole: SheetInfo, pieces: list[SheetInfo]) -> None:
    """Count a split sheet's pieces as the one sheet they are."""
    whole.data_rows = sum(p.data_rows for p in pieces)
    whole.lines = sum(p.lines for p in pieces)
    whole.skipped = {}
    for piece in pieces:
        for reason, count in piece.skipped.items():
            whole.skipped[reason] = whole.skipped.get(reason, 0) + count
    whole.periods = sorted({period for p in pieces for period in p.periods})
    whole.status = "read" if any(p.status == "read" for p in pieces) else "error"
    if whole.status == "read":
        whole.note = "" if whole.data_rows else "表头下没有数据"
    else:
        whole.note = next((p.note for p in pieces if p.note), whole.note)


def read_file(item: InputFile, policy: Policy, opened=None) -> FileRead:
    """Read every sheet of one file (``opened``: the workbook opened ahead by an Opener).  Never
    raises for bad input.  ``lines`` holds the file's finalised columns."""
    prepared = prepare_file(item, policy, opened)
    parts = []
    for batch in _batches(prepared.ready):
        lines, errors, dropped = read_batch(batch, policy)
        parts += lines
        prepared.result.errors += errors.get(0, [])
        prepared.result.dropped += dropped.get(0, [])
    result = finish_file(prepared)
    result.lines = parts or None
    return result
