"""The two sheets a ``scan --db`` adds to the report: findings concluded 不属实 (with the reason
and who concluded it) and the cases found rectified (已整改（复查未再出现）).

Both keep the 识别码 and 核实结论 columns, last and outside the print area for the first, so
that a reviewer who changes a conclusion there has it read back by `review import` too.
"""
from __future__ import annotations

from ..report.common import (REVIEW_CHOICES, Column, StreamSheet, book_label, entity_label, inert_text,
                             setup_page)
from ..report.findings import IDENTITY_HEADER
from .store import RECTIFIED

FALSE_SHEET, RECTIFIED_SHEET = "核实不属实", "整改复查"

FALSE_COLUMNS = (
    Column("序号", "number", 5), Column("单位", "wrap", 12), Column("账套", "text", 7), Column("期间", "text", 8),
    Column("凭证号", "text", 9), Column("规则", "wrap", 14), Column("问题说明", "wrap", 36),
    Column("核实结论", "text", 9, review=True), Column("理由", "wrap", 30, review=True),
    Column("核实人", "text", 9), Column(IDENTITY_HEADER, "text", 4),
)
RECTIFIED_COLUMNS = (
    Column("序号", "number", 5), Column("单位", "wrap", 12), Column("账套", "text", 7), Column("期间", "text", 8),
    Column("凭证号", "text", 9), Column("规则", "wrap", 14), Column("问题说明", "wrap", 30),
    Column("核实结论", "text", 9), Column("整改措施", "wrap", 22), Column("责任人", "text", 8),
    Column("复查情况", "wrap", 12), Column(IDENTITY_HEADER, "text", 4),
)


def _finish(ws, sheet: StreamSheet, title: str, footer: str, printed_at: str, empty_note: str) -> None:
    if sheet.row == 1:
        sheet.note(empty_note, sheet.formats.get())
    setup_page(ws, title, footer, printed_at, repeat_header=True, print_columns=len(sheet.columns) - 1,
               last_row=max(sheet.row - 1, 1))


def write_review_sheets(workbook, formats, review, concluded_false, footer: str, printed_at: str) -> None:
    ws = workbook.add_worksheet(FALSE_SHEET)
    sheet = StreamSheet(ws, formats, FALSE_COLUMNS)
    sheet.header()
    ws.freeze_panes(1, 0)
    columns = ("finding_id", "entity", "book", "period", "voucher", "title", "message")
    for number, (identity, entity, book, period, voucher, title, message) in enumerate(
            zip(*(concluded_false[c].tolist() for c in columns)), start=1):
        conclusion = review.present[identity].conclusion
        sheet.write((number, entity_label(entity), book_label(book), inert_text(period), inert_text(voucher),
                     inert_text(title), inert_text(message), conclusion.verdict,
                     conclusion.note or None, conclusion.concluded_by or None, identity))
    if sheet.row > 1:
        verdict = 7
        ws.data_validation(1, verdict, sheet.row - 1, verdict, {
            "validate": "list", "source": list(REVIEW_CHOICES), "ignore_blank": True})
    _finish(ws, sheet, FALSE_SHEET, footer, printed_at, "没有核实为不属实的问题。")

    ws = workbook.add_worksheet(RECTIFIED_SHEET)
    sheet = StreamSheet(ws, formats, RECTIFIED_COLUMNS)
    sheet.header()
    ws.freeze_panes(1, 0)
    ordered = sorted(review.rectified, key=lambda case: (not case["first"], case["entity"], case["book"],
                                                          case["period"], case["voucher"]))
    for number, case in enumerate(ordered, start=1):
        conclusion = case["conclusion"]
        sheet.write((number, entity_label(case["entity"]), book_label(case["book"]), inert_text(case["period"]),
                     inert_text(case["voucher"]), inert_text(case["title"]), inert_text(case["message"]),
                     conclusion.verdict or None, conclusion.measures or None, conclusion.responsible or None,
                     RECTIFIED if case["first"] else f"{RECTIFIED}，此前已复查", case["finding_id"]))
    _finish(ws, sheet, RECTIFIED_SHEET, footer, printed_at, "本次复查没有发现已整改的问题。")
