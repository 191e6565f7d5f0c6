"""凭证明细: every line of every flagged voucher, the vouchers in the order of 问题清单.

Lines are grouped under a heading row that names the community, book, period and source sheet,
so a line carries only what differs from line to line and the printed page reads like the
voucher itself (at about 95% on A4 landscape): a voucher's date, preparer, reviewer and
attachments are on its first line only, its number on every line, so that filtering by it keeps
the whole voucher.  The lines are taken from the ledger in pieces, so the memory the sheet needs
does not grow with the number of lines.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..model import ScanResult
from ..schema import voucher_lines
from .common import (DETAIL, GROUP_FILL, Column, StreamSheet, as_date, book_label, display_width, entity_label,
                     inert_text, is_missing, overflow_note, setup_page, split_to_rows)
from . import common

DETAIL_COLUMNS = (
    Column("凭证号", "text", 9), Column("日期", "date", 10), Column("行号", "number", 6),
    Column("摘要", "wrap", 26), Column("科目", "wrap", 24), Column("借方金额", "money", 12.5),
    Column("贷方金额", "money", 12.5), Column("往来单位", "wrap", 14), Column("制单人", "text", 7),
    Column("审核人", "text", 7), Column("附件数", "number", 6), Column("问题", "wrap", 20),
)
_FIELDS = ("entity", "book", "period", "voucher", "date", "row", "summary", "account_code", "account_name",
           "debit_fen", "credit_fen", "counterparty", "preparer", "reviewer", "attachments", "file", "sheet",
           "voucher_key", "line_id")
CHUNK = 20_000     # ledger lines turned into Python values at a time
_ROW_COLUMN = 2            # 行号: a voucher line has one, a heading or blank row has not
_HEADING_WIDTH = sum(c.width for c in DETAIL_COLUMNS) - 4


def voucher_line_positions(ledger: pd.DataFrame, findings: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Positions in ``ledger`` of every line of the vouchers ``keys``, in file, sheet and row order.

    The flagged lines are found by line_id (the ledger's rows are in line_id order) and the other
    lines of their vouchers by voucher_id, so apart from one pass over the integer voucher_id
    column the work grows with the findings, not with the ledger."""
    wanted = set(keys)
    by_id = None
    positions = np.array([], dtype=np.int64)
    if len(ledger) and "voucher_id" in ledger.columns:
        line_ids = ledger["line_id"].to_numpy()
        voucher_ids = ledger["voucher_id"].to_numpy()
        flagged = findings["line_id"]
        flagged = (flagged.to_numpy() if flagged.dtype == np.int64
                   else pd.to_numeric(flagged, errors="coerce").dropna().to_numpy().astype(np.int64))
        at = np.searchsorted(line_ids, flagged).clip(0, len(line_ids) - 1)
        at = at[line_ids[at] == flagged]
        if len(at):
            by_id = positions = voucher_lines(ledger, voucher_ids[at])
    found = set(ledger["voucher_key"].take(positions).unique().tolist()) if len(positions) else set()
    if not found <= wanted:
        # a flagged line outside its finding's voucher, or voucher_id not one per voucher_key
        positions = np.flatnonzero(ledger["voucher_key"].isin(wanted).to_numpy())
    elif wanted - found:        # findings whose line is not in the ledger: look for their vouchers by key
        by_key = np.flatnonzero(ledger["voucher_key"].isin(wanted - found).to_numpy())
        positions = by_key if by_id is None else np.union1d(by_key, by_id)
    if not len(positions):
        return positions.astype(np.int64)
    # Column by column: selecting the columns first would copy them whole.
    order = np.lexsort(tuple(pd.factorize(ledger[name].take(positions), sort=True)[0] if name in ("file", "sheet")
                             else ledger[name].to_numpy()[positions] for name in ("line_id", "row", "sheet", "file")))
    return positions[order]


def _heading(entity: str, book: str, period: str, file: str, sheet: str) -> list[str]:
    text = "　".join(p for p in (entity, book, period) if p)
    source = " / ".join(p for p in (file, sheet) if p)
    if source:
        text += f"　　来源：{source}"
    if display_width(text) <= _HEADING_WIDTH:
        return [text]
    return split_to_rows(text, _HEADING_WIDTH, max_lines=1)


def flagged_voucher_lines(result: ScanResult) -> np.ndarray:
    """Positions in the ledger of every line of the vouchers the findings flag (what 凭证明细
    lists; the report also sizes itself by their number)."""
    findings = result.findings
    if findings.empty:
        return np.array([], dtype=np.int64)
    keys = list(dict.fromkeys(findings["voucher_key"].dropna().tolist()))
    return voucher_line_positions(result.read.ledger, findings, keys)


