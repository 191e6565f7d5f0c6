"""What every sheet of the report shares: making ledger text inert, labels, cell formats, the
streaming sheet writer, the print set-up.

The workbook is written by xlsxwriter in constant-memory mode: each sheet's rows go to a
temporary file as soon as the next row starts, so a sheet's rows must be written in order and a
row cannot be changed once the next one is begun.  Column widths are therefore fixed before the
rows are written (they are designed for the printed page) and a row's height is worked out from
its own cells.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from ..fields import BOOK_LABELS, SEVERITY_LABELS, field_label

REPORT_TITLE = "凭证检查报告"
SUMMARY, FINDINGS, DETAIL, PROBLEMS, RULES = "汇总", "问题清单", "凭证明细", "数据问题", "规则说明"
REVIEW_CHOICES = ("属实", "不属实", "已整改", "待核实")
# The layout `review import` reads back (the 问题清单 columns it finds by header, the 识别码
# scheme): a document property of every report.  Raise it when either changes incompatibly.
REPORT_FORMAT_PROPERTY, REPORT_FORMAT = "voucher-checker report format", 1
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
EXCEL_MAX_ROWS = 1_048_576
# Rows a long sheet may use before it stops with a note: Excel's limit less the header and note.
ROW_BUDGET = EXCEL_MAX_ROWS - 2
# Excel keeps at most this many hyperlinks on a sheet; further links are HYPERLINK formulas.
MAX_SHEET_LINKS = 65_530
MAX_ROW_HEIGHT = 409      # points: Excel's limit

FONT_NAME = "Calibri"     # named on every format: a nameless font makes LibreOffice and WPS use a serif face
BODY_SIZE = 11
# Points per wrapped line of 11-point text: 15 in Excel for Calibri; a line with CJK glyphs is taller
# where they come from Noto Sans CJK (LibreOffice, WPS on Linux), 16 points.
LINE_HEIGHT = 16
MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
SCORE_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
GRID_COLOUR = "#999999"
HEADER_FILL = "#D9D9D9"
REVIEW_HEADER_FILL = "#E2EFDA"   # the columns a reviewer fills in
GROUP_FILL = "#F2F2F2"
SEVERITY_FILLS = {"high": "#FF8B8B", "medium": "#FFC06A", "low": "#FFF08A"}
SEVERITY_CHART_COLOURS = {"high": "#E03C31", "medium": "#F39C12", "low": "#F4D03F"}
LINK_COLOUR = "#0563C1"
NOTE_COLOUR = "#C00000"

# Page set-up shared by every sheet: A4 landscape, narrow side margins (inches).
SIDE_MARGIN, TOP_MARGIN, HEADER_MARGIN = 0.25, 0.7, 0.3
A4_LANDSCAPE_WIDTH_CM = 29.7
PIXELS_PER_CHARACTER = 7       # Calibri 11's digit width at 96 dpi: what Excel's column widths count in


def printable_width_px() -> float:
    """The width between the side margins at 100% scale, in Excel's 96-dpi pixels."""
    return (A4_LANDSCAPE_WIDTH_CM / 2.54 - 2 * SIDE_MARGIN) * 96


def column_px(width: float) -> int:
    """Pixels Excel gives a column of ``width`` characters (5 pixels of padding)."""
    return int(width * PIXELS_PER_CHARACTER + 5)


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


def needs_quote_prefix(text: str) -> bool:
    """Text Excel would turn into a formula or an error value if a reviewer edited the cell."""
    return bool(text) and text[0] in _RISKY_FIRST and (text[0] != "#" or text in EXCEL_ERRORS)


