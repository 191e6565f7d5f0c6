"""The review store: an SQLite file that remembers findings, reviewers' conclusions and scans.

Trust comes first, since the store holds work people typed in:

- every change (an import, a scan) is one transaction: a crash or a kill half-way leaves the
  store as it was, and the journal is write-ahead (WAL) with synchronous writes;
- several processes may use one store: a writer waits for another (SQLite's busy timeout) and
  the whole transaction is tried again a few times when SQLite still reports the file busy;
- the schema has a version (``PRAGMA user_version``) and migrations, run in a transaction;
- a file that is not a store of ours, is damaged, or comes from a newer version is refused with
  a Chinese sentence, and never replaced or repaired.

Tables: ``findings`` (every finding identity heard of, with its *case*: a problem followed over
runs keeps its case when its voucher was edited but still breaks the rule), ``conclusions``
(every change of a case's conclusion, in order: the last one is in force; ``after_run`` is the
last scan recorded before it), ``runs`` and ``occurrences`` (what each ``scan --db`` found, with
the status it gave each case), ``imports`` (what each import took).
"""
from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

APPLICATION_ID = 0x56434B52         # "VCKR": marks the file as a store of ours
BUSY_TIMEOUT_MS = 30_000
BUSY_RETRIES = 8
ENV_VARIABLE = "VOUCHER_CHECK_DB"
DEFAULT_STORE = Path("reports") / "voucher-check.db"

# Status of a case in one scan.
NEW, OPEN, RECURRING, RECTIFIED, FALSE = "新发现", "仍存在", "整改后仍存在", "已整改（复查未再出现）", "不属实"
# The conclusion fields, as the report's reviewer columns name them.
CONCLUSION_FIELDS = ("verdict", "measures", "responsible", "deadline", "progress", "note")


class StoreError(Exception):
    """The store cannot be used; the message says why and what to do, in Chinese."""


_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    place TEXT NOT NULL,
    case_id TEXT NOT NULL,
    entity TEXT NOT NULL DEFAULT '',
    book TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    voucher TEXT NOT NULL DEFAULT '',
    rule TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    amount_fen INTEGER,
    first_seen TEXT NOT NULL
);
CREATE INDEX findings_place ON findings (place);
CREATE INDEX findings_case ON findings (case_id);
CREATE TABLE conclusions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    after_run INTEGER NOT NULL,
    verdict TEXT NOT NULL DEFAULT '',
    measures TEXT NOT NULL DEFAULT '',
    responsible TEXT NOT NULL DEFAULT '',
    deadline TEXT NOT NULL DEFAULT '',
    progress TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    concluded_by TEXT NOT NULL DEFAULT '',
    import_id INTEGER NOT NULL
);
CREATE INDEX conclusions_case ON conclusions (case_id, seq);
CREATE TABLE imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    concluded_by TEXT NOT NULL,
    taken INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    unmatched INTEGER NOT NULL
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    inputs TEXT NOT NULL
);
CREATE TABLE occurrences (
    run INTEGER NOT NULL REFERENCES runs (id),
    case_id TEXT NOT NULL,
    finding_id TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (run, case_id)
);
"""

# MIGRATIONS[n] takes a store from version n to n + 1.
MIGRATIONS: tuple[str, ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


def default_store_path() -> Path:
    """``%VOUCHER_CHECK_DB%`` when set, else reports/voucher-check.db beside the default report."""
    given = os.environ.get(ENV_VARIABLE, "").strip()
    return Path(given) if given else DEFAULT_STORE


def _now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


@dataclass(frozen=True)
class Conclusion:
    verdict: str = ""
    measures: str = ""
    responsible: str = ""
    deadline: str = ""
    progress: str = ""
    note: str = ""
    concluded_by: str = ""

    def fields(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in CONCLUSION_FIELDS)

    def merged(self, given: dict[str, str]) -> "Conclusion":
        """This conclusion with the fields a reviewer filled in; an empty cell keeps what was there."""
        values = {name: (given.get(name) or getattr(self, name)) for name in CONCLUSION_FIELDS}
        return Conclusion(**values, concluded_by=self.concluded_by)


class Store:
    """One open store; use ``open_store`` (a context manager)."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.connection = connection
        self.path = path

    # ------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self):
        """One write transaction, begun at once (BEGIN IMMEDIATE) so two writers queue instead of
        failing at their first write; rolled back on any error."""
        self._begin()
        try:
            yield self.connection
        except BaseException:
            try:
                self.connection.execute("ROLLBACK")
            except sqlite3.Error:       # the connection is gone: SQLite rolls back on its own
                pass
            raise
        self.connection.execute("COMMIT")

    def _begin(self) -> None:
        for attempt in range(BUSY_RETRIES):
            try:
                self.connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or attempt == BUSY_RETRIES - 1:
                    raise StoreError(f"整改记录库 {self.path} 正被其他程序长时间占用，请稍后再试。") from exc
                time.sleep(random.uniform(0.05, 0.5) * (attempt + 1))

    def query(self, sql: str, parameters=()) -> list[sqlite3.Row]:
        return self.connection.execute(sql, parameters).fetchall()

    # ------------------------------------------------------------ reading

    def last_run(self) -> int:
        return self.query("SELECT COALESCE(MAX(id), 0) FROM runs")[0][0]

    def conclusions(self) -> dict[str, Conclusion]:
        """Each case's conclusion in force."""
        rows = self.query(
            "SELECT c.case_id, c.verdict, c.measures, c.responsible, c.deadline, c.progress, c.note, c.concluded_by "
            "FROM conclusions c JOIN (SELECT case_id, MAX(seq) AS seq FROM conclusions GROUP BY case_id) last "
            "ON c.seq = last.seq")
        return {row[0]: Conclusion(*row[1:]) for row in rows}

    def case_of(self, identities) -> dict[str, str]:
        found: dict[str, str] = {}
        identities = list(identities)
        for start in range(0, len(identities), 500):
            part = identities[start:start + 500]
            rows = self.query(f"SELECT id, case_id FROM findings WHERE id IN ({','.join('?' * len(part))})", part)
            found.update(dict(rows))
        return found


