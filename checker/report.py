"""Write a scan as the Excel working paper accountants and inspection teams print, forward and
fill in, and the findings alone as CSV.

Sheets: 汇总 (run facts, communities ranked by where to look first, charts, rules that did not
run, a completeness check per sheet), 问题清单 (one row per finding, with reviewer columns),
凭证明细 (every line of every flagged voucher), 数据问题 (errors, dropped rows, rule gaps) and
规则说明 (each rule with the options in force).

Everything that came from a ledger is written through ``inert_text`` and stored as a string
cell, so a summary such as ``=HYPERLINK(...)`` can never become a live formula in the report.
"""
from __future__ import annotations

import csv
import datetime as dt
import gc
from io import BytesIO
import math
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.cell.cell import Cell
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import Element

from .fields import BOOK_LABELS, HEADER_SYNONYMS, SEVERITY_LABELS
from .model import ScanResult
from .schema import voucher_lines

REPORT_TITLE = "凭证检查报告"
SUMMARY, FINDINGS, DETAIL, PROBLEMS, RULES = "汇总", "问题清单", "凭证明细", "数据问题", "规则说明"
REVIEW_CHOICES = ("属实", "不属实", "已整改", "待核实")
NO_ENTITY = "（未识别单位）"
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}

# A leading character that makes Excel or a CSV importer evaluate the cell (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 forbids, plus the other C0/C1 controls: Excel asks to "repair" a file that
# holds them, and they never carry meaning in a ledger.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
EXCEL_TEXT_LIMIT = 32767
EXCEL_ERRORS = frozenset(("#N/A", "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!"))
_RISKY_FIRST = frozenset("".join(FORMULA_TRIGGERS) + "#")     # first characters of the two above
LINE_HEIGHT = 15          # points per line of 11-point text, CJK included

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"

