"""The normalised ledger: build it from partial columns, and validate it with pandera.

``finalise_ledger`` is the one place that derives the columns every rule relies on (voucher key,
display voucher number, account class), so the reader and the tests build tables the same way.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc
import pandera.pandas as pa

from . import accounts
from .fields import ACCOUNT_CLASSES, BOOKS, LEDGER_COLUMNS, TEXT_COLUMNS
from .model import DataError

EARLIEST_DATE = pd.Timestamp("1990-01-01")
LATEST_DATE = pd.Timestamp("2100-12-31")


def _text(values) -> pyarrow.Array:
    """Any column of text → Arrow text with "" for missing values (Arrow-backed columns without a
    round trip through Python objects)."""
    if isinstance(values, (pyarrow.Array, pyarrow.ChunkedArray)):
        array = values
    elif isinstance(values, pd.Series) and isinstance(values.dtype, (pd.StringDtype, pd.ArrowDtype)):
        array = pyarrow.array(values.array)
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
        array = pyarrow.array(series.astype(object).where(series.notna(), "").astype(str).tolist(), type=pyarrow.string())
    if isinstance(array, pyarrow.ChunkedArray):
        array = array.combine_chunks()
    return pc.fill_null(array.cast(pyarrow.string()), "")


def _blank_text(n: int) -> pyarrow.Array:
    return pc.fill_null(pyarrow.nulls(n, pyarrow.string()), "")


def month_labels(month_index: np.ndarray) -> pyarrow.Array:
    """Months counted as year*12 + month-1 (-1 unknown) → "YYYY-MM" ("" unknown), formatted
    once per distinct month."""
    distinct, codes = np.unique(month_index, return_inverse=True)
    labels = pyarrow.array(["" if m < 0 else f"{m // 12:04d}-{m % 12 + 1:02d}" for m in distinct.tolist()],
                           type=pyarrow.string())
    return labels.take(pyarrow.array(codes.astype(np.int64).reshape(-1)))


def _numbers(values, dtype: str, fill=None) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype == dtype:
        return values                   # the reader's columns arrive ready
    if isinstance(values, (pyarrow.Array, pyarrow.ChunkedArray)):
        values = values.to_numpy(zero_copy_only=False)
    numbers = pd.to_numeric(pd.Series(values), errors="coerce")
    if fill is not None:
        numbers = numbers.fillna(fill)
    return numbers.to_numpy(dtype=dtype)


def _nullable_integers(values, n: int):
    if values is None:
        return pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool))
    if isinstance(values, np.ndarray) and values.dtype == "float64":
        missing = np.isnan(values)
        return pd.arrays.IntegerArray(np.where(missing, 0, np.round(values)).astype("int64"), missing)
    return pd.array(pd.Series(_numbers(values, "float64")).round(), dtype="Int64")


def finalise_columns(src, n: int, account_names: dict | None = None,
                     account_prefixes: dict | None = None) -> dict[str, object]:
    """Complete columns that hold some of LEDGER_COLUMNS (any array-likes, ``n`` long) into all
    of them but ``line_id`` and ``voucher_id`` (which number the whole ledger: ``assemble``).

    Missing text columns become "", missing amounts 0; ``period`` is derived from ``date`` when
    absent; ``voucher``, ``voucher_key`` and ``account_class`` are always derived here.  Text
    stays Arrow and is joined in Arrow: a million lines take a few hundredths of a second.
    """
    text = {column: (_text(src[column]) if column in src else _blank_text(n)) for column in TEXT_COLUMNS}
    columns: dict[str, object] = {}
    columns["row"] = _numbers(src["row"], "int64") if "row" in src else np.zeros(n, dtype="int64")
    if "date" in src:
        date = src["date"]
        date = (date.to_numpy(zero_copy_only=False) if isinstance(date, (pyarrow.Array, pyarrow.ChunkedArray))
                else pd.to_datetime(pd.Series(date)).to_numpy())
        date = np.asarray(date).astype("datetime64[ns]")
    else:
        date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    columns["date"] = date
    missing_period = pc.equal(text["period"], "").to_numpy(zero_copy_only=False)
    if missing_period.any():
        months = date.astype("datetime64[M]").astype("int64") + 1970 * 12
        months[np.isnat(date)] = -1
        text["period"] = pc.if_else(pyarrow.array(missing_period), month_labels(months), text["period"])
    number = _numbers(src["voucher_no"], "int64", 0) if "voucher_no" in src else np.zeros(n, dtype="int64")
    columns["voucher_no"] = number
    for column in ("debit_fen", "credit_fen"):
        columns[column] = _numbers(src[column], "int64", 0) if column in src else np.zeros(n, dtype="int64")
    columns["is_reversal"] = (pd.Series(src["is_reversal"]).fillna(False).to_numpy(dtype=bool) if "is_reversal" in src
                              else np.zeros(n, dtype=bool))
    for column in ("line_no", "attachments", "unit_price_fen", "balance_fen"):
        columns[column] = _nullable_integers(src[column] if column in src else None, n)
    columns["quantity"] = _numbers(src["quantity"], "float64") if "quantity" in src else np.full(n, np.nan)
    text["book"] = pc.if_else(pc.equal(text["book"], ""), "unknown", text["book"])

    number_text = pc.cast(pyarrow.array(number), pyarrow.string())
    word = text["voucher_word"]
    normalised = pc.if_else(pc.equal(word, ""), number_text, pc.binary_join_element_wise(word, number_text, "-"))
    # Shown as the ledger wrote it (记-0006 stays 记-0006); the key below uses the normalised form.
    text["voucher"] = pc.if_else(pc.equal(text["voucher"], ""), normalised, text["voucher"])
    text["voucher_key"] = pc.binary_join_element_wise(text["entity"], text["book"], text["period"], word,
                                                      number_text, "|")
    given = "account_class" in src and pc.all(pc.not_equal(text["account_class"], "")).as_py() in (True, None)
    if not given:
        text["account_class"] = accounts.classify(text["account_code"], text["account_name"],
                                                  account_names, account_prefixes)
    # Done here, per file (on the reading threads), so that assembling the whole ledger only
    # numbers each file's few distinct vouchers and chains each file's text.
    encoded = pc.dictionary_encode(text["voucher_key"])
    columns[_LOCAL_VOUCHER] = encoded.indices.to_numpy(zero_copy_only=False).astype("int64")
    columns[_VOUCHER_KEYS] = encoded.dictionary
    columns[_BOOK_MONTHS] = frozenset(pc.unique(pc.binary_join_element_wise(
        text["entity"], text["book"], text["period"], "|")).to_pylist())
    for column, values in text.items():
        columns[column] = pd.array(values, dtype="str")
    return columns


_LOCAL_VOUCHER, _VOUCHER_KEYS, _BOOK_MONTHS = "_local_voucher_id", "_voucher_keys", "_book_months"


# Where a line stands in a scan, as one sortable integer: input file, sheet position in its
# workbook, Excel row (a sheet has at most 2**20 rows; a workbook, far fewer than 2**15 sheets).
_ROW_BITS, _SHEET_BITS = 21, 15
_FILE_SHIFT = _ROW_BITS + _SHEET_BITS


def line_order(file_index, sheet_position, row):
    """The ``_order`` key of lines (numbers or numpy arrays) that ``assemble`` puts in scan order."""
    return (((file_index << _SHEET_BITS) | sheet_position) << _ROW_BITS) | row


def _pieces_in_scan_order(parts: list[dict]) -> list[tuple[int, int, int]] | None:
    """(part, start, end) ranges that, taken in this order, put every line in scan order (file,
    sheet, row).  A part (a batch of one layout) holds runs of files; its runs are cut apart
    and put among the other parts' by file.  None when that is not enough (a workbook whose
    sheets of two layouts interleave), so the lines themselves must be sorted."""
    if not all("_order" in part for part in parts):
        return [(i, 0, len(part["row"])) for i, part in enumerate(parts)]
    pieces = []
    for i, part in enumerate(parts):
        order = part["_order"]
        if len(order) and (np.diff(order) < 0).any():
            return None
        cuts = np.flatnonzero(np.diff(order >> _FILE_SHIFT)) + 1
        bounds = [0, *cuts.tolist(), len(order)]
        pieces += [(order[a], order[b - 1], i, a, b) for a, b in zip(bounds, bounds[1:]) if b > a]
    pieces.sort()
    if any(earlier[1] >= later[0] for earlier, later in zip(pieces, pieces[1:])):
        return None
    return [(i, a, b) for _, _, i, a, b in pieces]


def _slice(values, start: int, end: int):
    if isinstance(values, pyarrow.Array):
        return values.slice(start, end - start)
    return values[start:end]


def first_appearance(ids: np.ndarray) -> np.ndarray:
    """Renumber ids 0, 1, 2 … in order of first appearance (linear, no sort of the lines)."""
    if not len(ids):
        return ids
    first = np.full(int(ids.max()) + 1, len(ids), dtype="int64")
    first[ids[::-1]] = np.arange(len(ids) - 1, -1, -1)     # the last write per id is its first line
    present = np.flatnonzero(first < len(ids))
    rank = np.empty(len(first), dtype="int64")
    rank[present[np.argsort(first[present], kind="stable")]] = np.arange(len(present))
    return rank[ids]


def _contiguous_text(values: list) -> pd.api.extensions.ExtensionArray:
    """Text arrays joined into one contiguous Arrow array.  Kept as the files' chunks, every
    later kernel over the column pays per chunk: on a hundred files the rules took half as
    long again (README "Speed")."""
    arrays = [pyarrow.array(v) for v in values]
    return pd.array(arrays[0] if len(arrays) == 1 else pyarrow.concat_arrays(arrays), dtype="str")


def _joined_integers(values: list) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.concatenate([v.to_numpy(dtype="int64", na_value=0) for v in values]),
                                  np.concatenate([np.asarray(v.isna(), dtype=bool) for v in values]))


def assemble(parts: list[dict], first_line_id: int = 0, pool=None) -> pd.DataFrame:
    """One normalised ledger from the finalised columns (``finalise_columns``) of one or more
    files or batches: lines in scan order, numbered, and their vouchers numbered.  ``pool`` (an
    executor: the reading threads) joins the text columns side by side."""
    parts = [part for part in parts if len(part["row"])] or parts[:1]
    ids = _number_vouchers(parts)
    pieces = _pieces_in_scan_order(parts)
    in_order = pieces is not None
    if pieces is None:
        pieces = [(i, 0, len(part["row"])) for i, part in enumerate(parts)]
    reordered = [piece[0] for piece in pieces] != sorted(piece[0] for piece in pieces)
    n = sum(b - a for _, a, b in pieces)
    columns: dict[str, object] = {"line_id": np.arange(first_line_id, first_line_id + n, dtype="int64")}
    joined = (pool.map if pool is not None else map)(
        lambda column: _contiguous_text([_slice(parts[i][column], a, b) for i, a, b in pieces]), TEXT_COLUMNS)
    columns.update(zip(TEXT_COLUMNS, joined))
    for column, dtype in LEDGER_COLUMNS.items():
        if column in ("line_id", "voucher_id") or dtype == "str":
            continue
        values = [_slice(parts[i][column], a, b) for i, a, b in pieces]
        if dtype == "Int64":
            columns[column] = _joined_integers(values)
        else:
            columns[column] = np.concatenate(values) if values else np.array([], dtype=dtype)
    voucher = np.concatenate([ids[i][a:b] for i, a, b in pieces]) if pieces else np.array([], dtype="int64")
    columns["voucher_id"] = first_appearance(voucher) if reordered else voucher
    # copy=False: the columns were just built for this frame; pandas would otherwise copy every
    # one and stack the numeric ones into blocks (0.15 s per million lines, for nothing).
    ledger = pd.DataFrame({column: columns[column] for column in LEDGER_COLUMNS},
                          index=pd.Index(columns["line_id"], name=None), copy=False)
    if not in_order:
        # A workbook with sheets of two layouts interleaved: put its lines in scan order.
        order = np.concatenate([parts[i]["_order"][a:b] for i, a, b in pieces])
        ledger = ledger.iloc[np.argsort(order, kind="stable")]
        ledger["line_id"] = np.arange(first_line_id, first_line_id + n, dtype="int64")
        ledger["voucher_id"] = first_appearance(ledger["voucher_id"].to_numpy())
        ledger.index = pd.Index(ledger["line_id"].to_numpy(), name=None)
    return ledger


def _number_vouchers(parts: list[dict]) -> list[np.ndarray]:
    """Voucher ids of each part's lines, the same id for the same voucher key in any part.  A
    key starts with its entity, book and month; when no two parts share one of those (the usual
    district batch: a file per community, book and year) their vouchers cannot meet, and each
    part's ids just follow the previous part's.  Otherwise the parts' distinct keys are
    numbered together."""
    counts = [len(part[_VOUCHER_KEYS]) for part in parts]
    months = [part[_BOOK_MONTHS] for part in parts]
    if sum(len(m) for m in months) == len(frozenset().union(*months)):
        offsets = np.cumsum([0, *counts[:-1]])
        return [part[_LOCAL_VOUCHER] + offset for part, offset in zip(parts, offsets)]
    encoded = pc.dictionary_encode(pyarrow.chunked_array([part[_VOUCHER_KEYS] for part in parts],
                                                         type=pyarrow.string()))
    global_ids = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in encoded.chunks]).astype("int64")
    ids, start = [], 0
    for part, count in zip(parts, counts):
        ids.append(global_ids[start:start + count][part[_LOCAL_VOUCHER]])
        start += count
    return ids


def finalise_ledger(frame: pd.DataFrame, account_names: dict | None = None,
                    account_prefixes: dict | None = None, first_line_id: int = 0) -> pd.DataFrame:
    """Complete a frame that has some of LEDGER_COLUMNS into the full normalised table (see
    ``finalise_columns``); its rows become lines in their order."""
    src = frame.reset_index(drop=True)
    columns = finalise_columns({c: src[c] for c in src.columns}, len(src), account_names, account_prefixes)
    return assemble([columns], first_line_id)


def voucher_lines(ledger: pd.DataFrame, voucher_ids) -> np.ndarray:
    """Positions of the ledger's lines that belong to the vouchers ``voucher_ids``: one pass over
    the integer voucher_id column, however few the vouchers (findings name a few thousand)."""
    ids = ledger["voucher_id"].to_numpy()
    wanted = np.asarray(voucher_ids, dtype="int64")
    if not len(ids) or not len(wanted):
        return np.array([], dtype="int64")
    chosen = np.zeros(max(int(ids.max()), int(wanted.max())) + 1, dtype=bool)
    chosen[wanted] = True
    return np.flatnonzero(chosen[ids])


def voucher_ids(voucher_key: pd.Series) -> np.ndarray:
    """Dense integer ids of the vouchers, numbered in order of first appearance."""
    codes, _ = pd.factorize(voucher_key, sort=False)
    return codes.astype("int64")


def empty_ledger() -> pd.DataFrame:
    return finalise_ledger(pd.DataFrame())


_warmed_up = False


def warm_up() -> None:
    """pandera sets up its checks on the first validation (about 0.1 s, more when hypothesis is
    installed).  The command line calls this while it loads (cli.load_scan_modules), and
    read_inputs while its threads read, when the main thread would only wait.  Only the first
    call does anything."""
    global _warmed_up
    if not _warmed_up:
        LEDGER_SCHEMA.validate(empty_ledger(), lazy=True)
        _warmed_up = True



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
        "journal": pa.Column(str, pa.Check.isin(("", "cash", "bank"))),
        "balance_fen": pa.Column("Int64", nullable=True),
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
    "journal": "日记账", "balance_fen": "余额",
}


def validate_ledger(ledger: pd.DataFrame) -> tuple[pd.DataFrame, list[DataError]]:
    """Validate the whole table; lines that break the schema are removed and each becomes an
    error naming file, sheet, row and column.  Never raises for bad data."""
    try:
        # inplace: the schema coerces nothing, so pandera need not copy the ledger first.
        LEDGER_SCHEMA.validate(ledger, lazy=True, inplace=True)
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


__all__ = ["warm_up", "line_order", "voucher_lines", "finalise_ledger", "finalise_columns", "assemble", "month_labels", "empty_ledger", "voucher_ids", "validate_ledger", "LEDGER_SCHEMA", "FIELD_LABELS",
           "EARLIEST_DATE", "LATEST_DATE", "dt"]
