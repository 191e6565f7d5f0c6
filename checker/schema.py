"""The normalised ledger: build it from partial columns, and validate it with pandera.

``finalise_ledger`` is the one place that derives the columns every rule relies on (voucher key,
display voucher number, account class), so the reader and the tests build tables the same way.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import accounts
from .fields import ACCOUNT_CLASSES, BOOKS, LEDGER_COLUMNS, TEXT_COLUMNS
from .model import DataError

EARLIEST_DATE = pd.Timestamp("1990-01-01")
LATEST_DATE = pd.Timestamp("2100-12-31")


def _text(values) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(series.dtype, pd.StringDtype):
        return series.fillna("").astype(str)   # Arrow text stays Arrow: no round trip through object
    return series.astype(object).fillna("").astype(str)


def finalise_ledger(frame: pd.DataFrame, account_names: dict | None = None,
                    account_prefixes: dict | None = None, first_line_id: int = 0) -> pd.DataFrame:
    """Complete a frame that has some of LEDGER_COLUMNS into the full normalised table.

    Missing text columns become "", missing amounts 0; ``period`` is derived from ``date`` when
    absent; ``voucher``, ``voucher_key`` and ``account_class`` are always derived here.
    """
    n = len(frame)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    src = frame.reset_index(drop=True)
    for column in TEXT_COLUMNS:
        out[column] = _text(src[column]) if column in src else pd.Series([""] * n, dtype=object)
    out["line_id"] = np.arange(first_line_id, first_line_id + n, dtype="int64")
    out["row"] = src["row"].astype("int64") if "row" in src else np.zeros(n, dtype="int64")
    out["date"] = pd.to_datetime(src["date"]) if "date" in src else pd.Series(pd.NaT, index=out.index)
    out["date"] = out["date"].astype("datetime64[ns]")
    missing_period = out["period"] == ""
    if missing_period.any():
        out.loc[missing_period, "period"] = out.loc[missing_period, "date"].dt.strftime("%Y-%m").fillna("")
    out["voucher_no"] = (pd.to_numeric(src["voucher_no"], errors="coerce").fillna(0).astype("int64")
                         if "voucher_no" in src else np.zeros(n, dtype="int64"))
    for column in ("debit_fen", "credit_fen"):
        out[column] = (pd.to_numeric(src[column]).fillna(0).astype("int64") if column in src
                       else np.zeros(n, dtype="int64"))
    out["is_reversal"] = src["is_reversal"].fillna(False).astype(bool) if "is_reversal" in src else False
    for column in ("line_no", "attachments", "unit_price_fen"):
        out[column] = (pd.to_numeric(src[column], errors="coerce").round().astype("Int64") if column in src
                       else pd.array([pd.NA] * n, dtype="Int64"))
    out["quantity"] = (pd.to_numeric(src["quantity"], errors="coerce").astype("float64") if "quantity" in src
                       else np.full(n, np.nan))
    out.loc[out["book"] == "", "book"] = "unknown"

    number = out["voucher_no"].astype(str)
    out["voucher"] = np.where(out["voucher_word"] == "", number, out["voucher_word"] + "-" + number)
    out["voucher_key"] = (out["entity"] + "|" + out["book"] + "|" + out["period"] + "|"
                          + out["voucher_word"] + "|" + number)
    if "account_class" in src and (src["account_class"].fillna("") != "").all():
        out["account_class"] = _text(src["account_class"])
    else:
        out["account_class"] = _text(accounts.classify(out["account_code"], out["account_name"],
                                                       account_names, account_prefixes))
    out["voucher_id"] = voucher_ids(out["voucher_key"])
    out = out[list(LEDGER_COLUMNS)]
    out.index = pd.Index(out["line_id"].to_numpy(), name=None)
    return out


def voucher_ids(voucher_key: pd.Series) -> np.ndarray:
    """Dense integer ids of the vouchers, numbered in order of first appearance."""
    codes, _ = pd.factorize(voucher_key, sort=False)
    return codes.astype("int64")


def empty_ledger() -> pd.DataFrame:
    return finalise_ledger(pd.DataFrame())



LEDGER_SCHEMA = pa.DataFrameSchema(
    {
        "line_id": pa.Column("int64", unique=True),
        "file": pa.Column(str, pa.Check.str_length(min_value=1)),
        "sheet": pa.Column(str),
        "row": pa.Column("int64", pa.Check.ge(1)),
        "entity": pa.Column(str),
        "book": pa.Column(str, pa.Check.isin(BOOKS)),
        "date": pa.Column("datetime64[ns]", pa.Check.in_range(EARLIEST_DATE, LATEST_DATE), nullable=True),
        "period": pa.Column(str, pa.Check.str_matches(r"^(199\d|20\d\d|2100)-(0[1-9]|1[0-2])$")),
        "voucher_word": pa.Column(str),
        "voucher_no": pa.Column("int64", pa.Check.ge(0)),
        "voucher": pa.Column(str, pa.Check.str_length(min_value=1)),
        "voucher_key": pa.Column(str, pa.Check.str_length(min_value=7)),
        "voucher_id": pa.Column("int64", pa.Check.ge(0)),
        "line_no": pa.Column("Int64", nullable=True),
        "summary": pa.Column(str),
        "account_code": pa.Column(str),
        "account_name": pa.Column(str),
        "account_class": pa.Column(str, pa.Check.isin(ACCOUNT_CLASSES)),
        "debit_fen": pa.Column("int64", pa.Check.ge(0)),
        "credit_fen": pa.Column("int64", pa.Check.ge(0)),
        "is_reversal": pa.Column(bool),
        "counterparty": pa.Column(str),
        "settlement": pa.Column(str),
        "preparer": pa.Column(str),
        "reviewer": pa.Column(str),
        "poster": pa.Column(str),
        "attachments": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "quantity": pa.Column("float64", nullable=True),
        "unit_price_fen": pa.Column("Int64", nullable=True),
    },
    strict=True,
    ordered=True,
)

FIELD_LABELS = {
    "line_id": "行标识", "file": "文件", "sheet": "工作表", "row": "行号", "entity": "单位",
    "book": "账套", "date": "日期", "period": "会计期间", "voucher_word": "凭证字", "voucher_no": "凭证号",
    "voucher": "凭证号", "voucher_key": "凭证标识", "voucher_id": "凭证序号", "line_no": "分录号", "summary": "摘要",
    "account_code": "科目编码", "account_name": "科目名称", "account_class": "科目类别",
    "debit_fen": "借方金额", "credit_fen": "贷方金额", "is_reversal": "红字标记",
    "counterparty": "往来单位", "settlement": "结算方式", "preparer": "制单人", "reviewer": "审核人",
    "poster": "记账人", "attachments": "附件数", "quantity": "数量", "unit_price_fen": "单价",
}


def validate_ledger(ledger: pd.DataFrame) -> tuple[pd.DataFrame, list[DataError]]:
    """Validate the whole table; lines that break the schema are removed and each becomes an
    error naming file, sheet, row and column.  Never raises for bad data."""
    try:
        LEDGER_SCHEMA.validate(ledger, lazy=True)
        return ledger, []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    errors: list[DataError] = []
    bad_index: set = set()
    for case in cases.itertuples(index=False):
        column = str(case.column) if case.column is not None else ""
        label = FIELD_LABELS.get(column, column)
        index = case.index
        if index is None or (isinstance(index, float) and np.isnan(index)) or index not in ledger.index:
            errors.append(DataError("", "", None, label,
                                    f"规范化后的账表不符合结构要求：{case.check}（{label}）。这是程序缺陷，请报告。"))
            continue
        line = ledger.loc[index]
        bad_index.add(index)
        errors.append(DataError(line["file"], line["sheet"], int(line["row"]), label,
                                f"{label}的值“{case.failure_case}”不符合要求（{case.check}），该行未参与检查。"))
    return ledger.drop(index=list(bad_index)), errors


__all__ = ["finalise_ledger", "empty_ledger", "voucher_ids", "validate_ledger", "LEDGER_SCHEMA", "FIELD_LABELS",
           "EARLIEST_DATE", "LATEST_DATE", "dt"]
