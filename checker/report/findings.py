"""问题清单: one row per finding with the reviewer's columns, and the same findings as CSV.

Printed, the sheet is the working paper an inspection team writes on: the columns up to 备注 fit
one A4 landscape width with 11-point text at 9 pt or more on paper, in Excel and in LibreOffice
(whose columns come out about 6% wider for the same width), and 整改措施 over 4 cm wide; 期间 and
来源 follow, on screen only (the printed 凭证明细 names each voucher's source).
The rule's basis is printed under the finding's message, where the reviewer reads it.
A unit finding (about a unit's book as a whole, or one of its sheets) reads 单位整体 or 整表 in
the voucher column, links to no voucher and leaves 金额 blank when it has no amount.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from ..model import ScanResult
from .common import (DETAIL, FINDINGS, LINK_COLOUR, REVIEW_CHOICES, SEVERITY_FILLS,
                     Column, StreamSheet, as_date, book_label, entity_label, fen, inert_text,
                     needs_quote_prefix, overflow_note, setup_page, severity_label, source_label, yuan_text)
from . import common

FINDING_HEADERS = ("序号", "单位", "账套", "期间", "凭证号", "日期", "摘要", "科目", "金额", "规则",
                   "风险等级", "问题说明", "依据", "来源")
REVIEW_HEADERS = ("核实结论", "整改措施", "责任人", "备注")
IDENTITY_HEADER = "识别码"

FINDING_COLUMNS_XLSX = (
    Column("序号", "number", 4), Column("单位", "wrap", 8), Column("账套", "text", 6.5),
    Column("凭证号", "text", 9), Column("日期", "date", 10), Column("摘要", "wrap", 11),
    Column("科目", "wrap", 11), Column("金额", "money", 11), Column("风险等级", "text", 5),
    Column("规则", "wrap", 10), Column("问题说明及依据", "wrap", 28),
    Column("核实结论", "text", 9, review=True), Column("整改措施", "wrap", 25, review=True),
    Column("责任人", "text", 9, review=True), Column("备注", "wrap", 5.5, review=True),
    # Screen only: outside the print area.  The voucher's risk score, to sort by.
    Column("凭证风险分", "score", 8), Column("期间", "text", 9), Column("来源", "wrap", 40),
    # The finding's identity (voucher_checker.identity), which `review import` matches rows by:
    # last and narrow, so that no one needs to look at it.
    Column(IDENTITY_HEADER, "text", 4),
)
PRINTED_FINDING_COLUMNS = 15
FINDING_SHEET_HEADERS = tuple(c.header for c in FINDING_COLUMNS_XLSX)
_COLUMN = {c.header: i for i, c in enumerate(FINDING_COLUMNS_XLSX)}
VOUCHER_COLUMN, SEVERITY_COLUMN, VERDICT_COLUMN = _COLUMN["凭证号"], _COLUMN["风险等级"], _COLUMN["核实结论"]


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
    level: str = "voucher"      # voucher | unit
    finding_id: str = ""

    def csv_values(self) -> list[str]:
        return [str(self.number), *(inert_text(v, for_csv=True) for v in (
            self.entity, self.book, self.period, self.voucher)),
            self.date.isoformat() if self.date else "",
            inert_text(self.summary, for_csv=True), inert_text(self.account, for_csv=True),
            yuan_text(self.amount_fen),
            *(inert_text(v, for_csv=True) for v in (
                self.rule_title, severity_label(self.severity), self.message, self.basis, self.source)),
            self.finding_id]


_FIELDS = ("entity", "book", "period", "voucher", "date", "summary", "account", "amount_fen", "title", "rule",
           "severity", "message", "basis", "file", "sheet", "rows", "voucher_key", "level", "finding_id")
UNIT_VOUCHER, SHEET_VOUCHER = "单位整体", "整表"      # the voucher column of a unit finding
CHUNK = 5_000      # findings turned into Python values at a time: memory stays flat however many


def finding_rows(findings: pd.DataFrame, limit: int | None = None):
    """The findings in the order the engine gave them, as the report shows them (a generator)."""
    n = len(findings) if limit is None else min(limit, len(findings))
    entities: dict = {}
    books: dict = {}
    for start in range(0, n, CHUNK):
        part = findings.iloc[start:min(n, start + CHUNK)]
        size = len(part)
        column = {name: part[name].tolist() if name in part.columns else [None] * size for name in _FIELDS}
        for i in range(size):
            f = {name: values[i] for name, values in column.items()}
            entity, book = f["entity"], f["book"]
            if entity not in entities:
                entities[entity] = entity_label(entity)
            if book not in books:
                books[book] = book_label(book)
            unit = f["level"] == "unit"
            voucher = (SHEET_VOUCHER if inert_text(f["sheet"]) else UNIT_VOUCHER) if unit else inert_text(f["voucher"])
            yield FindingRow(
                number=start + i + 1, entity=entities[entity], book=books[book],
                period=inert_text(f["period"]), voucher=voucher,
                date=as_date(f["date"]), summary=inert_text(f["summary"]),
                account=inert_text(f["account"]),
                amount_fen=None if unit and not fen(f["amount_fen"]) else fen(f["amount_fen"]),
                rule_title=inert_text(f["title"]) or inert_text(f["rule"]),
                severity=inert_text(f["severity"]), message=inert_text(f["message"]),
                basis=inert_text(f["basis"]),
                source=source_label(f["file"], f["sheet"], f["rows"]),
                voucher_key="" if unit else inert_text(f["voucher_key"]), level="unit" if unit else "voucher",
                finding_id=inert_text(f["finding_id"]))


def write_findings_csv(result: ScanResult, path) -> None:
    """The 问题清单 columns without the reviewer columns, UTF-8 with BOM so Excel reads Chinese.
    The last column is the finding's 识别码, as in the report and the JSON's ``finding_id``, so
    that a finding can be followed from one scan's CSV to the next."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow((*FINDING_HEADERS, IDENTITY_HEADER))
        for row in finding_rows(result.findings):
            writer.writerow(row.csv_values())


