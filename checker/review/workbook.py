"""Read a filled-in report back: every row's identity and what the reviewer wrote.

Columns are found by their headers, not their positions, and rows by the 识别码 each carries,
so a report whose rows were sorted, filtered or had rows inserted (in Excel, WPS or LibreOffice)
reads the same.  Every sheet whose header has 识别码 and 核实结论 is read (问题清单, and the
不属实 and 整改复查 sheets a ``scan --db`` adds).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..identity import IDENTITY_PATTERN
from ..report.common import FINDINGS, NO_ENTITY, REPORT_FORMAT, REPORT_FORMAT_PROPERTY, REVIEW_CHOICES
from ..report.findings import IDENTITY_HEADER

HEADER_SEARCH_ROWS = 10
# field -> headers it may have (the first is the report's own)
REVIEW_COLUMNS = {
    "verdict": ("核实结论",), "measures": ("整改措施",), "responsible": ("责任人",),
    "deadline": ("整改时限",), "progress": ("整改情况",), "note": ("备注", "理由", "不属实理由"),
}
DESCRIPTION_COLUMNS = {
    "entity": ("单位",), "book": ("账套",), "period": ("期间",), "voucher": ("凭证号",), "title": ("规则",),
    "message": ("问题说明及依据", "问题说明"), "amount": ("金额",),
}
TOOL_AUTHOR = "voucher-checker"


class NotOurReport(Exception):
    """The workbook cannot be imported; the message says why, in Chinese."""


@dataclass(frozen=True)
class ReviewRow:
    sheet: str
    row: int                     # Excel row number
    identity: str
    values: dict                 # conclusion field -> text the reviewer left ("" when empty)
    description: dict            # entity, book, period, voucher, title, message, amount_fen


@dataclass(frozen=True)
class Unmatched:
    sheet: str
    row: int
    reason: str

    def where(self) -> str:
        return f"{self.sheet} 第{self.row}行"


@dataclass
class ReportContent:
    path: Path
    rows: list[ReviewRow] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    modified_by: str = ""


def _header_key(value) -> str:
    return "".join(str(value).split()) if value is not None else ""


def cell_text(value) -> str:
    """A cell as the text the reviewer meant: dates as YYYY-MM-DD, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").strip()


def _verdict(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _fen(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int((Decimal(str(value).replace(",", "")) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        return None


def _find_columns(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for number, values in enumerate(rows):
        keys = {_header_key(v): i for i, v in enumerate(values) if v is not None}
        if IDENTITY_HEADER in keys and "核实结论" in keys:
            columns = {}
            for name, headers in {**REVIEW_COLUMNS, **DESCRIPTION_COLUMNS}.items():
                for header in headers:
                    if header in keys:
                        columns[name] = keys[header]
                        break
            columns["identity"] = keys[IDENTITY_HEADER]
            return number, columns
    return None


def _format_version(workbook) -> object:
    for prop in workbook.custom_doc_props.props:
        if prop.name == REPORT_FORMAT_PROPERTY:
            return prop.value
    return None


def read_report(path) -> ReportContent:
    """What a reviewer wrote in the report at ``path``; NotOurReport when it is not one of ours."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    path = Path(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise NotOurReport(f"找不到文件 {path}。") from None
    except PermissionError:
        raise NotOurReport(f"无法读取 {path}：没有读取权限，或文件正被其他程序锁定；请关闭它后再试。") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise NotOurReport(f"{path} 不是可读取的 Excel 工作簿（.xlsx）：{exc}；在 WPS 或 Excel 中另存过的，"
                           "请另存为 .xlsx 格式。") from None
    try:
        content = ReportContent(path)
        version = _format_version(workbook)
        if version is not None:
            try:
                number = int(float(version))
            except (TypeError, ValueError):
                number = None
            if number != REPORT_FORMAT:
                raise NotOurReport(f"{path} 是另一版本的工具生成的报告（报告格式 {version}，本版本读取格式 "
                                   f"{REPORT_FORMAT}）；请用本版本重新检查账簿，在新报告中填写后再导入。")
        author = (workbook.properties.lastModifiedBy or "").strip()
        content.modified_by = "" if author == TOOL_AUTHOR else author
        found_sheet = False
        for ws in workbook.worksheets:
            rows = ws.iter_rows(values_only=True)
            head = []
            for values in rows:
                head.append(values)
                if len(head) >= HEADER_SEARCH_ROWS:
                    break
            located = _find_columns(head)
            if located is None:
                continue
            found_sheet = True
            header_index, columns = located
            body = head[header_index + 1:]
            first_row = header_index + 2
            for offset, values in enumerate(_chain(body, rows)):
                _read_row(content, ws.title, first_row + offset, values, columns)
        if not found_sheet:
            if FINDINGS in workbook.sheetnames:
                raise NotOurReport(f"{path} 的“{FINDINGS}”中没有“{IDENTITY_HEADER}”列：它由旧版本的工具生成，"
                                   "或该列被删除了；请用本版本重新检查账簿，在新报告中填写后再导入。")
            raise NotOurReport(f"{path} 不是本工具生成的检查报告（没有“{FINDINGS}”工作表）。")
        if version is None:
            content.notes.append(f"{path.name} 中没有报告格式标记（可能经其他软件另存过），已按表头识别。")
        return content
    finally:
        workbook.close()


def _chain(first, rest):
    yield from first
    yield from rest


def _read_row(content: ReportContent, sheet: str, row: int, values: tuple, columns: dict[str, int]) -> None:
    def get(name: str) -> str:
        index = columns.get(name)
        return cell_text(values[index]) if index is not None and index < len(values) else ""

    given = {name: get(name) for name in REVIEW_COLUMNS}
    identity = get("identity").strip().lower()
    if not identity:
        if any(given.values()):
            content.unmatched.append(Unmatched(sheet, row, f"没有{IDENTITY_HEADER}（插入的行？），无法对应到问题"))
        return
    if not IDENTITY_PATTERN.match(identity):
        content.unmatched.append(Unmatched(sheet, row, f"{IDENTITY_HEADER}“{identity[:30]}”不是本工具写的（被改动过？）"))
        return
    if given["verdict"]:
        verdict = _verdict(given["verdict"])
        if verdict not in REVIEW_CHOICES:
            content.unmatched.append(Unmatched(sheet, row, f"核实结论“{given['verdict'][:20]}”不是下拉列表中的选项"
                                                           f"（{'、'.join(REVIEW_CHOICES)}）"))
            return
        given["verdict"] = verdict
    message = get("message").split("\n依据：", 1)[0]
    entity = get("entity")
    description = {"entity": "" if entity == NO_ENTITY else entity, "book": get("book"), "period": get("period"),
                   "voucher": get("voucher"), "title": get("title"), "message": message,
                   "amount_fen": _fen(values[columns["amount"]]) if "amount" in columns and columns["amount"] < len(values)
                   else None}
    content.rows.append(ReviewRow(sheet, row, identity, given, description))
