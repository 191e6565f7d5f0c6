"""Run the rules over the normalised ledger and turn what they return into findings.

The engine, not the rules, handles everything around a rule: which sheets it can run on (its
REQUIRES against the fields each sheet has; the rest become RuleGaps the report shows), the
options per entity and book from the policy, the --period filter, and the voucher context
(file, sheet, rows, date …) every finding carries.
"""
from __future__ import annotations

import pandas as pd

from .fields import fields_satisfy
from .model import RuleGap, SheetInfo
from .policy import Policy
from .registry import Rule

RULE_RESULT_COLUMNS = ("voucher_key", "line_id", "amount_fen", "message")

FINDING_COLUMNS = (
    "rule", "title", "severity", "entity", "book", "file", "sheet", "rows", "period", "voucher",
    "voucher_word", "voucher_no", "voucher_key", "date", "amount_fen", "message", "summary",
    "account", "basis", "line_id",
)
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def no_findings() -> pd.DataFrame:
    """The empty result a rule returns when nothing is wrong."""
    return pd.DataFrame({"voucher_key": pd.Series(dtype=object), "line_id": pd.Series(dtype="int64"),
                         "amount_fen": pd.Series(dtype="int64"), "message": pd.Series(dtype=object)})


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})


def _eligible_lines(ledger: pd.DataFrame, sheets: list[SheetInfo], rule: Rule) -> tuple[pd.DataFrame, list[RuleGap]]:
    gaps, usable = [], []
    for sheet in sheets:
        if sheet.status != "read" or sheet.lines == 0:
            continue
        missing = fields_satisfy(sheet.fields, rule.requires)
        if missing:
            gaps.append(RuleGap(rule.id, sheet.file, sheet.sheet, tuple(missing)))
        else:
            usable.append((sheet.file, sheet.sheet))
    if not gaps:
        return ledger, gaps
    keys = pd.MultiIndex.from_tuples(usable, names=["file", "sheet"]) if usable else None
    if keys is None:
        return ledger.iloc[0:0], gaps
    mask = pd.MultiIndex.from_arrays([ledger["file"], ledger["sheet"]]).isin(keys)
    return ledger[mask], gaps


def _run_one(rule: Rule, lines: pd.DataFrame, policy: Policy) -> list[pd.DataFrame]:
    """Run a rule once per group of (entity, book) that shares the same options."""
    if lines.empty:
        return []
    if not policy.overrides:
        return [rule.check(lines, dict(rule.options))]
    groups = lines.groupby(["entity", "book"], sort=False).groups
    by_options: dict[str, tuple[dict, list]] = {}
    for (entity, book), index in groups.items():
        options = policy.options_for(rule, entity, book)
        if not options.get("enabled", True):
            continue
        key = repr(sorted(options.items()))
        by_options.setdefault(key, (options, []))[1].append(index)
    results = []
    for options, indexes in by_options.values():
        subset = lines.loc[indexes[0].append(indexes[1:])] if len(indexes) > 1 else lines.loc[indexes[0]]
        options = {k: v for k, v in options.items() if k != "enabled"}
        results.append(rule.check(subset, options))
    return results


def _voucher_context(ledger: pd.DataFrame, keys: pd.Index) -> pd.DataFrame:
    lines = ledger[ledger["voucher_key"].isin(keys)]
    grouped = lines.groupby("voucher_key", sort=False)
    context = grouped.agg(entity=("entity", "first"), book=("book", "first"), file=("file", "first"),
                          sheet=("sheet", "first"), period=("period", "first"), voucher=("voucher", "first"),
                          voucher_word=("voucher_word", "first"), voucher_no=("voucher_no", "first"),
                          date=("date", "min"))
    context["rows"] = grouped["row"].agg(lambda r: sorted(int(x) for x in r))
    return context


def run_rules(ledger: pd.DataFrame, sheets: list[SheetInfo], rules: list[Rule], policy: Policy,
              periods: tuple[str, str] | None = None) -> tuple[pd.DataFrame, list[RuleGap]]:
    """All findings of all enabled rules (ordered by entity, book, period, voucher, rule) and the
    sheets each rule could not run on."""
    results, gaps = [], []
    for rule in rules:
        if not rule.enabled:
            continue
        lines, rule_gaps = _eligible_lines(ledger, sheets, rule)
        gaps.extend(rule_gaps)
        for result in _run_one(rule, lines, policy):
            missing = [c for c in RULE_RESULT_COLUMNS if c not in result.columns]
            if missing:
                raise ValueError(f"规则 {rule.id} 的结果缺少列 {missing}")
            if result.empty:
                continue
            result = result.copy()
            result["rule"] = rule.id
            result["title"] = rule.title
            result["basis"] = rule.basis
            if "severity" not in result.columns:
                result["severity"] = rule.severity
            result["severity"] = result["severity"].fillna(rule.severity)
            results.append(result)
    if not results:
        return empty_findings(), gaps

    found = pd.concat(results, ignore_index=True)
    found = found.drop_duplicates(subset=["rule", "voucher_key", "message"])
    context = _voucher_context(ledger, pd.Index(found["voucher_key"].unique()))
    found = found.join(context, on="voucher_key")
    flagged_line = ledger.loc[found["line_id"].to_numpy()]
    found["summary"] = flagged_line["summary"].to_numpy()
    account = (flagged_line["account_code"] + " " + flagged_line["account_name"]).str.strip()
    found["account"] = account.to_numpy()
    found["amount_fen"] = found["amount_fen"].astype("int64")
    if periods is not None:
        found = found[(found["period"] >= periods[0]) & (found["period"] <= periods[1])]
    found["_severity_order"] = found["severity"].map(SEVERITY_ORDER)
    found = found.sort_values(["entity", "book", "period", "voucher_word", "voucher_no",
                               "_severity_order", "rule", "line_id"], kind="stable")
    return found[list(FINDING_COLUMNS)].reset_index(drop=True), gaps