_THIN = Side(style="thin", color="999999")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
REVIEW_HEADER_FILL = PatternFill("solid", fgColor="E2EFDA")   # the columns a reviewer fills in
SEVERITY_FILLS = {
    "high": PatternFill("solid", fgColor="FF8B8B"),
    "medium": PatternFill("solid", fgColor="FFC06A"),
    "low": PatternFill("solid", fgColor="FFF08A"),
}
SEVERITY_CHART_COLOURS = {"high": "E03C31", "medium": "F39C12", "low": "F4D03F"}
MISMATCH_FILL = PatternFill("solid", fgColor="FF8B8B")
# Every font names its face: a nameless one makes LibreOffice and WPS fall back to a serif face.
FONT_NAME = "Calibri"
BOLD = Font(name=FONT_NAME, size=11, bold=True)
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=14)
SECTION_FONT = Font(name=FONT_NAME, bold=True, size=12)
LINK_FONT = Font(name=FONT_NAME, size=11, color="0563C1", underline="single")
FLAGGED_LINE_FONT = Font(name=FONT_NAME, size=11, bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
LEFT = Alignment(horizontal="left")
SEVERITY_ALIGN = Alignment(horizontal="center", vertical="top")
NOTE_FONT = Font(name=FONT_NAME, bold=True, color="C00000")
HEADER_ALIGN = Alignment(wrap_text=True, horizontal="center", vertical="center")

SHEET_STATUS_LABELS = {"read": "已读取", "hidden": "隐藏（未读取）", "no-header": "未找到表头",
                       "empty": "空表", "error": "读取出错"}
ERROR_KIND_LABELS = {"error": "错误", "warning": "提示"}
FIELD_NAMES = {"account": "科目", "debit": "借方金额", "credit": "贷方金额", "amount": "金额"}


# ---------------------------------------------------------------- text and values

def inert_text(value, *, for_csv: bool = False) -> str:
    """Ledger text made safe to write: never a formula, never a character that breaks the file.

    Control characters (other than tab and line breaks) are removed and carriage returns become
    line feeds.  In an .xlsx the text is otherwise kept exactly, because the writer stores it as a
    string cell; a CSV has no cell types, so there text that Excel would evaluate (starting with
    = + - @, a tab or a carriage return, possibly after spaces) gets a leading apostrophe.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            if pd.isna(value):
                return ""
        except (TypeError, ValueError):   # lists and arrays are not missing values
            pass
        value = str(value)
    if value.isprintable():
        # No control character and no line break (the common case): nothing to remove.
        text = value
        if not for_csv:
            return text
    else:
        text = _CONTROL_CHARS.sub("", value)
    # Judged after removing controls ("\x07=1" is "=1" to Excel) but before normalising "\r".
    starts_like_formula = text.startswith(FORMULA_TRIGGERS) or text.lstrip().startswith(FORMULA_TRIGGERS[:4])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if for_csv and starts_like_formula:
        return "'" + text
    return text


class _CharWidths(dict):
    """Display width of each character met so far: 2 for CJK and full-width ones, else 1."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        return width


_CHAR_WIDTHS = _CharWidths()


def _display_width(text: str) -> int:
    """Width in Excel character units of the longest line: CJK and full-width characters take two."""
    text = str(text)
    if text.isascii():
        return max(map(len, text.split("\n"))) if "\n" in text else len(text)
    return max(sum(map(_CHAR_WIDTHS.__getitem__, line)) for line in text.split("\n"))


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_date(value) -> dt.date | None:
    if type(value) is pd.Timestamp:
        return value.date()
    if _is_missing(value):
        return None
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _fen(value) -> int | None:
    return None if _is_missing(value) else int(value)


def _yuan(fen: int | None) -> float | None:
    # fen / 100 is the nearest double to the exact amount; only displayed, never summed.
    return None if fen is None else fen / 100


def _yuan_text(fen: int | None) -> str:
    """Plain text Excel reads back as the same number (no thousands separator)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def _entity_label(entity) -> str:
    text = inert_text(entity)
    return text if text else NO_ENTITY


def _book_label(book) -> str:
    book = inert_text(book)
    return BOOK_LABELS.get(book, book)


def _severity_label(severity) -> str:
    severity = inert_text(severity)
    return SEVERITY_LABELS.get(severity, severity)


def _row_numbers(rows) -> list[int]:
    if isinstance(rows, str):
        return [int(x) for x in re.findall(r"\d+", rows)]
    if not hasattr(rows, "__iter__"):
        return [] if _is_missing(rows) else [int(rows)]
    return sorted({int(r) for r in rows if type(r) is int or not _is_missing(r)})


def rows_label(rows) -> str:
    """[9, 10, 12] → "9–10、12"."""
    numbers = _row_numbers(rows)
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}–{n}")
            start = None
    return "、".join(parts)


def _source_label(file, sheet, rows) -> str:
    parts = [inert_text(file), inert_text(sheet)]
    label = rows_label(rows)
    if label:
        parts.append(f"第{label}行")
    return " / ".join(p for p in parts if p)


def _field_label(name: str) -> str:
    return FIELD_NAMES.get(name) or HEADER_SYNONYMS.get(name, (name,))[0]


def _option_value(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "、".join(inert_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}={_option_value(v)}" for k, v in value.items())
    return inert_text(value)


def _header_footer_text(text: str, limit: int = 60) -> str:
    # "&" starts a formatting code in page headers and footers; the whole header is capped at
    # 255 characters by Excel, so long names are shortened.
    text = text.replace("\n", " ")
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("&", "&&")


# ---------------------------------------------------------------- the findings as rows

FINDING_HEADERS = ("序号", "单位", "账套", "期间", "凭证号", "日期", "摘要", "科目", "金额", "规则",
                   "风险等级", "问题说明", "依据", "来源")
REVIEW_HEADERS = ("核实结论", "整改措施", "责任人", "备注")


@dataclass(frozen=True)
class FindingRow:
    number: int
    entity: str
    book: str
    period: str
    voucher: str
    date: dt.date | None
    summary: str
    account: str
    amount_fen: int | None
    rule_title: str
    severity: str          # high | medium | low
    message: str
    basis: str
    source: str
    voucher_key: str
    line_id: int | None

    def csv_values(self) -> list[str]:
        return [str(self.number), *(inert_text(v, for_csv=True) for v in (
            self.entity, self.book, self.period, self.voucher)),
            self.date.isoformat() if self.date else "",
            inert_text(self.summary, for_csv=True), inert_text(self.account, for_csv=True),
            _yuan_text(self.amount_fen),
            *(inert_text(v, for_csv=True) for v in (
                self.rule_title, _severity_label(self.severity), self.message, self.basis, self.source))]


def finding_rows(findings: pd.DataFrame) -> list[FindingRow]:
    """The findings in the order the engine gave them, as the report shows them."""
    n = len(findings)
    column = {name: findings[name].tolist() if name in findings.columns else [None] * n
              for name in ("entity", "book", "period", "voucher", "date", "summary", "account", "amount_fen",
                           "title", "rule", "severity", "message", "basis", "file", "sheet", "rows",
                           "voucher_key", "line_id")}
    entities = {e: _entity_label(e) for e in set(column["entity"])} if n else {}
    books = {b: _book_label(b) for b in set(column["book"])} if n else {}
    out = []
    for i in range(n):
        f = {name: values[i] for name, values in column.items()}
        line_id = f["line_id"]
        out.append(FindingRow(
            number=i + 1, entity=entities[f["entity"]], book=books[f["book"]],
            period=inert_text(f["period"]), voucher=inert_text(f["voucher"]),
            date=_as_date(f["date"]), summary=inert_text(f["summary"]),
            account=inert_text(f["account"]), amount_fen=_fen(f["amount_fen"]),
            rule_title=inert_text(f["title"]) or inert_text(f["rule"]),
            severity=inert_text(f["severity"]), message=inert_text(f["message"]),
            basis=inert_text(f["basis"]),
            source=_source_label(f["file"], f["sheet"], f["rows"]),
            voucher_key=inert_text(f["voucher_key"]),
            line_id=None if _is_missing(line_id) else int(line_id)))
    return out


def write_findings_csv(result: ScanResult, path) -> None:
    """The 问题清单 columns without the reviewer columns, UTF-8 with BOM so Excel reads Chinese."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(FINDING_HEADERS)
        for row in finding_rows(result.findings):
            writer.writerow(row.csv_values())


# ---------------------------------------------------------------- worksheet writing
#
# openpyxl spends most of a large report's time creating a Cell object per cell and serialising
# each one through its XML element tree (about 7 µs a cell).  The report therefore keeps its cells
# in plain tuples (SheetWriter) and either writes them as the sheet's XML directly
# (write_report; the same bytes openpyxl would write, which tests check) or turns them into
# openpyxl cells (build_workbook, for callers that want a Workbook to look at).

@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"        # text | wrap | money | date | int
    cap: int = 30             # widest the column may get
    floor: int = 6


class _Styles:
    """The cell formats of one workbook, each built once and shared by every cell that uses it.

    A format is the list of assignments the report makes to a cell, in order (number format,
    alignment, border, font, quote prefix, then fill, font or alignment set afterwards).  Replaying
    them on a scratch cell registers the fonts, fills … with the workbook in the order openpyxl
    would see them and gives the StyleArray a cell with that format holds."""

    def __init__(self, wb: Workbook):
        self._scratch = Cell(wb.active)       # on no sheet: never written
        self.arrays: list[StyleArray] = [StyleArray()]
        self._steps: list[tuple] = [()]
        self._index: dict[tuple, int] = {(): 0}
        self._derived: dict[tuple, tuple[tuple, int]] = {}

    def index(self, steps: tuple) -> int:
        """The format made by ``steps``, a tuple of (attribute, value) assignments."""
        found = self._index.get(steps)
        if found is None:
            scratch = self._scratch
            scratch._style = StyleArray()
            for name, value in steps:
                setattr(scratch, name, value)
            found = self._index[steps] = len(self.arrays)
            self.arrays.append(StyleArray(scratch._style))
            self._steps.append(steps)
        return found

    def derive(self, index: int, steps: tuple) -> int:
        """The format ``index`` with ``steps`` assigned after it."""
        # Hashing openpyxl's style objects is slow, so this is looked up by their identity; the
        # entry keeps them alive, so an identity cannot be reused by another object.
        key = (index, *((name, id(value)) for name, value in steps))
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = (steps, self.index(self._steps[index] + steps))
        return found[1]


_DATA_TYPES = {str: "s", int: "n", float: "n", bool: "b", dt.date: "d"}     # openpyxl's, by Python type


class SheetWriter:
    """Collects a sheet's cells with the report's formats and remembers how wide each column
    needs to be.

    A cell is a (value, data type, format) tuple with openpyxl's data types ("s" text, "n"
    number, "b" boolean, "d" date) and a format index into the workbook's _Styles."""

    def __init__(self, ws, styles: _Styles):
        self.ws = ws
        self.styles = styles
        self.cells: dict[int, dict[int, tuple]] = {}
        self.links: dict[tuple[int, int], tuple[str, str]] = {}     # (row, col) -> (location, tooltip)
        self.widths: dict[int, int] = defaultdict(int)
        self.caps: dict[int, int] = {}
        self.floors: dict[int, int] = {}
        self.wrapped: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self.heights: dict[int, int] = {}
        self._formats: dict[tuple, tuple] = {}
        self._measured: dict[int, set[str]] = defaultdict(set)
        self._kinds: dict[int, tuple] = {}

    # -- writing cells

    def put(self, row: int, col: int, value, kind: str = "text", *, measure: bool = True,
            border: bool = True, font: Font | None = None) -> None:
        """One cell of a table: the value shown the report's way for its kind of column.

        Pass one of the module's fonts: formats are cached by the font's identity."""
        self._write(row, ((col, kind, value),), measure, border, font)

    def row(self, row: int, columns, values, font: Font | None = None) -> None:
        kinds = self._kinds.get(id(columns))
        if kinds is None or kinds[0] is not columns:      # held, so the identity stays the table's
            kinds = self._kinds[id(columns)] = (columns, [c.kind for c in columns])
        self._write(row, zip(range(1, len(columns) + 1), kinds[1], values), True, True, font)

    def _write(self, row: int, items, measure: bool, border: bool, font: Font | None) -> None:
        # The hot loop of a large report: written for speed, one pass per cell.
        cells = self.cells.get(row)
        if cells is None:
            cells = self.cells[row] = {}
        widths = self.widths
        formats = self._formats.get((border, id(font)))
        if formats is None or formats[0] is not font:
            formats = self._formats[(border, id(font))] = (font, {})
        formats = formats[1]
        for col, kind, value in items:
            if kind == "money":
                value = None if value is None else (value / 100 if type(value) is int else _yuan(_fen(value)))
                data_type = "n"
                shown = "" if value is None else f"{value:,.2f}"
            elif kind == "date":
                value = value if type(value) is dt.date else _as_date(value)
                data_type = "d"
                shown = "yyyy-mm-dd" if value else ""
            elif type(value) is str:
                if not value.isprintable():
                    value = inert_text(value)
                if len(value) > EXCEL_TEXT_LIMIT:
                    value = value[:EXCEL_TEXT_LIMIT]
                data_type = "s"
                shown = value
            elif type(value) is int and kind == "int":
                data_type = "n"
                shown = f"{value}"
            elif isinstance(value, str) or kind == "text" or kind == "wrap":
                value = None if _is_missing(value) else inert_text(value)[:EXCEL_TEXT_LIMIT]
                data_type = "s"
                shown = value or ""
            else:
                value = None if _is_missing(value) else value
                shown = "" if value is None else str(value)
                data_type = "n" if value is None else self._data_type(value)
            # openpyxl would turn "=…" into a formula and "#N/A" into an error; ledger text is
            # neither.  quotePrefix keeps it text even when a reviewer edits the cell.
            if data_type == "s" and value and value[0] in _RISKY_FIRST and (
                    value[0] != "#" or value in EXCEL_ERRORS):
                fmt = kind + "'"
            else:
                fmt = kind
            index = formats.get(fmt)
            if index is None:
                index = formats[fmt] = self._format(kind, fmt != kind, border, font)
            if value is None or value == "":
                old = cells.get(col)      # like openpyxl: writing nothing keeps what the cell held
                cells[col] = (None, "n", index) if old is None else (old[0], old[1], index)
            else:
                cells[col] = (value, data_type, index)
            if kind == "wrap" and shown:
                self.wrapped[row].append((col, shown))
            if measure:
                width = widths[col]
                if len(shown) > width or (len(shown) * 2 > width and not shown.isascii()):
                    # A character is one or two wide: only text that may be wider is measured,
                    # and the same text only once (a file name is on every line of its vouchers).
                    measured = self._measured[col]
                    if shown not in measured:
                        measured.add(shown)
                        widths[col] = max(width, _display_width(shown))

    def _format(self, kind: str, quote: bool, border: bool, font: Font | None) -> int:
        number_format = {"money": MONEY_FORMAT, "date": DATE_FORMAT}.get(kind)
        steps = (("number_format", number_format),) if number_format else ()
        steps += (("alignment", WRAP if kind == "wrap" else TOP),)
        if border:
            steps += (("border", BORDER),)
        if font is not None:
            steps += (("font", font),)
        if quote:
            steps += (("quotePrefix", True),)
        return self.styles.index(steps)

    def _data_type(self, value) -> str:
        data_type = _DATA_TYPES.get(type(value))
        if data_type is None:                 # numpy numbers, Decimal …: as openpyxl binds them
            scratch = Cell(self.ws, value=value)
            data_type = scratch.data_type
            if data_type not in ("n", "b", "d"):
                raise ValueError(f"报告单元格不支持的值：{value!r}")
        return data_type

    def text(self, row: int, col: int, value: str, font: Font) -> None:
        """A title or note: text in ``font`` and no other format."""
        cells = self.cells.setdefault(row, {})
        old = cells.get(col)
        cells[col] = (value, "s", self.styles.derive(0 if old is None else old[2], (("font", font),)))

    def restyle(self, row: int, col: int, **steps) -> None:
        """Assign fill, font or alignment to a cell written before (in the order given)."""
        cells = self.cells.setdefault(row, {})
        value, data_type, index = cells.get(col, (None, "n", 0))
        cells[col] = (value, data_type, self.styles.derive(index, tuple(steps.items())))

    def link(self, row: int, col: int, location: str, tooltip: str) -> None:
        """A link from the cell to a place in the workbook."""
        self.links[(row, col)] = (location, tooltip)
        cells = self.cells.setdefault(row, {})
        old = cells.get(col)
        if old is None or old[0] is None:     # openpyxl shows the target in an empty cell
            cells[col] = (location, "s", 0 if old is None else old[2])

    def value(self, row: int, col: int):
        cell = self.cells.get(row, {}).get(col)
        return None if cell is None else cell[0]

    def header(self, row: int, columns, *, review_from: int | None = None) -> None:
        for col, column in enumerate(columns, start=1):
            self.put(row, col, column.header, measure=False)
            self.restyle(row, col, font=BOLD,
                         fill=REVIEW_HEADER_FILL if review_from and col >= review_from else HEADER_FILL,
                         alignment=HEADER_ALIGN)
            self.wrapped[row].append((col, column.header))
            self.caps[col] = max(self.caps.get(col, 0), column.cap)
            self.floors[col] = max(self.floors.get(col, 0), column.floor)

    def fit_columns(self) -> None:
        """Set column widths, then row heights for wrapped text.

        Row heights are estimated rather than left to the application: LibreOffice (and Excel
        for some files) keeps one-line rows for wrapped text it did not lay out itself, which
        hides most of a long 问题说明 on screen and on paper."""
        widths = {}
        for col in sorted(set(self.widths) | set(self.caps)):
            cap = self.caps.get(col, 30)
            widths[col] = max(self.floors.get(col, 6), min(self.widths.get(col, 0) + 2, cap))
            self.ws.column_dimensions[get_column_letter(col)].width = widths[col]
        counted: dict[tuple[int, str], int] = {}
        for row, cells in self.wrapped.items():
            lines = 1
            for col, text in cells:
                width = widths.get(col, 8.43)
                # A line is at most twice its length wide: skip text that cannot need more lines.
                if "\n" in text or math.ceil(2 * len(text) / max(1.0, width - 1)) > lines:
                    count = counted.get((col, text))
                    if count is None:
                        count = counted[(col, text)] = _line_count(text, width)
                    lines = max(lines, count)
            if lines > 1:
                # Kept here rather than in ws.row_dimensions, whose objects are slow to make; they
                # go to the sheet when it is written (see write_sheet_data and materialise).
                self.heights[row] = min(409, lines * LINE_HEIGHT + 2)

    # -- handing the cells to openpyxl

    def materialise(self) -> None:
        """Turn the cells into openpyxl cells on the worksheet."""
        ws, arrays = self.ws, self.styles.arrays
        for row, cells in self.cells.items():
            for col, (value, data_type, index) in cells.items():
                cell = Cell(ws, row=row, column=col, style_array=arrays[index])
                cell._value, cell.data_type = value, data_type
                ws._cells[(row, col)] = cell
        for (row, col), (location, tooltip) in self.links.items():
            ws._cells[(row, col)].hyperlink = Hyperlink(ref="", location=location, tooltip=tooltip)
        for row, height in self.heights.items():
            ws.row_dimensions[row].height = height
        self.cells, self.links, self.heights = {}, {}, {}

    def dimension(self) -> str:
        """The used range, as openpyxl's Worksheet.calculate_dimension gives it."""
        rows = [r for r, cells in self.cells.items() if cells]
        if not rows:
            return "A1:A1"
        used = [self.cells[r] for r in rows]
        return (f"{get_column_letter(min(map(min, used)))}{min(rows)}:"
                f"{get_column_letter(max(map(max, used)))}{max(rows)}")

    def write_sheet_data(self, stream) -> None:
        """Write the rows, as UTF-8 XML, to the binary ``stream``: the content of <sheetData>,
        exactly as openpyxl's own writer would write these cells."""
        wb = self.ws.parent
        arrays, add = self.styles.arrays, wb._cell_styles.add
        formats: dict[int, str] = {}
        serials: dict[dt.date, str] = {}
        letters = [""] + [get_column_letter(c) for c in range(1, max(map(max, filter(None, self.cells.values())),
                                                                       default=1) + 1)]
        dims = self.ws.row_dimensions
        heights = self.heights
        out = []
        append = out.append
        for row in sorted(set(r for r, cells in self.cells.items() if cells) | set(dims.keys()) | set(heights)):
            dim = dims.get(row)
            if dim is None:
                height = heights.get(row)
                # what openpyxl writes for a RowDimension with only a height
                append(f'<row r="{row}">' if height is None else
                       f'<row r="{row}" ht="{safe_string(height)}" customHeight="1">')
            else:
                if row in heights:
                    dim.height = heights[row]
                attrs = {"r": f"{row}"}
                attrs.update(dim)
                append("<row" + "".join(f' {k}="{_xml_attribute(v)}"' for k, v in attrs.items()) + ">")
            cells = self.cells.get(row, ())
            number = f"{row}"
            for col in sorted(cells):
                value, data_type, index = cells[col]
                s = formats.get(index)
                if s is None:
                    s = formats[index] = f' s="{add(arrays[index])}"' if any(arrays[index]) else ""
                if data_type == "s" and value:
                    stripped = value.strip()
                    # openpyxl marks text with spaces at either end (xml:space), and escapes & < >
                    space = ' xml:space="preserve"' if stripped and len(stripped) != len(value) else ""
                    if "&" in value or "<" in value or ">" in value:
                        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    append(f'<c r="{letters[col]}{number}"{s} t="inlineStr"><is><t{space}>{value}</t></is></c>')
                elif value is None or value == "":
                    if s or value is not None:
                        append(f'<c r="{letters[col]}{number}"{s} t="{_XML_TYPES[data_type]}" />')
                else:
                    if data_type == "d":
                        text = serials.get(value)
                        if text is None:
                            text = serials[value] = safe_string(to_excel(value, wb.epoch))
                        data_type = "n"
                    elif (type(value) is int or type(value) is float) and value - value == 0:
                        text = "%.16g" % value
                    else:
                        text = safe_string(value)
                    append(f'<c r="{letters[col]}{number}"{s} t="{data_type}"><v>{text}</v></c>'
                           if text else f'<c r="{letters[col]}{number}"{s} t="{data_type}"><v /></c>')
            append("</row>")
            if len(out) > 100_000:        # in pieces: a sheet near Excel's row limit is large
                stream.write("".join(out).encode("utf-8"))
                out.clear()
        stream.write("".join(out).encode("utf-8"))

    def hyperlinks_xml(self) -> str:
        """The <hyperlinks> element as openpyxl writes it for these links ("" if there are none)."""
        if not self.links:
            return ""
        return "<hyperlinks>" + "".join(
            f'<hyperlink ref="{get_column_letter(col)}{row}" location="{_xml_attribute(location)}"'
            f' tooltip="{_xml_attribute(tooltip)}" />'
            for (row, col), (location, tooltip) in sorted(self.links.items())) + "</hyperlinks>"


_XML_TYPES = {"s": "inlineStr", "n": "n", "b": "b", "d": "d"}


def _xml_attribute(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;"))


def _line_count(text: str, width: float) -> int:
    # A unit of cell padding; word wrapping at spaces may still need one line more than this.
    usable = max(1.0, width - 1)
    text = str(text)
    if 2 * len(text) <= usable and "\n" not in text:      # fits on one line however wide
        return 1
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in text.split("\n"))


def _setup_page(ws, title: str, footer_left: str, printed_at: str, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    header = _header_footer_text(f"{REPORT_TITLE} — {title}", 80)
    ws.oddHeader.center.text = header
    ws.oddHeader.center.size = 12
    ws.oddFooter.left.text = _header_footer_text(footer_left)
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.right.text = _header_footer_text(printed_at)


def _table(writer: SheetWriter, columns, rows) -> int:
    """A sheet that is one table with its header in row 1; returns the last row written."""
    ws = writer.ws
    writer.header(1, columns)
    last = 1
    rows = list(rows)
    for last, values in enumerate(rows[:ROW_BUDGET - 1], start=2):
        writer.row(last, columns, values)
    if len(rows) > ROW_BUDGET - 1:
        _overflow_note(writer, last + 1, len(rows) - (ROW_BUDGET - 1), "行")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 2)}"
    return last