class _CharWidths(dict):
    """Display width of each character met so far: 2 for CJK and full-width ones, else 1."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        return width


_CHAR_WIDTHS = _CharWidths()


def display_width(text: str) -> int:
    """Width in Excel character units of the longest line: CJK and full-width characters take two."""
    text = str(text)
    if text.isascii():
        return max(map(len, text.split("\n"))) if "\n" in text else len(text)
    return max(sum(map(_CHAR_WIDTHS.__getitem__, line)) for line in text.split("\n"))


# Wrapped text as Excel lays it out at 96 dpi, in units of Calibri 11's digit (7 pixels): a CJK or
# full-width glyph is 15 pixels wide; a cell's text may use its column's pixels less about 4 of padding.
CJK_UNITS = 15 / 7
_PADDING_UNITS = 0.5
# A line may not begin with closing punctuation nor end with opening punctuation: such marks stay with
# their neighbour, and a run of Latin letters and digits (a word, an amount) is never broken.
_OPENING = "（《“‘「『【〔([{"
_CLOSING = "，。、；：？！）》”’」』】〕,.;:?!)]}％%"
_O, _C = re.escape(_OPENING), re.escape(_CLOSING)
# A word (never broken), spaces, a run of glyphs (breakable between any two, its opening marks kept
# with its first glyph and its closing marks with its last), or a mark on its own.
_WRAP_PIECES = re.compile(f"([{_O}]*[!-~]+[{_C}]*)|( +)|([{_O}]*)([^ !-~{_O}{_C}]+)([{_C}]*)|(.)", re.S)


def _units(text: str) -> float:
    # Every character of three or more UTF-8 bytes counted as wide: CJK and full-width ones are, and
    # the few narrow ones among them (dashes, curly quotes) then err on the safe side.  Spaces and
    # the commonest ASCII marks are half a digit wide in Calibri.
    narrow = text.count(" ") + text.count(".") + text.count(",") + text.count("|") + text.count(":")
    return len(text) + (len(text.encode("utf-8", "surrogatepass")) - len(text)) * _WIDE_EXTRA - narrow / 2


_WIDE_EXTRA = (CJK_UNITS - 1) / 2
_WIDEST = 1 + 3 * _WIDE_EXTRA        # the most _units counts for one character (four UTF-8 bytes)


def _wrapped_lines(part: str, usable: float) -> int:
    """Lines of one paragraph laid out greedily, as Excel and LibreOffice do; a run of glyphs is
    placed by arithmetic, not glyph by glyph."""
    lines, used = 1, 0.0

    def place(size: float) -> None:
        nonlocal lines, used
        if used + size > usable and used > 0:
            lines += 1
            used = 0.0
        while size > usable:      # a word longer than the line is broken where it must be
            lines += 1
            size -= usable
        used += size

    for word, spaces, opening, glyphs, closing, mark in _WRAP_PIECES.findall(part):
        if word or mark:
            place(_units(word or mark))
        elif spaces:
            used += len(spaces) / 2   # spaces at the end of a line take no room on the next
        else:
            # A run holds no ASCII, so none of the narrow marks _units looks for.
            each = 1 + (len(glyphs.encode("utf-8", "surrogatepass")) / len(glyphs) - 1) * _WIDE_EXTRA
            before = _units(opening) if opening else 0.0
            after = _units(closing) if closing else 0.0
            if len(glyphs) == 1:
                place(before + each + after)
                continue
            place(before + each)
            middle = len(glyphs) - 2
            if middle and each <= usable:
                room = max(0, int((usable - used + 1e-9) // each))
                if middle <= room:
                    used += middle * each
                else:
                    per_line = int((usable + 1e-9) // each)
                    full, rest = divmod(middle - room, per_line)
                    lines += full + (1 if rest else 0)
                    used = (rest or per_line) * each
            else:
                for _ in range(middle):
                    place(each)
            place(each + after)
    return lines


_PART_LINES: dict[tuple[str, float], int] = {}


def _part_lines(part: str, usable: float) -> int:
    key = (part, usable)
    found = _PART_LINES.get(key)
    if found is None:
        found = 1 if _units(part) <= usable else _wrapped_lines(part, usable)
        if len(_PART_LINES) < 20_000:       # repeated texts: rule bases, titles, accounts
            _PART_LINES[key] = found
    return found


def _usable(width: float) -> float:
    return max(1.0, width - _PADDING_UNITS)


def line_count(text: str, width: float) -> int:
    """Lines a wrapped cell of ``width`` characters needs for ``text`` in Excel (in LibreOffice the
    same text needs the same or fewer: its columns are a little wider for the same width)."""
    usable = _usable(width)
    if _WIDEST * len(text) <= usable and "\n" not in text:      # fits on one line however wide
        return 1
    return sum(_part_lines(part, usable) for part in text.split("\n"))


def most_lines(cells: list[tuple[str, float]]) -> int:
    """The lines of the tallest of a row's wrapped cells (text, width)."""
    if len(cells) == 1:
        return line_count(*cells[0])
    return max(line_count(text, width) for text, width in cells)


def row_height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 3)


