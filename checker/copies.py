"""Copies inside a batch: the same sheet twice (a 副本 saved under another name, the same month
exported twice) and the same vouchers in two files (an export of January–March beside one of
March–June).  Counted twice they would double every finding and make each voucher number a
"duplicate"; so the copy is read once and said once, naming both places.

Lines are compared by what they say (date, period, voucher word and number, summary, account,
amounts), not by where they stand.  The usual batch shares nothing, and finding that out costs a
few passes over integer columns; lines are hashed only where sheets or vouchers could be copies.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

CONTENT_COLUMNS = ("date", "period", "voucher_word", "voucher_no", "summary", "account_code", "account_name",
                   "debit_fen", "credit_fen")
SHEET_COPY = "与其他工作表相同（副本），未重复计入"
VOUCHER_COPY = "与其他文件中的同一凭证相同，只计入一次"


@dataclass
class Copies:
    """Positions (in the ledger) of lines that are copies, and what to say about them."""
    drop: np.ndarray
    reasons: np.ndarray                             # per dropped position
    warnings: list[tuple[str, str, str]] = field(default_factory=list)   # (file, sheet, message)


def sheet_bounds(ledger: pd.DataFrame) -> np.ndarray:
    """Start positions of each run of lines from one sheet (lines are in scan order, so a sheet's
    lines are one run), plus the end."""
    n = len(ledger)
    if n == 0:
        return np.array([0], dtype=np.int64)
    changed = np.zeros(n, dtype=bool)
    changed[0] = True
    for column in ("file", "sheet"):
        values = pa.array(ledger[column].array)
        changed[1:] |= pc.not_equal(values.slice(1), values.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    return np.append(np.flatnonzero(changed), n)


def _line_hashes(lines: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(lines[list(CONTENT_COLUMNS)], index=False).to_numpy()


def find_copies(ledger: pd.DataFrame) -> Copies:
    bounds = sheet_bounds(ledger)
    starts, ends = bounds[:-1], bounds[1:]
    if len(starts) < 2:
        return Copies(np.array([], dtype=np.int64), np.array([], dtype=object))
    # Taken before converting: a Python object per line of a million-line ledger costs ~0.2 s a column.
    files = ledger["file"].iloc[starts].to_numpy(dtype=object)
    sheets = ledger["sheet"].iloc[starts].to_numpy(dtype=object)
    drop: list[np.ndarray] = []
    reasons: list[str] = []
    warnings: list[tuple[str, str, str]] = []

    # Whole sheets: same number of lines and the same totals, then the same lines.
    debit, credit = ledger["debit_fen"].to_numpy(), ledger["credit_fen"].to_numpy()
    sizes = ends - starts
    totals = np.add.reduceat(debit, starts), np.add.reduceat(credit, starts)
    signature = pd.DataFrame({"n": sizes, "debit": totals[0], "credit": totals[1]})
    suspects = signature.duplicated(keep=False).to_numpy()
    copied = np.zeros(len(starts), dtype=bool)
    copy_of: dict[int, int] = {}
    if suspects.any():
        seen: dict[tuple, int] = {}
        for s in np.flatnonzero(suspects).tolist():
            content = (int(sizes[s]), np.sort(_line_hashes(ledger.iloc[starts[s]:ends[s]])).tobytes())
            if content in seen:
                copied[s], copy_of[s] = True, seen[content]
            else:
                seen[content] = s
    by_file: dict[str, list[int]] = {}
    for s, original in copy_of.items():
        drop.append(np.arange(starts[s], ends[s]))
        reasons += [SHEET_COPY] * int(sizes[s])
        by_file.setdefault(files[s], []).append(s)
    for file, copies in by_file.items():
        originals = {files[copy_of[s]] for s in copies}
        if len(copies) == int((files == file).sum()) and len(originals) == 1 and file not in originals:
            warnings.append((file, "", f"与“{originals.pop()}”内容相同（{len(copies)} 张工作表），未重复计入。"))
            continue
        for s in copies:
            o = copy_of[s]
            warnings.append((file, sheets[s], f"与“{files[o]}”的工作表“{sheets[o]}”内容相同（{int(sizes[s])} 行分录），"
                                              "未重复计入。"))

    # Vouchers in two files: a voucher id (one entity, book, month, word and number) on two sheets.
    voucher = ledger["voucher_id"].to_numpy()
    lowest = np.minimum.reduceat(voucher, starts)
    highest = np.maximum.reduceat(voucher, starts)
    before = np.maximum.accumulate(np.concatenate(([-1], highest[:-1])))
    sharing = (lowest <= before) & ~copied
    if sharing.any():
        sheet_of = np.repeat(np.arange(len(starts)), sizes)
        kept = ~np.repeat(copied, sizes)
        shared_ids = np.zeros(int(voucher.max()) + 1, dtype=bool)
        for s in np.flatnonzero(sharing).tolist():
            mine = voucher[starts[s]:ends[s]]
            shared_ids[mine[mine <= before[s]]] = True
        positions = np.flatnonzero(shared_ids[voucher] & kept)
        lines = ledger.iloc[positions]
        # A withdrawal in a cash and in a bank journal shows the same lines, and is one voucher seen
        # from two accounts, not a copy (journals.pair_mirrored_sides keeps one view).
        journal = ledger["journal"].iloc[starts].to_numpy(dtype=object)
        frame = pd.DataFrame({"voucher": voucher[positions], "sheet": sheet_of[positions],
                              "hash": _line_hashes(lines)})
        # A voucher's occurrence on one sheet, by its lines in any order.
        occurrence = frame.groupby(["voucher", "sheet"], sort=False)["hash"].agg(["sum", "size"])
        occurrence = occurrence.reset_index()
        occurrence["journal"] = journal[occurrence["sheet"].to_numpy()]
        same = ["voucher", "sum", "size", "journal"]
        repeated = occurrence.duplicated(same, keep="first").to_numpy()
        if repeated.any():
            originals = occurrence[~repeated]
            first_sheet = originals.set_index(same)["sheet"]
            copies = occurrence[repeated]
            of = first_sheet.reindex(pd.MultiIndex.from_frame(copies[same])).to_numpy()
            copy_keys = set(zip(copies["voucher"].tolist(), copies["sheet"].tolist()))
            chosen = np.array([(v, s) in copy_keys for v, s in zip(frame["voucher"].tolist(), frame["sheet"].tolist())])
            drop.append(positions[chosen])
            reasons += [VOUCHER_COPY] * int(chosen.sum())
            labels, periods = ledger["voucher"], ledger["period"]
            first_line = {v: p for p, v in zip(positions[chosen][::-1].tolist(), frame["voucher"][chosen][::-1].tolist())}
            pairs: dict[tuple[int, int], list[int]] = {}
            for (v, s), o in zip(zip(copies["voucher"].tolist(), copies["sheet"].tolist()), of.tolist()):
                pairs.setdefault((s, int(o)), []).append(v)
            by_files: dict[tuple[str, str], list] = {}
            for (s, o), vouchers in pairs.items():
                by_files.setdefault((files[s], files[o]), []).extend(
                    (s, o, v) for v in vouchers)
            for (copy_file, original_file), found in by_files.items():
                examples = "、".join(f"{periods.iat[first_line[v]]} {labels.iat[first_line[v]]}" for _, _, v in found[:3])
                where = (f"与“{original_file}”" if copy_file != original_file
                         else f"工作表“{sheets[found[0][0]]}”与“{sheets[found[0][1]]}”")
                warnings.append((copy_file, "" if copy_file != original_file else sheets[found[0][0]],
                                 f"{where}有 {len(found)} 张相同的凭证（{examples}{' 等' if len(found) > 3 else ''}），"
                                 "只计入一次。"))
    if not drop:
        return Copies(np.array([], dtype=np.int64), np.array([], dtype=object), warnings)
    order = np.concatenate(drop)
    return Copies(order, np.array(reasons, dtype=object), warnings)