def _message_with_basis(row: FindingRow) -> str:
    return f"{row.message}\n依据：{row.basis}" if row.basis else row.message


REVIEW_STATUS_HEADER = "复查情况"


def _carried(review, finding_id: str) -> tuple:
    """The reviewer columns and the status a ``scan --db`` carries into the new report."""
    carried = review.present.get(finding_id)
    if carried is None:
        return None, None, None, None, None
    c = carried.conclusion
    status = f"{carried.status}（{carried.note}）" if carried.note else carried.status
    return c.verdict or None, c.measures or None, c.responsible or None, c.note or None, status


def write_findings(ws, formats, result: ScanResult, detail_rows: dict[str, int], footer: str,
                   printed_at: str, review=None) -> None:
    """The 问题清单 sheet; ``detail_rows`` gives the 凭证明细 row (1-based) of each voucher.
    With ``review`` (voucher_checker.review.rescan.ReviewOverlay) the reviewer columns carry
    what the store holds, and a 复查情况 column says what the scan found of each."""
    # 序号 as wide as the largest number needs: a number too wide for its column shows as ####.
    digits = len(str(min(len(result.findings), common.ROW_BUDGET)))
    columns = (replace(FINDING_COLUMNS_XLSX[0], width=max(FINDING_COLUMNS_XLSX[0].width, digits + 0.5)),
               *FINDING_COLUMNS_XLSX[1:])
    if review is not None:
        columns = columns[:-1] + (Column(REVIEW_STATUS_HEADER, "wrap", 12), columns[-1])
    sheet = StreamSheet(ws, formats, columns, ruled_by=0)
    sheet.header()
    ws.freeze_panes(1, 0)
    budget = common.ROW_BUDGET - 1
    left_out = max(0, len(result.findings) - budget)
    severity_formats = {s: {SEVERITY_COLUMN: sheet.cell_format("text", bg_color=fill, align="center")}
                        for s, fill in SEVERITY_FILLS.items()}
    link_format = sheet.cell_format("text", font_color=LINK_COLOUR, underline=1)
    quoted_link_format = sheet.cell_format("text", font_color=LINK_COLOUR, underline=1, quote=True)
    links = 0
    scores = result.finding_scores
    for f in finding_rows(result.findings, budget):
        score = scores[f.number - 1]
        if review is None:
            reviewed, tail = (None, None, None, None), (score, f.period, f.source, f.finding_id)
        else:
            *reviewed, status = _carried(review, f.finding_id)
            tail = (score, f.period, f.source, status, f.finding_id)
        r = sheet.write((f.number, f.entity, f.book, f.voucher, f.date, f.summary, f.account, f.amount_fen,
                         severity_label(f.severity), f.rule_title, _message_with_basis(f), *reviewed,
                         *tail), formats=severity_formats.get(f.severity))
        target = detail_rows.get(f.voucher_key) if f.level == "voucher" else None
        if target and f.voucher:
            fmt = quoted_link_format if needs_quote_prefix(f.voucher) else link_format
            links += 1
            if links <= common.MAX_SHEET_LINKS:
                ws.write_url(r, VOUCHER_COLUMN, f"internal:'{DETAIL}'!A{target}", fmt, string=f.voucher,
                             tip="查看凭证全部分录")
            elif len(f.voucher) < 200:
                # Beyond Excel's limit of links per sheet the link is a formula; the voucher text
                # is inside a string literal (quotes doubled), so it stays text.
                text = f.voucher.replace('"', '""')
                ws.write_formula(r, VOUCHER_COLUMN, f'=HYPERLINK("#\'{DETAIL}\'!A{target}","{text}")', fmt,
                                 f.voucher)
    last = sheet.row - 1               # 0-based index of the last finding row
    sheet.rule_lines()
    if left_out:
        overflow_note(sheet, left_out, "条问题")
    if last == 0:
        sheet.note("未发现问题。", formats.get())
    else:
        ws.data_validation(1, VERDICT_COLUMN, last, VERDICT_COLUMN, {
            "validate": "list", "source": list(REVIEW_CHOICES), "ignore_blank": True,
            "error_title": "核实结论", "error_message": "请从下拉列表中选择：" + "、".join(REVIEW_CHOICES)})
    ws.autofilter(0, 0, max(last, 1), len(columns) - 1)
    setup_page(ws, FINDINGS, footer, printed_at, repeat_header=True, print_columns=PRINTED_FINDING_COLUMNS,
               last_row=max(sheet.row - 1, 1))
