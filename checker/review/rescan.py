"""`scan --db`: compare a new scan with the store, record it as a run, and say what the report shows.

Each finding of the scan is matched to a *case* the store knows: by its identity, or, when the
voucher was edited since (the identity's content part changed) but one rule still flags it, by
its place, provided exactly one case and one new finding share that place.  Then:

- a case concluded 不属实 is not listed as open again: it goes to a sheet of its own, with the
  reason and who concluded it (when its voucher changed since, it is listed again, to be looked
  at anew);
- a case concluded 已整改, or found rectified by an earlier scan, that is found again is
  整改后仍存在;
- a case seen before is 仍存在 and carries its conclusion, measures and responsible person;
- anything else is 新发现;
- an open case the scan does not find again is 已整改（复查未再出现）, but only where this scan
  looked: its entity, book and period were read, its rule ran there, and the period was not
  left out by --period.  A scan of fewer books never marks the others rectified.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd

from ..identity import place_of
from .store import FALSE, NEW, OPEN, RECTIFIED, RECURRING, Conclusion, Store

NOTE_CHANGED = "凭证分录有变动"
NOTE_RECHECK = "凭证分录有变动，原核实为不属实，请重新核实"


@dataclass
class Carried:
    status: str
    conclusion: Conclusion
    note: str = ""


@dataclass
class ReviewOverlay:
    """What the report shows of the store: per finding identity of this scan its status and the
    conclusion it carries; the findings concluded 不属实; the cases found rectified."""
    run: int
    present: dict[str, Carried] = field(default_factory=dict)
    false_ids: set[str] = field(default_factory=set)
    rectified: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        """The JSON's "review": the run's number, the counts, each finding's status by its id, and
        the ids of the cases found rectified."""
        return {"run": self.run, "counts": self.counts(),
                "status": {identity: carried.status for identity, carried in self.present.items()},
                "rectified": [case["finding_id"] for case in self.rectified]}

    def counts(self) -> dict[str, int]:
        counted = {NEW: 0, OPEN: 0, RECURRING: 0, FALSE: 0}
        for carried in self.present.values():
            counted[carried.status] = counted.get(carried.status, 0) + 1
        counted[RECTIFIED] = len(self.rectified)
        return counted


def _coverage(result) -> tuple[set, dict[str, set]]:
    """The (entity, book, period) the scan read, and per rule that could not run on some
    sheets, the ones it did run on."""
    ledger = result.ledger
    if ledger.empty:
        return set(), {}
    triples = ledger[["entity", "book", "period"]].drop_duplicates()
    read = set(triples.itertuples(index=False, name=None))
    partial: dict[str, set] = {}
    gaps: dict[str, set] = {}
    for gap in result.rule_gaps:
        gaps.setdefault(gap.rule, set()).add((gap.file, gap.sheet))
    for rule, sheets in gaps.items():
        sheet_of = pd.MultiIndex.from_frame(ledger[["file", "sheet"]])
        kept = ledger[~sheet_of.isin(list(sheets))]
        partial[rule] = set(kept[["entity", "book", "period"]].drop_duplicates().itertuples(index=False, name=None))
    return read, partial


def reconcile(store: Store, result) -> ReviewOverlay:
    """Match ``result`` (a ScanResult) with the store and record it as a run, in one transaction."""
    findings = result.findings
    now = dt.datetime.now().replace(microsecond=0).isoformat()
    rule_by_id = {rule.id: rule for rule in result.rules}
    read, partial = _coverage(result)
    with store.transaction() as connection:
        conclusions = store.conclusions()
        ids = findings["finding_id"].tolist()
        cases = store.case_of(ids)
        known_cases = {row[0]: row[1:] for row in store.query(
            # SQLite takes the bare columns from the row with the largest rowid: the latest identity.
            "SELECT case_id, entity, book, period, rule, id, MAX(rowid) FROM findings GROUP BY case_id")}
        last_status = dict(store.query(
            "SELECT o.case_id, o.status FROM occurrences o JOIN (SELECT case_id, MAX(run) AS run FROM occurrences "
            "GROUP BY case_id) last ON o.case_id = last.case_id AND o.run = last.run"))
        # Place fallback: the cases at a place that no identity of this scan matched.
        matched = set(cases.values())
        unmatched_ids = [i for i in ids if i not in cases]
        by_place: dict[str, list[str]] = {}
        for identity in unmatched_ids:
            by_place.setdefault(place_of(identity), []).append(identity)
        changed: set[str] = set()
        for place, new_ids in by_place.items():
            if len(new_ids) != 1:
                continue
            candidates = {row[0] for row in store.query("SELECT case_id FROM findings WHERE place = ?", (place,))}
            candidates -= matched
            if len(candidates) == 1:
                case = candidates.pop()
                cases[new_ids[0]] = case
                matched.add(case)
                changed.add(new_ids[0])

        cursor = connection.execute("INSERT INTO runs (started_at, tool_version, inputs) VALUES (?, ?, ?)",
                                    (result.started_at.isoformat(), result.version,
                                     json.dumps(result.inputs, ensure_ascii=False)))
        run = cursor.lastrowid
        overlay = ReviewOverlay(run)
        columns = ("finding_id", "entity", "book", "period", "voucher", "rule", "title", "message", "amount_fen")
        present_cases: set[str] = set()
        for identity, entity, book, period, voucher, rule, title, message, amount in zip(
                *(findings[c].tolist() for c in columns)):
            case = cases.get(identity)
            if identity not in cases or identity in changed:
                connection.execute(
                    "INSERT OR IGNORE INTO findings (id, place, case_id, entity, book, period, voucher, rule, title, "
                    "message, amount_fen, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (identity, place_of(identity), case or identity, entity, book, period, voucher, rule, title,
                     message, int(amount) if amount is not None and not pd.isna(amount) else None, now))
            if case is None:
                case = identity
                status, conclusion, note = NEW, Conclusion(), ""
            else:
                conclusion = conclusions.get(case, Conclusion())
                note = NOTE_CHANGED if identity in changed else ""
                if conclusion.verdict == "不属实":
                    status = FALSE if identity not in changed else OPEN
                    note = NOTE_RECHECK if identity in changed else note
                elif conclusion.verdict == "已整改" or last_status.get(case) == RECTIFIED:
                    status = RECURRING
                else:
                    status = OPEN
            if case in present_cases:       # two findings of one case in one scan: the first counts
                continue
            present_cases.add(case)
            overlay.present[identity] = Carried(status, conclusion, note)
            if status == FALSE:
                overlay.false_ids.add(identity)
            connection.execute("INSERT INTO occurrences (run, case_id, finding_id, status) VALUES (?, ?, ?, ?)",
                               (run, case, identity, status))

        periods = result.periods
        books_read: dict[str, set] = {}
        for case, (entity, book, period, rule, latest, _) in known_cases.items():
            if case in present_cases:
                continue
            conclusion = conclusions.get(case, Conclusion())
            if conclusion.verdict == "不属实":
                continue
            if rule not in rule_by_id or not result.rule_ran_for(rule_by_id[rule], entity, book):
                continue
            covered = partial.get(rule, read)
            if period:
                if (entity, book, period) not in covered:
                    continue
            else:                                               # a unit finding: its book was read
                if rule not in books_read:
                    books_read[rule] = {(e, b) for e, b, _ in covered}
                if (entity, book) not in books_read[rule]:
                    continue
            if periods is not None and not (periods[0] <= period <= periods[1]):
                continue
            connection.execute("INSERT INTO occurrences (run, case_id, finding_id, status) VALUES (?, ?, ?, ?)",
                               (run, case, latest, RECTIFIED))
            row = store.query("SELECT entity, book, period, voucher, title, message, amount_fen FROM findings "
                              "WHERE id = ?", (latest,))[0]
            overlay.rectified.append({"finding_id": latest, "entity": row[0], "book": row[1], "period": row[2],
                                      "voucher": row[3], "title": row[4], "message": row[5], "amount_fen": row[6],
                                      "conclusion": conclusion, "first": last_status.get(case) != RECTIFIED})
    return overlay
