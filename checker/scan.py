"""The whole flow: collect inputs → read and normalise → validate → run rules → result.

Also the JSON form of a result, which is a stable contract (documented in the README)."""
from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from . import __version__
from .engine import run_rules, units_of_sheets
from .model import DataError, ReadResult, ScanResult, parse_period_filter  # noqa: F401 - part of this module's API
from .policy import Policy, prepare_rules, settle_for_units
from .batch import collect_inputs, nothing_read, read_inputs, with_schema_checked
from .registry import discover
from .schema import validate_ledger

JSON_VERSION = 1


def scan(paths, policy: Policy, *, jobs: int | None = 1, only: tuple[str, ...] = (), skip: tuple[str, ...] = (),
         groups: tuple[str, ...] = (), periods: tuple[str, str] | None = None, progress=None, on_files=None, inputs=None,
         opener=None, started: dt.datetime | None = None) -> ScanResult:
    """``inputs`` (items, errors) as collect_inputs found them and ``opener`` (a sources.Opener
    already reading them) let the command line start reading before this module is loaded."""
    started = started or dt.datetime.now().replace(microsecond=0)
    try:
        rules = prepare_rules(discover(), policy, only, skip, groups)
    except Exception:
        if opener is not None:
            opener.close()
        raise
    items, input_errors = inputs if inputs is not None else collect_inputs(paths)
    if on_files:
        on_files(len(items))
    read = read_inputs(items, policy, jobs=jobs, progress=progress, opener=opener, validate=False)
    read = ReadResult(read.ledger, read.sheets, input_errors + read.errors, read.dropped)
    empty = nothing_read(read, len(items))
    if empty is not None:
        read.errors.append(empty)
    # The units of the lines (a sheet may name its unit row by row), which the overrides apply to.
    units = {unit for found in units_of_sheets(read.ledger).values() for unit in found} if policy.overrides else set()
    settle_for_units(rules, policy, units)
    read.errors.extend(DataError(policy.file_name, "", None, "", note, "policy")
                       for note in policy.unmatched_overrides(units))
    # The schema check and the rules read the same ledger side by side (pandera's checks run in
    # Arrow kernels that leave the GIL to the rules).  A line that breaks the schema is a defect of
    # the reader, rare; when there is one, the rules run again without it.
    # A rule that fails on such a line is run again too, and fails only if it fails without it.
    failure = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="schema") as pool:
        checking = pool.submit(validate_ledger, read.ledger)
        try:
            findings, gaps = run_rules(read.ledger, read.sheets, rules, policy, periods)
        except Exception as exc:  # noqa: BLE001 - decided below, once the schema check is in
            failure = exc
        checked = with_schema_checked(read, *checking.result())
    if checked is not read:
        read = checked
        findings, gaps = run_rules(read.ledger, read.sheets, rules, policy, periods)
    elif failure is not None:
        raise failure
    return ScanResult(read=read, findings=findings, rule_gaps=gaps, rules=rules, inputs=[str(p) for p in paths],
                      policy_path=policy.path, started_at=started, finished_at=dt.datetime.now().replace(microsecond=0),
                      periods=periods, version=__version__, policy=policy)


