"""The report on paper: the print settings read back from the written file (openpyxl), the scale
they give in Excel and in LibreOffice, and, where LibreOffice is installed, the sample ledgers'
report printed to PDF."""
from __future__ import annotations

import importlib.util
import math
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from voucher_checker.registry import discover
from openpyxl.utils import get_column_letter

from voucher_checker.policy import Policy
from voucher_checker.report import SHEETS, write_report
from voucher_checker.report.common import BODY_SIZE, ROW_BUDGET
from voucher_checker.report.findings import FINDING_COLUMNS_XLSX, PRINTED_FINDING_COLUMNS
from voucher_checker.scan import scan

SAMPLES = Path(__file__).resolve().parents[1] / "sample_ledgers"
A4_LANDSCAPE_CM = 29.7
CM_PER_PX = 2.54 / 96
# Pixels of a column ``width`` characters wide: Excel counts Calibri 11's digit as 7 pixels plus 5 of
# padding; LibreOffice measures the digit of Carlito (Calibri's metric twin) unrounded, 7.43 pixels.
APPS = {"Excel": (7.0, 5.0), "LibreOffice": (7.43, 4.7)}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("print") / "sample-report.xlsx"
    write_report(scan([SAMPLES], Policy(), jobs=1), out)
    return out


@pytest.fixture(scope="module")
def wb(report):
    return openpyxl.load_workbook(report)


def _widths(ws, columns: int) -> list[float]:
    """Column widths in characters as the user sets them (the file's width less Excel's padding)."""
    found = {}
    for dim in ws.column_dimensions.values():       # adjacent columns of one width share an entry
        for col in range(dim.min or 0, (dim.max or 0) + 1):
            found[col] = dim.width - 5 / 7
    return [found[c] for c in range(1, columns + 1)]


def _scale(widths, app: str, margins: float) -> float:
    """The whole-percent scale an application chooses to print ``widths`` one page wide."""
    per_char, padding = APPS[app]
    printable_px = (A4_LANDSCAPE_CM / 2.54 - 2 * margins) * 96
    return min(100, math.floor(100 * printable_px / sum(w * per_char + padding for w in widths))) / 100


def _paper_cm(width: float, app: str, scale: float) -> float:
    per_char, padding = APPS[app]
    return (width * per_char + padding) * scale * CM_PER_PX


@pytest.mark.parametrize("title", SHEETS)
def test_every_sheet_prints_on_a4_landscape_one_page_wide(wb, title):
    ws = wb[title]
    setup = ws.page_setup
    assert int(setup.paperSize) == 9 and setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(setup.fitToWidth or 1) == 1 and int(setup.fitToHeight) == 0
    assert ws.page_margins.left == ws.page_margins.right == 0.25
    assert ws.print_options.horizontalCentered
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    if title != "汇总":
        assert ws.print_title_rows.replace("$", "") == "1:1", "the header row on every printed page"


def test_findings_print_up_to_the_reviewer_columns(wb):
    ws = wb["问题清单"]
    assert ws.print_area == f"'问题清单'!$A$1:${get_column_letter(PRINTED_FINDING_COLUMNS)}${ws.max_row}"
    assert ws.cell(row=1, column=PRINTED_FINDING_COLUMNS).value == "备注"
    widths = _widths(ws, len(FINDING_COLUMNS_XLSX))
    assert widths == pytest.approx([c.width for c in FINDING_COLUMNS_XLSX], abs=0.08)


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("findings", ["sample", "most a sheet holds"])
def test_findings_body_is_9_points_and_reviewers_have_room_to_write(wb, app, findings):
    ws = wb["问题清单"]
    widths = _widths(ws, PRINTED_FINDING_COLUMNS)
    if findings != "sample":
        widths[0] = len(str(ROW_BUDGET)) + 0.5         # 序号 widens with the number of findings
    scale = _scale(widths, app, ws.page_margins.left)
    body = ws.cell(row=2, column=2).font.sz
    assert body == BODY_SIZE and body * scale >= 9, f"{app}: body text {body * scale:.2f} pt on paper"
    assert float(ws.oddHeader.center.size) * scale > body * scale, "the page heading is larger"
    header = [c.value for c in ws[1]]
    paper = {name: _paper_cm(widths[header.index(name)], app, scale) for name in ("核实结论", "整改措施", "责任人")}
    assert paper["整改措施"] >= 4.0, paper
    assert paper["核实结论"] >= 1.5 and paper["责任人"] >= 1.5, paper


@pytest.mark.parametrize("app", APPS)
def test_voucher_detail_body_is_9_points(wb, app):
    ws = wb["凭证明细"]
    assert not ws.print_area
    scale = _scale(_widths(ws, ws.max_column), app, ws.page_margins.left)
    assert ws.cell(row=3, column=4).font.sz * scale >= 9


