"""`review import`: take the conclusions of filled-in reports into the store, in one transaction.

A row is matched by its 识别码.  An empty cell never erases what the store holds (a report
written without ``--db`` has every reviewer cell empty), so importing an old report after a
newer one loses nothing, and importing a report twice changes nothing the second time.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..fields import BOOK_LABELS
from ..identity import place_of
from .store import CONCLUSION_FIELDS, Conclusion, Store
from .workbook import ReportContent, ReviewRow, Unmatched

_BOOK_CODES = {label: code for code, label in BOOK_LABELS.items()}


@dataclass
class ImportSummary:
    taken: int = 0              # rows whose conclusion was new or changed
    unchanged: int = 0          # rows filled in as the store already had them
    blank: int = 0              # rows with nothing filled in
    unmatched: list[Unmatched] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _rule_ids() -> dict[str, str]:
    from ..registry import discover
    return {rule.title: rule.id for rule in discover()}


def _consistent(rows: list[ReviewRow], summary: ImportSummary) -> list[ReviewRow]:
    """One row per identity: a row copied within a report is fine when it says the same, and
    both are left out when they disagree."""
    by_identity: dict[str, list[ReviewRow]] = {}
    for row in rows:
        by_identity.setdefault(row.identity, []).append(row)
    kept = []
    for identity, same in by_identity.items():
        filled = [r for r in same if any(r.values.values())]
        distinct = {tuple(r.values[name] for name in CONCLUSION_FIELDS) for r in filled}
        if len(distinct) > 1:
            places = "、".join(r.sheet + f" 第{r.row}行" for r in filled)
            summary.unmatched.extend(Unmatched(r.sheet, r.row, f"同一识别码出现在多行（{places}），填写的结论不同")
                                     for r in filled)
            continue
        kept.append(filled[0] if filled else same[0])
    return kept


def import_reports(store: Store, reports: list[ReportContent], concluded_by: str) -> ImportSummary:
    summary = ImportSummary()
    rows: list[ReviewRow] = []
    for report in reports:
        rows.extend(report.rows)
        summary.unmatched.extend(report.unmatched)
        summary.notes.extend(report.notes)
    rows = _consistent(rows, summary)
    rule_ids = None
    now = dt.datetime.now().replace(microsecond=0).isoformat()
    with store.transaction() as connection:
        after_run = store.last_run()
        cases = store.case_of(r.identity for r in rows)
        current = store.conclusions()
        pending: list[tuple] = []
        for row in rows:
            filled = {name: value for name, value in row.values.items() if value}
            if not filled:
                summary.blank += 1
                continue
            case = cases.get(row.identity)
            if case is None:
                if rule_ids is None:
                    rule_ids = _rule_ids()
                d = row.description
                connection.execute(
                    "INSERT INTO findings (id, place, case_id, entity, book, period, voucher, rule, title, message, "
                    "amount_fen, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row.identity, place_of(row.identity), row.identity, d["entity"], _BOOK_CODES.get(d["book"], d["book"]),
                     d["period"], d["voucher"], rule_ids.get(d["title"], ""), d["title"], d["message"],
                     d["amount_fen"], now))
                case = cases[row.identity] = row.identity
            before = current.get(case, Conclusion())
            after = before.merged(filled)
            if after.fields() == before.fields():
                summary.unchanged += 1
                continue
            current[case] = Conclusion(*after.fields(), concluded_by=concluded_by)
            pending.append((case, after))
            summary.taken += 1
        if pending:
            report_names = "；".join(str(r.path) for r in reports)
            cursor = connection.execute(
                "INSERT INTO imports (report, imported_at, concluded_by, taken, unchanged, unmatched) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (report_names, now, concluded_by, summary.taken, summary.unchanged, len(summary.unmatched)))
            import_id = cursor.lastrowid
            for case, conclusion in pending:
                record_conclusion(connection, case, after_run, conclusion, concluded_by, import_id)
    return summary


def record_conclusion(connection, case: str, after_run: int, conclusion: Conclusion, concluded_by: str,
                      import_id: int) -> None:
    """One conclusion row (a function of its own: the tests stop an import half-way here)."""
    connection.execute(
        "INSERT INTO conclusions (case_id, after_run, verdict, measures, responsible, deadline, progress, note, "
        "concluded_by, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (case, after_run, *conclusion.fields(), concluded_by, import_id))
