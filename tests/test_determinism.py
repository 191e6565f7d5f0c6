"""An auditor can rerun a scan and get the same result."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from voucher_checker.policy import Policy
from voucher_checker.report import write_report
from voucher_checker.scan import result_to_json, scan

SAMPLES = Path(__file__).resolve().parents[1] / "sample_ledgers"


def _without_run_time(data: dict) -> dict:
    data = json.loads(json.dumps(data, ensure_ascii=False))
    data["run"].pop("started_at")
    return data


def _cells(path: Path) -> dict:
    workbook = openpyxl.load_workbook(path)
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in workbook}


def test_same_inputs_give_same_findings_and_report(tmp_path):
    first = scan([SAMPLES], Policy(), jobs=1)
    second = scan([SAMPLES], Policy(), jobs=2)
    assert _without_run_time(result_to_json(first)) == _without_run_time(result_to_json(second))
    # when it ran and how long it took are the only values that legitimately differ
    second.started_at, second.finished_at = first.started_at, first.finished_at
    write_report(first, tmp_path / "a.xlsx")
    write_report(second, tmp_path / "b.xlsx")
    assert _cells(tmp_path / "a.xlsx") == _cells(tmp_path / "b.xlsx")


def test_findings_are_ordered_by_entity_book_period_voucher():
    findings = scan([SAMPLES], Policy(), jobs=1).findings
    keys = list(zip(findings["entity"], findings["book"], findings["period"], findings["voucher_word"],
                    findings["voucher_no"]))
    assert keys == sorted(keys)
