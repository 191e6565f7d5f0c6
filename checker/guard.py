"""Checks on a file before any parser touches it: untrusted ledgers must never hurt the user,
the machine or the report.  ``check_before_open`` raises UnreadableFile with a plain message.

What is checked, cheaply (the zip directory and bounded reads, never a whole part):
- a zip workbook whose parts unpack to more than ``max_uncompressed_mb``, or a part compressed
  more than 1000:1 (decompression bombs), or a sheet whose <dimension> claims more than
  ``max_sheet_cells`` cells;
- any XML part that declares a DOCTYPE or ENTITY (billion laughs, external entities): real
  workbooks never do, so such a file is refused rather than trusted to the XML parser.  (Checked
  with fastexcel 0.21 (calamine): its XML reader skips the DTD and expands no entity, so even without
  this check nothing would be fetched or blown up; the refusal keeps that from depending on a
  parser version.  openpyxl is never used to read input.);
- an OLE2 file named .xlsx/.xlsm, which is a password-protected (encrypted) workbook or an old
  .xls with the wrong extension;
- empty files, files that vanished or cannot be opened.
"""
from __future__ import annotations

import os
import re
import zipfile

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_RATIO = 1000
RATIO_CHECK_FROM = 10 * 1024 * 1024
XML_HEAD = 64 * 1024
SHEET_HEAD = 4096
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_DANGEROUS_XML = (b"<!DOCTYPE", b"<!ENTITY")
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _refuse(message: str):
    from .sources import UnreadableFile
    return UnreadableFile(message)


def _not_a_ledger(message: str):
    from .sources import NotALedger
    return NotALedger(message)


# The report sets these document properties; a report left in a scanned folder is not a ledger.
OWN_REPORT_MARKERS = (b"<dc:creator>voucher-checker</dc:creator>", b'name="voucher-checker-report"')
OWN_REPORT_SHEETS = {"问题清单", "凭证明细"}


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.decode("ascii"):
        number = number * 26 + ord(ch) - 64
    return number


def _claimed_cells(head: bytes) -> int:
    match = _DIMENSION.search(head)
    if not match or not match.group(3):
        return 0
    first_col, first_row, last_col, last_row = match.groups()
    rows = int(last_row) - int(first_row) + 1
    cols = _column_number(last_col) - _column_number(first_col) + 1
    return max(rows, 0) * max(cols, 0)


def check_before_open(path: str, reading: dict) -> None:
    """Refuse files that would exhaust memory, exploit the XML parser or are not what they say."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise _refuse("文件在检查过程中被移走或删除，无法读取。") from None
    except PermissionError:
        raise _refuse("没有读取该文件的权限（文件可能被其他程序占用或受保护）。") from None
    except OSError as exc:
        raise _refuse(f"无法读取文件：{exc.strerror or exc}") from None
    if size == 0:
        raise _refuse("文件是空的（0 字节）。")
    if head.startswith(b"%PDF"):
        raise _refuse("文件扩展名像表格，但内容是 PDF 文件，不是账簿；请提供从财务软件导出的 Excel 账簿。")
    if head.startswith(ZIP_MAGIC):
        _check_zip(path, reading)
    elif head.startswith(OLE2_MAGIC) and path.lower().endswith((".xlsx", ".xlsm")):
        raise _refuse("工作簿设置了打开密码（已加密），或是改了扩展名的旧版 .xls 文件，无法读取；"
                      "请在 Excel/WPS 中取消密码并另存为 .xlsx 后再检查。")


def _check_zip(path: str, reading: dict) -> None:
    limit_mb = float(reading.get("max_uncompressed_mb", 500))
    max_cells = int(reading.get("max_sheet_cells", 50_000_000))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _refuse("文件已损坏（不是完整的 Excel 工作簿压缩包）。") from None
    with archive:
        entries = archive.infolist()
        names = {e.filename.lower() for e in entries}
        if "word/document.xml" in names:
            raise _refuse("文件扩展名像表格，但内容是 Word 文档，不是账簿。")
        if "ppt/presentation.xml" in names:
            raise _refuse("文件扩展名像表格，但内容是 PowerPoint 演示文稿，不是账簿。")
        total = sum(e.file_size for e in entries)
        if total > limit_mb * 1024 * 1024:
            raise _refuse(f"工作簿解压后约 {total / 1024 / 1024:,.0f} MB，超过安全上限 {limit_mb:,.0f} MB，"
                          "可能是恶意构造的压缩炸弹，已拒绝读取（上限可在策略文件 [reading] max_uncompressed_mb 调整）。")
        for entry in entries:
            if entry.file_size > RATIO_CHECK_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                raise _refuse(f"工作簿中的 {entry.filename} 压缩比异常（{entry.file_size / max(entry.compress_size, 1):,.0f}:1），"
                              "可能是恶意构造的压缩炸弹，已拒绝读取。")
        for entry in entries:
            name = entry.filename.lower()
            if not name.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(entry) as part:
                    # A DOCTYPE can only stand in the prolog, before the root element: read on
                    # (up to XML_HEAD) only when the first SHEET_HEAD bytes have not reached it.
                    head = part.read(SHEET_HEAD)
                    if not _ROOT_ELEMENT.search(head):
                        head += part.read(XML_HEAD - len(head))
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                if "encrypted" in str(exc).lower():
                    raise _refuse("工作簿设置了打开密码（已加密），无法读取。") from None
                raise _refuse(f"工作簿中的 {entry.filename} 已损坏，无法读取。") from None
            if name.startswith("docprops/") and any(marker in head for marker in OWN_REPORT_MARKERS):
                raise _not_a_ledger("这是 voucher-checker 生成的检查报告，不是账簿，已跳过（未计入检查）。")
            if any(marker in head for marker in _DANGEROUS_XML):
                raise _refuse(f"工作簿中的 {entry.filename} 含有 DOCTYPE/ENTITY 声明（正常的 Excel 文件不会有），"
                              "可能是恶意构造的文件（XML 实体攻击），已拒绝读取。")
            if name.startswith("xl/worksheets/") and _claimed_cells(head[:SHEET_HEAD]) > max_cells:
                raise _refuse(f"工作表 {entry.filename} 声明的范围超过 {max_cells:,} 个单元格，"
                              "不像真实账簿，已拒绝读取（上限可在策略文件 [reading] max_sheet_cells 调整）。")
