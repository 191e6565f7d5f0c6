"""Build small normalised ledgers for tests and docs from rows a person can read.

    ledger_from_rows([
        # voucher, date, summary, account, debit, credit (yuan; text or number)
        ("记-6", "2021-03-06", "提取备用金", "库存现金", "2500", ""),
        ("记-6", "2021-03-06", "提取备用金", "银行存款", "", "2500"),
    ], book="admin")

Each row is a tuple in ``ROW_FIELDS`` order, or a dict with any LEDGER_COLUMNS / these names.
Amounts are given in yuan and become fen exactly.
"""
from __future__ import annotations

from decimal import Decimal

import pandas as pd

from .accounts import split_code_and_name
from .schema import finalise_ledger, voucher_ids

ROW_FIELDS = ("voucher", "date", "summary", "account", "debit", "credit")


def _fen(value) -> int:
    if value in (None, ""):
        return 0
    return int((Decimal(str(value).replace(",", "")) * 100).to_integral_value())


def ledger_from_rows(rows, *, entity: str = "建设社区", book: str = "admin", file: str = "test.xlsx",
                     sheet: str = "Sheet1", first_row: int = 2) -> pd.DataFrame:
    records = []
    for i, row in enumerate(rows):
        record = dict(zip(ROW_FIELDS, row)) if not isinstance(row, dict) else dict(row)
        voucher = str(record.pop("voucher", "记-1"))
        word, _, number = voucher.rpartition("-")
        record.setdefault("voucher_word", word)
        record.setdefault("voucher_no", int(number))
        if "account" in record:
            code, name = split_code_and_name(pd.Series([record.pop("account")]))
            record.setdefault("account_code", code.iloc[0])
            record.setdefault("account_name", name.iloc[0])
        record["debit_fen"] = _fen(record.pop("debit", record.get("debit_fen", 0)))
        record["credit_fen"] = _fen(record.pop("credit", record.get("credit_fen", 0)))
        if "date" in record:
            record["date"] = pd.Timestamp(record["date"]) if record["date"] else pd.NaT
        record.setdefault("entity", entity)
        record.setdefault("book", book)
        record.setdefault("file", file)
        record.setdefault("sheet", sheet)
        record.setdefault("row", first_row + i)
        records.append(record)
    return finalise_ledger(pd.DataFrame.from_records(records))


def combine_ledgers(*ledgers: pd.DataFrame) -> pd.DataFrame:
    """Several small ledgers as one scan reads them: lines and vouchers numbered afresh
    (line_id and voucher_id are unique within a scan)."""
    ledger = pd.concat(ledgers, ignore_index=True)
    ledger["line_id"] = range(len(ledger))
    ledger["voucher_id"] = voucher_ids(ledger["voucher_key"])
    ledger.index = ledger["line_id"].to_numpy()
    return ledger
