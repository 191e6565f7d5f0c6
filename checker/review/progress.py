"""`voucher-check progress`: the 整改进展 workbook from the store.

整改进展: per community and scan, found / new / confirmed / not confirmed / rectified /
outstanding / recurring, and a chart of what is outstanding over the scans.  A scan's counts
use the conclusions in force before the next scan (those imported from its own report among
them), so a scan's line does not change once the next scan is recorded.

整改台账: every problem confirmed (属实 or 已整改) in the layout inspection offices use: 序号,
问题, 整改措施, 责任人, 整改时限, 整改情况, 完成情况.  Both sheets print on A4 landscape at
100% (11-point text: the columns fit the page width without shrinking).
"""
from __future__ import annotations

from dataclasses import dataclass

import xlsxwriter

from ..report.common import (Column, Formats, StreamSheet, book_label, entity_label, header_footer_text,
                             setup_page)
from .store import NEW, RECTIFIED, RECURRING, Store

PROGRESS_SHEET, LEDGER_SHEET = "整改进展", "整改台账"
PROGRESS_TITLE = "整改进展"

PROGRESS_COLUMNS = (
    Column("单位", "wrap", 14), Column("检查次序", "number", 6), Column("检查时间", "text", 17),
    Column("发现问题", "count", 8), Column("新发现", "count", 8), Column("属实", "count", 8),
    Column("不属实", "count", 8), Column("已整改（复查未再出现）", "count", 12), Column("未整改", "count", 8),
    Column("整改后仍存在", "count", 9),
)
COUNT_NAMES = ("found", "new", "confirmed", "not_confirmed", "rectified", "outstanding", "recurring")
LEDGER_COLUMNS = (
    Column("序号", "number", 5), Column("问题", "wrap", 50), Column("整改措施", "wrap", 30),
    Column("责任人", "text", 9), Column("整改时限", "text", 11), Column("整改情况", "wrap", 22),
    Column("完成情况", "wrap", 14),
)
DONE, RECURRED, AWAITING, NOT_DONE = "已完成（复查未再出现）", "未完成（整改后仍存在）", "已整改，待复查", "未完成"


@dataclass(frozen=True)
class RunCounts:
    entity: str
    run: int
    started_at: str
    found: int = 0
    new: int = 0
    confirmed: int = 0
    not_confirmed: int = 0
    rectified: int = 0
    outstanding: int = 0
    recurring: int = 0


def _verdicts_by_run(store: Store, runs: list[int]) -> dict[int, dict[str, str]]:
    """Each case's verdict as of each run: the last conclusion imported before the next run."""
    history = store.query("SELECT case_id, after_run, verdict FROM conclusions ORDER BY seq")
    result, current, position = {}, {}, 0
    for run in runs:
        while position < len(history) and history[position][1] <= run:
            case, _, verdict = history[position]
            current[case] = verdict
            position += 1
        result[run] = dict(current)
    return result


def run_counts(store: Store) -> list[RunCounts]:
    runs = store.query("SELECT id, started_at FROM runs ORDER BY id")
    verdicts = _verdicts_by_run(store, [run for run, _ in runs])
    started = dict(runs)
    rows = store.query("SELECT o.run, f.entity, o.case_id, o.status FROM occurrences o "
                       "JOIN findings f ON f.id = o.finding_id ORDER BY o.run")
    counts: dict[tuple[str, int], dict[str, int]] = {}
    for run, entity, case, status in rows:
        c = counts.setdefault((entity, run), dict.fromkeys(COUNT_NAMES, 0))
        verdict = verdicts[run].get(case, "")
        if status == RECTIFIED:
            c["rectified"] += 1
            continue
        c["found"] += 1
        c["new"] += status == NEW
        c["recurring"] += status == RECURRING
        if verdict == "不属实":
            c["not_confirmed"] += 1
        else:
            c["confirmed"] += verdict in ("属实", "已整改")
            c["outstanding"] += 1
    return [RunCounts(entity, run, started[run], **c) for (entity, run), c in
            sorted(counts.items(), key=lambda item: (entity_label(item[0][0]), item[0][1]))]


@dataclass(frozen=True)
class LedgerEntry:
    problem: str
    measures: str
    responsible: str
    deadline: str
    progress: str
    done: str


