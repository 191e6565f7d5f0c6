"""Run the rules over the normalised ledger and turn what they return into findings.

The engine, not the rules, handles everything around a rule: which sheets it can run on (its
REQUIRES against the fields each sheet has; the rest become RuleGaps the report shows), the
options per entity and book from the policy, the --period filter, and the voucher context
(file, sheet, rows, date …) every finding carries.

Findings are of two levels.  A voucher finding (``level`` "voucher", the default) is about one
voucher and carries its context.  A unit finding (``level`` "unit") is about a unit's book as a
whole (Benford's law over all its amounts) or one of its sheets (no reviewer on any voucher):
the rule returns it with ``voucher_key`` None and ``line_id`` of any line of the unit, which
gives the entity and book, and says in ``file`` / ``sheet`` where it applies ("" for the whole
unit); it has no voucher, date, rows, period, summary or account, and its ``line_id`` is <NA>.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import pandas as pd

from .fields import fields_satisfy
from .identity import finding_identities
from .model import RuleGap, SheetInfo
from .policy import Policy
from .registry import Rule
from .schema import voucher_lines
from .sources import usable_cpus

RULE_RESULT_COLUMNS = ("voucher_key", "line_id", "amount_fen", "message")
# Optional result columns: severity; level ("voucher" | "unit"), with file and sheet for a unit finding.
LEVELS = ("voucher", "unit")

FINDING_COLUMNS = (
    "rule", "title", "severity", "level", "entity", "book", "file", "sheet", "rows", "period", "voucher",
    "voucher_word", "voucher_no", "voucher_key", "date", "amount_fen", "message", "summary",
    "account", "basis", "line_id", "finding_id",
)
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def no_findings() -> pd.DataFrame:
    """The empty result a rule returns when nothing is wrong."""
    return pd.DataFrame({"voucher_key": pd.Series(dtype=object), "line_id": pd.Series(dtype="int64"),
                         "amount_fen": pd.Series(dtype="int64"), "message": pd.Series(dtype=object)})


GAP_NOTES = "rule_gap_notes"


def with_gap_notes(result: pd.DataFrame, notes) -> pd.DataFrame:
    """A rule's result that also says where the rule could run only in part: ``notes`` is a list
    of (file, sheet, note) with the note in Chinese ("2027 年不在节假日日历范围内，只按周末检查").
    The engine reports each as a RuleGap beside the sheets a missing field kept the rule off;
    a rule that checks less than it says, silently, is what this is for avoiding."""
    result.attrs[GAP_NOTES] = tuple((str(f), str(s), str(n)) for f, s, n in notes)
    return result


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})


def _eligible_lines(ledger: pd.DataFrame, sheets: list[SheetInfo], rule: Rule,
                    policy: Policy) -> tuple[pd.DataFrame, list[RuleGap]]:
    gaps, usable = [], []
    runs_for: dict[tuple[str, str], bool] = {}        # a district's sheets share few units
    units = units_of_sheets(ledger) if policy.overrides else {}
    for sheet in sheets:
        if sheet.status != "read" or sheet.lines == 0:
            continue
        # A sheet whose units the policy keeps the rule off for lacks nothing: the rule is not
        # meant to run there (_run_one leaves its lines out).
        if policy.overrides:
            sheet_units = units.get((sheet.file, sheet.sheet), ())
            for unit in sheet_units:
                if unit not in runs_for:
                    runs_for[unit] = policy.options_for(rule, *unit)["enabled"]
            if not any(runs_for[unit] for unit in sheet_units):
                continue
        missing = fields_satisfy(sheet.fields, rule.requires)
        if missing:
            gaps.append(RuleGap(rule.id, sheet.file, sheet.sheet, tuple(missing)))
        else:
            usable.append((sheet.file, sheet.sheet))
    if not gaps:
        return ledger, gaps
    if not usable:
        return ledger.iloc[0:0], gaps
    sheet_of_line, sheets_present = _combinations(ledger, ["file", "sheet"])
    usable = set(usable)
    return ledger[np.array([sheet in usable for sheet in sheets_present])[sheet_of_line]], gaps


def combination_codes(lines: pd.DataFrame, columns) -> np.ndarray:
    """Each line's combination of the ``columns`` as 0, 1, 2 … in order of first appearance,
    without building a string per line: each column's codes are combined as integers."""
    combined, combinations = np.zeros(len(lines), dtype="int64"), 1
    for column in columns:
        codes, uniques = pd.factorize(lines[column], use_na_sentinel=False)
        size = max(len(uniques), 1)
        if combinations * size >= 2 ** 62:      # renumber what is there before it could overflow
            combined = pd.factorize(combined)[0]
            combinations = int(combined.max()) + 1
        combined, combinations = combined * size + codes, combinations * size
    return pd.factorize(combined)[0]


