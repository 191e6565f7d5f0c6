"""rules._common.shared: what several rules derive from one ledger is built once per ledger."""
from __future__ import annotations

import gc
import threading

import pandas as pd

from voucher_checker.rules import _common


def test_built_once_per_ledger_and_key_even_from_two_threads():
    ledger = pd.DataFrame({"a": [1, 2]})
    builds = []
    started = threading.Barrier(2)

    def build(lines):
        builds.append(len(lines))
        return object()

    got = []

    def ask():
        started.wait()
        got.append(_common.shared(ledger, ("test",), build))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [2] and got[0] is got[1]
    assert _common.shared(ledger, ("other",), build) is not got[0]
    assert builds == [2, 2]


def test_forgotten_with_its_ledger():
    ledger = pd.DataFrame({"a": [1]})
    _common.shared(ledger, ("kept",), lambda lines: "x")
    slot = (id(ledger), ("kept",))
    assert slot in _common._SHARED
    del ledger
    gc.collect()
    assert slot not in _common._SHARED


def test_payments_shared_for_the_same_classes_only():
    ledger = pd.DataFrame({"voucher_id": [0, 0], "account_class": ["expense", "cash"], "debit_fen": [500, 0],
                           "credit_fen": [0, 500], "date": pd.to_datetime(["2021-03-01"] * 2),
                           "line_id": [0, 1]})
    first = _common.payments_of(ledger, ["expense"])
    assert _common.payments_of(ledger, ("expense",)) is first
    assert list(first.paid) == [500]
    assert _common.payments_of(ledger, ["expense", "asset"]) is not first