# ---------------------------------------------------------------- summary figures

@dataclass
class GroupFigures:
    entity: str
    book: str
    periods: list[str] = field(default_factory=list)
    lines: int = 0
    counts: Counter = field(default_factory=Counter)
    findings: int = 0
    vouchers: int = 0
    amount_fen: int = 0

    def rank_key(self):
        return (-self.counts["high"], -self.amount_fen, -self.counts["medium"], -self.findings,
                self.entity, self.book)


def _period_coverage(periods: list[str]) -> str:
    periods = sorted({p for p in periods if re.fullmatch(r"\d{4}-\d{2}", p or "")})
    if not periods:
        return ""
    first, last = periods[0], periods[-1]
    year, month = int(first[:4]), int(first[5:])
    expected = []
    while f"{year:04d}-{month:02d}" <= last:
        expected.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    present = set(periods)
    missing = [p for p in expected if p not in present]
    text = first if first == last else f"{first} 至 {last}"
    text += f"（{len(periods)} 个月"
    if missing:
        shown = "、".join(missing[:6]) + ("等" if len(missing) > 6 else "")
        text += f"，缺 {shown}"
    return text + "）"


# The summary's figures are worked out over plain lists: a few thousand findings in many small
# groups cost pandas far more per group than the arithmetic itself.

