"""A finding's identity stays the same when the books are re-exported, re-sorted or renamed,
and changes only where the finding itself changed."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow

from voucher_checker.engine import run_rules
from voucher_checker.identity import IDENTITY_PATTERN, hash_strings, place_of
from voucher_checker.model import SheetInfo
from voucher_checker.policy import Policy, prepare_rules
from voucher_checker.registry import discover
from voucher_checker.testing import combine_ledgers, ledger_from_rows

RULES = prepare_rules(discover(), Policy(), only=("petty-cash-over-limit", "cash-payment"))

OVER = [("记-6", "2021-03-06", "提取备用金", "1001 库存现金", "2500", ""),
        ("记-6", "2021-03-06", "提取备用金", "1002 银行存款", "", "2500")]
CLEAN = [("记-7", "2021-03-08", "提取备用金", "1001 库存现金", "1500", ""),
         ("记-7", "2021-03-08", "提取备用金", "1002 银行存款", "", "1500")]


def _ids(*parts, file="a.xlsx", sheet="3月", first_row=2, entity="建设社区") -> list[str]:
    ledgers = [ledger_from_rows(rows, file=file, sheet=sheet, first_row=first_row + 10 * i, entity=entity)
               for i, rows in enumerate(parts)]
    ledger = combine_ledgers(*ledgers) if len(ledgers) > 1 else ledgers[0]
    sheets = [SheetInfo(file, sheet, fields=frozenset(("date", "voucher", "summary", "account_code",
                                                       "account_name", "debit", "credit")), lines=len(ledger))]
    findings, _ = run_rules(ledger, sheets, RULES, Policy())
    return findings["finding_id"].tolist()


def test_identity_has_the_documented_form_and_is_pinned():
    ids = _ids(OVER)
    assert len(ids) == 1 and IDENTITY_PATTERN.match(ids[0])
    # Pinned: a change of the scheme would make every store forget its conclusions.
    assert ids == ["547877fa19dc-758fec73"]
    assert hash_strings(pyarrow.array(["", "a", "社区"])).tolist() == hash_strings(["", "a", "社区"]).tolist()


def test_identity_ignores_file_sheet_rows_line_order_and_other_vouchers():
    base = _ids(OVER)
    assert _ids(OVER, file="改名.xlsx", sheet="Sheet1", first_row=200) == base
    assert _ids(list(reversed(OVER))) == base
    assert _ids(CLEAN, OVER) == base
    assert _ids(OVER, entity="建设 社区") == base          # spaces are not part of a name


def test_identity_follows_the_finding():
    base = _ids(OVER)[0]
    edited = [(v, d, "提取备用金（补）", a, dr, cr) for v, d, _, a, dr, cr in OVER]
    changed = _ids(edited)[0]
    assert changed != base and place_of(changed) == place_of(base)     # same voucher and rule, new lines
    other_number = [("记-8", *row[1:]) for row in OVER]
    assert place_of(_ids(other_number)[0]) != place_of(base)
    assert place_of(_ids(OVER, entity="幸福村")[0]) != place_of(base)


def test_hash_is_our_own_and_vectorised():
    values = ["", "a", "ab", "社区", "a" * 1000] * 3
    hashes = hash_strings(pd.Series(values, dtype="str"))
    assert hashes.dtype == np.uint64 and len(set(hashes.tolist())) == 5
    assert hashes[:5].tolist() == hashes[5:10].tolist()
    sliced = pyarrow.array(values).slice(1, 4)
    assert hash_strings(sliced).tolist() == hashes[1:5].tolist()


def test_a_unit_level_finding_is_identified_by_unit_sheet_and_rule():
    from voucher_checker.identity import finding_identities
    ledger = ledger_from_rows(OVER + CLEAN)
    findings, _ = run_rules(ledger, [SheetInfo("test.xlsx", "Sheet1", fields=frozenset((
        "date", "voucher", "summary", "account_code", "account_name", "debit", "credit")), lines=4)], RULES, Policy())
    unit = findings.assign(level="unit", line_id=pd.array([pd.NA], dtype="Int64"), voucher_key=None, period="",
                           voucher_word="", voucher_no=pd.array([pd.NA], dtype="Int64"), sheet="")
    ids = finding_identities(unit, ledger).tolist()
    assert IDENTITY_PATTERN.match(ids[0]) and ids != findings["finding_id"].tolist()
    assert finding_identities(unit.assign(message="另一个数"), ledger).tolist() == ids
    assert finding_identities(unit.assign(sheet="3月"), ledger).tolist() != ids
