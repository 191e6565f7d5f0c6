"""Write a scan as the Excel working paper accountants and inspection teams print, forward and
fill in, and the findings alone as CSV.

Sheets, one module each: 汇总 (``summary``: run facts, communities ranked by where to look
first, rules that did not run, a completeness check per sheet, charts), 问题清单 (``findings``:
one row per finding, with reviewer columns), 凭证明细 (``detail``: every line of every flagged
voucher), 数据问题 (``problems``: errors, dropped rows, rule gaps) and 规则说明 (``rules_sheet``:
each rule with the options in force).  ``common`` holds what they share.

The workbook is written with xlsxwriter's public API; a large one in constant-memory mode (see
``IN_MEMORY_ROWS``).  Everything that
came from a ledger is written through ``inert_text`` as a string cell, so a summary such as
``=HYPERLINK(...)`` can never become a live formula in the report.
"""
from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from ..model import ScanResult
from .common import (DETAIL, FINDINGS, PROBLEMS, REPORT_FORMAT, REPORT_FORMAT_PROPERTY, REPORT_TITLE, RULES,
                     SUMMARY, Formats, header_footer_text, inert_text, rows_label)
from .detail import flagged_voucher_lines, write_detail
from .findings import FINDING_HEADERS, REVIEW_HEADERS, finding_rows, write_findings, write_findings_csv
from .problems import write_problems
from .rules_sheet import write_rules
from .summary import write_summary

__all__ = ["write_report", "write_findings_csv", "inert_text", "rows_label", "finding_rows",
           "FINDING_HEADERS", "REVIEW_HEADERS", "SHEETS"]

SHEETS = (SUMMARY, FINDINGS, DETAIL, PROBLEMS, RULES)

# Up to this many rows of findings and voucher lines, xlsxwriter keeps the cells until it closes
# the workbook (some 100 bytes a cell) and writes each distinct text once, to the shared string
# table: a third less time than constant-memory mode, where every cell's text is escaped and
# written as it comes.  Above it, rows go to a temporary file as they are written, so memory
# does not grow with them (README "Speed").
IN_MEMORY_ROWS = 100_000


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


def write_report(result: ScanResult, path, review=None) -> None:
    """Write the Excel report.  The same ScanResult always gives the same file, byte for byte.

    ``review`` (voucher_checker.review.rescan.ReviewOverlay, from ``scan --db``): findings
    concluded 不属实 leave 问题清单 for a sheet of their own, the others carry their conclusions,
    and the cases found rectified get a sheet too."""
    path = Path(path)
    concluded_false = None
    if review is not None:
        false = result.findings["finding_id"].isin(review.false_ids)
        concluded_false = result.findings[false.to_numpy()]
        result = replace(result, findings=result.findings[~false.to_numpy()].reset_index(drop=True))
    footer = _footer_entity(result)
    printed_at = "生成于 " + result.started_at.strftime("%Y-%m-%d %H:%M")
    rules_by_id = {rule.id: rule for rule in result.rules}
    with _gc_paused():
        detail_lines = flagged_voucher_lines(result)
        workbook = xlsxwriter.Workbook(str(path), {
            # Rows of 问题清单 and 凭证明细.
            "constant_memory": len(result.findings) + len(detail_lines) > IN_MEMORY_ROWS,
            "use_zip64": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False})
        formats = Formats(workbook)
        sheets = {name: workbook.add_worksheet(name) for name in SHEETS}
        detail_rows = write_detail(sheets[DETAIL], formats, result, footer, printed_at, detail_lines)
        write_findings(sheets[FINDINGS], formats, result, detail_rows, footer, printed_at, review)
        write_summary(workbook, sheets[SUMMARY], formats, result, footer, printed_at)
        write_problems(sheets[PROBLEMS], formats, result, rules_by_id, footer, printed_at)
        write_rules(sheets[RULES], formats, result, footer, printed_at)
        if review is not None:
            from ..review.sheets import write_review_sheets
            write_review_sheets(workbook, formats, review, concluded_false, footer, printed_at)
        sheets[SUMMARY].activate()
        workbook.set_properties({
            "title": REPORT_TITLE, "subject": header_footer_text(footer, 200), "author": "voucher-checker",
            "comments": f"voucher-checker {result.version}".strip(), "created": _naive_utc(result.started_at)})
        workbook.set_custom_property(REPORT_FORMAT_PROPERTY, REPORT_FORMAT)
        try:
            workbook.close()
        except FileCreateError as exc:
            # The file is open in Excel or WPS: the command line says so in plain words.
            cause = exc.__context__ or (exc.args[0] if exc.args else None)
            if isinstance(cause, OSError):
                raise cause from None
            raise