@pytest.mark.parametrize("app", APPS)
def test_rules_sheet_body_is_9_points(wb, app):
    ws = wb["规则说明"]
    scale = _scale(_widths(ws, ws.max_column), app, ws.page_margins.left)
    assert ws.cell(row=3, column=2).font.sz * scale >= 9


# ---------------------------------------------------------------------------- printed by LibreOffice

def _page_count(pdf: Path) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(PdfReader(pdf).pages)


def _calibri_metrics() -> bool:
    """Whether LibreOffice will lay Calibri out with Calibri's widths (Calibri itself or Carlito)."""
    if shutil.which("fc-match") is None:
        return False
    found = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout
    return bool(re.search("Calibri|Carlito", found))


needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None
    or (shutil.which("pdfinfo") is None and importlib.util.find_spec("pypdf") is None),
    reason="needs LibreOffice (soffice) and poppler-utils (pdftotext, pdfinfo) or pypdf")


@pytest.fixture(scope="module")
def printed(report, tmp_path_factory):
    from scripts.render_report import pages_per_sheet, to_pdf
    pdf = to_pdf(report, tmp_path_factory.mktemp("pdf"), timeout=120)
    return pdf, pages_per_sheet(pdf)


@needs_libreoffice
def test_the_sample_report_prints_on_a_sensible_number_of_pages(printed, wb):
    pdf, pages = printed
    assert set(pages) == set(SHEETS), pages
    assert sum(len(p) for p in pages.values()) == _page_count(pdf)
    findings = wb["问题清单"].max_row - 1
    # At least three findings a page: rows as tall as their text, not more.
    assert len(pages["问题清单"]) <= math.ceil(findings / 3), pages
    assert len(pages["凭证明细"]) <= 3 and len(pages["数据问题"]) <= 2 and len(pages["汇总"]) <= 5, pages
    # 规则说明 is the reference of every rule and option in force: each rule's row with its
    # options beneath it in the same columns takes well under a page (it took one each when the
    # options had columns of their own beside the rule's).
    rules = len(discover())
    assert len(pages["规则说明"]) <= math.ceil(rules * 0.6), pages
    assert _page_count(pdf) <= 14 + math.ceil(rules * 0.6)


@needs_libreoffice
def test_libreoffice_prints_the_findings_body_at_9_points(printed):
    if not _calibri_metrics():
        pytest.skip("no Calibri or Carlito (fonts-crosextra-carlito): LibreOffice lays columns out wider")
    pdf, pages = printed
    page = pages["问题清单"][0]
    boxes = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
    # A CJK glyph is one em wide: the width of the two-character heading 序号 is twice the printed size.
    box = re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">序号<', boxes)
    assert box, "the 问题清单 heading row is on its first printed page"
    size = (float(box.group(2)) - float(box.group(1))) / 2
    assert size >= 9.0, f"LibreOffice prints 11-point text at {size:.2f} pt"


# ---------------------------------------------------------------------------- row heights

def _glyph_by_glyph(part: str, usable: float) -> int:
    """The greedy layout the row heights assume, one glyph (or unbreakable word) at a time."""
    from voucher_checker.report import common
    tokens = re.findall(f"[{re.escape(common._OPENING)}]*(?:[!-~]+|[^ !-~])[{re.escape(common._CLOSING)}]*| +", part)
    lines, used = 1, 0.0
    for token in tokens:
        size = common._units(token)
        if token[0] == " ":
            used += size
            continue
        if used + size > usable and used > 0:
            lines, used = lines + 1, 0.0
        while size > usable:
            lines, size = lines + 1, size - usable
        used += size
    return lines


@pytest.mark.parametrize("width", [5, 8, 10, 14, 25, 28, 40])
def test_wrapped_lines_are_counted_as_laid_out_glyph_by_glyph(wb, width):
    from voucher_checker.report.common import _usable, _wrapped_lines
    texts = {c.value for title in ("问题清单", "凭证明细", "规则说明") for row in wb[title].iter_rows(min_row=2)
             for c in row if isinstance(c.value, str)}
    texts |= {"行政账列支工会支出 156.00 元（含“湖南工人报”），工会支出应在工会账中核算，不得由行政经费报销",
              "购买 A4 打印纸 20 箱，金额 2,500.00 元"}
    usable = _usable(width)
    for text in texts:
        for part in text.split("\n"):
            assert _wrapped_lines(part, usable) == _glyph_by_glyph(part, usable), (part, width)


def test_wrapped_rows_are_tall_enough_in_libreoffice_too(wb):
    from voucher_checker.report.common import LINE_HEIGHT, line_count
    assert LINE_HEIGHT >= 16, "Noto Sans CJK lines are 16 pt at 11 pt"
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    col = header.index("问题说明及依据") + 1
    width = _widths(ws, col)[-1]
    for r in range(2, ws.max_row + 1):
        text = ws.cell(row=r, column=col).value
        assert (ws.row_dimensions[r].height or 15) >= LINE_HEIGHT * line_count(text, width), (r, text)
