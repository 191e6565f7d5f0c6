"""Read ledger files into normalised lines.

Flow for one file: open it (calamine for Excel, csv for text) → for each sheet find the header
row(s) → map columns to fields → drop blank, subtotal and repeated-header rows (counting each) →
fill voucher-level fields down from a voucher's first line → parse dates, periods, voucher
numbers and amounts → lines with file, sheet and Excel row.  Every row below the header ends up
either as a line or in ``dropped`` with a reason; every problem is a DataError naming file,
sheet, row and column.  Nothing here raises for bad input.
"""
from __future__ import annotations

import csv
import io
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from . import parse
from .accounts import split_code_and_name
from .fields import CORE_FIELDS, HEADER_SYNONYMS, MIN_HEADER_FIELDS
from .model import DataError, ReadResult, SheetInfo
from .policy import Policy
from .schema import finalise_ledger, validate_ledger, voucher_ids

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xla", ".xlam", ".ods"}
TEXT_SUFFIXES = {".csv"}
UNSUPPORTED_SUFFIXES = {
    ".xlsb": "这是 Excel 二进制工作簿（.xlsb），暂不支持；请在 Excel/WPS 中另存为 .xlsx 后再检查。",
    ".et": "这是 WPS 表格格式（.et）；请在 WPS 中另存为 .xlsx 后再检查。",
    ".lnk": "这是 Windows 快捷方式，不是账簿文件；请检查快捷方式指向的原文件。",
    ".numbers": "这是 Numbers 表格；请导出为 .xlsx 后再检查。",
}
DROP_REASONS = {
    "subtotal": "合计/累计/结转行", "header": "重复的表头行", "no_content": "无分录内容的行",
    "no_amount": "借贷金额均为空", "bad_amount": "金额无法识别", "no_voucher": "缺少凭证号",
    "bad_voucher": "凭证号无法识别", "no_period": "无法确定日期或会计期间", "schema": "数据不符合结构要求",
}
DATE_FIELDS = ("date", "year", "month", "day", "period")
VOUCHER_LEVEL_FIELDS = ("date", "year", "month", "day", "period", "voucher", "voucher_word",
                        "preparer", "reviewer", "poster", "cashier", "attachments")
# Upper header cells that group the cells under them (金额 over 借方/贷方, 凭证 over 字/号 …).
HEADER_GROUP_WORDS = ("金额", "发生额", "本期发生额", "凭证", "日期", "本币", "原币", "人民币")
EXTRA_LOWER_HEADER = {"字": "voucher_word", "种类": "voucher_word", "号": "voucher", "号数": "voucher",
                      "编号": "voucher"}


@dataclass(frozen=True)
class InputFile:
    path: str          # as the operating system sees it
    display: str       # as shown to the user and in JSON: relative to the folder given
    root: str = ""     # the folder given on the command line ("" for a file given directly)


@dataclass
class FileRead:
    lines: pd.DataFrame
    sheets: list[SheetInfo] = field(default_factory=list)
    errors: list[DataError] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------- finding inputs

def collect_inputs(paths) -> tuple[list[InputFile], list[DataError]]:
    """Files to read, in a stable order, from any mix of files and folders (recursive)."""
    found: list[InputFile] = []
    errors: list[DataError] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*"), key=lambda p: p.as_posix()):
                if not child.is_file() or child.name.startswith(("~$", ".~")):
                    continue
                suffix = child.suffix.lower()
                if suffix in EXCEL_SUFFIXES | TEXT_SUFFIXES | set(UNSUPPORTED_SUFFIXES):
                    found.append(InputFile(str(child), child.relative_to(path).as_posix(), str(path)))
        elif path.is_file():
            found.append(InputFile(str(path), str(given)))
        else:
            errors.append(DataError(str(given), "", None, "", f"找不到文件或文件夹：{given}"))
    return found, errors


# --------------------------------------------------------------------------- opening files

class UnreadableFile(Exception):
    """The file cannot be opened; the message is for the user."""


@dataclass
class RawSheet:
    name: str
    rows: list[list]
    hidden: bool = False


def _open_excel(path: str) -> list[RawSheet]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
    try:
        workbook = CalamineWorkbook.from_path(path)
        sheets = []
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            hidden = meta.visible != SheetVisibleEnum.Visible
            rows = [] if hidden else workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheets.append(RawSheet(meta.name, rows, hidden))
        return sheets
    except Exception as exc:  # noqa: BLE001 - calamine raises many types; all mean "cannot open"
        raise UnreadableFile(_explain_open_error(path, exc)) from None


def _explain_open_error(path: str, exc: Exception) -> str:
    name = type(exc).__name__
    text = str(exc)
    if "Password" in name or "password" in text.lower() or "encrypt" in text.lower():
        return "工作簿设置了打开密码（已加密），无法读取；请取消密码后另存再检查。"
    if os.path.getsize(path) == 0:
        return "文件是空的（0 字节）。"
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0") and path.lower().endswith((".xlsx", ".xlsm")):
        return "文件扩展名是 .xlsx，但内容是旧版 .xls 或已加密的工作簿；请在 Excel/WPS 中打开并另存为 .xlsx。"
    if not head.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        return "文件内容不是 Excel 工作簿（可能是改了扩展名的其他文件或已损坏）。"
    return f"无法打开工作簿（文件可能已损坏）：{name}: {text[:200]}"