def _finding_lists(findings: pd.DataFrame, names) -> dict[str, list]:
    n = len(findings)
    return {name: findings[name].tolist() if name in findings.columns else [None] * n for name in names}


def _present(value):
    """The value, or None for every kind of missing value (so that they compare equal)."""
    return value if type(value) is str or type(value) is int else (None if _is_missing(value) else value)


def _groups(lists: dict[str, list], names) -> list[tuple[tuple, list[int]]]:
    """Positions of the rows per distinct value of the columns ``names``, ordered like
    DataFrame.groupby(names, sort=True, dropna=False): by value, missing last."""
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(*(lists[name] for name in names))):
        groups.setdefault(tuple(map(_present, key)), []).append(i)
    return sorted(groups.items(), key=lambda item: tuple((v is None, "" if v is None else v) for v in item[0]))


def _unique_line_amount(frame: pd.DataFrame) -> int:
    """Amount at issue counting each flagged line once, however many rules flag it."""
    lists = _finding_lists(frame, ("voucher_key", "line_id", "amount_fen"))
    return _line_amount(lists, range(len(frame)))


def _line_amount(lists: dict[str, list], rows) -> int:
    """Amount at issue of the findings at ``rows``, each (voucher, line) counted once at its largest."""
    keys, lines, amounts = lists["voucher_key"], lists["line_id"], lists["amount_fen"]
    largest: dict[tuple, int] = {}
    for i in rows:
        amount = amounts[i]
        amount = amount if type(amount) is int else (0 if _is_missing(amount) else int(amount))
        key = (_present(keys[i]), _present(lines[i]))
        if key not in largest or amount > largest[key]:
            largest[key] = amount
    return sum(largest.values())


def _int_sum(values) -> int:
    return int(sum(int(v) for v in values if not _is_missing(v)))


def group_figures(result: ScanResult) -> list[GroupFigures]:
    """One entry per entity and book, ranked so the places to look at first come first."""
    groups: dict[tuple[str, str], GroupFigures] = {}

    def group(entity, book) -> GroupFigures:
        key = (inert_text(entity), inert_text(book))
        if key not in groups:
            groups[key] = GroupFigures(key[0], key[1])
        return groups[key]

    for sheet in result.read.sheets:
        if sheet.status != "read":
            continue
        g = group(sheet.entity, sheet.book)
        g.periods.extend(sheet.periods)
        g.lines += sheet.lines
    findings = result.findings
    if not findings.empty:
        lists = _finding_lists(findings, ("entity", "book", "severity", "voucher_key", "line_id", "amount_fen"))
        severity, keys = lists["severity"], lists["voucher_key"]
        for (entity, book), rows in _groups(lists, ("entity", "book")):
            g = group(entity, book)
            g.counts.update(inert_text(severity[i]) for i in rows)
            g.findings = len(rows)
            g.vouchers = len({keys[i] for i in rows if _present(keys[i]) is not None})
            g.amount_fen = _line_amount(lists, rows)
    return sorted(groups.values(), key=GroupFigures.rank_key)


# ---------------------------------------------------------------- sheets

