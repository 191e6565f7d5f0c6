"""What every rule module owes the engine and its readers, checked for all discovered rules:
declared data, options that round-trip through the policy file, a docstring in the fixed outline
whose flagged example is flagged and whose look-alike is not, and a pure, well-formed result."""
from __future__ import annotations

import importlib
import re
import tomllib

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voucher_checker import registry
from voucher_checker.engine import RULE_RESULT_COLUMNS, run_rules
from voucher_checker.fields import SEVERITIES, SOURCE_FIELDS
from voucher_checker.model import SheetInfo
from voucher_checker.money import format_yuan
from voucher_checker.policy import Policy, _toml_value
from voucher_checker.schema import LEDGER_SCHEMA, empty_ledger
from voucher_checker.testing import ledger_from_rows
from voucher_checker.rules._common import chinese_number, yuan
from tests.rules.cases._rows import entry

RULES = registry.discover()
OUTLINE = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options", "## References")
EXPECTED_IDS = {
    "petty-cash-over-limit", "cash-payment", "union-expense-in-admin-book", "bulk-goods-distribution",
    "unbalanced-voucher", "voucher-number-gap", "voucher-number-duplicate", "missing-summary",
    "missing-approval", "missing-attachments",
}
DOC_COLUMNS = {"行": "row", "凭证号": "voucher", "日期": "date", "摘要": "summary", "科目": "account", "借方": "debit",
               "贷方": "credit", "制单": "preparer", "审核": "reviewer", "附件数": "attachments"}
VOUCHER_LEVEL = ("preparer", "reviewer", "attachments")


def by_id(rule_id):
    return next(r for r in RULES if r.id == rule_id)


def module_of(rule):
    return importlib.import_module(rule.module)


def test_all_rules_are_discovered():
    assert EXPECTED_IDS <= {r.id for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_declared_data(rule):
    module = module_of(rule)
    assert module.__name__.rpartition(".")[2] == rule.id.replace("-", "_"), "file name = id with underscores"
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.id)
    assert rule.severity in SEVERITIES
    assert module.GROUP in ("notice", "journal", "records"), "every built-in rule names its group"
    assert 0 <= rule.default_weight <= 100
    assert re.search(r"[\u4e00-\u9fff]", rule.title) and re.search(r"[\u4e00-\u9fff]", rule.basis)
    assert rule.title_en.isascii()
    assert set(rule.requires) <= set(SOURCE_FIELDS) | {"account"}
    assert set(rule.options_help) == set(rule.defaults), "one help text per option, and no stray ones"
    assert all(re.search(r"[\u4e00-\u9fff]", text) and "来源" in text for text in rule.options_help.values())
    # DEFAULTS go into the policy file: they must survive TOML (no None, lists rather than tuples).
    text = "".join(f"{name} = {_toml_value(value)}\n" for name, value in rule.defaults.items())
    assert tomllib.loads(text) == rule.defaults


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_docstring_outline(rule):
    doc = rule.doc
    positions = [doc.find(heading) for heading in OUTLINE]
    assert -1 not in positions and positions == sorted(positions), f"{rule.id}: sections {OUTLINE} in order"
    assert rule.id in doc.splitlines()[0] and rule.title in doc.splitlines()[0]
    for option in rule.defaults:
        assert f"``{option}``" in doc, f"{rule.id}: option {option} documented"


def _table_after(doc: str, heading: str) -> pd.DataFrame:
    section = doc[doc.index(heading):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.strip().startswith("|")]
    header = [c.strip() for c in rows[0]]
    body = [[c.strip() for c in r] for r in rows[2:]]
    table = pd.DataFrame(body, columns=header).rename(columns=DOC_COLUMNS)
    return table


def _ledger_from_doc(table: pd.DataFrame) -> pd.DataFrame:
    records = table.to_dict("records")
    for field in VOUCHER_LEVEL:
        if field in table.columns:
            filled = table[field].replace("", None).groupby(table["voucher"]).transform("first")
            for record, value in zip(records, filled):
                record[field] = value if value is not None and value == value else ""
    for record in records:
        if "row" in record:
            record["row"] = int(record["row"])
        if record.get("attachments") == "":
            record["attachments"] = None
    return ledger_from_rows(records)


