"""Risk scores: a voucher's from the weights of the rules it triggers, a unit's from its
vouchers', the ranking, rule groups and weights set in the policy."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from voucher_checker.cli import main
from voucher_checker.policy import PolicyError, load_policy, prepare_rules
from voucher_checker.registry import Rule, discover
from voucher_checker.scoring import band_of, unit_ranking, voucher_scores


def rule(rule_id: str, severity: str, weight=None) -> Rule:
    made = Rule(id=rule_id, title=f"规则{rule_id}", title_en=rule_id, severity=severity, basis="依据",
                requires=(), defaults={}, options_help={}, check=lambda ledger, options: None)
    if weight is not None:
        made.weight = weight
    return made


RULES = [rule("a", "high"), rule("b", "medium"), rule("c", "low"), rule("u", "medium")]


def findings(*rows) -> pd.DataFrame:
    """(entity, voucher, rule, amount_fen[, level])"""
    frame = pd.DataFrame([{"entity": r[0], "book": "admin", "file": f"{r[0]}.xlsx", "sheet": "s", "period": "2021-03",
                           "voucher": r[1], "voucher_key": f"{r[0]}|{r[1]}", "rule": r[2], "amount_fen": r[3],
                           "level": r[4] if len(r) > 4 else "voucher"} for r in rows])
    return frame


def test_bands_at_their_edges():
    assert list(band_of([0, 29.9, 30, 49.9, 50, 100])) == ["low", "low", "medium", "medium", "high", "high"]


def test_a_voucher_scores_the_weights_of_its_rules_once_each_capped_at_100():
    found = findings(("甲社区", "记-1", "b", 100), ("甲社区", "记-1", "b", 900), ("甲社区", "记-1", "c", 50),
                     ("甲社区", "记-2", "a", 10), ("甲社区", "记-2", "a", 20), ("甲社区", "记-2", "b", 30),
                     ("甲社区", "记-2", "c", 40))
    scores = voucher_scores(found, RULES).set_index("voucher")
    assert scores.loc["记-1", "score"] == 45 and scores.loc["记-1", "band"] == "medium"
    assert scores.loc["记-1", "made_by"] == "规则b 30 + 规则c 15"
    assert scores.loc["记-1", "amount_fen"] == 900          # the largest finding, not a sum of overlaps
    assert scores.loc["记-2", "score"] == 95 and scores.loc["记-2", "band"] == "high"
    two_high = voucher_scores(findings(("乙村", "记-9", "a", 1), ("乙村", "记-9", "u", 1)),
                              [rule("a", "high", 80), rule("u", "medium", 60)])
    assert two_high["score"].tolist() == [100]


def test_units_rank_by_score_then_amount_with_their_top_vouchers_and_unit_findings():
    found = findings(("甲社区", "记-1", "c", 100), ("甲社区", "记-2", "c", 100),       # 0.15 + 0.15
                     ("乙村", "记-1", "a", 50),                                          # 0.50
                     ("丙社区", "记-1", "b", 10_000), ("丙社区", "", "u", 0, "unit"),    # 0.30 + 0.30
                     ("丁村", "记-1", "b", 20_000), ("丁村", "记-2", "b", 1))            # 0.60, more money
    ranking = unit_ranking(found, RULES)
    assert ranking["entity"].tolist() == ["丁村", "丙社区", "乙村", "甲社区"]
    assert ranking["rank"].tolist() == [1, 2, 3, 4]
    assert ranking["score"].tolist() == [0.6, 0.6, 0.5, 0.3]
    third = ranking.set_index("entity").loc["丙社区"]
    assert (third["medium"], third["unit_findings"], third["amount_fen"]) == (1, 1, 10_000)
    assert [v["voucher"] for v in ranking.set_index("entity").loc["丁村", "top"]] == ["记-1", "记-2"]


def test_weights_come_from_the_policy_and_are_one_for_all_units(tmp_path):
    policy_file = tmp_path / "策略.toml"
    policy_file.write_text('[rules.cash-payment]\nweight = 70\n', encoding="utf-8")
    rules = {r.id: r for r in prepare_rules(discover(), load_policy(policy_file))}
    assert rules["cash-payment"].weight == 70 and rules["petty-cash-over-limit"].weight == 50
    policy_file.write_text('[[overrides]]\nentity = "建设社区"\n[overrides.rules.cash-payment]\nweight = 70\n',
                           encoding="utf-8")
    with pytest.raises(PolicyError, match="不能写 weight"):
        prepare_rules(discover(), load_policy(policy_file))
    policy_file.write_text('[rules.cash-payment]\nweight = 170\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="0 到 100"):
        prepare_rules(discover(), load_policy(policy_file))


def _two_units(folder):
    folder.mkdir()
    (folder / "建设社区.csv").write_text(
        "日期,凭证号,摘要,科目,借方,贷方,审核人\n2021-03-06,记-1,提取备用金,库存现金,2500,,李四\n"
        "2021-03-06,记-1,提取备用金,银行存款,,2500,李四\n2021-03-08,记-2,现金购买办公用品,管理费用-办公费,1200,,李四\n"
        "2021-03-08,记-2,现金购买办公用品,库存现金,,1200,李四\n", encoding="utf-8")
    (folder / "和平村.csv").write_text(
        "日期,凭证号,摘要,科目,借方,贷方,审核人\n2021-03-08,记-1,现金购买办公用品,管理费用-办公费,1200,,王五\n"
        "2021-03-08,记-1,现金购买办公用品,库存现金,,1200,王五\n", encoding="utf-8")


def test_the_console_ranks_units_and_the_json_carries_the_scores(tmp_path):
    _two_units(tmp_path / "books")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "books"), "--no-report", "--json", str(out), "--jobs", "1"])
    assert result.exit_code == 1, result.output
    ranking = result.output.split("单位风险排名")[1]
    assert ranking.index("建设社区") < ranking.index("和平村")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [u["entity"] for u in data["scores"]["units"]] == ["建设社区", "和平村"]
    quiet = CliRunner().invoke(main, ["scan", str(tmp_path / "books"), "--no-report", "--top", "0", "--jobs", "1"])
    assert "单位风险排名" not in quiet.output


def test_a_group_selects_its_rules(tmp_path):
    _two_units(tmp_path / "books")
    out = tmp_path / "r.json"
    CliRunner().invoke(main, ["scan", str(tmp_path / "books"), "--no-report", "--json", str(out), "--jobs", "1",
                              "--group", "records"])
    data = json.loads(out.read_text(encoding="utf-8"))
    groups = {r.id: r.group for r in discover()}
    assert data["scores"]["rules"] and {groups[r] for r in data["scores"]["rules"]} == {"records"}
    assert not [f for f in data["findings"] if groups[f["rule"]] != "records"]
    wrong = CliRunner().invoke(main, ["scan", str(tmp_path / "books"), "--no-report", "--group", "notic"])
    assert wrong.exit_code == 4 and "没有名为 notic 的规则组" in wrong.output
