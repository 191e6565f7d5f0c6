"""The values that flow between the stages: what was read from each sheet, what went wrong,
and the result of a scan.  Plain dataclasses so the report and JSON writers need no engine."""
from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from dataclasses import dataclass, field
from enum import IntEnum

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where it is used: the CLI starts reading before it
    import pandas as pd


class ExitCode(IntEnum):
    """What the command's exit status says; README "Exit codes" and ``--help`` list the same."""
    NOTHING_FOUND = 0
    FINDINGS = 1
    INPUT_UNREADABLE = 2
    TOOL_FAILED = 3
    USAGE = 4


# code -> (English for the README, Chinese for --help and the 中文快速上手)
EXIT_CODE_MEANINGS = {
    ExitCode.NOTHING_FOUND: ("scanned, nothing found", "检查完成，未发现问题"),
    ExitCode.FINDINGS: ("findings (the samples are built to have them)", "发现问题"),
    ExitCode.INPUT_UNREADABLE: ("some input could not be read; the rest is checked and written",
                                "有文件无法读取（其余文件照常检查并写出结果）"),
    ExitCode.TOOL_FAILED: ("the tool failed (an output could not be written, or a defect: one sentence "
                           "and a log file with the details)", "工具自身出错（如报告无法写出；详情写入日志文件）"),
    ExitCode.USAGE: ("usage, policy-file or output-path error: nothing was checked",
                     "命令用法、策略文件或输出路径有误，未进行检查"),
}


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
    kind: str = "error"          # error: input lost or unusable; warning: read, but look at it;
                                 # policy: a policy setting that matched nothing and changed nothing

    def as_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "message": self.message, "kind": self.kind}


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
    """A rule that could not run on a sheet because a field it needs is missing, or (``note``,
    with nothing ``missing``) that ran there only in part, as the rule itself says: a year its
    calendar does not cover, checked for plain weekends only."""
    rule: str
    file: str
    sheet: str
    missing: tuple[str, ...]
    note: str = ""


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
    findings: pd.DataFrame       # columns: voucher_checker.engine.FINDING_COLUMNS
    rule_gaps: list[RuleGap]
    rules: list                  # voucher_checker.registry.Rule, with the options in force
    inputs: list[str]
    policy_path: str | None
    started_at: dt.datetime
    finished_at: dt.datetime
    periods: tuple[str, str] | None = None   # --period filter, inclusive
    version: str = ""
    policy: object = None        # voucher_checker.policy.Policy: which units each rule ran for

    def rule_ran_for(self, rule, entity: str, book: str) -> bool:
        """Whether ``rule`` (a Rule) ran on this entity's book (the policy may turn it off or on
        for some units)."""
        if self.policy is None:
            return rule.enabled
        return self.policy.enabled_for(rule, entity, book)

    @property
    def ledger(self) -> pd.DataFrame:
        return self.read.ledger

    @cached_property
    def voucher_scores(self) -> pd.DataFrame:
        """Each flagged voucher's risk score (voucher_checker.scoring.voucher_scores)."""
        from .scoring import voucher_scores
        return voucher_scores(self.findings, self.rules)

    @cached_property
    def finding_scores(self) -> list[float]:
        """Each finding's voucher score, in the findings' order (a unit-level finding: its rule's
        weight)."""
        from .scoring import rule_weights
        by_voucher = self.voucher_scores.set_index("voucher_key")["score"]
        scores = self.findings["voucher_key"].map(by_voucher)
        weights = self.findings["rule"].map(rule_weights(self.rules))
        return scores.fillna(weights).fillna(0.0).astype("float64").tolist()

    @cached_property
    def unit_ranking(self) -> pd.DataFrame:
        """Units ranked by risk score (voucher_checker.scoring.unit_ranking)."""
        from .scoring import unit_ranking
        return unit_ranking(self.findings, self.rules, self.voucher_scores)

    @property
    def errors(self) -> list[DataError]:
        return self.read.errors

    @property
    def exit_code(self) -> int:
        if any(e.kind == "error" for e in self.errors):
            return ExitCode.INPUT_UNREADABLE
        return ExitCode.FINDINGS if len(self.findings) else ExitCode.NOTHING_FOUND


class PeriodError(ValueError):
    """A --period the scan cannot use; the message says why, in Chinese."""


_PERIOD = re.compile(r"^(\d{4})(?:-|年|/|\.)?(\d{1,2})月?$")
PERIOD_FORMAT = "应写成 2021-09（一个月）或 2021-01..2021-06（一段时间）"


def parse_period_filter(text: str | None) -> tuple[str, str] | None:
    """"2021-09" → ("2021-09", "2021-09"); "2021-01..2021-06" → a range.  PeriodError (a
    ValueError) with a Chinese message when it is not a month or range, or the range is backwards."""
    if text is None:
        return None
    if not text.strip():
        raise PeriodError(f"--period 后面没有写月份；{PERIOD_FORMAT}")
    parts = text.split("..")
    if len(parts) > 2:
        raise PeriodError(f"--period {text} 中有两处 ..；{PERIOD_FORMAT}")
    normalised = []
    for part in parts:
        match = _PERIOD.match(part.strip())
        if not match:
            raise PeriodError(f"--period 中的 “{part.strip()}” 不是月份；{PERIOD_FORMAT}")
        if not 1 <= int(match.group(2)) <= 12:
            raise PeriodError(f"--period 中的 {part.strip()} 月份应在 1 到 12 之间；{PERIOD_FORMAT}")
        normalised.append(f"{int(match.group(1)):04d}-{int(match.group(2)):02d}")
    start, end = normalised[0], normalised[-1]
    if start > end:
        raise PeriodError(f"--period {text} 的起止顺序颠倒了：开始的 {start} 晚于结束的 {end}，"
                          f"应写成 --period {end}..{start}")
    return start, end


def months_between(start: str, end: str) -> list[str]:
    """Every month from start to end inclusive, as "YYYY-MM"."""
    first, last = int(start[:4]) * 12 + int(start[5:7]) - 1, int(end[:4]) * 12 + int(end[5:7]) - 1
    return [f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(first, last + 1)]


def month_ranges(months) -> str:
    """Months as runs: ["2021-01", "2021-02", "2021-05"] → "2021-01 至 2021-02、2021-05"."""
    numbers = sorted({int(m[:4]) * 12 + int(m[5:7]) - 1 for m in months})
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])

    def name(n: int) -> str:
        return f"{n // 12:04d}-{n % 12 + 1:02d}"
    return "、".join(name(a) if a == b else f"{name(a)} 至 {name(b)}" for a, b in runs)
