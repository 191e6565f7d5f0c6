"""Reading a batch of files: the reading threads, the look-ahead that keeps them busy and bounds
the cells held, and what the files mean together once read (copies: ``voucher_checker.copies``; the
two sides of one voucher in a cash and a bank journal: ``voucher_checker.journals``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .copies import find_copies
from .journals import pair_mirrored_sides

from .model import DataError, ReadResult, SheetInfo
from .policy import Policy
from .read import (DROP_REASONS, PreparedFile, PreparedSheet, read_batch, finish_file, merge_pieces,
                   prepare_file, split_sheet)
from .schema import assemble, finalise_ledger, first_appearance, validate_ledger, warm_up
from .sources import InputFile, Opener, collect_inputs  # noqa: F401 - part of this module's API

DROPPED_COLUMNS = ["file", "sheet", "row", "reason", "text"]

# A sheet much longer than a batch (a year's journal in one sheet) is read in pieces of about
# this many rows, so that its normalising uses every reading thread.
PIECE_ROWS = 100_000


# Rows of one layout read together in one pass (BatchReader): a district's exports share a
# layout, and a pass over 100,000 rows costs far less per row than ten passes over 10,000 — the
# fixed cost per array operation, paid while holding the GIL, is what keeps threads from scaling.
BATCH_ROWS = 100_000


def read_inputs(items: list[InputFile], policy: Policy, jobs: int | None = 1, progress=None,
                opener: Opener | None = None, validate: bool = True) -> ReadResult:
    """Read all files into one validated normalised ledger, on ``jobs`` threads (None: one per
    core): the Rust reader and Arrow's kernels release the GIL, so threads use every core
    without worker processes' start-up and copying.  Files are opened a few ahead; sheets of
    one layout from consecutive files are read together in batches of about BATCH_ROWS rows, and
    a sheet much longer than that is read in pieces (split_sheet) on all the threads.  At most a
    few batches' cells are held at once; each batch keeps only its lines.  ``validate=False``
    leaves the schema check to the caller (validate_ledger, then with_schema_checked)."""
    if opener is None:
        opener = Opener(items[:0], policy.reading, jobs)
    prepared: list[PreparedFile] = []
    parts: list[dict] = []
    pool = opener.pool if opener.jobs > 1 else None
    try:
        batches: list = []                       # futures (or results) in submission order
        pending: dict[tuple, list[PreparedSheet]] = {}
        rows: dict[tuple, int] = {}
        split: list[tuple[SheetInfo, list[SheetInfo]]] = []

        def submit(sheets: list[PreparedSheet]) -> None:
            batches.append(pool.submit(read_batch, sheets, policy) if pool else read_batch(sheets, policy))

        def prepare(index: int):
            item = items[index]
            if pool:
                return pool.submit(prepare_file, item, policy, opener.opened(item, index), index)
            return prepare_file(item, policy, opener.opened(item, index), index)

        ahead = [prepare(i) for i in range(min(len(items), opener.jobs + 1))]
        if pool:
            warm_up()           # the main thread would only wait for the readers meanwhile
        for index in range(len(items)):
            file = ahead[index].result() if pool else ahead[index]
            if len(ahead) < len(items):
                ahead.append(prepare(len(ahead)))
            prepared.append(file)
            for sheet in file.ready:
                key = sheet.signature
                first, end = sheet.data_rows
                pieces = split_sheet(sheet, PIECE_ROWS, policy) if pool and end - first > 2 * PIECE_ROWS else [sheet]
                if len(pieces) > 1:
                    if key in pending:
                        submit(pending.pop(key))
                        rows[key] = 0
                    split.append((sheet.info, [piece.info for piece in pieces]))
                    for piece in pieces:
                        submit([piece])
                    sheet.raw = None        # the pieces hold the cells until each is read
                    continue
                pending.setdefault(key, []).append(sheet)
                rows[key] = rows.get(key, 0) + end - first
                if rows[key] >= BATCH_ROWS:
                    submit(pending.pop(key))
                    rows[key] = 0
            if progress:
                progress(1)
            if pool and len([b for b in batches if not b.done()]) > opener.jobs:
                batches[-1].result()         # bound the cells held: let the readers catch up
        for sheets in pending.values():
            submit(sheets)
        for batch in batches:
            lines, errors, dropped = batch.result() if pool else batch
            parts += lines
            for index, found in errors.items():
                prepared[index].result.errors += found
            for index, rows_dropped in dropped.items():
                prepared[index].result.dropped += rows_dropped
        batches.clear()             # their lines are in parts now, and held only there
        # On the reading threads: their heaps hold the memory the cells they read have freed.
        ledger = assemble(parts, pool=pool) if parts else None
        del parts                   # the ledger holds its own copy of their text
    finally:
        opener.close()
    for whole, pieces in split:
        merge_pieces(whole, pieces)
    results = [finish_file(file) for file in prepared]
    sheets = [s for r in results for s in r.sheets]
    errors = [e for r in results for e in r.errors]
    dropped = pd.DataFrame([d for r in results for d in r.dropped], columns=DROPPED_COLUMNS)
    if ledger is None:
        return ReadResult(ledger=finalise_ledger(pd.DataFrame()), sheets=sheets, errors=errors, dropped=dropped)
    read = without_repeats(ReadResult(ledger=ledger, sheets=sheets, errors=errors, dropped=dropped))
    return with_schema_checked(read, *validate_ledger(read.ledger)) if validate else read


MIRRORED_SIDE = "现金与银行存款日记账中同一凭证的另一面，只计入一次"


def without_repeats(read: ReadResult) -> ReadResult:
    """The ledger with what the batch holds twice taken out: copied sheets and vouchers
    (``copies``), and the second view of a voucher read from both a cash and a bank journal
    (``journals.pair_mirrored_sides``).  Each row taken out is counted against its sheet and
    listed as dropped, so every sheet's rows still add up; each copy is said once."""
    ledger = read.ledger
    found = find_copies(ledger)
    drop, reasons = found.drop, found.reasons
    if len(drop):
        keep = np.ones(len(ledger), dtype=bool)
        keep[drop] = False
        mirrored = np.flatnonzero(keep)[pair_mirrored_sides(ledger.iloc[np.flatnonzero(keep)])]
    else:
        mirrored = pair_mirrored_sides(ledger)
    if len(mirrored):
        drop = np.concatenate([drop, mirrored])
        reasons = np.concatenate([reasons, np.full(len(mirrored), MIRRORED_SIDE, dtype=object)])
    errors = read.errors + [DataError(file, sheet, None, "", message, "warning") for file, sheet, message in found.warnings]
    if not len(drop):
        return ReadResult(ledger, read.sheets, errors, read.dropped) if found.warnings else read
    taken = ledger.iloc[drop]
    # A journal row is two lines: count rows, not lines.
    rows = pd.DataFrame({"file": taken["file"].to_numpy(dtype=object), "sheet": taken["sheet"].to_numpy(dtype=object),
                         "row": taken["row"].to_numpy(), "reason": reasons,
                         "text": taken["summary"].to_numpy(dtype=object)}).drop_duplicates(["file", "sheet", "row"])
    infos = {(info.file, info.sheet): info for info in read.sheets}
    for (file, sheet, reason), count in rows.groupby(["file", "sheet", "reason"]).size().items():
        info = infos.get((file, sheet))
        if info is not None:
            info.lines -= int(count)
            info.skipped[reason] = info.skipped.get(reason, 0) + int(count)
    keep = np.ones(len(ledger), dtype=bool)
    keep[drop] = False
    ledger = ledger.iloc[np.flatnonzero(keep)]
    ledger["voucher_id"] = first_appearance(ledger["voucher_id"].to_numpy())
    dropped = pd.concat([read.dropped, rows[DROPPED_COLUMNS]], ignore_index=True)
    return ReadResult(ledger, read.sheets, errors, dropped)