MAX_LINES_PER_ROW = int((MAX_ROW_HEIGHT - 3) // LINE_HEIGHT)


def split_to_rows(text: str, width: float, max_lines: int = 12) -> list[str]:
    """``text`` cut into pieces that each fit a row of at most ``max_lines`` wrapped lines, so a
    long list spans rows instead of reaching Excel's row height limit and being cut off."""
    if line_count(text, width) <= max_lines:
        return [text]
    pieces, current = [], ""
    for word in re.split(r"(?<=[、，；;,\n ])", text):
        candidate = current + word
        if current and line_count(candidate, width) > max_lines:
            pieces.append(current.rstrip("\n"))
            current = word
        else:
            current = candidate
        while line_count(current, width) > max_lines:     # one word longer than a row
            cut = max(1, int(len(current) * max_lines / line_count(current, width)))
            pieces.append(current[:cut])
            current = current[cut:]
    if current:
        pieces.append(current)
    return pieces


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_date(value) -> dt.date | None:
    if type(value) is pd.Timestamp:
        return value.date()
    if is_missing(value):
        return None
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    return value if isinstance(value, dt.date) else None


def fen(value) -> int | None:
    return None if is_missing(value) else int(value)


def yuan_text(fen_amount: int | None) -> str:
    """Plain text Excel reads back as the same number (no thousands separator)."""
    if fen_amount is None:
        return ""
    sign = "-" if fen_amount < 0 else ""
    yuan, cents = divmod(abs(fen_amount), 100)
    return f"{sign}{yuan}.{cents:02d}"


def entity_label(entity) -> str:
    text = inert_text(entity)
    return text if text else NO_ENTITY


def book_label(book) -> str:
    book = inert_text(book)
    return BOOK_LABELS.get(book, book)


def severity_label(severity) -> str:
    severity = inert_text(severity)
    return SEVERITY_LABELS.get(severity, severity)


def row_numbers(rows) -> list[int]:
    if isinstance(rows, str):
        return [int(x) for x in re.findall(r"\d+", rows)]
    if not hasattr(rows, "__iter__"):
        return [] if is_missing(rows) else [int(rows)]
    return sorted({int(r) for r in rows if type(r) is int or not is_missing(r)})


def rows_label(rows) -> str:
    """[9, 10, 12] → "9–10、12"."""
    numbers = row_numbers(rows)
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}–{n}")
            start = None
    return "、".join(parts)


def source_label(file, sheet, rows) -> str:
    parts = [inert_text(file), inert_text(sheet)]
    label = rows_label(rows)
    if label:
        parts.append(f"第{label}行")
    return " / ".join(p for p in parts if p)




def header_footer_text(text: str, limit: int = 60) -> str:
    # "&" starts a formatting code in page headers and footers; the whole header is capped at
    # 255 characters by Excel, so long names are shortened.
    text = text.replace("\n", " ")
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("&", "&&")


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


# ---------------------------------------------------------------- formats

class Formats:
    """The workbook's cell formats, each made once (xlsxwriter writes one style per Format)."""

    def __init__(self, workbook):
        self._workbook = workbook
        self._made: dict[tuple, object] = {}
        self._cells: dict[tuple, object] = {}

    def get(self, **properties):
        key = tuple(sorted(properties.items()))
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = self._workbook.add_format(
                {"font_name": FONT_NAME, "font_size": BODY_SIZE, **properties})
        return found

    def cell(self, kind: str, *, quote: bool = False, border: bool = True, **extra):
        """The format of a table cell of ``kind`` (text, wrap, money, count, score, number, date)."""
        key = (kind, quote, border, *sorted(extra.items()))
        found = self._cells.get(key)
        if found is None:
            found = self._cells[key] = self._cell(kind, quote, border, extra)
        return found

    def _cell(self, kind: str, quote: bool, border: bool, extra: dict):
        properties = {"valign": "top"}
        if kind == "wrap":
            properties["text_wrap"] = True
        number_format = {"money": MONEY_FORMAT, "count": COUNT_FORMAT, "score": SCORE_FORMAT,
                         "date": DATE_FORMAT}.get(kind)
        if number_format:
            properties["num_format"] = number_format
        if border:
            properties.update(border=1, border_color=GRID_COLOUR)
        if quote:
            properties["quote_prefix"] = True
        properties.update(extra)
        return self.get(**properties)

    def header(self, review: bool = False):
        return self.get(bold=True, text_wrap=True, align="center", valign="vcenter", border=1,
                        border_color=GRID_COLOUR, bg_color=REVIEW_HEADER_FILL if review else HEADER_FILL)


# ---------------------------------------------------------------- writing a sheet

@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"        # text | wrap | money | count | number | date
    width: float = 10         # characters, as Excel counts them
    review: bool = False      # a column the reviewer fills in