def _write_summary(w: SheetWriter, result: ScanResult, rules_by_id: dict, footer: str, printed_at: str) -> None:
    ws = w.ws
    findings = result.findings
    r = 1
    w.text(r, 1, f"{REPORT_TITLE} — 汇总", TITLE_FONT)
    r += 2

    # Run facts: values overflow into the empty cells to their right, so they are not measured.
    r = _section(w, r, "一、运行情况")
    sheets = result.read.sheets
    errors = [e for e in result.read.errors if e.kind == "error"]
    warnings = [e for e in result.read.errors if e.kind != "error"]
    lines_read = sum(s.lines for s in sheets)
    dropped = sum(sum(s.skipped.values()) for s in sheets)
    enabled = [rule for rule in result.rules if getattr(rule, "enabled", True)]
    facts: list[tuple[str, object, str]] = [
        ("生成时间", result.started_at.strftime("%Y-%m-%d %H:%M:%S"), "text"),
        ("用时（秒）", round((result.finished_at - result.started_at).total_seconds(), 1), "int"),
        ("版本", result.version or "", "text"),
    ]
    inputs = list(result.inputs) or [""]
    facts += [("输入" if i == 0 else "", path, "text") for i, path in enumerate(inputs)]
    facts += [
        ("文件数", len({s.file for s in sheets}), "int"),
        ("工作表数", len(sheets), "int"),
        ("分录行数", lines_read, "int"),
    ]
    if len(result.read.ledger) != lines_read:
        facts.append(("参与检查分录行数", len(result.read.ledger), "int"))
    facts += [
        ("剔除行数", dropped, "int"),
        ("数据问题", f"错误 {len(errors)} 条，提示 {len(warnings)} 条（见“{PROBLEMS}”表）", "text"),
        ("策略文件", result.policy_path or "默认", "text"),
        ("检查期间", f"{result.periods[0]} 至 {result.periods[1]}" if result.periods else "全部期间", "text"),
        ("启用规则", f"{len(enabled)} / {len(result.rules)}", "text"),
        ("规则未运行", f"{len(result.rule_gaps)} 处（见下文“规则未运行”）" if result.rule_gaps else "无", "text"),
        ("问题数", len(findings), "int"),
        ("涉及凭证数", findings["voucher_key"].nunique() if not findings.empty else 0, "int"),
        ("涉及金额（元）", _unique_line_amount(findings), "money"),
    ]
    for label, value, kind in facts:
        w.put(r, 1, label, border=False)
        w.restyle(r, 1, font=BOLD)
        w.put(r, 2, value, kind, measure=False, border=False)
        w.restyle(r, 2, alignment=LEFT)
        r += 1
    r += 1

    # Where to look first.
    groups = group_figures(result)
    r = _section(w, r, "二、各单位问题概况（按高风险问题数、涉及金额排序；涉及金额中同一分录只计一次）")
    columns = (Column("排序", "int", 6), Column("单位", "text", 24), Column("账套", "text", 12),
               Column("会计期间", "wrap", 30), Column("分录行数", "int", 10), Column("高", "int", 6),
               Column("中", "int", 6), Column("低", "int", 6), Column("问题数", "int", 8),
               Column("涉及凭证数", "int", 10), Column("涉及金额（元）", "money", 16))
    w.header(r, columns)
    r += 1
    if not groups:
        w.put(r, 1, "没有读取到分录。", border=False)
        r += 1
    for rank, g in enumerate(groups, start=1):
        w.row(r, columns, (rank, _entity_label(g.entity), _book_label(g.book), _period_coverage(g.periods),
                           g.lines, g.counts["high"], g.counts["medium"], g.counts["low"], g.findings,
                           g.vouchers, g.amount_fen))
        for col, severity in enumerate(("high", "medium", "low"), start=6):
            if g.counts[severity]:
                w.restyle(r, col, fill=SEVERITY_FILLS[severity])
        r += 1
    r += 1

    r = _section(w, r, "三、各单位按规则统计")
    columns_by_rule = (Column("单位", "text", 24), Column("账套", "text", 12), Column("规则", "wrap", 30),
                       Column("风险等级", "text", 8), Column("问题数", "int", 8), Column("金额（元）", "money", 16))
    w.header(r, columns_by_rule)
    r += 1
    if findings.empty:
        w.put(r, 1, "未发现问题。", border=False)
        r += 1
    else:
        order = {(g.entity, g.book): i for i, g in enumerate(groups)}
        per_rule = []
        lists = _finding_lists(findings, ("entity", "book", "rule", "severity", "title", "amount_fen"))
        for (entity, book, rule), rows in _groups(lists, ("entity", "book", "rule")):
            rule_info = rules_by_id.get(rule)
            severity = _top_severity(lists["severity"][i] for i in rows)
            per_rule.append((order.get((inert_text(entity), inert_text(book)), len(order)),
                             SEVERITY_RANK.get(severity, 3), -len(rows), inert_text(rule),
                             (_entity_label(entity), _book_label(book),
                              getattr(rule_info, "title", None) or inert_text(lists["title"][rows[0]]),
                              severity, len(rows), _int_sum(lists["amount_fen"][i] for i in rows))))
        for *_, values in sorted(per_rule, key=lambda t: t[:4]):
            w.row(r, columns_by_rule, (*values[:3], _severity_label(values[3]), *values[4:]))
            if values[3] in SEVERITY_FILLS:
                w.restyle(r, 4, fill=SEVERITY_FILLS[values[3]])
            r += 1
    r += 1

    r = _write_rule_totals(w, r, result)
    if len({g.entity for g in groups}) > 1:
        r = _write_entity_chart(w, r, groups)

    r = _section(w, r, "六、规则未运行（工作表缺少规则所需字段，这些规则没有检查这些工作表）")
    gap_columns = (Column("规则编号", "text", 28), Column("规则", "wrap", 30), Column("文件", "wrap", 36),
                   Column("工作表", "text", 20), Column("缺少字段", "text", 24))
    w.header(r, gap_columns)
    r += 1
    if not result.rule_gaps:
        w.put(r, 1, "无：所有启用的规则均已在全部工作表上运行。", border=False)
        r += 1
    for gap in result.rule_gaps:
        rule_info = rules_by_id.get(gap.rule)
        w.row(r, gap_columns, (gap.rule, getattr(rule_info, "title", ""), gap.file, gap.sheet,
                               "、".join(_field_label(f) for f in gap.missing)))
        r += 1
    r += 1

    r = _write_completeness(w, r, result)
    w.fit_columns()
    _setup_page(ws, SUMMARY, footer, printed_at, None)


def _section(w: SheetWriter, r: int, title: str) -> int:
    w.text(r, 1, title, SECTION_FONT)
    return r + 1


def _top_severity(values) -> str:
    present = [inert_text(v) for v in values]
    return min(present, key=lambda s: SEVERITY_RANK.get(s, 3)) if present else ""


def _write_rule_totals(w: SheetWriter, r: int, result: ScanResult) -> int:
    ws = w.ws
    r = _section(w, r, "四、按规则统计")
    findings = result.findings
    columns = (Column("规则编号", "text", 28), Column("规则", "wrap", 30), Column("风险等级", "text", 8),
               Column("问题数", "int", 8), Column("金额（元）", "money", 16))
    lists = _finding_lists(findings, ("rule", "severity", "title", "amount_fen"))
    by_rule = dict(_groups(lists, ("rule",)))
    amounts = lists["amount_fen"]
    rows = []
    for rule in result.rules:
        if not getattr(rule, "enabled", True):
            continue
        mine = by_rule.get((rule.id,), [])
        rows.append((-len(mine), SEVERITY_RANK.get(rule.severity, 3), rule.id,
                     (rule.id, rule.title, rule.severity, len(mine), _int_sum(amounts[i] for i in mine))))
    known = {rule.id for rule in result.rules}
    # Findings of a rule missing from result.rules still have to be counted somewhere.
    for (rule_id,), mine in by_rule.items():
        if rule_id is not None and rule_id not in known:
            rows.append((-len(mine), 3, rule_id, (rule_id, inert_text(lists["title"][mine[0]]),
                                                  _top_severity(lists["severity"][i] for i in mine), len(mine),
                                                  _int_sum(amounts[i] for i in mine))))
    rows.sort(key=lambda t: t[:3])
    header_row = r
    w.header(r, columns)
    r += 1
    for *_, (rule_id, title, severity, count, amount) in rows:
        w.row(r, columns, (rule_id, title, _severity_label(severity), count, amount))
        if severity in SEVERITY_FILLS:
            w.restyle(r, 3, fill=SEVERITY_FILLS[severity])
        r += 1
    with_findings = sum(1 for row in rows if row[-1][3] > 0)
    if with_findings:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "各规则问题数"
        chart.legend = None
        chart.add_data(Reference(ws, min_col=4, min_row=header_row, max_row=header_row + with_findings),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=header_row + 1, max_row=header_row + with_findings))
        r = _place_chart(ws, chart, header_row, r, with_findings, len(columns), -rows[0][0])
    return r + 1