def write_detail(ws, formats, result: ScanResult, footer: str, printed_at: str,
                 positions: np.ndarray) -> dict[str, int]:
    """The 凭证明细 sheet of the lines at ``positions`` (flagged_voucher_lines); returns the row
    (1-based) of each voucher's first line."""
    sheet = StreamSheet(ws, formats, DETAIL_COLUMNS, ruled_by=_ROW_COLUMN)
    sheet.header()
    ws.freeze_panes(1, 0)
    findings, ledger = result.findings, result.read.ledger
    first_rows: dict[str, int] = {}
    if findings.empty:
        sheet.note("未发现问题凭证。", formats.get())
    else:
        _write_lines(sheet, formats, findings, ledger, positions, first_rows)
        sheet.rule_lines()
    last = max(sheet.row - 1, 1)
    ws.autofilter(0, 0, last, len(DETAIL_COLUMNS) - 1)
    setup_page(ws, DETAIL, footer, printed_at, repeat_header=True)
    return first_rows


def _write_lines(sheet: StreamSheet, formats, findings: pd.DataFrame, ledger: pd.DataFrame,
                 positions: np.ndarray, first_rows: dict[str, int]) -> None:
    raw_keys = findings["voucher_key"].tolist()
    keys = list(dict.fromkeys(raw_keys))
    titles: dict[str, list[str]] = {}
    for key, title in zip(raw_keys, findings["title"].tolist()):
        title = inert_text(title)
        mine = titles.setdefault(key, [])
        if title not in mine:
            mine.append(title)
    flagged_lines = {int(v) for v in findings["line_id"].tolist() if not is_missing(v)}
    if not len(positions):
        return
    # Vouchers in the order of the findings, each voucher's lines in sheet order.
    rank = pd.Index(keys).get_indexer(ledger["voucher_key"].take(positions))
    positions = positions[np.argsort(rank, kind="stable")]
    counts = pd.Series(ledger["voucher_key"].take(positions).to_numpy()).value_counts(sort=False).to_dict()

    plain, bold = sheet.variant(), sheet.variant(bold=True)
    heading_format = formats.get(bold=True, bg_color=GROUP_FILL)
    budget = common.ROW_BUDGET
    entities: dict = {}
    books: dict = {}
    group = None
    current = None
    vouchers_done = 0
    write = sheet.write
    for start in range(0, len(positions), CHUNK):
        part = positions[start:start + CHUNK]
        (entity, book, period, voucher, date, row, summary, code, name, debit, credit, counterparty,
         preparer, reviewer, attachments, file, sheet_name, voucher_key, line_id) = (
            ledger[n].take(part).tolist() if n in ledger.columns else [None] * len(part) for n in _FIELDS)
        for i in range(len(part)):
            key = voucher_key[i]
            if key != current:
                heading = (entity[i], book[i], period[i], file[i], sheet_name[i])
                texts = []
                if heading != group:
                    if entity[i] not in entities:
                        entities[entity[i]] = entity_label(entity[i])
                    if book[i] not in books:
                        books[book[i]] = book_label(book[i])
                    texts = _heading(entities[entity[i]], books[book[i]], inert_text(period[i]),
                                     inert_text(file[i]), inert_text(sheet_name[i]))
                if sheet.row + 1 + len(texts) + counts.get(key, 1) > budget:
                    overflow_note(sheet, len(keys) - vouchers_done, "张问题凭证的分录")
                    return
                if current is not None:
                    sheet.skip()                      # a blank row between vouchers
                for text in texts:
                    sheet.note(text, heading_format)
                group, current = heading, key
                vouchers_done += 1
                first_rows[inert_text(key)] = sheet.row + 1
                problems = "；".join(titles.get(key, ()))
                first_line = True
            else:
                problems, first_line = None, False
            account = f"{inert_text(code[i])} {inert_text(name[i])}".strip()
            # The voucher's own fields (date, preparer, reviewer, attachments) on its first line
            # only, as on a printed voucher; the number stays on every line for the filter.
            if first_line:
                day = date[i]
                day = day.date() if type(day) is pd.Timestamp else as_date(day)
                own = (preparer[i], reviewer[i], _count(attachments[i]))
            else:
                day, own = None, (None, None, None)
            write((inert_text(voucher[i]), day, row[i], summary[i], account, debit[i] or None, credit[i] or None,
                   counterparty[i], *own, problems),
                  bold if int(line_id[i]) in flagged_lines else plain)


def _count(value):
    return None if is_missing(value) else int(value)
