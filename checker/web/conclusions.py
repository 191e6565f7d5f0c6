"""The reviewers' conclusions entered in the page (核实结论, 整改措施, 责任人, 备注), kept in the
review store (voucher_checker.review) that `review import` and `scan --db` use, so the page and
the workbook never disagree.

The page talks to this module only.  A scan from the page is recorded in the store as a
``scan --db`` is: its findings become cases (新发现, 仍存在, 整改后仍存在 …), and the report
downloaded from the page carries what the store holds, including what was typed in the page.
A conclusion saved in the page is one change of its case, like one row of an import; unlike an
import, a field emptied in the page is emptied (the page shows exactly what it saves).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
from pathlib import Path

import pandas as pd

from ..identity import place_of
from ..report.common import REVIEW_CHOICES
from ..review.importer import record_conclusion
from ..review.rescan import NOTE_RECHECK, ReviewOverlay, reconcile
from ..review.store import FALSE, Conclusion, StoreError, default_store_path, open_store  # noqa: F401

FIELDS = ("verdict", "measures", "responsible", "note")
FIELD_LABELS = {"verdict": "核实结论", "measures": "整改措施", "responsible": "责任人", "note": "备注"}
MAX_TEXT = 2000                # characters in one field: a paragraph, not a document
FROM_PAGE = "网页（voucher-check serve）"     # what the store's imports table names as the source


class ConclusionError(ValueError):
    """A conclusion that cannot be saved; the message says why, in Chinese."""


def finding_identities(findings: pd.DataFrame) -> pd.Series:
    """Each finding's identity (voucher_checker.identity, computed by the engine)."""
    return findings["finding_id"].astype(str)


def checked(values: dict) -> dict[str, str]:
    """The fields of a conclusion as the page sent them, checked."""
    clean = {}
    for name in FIELDS:
        value = values.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ConclusionError(f"{FIELD_LABELS[name]}应为文字。")
        value = value.replace("\r\n", "\n").strip()
        if len(value) > MAX_TEXT:
            raise ConclusionError(f"{FIELD_LABELS[name]}太长（{len(value)} 字），最多 {MAX_TEXT} 字。")
        clean[name] = value
    if clean["verdict"] and clean["verdict"] not in REVIEW_CHOICES:
        raise ConclusionError(f"核实结论应为 {'、'.join(REVIEW_CHOICES)} 之一，或留空。")
    return clean


def _who() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def _as_page(conclusion: Conclusion | None) -> dict[str, str]:
    conclusion = conclusion or Conclusion()
    return {name: getattr(conclusion, name) for name in FIELDS}


class ConclusionStore:
    """The review store at ``path``, opened for each call (the page's requests arrive on several
    threads, and `review import` may write to the same file meanwhile)."""

    def __init__(self, path=None):
        self.path = Path(path) if path else default_store_path()
        with open_store(self.path):          # refuses a damaged or foreign file before serving
            pass

    def record_scan(self, result) -> ReviewOverlay:
        """Record a scan from the page as a run: its findings become cases with their status."""
        with open_store(self.path) as store:
            return reconcile(store, result)

    def conclusions(self, identities) -> dict[str, dict[str, str]]:
        """The conclusion in force for each of ``identities`` that has one."""
        identities = list(dict.fromkeys(identities))
        with open_store(self.path) as store:
            cases = store.case_of(identities)
            held = store.conclusions()
        return {identity: _as_page(held[case]) for identity, case in cases.items() if case in held}

    def save(self, identity: str, finding: dict, values: dict) -> dict[str, str]:
        """Record ``values`` (checked) as the conclusion of the finding ``identity``; 整改时限 and
        整改情况 imported from a workbook are kept."""
        values = checked(values)
        who = _who()
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        with open_store(self.path) as store, store.transaction() as connection:
            case = store.case_of([identity]).get(identity)
            if case is None:         # a scan recorded in another store meanwhile: known from now on
                amount = finding.get("amount_fen")
                connection.execute(
                    "INSERT INTO findings (id, place, case_id, entity, book, period, voucher, rule, title, message, "
                    "amount_fen, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (identity, place_of(identity), identity, *(str(finding.get(k) or "") for k in (
                        "entity", "book", "period", "voucher", "rule", "title", "message")),
                     None if amount is None or pd.isna(amount) else int(amount), now))
                case = identity
            before = store.conclusions().get(case, Conclusion())
            after = dataclasses.replace(before, **values, concluded_by=who)
            if after.fields() != before.fields():
                cursor = connection.execute(
                    "INSERT INTO imports (report, imported_at, concluded_by, taken, unchanged, unmatched) "
                    "VALUES (?, ?, ?, 1, 0, 0)", (FROM_PAGE, now, who))
                record_conclusion(connection, case, store.last_run(), after, who, cursor.lastrowid)
        return values

    def overlay(self, recorded: ReviewOverlay) -> ReviewOverlay:
        """The overlay of a recorded scan with the conclusions in force now (some typed in the page
        since): the report shows them, and a finding concluded 不属实 goes to its own sheet."""
        identities = list(recorded.present)
        with open_store(self.path) as store:
            cases = store.case_of(identities)
            held = store.conclusions()
        present = {}
        for identity, carried in recorded.present.items():
            conclusion = held.get(cases.get(identity, identity), carried.conclusion)
            present[identity] = dataclasses.replace(carried, conclusion=conclusion)
        false_ids = {identity for identity, carried in present.items()
                     if carried.conclusion.verdict == FALSE and carried.note != NOTE_RECHECK}
        return ReviewOverlay(recorded.run, present, false_ids, list(recorded.rectified))

    def write_report(self, result, recorded: ReviewOverlay | None, path) -> None:
        """The Excel report of ``result`` with the reviewer columns as the store holds them."""
        from ..report import write_report
        write_report(result, path, review=self.overlay(recorded) if recorded is not None else None)

    def write_progress(self, path) -> None:
        """The 整改进展 workbook over every run in the store (`voucher-check progress`)."""
        from ..review.progress import write_progress
        printed_at = "生成于 " + dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        with open_store(self.path) as store:
            write_progress(store, path, printed_at)