def _place_chart(ws, chart, top_row: int, next_row: int, categories: int, table_width: int,
                 max_count: int) -> int:
    """Anchor a chart to the right of its table and keep the rows it covers free of other tables."""
    for series in chart.series:
        # Community and rule names are text; a numeric reference makes LibreOffice show 1, 2, 3.
        if series.cat is not None and series.cat.numRef is not None:
            series.cat = AxDataSource(strRef=StrRef(f=series.cat.numRef.f))
    chart.x_axis.delete = False       # openpyxl 3.1 otherwise hides both axes in Excel
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"    # first table row at the top
    chart.y_axis.majorGridlines = None
    chart.y_axis.majorUnit = max(1, math.ceil(max_count / 8))     # counts: no 0.5 ticks
    chart.y_axis.number_format = "0"
    chart.width = 16
    chart.height = min(20.0, max(6.0, 0.8 * categories + 2.5))
    ws.add_chart(chart, f"{get_column_letter(table_width + 2)}{top_row}")
    rows_covered = math.ceil(chart.height / 0.53) + 1     # a default row is 15 pt = 0.53 cm
    return max(next_row, top_row + rows_covered)


def _write_entity_chart(w: SheetWriter, r: int, groups: list[GroupFigures]) -> int:
    ws = w.ws
    r = _section(w, r, "五、各单位问题数（图表数据）")
    columns = (Column("单位", "text", 24), Column("高", "int", 6), Column("中", "int", 6),
               Column("低", "int", 6), Column("合计", "int", 8))
    totals: dict[str, Counter] = {}
    for g in groups:                               # groups are ranked, so first seen = first shown
        totals.setdefault(g.entity, Counter()).update(g.counts)
    header_row = r
    w.header(r, columns)
    r += 1
    for entity, counts in totals.items():
        w.row(r, columns, (_entity_label(entity), counts["high"], counts["medium"], counts["low"],
                           counts["high"] + counts["medium"] + counts["low"]))
        r += 1
    shown = min(len(totals), 20)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "各单位问题数"
    chart.add_data(Reference(ws, min_col=2, max_col=4, min_row=header_row, max_row=header_row + shown),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + shown))
    for series, severity in zip(chart.series, ("high", "medium", "low")):
        series.graphicalProperties.solidFill = SEVERITY_CHART_COLOURS[severity]
        series.graphicalProperties.line.solidFill = SEVERITY_CHART_COLOURS[severity]
    r = _place_chart(ws, chart, header_row, r, shown, len(columns),
                     max(sum(c.values()) for c in totals.values()))
    return r + 1


def _write_completeness(w: SheetWriter, r: int, result: ScanResult) -> int:
    r = _section(w, r, "七、工作表完整性核对（分录行数 + 剔除行数 = 非空数据行 时为“一致”）")
    reasons = sorted({reason for s in result.read.sheets for reason in s.skipped})
    columns = (Column("文件", "wrap", 36), Column("工作表", "text", 20), Column("单位", "text", 24),
               Column("账套", "text", 12), Column("状态", "text", 14), Column("表头行", "text", 8),
               Column("分录行数", "int", 10), Column("剔除行数", "int", 10),
               *(Column(f"剔除：{inert_text(reason)}", "int", 12) for reason in reasons),
               Column("非空数据行", "int", 10), Column("核对", "text", 8), Column("说明", "wrap", 30))
    w.header(r, columns)
    r += 1
    if not result.read.sheets:
        w.put(r, 1, "没有读取到工作表。", border=False)
        return r + 2
    for s in result.read.sheets:
        skipped_total = sum(s.skipped.values())
        consistent = s.lines + skipped_total == s.data_rows
        header_rows = sorted(s.header_rows)
        header_label = "" if not header_rows else (str(header_rows[0]) if len(header_rows) == 1
                                                   else f"{header_rows[0]}–{header_rows[-1]}")
        status = SHEET_STATUS_LABELS.get(s.status, s.status)
        w.row(r, columns, (s.file, s.sheet, _entity_label(s.entity), _book_label(s.book), status,
                           header_label, s.lines, skipped_total,
                           *(s.skipped.get(reason, 0) for reason in reasons),
                           s.data_rows, "一致" if consistent else "不一致", s.note))
        if not consistent:
            w.restyle(r, len(columns) - 1, fill=MISMATCH_FILL, font=BOLD)
        r += 1
    return r + 1


DETAIL_COLUMNS = (
    Column("单位", "text", 16), Column("账套", "text", 10), Column("期间", "text", 9),
    Column("凭证号", "text", 10), Column("日期", "date", 11), Column("行号", "int", 6),
    Column("摘要", "wrap", 28), Column("科目编码", "text", 12), Column("科目名称", "wrap", 22),
    Column("借方金额", "money", 14), Column("贷方金额", "money", 14), Column("往来单位", "wrap", 18),
    Column("制单人", "text", 8), Column("审核人", "text", 8), Column("附件数", "int", 6),
    Column("问题", "wrap", 26), Column("来源文件", "wrap", 24), Column("工作表", "text", 14),
)


EXCEL_MAX_ROWS = 1_048_576
# Rows a long sheet may use before it stops with a note: Excel's limit less the header and note.
ROW_BUDGET = EXCEL_MAX_ROWS - 2


def _overflow_note(w: SheetWriter, row: int, left_out: int, what: str) -> None:
    w.text(row, 1, f"已达到 Excel 每张工作表 {EXCEL_MAX_ROWS:,} 行的上限，另有 {left_out:,} {what}"
                   "未列出；完整结果请用 --json 或 --csv 输出查看。", NOTE_FONT)


DETAIL_FIELDS = ("entity", "book", "period", "voucher", "date", "row", "summary", "account_code", "account_name",
                 "debit_fen", "credit_fen", "counterparty", "preparer", "reviewer", "attachments", "file", "sheet",
                 "voucher_key", "line_id")


