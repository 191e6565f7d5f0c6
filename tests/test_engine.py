"""The engine around the rules: gaps when a field is missing, per-entity options, --period, plug-ins."""
from __future__ import annotations

import types

import pandas as pd
import pytest

from voucher_checker import registry
from voucher_checker.engine import no_findings, run_rules
from voucher_checker.model import SheetInfo
from voucher_checker.policy import Policy, PolicyError, load_policy, prepare_rules
from voucher_checker.testing import combine_ledgers, ledger_from_rows


def make_rule(rule_id="big-debit", requires=(), defaults=None):
    """A rule that flags every debit line at or above ``limit_yuan``."""
    def check(ledger, options):
        hit = ledger[ledger["debit_fen"] >= options["limit_yuan"] * 100]
        return pd.DataFrame({"voucher_key": hit["voucher_key"], "line_id": hit["line_id"],
                             "amount_fen": hit["debit_fen"], "message": "借方金额较大"})
    return registry.Rule(id=rule_id, title="大额借方", title_en="Big debit", severity="medium", basis="测试",
                         requires=tuple(requires), defaults=defaults or {"limit_yuan": 100},
                         options_help={}, check=check, options=dict(defaults or {"limit_yuan": 100}))


def two_entity_ledger():
    a = ledger_from_rows([("记-1", "2021-03-01", "买水", "管理费用", 150, ""), ("记-1", "2021-03-01", "买水", "银行存款", "", 150)],
                         entity="建设社区", file="a.xlsx", sheet="3月")
    b = ledger_from_rows([("记-1", "2021-04-01", "买水", "管理费用", 150, ""), ("记-1", "2021-04-01", "买水", "银行存款", "", 150)],
                         entity="和平村", file="b.xlsx", sheet="4月")
    ledger = combine_ledgers(a, b)
    sheets = [SheetInfo("a.xlsx", "3月", "建设社区", "admin", fields=frozenset({"date", "voucher", "summary", "account_name", "debit", "credit"}), lines=2),
              SheetInfo("b.xlsx", "4月", "和平村", "admin", fields=frozenset({"date", "voucher", "summary", "account_name", "debit", "credit", "reviewer"}), lines=2)]
    return ledger, sheets


def policy_from(tmp_path, text: str) -> Policy:
    config = tmp_path / "p.toml"
    config.write_text(text, encoding="utf-8")
    return load_policy(config)


def test_findings_carry_voucher_context():
    ledger, sheets = two_entity_ledger()
    findings, gaps = run_rules(ledger, sheets, [make_rule()], Policy())
    assert not gaps
    assert list(findings["entity"]) == ["和平村", "建设社区"], "ordered by entity, book, period, voucher"
    first = findings.iloc[1]
    assert (first["file"], first["sheet"], first["rows"], first["voucher"], first["period"]) == ("a.xlsx", "3月", [2, 3], "记-1", "2021-03")
    assert first["summary"] == "买水" and first["account"] == "管理费用"
    assert first["amount_fen"] == 15000 and first["severity"] == "medium"


def test_rule_that_needs_a_missing_column_reports_a_gap_instead_of_passing():
    ledger, sheets = two_entity_ledger()
    findings, gaps = run_rules(ledger, sheets, [make_rule(requires=("reviewer",))], Policy())
    assert list(findings["entity"]) == ["和平村"]
    assert [(g.rule, g.file, g.missing) for g in gaps] == [("big-debit", "a.xlsx", ("reviewer",))]


def test_overrides_per_entity(tmp_path):
    policy = policy_from(tmp_path, '[rules.big-debit]\nlimit_yuan = 100\n[[overrides]]\nentity = "和平村"\n'
                                   '[overrides.rules.big-debit]\nlimit_yuan = 1000\n')
    rules = prepare_rules([make_rule()], policy)
    ledger, sheets = two_entity_ledger()
    findings, _ = run_rules(ledger, sheets, rules, policy)
    assert list(findings["entity"]) == ["建设社区"]


def test_disabled_per_book(tmp_path):
    policy = policy_from(tmp_path, '[[overrides]]\nbook = "admin"\n[overrides.rules.big-debit]\nenabled = false\n')
    rules = prepare_rules([make_rule()], policy)
    ledger, sheets = two_entity_ledger()
    assert run_rules(ledger, sheets, rules, policy)[0].empty


def test_period_filter_keeps_only_those_months():
    ledger, sheets = two_entity_ledger()
    findings, _ = run_rules(ledger, sheets, [make_rule()], Policy(), periods=("2021-04", "2021-06"))
    assert list(findings["period"]) == ["2021-04"]


