"""scripts/convert_rule_options.py turns a rule written with DEFAULTS + OPTIONS_HELP (the form
new rules may still arrive in) into one typed OPTIONS declaration with the same defaults and
help texts, which the registry accepts."""
from __future__ import annotations

import ast
import importlib.util
import textwrap

from voucher_checker.registry import Rule
from scripts.convert_rule_options import convert

OLD = textwrap.dedent('''
    """本地规则（local-old）"""
    from __future__ import annotations

    from voucher_checker.engine import no_findings

    ID = "local-old"
    TITLE = "本地规则"
    TITLE_EN = "A local rule"
    SEVERITY = "low"
    BASIS = "本地办法"
    REQUIRES = ("debit",)
    DEFAULTS = {
        "limit_yuan": 2000,
        "opening_cash_yuan": "",
        "min_quantity": 50,
        "journal_single_line_share": 0.8,
        "check_same_person": True,
        "payment_classes": ["cash", "bank"],
        "permitted_severity": "low",
        "keywords": ["工资", "薪酬",
                     "津贴"],
    }
    OPTIONS_HELP = {
        "limit_yuan": "限额（元）。来源：本地办法，"
                      "第二行。",
        "opening_cash_yuan": "期初。来源：总账。",
        "min_quantity": "数量。来源：约定。",
        "journal_single_line_share": "占比。来源：约定。",
        "check_same_person": "同一人。来源：规范。",
        "payment_classes": "类别。来源：规范。",
        "permitted_severity": "等级。来源：约定。",
        "keywords": "词。来源：条例。",
    }


    def check(ledger, options):
        return no_findings()
''')


def _load(tmp_path, source):
    path = tmp_path / "local_old.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("local_old", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_old_style_rule_converts_to_the_same_defaults_and_help(tmp_path):
    old = _load(tmp_path, OLD)
    new_source = convert(OLD)
    ast.parse(new_source)
    assert "DEFAULTS" not in new_source and "OPTIONS_HELP" not in new_source
    rule = Rule.from_module(_load(tmp_path, new_source))
    assert rule.defaults == old.DEFAULTS
    assert rule.options_help == old.OPTIONS_HELP
    kinds = {name: type(option).__name__ for name, option in rule.declared.items()}
    assert kinds["check_same_person"] == "Flag" and kinds["keywords"] == "Words"
    assert kinds["payment_classes"] == "Choices" and kinds["permitted_severity"] == "Severity"
    assert rule.declared["limit_yuan"].unit == "元" and rule.declared["opening_cash_yuan"].optional
    assert rule.declared["min_quantity"].whole and rule.declared["journal_single_line_share"].maximum == 1