class StreamSheet:
    """A sheet written row by row in order, with fixed column widths.

    ``write`` takes a row of Python values (text, int fen for money, dates, counts); text is
    always written as a string cell, with a quote prefix when Excel would otherwise treat an
    edit of it as a formula.  The row's height is set from its wrapped cells."""

    def __init__(self, ws, formats: Formats, columns, *, ruled_by: int | None = None):
        self.ws = ws
        self.formats = formats
        self.columns = tuple(columns)
        self.row = 0                     # the next row to write, 0-based
        # With ``ruled_by`` the grid lines come from one conditional format (a row is ruled when its
        # cell in that column is not empty) instead of a border on every cell: empty cells are then
        # not written at all, a third of a large sheet's cells.
        self.ruled_by = ruled_by
        self._variants: dict[tuple, list] = {}
        for col, column in enumerate(self.columns):
            self.ws.set_column(col, col, column.width)
        self._plain = self.variant()

    def variant(self, **extra) -> list:
        """Per column (kind, format, quoted format, width), with ``extra`` properties on every format."""
        key = tuple(sorted(extra.items()))
        found = self._variants.get(key)
        if found is None:
            border = self.ruled_by is None
            found = self._variants[key] = [
                (c.kind, self.formats.cell(c.kind, border=border, **extra),
                 self.formats.cell(c.kind, quote=True, border=border, **extra), c.width) for c in self.columns]
        return found

    def cell_format(self, kind: str, **extra):
        """A format for one cell of this sheet, ruled like the others."""
        return self.formats.cell(kind, border=self.ruled_by is None, **extra)

    def rule_lines(self) -> None:
        """Draw the grid of the rows written so far (see ``ruled_by``)."""
        if self.ruled_by is None or self.row < 2:
            return
        key = xl_col_to_name(self.ruled_by, col_abs=True)
        self.ws.conditional_format(1, 0, self.row - 1, len(self.columns) - 1, {
            "type": "formula", "criteria": f'={key}2<>""',
            "format": self.formats.get(border=1, border_color=GRID_COLOUR)})

    def header(self) -> None:
        ws, r = self.ws, self.row
        lines = 1
        for col, column in enumerate(self.columns):
            ws.write_string(r, col, column.header, self.formats.header(column.review))
            lines = max(lines, line_count(column.header, column.width))
        if lines > 1:
            ws.set_row(r, row_height(lines))
        self.row += 1

    def write(self, values, variant: list | None = None, formats: dict | None = None) -> int:
        """Write one row; returns its 0-based index.  ``formats`` overrides the format of some columns."""
        ws, r = self.ws, self.row
        specs = variant or self._plain
        wraps = []
        write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
        blanks = self.ruled_by is None
        for col, value in enumerate(values):
            kind, fmt, quoted, width = specs[col]
            if formats is not None and col in formats:
                fmt = quoted = formats[col]
            if value is None or value == "":
                if blanks:
                    write_blank(r, col, None, fmt)
            elif kind == "text" or kind == "wrap":
                if type(value) is int:           # a row number among row lists, say
                    write_number(r, col, value, fmt)
                    continue
                if type(value) is not str or not value.isprintable():
                    value = inert_text(value)
                    if not value:
                        if blanks:
                            write_blank(r, col, None, fmt)
                        continue
                if len(value) > EXCEL_TEXT_LIMIT:
                    value = value[:EXCEL_TEXT_LIMIT]
                write_string(r, col, value, quoted if value[0] in _RISKY_FIRST and needs_quote_prefix(value) else fmt)
                if kind == "wrap" and (_WIDEST * len(value) > width - _PADDING_UNITS or "\n" in value):
                    wraps.append((value, width))
            elif kind == "money":
                write_number(r, col, value / 100, fmt)
            elif kind == "date":
                write_number(r, col, excel_serial(value), fmt)
            else:
                write_number(r, col, value, fmt)
        if wraps:
            lines = most_lines(wraps)
            if lines > 1:
                ws.set_row(r, row_height(lines))
        self.row += 1
        return r

    def note(self, text: str, fmt) -> int:
        """A line of text in column A, outside the table (a title, a note)."""
        r = self.row
        self.ws.write_string(r, 0, text, fmt)
        self.row += 1
        return r

    def skip(self, rows: int = 1) -> None:
        self.row += rows


def overflow_note(sheet: StreamSheet, left_out: int, what: str) -> None:
    sheet.note(f"已达到 Excel 每张工作表 {EXCEL_MAX_ROWS:,} 行的上限，另有 {left_out:,} {what}"
               "未列出；完整结果请用 --json 或 --csv 输出查看。",
               sheet.formats.get(bold=True, font_color=NOTE_COLOUR))


