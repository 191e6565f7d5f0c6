"""数据问题: every error and warning on a row of its own, the dropped rows (subtotals, carries,
blank rows …) summarised per sheet and reason with their count and row numbers, and the rules
that did not run on a sheet."""
from __future__ import annotations

import pandas as pd

from ..model import ScanResult
from .common import (PROBLEMS, SEVERITY_FILLS, Column, StreamSheet, field_label, inert_text,
                     is_missing, overflow_note, rows_label, setup_page, split_to_rows)
from . import common

ERROR_KIND_LABELS = {"error": "错误", "warning": "提示", "policy": "策略提示"}
PROBLEM_COLUMNS = (
    # 文件 and 工作表 wide enough for a community's folder and file name on one line, as most are.
    Column("类别", "text", 9), Column("文件", "wrap", 36), Column("工作表", "wrap", 16),
    Column("行号", "wrap", 26), Column("列", "wrap", 9), Column("数量", "count", 7),
    Column("说明", "wrap", 34), Column("原文（示例）", "wrap", 24),
)
_ROWS_COLUMN = 3


def _dropped_rows(dropped: pd.DataFrame):
    """One entry per sheet and reason, in the order the rows were dropped."""
    if dropped is None or dropped.empty:
        return
    n = len(dropped)
    files, sheets, rows, reasons, texts = (dropped[c].tolist() if c in dropped.columns else [None] * n
                                           for c in ("file", "sheet", "row", "reason", "text"))
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(files, sheets, reasons)):
        groups.setdefault(key, []).append(i)
    for (file, sheet, reason), members in groups.items():
        numbers = [int(rows[i]) for i in members if not is_missing(rows[i])]
        example = next((t for t in (inert_text(texts[i]).strip() for i in members) if t), "")
        if len(example) > 20:
            example = example[:19] + "…"
        yield ("剔除行", file, sheet, rows_label(numbers), None, len(members), inert_text(reason), example)


def _problem_rows(result: ScanResult, rules_by_id: dict):
    errors = sorted(result.read.errors, key=lambda e: e.kind != "error")
    for e in errors:
        yield (ERROR_KIND_LABELS.get(e.kind, inert_text(e.kind)), e.file, e.sheet, e.row, e.column, None,
               e.message, None)
    yield from _dropped_rows(result.read.dropped)
    noted: dict[tuple, list[str]] = {}
    for gap in result.rule_gaps:
        title = getattr(rules_by_id.get(gap.rule), "title", "") or gap.rule
        if not gap.missing and getattr(gap, "note", ""):
            # A rule that ran in part says why once per file, its sheets listed together.
            noted.setdefault((title, gap.rule, gap.file, gap.note), []).append(gap.sheet)
            continue
        missing = "、".join(field_label(f) for f in gap.missing)
        yield ("规则未运行", gap.file, gap.sheet, None, missing, None,
               f"规则“{title}”（{gap.rule}）未检查此工作表：缺少所需字段 {missing}。"
               f"请在表头中补充该列，或在策略文件 [reading] header_synonyms 中登记其表头名称。", None)
    for (title, rule_id, file, note), sheets in noted.items():
        yield ("规则部分运行", file, "、".join(dict.fromkeys(sheets)), None, None, None,
               f"规则“{title}”（{rule_id}）：{note}。", None)


def write_problems(ws, formats, result: ScanResult, rules_by_id: dict, footer: str, printed_at: str) -> None:
    sheet = StreamSheet(ws, formats, PROBLEM_COLUMNS)
    sheet.header()
    ws.freeze_panes(1, 0)
    error_format = {0: formats.cell("text", bg_color=SEVERITY_FILLS["high"])}
    rows_width = PROBLEM_COLUMNS[_ROWS_COLUMN].width
    written = 0
    budget = common.ROW_BUDGET - 1
    rows = _problem_rows(result, rules_by_id)
    for values in rows:
        if sheet.row >= budget:
            overflow_note(sheet, 1 + sum(1 for _ in rows), "行")
            break
        written += 1
        row_list = values[_ROWS_COLUMN]
        if isinstance(row_list, str) and row_list:
            # A long list of row numbers spans rows instead of one row at Excel's height limit.
            first, *more = split_to_rows(row_list, rows_width, max_lines=6)
            sheet.write((*values[:_ROWS_COLUMN], first, *values[_ROWS_COLUMN + 1:]))
            for piece in more:
                sheet.write((values[0], values[1], values[2], piece, None, None, "（续上行）", None))
            continue
        sheet.write(values, formats=error_format if values[0] == ERROR_KIND_LABELS["error"] else None)
    if not written:
        sheet.write(("无", None, None, None, None, None,
                     "没有数据问题：没有读取错误、没有剔除的行、所有规则均已运行。", None))
    ws.autofilter(0, 0, max(sheet.row - 1, 1), len(PROBLEM_COLUMNS) - 1)
    setup_page(ws, PROBLEMS, footer, printed_at, repeat_header=True)