def units_of_sheets(ledger: pd.DataFrame) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """The units (entity, book) whose lines each sheet (file, sheet) holds: those of its lines, not
    the sheet's own label, which joins several when a column names the unit row by row.  Worked
    out once a run (every rule asks)."""
    def build(lines: pd.DataFrame) -> dict:
        found: dict[tuple[str, str], set[tuple[str, str]]] = {}
        if len(lines):
            for file, sheet, entity, book in _combinations(lines, ["file", "sheet", "entity", "book"])[1]:
                found.setdefault((file, sheet), set()).add((entity, book))
        return found
    return shared(ledger, ("units-of-sheets",), build)


def _combinations(lines: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, list[tuple]]:
    """Each line's combination of ``columns`` as a number, and the combinations in order of first
    appearance: there are few (sheets, entity and book pairs), so they are looked at once each,
    not once per line."""
    number = combination_codes(lines, columns)
    first = np.unique(number, return_index=True)[1]
    return number, list(lines[list(columns)].iloc[first].itertuples(index=False, name=None))


def _run_one(rule: Rule, lines: pd.DataFrame, policy: Policy) -> list[pd.DataFrame]:
    """Run a rule once per group of (entity, book) that shares the same options."""
    if lines.empty:
        return []
    if not policy.overrides:
        return [rule.check(lines, dict(rule.options))]
    pair_of_line, pairs = _combinations(lines, ["entity", "book"])
    by_options: dict[str, tuple[dict, list]] = {}
    for number, (entity, book) in enumerate(pairs):
        options = policy.options_for(rule, entity, book)
        if not options.get("enabled", True):
            continue
        key = repr(sorted(options.items()))
        by_options.setdefault(key, (options, []))[1].append(number)
    results = []
    for options, numbers in by_options.values():
        # A subset keeps the lines in sheet order, the order rules may rely on.
        subset = lines if len(numbers) == len(pairs) else lines[np.isin(pair_of_line, numbers)]
        options = {k: v for k, v in options.items() if k != "enabled"}
        results.append(rule.check(subset, options))
    return results