def _refuse_damaged(path: Path, exc: Exception) -> StoreError:
    return StoreError(f"{path} 不是可用的整改记录库（文件已损坏或不是本工具的数据库：{exc}）。"
                      "本工具没有修改或替换它；请从备份恢复，或用 --db 指定另一个文件。")


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def _check_and_migrate(store: Store, create: bool) -> None:
    connection, path = store.connection, store.path
    try:
        # One statement, one snapshot: read apart, another process creating the store could
        # commit between them (tables already there, the application id not yet seen).
        version, application, tables = connection.execute(
            "SELECT (SELECT user_version FROM pragma_user_version), "
            "(SELECT application_id FROM pragma_application_id), (SELECT count(*) FROM sqlite_master)").fetchone()
    except sqlite3.DatabaseError as exc:
        raise _refuse_damaged(path, exc) from None
    if tables and application != APPLICATION_ID:
        raise StoreError(f"{path} 是一个 SQLite 数据库，但不是本工具的整改记录库；没有修改它，请用 --db 指定另一个文件。")
    if version > SCHEMA_VERSION:
        raise StoreError(f"整改记录库 {path} 由更新版本的工具建立（格式 {version}，本版本支持到 {SCHEMA_VERSION}）；"
                         "请升级 voucher-checker 后再用。")
    if tables:
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise _refuse_damaged(path, exc) from None
        if result != "ok":
            raise _refuse_damaged(path, result)
    if version == SCHEMA_VERSION:
        return
    if not tables and not create:
        raise StoreError(f"{path} 不是整改记录库（是空文件）。")
    try:
        connection.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as exc:
        if not _busy(exc):
            raise
    with store.transaction():
        # Read again inside the transaction: another process may have migrated meanwhile.
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    connection.execute(statement)
        if version == 0:
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute("INSERT INTO meta (key, value) VALUES ('created_at', ?)", (_now(),))
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextmanager
def open_store(path, *, create: bool = True):
    """The store at ``path``, made (with its folder) when ``create`` and it does not exist."""
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path} 是文件夹；--db 应是整改记录库文件的路径，例如 {path / DEFAULT_STORE.name}。")
    if not path.exists():
        if not create:
            raise StoreError(f"找不到整改记录库 {path}；先用 voucher-check review import 或 scan --db 建立它。")
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = _connect(path)
    except sqlite3.Error as exc:
        raise StoreError(f"无法打开整改记录库 {path}：{exc}") from None
    store = Store(connection, path)
    try:
        _check_and_migrate(store, create)
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        yield store
    except sqlite3.OperationalError as exc:
        if _busy(exc):
            raise StoreError(f"整改记录库 {path} 正被其他程序长时间占用，请稍后再试。") from None
        raise
    except sqlite3.DatabaseError as exc:
        if type(exc) is not sqlite3.DatabaseError:     # integrity and programming errors are defects
            raise
        raise _refuse_damaged(path, exc) from None
    finally:
        connection.close()