def test_unknown_rule_or_option_in_policy_is_a_clear_error(tmp_path):
    config = tmp_path / "p.toml"
    config.write_text('[rules.big-debit]\nlimit = 5\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="未知选项：limit"):
        prepare_rules([make_rule()], load_policy(config))
    config.write_text('[rules.no-such-rule]\nlimit = 5\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="no-such-rule"):
        prepare_rules([make_rule()], load_policy(config))


def test_bad_toml_names_the_problem(tmp_path):
    config = tmp_path / "p.toml"
    config.write_text('[rules\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="格式有误"):
        load_policy(config)


def test_plugins_are_discovered_through_entry_points(monkeypatch):
    module = types.ModuleType("local_rules.subsidy")
    module.__doc__ = "A local rule."
    module.ID, module.TITLE, module.TITLE_EN = "local-subsidy", "无依据发放补贴", "Subsidy without basis"
    module.SEVERITY, module.BASIS, module.OPTIONS = "medium", "本地办法", {}
    module.check = lambda ledger, options: no_findings()

    class EntryPoint:
        def load(self):
            return module
    monkeypatch.setattr(registry, "entry_points", lambda group: [EntryPoint()] if group == registry.ENTRY_POINT_GROUP else [])
    assert "local-subsidy" in [r.id for r in registry.discover()]


def test_every_builtin_rule_declares_its_data():
    rules = registry.discover()
    assert rules, "the rules package holds rule modules"
    for rule in rules:
        assert rule.id == rule.id.lower() and " " not in rule.id
        assert rule.title and rule.title_en and rule.basis
        assert set(rule.options_help) >= set(rule.defaults), f"{rule.id}: every option needs help text"


def test_a_line_that_breaks_the_schema_is_dropped_named_and_the_rules_run_without_it(xlsx, monkeypatch):
    """The schema check runs beside the rules; when it drops a line, the findings are those of
    the ledger without it.  Here the schema is made stricter (no summary may contain 坏) so that
    the second line of 记-1 breaks it: 记-1 is then unbalanced, which only a second run can see."""
    import pandera.pandas as pa
    from voucher_checker import schema
    from voucher_checker.scan import scan
    header = ["日期", "凭证号", "摘要", "科目名称", "借方金额", "贷方金额"]
    path = xlsx("建设社区行政账2021.xlsx", {"3月": [
        header,
        ["2021-03-01", "记-1", "买水", "管理费用", 150, None],
        ["2021-03-01", "记-1", "买水坏", "银行存款", None, 150],
        ["2021-03-02", "记-2", "买纸", "管理费用", 80, None],
        ["2021-03-02", "记-2", "买纸", "银行存款", None, 80]]})
    plain = scan([path], Policy(), only=("unbalanced-voucher",))
    assert plain.findings.empty and len(plain.ledger) == 4
    stricter = schema.LEDGER_SCHEMA.update_column("summary", checks=[pa.Check(lambda s: ~s.str.contains("坏"))])
    monkeypatch.setattr(schema, "LEDGER_SCHEMA", stricter)
    result = scan([path], Policy(), only=("unbalanced-voucher",))
    assert len(result.ledger) == 3
    assert list(result.findings["voucher"]) == ["记-1"]
    [error] = [e for e in result.errors if e.row == 3]
    assert error.sheet == "3月" and error.column == "摘要"
    assert list(result.read.dropped["row"]) == [3]
    assert result.read.sheets[0].lines == 3


def test_a_rule_that_fails_on_a_line_the_schema_drops_runs_again_without_it(xlsx, monkeypatch):
    import pandera.pandas as pa
    from voucher_checker import schema
    from voucher_checker import scan as scan_module
    path = xlsx("建设社区行政账2021.xlsx", {"3月": [
        ["日期", "凭证号", "摘要", "科目名称", "借方金额", "贷方金额"],
        ["2021-03-01", "记-1", "买水", "管理费用", 150, None],
        ["2021-03-01", "记-1", "买水坏", "银行存款", None, 150]]})
    run_rules = scan_module.run_rules

    def fragile(ledger, *args):
        if ledger["summary"].str.contains("坏").any():
            raise ValueError("规则遇到坏行")
        return run_rules(ledger, *args)
    monkeypatch.setattr(scan_module, "run_rules", fragile)
    with pytest.raises(ValueError):
        scan_module.scan([path], Policy())
    monkeypatch.setattr(schema, "LEDGER_SCHEMA", schema.LEDGER_SCHEMA.update_column(
        "summary", checks=[pa.Check(lambda s: ~s.str.contains("坏"))]))
    result = scan_module.scan([path], Policy())
    assert len(result.ledger) == 1 and any(e.row == 3 for e in result.errors)


def make_unit_rule():
    """A rule that says something about each unit as a whole, and flags its big debits."""
    from voucher_checker.rules._common import findings, unit_findings

    def check(ledger, options):
        first = ledger.groupby("entity", sort=False)["line_id"].min()
        hit = ledger[ledger["debit_fen"] >= 10000]
        return pd.concat([unit_findings(first, 0, "本单位金额分布异常"),
                          findings(hit["voucher_key"], hit["line_id"], hit["debit_fen"], "借方金额较大")],
                         ignore_index=True)
    return registry.Rule(id="unit-rule", title="单位整体", title_en="Unit", severity="low", basis="测试",
                         requires=(), defaults={}, options_help={}, check=check, options={})


def test_unit_findings_name_the_unit_and_no_voucher():
    from voucher_checker.model import ReadResult, ScanResult
    from voucher_checker.scan import result_to_json
    import datetime as dt

    ledger, sheets = two_entity_ledger()
    found, _ = run_rules(ledger, sheets, [make_unit_rule()], Policy(), periods=("2021-04", "2021-04"))
    unit = found[found["level"] == "unit"]
    assert sorted(unit["entity"]) == ["和平村", "建设社区"], "a unit finding is not removed by --period"
    assert unit["voucher_key"].isna().all() and unit["line_id"].isna().all() and (unit["voucher"] == "").all()
    assert (unit["file"] == "").all() and all(rows == [] for rows in unit["rows"])
    voucher = found[found["level"] == "voucher"]
    assert list(voucher["entity"]) == ["和平村"] and list(voucher["voucher"]) == ["记-1"]
    assert list(found["entity"]) == ["和平村", "和平村", "建设社区"], "a unit's own finding comes first"

    now = dt.datetime(2021, 1, 1)
    result = ScanResult(read=ReadResult(ledger, sheets, [], pd.DataFrame()), findings=found, rule_gaps=[], rules=[],
                        inputs=[], policy_path=None, started_at=now, finished_at=now)
    records = result_to_json(result)["findings"]
    assert [r["level"] for r in records] == ["unit", "voucher", "unit"]
    assert {(r["voucher"], r["voucher_number"], r["period"], r["date"], r["file"]) for r in records
            if r["level"] == "unit"} == {(None, None, None, None, None)}
    assert records[1]["voucher_number"] == 1 and records[1]["rows"] == [2, 3]


def test_a_rule_off_in_the_policy_runs_for_the_unit_an_override_turns_it_on_for(tmp_path):
    policy = policy_from(tmp_path, '[rules.big-debit]\nenabled = false\n[[overrides]]\nentity = "和平村"\n'
                                   '[overrides.rules.big-debit]\nenabled = true\n')
    rules = prepare_rules([make_rule()], policy)
    assert rules[0].enabled and rules[0].partly
    ledger, sheets = two_entity_ledger()
    findings, _ = run_rules(ledger, sheets, rules, policy)
    assert list(findings["entity"]) == ["和平村"]
    assert policy.enabled_for(rules[0], "和平村", "admin") and not policy.enabled_for(rules[0], "建设社区", "admin")
    # The command line's choice is the last word: --skip-rule leaves it out for every unit.
    skipped = prepare_rules([make_rule()], policy, skip=("big-debit",))
    assert run_rules(ledger, sheets, skipped, policy)[0].empty
    assert not policy.enabled_for(skipped[0], "和平村", "admin")


def test_an_override_for_every_unit_replaces_the_earlier_ones(tmp_path):
    policy = policy_from(tmp_path, '[[overrides]]\nentity = "和平村"\n[overrides.rules.big-debit]\nenabled = false\n'
                                   '[[overrides]]\n[overrides.rules.big-debit]\nenabled = true\n')
    rules = prepare_rules([make_rule()], policy)
    assert rules[0].enabled and not rules[0].partly
    ledger, sheets = two_entity_ledger()
    assert sorted(run_rules(ledger, sheets, rules, policy)[0]["entity"]) == ["和平村", "建设社区"]


def test_a_units_opening_cash_is_written_once_for_every_cash_rule(tmp_path):
    from voucher_checker.registry import discover
    policy = policy_from(tmp_path, '[[overrides]]\nentity = "和平村"\nopening_cash_yuan = 0\n'
                                   '[overrides.rules.cash-takings-paid-out]\nopening_cash_yuan = 300\n')
    wanted = ("negative-cash-balance", "petty-cash-over-limit", "cash-takings-paid-out", "cash-payment")
    rules = {r.id: r for r in prepare_rules(discover(), policy, only=wanted) if r.id in wanted}
    opening = {rule_id: policy.options_for(rule, "和平村", "admin").get("opening_cash_yuan")
               for rule_id, rule in rules.items()}
    # Given to the three rules that declare it (the rule's own line in the override wins), not
    # to a rule that has no such option, and not to another unit.
    assert opening == {"negative-cash-balance": 0, "petty-cash-over-limit": 0, "cash-takings-paid-out": 300,
                       "cash-payment": None}
    assert policy.options_for(rules["negative-cash-balance"], "建设社区", "admin")["opening_cash_yuan"] == ""
    # With no cash at the start, 和平村's 700 yuan paid in cash leaves the cash box below zero;
    # 建设社区's same payment, its opening unknown, is not reported.
    rows = [("记-1", "2021-03-02", "支付维修费", "管理费用", 700, ""), ("记-1", "2021-03-02", "支付维修费", "库存现金", "", 700)]
    ledger = combine_ledgers(ledger_from_rows(rows, entity="建设社区", file="a.xlsx", sheet="3月"),
                             ledger_from_rows(rows, entity="和平村", file="b.xlsx", sheet="3月"))
    sheets = [SheetInfo(f, "3月", e, "admin", fields=frozenset({"date", "voucher", "summary", "account_name", "debit", "credit"}),
                        lines=2) for f, e in (("a.xlsx", "建设社区"), ("b.xlsx", "和平村"))]
    findings, _ = run_rules(ledger, sheets, [rules["negative-cash-balance"]], policy)
    assert list(findings["entity"]) == ["和平村"]


def test_a_unit_the_rule_is_off_for_is_not_reported_as_lacking_its_columns(tmp_path):
    policy = policy_from(tmp_path, '[rules.big-debit]\nenabled = false\n[[overrides]]\nentity = "和平村"\n'
                                   '[overrides.rules.big-debit]\nenabled = true\n')
    rules = prepare_rules([make_rule(requires=("reviewer",))], policy)
    ledger, sheets = two_entity_ledger()          # only 和平村's sheet has a reviewer column
    findings, gaps = run_rules(ledger, sheets, rules, policy)
    assert list(findings["entity"]) == ["和平村"] and gaps == []


@pytest.mark.parametrize(("text", "before", "after"), [
    # Off for 和平村, then on again for it: on everywhere.
    ('[[overrides]]\nentity = "和平村"\n[overrides.rules.big-debit]\nenabled = false\n'
     '[[overrides]]\nentity = "和平村"\n[overrides.rules.big-debit]\nenabled = true\n', (True, False), (True, False)),
    # Off by default, on for 和平村, off for every administrative book: on only for 和平村's other
    # books, which the ledger does not have.
    ('[rules.big-debit]\nenabled = false\n[[overrides]]\nentity = "和平村"\n[overrides.rules.big-debit]\nenabled = true\n'
     '[[overrides]]\nbook = "admin"\n[overrides.rules.big-debit]\nenabled = false\n', (True, True), (False, False)),
    # Off for a unit that is not there: on for every unit read.
    ('[[overrides]]\nentity = "幸福村"\n[overrides.rules.big-debit]\nenabled = false\n', (True, True), (True, False)),
])
def test_whether_a_rule_runs_and_for_whom_follows_the_overrides_in_order(tmp_path, text, before, after):
    from voucher_checker.policy import settle_for_units
    policy = policy_from(tmp_path, text)
    [rule] = prepare_rules([make_rule()], policy)
    assert (rule.enabled, rule.partly) == before
    settle_for_units([rule], policy, {("建设社区", "admin"), ("和平村", "admin")})
    assert (rule.enabled, rule.partly) == after


def test_a_units_opening_cash_must_suit_every_rule_that_takes_it(tmp_path):
    from voucher_checker.options import Yuan
    policy = policy_from(tmp_path, '[[overrides]]\nentity = "和平村"\nopening_cash_yuan = ""\n')
    strict = make_rule("strict-cash")
    strict.declared["opening_cash_yuan"] = Yuan(100, help="期初（元）。来源：测试。")     # not optional
    with pytest.raises(PolicyError, match="opening_cash_yuan.*大额借方"):
        prepare_rules([strict], policy)