def _voucher_context(ledger: pd.DataFrame, found: pd.DataFrame, flagged_line: pd.DataFrame) -> pd.DataFrame:
    """Where each voucher in ``found`` is and what it is, indexed by voucher_key: its first
    line's entity, book, file, sheet, period and number, its earliest date and all its rows."""
    keys = found["voucher_key"].to_numpy(dtype=object)
    ids = flagged_line["voucher_id"].to_numpy()
    # A rule reports a line of the voucher; should one report another line, go by the key.
    stray = flagged_line["voucher_key"].to_numpy(dtype=object) != keys
    wanted = np.unique(ids[~stray])
    if stray.any():
        by_key = ledger["voucher_key"].isin(pd.unique(keys[stray])).to_numpy()
        wanted = np.union1d(wanted, ledger["voucher_id"].to_numpy()[by_key])
    columns = ["voucher_id", "voucher_key", "entity", "book", "file", "sheet", "period", "voucher", "voucher_word",
               "voucher_no", "date", "row"]
    lines = ledger[columns].iloc[voucher_lines(ledger, wanted)]
    grouped = lines.groupby("voucher_id", sort=False)
    context = grouped.agg(voucher_key=("voucher_key", "first"), entity=("entity", "first"), book=("book", "first"),
                          file=("file", "first"), sheet=("sheet", "first"), period=("period", "first"),
                          voucher=("voucher", "first"), voucher_word=("voucher_word", "first"),
                          voucher_no=("voucher_no", "first"), date=("date", "min"))
    ordered = lines.sort_values(["voucher_id", "row"], kind="stable")
    voucher, rows = ordered["voucher_id"].to_numpy(), ordered["row"].to_numpy()
    bounds = np.flatnonzero(voucher[1:] != voucher[:-1]) + 1
    row_lists = pd.Series([part.tolist() for part in np.split(rows, bounds)] if len(rows) else [],
                          index=voucher[np.concatenate(([0], bounds))] if len(rows) else [], dtype=object)
    context["rows"] = row_lists.reindex(context.index)
    return context.set_index("voucher_key")


_SHARED_PER_RUN: dict[int, list] = {}      # id of a ledger being checked -> [runs, {key: entry}]
_SHARED_LOCK = threading.Lock()


def shared(ledger: pd.DataFrame, key: tuple, build):
    """``build(ledger)``, worked out once for all the rules of one ``run_rules`` that ask with the
    same ``key``: four rules look at the same payments, two at the same cash days, and the engine
    hands every rule the same ledger object.  What ``build`` returns must not be changed by its
    users.  Built under a lock per key, so that rules on two threads wait for one build instead
    of doing it twice; forgotten when the run ends, so that nothing keeps a ledger alive (a
    long-running ``serve`` checks many).  Outside a run (a rule called directly) it just builds."""
    with _SHARED_LOCK:
        run = _SHARED_PER_RUN.get(id(ledger))
        if run is None:
            entry = None
        else:
            entry = run[1].setdefault(key, [threading.Lock(), None, False])
    if entry is None:
        return build(ledger)
    with entry[0]:
        if not entry[2]:
            entry[1], entry[2] = build(ledger), True
    return entry[1]


@contextmanager
def _sharing(ledger: pd.DataFrame):
    """What ``shared`` builds for ``ledger`` lives while this is open (the same ledger may be
    checked by two runs at once: the last to end forgets it)."""
    with _SHARED_LOCK:
        run = _SHARED_PER_RUN.setdefault(id(ledger), [0, {}])
        run[0] += 1
    try:
        yield
    finally:
        with _SHARED_LOCK:
            run[0] -= 1
            if run[0] == 0:
                del _SHARED_PER_RUN[id(ledger)]


RULE_THREADS = 2


def _run_rule(rule: Rule, ledger: pd.DataFrame, sheets: list[SheetInfo], policy: Policy):
    """One rule's findings, with the columns the engine adds, and the sheets it could not run on."""
    lines, gaps = _eligible_lines(ledger, sheets, rule, policy)
    results, noted = [], set()
    for result in _run_one(rule, lines, policy):
        # Taken off the result, so that pandas does not copy the notes along with every finding.
        for file, sheet, note in result.attrs.pop(GAP_NOTES, ()):
            gap = RuleGap(rule.id, file, sheet, (), note)
            if gap not in noted:     # a rule run once per group of options may say it again
                noted.add(gap)
                gaps.append(gap)
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
    return results, gaps