def _open_csv(path: str) -> list[RawSheet]:
    with open(path, "rb") as handle:
        data = handle.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("CSV 文件既不是 UTF-8 也不是 GBK 编码，无法识别。")
    rows = [row for row in csv.reader(io.StringIO(text))]
    return [RawSheet(Path(path).stem, rows)]


def open_sheets(path: str, reading: dict | None = None) -> list[RawSheet]:
    from .guard import check_before_open
    suffix = Path(path).suffix.lower()
    if suffix in UNSUPPORTED_SUFFIXES:
        raise UnreadableFile(UNSUPPORTED_SUFFIXES[suffix])
    check_before_open(path, reading or {})
    if suffix in TEXT_SUFFIXES:
        return _open_csv(path)
    return _open_excel(path)


# --------------------------------------------------------------------------- header detection

_HEADER_NOISE = re.compile(r"[\s:：*＊]|[（(][^）)]*[）)]")


_TITLE_PAIR = re.compile(r"[:：]\s*\S")


def _header_key(cell) -> str:
    if not isinstance(cell, str) or _TITLE_PAIR.search(cell):
        # "会计年度：2021年", "单位：元" are title text, never column headers
        return ""
    return _HEADER_NOISE.sub("", cell)


class HeaderMatcher:
    """Maps a header cell to a field: exact synonym first, then the longest synonym it starts with."""

    def __init__(self, extra: dict[str, list[str]] | None = None):
        self.exact: dict[str, str] = {}
        for field_name, words in HEADER_SYNONYMS.items():
            for word in words:
                self.exact.setdefault(_header_key(word), field_name)
        for field_name, words in (extra or {}).items():
            for word in words:
                self.exact[_header_key(word)] = field_name
        self.prefixes = sorted(((k, f) for k, f in self.exact.items() if len(k) >= 2),
                               key=lambda kf: -len(kf[0]))

    def match(self, cell, lower_row: bool = False) -> str | None:
        key = _header_key(cell)
        if not key or len(key) > 20:
            return None
        if key in self.exact:
            return self.exact[key]
        if lower_row and key in EXTRA_LOWER_HEADER:
            return EXTRA_LOWER_HEADER[key]
        if "余额" in key:
            return None
        for prefix, field_name in self.prefixes:
            if key.startswith(prefix):
                return field_name
        return None


def _is_plain_text_row(row: list) -> bool:
    return all(isinstance(c, str) or c is None for c in row)


@dataclass
class Header:
    rows: tuple[int, ...]               # 0-based row indexes
    columns: dict[str, int]             # field -> 0-based column
    texts: dict[int, str]               # column -> header text shown to the user
    year: int | None = None             # a "2021年" cell over 月/日


def _map_row(row: list, matcher: HeaderMatcher) -> dict[int, str]:
    return {i: f for i, cell in enumerate(row) if (f := matcher.match(cell))}


def _merge_two_rows(upper: list, lower: list, matcher: HeaderMatcher) -> tuple[dict[int, str], dict[int, str], int | None]:
    upper_map = _map_row(upper, matcher)
    lower_map = {i: f for i, cell in enumerate(lower) if (f := matcher.match(cell, lower_row=True))}
    merged, texts, year = {}, {}, None
    for i in range(max(len(upper), len(lower))):
        up = upper[i] if i < len(upper) else ""
        low = lower[i] if i < len(lower) else ""
        up_key = _header_key(up)
        if re.fullmatch(r"(19|20)\d{2}年?", up_key):
            year = int(up_key[:4])
        upper_is_group = up_key == "" or up_key in HEADER_GROUP_WORDS or re.fullmatch(r"(19|20)\d{2}年?", up_key)
        if i in lower_map and (upper_is_group or i not in upper_map or upper_map[i] == "amount"):
            merged[i] = lower_map[i]
            texts[i] = f"{str(up).strip()}/{str(low).strip()}" if up_key else str(low).strip()
        elif i in upper_map:
            merged[i] = upper_map[i]
            texts[i] = str(up).strip()
    return merged, texts, year