def ledger_entries(store: Store) -> list[LedgerEntry]:
    conclusions = store.conclusions()
    last = dict(store.query(
        "SELECT o.case_id, o.status FROM occurrences o JOIN (SELECT case_id, MAX(run) AS run FROM occurrences "
        "GROUP BY case_id) l ON o.case_id = l.case_id AND o.run = l.run"))
    cases = store.query("SELECT case_id, entity, book, period, voucher, title, message, amount_fen, MAX(rowid) "
                        "FROM findings GROUP BY case_id")
    entries = []
    for case, entity, book, period, voucher, title, message, amount, _ in sorted(
            cases, key=lambda row: (entity_label(row[1]), row[2], row[3], row[4], row[0])):
        conclusion = conclusions.get(case)
        if conclusion is None or conclusion.verdict not in ("属实", "已整改"):
            continue
        status = last.get(case)
        if status == RECTIFIED:
            done = DONE
        elif status == RECURRING:
            done = RECURRED
        elif conclusion.verdict == "已整改":
            done = AWAITING
        else:
            done = NOT_DONE
        where = " ".join(part for part in (entity_label(entity), book_label(book), period,
                                           f"{voucher}号凭证" if voucher else "") if part)
        entries.append(LedgerEntry(f"{where}：{title}。{message}", conclusion.measures,
                                   conclusion.responsible, conclusion.deadline, conclusion.progress, done))
    return entries


def _header(ws, title: str) -> None:
    ws.set_header(f"&C&14{header_footer_text(f'{PROGRESS_TITLE} — {title}', 80)}", {"margin": 0.3})


def write_progress(store: Store, path, printed_at: str) -> tuple[int, int]:
    """Write the workbook; returns (lines on 整改进展, entries on 整改台账)."""
    counts = run_counts(store)
    entries = ledger_entries(store)
    entities = {entity_label(c.entity) for c in counts}
    footer = "多个单位" if len(entities) > 1 else next(iter(entities), "")
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False})
    formats = Formats(workbook)
    ws = workbook.add_worksheet(PROGRESS_SHEET)
    sheet = StreamSheet(ws, formats, PROGRESS_COLUMNS)
    sheet.header()
    ws.freeze_panes(1, 0)
    for c in counts:
        sheet.write((entity_label(c.entity), c.run, c.started_at.replace("T", " "),
                     *(getattr(c, name) for name in COUNT_NAMES)))
    if not counts:
        sheet.note("整改记录库中还没有检查记录：用 scan --db 检查后再生成整改进展。", formats.get())
    table_end = sheet.row
    _outstanding_chart(workbook, ws, sheet, formats, counts, table_end)
    setup_page(ws, PROGRESS_SHEET, footer, printed_at, repeat_header=True)
    _header(ws, PROGRESS_SHEET)

    ws = workbook.add_worksheet(LEDGER_SHEET)
    sheet = StreamSheet(ws, formats, LEDGER_COLUMNS)
    sheet.header()
    for number, entry in enumerate(entries, start=1):
        sheet.write((number, entry.problem, entry.measures or None, entry.responsible or None,
                     entry.deadline or None, entry.progress or None, entry.done))
    if not entries:
        sheet.note("还没有核实为属实的问题。", formats.get())
    setup_page(ws, LEDGER_SHEET, footer, printed_at, repeat_header=True)
    _header(ws, LEDGER_SHEET)
    workbook.get_worksheet_by_name(PROGRESS_SHEET).activate()
    workbook.close()
    return len(counts), len(entries)


def _outstanding_chart(workbook, ws, sheet: StreamSheet, formats, counts: list[RunCounts], table_end: int) -> None:
    """A table of what is outstanding per community (columns) and scan (rows), and its chart."""
    runs = sorted({c.run for c in counts})
    entities = sorted({c.entity for c in counts}, key=entity_label)
    if not runs:
        return
    top = table_end + 1
    ws.write_string(top, 0, "未整改问题数（按检查次序）", formats.get(bold=True))
    header = top + 1
    ws.write_string(header, 0, "单位", formats.header())
    for col, run in enumerate(runs, start=1):
        ws.write_string(header, col, f"第{run}次", formats.header())
    outstanding = {(c.entity, c.run): c.outstanding for c in counts}
    for i, entity in enumerate(entities, start=1):
        ws.write_string(header + i, 0, entity_label(entity), formats.cell("wrap"))
        for col, run in enumerate(runs, start=1):
            ws.write_number(header + i, col, outstanding.get((entity, run), 0), formats.cell("count"))
    sheet.row = header + len(entities) + 1
    chart = workbook.add_chart({"type": "line" if len(runs) > 1 else "column"})
    for i in range(1, len(entities) + 1):
        chart.add_series({"name": [PROGRESS_SHEET, header + i, 0],
                          "categories": [PROGRESS_SHEET, header, 1, header, len(runs)],
                          "values": [PROGRESS_SHEET, header + i, 1, header + i, len(runs)],
                          "marker": {"type": "circle"}})
    chart.set_title({"name": "各单位未整改问题数", "name_font": {"size": 12}})
    chart.set_x_axis({"name": "检查次序"})
    chart.set_y_axis({"name": "问题数", "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 300})
    ws.insert_chart(sheet.row + 1, 0, chart, {"object_position": 1})
