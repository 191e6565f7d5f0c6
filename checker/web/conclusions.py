"""The reviewers' conclusions entered in the page: 核实结论, 整改措施, 责任人, 备注 per finding.

The page talks to this module only, so the store behind it can change without the page
noticing.  Until the review store (voucher_checker.review) is in, this is a small SQLite table
keyed by a finding's identity.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd

from ..report.common import REVIEW_CHOICES

FIELDS = ("verdict", "measures", "responsible", "note")
FIELD_LABELS = {"verdict": "核实结论", "measures": "整改措施", "responsible": "责任人", "note": "备注"}
MAX_TEXT = 2000                # characters in one field: a paragraph, not a document
ENV_VARIABLE = "VOUCHER_CHECK_DB"
DEFAULT_STORE = Path("reports") / "voucher-check.db"


class ConclusionError(ValueError):
    """A conclusion that cannot be saved; the message says why, in Chinese."""


def default_store_path() -> Path:
    given = os.environ.get(ENV_VARIABLE, "").strip()
    return Path(given) if given else DEFAULT_STORE


def finding_identities(findings: pd.DataFrame) -> pd.Series:
    """Each finding's identity: the same finding in a later scan of the same books has the same one."""
    if "finding_id" in findings.columns:
        return findings["finding_id"].astype(str)
    columns = ("entity", "book", "period", "voucher_key", "rule", "message")
    parts = zip(*(findings[c].astype(str).tolist() for c in columns))
    return pd.Series([hashlib.sha1("\x1f".join(p).encode("utf-8")).hexdigest()[:20] for p in parts],
                     index=findings.index, dtype=object)


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


class ConclusionStore:
    """Conclusions by finding identity, in an SQLite file (one connection per call: the page's
    requests arrive on several threads)."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS web_conclusions (finding_id TEXT PRIMARY KEY, verdict TEXT NOT NULL, "
                "measures TEXT NOT NULL, responsible TEXT NOT NULL, note TEXT NOT NULL, saved_at TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(str(self.path), timeout=30)
        connection.execute("PRAGMA busy_timeout = 30000")
        return connection

    def conclusions(self, identities) -> dict[str, dict[str, str]]:
        """The conclusion in force for each of ``identities`` that has one."""
        identities = list(dict.fromkeys(identities))
        found = {}
        with closing(self._connect()) as connection:
            for start in range(0, len(identities), 500):
                part = identities[start:start + 500]
                rows = connection.execute(
                    f"SELECT finding_id, {', '.join(FIELDS)} FROM web_conclusions "
                    f"WHERE finding_id IN ({','.join('?' * len(part))})", part).fetchall()
                found.update({row[0]: dict(zip(FIELDS, row[1:])) for row in rows})
        return found

    def save(self, identity: str, finding: dict, values: dict) -> dict[str, str]:
        """Record ``values`` (checked) as the conclusion of the finding ``identity``."""
        values = checked(values)
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT INTO web_conclusions (finding_id, verdict, measures, responsible, note, saved_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (finding_id) DO UPDATE SET verdict = excluded.verdict, "
                "measures = excluded.measures, responsible = excluded.responsible, note = excluded.note, "
                "saved_at = excluded.saved_at",
                (identity, *(values[f] for f in FIELDS), dt.datetime.now().replace(microsecond=0).isoformat()))
        return values

    def write_report(self, result, findings: pd.DataFrame, path) -> None:
        """The Excel report of ``result``; the placeholder store leaves the reviewer columns empty."""
        from ..report import write_report
        write_report(result, path)
