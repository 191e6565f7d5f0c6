"""engine.shared: what several rules derive from one ledger is built once a run, then forgotten."""
from __future__ import annotations

import gc
import threading
import weakref

import pandas as pd

from voucher_checker import engine
from voucher_checker.rules import _common


def _payment_ledger() -> pd.DataFrame:
    return pd.DataFrame({"voucher_id": [0, 0], "account_class": ["expense", "cash"], "debit_fen": [500, 0],
                         "credit_fen": [0, 500], "date": pd.to_datetime(["2021-03-01"] * 2), "line_id": [0, 1]})


def test_built_once_per_run_and_key_even_from_two_threads():
    ledger = pd.DataFrame({"a": [1, 2]})
    builds = []
    started = threading.Barrier(2)

    def build(lines):
        builds.append(len(lines))
        return object()

    got = []

    def ask():
        started.wait()
        got.append(engine.shared(ledger, ("test",), build))

    with engine._sharing(ledger):
        threads = [threading.Thread(target=ask) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert builds == [2] and got[0] is got[1]
        assert engine.shared(ledger, ("other",), build) is not got[0]
        assert builds == [2, 2]
    # After the run, and outside any run, nothing is kept: each call builds.
    assert engine.shared(ledger, ("test",), build) is not got[0]
    assert builds == [2, 2, 2]
    assert id(ledger) not in engine._SHARED_PER_RUN


def test_payments_shared_for_the_same_classes_only():
    ledger = _payment_ledger()
    with engine._sharing(ledger):
        first = _common.payments_of(ledger, ["expense"])
        assert _common.payments_of(ledger, ("expense",)) is first
        assert list(first.paid) == [500]
        assert _common.payments_of(ledger, ["expense", "asset"]) is not first


def test_a_run_keeps_no_ledger_alive():
    # Payments holds its ledger: kept past the run, it would keep every ledger a long-running
    # serve checks.
    ledger = _payment_ledger()
    alive = weakref.ref(ledger)
    with engine._sharing(ledger):
        _common.payments_of(ledger, ["expense"])
    del ledger
    gc.collect()
    assert alive() is None