def _voucher_lines(ledger: pd.DataFrame, findings: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Every ledger line of the vouchers ``keys``, in file, sheet and row order.

    The flagged lines are found by line_id (the ledger's rows are in line_id order) and the other
    lines of their vouchers by voucher_id, so apart from one pass over the integer voucher_id
    column the work grows with the findings, not with the ledger."""
    wanted = set(keys)
    lines = ledger.iloc[0:0]
    by_id = None
    if len(ledger) and "voucher_id" in ledger.columns:
        line_ids = ledger["line_id"].to_numpy()
        voucher_ids = ledger["voucher_id"].to_numpy()
        flagged = findings["line_id"]
        flagged = (flagged.to_numpy() if flagged.dtype == np.int64
                   else pd.to_numeric(flagged, errors="coerce").dropna().to_numpy().astype(np.int64))
        at = np.searchsorted(line_ids, flagged).clip(0, len(line_ids) - 1)
        at = at[line_ids[at] == flagged]
        if len(at):
            by_id = voucher_lines(ledger, voucher_ids[at])
            lines = ledger.take(by_id)
    found = set(lines["voucher_key"].tolist())
    if not found <= wanted:
        # a flagged line outside its finding's voucher, or voucher_id not one per voucher_key
        lines = ledger[ledger["voucher_key"].isin(wanted)]
    elif wanted - found:        # findings whose line is not in the ledger: look for their vouchers by key
        by_key = np.flatnonzero(ledger["voucher_key"].isin(wanted - found).to_numpy())
        lines = ledger.take(by_key if by_id is None else np.union1d(by_key, by_id))
    return lines.sort_values(["file", "sheet", "row", "line_id"], kind="stable")


def _write_detail(w: SheetWriter, result: ScanResult, footer: str, printed_at: str) -> dict[str, int]:
    """Every line of every flagged voucher; returns the row of each voucher's first line."""
    ws = w.ws
    w.header(1, DETAIL_COLUMNS)
    ws.freeze_panes = "A2"
    findings, ledger = result.findings, result.read.ledger
    first_rows: dict[str, int] = {}
    r = 2
    if findings.empty:
        w.put(r, 1, "未发现问题凭证。", border=False)
    else:
        finding_keys = findings["voucher_key"].map(inert_text).tolist()
        keys = list(dict.fromkeys(finding_keys))
        titles: dict[str, list[str]] = defaultdict(list)
        for key, title in zip(finding_keys, findings["title"].map(inert_text)):
            if title not in titles[key]:
                titles[key].append(title)
        flagged_lines = {int(v) for v in findings["line_id"] if not _is_missing(v)}
        lines = _voucher_lines(ledger, findings, keys)
        values = {name: lines[name].tolist() for name in DETAIL_FIELDS}
        entities = {e: _entity_label(e) for e in set(values["entity"])}
        books = {b: _book_label(b) for b in set(values["book"])}
        by_voucher: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(values["voucher_key"]):
            by_voucher[key].append(i)
        (entity, book, period, voucher, date, row, summary, account_code, account_name, debit, credit,
         counterparty, preparer, reviewer, attachments, file, sheet, _, line_id) = (values[n] for n in DETAIL_FIELDS)
        put_row = w.row
        for index, key in enumerate(keys):
            if key not in by_voucher:
                continue
            if r + len(by_voucher[key]) + 1 > ROW_BUDGET:
                _overflow_note(w, r + 1, len(keys) - index, "张问题凭证的分录")
                r += 2
                break
            if first_rows:
                r += 1                      # a blank row between vouchers
            first_rows[key] = r
            problems = "；".join(titles[key])
            for i in by_voucher[key]:
                put_row(r, DETAIL_COLUMNS, (
                    entities[entity[i]], books[book[i]], period[i], voucher[i], date[i], row[i], summary[i],
                    account_code[i], account_name[i], debit[i] or None, credit[i] or None, counterparty[i],
                    preparer[i], reviewer[i], attachments[i], problems, file[i], sheet[i]),
                    font=FLAGGED_LINE_FONT if int(line_id[i]) in flagged_lines else None)
                r += 1
    last = max(r - 1, 2)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_COLUMNS))}{last}"
    w.fit_columns()
    _setup_page(ws, DETAIL, footer, printed_at, "1:1")
    return first_rows


FINDING_COLUMNS_XLSX = (
    # Narrow, wrapping columns: 18 columns must still be legible on one A4 landscape width.
    Column("序号", "int", 6), Column("单位", "wrap", 12), Column("账套", "text", 8),
    Column("期间", "text", 9), Column("凭证号", "text", 10), Column("日期", "date", 11),
    Column("摘要", "wrap", 20), Column("科目", "wrap", 14), Column("金额", "money", 13),
    Column("规则", "wrap", 14), Column("风险等级", "text", 6), Column("问题说明", "wrap", 30),
    Column("依据", "wrap", 18), Column("来源", "wrap", 22),
    Column("核实结论", "text", 9, 9), Column("整改措施", "wrap", 12, 12), Column("责任人", "text", 7, 7),
    Column("备注", "wrap", 10, 10),
)


def _write_findings(w: SheetWriter, result: ScanResult, detail_rows: dict[str, int], footer: str,
                    printed_at: str) -> None:
    ws = w.ws
    rows = finding_rows(result.findings)
    left_out = max(0, len(rows) - (ROW_BUDGET - 1))
    rows = rows[:len(rows) - left_out]
    review_from = len(FINDING_HEADERS) + 1
    severity_col = FINDING_HEADERS.index("风险等级") + 1
    voucher_col = FINDING_HEADERS.index("凭证号") + 1
    w.header(1, FINDING_COLUMNS_XLSX, review_from=review_from)
    ws.freeze_panes = "A2"
    for r, f in enumerate(rows, start=2):
        w.row(r, FINDING_COLUMNS_XLSX, (
            f.number, f.entity, f.book, f.period, f.voucher, f.date, f.summary, f.account, f.amount_fen,
            f.rule_title, _severity_label(f.severity), f.message, f.basis, f.source, None, None, None, None))
        if f.severity in SEVERITY_FILLS:
            w.restyle(r, severity_col, fill=SEVERITY_FILLS[f.severity], alignment=SEVERITY_ALIGN)
        target = detail_rows.get(f.voucher_key)
        if target:
            w.link(r, voucher_col, f"'{DETAIL}'!A{target}", "查看凭证全部分录")
            w.restyle(r, voucher_col, font=LINK_FONT)
    last = len(rows) + 1
    if left_out:
        _overflow_note(w, last + 1, left_out, "条问题")
    if not rows:
        w.put(2, 1, "未发现问题。", border=False)
    else:
        review = DataValidation(type="list", formula1='"' + ",".join(REVIEW_CHOICES) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="核实结论",
                                error="请从下拉列表中选择：" + "、".join(REVIEW_CHOICES))
        review.add(f"{get_column_letter(review_from)}2:{get_column_letter(review_from)}{last}")
        ws.add_data_validation(review)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(FINDING_COLUMNS_XLSX))}{max(last, 2)}"
    w.fit_columns()
    _setup_page(ws, FINDINGS, footer, printed_at, "1:1")


PROBLEM_COLUMNS = (
    Column("类别", "text", 10), Column("文件", "wrap", 36), Column("工作表", "text", 20),
    Column("行号", "int", 8), Column("列", "text", 18), Column("说明", "wrap", 60), Column("原文", "wrap", 40),
)


def _problem_rows(result: ScanResult, rules_by_id: dict):
    for e in result.read.errors:
        yield (ERROR_KIND_LABELS.get(e.kind, e.kind), e.file, e.sheet, e.row, e.column, e.message, None)
    dropped = result.read.dropped
    if dropped is not None and not dropped.empty:
        for d in dropped.to_dict("records"):
            row = d.get("row")
            yield ("剔除行", d.get("file"), d.get("sheet"), None if _is_missing(row) else int(row), None,
                   d.get("reason"), d.get("text"))
    for gap in result.rule_gaps:
        title = getattr(rules_by_id.get(gap.rule), "title", "") or gap.rule
        missing = "、".join(_field_label(f) for f in gap.missing)
        yield ("规则未运行", gap.file, gap.sheet, None, missing,
               f"规则“{title}”（{gap.rule}）未检查此工作表：缺少所需字段 {missing}。"
               f"请在表头中补充该列，或在策略文件 [reading] header_synonyms 中登记其表头名称。", None)


def _write_problems(w: SheetWriter, result: ScanResult, rules_by_id: dict, footer: str, printed_at: str) -> None:
    ws = w.ws
    rows = list(_problem_rows(result, rules_by_id))
    if not rows:
        rows = [("无", None, None, None, None, "没有数据问题：没有读取错误、没有剔除的行、所有规则均已运行。", None)]
    last = _table(w, PROBLEM_COLUMNS, rows)
    for r in range(2, last + 1):
        if w.value(r, 1) == "错误":
            w.restyle(r, 1, fill=SEVERITY_FILLS["high"])
    w.fit_columns()
    _setup_page(ws, PROBLEMS, footer, printed_at, "1:1")


