"""Classify accounts into the few classes rules reason about.

Names are more stable than codes across charts, so the name decides first and the code prefix
second.  Both the 2004 village chart (101 现金, 102 银行存款, 541 管理费用 …) and four-digit
charts (1001 库存现金, 1002 银行存款, 5xxx …) work out of the box; the policy file can add names
and code prefixes per class (``[accounts]``).
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# The top-level account name decides; words are matched at the start of the top-level name,
# then anywhere in it.  Order: first class that matches wins.
DEFAULT_NAME_WORDS: dict[str, tuple[str, ...]] = {
    "cash": ("库存现金", "现金"),
    "bank": ("银行存款", "零余额账户", "其他货币资金"),
    "receivable_payable": ("应收", "应付", "其他应收", "其他应付", "内部往来", "预付", "预收",
                           "暂付", "暂收", "往来", "备用金", "应缴", "应交"),
    "expense": ("管理费用", "其他支出", "公益支出", "经营支出", "业务活动费用", "其他费用",
                "职工活动支出", "维权支出", "业务支出", "行政支出", "资本性支出", "事业支出",
                "补助支出", "费用", "支出", "成本"),
    "income": ("收入", "补助收入", "拨款", "会费", "经费收入", "上级补助", "投资收益"),
    "asset": ("固定资产", "库存物资", "存货", "在建工程", "无形资产", "长期投资", "短期投资",
              "牲畜", "林木", "生物资产", "材料", "物资"),
}

# Code prefixes for when the name did not decide.  Longer prefixes are tried first.
DEFAULT_CODE_PREFIXES: dict[str, tuple[str, ...]] = {
    "cash": ("1001", "101"),
    "bank": ("1002", "102", "1012"),
    "receivable_payable": ("1121", "1122", "1123", "1221", "2202", "2203", "2241", "2211",
                           "2221", "112", "113", "201", "202", "211", "212", "1215", "2305"),
    "asset": ("1601", "1401", "1403", "1801", "151", "161", "171", "121", "131"),
    "income": ("4", "6", "501", "502", "511", "521", "522", "531", "561"),
    "expense": ("5", "7"),
}

_SEPARATORS = re.compile(r"[-－—_/\\:：>|·.、]")
_LEADING_CODE = re.compile(r"^\s*([0-9]{3,12})[\s\-_.、:：/\\]*")
_SPLIT = re.compile(_LEADING_CODE.pattern + r"(.*)$")


def split_code_and_name(cell: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split "5301 管理费用-办公费" into ("5301", "管理费用-办公费"); cells without a code keep
    their whole text as the name."""
    text = cell.fillna("").astype(str).str.strip()
    # A ledger has a few dozen distinct account cells over thousands of lines: split each once.
    codes, uniques = pd.factorize(text)
    if not len(uniques):
        return pd.Series("", index=cell.index, dtype=object), pd.Series("", index=cell.index, dtype=object)
    split = [split_account(value) for value in uniques]
    code = np.array([c for c, _ in split], dtype=object)
    name = np.array([n for _, n in split], dtype=object)
    return pd.Series(code[codes], index=cell.index, dtype=object), pd.Series(name[codes], index=cell.index, dtype=object)


@functools.lru_cache(maxsize=1 << 15)
def split_account(text: str) -> tuple[str, str]:
    """One account cell: "5301 管理费用-办公费" → ("5301", "管理费用-办公费")."""
    match = _SPLIT.search(text)
    if match is None:
        return "", text.strip()
    return match.group(1), match.group(2).strip()


def classify(account_code: pa.Array, account_name: pa.Array, extra_names: dict[str, list[str]] | None = None,
             extra_prefixes: dict[str, list[str]] | None = None) -> pa.Array:
    """One class per line from ACCOUNT_CLASSES (Arrow text), decided once per distinct (code,
    name) pair of the lines' codes and names (Arrow text, "" where blank)."""
    decide = _classifier(_frozen(extra_names), _frozen(extra_prefixes))
    code, name = pc.utf8_trim_whitespace(account_code), pc.utf8_trim_whitespace(account_name)
    pairs = pc.dictionary_encode(pc.binary_join_element_wise(code, name, "\x1f"))
    classes = pa.array([decide(*pair.split("\x1f", 1)) for pair in pairs.dictionary.to_pylist()], type=pa.string())
    return classes.take(pairs.indices)


def _frozen(extra: dict[str, list[str]] | None) -> tuple:
    return tuple((cls, tuple(words)) for cls, words in sorted((extra or {}).items()))


@functools.lru_cache(maxsize=16)
def _classifier(extra_names: tuple, extra_prefixes: tuple):
    names = {k: list(v) for k, v in DEFAULT_NAME_WORDS.items()}
    prefixes = {k: list(v) for k, v in DEFAULT_CODE_PREFIXES.items()}
    # Policy words go first so that a locality can move an account from one class to another.
    for cls, words in extra_names:
        names[cls] = list(words) + names.get(cls, [])
    for cls, codes in extra_prefixes:
        prefixes[cls] = list(codes) + prefixes.get(cls, [])
    starts = [(cls, re.compile("^(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"))
              for cls, words in names.items()]
    contains = [(cls, re.compile("|".join(re.escape(w) for w in words))) for cls, words in names.items()]
    ordered = sorted(((p, cls) for cls, ps in prefixes.items() for p in ps), key=lambda t: -len(t[0]))

    @functools.lru_cache(maxsize=65536)
    def decide(code: str, name: str) -> str:
        top = _SEPARATORS.split(name, maxsplit=1)[0].strip() if name else ""
        for cls, pattern in starts:
            if pattern.search(top):
                return cls
        if top:
            for cls, pattern in contains:
                if pattern.search(top):
                    return cls
        for prefix, cls in ordered:
            if code.startswith(prefix):
                return cls
        return "other"
    return decide