def with_schema_checked(read: ReadResult, ledger: pd.DataFrame, schema_errors: list[DataError]) -> ReadResult:
    """``read`` once ``schema.validate_ledger`` gave ``ledger`` and ``schema_errors`` for its
    ledger: the lines that break the schema are gone, each named as an error and a dropped row
    and counted against its sheet.  The same ``read`` when nothing broke it."""
    if not schema_errors:
        return read
    _count_schema_drops(read.sheets, schema_errors)
    dropped = pd.concat([read.dropped, pd.DataFrame(
        [{"file": e.file, "sheet": e.sheet, "row": e.row, "reason": DROP_REASONS["schema"], "text": e.message}
         for e in schema_errors if e.row is not None], columns=DROPPED_COLUMNS)], ignore_index=True)
    return ReadResult(ledger=ledger, sheets=read.sheets, errors=read.errors + schema_errors, dropped=dropped)


def _count_schema_drops(sheets: list[SheetInfo], schema_errors: list[DataError]) -> None:
    by_sheet: dict[tuple[str, str], set[int]] = {}
    for e in schema_errors:
        if e.row is not None:
            by_sheet.setdefault((e.file, e.sheet), set()).add(e.row)
    for info in sheets:
        rows = by_sheet.get((info.file, info.sheet))
        if rows:
            info.lines -= len(rows)
            info.skipped[DROP_REASONS["schema"]] = info.skipped.get(DROP_REASONS["schema"], 0) + len(rows)


def nothing_read(read: ReadResult, inputs: int) -> DataError | None:
    """The error for a scan that read no entry line at all (it must never say "nothing found"),
    with why: no ledger file among the inputs, or none of them held a readable entry."""
    if len(read.ledger):
        return None
    if inputs == 0:
        skipped = len({e.file for e in read.errors})
        why = (f"给出的路径中没有 Excel 或 CSV 账簿文件（另有 {skipped} 个其他文件，见数据问题）" if skipped
               else "给出的路径中没有 Excel 或 CSV 账簿文件")
    else:
        why = f"读取了 {inputs} 个文件，但其中没有可检查的分录（原因见数据问题中各文件的说明）"
    return DataError("", "", None, "", f"没有读到任何分录：{why}。检查没有进行，请确认选择的文件夹或文件。")
