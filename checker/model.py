"""The values that flow between the stages: what was read from each sheet, what went wrong,
and the result of a scan.  Plain dataclasses so the report and JSON writers need no engine."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where it is used: the CLI starts reading before it
    import pandas as pd


@dataclass(frozen=True)
class DataError:
    """A problem with the input, shown in the report's 数据问题 sheet and in the JSON errors.

    ``row`` is the Excel row (1-based) or None when the problem concerns a whole file or sheet;
    ``column`` is the Excel column letter plus header where known, e.g. "E（借方金额）"."""
    file: str
    sheet: str
    row: int | None
    column: str
    message: str
    kind: str = "error"          # error: input lost or unusable; warning: read, but look at it

    def as_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "message": self.message}


@dataclass
class SheetInfo:
    """How one sheet was understood (what `voucher-check inspect` shows)."""
    file: str
    sheet: str
    entity: str = ""
    book: str = "unknown"
    book_reason: str = ""
    entity_reason: str = ""
    journal: str = ""                            # cash | bank: a journal of that account
    journal_reason: str = ""
    header_rows: tuple[int, ...] = ()            # Excel row numbers of the header (1 or 2 rows)
    columns: dict[str, str] = field(default_factory=dict)   # field -> "E（借方金额）"
    fields: frozenset[str] = frozenset()
    lines: int = 0                               # entry lines kept
    skipped: dict[str, int] = field(default_factory=dict)   # reason -> rows dropped
    data_rows: int = 0                           # non-empty rows below the header
    periods: list[str] = field(default_factory=list)
    status: str = "read"                         # read | hidden | no-header | empty | error
    note: str = ""

    def as_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "entity": self.entity, "book": self.book,
                "lines": self.lines, "skipped": sum(self.skipped.values()),
                "periods": list(self.periods)}


@dataclass(frozen=True)
class RuleGap:
    """A rule that could not run on a sheet because a field it needs is missing."""
    rule: str
    file: str
    sheet: str
    missing: tuple[str, ...]


@dataclass
class ReadResult:
    """What the reading stage hands on: the normalised lines plus everything said about them."""
    ledger: pd.DataFrame
    sheets: list[SheetInfo]
    errors: list[DataError]
    dropped: pd.DataFrame        # file, sheet, row, reason, text: every row not kept as a line


@dataclass
class ScanResult:
    read: ReadResult
    findings: pd.DataFrame       # columns: checker.engine.FINDING_COLUMNS
    rule_gaps: list[RuleGap]
    rules: list                  # checker.registry.Rule, with the options in force
    inputs: list[str]
    policy_path: str | None
    started_at: dt.datetime
    finished_at: dt.datetime
    periods: tuple[str, str] | None = None   # --period filter, inclusive
    version: str = ""

    @property
    def ledger(self) -> pd.DataFrame:
        return self.read.ledger

    @property
    def errors(self) -> list[DataError]:
        return self.read.errors

    @property
    def exit_code(self) -> int:
        if any(e.kind == "error" for e in self.errors):
            return 2
        return 1 if len(self.findings) else 0


_PERIOD = re.compile(r"^(\d{4})-?(\d{1,2})$")


def parse_period_filter(text: str | None) -> tuple[str, str] | None:
    """"2021-09" → ("2021-09", "2021-09"); "2021-01..2021-06" → a range.  ValueError if malformed."""
    if not text:
        return None
    parts = text.split("..")
    if len(parts) > 2:
        raise ValueError(text)
    normalised = []
    for part in parts:
        match = _PERIOD.match(part.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(part)
        normalised.append(f"{int(match.group(1)):04d}-{int(match.group(2)):02d}")
    start, end = normalised[0], normalised[-1]
    if start > end:
        raise ValueError(text)
    return start, end
