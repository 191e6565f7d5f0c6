"""Every rule against its table of cases in ``cases/<module>.py``: flagged vouchers and clean
look-alikes side by side.  Adding a case is adding a row there.

A case: ``rows`` (for ``voucher_checker.testing.ledger_from_rows``), optional ``book`` and ``options``
(over the defaults of the rule's OPTIONS), and ``expect``: one entry per flagged voucher with its display
number, the amount in yuan, text the message must contain and the severity; ``[]`` means clean.
An entry with ``"absent": True`` asserts that voucher is not flagged.  A unit finding (about the
whole unit, or one of its sheets, not a voucher) is expected under ``"voucher": "单位整体"`` or
``"voucher": "表:<sheet>"``.  ``gap_notes`` lists (file, sheet, text) of the rule gaps the rule
notes (``with_gap_notes``): each note must contain the text, and a case without it expects none.
"""
from __future__ import annotations

import importlib
import pkgutil
from decimal import Decimal

import pandas as pd
import pytest

from voucher_checker.engine import GAP_NOTES, RULE_RESULT_COLUMNS
from voucher_checker.options import defaults_of
from voucher_checker.testing import ledger_from_rows
from tests.rules import cases as cases_package


def _load_cases():
    params = []
    for info in pkgutil.iter_modules(cases_package.__path__):
        if info.name.startswith("_"):
            continue
        rule = importlib.import_module(f"voucher_checker.rules.{info.name}")
        data = importlib.import_module(f"tests.rules.cases.{info.name}")
        for case in data.CASES:
            params.append(pytest.param(rule, case, id=f"{rule.ID}: {case['name']}"))
    return params


def _fen(yuan) -> int:
    return int(Decimal(str(yuan)) * 100)


@pytest.mark.parametrize(("rule", "case"), _load_cases())
def test_case(rule, case):
    ledger = ledger_from_rows(case["rows"], book=case.get("book", "admin"))
    before = ledger.copy(deep=True)
    result = rule.check(ledger, {**defaults_of(rule.OPTIONS), **case.get("options", {})})
    pd.testing.assert_frame_equal(ledger, before, obj="the ledger must not be mutated")
    assert set(RULE_RESULT_COLUMNS) <= set(result.columns)
    assert result["line_id"].isin(ledger["line_id"]).all()
    notes = result.attrs.get(GAP_NOTES, ())
    assert len(notes) == len(case.get("gap_notes", [])), notes
    for (file, sheet, text), (noted_file, noted_sheet, note) in zip(case.get("gap_notes", []), notes):
        assert (file, sheet) == (noted_file, noted_sheet) and text in note, note

    voucher_of_key = ledger.groupby("voucher_key")["voucher"].first()
    is_unit = (result["level"] == "unit") if "level" in result.columns else pd.Series(False, index=result.index)
    sheet = result["sheet"].fillna("") if "sheet" in result.columns else pd.Series("", index=result.index)
    unit_label = ("表:" + sheet.astype(str)).where(sheet != "", "单位整体")
    result = result.assign(shown=result["voucher_key"].map(voucher_of_key).where(~is_unit, unit_label))
    expected = [e for e in case["expect"] if not e.get("absent")]
    assert sorted(result["shown"]) == sorted(e["voucher"] for e in expected), result["message"].tolist()
    for e in case["expect"]:
        found = result[result["shown"] == e["voucher"]]
        if e.get("absent"):
            assert found.empty
            continue
        finding = found.iloc[0] if len(found) == 1 else found[found["message"].str.contains(
            (e["message"] if isinstance(e.get("message"), str) else (e.get("message") or [""])[0]), regex=False)].iloc[0]
        if "amount" in e:
            assert finding["amount_fen"] == _fen(e["amount"]), finding["message"]
        texts = e.get("message", [])
        for text in [texts] if isinstance(texts, str) else texts:
            assert text in finding["message"], finding["message"]
        severity = finding["severity"] if "severity" in result.columns else rule.SEVERITY
        assert severity == e.get("severity", rule.SEVERITY)
        if finding.get("level") == "unit":
            assert finding["voucher_key"] is None, "a unit finding names no voucher"
            continue
        assert ledger.loc[finding["line_id"], "voucher_key"] == finding["voucher_key"], \
            "the line shown belongs to the voucher"