def setup_page(ws, title: str, footer_left: str, printed_at: str, *, repeat_header: bool,
               print_columns: int | None = None, last_row: int | None = None) -> None:
    """A4 landscape, as wide as one page, the header row on every page, a footer naming the
    community.  ``print_columns`` limits the printed columns to the first ones."""
    ws.set_landscape()
    ws.set_paper(9)                       # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=SIDE_MARGIN, right=SIDE_MARGIN, top=TOP_MARGIN, bottom=TOP_MARGIN)
    ws.center_horizontally()
    if repeat_header:
        ws.repeat_rows(0)
    if print_columns is not None:
        ws.print_area(0, 0, max(1, last_row or 1), print_columns - 1)
    header = header_footer_text(f"{REPORT_TITLE} — {title}", 80)
    ws.set_header(f"&C&14{header}", {"margin": HEADER_MARGIN})
    ws.set_footer(f"&L{header_footer_text(footer_left)}&C第 &P 页 共 &N 页&R{header_footer_text(printed_at)}",
                  {"margin": HEADER_MARGIN})


class Grid:
    """A small sheet (汇总) kept whole until it is written: its column widths follow its content.

    Cells are (value, kind, extra format properties); ``emit`` sets the widths, works out the
    row heights of wrapped cells and writes the rows in order."""

    def __init__(self, workbook, ws, formats: Formats):
        self.workbook = workbook
        self.ws = ws
        self.formats = formats
        self.cells: dict[int, dict[int, tuple]] = {}
        self.widths: dict[int, float] = {}
        self.caps: dict[int, float] = {}

    def put(self, row: int, col: int, value, kind: str = "text", *, measure: bool = True, **extra) -> None:
        if kind in ("text", "wrap"):
            value = inert_text(value)[:EXCEL_TEXT_LIMIT]
        self.cells.setdefault(row, {})[col] = (value, kind, extra)
        if measure and value not in (None, ""):
            shown = (f"{value / 100:,.2f}" if kind == "money" else f"{value:,}" if kind == "count"
                     else f"{value:,.2f}" if kind == "score" else "yyyy-mm-dd" if kind == "date" else str(value))
            # Measured as line_count lays text out, so that text the width was made for fits on one line.
            units = max(map(_units, shown.split("\n"))) if "\n" in shown else _units(shown)
            self.widths[col] = max(self.widths.get(col, 0), math.ceil(units + 1.5))

    def title(self, row: int, col: int, text: str, **extra) -> None:
        """Text that overflows into the empty cells to its right: not measured, no border."""
        self.put(row, col, text, measure=False, border=False, **extra)

    def table(self, row: int, columns, rows, fills=None) -> int:
        """A header and ``rows``; ``fills(i, values)`` gives {column: extra properties}.  Returns the
        row after the table."""
        for col, column in enumerate(columns):
            self.put(row, col, column.header, measure=False, header=True)
            self.caps[col] = max(self.caps.get(col, 0), column.width)
            # Wide enough for the heading in two lines where the table's width allows.
            self.widths[col] = max(self.widths.get(col, 0), min(column.width, max(6, math.ceil(_units(column.header) / 2 + 1.5))))
        row += 1
        for i, values in enumerate(rows):
            extras = fills(i, values) if fills else {}
            for col, (column, value) in enumerate(zip(columns, values)):
                self.put(row, col, value, column.kind, **extras.get(col, {}))
            row += 1
        return row

    def emit(self) -> dict[int, float]:
        ws, formats = self.ws, self.formats
        widths = {col: min(width, self.caps.get(col, 30)) for col, width in self.widths.items()}
        for col, width in widths.items():
            ws.set_column(col, col, width)
        for row in sorted(self.cells):
            lines = 1
            for col, (value, kind, extra) in sorted(self.cells[row].items()):
                extra = dict(extra)
                if extra.pop("header", False):
                    ws.write_string(row, col, value, formats.header())
                    lines = max(lines, line_count(value, widths.get(col, 8.43)))
                    continue
                border = extra.pop("border", True)
                if kind == "wrap" and isinstance(value, str) and value:
                    lines = max(lines, line_count(value, widths.get(col, 8.43)))
                fmt = formats.cell(kind, border=border, quote=isinstance(value, str) and needs_quote_prefix(value),
                                   **extra)
                if value is None or value == "":
                    ws.write_blank(row, col, None, fmt)
                elif kind in ("text", "wrap") or isinstance(value, str):
                    ws.write_string(row, col, value, fmt)
                elif kind == "money":
                    ws.write_number(row, col, value / 100, fmt)
                elif kind == "date":
                    ws.write_number(row, col, excel_serial(value), fmt)
                else:
                    ws.write_number(row, col, value, fmt)
            if lines > 1:
                ws.set_row(row, row_height(lines))
        return widths