def _date_text(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def result_to_json(result: ScanResult) -> dict:
    """The JSON contract: {"version", "files", "errors", "findings"} plus "rule_gaps", "scores" and
    "run"; each finding also carries its voucher's "score" (README "JSON output")."""
    # Column by column to Python lists: itertuples makes a Python object per Arrow cell, slowly.
    columns = ("rule", "severity", "level", "entity", "book", "file", "sheet", "rows", "period", "voucher",
               "voucher_no", "date", "amount_fen", "message", "finding_id")
    frame = result.findings
    lists = [frame[column].tolist() if column in frame.columns else ["voucher"] * len(frame) for column in columns]
    findings = [
        {"rule": rule, "severity": severity, "level": "voucher", "entity": entity, "book": book, "file": file,
         "sheet": sheet, "rows": [int(r) for r in rows], "period": period, "voucher": voucher,
         "voucher_number": int(number), "date": _date_text(date), "amount": int(fen) / 100, "message": message,
         "score": float(score), "id": finding_id}
        if level != "unit" else
        # A finding about a whole unit (or one of its sheets) has no voucher, rows, period or date.
        {"rule": rule, "severity": severity, "level": "unit", "entity": entity, "book": book, "file": file or None,
         "sheet": sheet or None, "rows": [], "period": None, "voucher": None, "voucher_number": None,
         "date": None, "amount": int(fen) / 100, "message": message, "score": float(score),
         "id": finding_id}
        for rule, severity, level, entity, book, file, sheet, rows, period, voucher, number, date, fen, message, finding_id,
        score in zip(*lists, result.finding_scores)
    ]
    return {
        "version": JSON_VERSION,
        "files": [s.as_json() for s in result.read.sheets if s.status == "read"],
        "errors": [e.as_json() for e in result.errors],
        "findings": findings,
        "rule_gaps": [{"rule": g.rule, "file": g.file, "sheet": g.sheet, "missing": list(g.missing), "note": g.note}
                      for g in result.rule_gaps],
        "scores": scores_to_json(result),
        "run": {"tool_version": result.version, "started_at": result.started_at.isoformat(),
                "inputs": result.inputs, "policy": result.policy_path,
                "periods": list(result.periods) if result.periods else None},
    }


def scores_to_json(result: ScanResult) -> dict:
    """Rule weights and groups, each flagged voucher's score and the units' ranking."""
    vouchers = result.voucher_scores
    voucher_columns = ("entity", "book", "file", "sheet", "period", "voucher", "score", "band", "amount_fen", "rules")

    def voucher_json(entity, book, file, sheet, period, voucher, score, band, fen, rules):
        return {"entity": entity, "book": book, "file": file, "sheet": sheet, "period": period, "voucher": voucher,
                "score": float(score), "band": band, "amount": int(fen) / 100, "rules": list(rules)}
    return {
        "method": "voucher: sum of the weights of the rules it triggers, capped at 100 (low < 30 <= medium < 50 "
                  "<= high); unit: sum of its vouchers' scores and unit-level findings' weights, / 100",
        "rules": {rule.id: {"weight": float(rule.weight), "group": rule.group} for rule in result.rules if rule.enabled},
        "vouchers": [voucher_json(*row) for row in zip(*(vouchers[c].tolist() for c in voucher_columns))],
        "units": [{"rank": int(unit.rank), "entity": unit.entity, "score": float(unit.score),
                   "vouchers": {"high": int(unit.high), "medium": int(unit.medium), "low": int(unit.low)},
                   "amount": int(unit.amount_fen) / 100, "unit_findings": int(unit.unit_findings),
                   "top": [{"file": v["file"], "sheet": v["sheet"], "voucher": v["voucher"], "period": v["period"],
                            "score": float(v["score"])} for v in unit.top]}
                  for unit in result.unit_ranking.itertuples()],
    }


def dump_json(result: ScanResult, review=None) -> str:
    """``review`` (a voucher_checker.review.rescan.ReviewOverlay, from ``scan --db``) adds "review"."""
    data = result_to_json(result)
    if review is not None:
        data["review"] = review.as_json()
    return readable_json(data)


def readable_json(data: dict) -> str:
    """``data`` with each top-level key on its own line and each item of a top-level list on its
    own line: as easy to read and diff as indented JSON, but every piece goes through json's C
    encoder (``indent`` makes it fall back to pure Python, 0.3 s for a district's findings)."""
    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    def member(value) -> str:
        if isinstance(value, list) and value:
            return "[\n" + ",\n".join("    " + dumps(item) for item in value) + "\n  ]"
        if isinstance(value, dict) and value and any(isinstance(v, list) and v for v in value.values()):
            return "{\n" + ",\n".join(f"    {dumps(k)}: {dumps(v)}" for k, v in value.items()) + "\n  }"
        return dumps(value)
    return "{\n" + ",\n".join(f"  {dumps(key)}: {member(value)}" for key, value in data.items()) + "\n}"
