"""The whole flow: collect inputs → read and normalise → validate → run rules → result.

Also the JSON form of a result, which is a stable contract (documented in the README)."""
from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd

from . import __version__
from .engine import run_rules
from .model import ReadResult, ScanResult
from .policy import Policy, prepare_rules
from .read import collect_inputs, read_inputs
from .registry import discover

JSON_VERSION = 1
_PERIOD = re.compile(r"^(\d{4})-?(\d{1,2})$")


def parse_period_filter(text: str | None) -> tuple[str, str] | None:
    """"2021-09" → ("2021-09", "2021-09"); "2021-01..2021-06" → a range.  ValueError if malformed."""
    if not text:
        return None
    parts = text.split("..")
    if len(parts) > 2:
        raise ValueError(text)
    normalised = []
    for part in parts:
        match = _PERIOD.match(part.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(part)
        normalised.append(f"{int(match.group(1)):04d}-{int(match.group(2)):02d}")
    start, end = normalised[0], normalised[-1]
    if start > end:
        raise ValueError(text)
    return start, end


def scan(paths, policy: Policy, *, jobs: int | None = 1, only: tuple[str, ...] = (), skip: tuple[str, ...] = (),
         periods: tuple[str, str] | None = None, progress=None, on_files=None) -> ScanResult:
    started = dt.datetime.now().replace(microsecond=0)
    rules = prepare_rules(discover(), policy, only, skip)
    items, input_errors = collect_inputs(paths)
    if on_files:
        on_files(len(items))
    read = read_inputs(items, policy, jobs=jobs, progress=progress)
    read = ReadResult(read.ledger, read.sheets, input_errors + read.errors, read.dropped)
    findings, gaps = run_rules(read.ledger, read.sheets, rules, policy, periods)
    return ScanResult(read=read, findings=findings, rule_gaps=gaps, rules=rules, inputs=[str(p) for p in paths],
                      policy_path=policy.path, started_at=started, finished_at=dt.datetime.now().replace(microsecond=0),
                      periods=periods, version=__version__)


def _date_text(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def result_to_json(result: ScanResult) -> dict:
    """The JSON contract: {"version", "files", "errors", "findings"} plus "rule_gaps" and "run"."""
    findings = [
        {"rule": f.rule, "severity": f.severity, "entity": f.entity, "book": f.book, "file": f.file,
         "sheet": f.sheet, "rows": [int(r) for r in f.rows], "period": f.period, "voucher": f.voucher,
         "voucher_number": int(f.voucher_no), "date": _date_text(f.date), "amount": int(f.amount_fen) / 100,
         "message": f.message}
        for f in result.findings.itertuples(index=False)
    ]
    return {
        "version": JSON_VERSION,
        "files": [s.as_json() for s in result.read.sheets if s.status == "read"],
        "errors": [e.as_json() for e in result.errors],
        "findings": findings,
        "rule_gaps": [{"rule": g.rule, "file": g.file, "sheet": g.sheet, "missing": list(g.missing)}
                      for g in result.rule_gaps],
        "run": {"tool_version": result.version, "started_at": result.started_at.isoformat(),
                "inputs": result.inputs, "policy": result.policy_path,
                "periods": list(result.periods) if result.periods else None},
    }


def dump_json(result: ScanResult) -> str:
    return json.dumps(result_to_json(result), ensure_ascii=False, indent=2)
