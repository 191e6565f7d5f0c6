"""Cash and bank journals (现金日记账, 银行存款日记账): one row per movement of one account, with the
other side in 对方科目.  Many small villages keep only these.

Each journal row becomes the two lines of a voucher entry: the journal's own account on the side
the row records (借方/收入 or 贷方/支出) and the 对方科目 on the other, so that the account rules
run on journals as on voucher lists.  Where a book's cash and bank journals are both read, a
withdrawal or deposit shows in both under one voucher (one number and date, mirrored amounts):
``pair_mirrored_sides`` keeps one of the two views.  A running 余额 column is checked against the
balance computed from the movements (``balance_breaks``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .accounts import split_account

ACCOUNT_NAMES = {"cash": "库存现金", "bank": "银行存款"}
JOURNAL_LABELS = {"cash": "现金日记账", "bank": "银行存款日记账"}


def _take_text(values: list[str], codes: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.string()).take(pa.array(codes))


def as_voucher_lines(columns: dict, journal: np.ndarray, counter: pa.Array, balance: np.ndarray,
                     has_balance: np.ndarray) -> dict:
    """The lines of a batch of journal rows (``columns``: one value per row, numpy or Arrow) as
    voucher lines: each row of a journal whose account is known (``journal`` "cash"/"bank")
    becomes its own-account line followed by its 对方科目 line; a row of a journal whose account
    is unknown stays one line without an account.  ``balance`` (fen) where ``has_balance``."""
    rows = len(journal)
    known = journal != ""
    repeats = np.where(known, 2, 1)
    take = np.repeat(np.arange(rows), repeats)
    first = np.concatenate(([0], np.cumsum(repeats)[:-1]))
    is_counter = np.zeros(len(take), dtype=bool)
    is_counter[first[known] + 1] = True
    indices = pa.array(take)
    out = {}
    for name, values in columns.items():
        out[name] = values.take(indices) if isinstance(values, (pa.Array, pa.ChunkedArray)) else values[take]

    # Accounts: own account names first, then each distinct 对方科目 split into code and name.
    encoded = pc.dictionary_encode(pc.fill_null(counter, ""))
    split = [split_account(text) for text in encoded.dictionary.to_pylist()]
    counter_codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)[take]
    own = np.select([journal[take] == "cash", journal[take] == "bank"], [1, 2], 0)
    names = ["", ACCOUNT_NAMES["cash"], ACCOUNT_NAMES["bank"]] + [name for _, name in split]
    codes = ["", "", ""] + [code for code, _ in split]
    which = np.where(is_counter, counter_codes + 3, own)
    out["account_name"] = _take_text(names, which)
    out["account_code"] = _take_text(codes, which)
    debit, credit = out["debit_fen"], out["credit_fen"]
    out["debit_fen"] = np.where(is_counter, credit, debit)
    out["credit_fen"] = np.where(is_counter, debit, credit)
    out["journal"] = _take_text(["", "cash", "bank"], own)
    present = has_balance[take] & ~is_counter & known[take]
    out["balance_fen"] = pd.arrays.IntegerArray(np.where(present, balance[take], 0).astype(np.int64), ~present)
    return out


def balance_breaks(movement: np.ndarray, balance: np.ndarray, has_balance: np.ndarray,
                   opening: int | None) -> list[tuple[int, int, int]]:
    """Where a running balance stops agreeing with the movements: (row index, written, expected)
    for each row whose written balance differs from the one before it plus its movement.  A
    journal's 余额 that is wrong once is wrong on every later row by the same amount: only the row
    where the difference changes is a break.  ``opening``: the balance before the first row
    (期初余额), None when not written (the first written balance is then taken as right)."""
    present = np.flatnonzero(has_balance)
    if not len(present):
        return []
    running = np.cumsum(movement)
    if opening is None:
        opening = int(balance[present[0]] - running[present[0]])
    # Each written balance against the one written before it, carried by the movements between.
    before = np.concatenate(([opening], balance[present[:-1]]))
    moved = running[present] - np.concatenate(([0], running[present[:-1]]))
    expected = before + moved
    wrong = balance[present] != expected
    return [(int(i), int(balance[i]), int(e)) for i, e in zip(present[wrong], expected[wrong])]


def pair_mirrored_sides(ledger: pd.DataFrame) -> np.ndarray:
    """Positions of the lines to drop so that a voucher read from both a cash and a bank journal
    counts once: for each own-account line of one journal whose 对方科目 is the other journal's
    account, the mirrored row of the other journal (same voucher, same amount, other sides) is the
    same movement.  The row read first is kept.  Rows are dropped whole (own and counter line)."""
    # Compared in Arrow: a Python object per line would cost more than the rest of a batch's check.
    is_cash = ledger["journal"].eq("cash").to_numpy(dtype=bool, na_value=False)
    is_bank = ledger["journal"].eq("bank").to_numpy(dtype=bool, na_value=False)
    if not (is_cash.any() and is_bank.any()):
        return np.array([], dtype=np.int64)
    voucher = ledger["voucher_id"].to_numpy()
    in_cash = np.zeros(int(voucher.max()) + 1, dtype=bool)
    in_bank = np.zeros(len(in_cash), dtype=bool)
    in_cash[voucher[is_cash]] = True
    in_bank[voucher[is_bank]] = True
    candidates = np.flatnonzero((in_cash & in_bank)[voucher])
    if not len(candidates):
        return np.array([], dtype=np.int64)
    lines = ledger.iloc[candidates]
    names = lines["account_name"].to_numpy(dtype=object)
    debit, credit = lines["debit_fen"].to_numpy(), lines["credit_fen"].to_numpy()
    kinds = lines["journal"].to_numpy(dtype=object)
    place = (lines["file"] + "\x1f" + lines["sheet"]).to_numpy(dtype=object)
    drop: list[int] = []
    for voucher_id in np.unique(voucher[candidates]):
        mine = np.flatnonzero(voucher[candidates] == voucher_id)
        present = set(mine.tolist())
        # A journal row is an own line followed by its counter line, on one sheet.
        rows = [(i, i + 1) for i in mine[:-1].tolist() if kinds[i] != "" and names[i] == ACCOUNT_NAMES[kinds[i]]
                and i + 1 in present and place[i + 1] == place[i]]
        used: set[int] = set()
        for own, other in rows:
            if own in used:
                continue
            for own2, other2 in rows:
                if own2 in used or own2 == own or kinds[own2] == kinds[own] or place[own2] == place[own]:
                    continue
                # bank journal: 贷 银行存款 / 借 库存现金 ↔ cash journal: 借 库存现金 / 贷 银行存款
                if (names[other] == names[own2] and names[other2] == names[own]
                        and debit[own] == credit[own2] and credit[own] == debit[own2]):
                    used.update((own, own2))
                    drop += [own2, other2]
                    break
    return candidates[np.array(sorted(drop), dtype=np.int64)] if drop else np.array([], dtype=np.int64)
