"""汇总: the run's facts, where to look first (units ranked by risk score with their highest
vouchers; communities with their books beneath them),
findings per rule, rules that did not run, a completeness check per sheet, and charts — each
chart on a page of its own."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from ..model import ScanResult
from .common import (PROBLEMS, REPORT_TITLE, SEVERITY_CHART_COLOURS, SEVERITY_FILLS, SEVERITY_RANK, SUMMARY,
                     Column, Grid, book_label, entity_label, field_label, inert_text, is_missing, setup_page,
                     severity_label)

SHEET_STATUS_LABELS = {"read": "已读取", "hidden": "隐藏（未读取）", "no-header": "未找到表头",
                       "empty": "空表", "error": "读取出错"}
_NUMERALS = "一二三四五六七八九十"
_BOOK_INDENT = "　　"
MISMATCH = {"bg_color": SEVERITY_FILLS["high"], "bold": True}


@dataclass
class GroupFigures:
    """Findings of one community, or of one of its books."""
    entity: str
    book: str                  # "" for a community's totals over its books
    periods: list[str] = field(default_factory=list)
    lines: int = 0
    counts: Counter = field(default_factory=Counter)
    findings: int = 0
    vouchers: int = 0
    amount_fen: int = 0
    books: list["GroupFigures"] = field(default_factory=list)

    def rank_key(self):
        """The most serious finding first, then the number of findings, then the amount."""
        top = next((rank for severity, rank in SEVERITY_RANK.items() if self.counts[severity]), len(SEVERITY_RANK))
        return (top, -self.findings, -self.amount_fen, self.entity, self.book)


def period_coverage(periods: list[str]) -> str:
    periods = sorted({p for p in periods if re.fullmatch(r"\d{4}-\d{2}", p or "")})
    if not periods:
        return ""
    first, last = periods[0], periods[-1]
    year, month = int(first[:4]), int(first[5:])
    expected = []
    while f"{year:04d}-{month:02d}" <= last:
        expected.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    present = set(periods)
    missing = [p for p in expected if p not in present]
    text = first if first == last else f"{first} 至 {last}"
    text += f"（{len(periods)} 个月"
    if missing:
        shown = "、".join(missing[:6]) + ("等" if len(missing) > 6 else "")
        text += f"，缺 {shown}"
    return text + "）"


# The figures are worked out over plain lists: a few thousand findings in many small groups cost
# pandas far more per group than the arithmetic itself.

def _finding_lists(findings: pd.DataFrame, names) -> dict[str, list]:
    n = len(findings)
    return {name: findings[name].tolist() if name in findings.columns else [None] * n for name in names}


def _present(value):
    """The value, or None for every kind of missing value (so that they compare equal)."""
    return value if type(value) is str or type(value) is int else (None if is_missing(value) else value)


def _groups(lists: dict[str, list], names) -> list[tuple[tuple, list[int]]]:
    """Positions of the rows per distinct value of the columns ``names``, ordered by value, missing last."""
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(*(lists[name] for name in names))):
        groups.setdefault(tuple(map(_present, key)), []).append(i)
    return sorted(groups.items(), key=lambda item: tuple((v is None, "" if v is None else v) for v in item[0]))


def unique_line_amount(frame: pd.DataFrame) -> int:
    """Amount at issue counting each flagged line once, however many rules flag it."""
    lists = _finding_lists(frame, ("voucher_key", "line_id", "amount_fen"))
    return _line_amount(lists, range(len(frame)))


def _line_amount(lists: dict[str, list], rows) -> int:
    """Amount at issue of the findings at ``rows``, each (voucher, line) counted once at its largest."""
    keys, lines, amounts = lists["voucher_key"], lists["line_id"], lists["amount_fen"]
    largest: dict[tuple, int] = {}
    for i in rows:
        amount = amounts[i]
        amount = amount if type(amount) is int else (0 if is_missing(amount) else int(amount))
        key = (_present(keys[i]), _present(lines[i]))
        if key not in largest or amount > largest[key]:
            largest[key] = amount
    return sum(largest.values())


def _int_sum(values) -> int:
    return int(sum(int(v) for v in values if not is_missing(v)))


def community_figures(result: ScanResult) -> list[GroupFigures]:
    """One entry per community with its totals over all its books and its books in ``books``,
    ranked so the places to look at first come first."""
    books: dict[tuple[str, str], GroupFigures] = {}

    def book(entity, name) -> GroupFigures:
        key = (inert_text(entity), inert_text(name))
        if key not in books:
            books[key] = GroupFigures(key[0], key[1])
        return books[key]

    for sheet in result.read.sheets:
        if sheet.status != "read":
            continue
        g = book(sheet.entity, sheet.book)
        g.periods.extend(sheet.periods)
        g.lines += sheet.lines
    findings = result.findings
    if not findings.empty:
        lists = _finding_lists(findings, ("entity", "book", "severity", "voucher_key", "line_id", "amount_fen"))
        severity, keys = lists["severity"], lists["voucher_key"]
        for (entity, name), rows in _groups(lists, ("entity", "book")):
            g = book(entity, name)
            g.counts.update(inert_text(severity[i]) for i in rows)
            g.findings = len(rows)
            g.vouchers = len({keys[i] for i in rows if _present(keys[i]) is not None})
            g.amount_fen = _line_amount(lists, rows)
    communities: dict[str, GroupFigures] = {}
    for g in books.values():
        c = communities.setdefault(g.entity, GroupFigures(g.entity, ""))
        c.books.append(g)
        c.periods.extend(g.periods)
        c.lines += g.lines
        c.counts.update(g.counts)
        c.findings += g.findings
        c.vouchers += g.vouchers           # a voucher belongs to one book
        c.amount_fen += g.amount_fen
    for c in communities.values():
        c.books.sort(key=GroupFigures.rank_key)
    return sorted(communities.values(), key=GroupFigures.rank_key)


def _top_severity(values) -> str:
    present = [inert_text(v) for v in values]
    return min(present, key=lambda s: SEVERITY_RANK.get(s, 3)) if present else ""


def _severity_fill(col: int, severity: str) -> dict:
    return {col: {"bg_color": SEVERITY_FILLS[severity]}} if severity in SEVERITY_FILLS else {}


class _Sections:
    """Numbers the sections as they are written, so the numbering has no gaps."""

    def __init__(self, grid: Grid):
        self.grid, self.count = grid, 0

    def start(self, r: int, title: str) -> int:
        self.count += 1
        numeral = _NUMERALS[self.count - 1] if self.count <= len(_NUMERALS) else str(self.count)
        self.grid.title(r, 0, f"{numeral}、{title}", bold=True, font_size=12)
        return r + 1


def write_summary(workbook, ws, formats, result: ScanResult, footer: str, printed_at: str) -> None:
    grid = Grid(workbook, ws, formats)
    rules_by_id = {rule.id: rule for rule in result.rules}
    sections = _Sections(grid)
    grid.title(0, 0, f"{REPORT_TITLE} — 汇总", bold=True, font_size=14)
    r = _facts(grid, sections, 2, result)
    r = _ranking(grid, sections, r, result)
    communities = community_figures(result)
    r = _communities(grid, sections, r, communities)
    r = _by_community_and_rule(grid, sections, r, result, rules_by_id, communities)
    r, rule_rows = _rule_totals(grid, sections, r, result)
    r = _gaps(grid, sections, r, result, rules_by_id)
    r = _completeness(grid, sections, r, result)
    breaks = _charts(grid, sections, r, rule_rows, communities)
    grid.emit()
    if breaks:
        grid.ws.set_h_pagebreaks(breaks)
    setup_page(grid.ws, SUMMARY, footer, printed_at, repeat_header=False)


def _facts(grid: Grid, sections: _Sections, r: int, result: ScanResult) -> int:
    # Values overflow into the empty cells to their right, so they are not measured.
    r = sections.start(r, "运行情况")
    findings = result.findings
    sheets = result.read.sheets
    errors = [e for e in result.read.errors if e.kind == "error"]
    others = Counter(e.kind for e in result.read.errors if e.kind != "error")
    lines_read = sum(s.lines for s in sheets)
    dropped = sum(sum(s.skipped.values()) for s in sheets)
    enabled = [rule for rule in result.rules if getattr(rule, "enabled", True)]
    partly = sum(bool(getattr(rule, "partly", False)) for rule in enabled)
    from .problems import ERROR_KIND_LABELS
    problems = f"错误 {len(errors):,} 条" + "".join(
        f"，{ERROR_KIND_LABELS.get(kind, inert_text(kind))} {n:,} 条" for kind, n in sorted(others.items()))
    if not others:
        problems += "，提示 0 条"
    facts: list[tuple[str, object, str]] = [
        ("生成时间", result.started_at.strftime("%Y-%m-%d %H:%M:%S"), "text"),
        ("用时（秒）", round((result.finished_at - result.started_at).total_seconds(), 1), "number"),
        ("版本", result.version or "", "text"),
    ]
    inputs = list(result.inputs) or [""]
    facts += [("输入" if i == 0 else "", path, "text") for i, path in enumerate(inputs)]
    facts += [
        ("文件数", len({s.file for s in sheets}), "count"),
        ("工作表数", len(sheets), "count"),
        ("分录行数", lines_read, "count"),
    ]
    if len(result.read.ledger) != lines_read:
        facts.append(("参与检查分录行数", len(result.read.ledger), "count"))
    facts += [
        ("剔除行数", dropped, "count"),
        ("数据问题", f"{problems}（见“{PROBLEMS}”表）", "text"),
        ("策略文件", result.policy_path or "默认", "text"),
        ("检查期间", f"{result.periods[0]} 至 {result.periods[1]}" if result.periods else "全部期间", "text"),
        ("启用规则", f"{len(enabled)} / {len(result.rules)}" + (f"（其中 {partly} 条只对部分单位，见“规则说明”）"
                                                              if partly else ""), "text"),
        ("规则未运行", f"{len(result.rule_gaps):,} 处（见下文“规则未运行”）" if result.rule_gaps else "无", "text"),
        ("问题数", len(findings), "count"),
        ("涉及凭证数", findings["voucher_key"].nunique() if not findings.empty else 0, "count"),
        ("涉及金额（元）", unique_line_amount(findings), "money"),
    ]
    for label, value, kind in facts:
        grid.put(r, 0, label, border=False, bold=True)
        grid.put(r, 1, value, kind, measure=False, border=False, align="left")
        r += 1
    return r + 1


# Aligned with COMMUNITY_COLUMNS below (the sheet's columns are shared): 单位 over 单位 / 账套,
# the highest vouchers over 会计期间, the counts over the counts.
RANKING_COLUMNS = (
    Column("名次", "number", 6), Column("单位", "wrap", 24), Column("风险最高的凭证（风险分：所触发的规则及权重）", "wrap", 30),
    Column("风险分", "score", 11), Column("高", "count", 7), Column("中", "count", 7), Column("低", "count", 7),
    Column("单位整体问题", "count", 9), Column("问题凭证数", "count", 11), Column("涉及金额（元）", "money", 16))


def _ranking(grid: Grid, sections: _Sections, r: int, result: ScanResult) -> int:
    """Units by risk score, each with its highest vouchers and what made their scores."""
    from ..scoring import BAND_LABELS
    r = sections.start(r, "单位风险排名（凭证风险分 = 所触发规则的权重之和，最高 100，30 分起为中风险、50 分起为高风险；"
                          "单位风险分 = 其问题凭证风险分与单位整体问题权重之和 ÷ 100；先看排名靠前的单位）")
    ranking = result.unit_ranking
    if ranking.empty:
        r = grid.table(r, RANKING_COLUMNS, [])
        grid.title(r, 0, "未发现问题。")
        return r + 2
    rows, bands = [], []
    for unit in ranking.itertuples():
        top = "\n".join(f"{v['voucher']}（{v['period']}）{BAND_LABELS[v['band']]} {v['score']:g} 分：{v['made_by']}"
                        for v in unit.top)
        rows.append((unit.rank, entity_label(unit.entity), top, float(unit.score), unit.high, unit.medium,
                     unit.low, unit.unit_findings, unit.vouchers, unit.amount_fen))
        bands.append({"high": unit.high, "medium": unit.medium, "low": unit.low})

    def fills(i, values):
        extra = {}
        for col, severity in enumerate(("high", "medium", "low"), start=4):
            if bands[i][severity]:
                extra[col] = {"bg_color": SEVERITY_FILLS[severity]}
        extra[3] = {"bold": True, "align": "right"}
        return extra
    return grid.table(r, RANKING_COLUMNS, rows, fills) + 1


COMMUNITY_COLUMNS = (
    Column("排序", "number", 6), Column("单位 / 账套", "wrap", 24), Column("会计期间", "wrap", 30),
    Column("分录行数", "count", 11), Column("高", "count", 7), Column("中", "count", 7), Column("低", "count", 7),
    Column("问题数", "count", 9), Column("涉及凭证数", "count", 11), Column("涉及金额（元）", "money", 16))


def _communities(grid: Grid, sections: _Sections, r: int, communities: list[GroupFigures]) -> int:
    r = sections.start(r, "各单位问题概况（按最严重问题、问题数、涉及金额排序；每个单位下列其各账套；"
                          "涉及金额中同一分录只计一次）")
    if not communities:
        r = grid.table(r, COMMUNITY_COLUMNS, [])
        grid.title(r, 0, "没有读取到分录。")
        return r + 2
    rows, styles = [], []
    for rank, c in enumerate(communities, start=1):
        rows.append((rank, entity_label(c.entity), period_coverage(c.periods), c.lines, c.counts["high"],
                     c.counts["medium"], c.counts["low"], c.findings, c.vouchers, c.amount_fen))
        styles.append((True, c.counts))
        for b in c.books:
            rows.append((None, _BOOK_INDENT + book_label(b.book), period_coverage(b.periods), b.lines,
                         b.counts["high"], b.counts["medium"], b.counts["low"], b.findings, b.vouchers, b.amount_fen))
            styles.append((False, b.counts))

    def fills(i, values):
        total, counts = styles[i]
        extra = {col: {"bold": True} for col in range(len(COMMUNITY_COLUMNS))} if total else {}
        for col, severity in enumerate(("high", "medium", "low"), start=4):
            if counts[severity]:
                extra.setdefault(col, {})["bg_color"] = SEVERITY_FILLS[severity]
        return extra
    return grid.table(r, COMMUNITY_COLUMNS, rows, fills) + 1


def _by_community_and_rule(grid: Grid, sections: _Sections, r: int, result: ScanResult, rules_by_id: dict,
                           communities: list[GroupFigures]) -> int:
    r = sections.start(r, "各单位按规则统计")
    columns = (Column("单位", "wrap", 24), Column("账套", "text", 12), Column("规则", "wrap", 30),
               Column("风险等级", "text", 8), Column("问题数", "count", 9), Column("金额（元）", "money", 16))
    findings = result.findings
    if findings.empty:
        r = grid.table(r, columns, [])
        grid.title(r, 0, "未发现问题。")
        return r + 2
    order = {}
    for i, c in enumerate(communities):
        for j, b in enumerate(c.books):
            order[(c.entity, b.book)] = (i, j)
    per_rule = []
    lists = _finding_lists(findings, ("entity", "book", "rule", "severity", "title", "amount_fen"))
    for (entity, book, rule), rows in _groups(lists, ("entity", "book", "rule")):
        rule_info = rules_by_id.get(rule)
        severity = _top_severity(lists["severity"][i] for i in rows)
        per_rule.append((order.get((inert_text(entity), inert_text(book)), (len(order), 0)),
                         SEVERITY_RANK.get(severity, 3), -len(rows), inert_text(rule),
                         (entity_label(entity), book_label(book),
                          getattr(rule_info, "title", None) or inert_text(lists["title"][rows[0]]),
                          severity_label(severity), len(rows), _int_sum(lists["amount_fen"][i] for i in rows)),
                         severity))
    per_rule.sort(key=lambda t: t[:4])
    rows = [t[4] for t in per_rule]
    severities = [t[5] for t in per_rule]
    return grid.table(r, columns, rows, lambda i, values: _severity_fill(3, severities[i])) + 1


RULE_TOTAL_COLUMNS = (Column("规则编号", "text", 28), Column("规则", "wrap", 30), Column("风险等级", "text", 8),
                      Column("问题数", "count", 9), Column("金额（元）", "money", 16))


def _rule_totals(grid: Grid, sections: _Sections, r: int, result: ScanResult) -> tuple[int, tuple]:
    """The findings per rule; returns the next row and (first data row, rows with findings)."""
    r = sections.start(r, "按规则统计")
    findings = result.findings
    lists = _finding_lists(findings, ("rule", "severity", "title", "amount_fen"))
    by_rule = dict(_groups(lists, ("rule",)))
    amounts = lists["amount_fen"]
    rows = []
    for rule in result.rules:
        if not getattr(rule, "enabled", True):
            continue
        mine = by_rule.get((rule.id,), [])
        rows.append((-len(mine), SEVERITY_RANK.get(rule.severity, 3), rule.id,
                     (rule.id, rule.title, rule.severity, len(mine), _int_sum(amounts[i] for i in mine))))
    known = {rule.id for rule in result.rules}
    # Findings of a rule missing from result.rules still have to be counted somewhere.
    for (rule_id,), mine in by_rule.items():
        if rule_id is not None and rule_id not in known:
            rows.append((-len(mine), 3, rule_id, (rule_id, inert_text(lists["title"][mine[0]]),
                                                  _top_severity(lists["severity"][i] for i in mine), len(mine),
                                                  _int_sum(amounts[i] for i in mine))))
    rows.sort(key=lambda t: t[:3])
    values = [(rule_id, title, severity_label(severity), count, amount)
              for *_, (rule_id, title, severity, count, amount) in rows]
    severities = [t[-1][2] for t in rows]
    first = r + 1
    r = grid.table(r, RULE_TOTAL_COLUMNS, values, lambda i, v: _severity_fill(2, severities[i]))
    with_findings = sum(1 for t in rows if t[-1][3] > 0)
    return r + 1, (first, with_findings, -rows[0][0] if rows else 0)


def _gaps(grid: Grid, sections: _Sections, r: int, result: ScanResult, rules_by_id: dict) -> int:
    r = sections.start(r, "规则未运行或只部分运行（工作表缺少规则所需字段，或规则说明了原因）")
    columns = (Column("规则编号", "text", 28), Column("规则", "wrap", 30), Column("文件", "wrap", 36),
               Column("工作表", "text", 20), Column("缺少字段或原因", "wrap", 30))
    rows = [(gap.rule, getattr(rules_by_id.get(gap.rule), "title", ""), gap.file, gap.sheet,
             "、".join(field_label(f) for f in gap.missing) if gap.missing else getattr(gap, "note", ""))
            for gap in result.rule_gaps]
    r = grid.table(r, columns, rows)
    if not rows:
        grid.title(r, 0, "无：所有启用的规则均已在全部工作表上运行。")
        r += 1
    return r + 1


def _header_label(sheet) -> str:
    rows = sorted(sheet.header_rows)
    return "" if not rows else (str(rows[0]) if len(rows) == 1 else f"{rows[0]}–{rows[-1]}")


def _sheets_label(names: list[str]) -> str:
    """The sheets of a row: their names when few, else the first and the last and how many."""
    names = [inert_text(n) for n in names]
    return "、".join(names) if len(names) <= 3 else f"{names[0]} … {names[-1]}（共 {len(names)} 张）"


def _reconciles(sheet) -> bool:
    """Entry lines + dropped rows = non-empty rows below the header."""
    return sheet.lines + sum(sheet.skipped.values()) == sheet.data_rows


def _completeness_groups(sheets) -> list[list]:
    """The sheets in rows of the table: a file's sheets that were read, reconcile and carry no
    note, of one unit, book and header row, share a row (a district's month sheets would
    otherwise fill pages with 一致); every other sheet has a row of its own."""
    groups: list[list] = []
    open_group: dict[tuple, list] = {}
    for sheet in sheets:
        plain = sheet.status == "read" and not sheet.note and _reconciles(sheet)
        if not plain:
            groups.append([sheet])
            continue
        key = (sheet.file, sheet.entity, sheet.book, _header_label(sheet))
        if key in open_group:
            open_group[key].append(sheet)
        else:
            open_group[key] = [sheet]
            groups.append(open_group[key])
    return groups


def _completeness(grid: Grid, sections: _Sections, r: int, result: ScanResult) -> int:
    r = sections.start(r, "工作表完整性核对（分录行数 + 剔除行数 = 非空数据行 时为“一致”；同一文件中都一致的工作表合为一行，"
                          "其余逐表列出）")
    reasons = sorted({reason for s in result.read.sheets for reason in s.skipped})
    columns = (Column("文件", "wrap", 36), Column("工作表", "wrap", 20), Column("单位", "text", 24),
               Column("账套", "text", 12), Column("状态", "text", 14), Column("表头行", "text", 8),
               Column("分录行数", "count", 10), Column("剔除行数", "count", 10),
               *(Column(f"剔除：{inert_text(reason)}", "count", 12) for reason in reasons),
               Column("非空数据行", "count", 10), Column("核对", "text", 8), Column("说明", "wrap", 30))
    check_col = len(columns) - 2
    rows, consistent = [], []
    for group in _completeness_groups(result.read.sheets):
        first = group[0]
        lines = sum(s.lines for s in group)
        skipped = {reason: sum(s.skipped.get(reason, 0) for s in group) for reason in reasons}
        data_rows = sum(s.data_rows for s in group)
        consistent.append(all(map(_reconciles, group)))
        rows.append((first.file, _sheets_label([s.sheet for s in group]), entity_label(first.entity),
                     book_label(first.book), SHEET_STATUS_LABELS.get(first.status, first.status), _header_label(first),
                     lines, sum(skipped.values()), *(skipped[reason] for reason in reasons), data_rows,
                     "一致" if consistent[-1] else "不一致", first.note))
    r = grid.table(r, columns, rows, lambda i, v: {} if consistent[i] else {check_col: MISMATCH})
    if not rows:
        grid.title(r, 0, "没有读取到工作表。")
        r += 1
    return r + 1


CHART_WIDTH_PX, ROW_PX = 640, 20         # a default row is 15 pt = 20 pixels
MAX_CHART_CATEGORIES = 20


def _charts(grid: Grid, sections: _Sections, r: int, rule_rows: tuple, communities: list[GroupFigures]) -> list[int]:
    """The charts, each starting a page and shorter than one; returns the rows the pages break at."""
    first_rule_row, with_findings, most = rule_rows
    if not with_findings:
        return []
    workbook, ws = grid.workbook, grid.ws
    breaks = []

    def place(chart, top: int, categories: int, most_findings: int) -> int:
        chart.set_legend({"none": True} if len(chart.series) == 1 else {"position": "bottom"})
        chart.set_x_axis({"major_unit": max(1, math.ceil(most_findings / 8)), "num_format": "#,##0",
                          "major_gridlines": {"visible": False}, "min": 0})
        chart.set_y_axis({"reverse": True})          # the first table row at the top
        height = min(500, max(220, 30 * min(categories, MAX_CHART_CATEGORIES) + 110))
        chart.set_size({"width": CHART_WIDTH_PX, "height": height})
        ws.insert_chart(top, 0, chart, {"object_position": 1})
        return top + math.ceil(height / ROW_PX) + 1

    breaks.append(r)
    r = sections.start(r, "图表")
    shown = min(with_findings, MAX_CHART_CATEGORIES)
    chart = workbook.add_chart({"type": "bar"})
    chart.set_title({"name": "各规则问题数"})
    chart.add_series({"name": "问题数", "categories": [SUMMARY, first_rule_row, 1, first_rule_row + shown - 1, 1],
                      "values": [SUMMARY, first_rule_row, 3, first_rule_row + shown - 1, 3],
                      "fill": {"color": "#4472C4"}})
    r = place(chart, r, shown, most)

    if len(communities) > 1:
        breaks.append(r)
        grid.title(r, 0, "各单位问题数（图表数据：第二部分各单位的合计行）", bold=True)
        r += 1
        chart_at = r
        shown = min(len(communities), MAX_CHART_CATEGORIES)
        height_rows = math.ceil(min(500, max(220, 30 * shown + 110)) / ROW_PX) + 1
        data_row = chart_at + height_rows
        columns = (Column("单位", "text", 24), Column("高", "count", 7), Column("中", "count", 7),
                   Column("低", "count", 7), Column("合计", "count", 9))
        rows = [(entity_label(c.entity), c.counts["high"], c.counts["medium"], c.counts["low"], c.findings)
                for c in communities]
        end = grid.table(data_row, columns, rows)
        chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
        chart.set_title({"name": "各单位问题数"})
        for col, severity in enumerate(("high", "medium", "low"), start=1):
            colour = SEVERITY_CHART_COLOURS[severity]
            chart.add_series({"name": [SUMMARY, data_row, col],
                              "categories": [SUMMARY, data_row + 1, 0, data_row + shown, 0],
                              "values": [SUMMARY, data_row + 1, col, data_row + shown, col],
                              "fill": {"color": colour}, "border": {"color": colour}, "overlap": 100,
                              "gap": 60})
        place(chart, chart_at, shown, max(c.findings for c in communities))
        r = end + 1
    return breaks
