"""A rule that runs on a sheet only in part says so: with_gap_notes becomes a RuleGap with a note
in the engine's result and in the JSON, beside the gaps of missing fields."""
from __future__ import annotations

import json

from voucher_checker.engine import no_findings, run_rules, with_gap_notes
from voucher_checker.model import SheetInfo
from voucher_checker.policy import Policy
from voucher_checker.registry import Rule
from voucher_checker.testing import ledger_from_rows
from tests.rules.cases._rows import entry


def _noting_rule() -> Rule:
    def check(ledger, options):
        return with_gap_notes(no_findings(), [("test.xlsx", "Sheet1", "只检查了一部分")])
    return Rule(id="noting", title="注记", title_en="Noting", severity="low", basis="测试", requires=("date",),
                defaults={}, options_help={}, check=check)


def test_a_note_becomes_a_rule_gap_once():
    ledger = ledger_from_rows(entry("记-1", "2021-01-04", "支付办公费", "管理费用-办公费", "银行存款", 100))
    sheets = [SheetInfo(file="test.xlsx", sheet="Sheet1", entity="建设社区", book="admin",
                        fields=frozenset({"date", "voucher", "summary", "account_name", "debit", "credit"}),
                        lines=len(ledger))]
    findings, gaps = run_rules(ledger, sheets, [_noting_rule()], Policy())
    assert findings.empty
    assert [(g.rule, g.file, g.sheet, g.missing, g.note) for g in gaps] == [
        ("noting", "test.xlsx", "Sheet1", (), "只检查了一部分")]


def test_the_console_names_a_noted_rule_once(tmp_path):
    from click.testing import CliRunner
    from voucher_checker.cli import main
    from tests.conftest import write_xlsx
    header = ["日期", "凭证号", "摘要", "科目名称", "借方金额", "贷方金额"]
    rows = [header]
    for year in (2090, 2091):
        rows += [[f"{year}-01-08", "记-1", "支付办公费", "管理费用-办公费", 100, None],
                 [None, None, "支付办公费", "银行存款", None, 100]]
    write_xlsx(tmp_path / "a.xlsx", {"Sheet1": rows[:3], "Sheet2": [header] + rows[3:]})
    output = CliRunner().invoke(main, ["scan", str(tmp_path / "a.xlsx"), "--no-report", "--rule", "holiday-posting",
                                       "--json", str(tmp_path / "out.json")]).output
    lines = [line for line in output.splitlines() if "holiday-posting" in line and "张工作表" in line]
    assert len(lines) == 1 and "2 张工作表" in lines[0] and "不在节假日日历" in lines[0], output
    gaps = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["rule_gaps"]
    assert [(g["sheet"], g["missing"], "2090" in g["note"] or "2091" in g["note"]) for g in gaps] == [
        ("Sheet1", [], True), ("Sheet2", [], True)]
