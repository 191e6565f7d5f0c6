"""Risk scores: which vouchers and which units to look at first, and why.

A voucher's score is the sum of the weights of the rules it triggers, capped at 100 (each rule
counts once per voucher, however many findings it gives there).  A rule's weight is set in the
policy (``[rules.<id>] weight = …``); by default it follows the rule's severity (high 50,
medium 30, low 15: ``voucher_checker.fields.SEVERITY_WEIGHTS``), so one high-severity finding
alone makes a voucher high, a medium one medium, a low one low, and two medium ones high.  Bands: low < 30 ≤ medium < 50 ≤ high.

A unit's (entity's) score is the sum of its vouchers' scores divided by 100, plus the weights of
its unit-level findings divided by 100: "so many vouchers' worth of high risk".  Units are ranked
by score, then by the amount involved (each flagged voucher's largest finding amount, counted
once), then by name.  Every score carries the rules that made it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


BANDS = (("high", 50), ("medium", 30), ("low", 0))      # (band, lowest score in it)
BAND_LABELS = {"high": "高", "medium": "中", "low": "低"}
SCORE_CAP = 100
TOP_VOUCHERS = 3


def band_of(score):
    """The band of each score (a scalar or an array)."""
    score = np.asarray(score)
    return np.select([score >= BANDS[0][1], score >= BANDS[1][1]], [BANDS[0][0], BANDS[1][0]], BANDS[2][0])


def rule_weights(rules) -> dict[str, float]:
    return {rule.id: float(rule.weight) for rule in rules}


def voucher_scores(findings: pd.DataFrame, rules) -> pd.DataFrame:
    """One row per flagged voucher: entity, book, file, sheet, period, voucher, voucher_key,
    score, band, amount_fen (its largest finding amount) and ``made_by`` ("超限额提取备用金 50 +
    现金支付 30"), ordered by score, amount and place."""
    columns = ["entity", "book", "file", "sheet", "period", "voucher", "voucher_key", "score", "band",
               "amount_fen", "rules", "made_by"]
    voucher_level = findings if "level" not in findings.columns else findings[findings["level"] != "unit"]
    if voucher_level.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    weights = rule_weights(rules)
    titles = {rule.id: rule.title for rule in rules}
    per_rule = voucher_level.drop_duplicates(["voucher_key", "rule"])[["voucher_key", "rule"]]
    key = per_rule["voucher_key"].to_numpy(dtype=object)
    rule_ids = per_rule["rule"].to_numpy(dtype=object)
    weight = np.array([weights.get(r, 0.0) for r in rule_ids], dtype="float64")
    code, keys = pd.factorize(key)
    # By voucher, heaviest rule first: then each voucher's parts are one run of the arrays.
    order = np.lexsort((rule_ids.astype(str), -weight, code))
    code, rule_ids, weight = code[order], rule_ids[order], weight[order]
    starts = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1]))) if len(code) else np.array([], int)
    ends = np.append(starts[1:], len(code))
    parts = [f"{titles.get(r, r)} {_number(w)}" for r, w in zip(rule_ids.tolist(), weight.tolist())]
    rules_of = [rule_ids[a:b].tolist() for a, b in zip(starts, ends)]
    made_by = [" + ".join(parts[a:b]) for a, b in zip(starts, ends)]
    made = pd.DataFrame({"score": np.minimum(np.add.reduceat(weight, starts) if len(starts) else weight, SCORE_CAP),
                         "rules": rules_of, "made_by": made_by}, index=pd.Index(keys[code[starts]], name="voucher_key"))
    # Each voucher's place from its finding with the largest amount (the first of equals).
    place = (voucher_level[["voucher_key", "entity", "book", "file", "sheet", "period", "voucher", "amount_fen"]]
             .sort_values("amount_fen", ascending=False, kind="stable")
             .drop_duplicates("voucher_key").set_index("voucher_key"))
    scores = place.join(made).reset_index()
    scores["band"] = band_of(scores["score"].to_numpy())
    scores = scores.sort_values(["score", "amount_fen", "entity", "book", "period", "voucher"],
                                ascending=[False, False, True, True, True, True], kind="stable")
    return scores[columns].reset_index(drop=True)


def unit_ranking(findings: pd.DataFrame, rules, vouchers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per entity with flagged vouchers or unit-level findings: rank, entity, score,
    high / medium / low (vouchers in each band), amount_fen, unit_findings, top (its highest
    vouchers, at most TOP_VOUCHERS, as rows of ``vouchers``), ordered by rank."""
    columns = ["rank", "entity", "score", "high", "medium", "low", "vouchers", "amount_fen", "unit_findings",
               "top"]
    vouchers = voucher_scores(findings, rules) if vouchers is None else vouchers
    weights = rule_weights(rules)
    unit_level = findings[findings["level"] == "unit"] if "level" in findings.columns else findings.iloc[:0]
    entities = pd.unique(pd.concat([vouchers["entity"], unit_level["entity"]], ignore_index=True))
    if len(entities) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    by_entity = vouchers.groupby("entity", sort=False)
    ranking = pd.DataFrame(index=pd.Index(entities, name="entity"))
    ranking["voucher_points"] = by_entity["score"].sum()
    for band, _lowest in BANDS:
        ranking[band] = vouchers[vouchers["band"] == band].groupby("entity").size()
    ranking["vouchers"] = by_entity.size()
    ranking["amount_fen"] = by_entity["amount_fen"].sum()
    distinct = unit_level.drop_duplicates(["entity", "book", "rule"])
    unit_points = pd.Series(distinct["rule"].map(weights).to_numpy(dtype="float64", na_value=0.0),
                            index=distinct["entity"].to_numpy(dtype=object))
    ranking["unit_points"] = unit_points.groupby(level=0).sum()
    ranking["unit_findings"] = unit_level.groupby("entity").size()
    ranking = ranking.astype("float64").fillna(0.0)
    ranking["score"] = ((ranking["voucher_points"] + ranking["unit_points"]) / 100).round(2)
    for column in ("high", "medium", "low", "vouchers", "amount_fen", "unit_findings"):
        ranking[column] = ranking[column].astype("int64")
    ranking = ranking.reset_index().sort_values(["score", "amount_fen", "entity"], ascending=[False, False, True],
                                                kind="stable")
    ranking["rank"] = np.arange(1, len(ranking) + 1)
    top = vouchers.groupby("entity", sort=False).head(TOP_VOUCHERS)
    top_lists = {entity: rows.to_dict("records") for entity, rows in top.groupby("entity", sort=False)}
    ranking["top"] = ranking["entity"].map(lambda e: top_lists.get(e, []))
    return ranking[columns].reset_index(drop=True)


def _number(value: float) -> str:
    return f"{value:g}"