def _voucher_findings(ledger: pd.DataFrame, found: pd.DataFrame, periods) -> pd.DataFrame:
    found = found.drop_duplicates(subset=["rule", "voucher_key", "message"])
    # Only the columns used: a row selection on the whole ledger takes every column of it.
    flagged_line = ledger[["voucher_id", "voucher_key", "summary", "account_code", "account_name"]] \
        .loc[found["line_id"].to_numpy()]
    found = found.join(_voucher_context(ledger, found, flagged_line), on="voucher_key")
    found["summary"] = flagged_line["summary"].to_numpy()
    account = (flagged_line["account_code"] + " " + flagged_line["account_name"]).str.strip()
    found["account"] = account.to_numpy()
    found["amount_fen"] = found["amount_fen"].astype("int64")
    found["level"] = "voucher"
    if periods is not None:
        found = found[(found["period"] >= periods[0]) & (found["period"] <= periods[1])]
    return found


def _unit_findings(ledger: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Unit findings with the entity and book of their line.  They are about a whole book or
    sheet, so a --period filter does not remove them."""
    found = found.copy()
    for column in ("file", "sheet"):
        found[column] = found[column].fillna("").astype(object) if column in found.columns else ""
    line = ledger[["entity", "book"]].loc[found["line_id"].to_numpy()]
    found["entity"] = line["entity"].to_numpy(dtype=object)
    found["book"] = line["book"].to_numpy(dtype=object)
    found = found.drop_duplicates(subset=["rule", "entity", "book", "file", "sheet", "message"])
    n = len(found)
    found = found.assign(level="unit", voucher_key=None, rows=[[] for _ in range(n)], period="", voucher="",
                         voucher_word="", voucher_no=pd.array([pd.NA] * n, dtype="Int64"),
                         date=pd.Series(pd.NaT, index=found.index, dtype="datetime64[ns]"), summary="", account="",
                         line_id=pd.array([pd.NA] * n, dtype="Int64"))
    found["amount_fen"] = found["amount_fen"].astype("int64")
    return found


def run_rules(ledger: pd.DataFrame, sheets: list[SheetInfo], rules: list[Rule], policy: Policy,
              periods: tuple[str, str] | None = None) -> tuple[pd.DataFrame, list[RuleGap]]:
    """All findings of all enabled rules (ordered by entity, book, period, voucher, rule) and the
    sheets each rule could not run on."""
    enabled = [rule for rule in rules if rule.enabled]
    # Rules are pure and independent: a few threads run them side by side (numpy and pandas
    # release the GIL in their inner loops).  Results are taken in rule order, so the output
    # does not depend on which finished first.
    workers = min(len(enabled), usable_cpus(), RULE_THREADS)
    with _sharing(ledger):
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rule") as pool:
                outcomes = list(pool.map(lambda rule: _run_rule(rule, ledger, sheets, policy), enabled))
        else:
            outcomes = [_run_rule(rule, ledger, sheets, policy) for rule in enabled]
    results = [result for rule_results, _ in outcomes for result in rule_results]
    gaps = [gap for _, rule_gaps in outcomes for gap in rule_gaps]
    if not results:
        return empty_findings(), gaps

    found = pd.concat(results, ignore_index=True)
    level = found["level"].fillna("voucher") if "level" in found.columns else pd.Series("voucher", index=found.index)
    if not level.isin(LEVELS).all():
        raise ValueError(f"规则结果的 level 只能是 {LEVELS}：{sorted(set(level) - set(LEVELS))}")
    is_unit = (level == "unit").to_numpy()
    parts = []
    if (~is_unit).any():
        stray = [c for c in ("level", "file", "sheet", "period") if c in found.columns]
        parts.append(_voucher_findings(ledger, found[~is_unit].drop(columns=stray), periods))
    if is_unit.any():
        parts.append(_unit_findings(ledger, found[is_unit]))
    found = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    found["_severity_order"] = found["severity"].map(SEVERITY_ORDER)
    found = found.sort_values(["entity", "book", "period", "voucher_word", "voucher_no",
                               "_severity_order", "rule", "line_id"], kind="stable")
    found["finding_id"] = finding_identities(found, ledger)
    return found[list(FINDING_COLUMNS)].reset_index(drop=True), gaps