def _copies(table: pd.DataFrame, copies: int) -> pd.DataFrame:
    """The vouchers of ``table`` written ``copies`` times over, numbered on: the Example of a rule
    about a unit as a whole (Benford) shows a few of the unit's vouchers and says how many."""
    vouchers = list(dict.fromkeys(table["voucher"]))
    number = {v: i for i, v in enumerate(vouchers)}
    parts = []
    for copy in range(copies):
        part = table.copy()
        part["voucher"] = [f"{v.rpartition('-')[0]}-{copy * len(vouchers) + number[v] + 1}" for v in table["voucher"]]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_docstring_examples_do_what_they_say(rule):
    example = _table_after(rule.doc, "## Example")
    copies = getattr(module_of(rule), "EXAMPLE_COPIES", 1)
    flagged = _ledger_from_doc(_copies(example, copies) if copies > 1 else example)
    clean = _ledger_from_doc(_table_after(rule.doc, "## Use instead"))
    found = rule.check(flagged, dict(rule.defaults))
    assert not found.empty, f"{rule.id}: the Example voucher is flagged"
    # The message quoted under the example is the one the rule writes.
    quoted = re.search(r"→ (.+)", rule.doc[rule.doc.index("## Example"):rule.doc.index("## Use instead")])
    assert quoted and quoted.group(1).strip() in set(found["message"]), (quoted.group(1) if quoted else "", found["message"].tolist())
    assert rule.check(clean, dict(rule.defaults)).empty, f"{rule.id}: the Use instead look-alike is clean"


def _mixed_ledger() -> pd.DataFrame:
    rows = (entry("记-1", "2021-01-04", "提取备用金", "库存现金", "银行存款", 2500, preparer="张三", reviewer="李四", attachments=1)
            + entry("记-2", "2021-01-05", "现金购买疫情防控物资", "管理费用-其他", "库存现金", 1200, preparer="张三", reviewer="张三", attachments=0)
            + entry("记-4", "2021-01-06", "订阅《工人日报》", "管理费用-报刊费", "银行存款", 300, preparer="张三", reviewer="", attachments=2)
            + entry("记-4", "2021-01-20", "春节购买慰问品200份发放全体干部", "管理费用-其他", "银行存款", 9000, preparer="张三", reviewer="李四", attachments=1)
            + [{"voucher": "记-5", "date": "2021-01-21", "summary": "", "account": "", "debit": 10, "preparer": "张三", "reviewer": "李四"}])
    return ledger_from_rows(rows)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_result_is_well_formed_and_pure(rule):
    ledger = _mixed_ledger()
    before = ledger.copy(deep=True)
    result = rule.check(ledger, dict(rule.defaults))
    pd.testing.assert_frame_equal(ledger, before)
    assert set(RULE_RESULT_COLUMNS) <= set(result.columns)
    assert result["line_id"].isin(ledger.index).all()
    assert (result["amount_fen"] >= 0).all()
    assert result["message"].map(lambda m: isinstance(m, str) and bool(re.search(r"[\u4e00-\u9fff]", m))).all()
    if "severity" in result.columns:
        assert result["severity"].isin(SEVERITIES).all()
    assert not result.duplicated(["voucher_key", "message"]).any()
    empty = rule.check(empty_ledger(), dict(rule.defaults))
    assert empty.empty and set(RULE_RESULT_COLUMNS) <= set(empty.columns)


def test_all_rules_through_the_engine():
    ledger = _mixed_ledger()
    LEDGER_SCHEMA.validate(ledger)
    fields = frozenset({"date", "voucher", "summary", "account_name", "debit", "credit", "preparer", "reviewer",
                        "attachments"})
    sheets = [SheetInfo("test.xlsx", "Sheet1", "建设社区", "admin", fields=fields, lines=len(ledger))]
    findings, gaps = run_rules(ledger, sheets, RULES, Policy())
    assert not gaps
    got = set(zip(findings["rule"], findings["voucher"]))
    assert {("petty-cash-over-limit", "记-1"), ("cash-payment", "记-2"), ("union-expense-in-admin-book", "记-4"),
            ("bulk-goods-distribution", "记-4"), ("unbalanced-voucher", "记-5"), ("voucher-number-gap", "记-4"),
            ("voucher-number-duplicate", "记-4"), ("missing-summary", "记-5"), ("missing-approval", "记-2"),
            ("missing-attachments", "记-2")} <= got, sorted(got)


@given(st.lists(st.integers(min_value=-10**13, max_value=10**13), min_size=1, max_size=20))
def test_vectorised_yuan_matches_format_yuan(values):
    assert list(yuan(pd.Series(values))) == [format_yuan(v) for v in values]


@pytest.mark.parametrize(("text", "number"), [("两百", 200), ("一百二十", 120), ("三千五", 3500), ("一百零五", 105),
                                              ("十五", 15), ("一万二千", 12000), ("六百一十六", 616)])
def test_chinese_numerals(text, number):
    assert chinese_number(text) == number


@given(st.lists(st.tuples(st.integers(1, 30), st.integers(1, 10**9)), min_size=1, max_size=30))
def test_balanced_vouchers_are_never_unbalanced(vouchers):
    rows = [r for number, amount in vouchers for r in entry(f"记-{number}", "2021-03-01", "x", "管理费用", "银行存款",
                                                            amount / 100)]
    rule = by_id("unbalanced-voucher")
    assert rule.check(ledger_from_rows(rows), dict(rule.defaults)).empty