RULE_COLUMNS = (
    Column("规则编号", "text", 30), Column("中文名称", "wrap", 24), Column("English title", "wrap", 30),
    Column("风险等级", "text", 8), Column("依据", "wrap", 40), Column("是否启用", "text", 8),
    Column("所需字段", "wrap", 16), Column("选项（本次生效值）", "wrap", 36), Column("选项说明", "wrap", 50),
)


def _write_rules(w: SheetWriter, result: ScanResult, footer: str, printed_at: str) -> None:
    ws = w.ws
    rows = []
    for rule in result.rules:
        options = dict(getattr(rule, "options", {}) or {})
        help_texts = getattr(rule, "options_help", {}) or {}
        rows.append((rule.id, rule.title, rule.title_en, _severity_label(rule.severity), rule.basis,
                     "是" if getattr(rule, "enabled", True) else "否",
                     "、".join(_field_label(f) for f in getattr(rule, "requires", ())),
                     "\n".join(f"{name} = {_option_value(value)}" for name, value in options.items()) or "无",
                     "\n".join(f"{name}：{inert_text(help_texts[name])}" for name in options if name in help_texts)))
    if not rows:
        rows = [("无", None, None, None, None, None, None, None, None)]
    _table(w, RULE_COLUMNS, rows)
    for r, rule in enumerate(result.rules, start=2):
        if rule.severity in SEVERITY_FILLS:
            w.restyle(r, 4, fill=SEVERITY_FILLS[rule.severity])
    w.fit_columns()
    _setup_page(ws, RULES, footer, printed_at, "1:1")


# ---------------------------------------------------------------- workbook

def _footer_entity(result: ScanResult) -> str:
    entities = {inert_text(s.entity) for s in result.read.sheets if s.status == "read"}
    if not result.findings.empty:
        entities |= set(result.findings["entity"].map(inert_text))
    entities.discard("")
    if len(entities) > 1:
        return "多个单位"
    return next(iter(entities), "")


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


class _FixedTimeZipFile(zipfile.ZipFile):
    """Stamps every member with one time, so the same scan gives the same bytes.

    Members are compressed and written by a second thread, one after the other in the order
    given, while the caller goes on making the next one (zlib runs without holding the GIL)."""

    def __init__(self, path, moment: dt.datetime):
        self._background = None
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._stamp = max(moment, dt.datetime(1980, 1, 1)).timetuple()[:6]
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-zip")
        self._pending: list[Future] = []

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._stamp)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        write = super().writestr
        if self._background is None:
            write(zinfo_or_arcname, data, compress_type, compresslevel)
        else:
            self._pending.append(self._background.submit(write, zinfo_or_arcname, data, compress_type,
                                                         compresslevel))

    def close(self):
        background, self._background = self._background, None
        if background is None:
            return super().close()
        background.shutdown(wait=True)
        try:
            for done in self._pending:
                done.result()           # the first error in writing, if any
        finally:
            self._pending = []
            super().close()

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes(), compress_type, compresslevel)


def _build(result: ScanResult) -> tuple[Workbook, list[SheetWriter]]:
    wb = Workbook()
    styles = _Styles(wb)
    summary = wb.active
    summary.title = SUMMARY
    for title in (FINDINGS, DETAIL, PROBLEMS, RULES):
        wb.create_sheet(title)
    writers = [SheetWriter(ws, styles) for ws in wb.worksheets]
    summary_w, findings_w, detail_w, problems_w, rules_w = writers

    footer = _footer_entity(result)
    printed_at = "生成于 " + result.started_at.strftime("%Y-%m-%d %H:%M")
    rules_by_id = {rule.id: rule for rule in result.rules}
    _write_summary(summary_w, result, rules_by_id, footer, printed_at)
    detail_rows = _write_detail(detail_w, result, footer, printed_at)
    _write_findings(findings_w, result, detail_rows, footer, printed_at)
    _write_problems(problems_w, result, rules_by_id, footer, printed_at)
    _write_rules(rules_w, result, footer, printed_at)

    moment = _naive_utc(result.started_at)
    wb.properties.created = moment
    wb.properties.modified = moment
    wb.properties.creator = "voucher-checker"
    wb.properties.lastModifiedBy = "voucher-checker"
    wb.properties.title = REPORT_TITLE
    wb.properties.subject = _header_footer_text(footer, 200)
    wb.properties.description = f"voucher-checker {result.version}".strip()
    wb.active = 0
    return wb, writers


def build_workbook(result: ScanResult) -> Workbook:
    """The report as an openpyxl workbook with ordinary cells (``write_report`` writes the same
    workbook without making them)."""
    wb, writers = _build(result)
    for writer in writers:
        writer.materialise()
    return wb


# Stand in for the rows and the links in the XML openpyxl writes for a sheet, and are replaced.
_ROWS_MARK = "<sheetData>voucher-checker-rows</sheetData>"
_LINKS_MARK = "<hyperlinks>voucher-checker-links</hyperlinks>"


class _SheetXMLWriter(WorksheetWriter):
    """openpyxl's worksheet writer for everything but the cells, which come from a SheetWriter."""

    def __init__(self, ws, sheet: SheetWriter):
        super().__init__(ws, out=BytesIO())
        self.sheet = sheet

    def write_dimensions(self):
        self.xf.send(SheetDimension(self.sheet.dimension()).to_tree())

    def write_rows(self):
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            xf.write(_ROWS_MARK[len("<sheetData>"):-len("</sheetData>")])
        self.xf.send(None)

    def write_hyperlinks(self):
        if self.sheet.links:
            mark = Element("hyperlinks")
            mark.text = _LINKS_MARK[len("<hyperlinks>"):-len("</hyperlinks>")]
            self.xf.send(mark)

    def xml(self) -> bytes:
        head, mark, tail = self.read().partition(_ROWS_MARK.encode())
        if self.sheet.links:
            tail, links, end = tail.partition(_LINKS_MARK.encode())
            tail = tail + self.sheet.hyperlinks_xml().encode("utf-8") + end
            mark = mark and links
        if not mark:
            raise RuntimeError("openpyxl wrote the worksheet in an unexpected form")
        out = BytesIO()
        out.write(head)
        out.write(b"<sheetData>")
        self.sheet.write_sheet_data(out)
        out.write(b"</sheetData>")
        out.write(tail)
        return out.getvalue()


class _ReportWriter(ExcelWriter):
    """openpyxl's workbook writer, with each sheet's cells written from its SheetWriter."""

    def __init__(self, workbook: Workbook, archive, sheets: list[SheetWriter]):
        super().__init__(workbook, archive)
        self._sheets = {id(sheet.ws): sheet for sheet in sheets}

    def write_worksheet(self, ws):
        sheet = self._sheets.get(id(ws))
        if sheet is None or ws._cells or self.workbook.iso_dates:
            if sheet is not None:
                sheet.materialise()
            return super().write_worksheet(ws)
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SheetXMLWriter(ws, sheet)
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.xml())
        self.manifest.append(ws)


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector: the report makes hundreds of thousands of small tuples
    and strings, none of them in cycles, and each collection would walk every object the process
    holds (a 1M-line ledger's included) again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_report(result: ScanResult, path) -> None:
    """Write the Excel report.  The same ScanResult always gives the same file, byte for byte."""
    with _gc_paused():
        wb, writers = _build(result)
        # openpyxl's save() stamps "modified" with the current time; ExcelWriter keeps ours.
        with _FixedTimeZipFile(path, _naive_utc(result.started_at)) as archive:
            _ReportWriter(wb, archive, writers).save()
