"""A rule that runs on a sheet only in part says so: with_gap_notes becomes a RuleGap with a note
in the engine's result and in the JSON, beside the gaps of missing fields."""
from __future__ import annotations

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
