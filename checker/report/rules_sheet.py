"""规则说明: every rule with its basis and the options in force, one option per row (a long word
list spans further rows rather than one cell at Excel's row height limit)."""
from __future__ import annotations

from ..model import ScanResult
from ..registry import GROUPS
from ..policy import override_settings_text, override_units
from .common import (RULES, SEVERITY_FILLS, Column, StreamSheet, field_label, inert_text, setup_page,
                     severity_label, split_to_rows)

# A rule's own row, then one row per option beneath it, using the same columns: the option's
# name under the rule id, its value under the title and its help under the basis, so that no
# column stands empty on the option rows: the width goes to the text, which then takes fewer lines
# (printed one page wide, at the 9 pt and more the other sheets print at).
RULE_COLUMNS = (
    Column("规则编号 / 选项", "wrap", 32), Column("规则 / 本次生效值", "wrap", 46), Column("风险等级", "text", 6),
    Column("是否启用", "wrap", 6), Column("依据 / 选项说明", "wrap", 60), Column("所需字段", "wrap", 16),
)
_NAME_COLUMN, _VALUE_COLUMN, _SEVERITY_COLUMN = 0, 1, 2
RULE_ROW_FILL = "#EDEDED"


def enabled_label(rule) -> str:
    """是, 否, or 部分单位 when the policy's [[overrides]] run it for some units only."""
    if not getattr(rule, "enabled", True):
        return "否"
    return "部分单位" if getattr(rule, "partly", False) else "是"


def unit_settings(rule, policy, width: float) -> list[tuple[str, str, str | None]]:
    """(units, settings, where) rows for each [[overrides]] entry that changes ``rule``: which
    units an auditor should read it differently for, and what for them (a long word list spans
    rows of at most ``width`` characters, as an option's does)."""
    if policy is None:
        return []
    rows = []
    for number, entity, book, settings in policy.settings_by_unit(rule):
        units = inert_text(override_units(entity, book))
        pieces = split_to_rows(override_settings_text(settings, option_value), width)
        rows.append((f"按单位：{units}", pieces[0], f"策略文件第 {number} 项 [[overrides]]：这些单位（账套）以此为准。"))
        rows += [(f"按单位：{units}（续）", piece, None) for piece in pieces[1:]]
    return rows


def option_value(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "、".join(inert_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}={option_value(v)}" for k, v in value.items())
    return inert_text(value)


def write_rules(ws, formats, result: ScanResult, footer: str, printed_at: str) -> None:
    sheet = StreamSheet(ws, formats, RULE_COLUMNS)
    sheet.header()
    ws.freeze_panes(1, 0)
    width = RULE_COLUMNS[_VALUE_COLUMN].width
    rule_row = sheet.variant(bg_color=RULE_ROW_FILL, bold=True)
    option_name = {_NAME_COLUMN: sheet.cell_format("wrap", indent=1)}
    for rule in result.rules:
        options = dict(getattr(rule, "options", {}) or {})
        help_texts = getattr(rule, "options_help", {}) or {}
        group = GROUPS.get(getattr(rule, "group", ""), "") if getattr(rule, "group", "") != "other" else ""
        title = "\n".join(t for t in (inert_text(rule.title), inert_text(getattr(rule, "title_en", "")),
                                       f"（{group}）" if group else "") if t)
        fill = ({_SEVERITY_COLUMN: formats.cell("text", bg_color=SEVERITY_FILLS[rule.severity], bold=True)}
                if rule.severity in SEVERITY_FILLS else None)
        sheet.write((rule.id, title, severity_label(rule.severity), enabled_label(rule), rule.basis,
                     "、".join(field_label(f) for f in getattr(rule, "requires", ()))), rule_row, fill)
        option_rows = []
        if getattr(rule, "weight", None) is not None:
            option_rows.append(("weight", f"{rule.weight:g}", "风险分权重：凭证风险分为其触发规则的权重之和（最高 100）"))
        for name, value in options.items():
            pieces = split_to_rows(option_value(value), width)
            option_rows.append((name, pieces[0], inert_text(help_texts.get(name, ""))))
            option_rows += [(f"{name}（续）", piece, None) for piece in pieces[1:]]
        option_rows += unit_settings(rule, getattr(result, "policy", None), width)
        if not option_rows:
            option_rows = [("无选项", None, None)]
        for name, value, help_text in option_rows:
            sheet.write((name, value, None, None, help_text, None), formats=option_name)
    if not result.rules:
        sheet.write(("无",) + (None,) * (len(RULE_COLUMNS) - 1))
    ws.autofilter(0, 0, max(sheet.row - 1, 1), len(RULE_COLUMNS) - 1)
    setup_page(ws, RULES, footer, printed_at, repeat_header=True)