def _columns_from(mapping: dict[int, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index in sorted(mapping):
        columns.setdefault(mapping[index], index)
    return columns


def _score(columns: dict[str, int]) -> int:
    if not any(f in columns for f in CORE_FIELDS):
        return 0
    return len(columns)


def find_header(rows: list[list], matcher: HeaderMatcher, search_rows: int) -> Header | None:
    best: Header | None = None
    best_score = MIN_HEADER_FIELDS - 1
    for r in range(min(search_rows, len(rows))):
        if not _is_plain_text_row(rows[r]):
            continue
        single = _map_row(rows[r], matcher)
        candidates = [(Header((r,), _columns_from(single), {i: str(rows[r][i]).strip() for i in single}), False)]
        if r + 1 < len(rows) and _is_plain_text_row(rows[r + 1]):
            merged, texts, year = _merge_two_rows(rows[r], rows[r + 1], matcher)
            if len(merged) > max(len(single), len(_map_row(rows[r + 1], matcher))):
                candidates.append((Header((r, r + 1), _columns_from(merged), texts, year), True))
        for header, _ in candidates:
            score = _score(header.columns)
            if score > best_score:
                best, best_score = header, score
    return best


# --------------------------------------------------------------------------- context from names

_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年|年度)?")
_SHEET_MONTH = re.compile(r"^(?:((?:19|20)\d{2})\s*[年.\-/]?\s*)?(\d{1,2})\s*(?:月|月份|期)?$")


def year_from_text(*texts: str) -> int | None:
    for text in texts:
        match = _YEAR.search(text or "")
        if match and parse.YEAR_RANGE[0] <= int(match.group(1)) <= parse.YEAR_RANGE[1]:
            return int(match.group(1))
    return None


def month_from_sheet(name: str) -> tuple[int | None, int | None]:
    match = _SHEET_MONTH.match(name.strip())
    if match and 1 <= int(match.group(2)) <= 12:
        return (int(match.group(1)) if match.group(1) else None), int(match.group(2))
    return None, None


def detect_entity(texts: list[str], suffixes: list[str]) -> str:
    """The first community or village name in the given texts (title, sheet, file, folders)."""
    if not suffixes:
        return ""
    core = sorted({s for s in suffixes if s in ("社区", "村", "街道", "镇", "乡")} or set(suffixes), key=len, reverse=True)
    pattern = re.compile(r"([\u4e00-\u9fff]{1,12}?(?:" + "|".join(map(re.escape, core)) + r"))(?![级务办])")
    for text in texts:
        for match in pattern.finditer(text or ""):
            name = re.sub(r"^.*(?:省|市|县|(?<!社)区|街道办事处|街道办|街道)(?=[\u4e00-\u9fff]{2,})", "", match.group(1))
            if len(name) >= 2 and name not in core:
                return name
    return ""


def detect_book(texts: list[str], reading: dict) -> tuple[str, str]:
    for book, key in (("union", "union_book_words"), ("party", "party_book_words"), ("admin", "admin_book_words")):
        for text in texts:
            for word in reading.get(key, []):
                if word and word in (text or ""):
                    return book, f"“{text}”中含“{word}”"
    return "unknown", "文件名、工作表名和标题中都没有账套标志词"


# --------------------------------------------------------------------------- one sheet



def _subtotal_pattern(markers: list[str]) -> re.Pattern:
    """"本月合计", " 本 月 合 计 ", "3月合计", "合计：" — but not "累计折旧" (a real account)."""
    spaced = (r"\s*".join(re.escape(ch) for ch in m) for m in sorted(markers, key=len, reverse=True))
    return re.compile(r"^\s*(?:\d{1,4}\s*年)?\s*(?:\d{1,2}\s*月)?\s*(?:第?\d+期)?\s*(?:" + "|".join(spaced)
                      + r")[^\u4e00-\u9fff]*$")


def _column_label(index: int, texts: dict[int, str]) -> str:
    header = texts.get(index, "")
    return f"{get_column_letter(index + 1)}（{header}）" if header else get_column_letter(index + 1)


def _text_column(frame: pd.DataFrame, column: int | None) -> pd.Series:
    if column is None or column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    raw = frame[column]
    mask = parse.text_mask(raw)
    text = parse.text_view(raw, mask).str.strip()
    other = ~mask & raw.notna().to_numpy()
    if other.any():
        # Excel stores codes and numbers typed into text columns as floats: 1001.0 → "1001".
        shown = raw[other].astype(str).str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
        text = text.astype(object)
        text[other] = shown.to_numpy()
        text = text.astype(parse.ARROW_TEXT)
    return text


def _row_texts(frame: pd.DataFrame, index) -> list[str]:
    """The visible content of some rows, for the list of dropped rows."""
    cells = frame.loc[index].drop(columns=[c for c in frame.columns if isinstance(c, str)])
    return [" | ".join(str(v).strip() for v in row if v is not None and v == v and str(v).strip())[:200]
            for row in cells.itertuples(index=False)]


@dataclass
class PreparedSheet:
    """A sheet whose header and context are known, ready to have its rows read."""
    raw: RawSheet
    info: SheetInfo
    header: Header
    year: int | None
    month: int | None
    scale: int

    @property
    def signature(self) -> tuple:
        return tuple(sorted(self.header.columns.items())), tuple(sorted(self.header.texts.items()))


class SheetReader:
    """The per-sheet steps: hidden or empty, where the header is, and what the names say."""

    def __init__(self, item: InputFile, raw: RawSheet, policy: Policy, matcher: HeaderMatcher):
        self.item, self.raw, self.policy, self.matcher = item, raw, policy, matcher
        self.info = SheetInfo(file=item.display, sheet=raw.name)
        self.errors: list[DataError] = []

    def error(self, row: int | None, column: str, message: str, kind: str = "error") -> None:
        self.errors.append(DataError(self.item.display, self.raw.name, row, column, message, kind))

    def prepare(self) -> PreparedSheet | None:
        raw, info, reading = self.raw, self.info, self.policy.reading
        if raw.hidden:
            info.status, info.note = "hidden", "隐藏的工作表，未检查"
            self.error(None, "", "这是隐藏的工作表，已跳过；如需检查，请在 Excel/WPS 中取消隐藏。", "warning")
            return None
        rows = raw.rows
        if not any(any(c not in ("", None) for c in row) for row in rows):
            info.status, info.note = "empty", "空工作表"
            return None
        header = find_header(rows, self.matcher, int(reading.get("header_search_rows", 30)))
        if header is None:
            info.status = "no-header"
            info.note = "找不到表头"
            self.error(None, "", f"在前 {reading.get('header_search_rows', 30)} 行中找不到表头：需要至少三项"
                       "可识别的列名（如 日期、凭证号、摘要、科目、借方、贷方）。若这是账簿，请在策略文件 "
                       "[reading] header_synonyms 中补充列名。", "warning")
            return None
        year, month, scale = self._context(rows, header)
        info.header_rows = tuple(r + 1 for r in header.rows)
        cols = header.columns
        info.columns = {f: _column_label(i, header.texts) for f, i in cols.items()}
        info.fields = frozenset(cols)
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
        return PreparedSheet(raw, info, header, year, month, scale)

    def _context(self, rows: list[list], header: Header) -> tuple[int | None, int | None, int]:
        title = " ".join(str(c).strip() for row in rows[:header.rows[0]] for c in row if isinstance(c, str) and c.strip())
        path = Path(self.item.path)
        folders = [p for p in path.parent.parts[-3:]][::-1]
        sheet_year, sheet_month = month_from_sheet(self.raw.name)
        year = header.year or year_from_text(title) or sheet_year or year_from_text(self.raw.name, path.stem)
        amount_headers = " ".join(header.texts.get(header.columns.get(f, -1), "") for f in ("debit", "credit", "amount"))
        scale = 10000 if "万元" in title or "万元" in amount_headers else 1
        info = self.info
        hint = self.policy.source_hint(self.item.display) or self.policy.source_hint(self.item.path)
        texts = [title, self.raw.name, path.stem, *folders]
        if hint.get("book"):
            info.book, info.book_reason = hint["book"], "策略文件 [[reading.sources]] 指定"
        else:
            info.book, info.book_reason = detect_book(texts, self.policy.reading)
        if hint.get("entity"):
            info.entity, info.entity_reason = hint["entity"], "策略文件 [[reading.sources]] 指定"
        else:
            info.entity = detect_entity(texts, self.policy.reading.get("entity_suffixes", []))
            info.entity_reason = "由标题、工作表名、文件名或文件夹名识别" if info.entity else "未识别到单位名称"
        return year, sheet_month, scale


class BatchReader:
    """Turns the rows of one or more sheets with the same header (a workbook's monthly sheets)
    into lines in one vectorised pass.  Sheet-specific context (name, year, month, unit,
    entity, book) travels as per-row arrays; counts and errors go back to each sheet."""

    def __init__(self, item: InputFile, sheets: list[PreparedSheet], policy: Policy):
        self.item, self.sheets, self.policy = item, sheets, policy
        self.header = sheets[0].header
        self.cols = self.header.columns
        self.errors: list[DataError] = []
        self.dropped: list[dict] = []

    # -- bookkeeping per sheet
    def error(self, sheet_index: int, row: int | None, column: str, message: str, kind: str = "error") -> None:
        self.errors.append(DataError(self.item.display, self.sheets[sheet_index].raw.name, row, column, message, kind))

    def label(self, field_name: str) -> str:
        return _column_label(self.cols[field_name], self.header.texts)

    def drop(self, frame: pd.DataFrame, mask, reason_key: str) -> pd.DataFrame:
        mask = pd.Series(mask, index=frame.index) if not isinstance(mask, pd.Series) else mask
        mask = mask.reindex(frame.index, fill_value=False).astype(bool)
        if not mask.any():
            return frame
        reason = DROP_REASONS[reason_key]
        hit = mask[mask].index
        sheet_of = self.raw.loc[hit, "_sheet"].to_numpy()
        for index, count in zip(*np.unique(sheet_of, return_counts=True)):
            skipped = self.sheets[index].info.skipped
            skipped[reason] = skipped.get(reason, 0) + int(count)
        names = [self.sheets[i].raw.name for i in sheet_of]
        self.dropped.extend({"file": self.item.display, "sheet": name, "row": int(r), "reason": reason, "text": t}
                            for name, r, t in zip(names, self.raw.loc[hit, "_row"], _row_texts(self.raw, hit)))
        return frame[~mask]

    def per_row(self, values: list) -> np.ndarray:
        """A per-sheet value spread over the rows of the current frame."""
        table = np.empty(len(values), dtype=object)
        table[:] = values
        return table[self.sheet_index]

    # -- the pass
    def read(self) -> pd.DataFrame | None:
        bodies, rows, sheet_ids = [], [], []
        for i, sheet in enumerate(self.sheets):
            start = sheet.header.rows[-1] + 1
            body = sheet.raw.rows[start:]
            bodies.extend(body)
            rows.append(np.arange(start + 1, start + 1 + len(body)))
            sheet_ids.append(np.full(len(body), i))
        width = max((len(r) for r in bodies), default=0)
        frame = pd.DataFrame(bodies, columns=range(width), dtype=object) if bodies else pd.DataFrame(columns=range(width))
        frame["_row"] = np.concatenate(rows) if rows else np.array([], dtype=int)
        frame["_sheet"] = np.concatenate(sheet_ids) if sheet_ids else np.array([], dtype=int)
        blank_cells = pd.DataFrame({c: parse.is_blank(frame[c]) for c in range(width)}, index=frame.index)
        nonblank = ~blank_cells.all(axis=1) if width else pd.Series(False, index=frame.index)
        frame, blank_cells = frame[nonblank], blank_cells[nonblank]
        counts = np.bincount(frame["_sheet"].to_numpy(dtype=int), minlength=len(self.sheets))
        for sheet, count in zip(self.sheets, counts):
            sheet.info.data_rows = int(count)
            sheet.info.status = "read"
        self.raw = frame
        if frame.empty:
            for sheet in self.sheets:
                sheet.info.note = "表头下没有数据"
            return None
        cols = self.cols

        # Subtotal / carry rows: a marker in a text cell outside the account, counterparty and
        # amount columns (an account may be called 累计折旧).
        not_checked = {cols.get(f) for f in ("account_name", "account_code", "counterparty", "debit", "credit",
                                             "amount", "direction", "quantity", "unit_price", "attachments")}
        pattern = _subtotal_pattern(self.policy.reading.get("subtotal_markers", []))
        subtotal = np.zeros(len(frame), dtype=bool)
        for c in range(width):
            if c in not_checked:
                continue
            mask = parse.text_mask(frame[c])
            if mask.any():
                subtotal |= parse.text_view(frame[c], mask).str.match(pattern.pattern).to_numpy(dtype=bool, na_value=False)
        frame = self.drop(frame, subtotal, "subtotal")

        # Exports that paginate repeat the header row on every page.
        repeated = np.zeros(len(frame), dtype=int)
        for i, text in self.header.texts.items():
            label = text.split("/")[-1].strip()
            if label and i < width:
                repeated += (parse.text_view(frame[i]).str.strip() == label).to_numpy(dtype=bool, na_value=False)
        frame = self.drop(frame, repeated >= min(3, len(self.header.texts)), "header")

        mapped = [c for c in cols.values() if c < width]
        frame = self.drop(frame, blank_cells.loc[frame.index, mapped].all(axis=1), "no_content")
        if frame.empty:
            return None
        self.sheet_index = frame["_sheet"].to_numpy(dtype=int)
        frame = self._fill_voucher_fields(frame)
        return self._parse(frame)

    def _fill_voucher_fields(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Voucher fields are often on a voucher's first line only: carry them down its lines."""
        cols = self.cols
        voucher = _text_column(frame, cols["voucher"]).astype(object)
        date = _text_column(frame, cols.get("date")).astype(object)
        sheet = frame["_sheet"]
        new_sheet = sheet != sheet.shift()
        filled_voucher = voucher.replace("", np.nan).groupby(sheet).ffill()
        filled_date = date.replace("", np.nan).groupby(sheet).ffill()
        starts = new_sheet | ((voucher != "") & ((voucher != filled_voucher.shift()) |
                                                 ((date != "") & (date != filled_date.shift()))))
        group = starts.cumsum()
        frame = frame.copy()
        for field_name in VOUCHER_LEVEL_FIELDS:
            column = cols.get(field_name)
            if column is None or column not in frame.columns:
                continue
            values = frame[column].astype(object).where(~parse.is_blank(frame[column]), None)
            filled = values.groupby(group).transform("first")
            if field_name in DATE_FIELDS:
                # Journals print a date only when it changes: a blank date means "same day".
                filled = filled.groupby(sheet).ffill()
            frame[column] = filled
        return frame

    def _context_parse(self, frame: pd.DataFrame, values: pd.Series, parser) -> tuple[pd.Series, pd.Series]:
        """Parse with no sheet context first; re-parse the failures with their sheet's year/month."""
        parsed, bad = parser(values, None, None)
        if not bad.any():
            return parsed, bad
        years = self.per_row([s.year for s in self.sheets])
        months = self.per_row([s.month for s in self.sheets])
        retry = pd.DataFrame({"y": years, "m": months}, index=frame.index)[bad.to_numpy()]
        for (y, m), index in retry.groupby(["y", "m"], dropna=False).groups.items():
            y = None if y is None or y != y else int(y)
            m = None if m is None or m != m else int(m)
            if y is None:
                continue
            again, still_bad = parser(values.loc[index], y, m)
            parsed.loc[index] = again
            bad.loc[index] = still_bad
        return parsed, bad

    def _parse(self, frame: pd.DataFrame) -> pd.DataFrame:
        cols = self.cols
        out = pd.DataFrame(index=frame.index)
        out["row"] = frame["_row"]
        years = self.per_row([s.year for s in self.sheets])

        def report_bad(mask, field_name: str, what: str) -> None:
            mask = np.asarray(mask, dtype=bool)
            if not mask.any():
                return
            for sheet, row, value in zip(frame["_sheet"].to_numpy()[mask], frame["_row"].to_numpy()[mask],
                                         frame[cols[field_name]].to_numpy()[mask]):
                self.error(int(sheet), int(row), self.label(field_name), f"{what}：“{value}”")

        # voucher number and word
        word, number, bad_voucher = parse.parse_vouchers(frame[cols["voucher"]])
        report_bad(bad_voucher, "voucher", "凭证号无法识别，应为“记-6”“记字第6号”“现付-18”或数字")
        if "voucher_word" in cols:
            word_col = _text_column(frame, cols["voucher_word"]).str.replace("字", "", regex=False).astype(object)
            word = word_col.where(word_col != "", word)
        out["voucher_word"] = word
        out["voucher_no"] = number

        # date and period
        bad_date = pd.Series(False, index=frame.index)
        if "date" in cols:
            dates, bad_date = self._context_parse(frame, frame[cols["date"]], parse.parse_dates)
            report_bad(bad_date, "date", "日期无法识别，应为 2021-03-06、2021/3/6、2021年3月6日、20210306 或 Excel 日期")
        elif "month" in cols and "day" in cols:
            context_year = pd.Series(pd.to_numeric(years, errors="coerce"), index=frame.index, dtype="float64")
            y = (pd.to_numeric(_text_column(frame, cols["year"]).str.replace("年", "").astype(object), errors="coerce")
                 .fillna(context_year) if "year" in cols else context_year)
            m = pd.to_numeric(_text_column(frame, cols["month"]).str.replace("月", "").astype(object), errors="coerce")
            d = pd.to_numeric(_text_column(frame, cols["day"]).str.replace("日", "").astype(object), errors="coerce")
            dates = pd.to_datetime(pd.DataFrame({"year": y, "month": m, "day": d}), errors="coerce").astype("datetime64[ns]")
            present = ~(parse.is_blank(frame[cols["month"]]) & parse.is_blank(frame[cols["day"]]))
            bad_date = present & dates.isna()
            for sheet, row, yy, mm, dd in zip(frame.loc[bad_date, "_sheet"], frame.loc[bad_date, "_row"],
                                              y[bad_date], m[bad_date], d[bad_date]):
                self.error(int(sheet), int(row), self.label("month"),
                           f"年/月/日无法组成日期（年 {yy if yy == yy else '未知'}，月 {mm}，日 {dd}）")
        elif "day" in cols:
            dates, bad_date = self._context_parse(frame, frame[cols["day"]], parse.parse_dates)
            report_bad(bad_date, "day", "日无法识别")
        else:
            dates = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        out["date"] = dates

        period = pd.Series("", index=frame.index, dtype=object)
        if "period" in cols:
            period, bad_period = self._context_parse(frame, frame[cols["period"]],
                                                     lambda v, y, m: parse.parse_periods(v, y))
            report_bad(bad_period, "period", "会计期间无法识别，应为 2021.3、2021年3期、202103 或 2021-03")
        period = period.where(period != "", dates.dt.strftime("%Y-%m").fillna("").astype(object))
        if "month" in cols:
            month_number = pd.to_numeric(_text_column(frame, cols["month"]).str.replace("月", "").astype(object),
                                         errors="coerce")
            year_number = pd.Series(pd.to_numeric(years, errors="coerce"), index=frame.index)
            known = month_number.between(1, 12) & year_number.notna()
            from_month = pd.Series("", index=frame.index, dtype=object)
            if known.any():
                from_month[known] = (year_number[known].astype(int).astype(str) + "-"
                                     + month_number[known].astype(int).astype(str).str.zfill(2))
            period = period.where(period != "", from_month)
        sheet_periods = self.per_row([f"{s.year:04d}-{s.month:02d}" if s.year and s.month else "" for s in self.sheets])
        period = period.where(period != "", pd.Series(sheet_periods, index=frame.index))
        out["period"] = period

        # amounts; a book kept in 万元 says so in its title or amount headers
        scales = self.per_row([s.scale for s in self.sheets]).astype("int64")

        def amounts(field_name: str):
            fen, bad, reversal = parse.parse_amounts(frame[cols[field_name]])
            if (scales != 1).any():
                fen = fen * scales
            return fen, bad, reversal

        if {"debit", "credit"} <= set(cols):
            debit, bad_debit, rev_d = amounts("debit")
            credit, bad_credit, rev_c = amounts("credit")
            report_bad(bad_debit, "debit", "借方金额无法识别，应为数字（如 2,500.00）")
            report_bad(bad_credit, "credit", "贷方金额无法识别，应为数字（如 2,500.00）")
            bad_amount = bad_debit | bad_credit
        else:
            amount, bad_amount, rev_d = amounts("amount")
            report_bad(bad_amount, "amount", "金额无法识别，应为数字（如 2,500.00）")
            direction = _text_column(frame, cols["direction"])
            is_debit = direction.str.match(r"^(借|J|D|Dr|DR|1)").to_numpy(dtype=bool, na_value=False)
            is_credit = direction.str.match(r"^(贷|C|Cr|CR|-1|2)").to_numpy(dtype=bool, na_value=False)
            bad_direction = ~is_debit & ~is_credit & (amount != 0).to_numpy()
            report_bad(bad_direction, "direction", "借贷方向无法识别，应为“借”或“贷”")
            bad_amount = bad_amount | bad_direction
            debit = amount.where(is_debit, 0)
            credit = amount.where(is_credit, 0)
            rev_c = pd.Series(False, index=frame.index)
        # A red (negative) amount on one side is the same as a positive amount on the other.
        out["debit_fen"] = debit.clip(lower=0) + (-credit).clip(lower=0)
        out["credit_fen"] = credit.clip(lower=0) + (-debit).clip(lower=0)
        out["is_reversal"] = rev_d | rev_c

        # text fields
        for field_name in ("summary", "counterparty", "settlement", "preparer", "reviewer", "poster"):
            out[field_name] = _text_column(frame, cols.get(field_name))
        code = _text_column(frame, cols.get("account_code"))
        name = _text_column(frame, cols.get("account_name"))
        split_code, split_name = split_code_and_name(name)
        out["account_code"] = code.where(code != "", split_code)
        out["account_name"] = split_name
        for field_name in ("line_no", "attachments", "quantity"):
            if field_name in cols:
                values, bad = parse.parse_numbers(frame[cols[field_name]])
                bad |= values < 0
                report_bad(bad, field_name, "应为非负数字，已按空值处理")
                out[field_name] = values.where(~bad)
        if "unit_price" in cols:
            price, bad_price, _ = parse.parse_amounts(frame[cols["unit_price"]])
            price = price * scales
            out["unit_price_fen"] = price.where(~bad_price & ~parse.is_blank(frame[cols["unit_price"]]))
        out["file"] = self.item.display
        out["sheet"] = self.per_row([s.raw.name for s in self.sheets])
        out["entity"] = self.per_row([s.info.entity for s in self.sheets])
        out["book"] = self.per_row([s.info.book for s in self.sheets])
        out["_sheet"] = frame["_sheet"]

        # rows that cannot become lines, each explained by an error above or here
        out = self.drop(out, bad_voucher, "bad_voucher")
        no_voucher = out["voucher_no"].isna()
        for sheet, row in zip(out.loc[no_voucher, "_sheet"], out.loc[no_voucher, "row"]):
            self.error(int(sheet), int(row), self.label("voucher"), "这一行之前没有凭证号，无法确定属于哪张凭证")
        out = self.drop(out, no_voucher, "no_voucher")
        out = self.drop(out, bad_amount, "bad_amount")
        no_period = out["period"] == ""
        unexplained = no_period & ~bad_date.reindex(out.index, fill_value=False)
        for sheet, row in zip(out.loc[unexplained, "_sheet"], out.loc[unexplained, "row"]):
            self.error(int(sheet), int(row), self.label("date") if "date" in cols else "", "无法确定这一行的日期或会计期间")
        out = self.drop(out, no_period, "no_period")
        out = self.drop(out, (out["debit_fen"] == 0) & (out["credit_fen"] == 0), "no_amount")

        lines = np.bincount(out["_sheet"].to_numpy(dtype=int), minlength=len(self.sheets))
        periods = out.groupby("_sheet")["period"].unique()
        for i, sheet in enumerate(self.sheets):
            sheet.info.lines = int(lines[i])
            sheet.info.periods = sorted(p for p in periods.get(i, []) if p)
        return out.drop(columns="_sheet")


# --------------------------------------------------------------------------- files and batches

def _read_batch(item: InputFile, batch: list[PreparedSheet], policy: Policy, result: "FileRead") -> pd.DataFrame | None:
    reader = BatchReader(item, batch, policy)
    try:
        lines = reader.read()
    except Exception as exc:  # noqa: BLE001 - one odd sheet must not stop the batch
        if len(batch) > 1:
            # Read the sheets one by one so the sheet at fault is named and the others still count.
            frames = [_read_batch(item, [sheet], policy, result) for sheet in batch]
            frames = [f for f in frames if f is not None and len(f)]
            return pd.concat(frames) if frames else None
        sheet = batch[0]
        sheet.info.status = "error"
        sheet.info.lines, sheet.info.skipped = 0, {}
        reader.errors = [DataError(item.display, sheet.raw.name, None, "",
                                   f"读取这张工作表时出错：{type(exc).__name__}: {exc}。请把该文件提供给维护人员。")]
        reader.dropped, lines = [], None
    result.errors.extend(reader.errors)
    result.dropped.extend(reader.dropped)
    return lines


def read_file(item: InputFile, policy: Policy) -> FileRead:
    """Read every sheet of one file.  Never raises for bad input."""
    try:
        sheets = open_sheets(item.path, policy.reading)
    except UnreadableFile as exc:
        return FileRead(pd.DataFrame(), [], [DataError(item.display, "", None, "", str(exc))])
    except OSError as exc:
        return FileRead(pd.DataFrame(), [], [DataError(item.display, "", None, "", f"无法读取文件：{exc.strerror or exc}")])
    matcher = HeaderMatcher(policy.reading.get("header_synonyms"))
    result = FileRead(pd.DataFrame())
    batches: dict[tuple, list[PreparedSheet]] = {}
    for raw in sheets:
        reader = SheetReader(item, raw, policy, matcher)
        try:
            prepared = reader.prepare()
        except Exception as exc:  # noqa: BLE001
            reader.info.status = "error"
            reader.error(None, "", f"读取这张工作表时出错：{type(exc).__name__}: {exc}。请把该文件提供给维护人员。")
            prepared = None
        result.sheets.append(reader.info)
        result.errors.extend(reader.errors)
        if prepared is not None:
            batches.setdefault(prepared.signature, []).append(prepared)
    frames = []
    for batch in batches.values():
        lines = _read_batch(item, batch, policy, result)
        if lines is not None and len(lines):
            frames.append(lines)
    for info in result.sheets:
        accounted = info.lines + sum(info.skipped.values())
        if info.status == "read" and accounted != info.data_rows:
            result.errors.append(DataError(item.display, info.sheet, None, "",
                                           f"行数核对不一致：分录 {info.lines} 行 + 剔除 {sum(info.skipped.values())} 行 "
                                           f"≠ 表头下非空行 {info.data_rows} 行。这是程序缺陷，请把该文件提供给维护人员。"))
    if frames:
        # Lines keep the workbook's order: sheet by sheet, row by row.
        order = {info.sheet: i for i, info in enumerate(result.sheets)}
        lines = pd.concat(frames, ignore_index=True)
        lines = lines.iloc[np.lexsort((lines["row"].to_numpy(), lines["sheet"].map(order).to_numpy()))]
        # Normalised here (in the worker when reading in parallel): the raw object columns are
        # several times larger than the finished table and never need to meet in one process.
        result.lines = finalise_ledger(lines, policy.account_names, policy.account_prefixes)
    if not any(s.lines for s in result.sheets):
        # A workbook with no readable sheet at all is an input that could not be read.
        promoted = [DataError(e.file, e.sheet, e.row, e.column, e.message, "error")
                    if e.row is None and e.kind == "warning" and "隐藏" not in e.message else e
                    for e in result.errors]
        result.errors = promoted
        if not any(e.kind == "error" for e in promoted):
            result.errors.append(DataError(item.display, "", None, "", "文件中没有可检查的分录（所有工作表都是空的或已隐藏）。"))
    return result


def _read_file_job(args):
    return read_file(*args)


DROPPED_COLUMNS = ["file", "sheet", "row", "reason", "text"]


# A worker process costs about a second to start (it imports pandas and Arrow), so the automatic
# choice reads in parallel only when there is enough to read (measured in bench/).
AUTO_PARALLEL_BYTES = 16 * 1024 * 1024


def choose_jobs(items: list[InputFile], jobs: int | None) -> int:
    """--jobs as given, or automatically: one process per core for large batches, else one."""
    if jobs is not None:
        return max(1, jobs)
    total = 0
    for item in items:
        try:
            total += os.path.getsize(item.path)
        except OSError:
            continue
    return (os.cpu_count() or 1) if total >= AUTO_PARALLEL_BYTES and len(items) > 1 else 1


def read_inputs(items: list[InputFile], policy: Policy, jobs: int | None = 1, progress=None) -> ReadResult:
    """Read all files (in parallel when jobs > 1; None chooses) into one validated normalised ledger."""
    jobs = choose_jobs(items, jobs)
    results: list[FileRead] = []
    if jobs > 1 and len(items) > 1:
        # spawn everywhere: it is what Windows does, and forking after Arrow has started its
        # threads can deadlock.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context) as pool:
            for read in pool.map(_read_file_job, [(item, policy) for item in items], chunksize=1):
                results.append(read)
                if progress:
                    progress(1)
    else:
        for item in items:
            results.append(read_file(item, policy))
            if progress:
                progress(1)
    sheets = [s for r in results for s in r.sheets]
    errors = [e for r in results for e in r.errors]
    dropped = pd.DataFrame([d for r in results for d in r.dropped], columns=DROPPED_COLUMNS)
    frames = [r.lines for r in results if len(r.lines)]
    for r in results:
        r.lines = None
    if frames:
        ledger = pd.concat(frames, ignore_index=True)
        del frames
        ledger["line_id"] = np.arange(len(ledger), dtype="int64")
        ledger["voucher_id"] = voucher_ids(ledger["voucher_key"])
        ledger.index = pd.Index(ledger["line_id"].to_numpy())
        ledger, schema_errors = validate_ledger(ledger)
        if schema_errors:
            errors.extend(schema_errors)
            _count_schema_drops(sheets, schema_errors)
            dropped = pd.concat([dropped, pd.DataFrame(
                [{"file": e.file, "sheet": e.sheet, "row": e.row, "reason": DROP_REASONS["schema"], "text": e.message}
                 for e in schema_errors if e.row is not None], columns=DROPPED_COLUMNS)], ignore_index=True)
    else:
        ledger = finalise_ledger(pd.DataFrame())
    return ReadResult(ledger=ledger, sheets=sheets, errors=errors, dropped=dropped)


def _count_schema_drops(sheets: list[SheetInfo], schema_errors: list[DataError]) -> None:
    by_sheet: dict[tuple[str, str], set[int]] = {}
    for e in schema_errors:
        if e.row is not None:
            by_sheet.setdefault((e.file, e.sheet), set()).add(e.row)
    for info in sheets:
        rows = by_sheet.get((info.file, info.sheet))
        if rows:
            info.lines -= len(rows)
            info.skipped[DROP_REASONS["schema"]] = info.skipped.get(DROP_REASONS["schema"], 0) + len(rows)
