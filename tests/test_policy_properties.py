"""Random TOML values for every option of every rule and of [reading], in [rules.*] and in
[[overrides]], and random text as a whole policy file: each gives a policy that works (its
rule runs on a ledger with the value) or one clear PolicyError, never another exception."""
from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucher_checker.engine import run_rules
from voucher_checker.model import SheetInfo
from voucher_checker.options import toml_key, toml_text
from voucher_checker.policy import READING_OPTIONS, PolicyError, load_policy, prepare_rules
from voucher_checker.registry import discover
from tests.rules.test_rule_contract import _mixed_ledger

RULES = discover()
RULE_OPTIONS = [(rule.id, name) for rule in RULES for name in rule.declared]
LEDGER = _mixed_ledger()
SHEETS = [SheetInfo("test.xlsx", "Sheet1", "建设社区", "admin", lines=len(LEDGER),
                    fields=frozenset({"date", "voucher", "summary", "account_name", "debit", "credit", "preparer",
                                      "reviewer", "attachments"}))]

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-2**63, max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["", "1千", "abc", "工资", "high", "高", "expense", "cash", "true", "2000", "-5"]),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
keys = st.text(alphabet=string.ascii_lowercase + "_-工会", min_size=1, max_size=6)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=3),
                      max_leaves=8)


def _assert_one_clear_sentence(error: PolicyError, *words: str) -> None:
    message = str(error)
    assert "\n" not in message and message.endswith("。"), message
    assert "p.toml" in message
    for word in words:
        assert word in message, (word, message)


def _policy_file(tmp_path, text: str):
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(RULE_OPTIONS), value=values, in_override=st.booleans())
def test_any_value_for_a_rule_option_is_used_or_refused_clearly(tmp_path, option, value, in_override):
    rule_id, name = option
    line = f"{name} = {toml_text(value)}\n"
    text = (f'[[overrides]]\nentity = "建设社区"\n[overrides.rules.{rule_id}]\n{line}' if in_override
            else f"[rules.{rule_id}]\n{line}")
    try:
        policy = load_policy(_policy_file(tmp_path, text))
        rules = prepare_rules(discover(), policy, only=(rule_id,))
    except PolicyError as error:
        _assert_one_clear_sentence(error, name, rule_id)
        return
    # Accepted: the rule runs with it, on a ledger that has something for every rule.
    [rule] = [r for r in rules if r.id == rule_id]
    assert rule.declared[name].check(policy.options_for(rule, "建设社区", "admin")[name]) is not None
    run_rules(LEDGER, SHEETS, rules, policy)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(READING_OPTIONS)), value=values)
def test_any_value_for_a_reading_option_is_used_or_refused_clearly(tmp_path, name, value):
    try:
        policy = load_policy(_policy_file(tmp_path, f"[reading]\n{name} = {toml_text(value)}\n"))
    except PolicyError as error:
        _assert_one_clear_sentence(error, name, "[reading]")
        return
    assert READING_OPTIONS[name].check(policy.reading[name]) == policy.reading[name]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sections=st.dictionaries(st.sampled_from(["reading", "accounts", "rules", "overrides", "rule"]),
                                values, max_size=3))
def test_any_shape_of_the_sections_is_used_or_refused_clearly(tmp_path, sections):
    text = "".join(f"{toml_key(key)} = {toml_text(value)}\n" for key, value in sections.items())
    try:
        policy = load_policy(_policy_file(tmp_path, text))
        prepare_rules(discover(), policy)
    except PolicyError as error:
        _assert_one_clear_sentence(error)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(list('[]{}=".,# \n\'abc_-1千“”＝:') + ["rules", "limit_yuan", "cash-payment",
                                                                         "petty-cash-over-limit", "reading", "\n[rules.",
                                                                         " = ", "[[overrides]]\n", "true"]),
                     max_size=40).map("".join))
def test_any_text_as_a_policy_file_is_a_policy_or_one_clear_error(tmp_path, text):
    try:
        policy = load_policy(_policy_file(tmp_path, text))
        prepare_rules(discover(), policy)
    except PolicyError as error:
        _assert_one_clear_sentence(error)


@pytest.mark.parametrize(("rule_id", "name"), RULE_OPTIONS)
def test_every_default_is_accepted_as_written_by_init_config(tmp_path, rule_id, name):
    [rule] = [r for r in RULES if r.id == rule_id]
    default = rule.declared[name].default
    policy = load_policy(_policy_file(tmp_path, f"[rules.{rule_id}]\n{name} = {toml_text(default)}\n"))
    [prepared] = [r for r in prepare_rules(discover(), policy) if r.id == rule_id]
    assert prepared.options[name] == default
