"""Finding a sheet's header: the row (or two rows, 借方/贷方 under a merged 金额) whose cells name
ledger fields, and which column holds which field."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .fields import CORE_FIELDS, HEADER_SYNONYMS, MIN_HEADER_FIELDS

# Upper header cells that group the cells under them (金额 over 借方/贷方, 凭证 over 字/号 …).
HEADER_GROUP_WORDS = ("金额", "发生额", "本期发生额", "凭证", "日期", "本币", "原币", "人民币")
EXTRA_LOWER_HEADER = {"字": "voucher_word", "种类": "voucher_word", "号": "voucher", "号数": "voucher",
                      "编号": "voucher"}

_HEADER_NOISE = re.compile(r"[\s:：*＊]|[（(][^）)]*[）)]")


_TITLE_PAIR = re.compile(r"[:：]\s*\S")


def _header_key(cell) -> str:
    if not isinstance(cell, str) or _TITLE_PAIR.search(cell):
        # "会计年度：2021年", "单位：元" are title text, never column headers
        return ""
    return _HEADER_NOISE.sub("", cell)


class HeaderMatcher:
    """Maps a header cell to a field: exact synonym first, then the longest synonym it starts with."""

    def __init__(self, extra: dict[str, list[str]] | None = None):
        self.exact: dict[str, str] = {}
        for field_name, words in HEADER_SYNONYMS.items():
            for word in words:
                self.exact.setdefault(_header_key(word), field_name)
        for field_name, words in (extra or {}).items():
            for word in words:
                self.exact[_header_key(word)] = field_name
        self.prefixes = sorted(((k, f) for k, f in self.exact.items() if len(k) >= 2),
                               key=lambda kf: -len(kf[0]))
        self._seen: dict = {}

    def match(self, cell, lower_row: bool = False) -> str | None:
        # Every sheet of an export repeats the same header and title cells: decide each once.
        known = self._seen.get((cell, lower_row), self)
        if known is not self:
            return known
        found = self._match(cell, lower_row)
        if len(self._seen) < 100_000:
            self._seen[(cell, lower_row)] = found
        return found

    def _match(self, cell, lower_row: bool) -> str | None:
        key = _header_key(cell)
        if not key or len(key) > 20:
            return None
        if key in self.exact:
            return self.exact[key]
        if lower_row and key in EXTRA_LOWER_HEADER:
            return EXTRA_LOWER_HEADER[key]
        if "余额" in key:
            return None
        for prefix, field_name in self.prefixes:
            if key.startswith(prefix):
                return field_name
        return None


# Cells arrive as text: a number or a date written out ("2500", "1234.56", "2021-03-06 00:00:00")
# is a value, and a row holding one is data, not a header.
_VALUE_CELL = re.compile(r"^\s*[-+]?[\d,]*\.?\d+\s*$|^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?$")


def _is_plain_text_row(row: list) -> bool:
    return all(c is None or (isinstance(c, str) and not _is_value(c)) for c in row)


@functools.lru_cache(maxsize=1 << 16)
def _is_value(cell: str) -> bool:
    return _VALUE_CELL.match(cell) is not None


@dataclass
class Header:
    rows: tuple[int, ...]               # 0-based row indexes
    columns: dict[str, int]             # field -> 0-based column
    texts: dict[int, str]               # column -> header text shown to the user
    year: int | None = None             # a "2021年" cell over 月/日


def _map_row(row: list, matcher: HeaderMatcher) -> dict[int, str]:
    return {i: f for i, cell in enumerate(row) if (f := matcher.match(cell))}


def _merge_two_rows(upper: list, lower: list, matcher: HeaderMatcher) -> tuple[dict[int, str], dict[int, str], int | None]:
    upper_map = _map_row(upper, matcher)
    lower_map = {i: f for i, cell in enumerate(lower) if (f := matcher.match(cell, lower_row=True))}
    merged, texts, year = {}, {}, None
    for i in range(max(len(upper), len(lower))):
        up = upper[i] if i < len(upper) else ""
        low = lower[i] if i < len(lower) else ""
        up_key = _header_key(up)
        if re.fullmatch(r"(19|20)\d{2}年?", up_key):
            year = int(up_key[:4])
        upper_is_group = up_key == "" or up_key in HEADER_GROUP_WORDS or re.fullmatch(r"(19|20)\d{2}年?", up_key)
        if i in lower_map and (upper_is_group or i not in upper_map or upper_map[i] == "amount"):
            merged[i] = lower_map[i]
            texts[i] = f"{str(up).strip()}/{str(low).strip()}" if up_key else str(low).strip()
        elif i in upper_map:
            merged[i] = upper_map[i]
            texts[i] = str(up).strip()
    return merged, texts, year


def _columns_from(mapping: dict[int, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index in sorted(mapping):
        columns.setdefault(mapping[index], index)
    return columns


def _score(columns: dict[str, int]) -> int:
    if not any(f in columns for f in CORE_FIELDS):
        return 0
    return len(columns)


def find_header(rows: list[list], matcher: HeaderMatcher, search_rows: int) -> Header | None:
    best: Header | None = None
    best_score = MIN_HEADER_FIELDS - 1
    for r in range(min(search_rows, len(rows))):
        if not _is_plain_text_row(rows[r]):
            continue
        single = _map_row(rows[r], matcher)
        candidates = [(Header((r,), _columns_from(single), {i: str(rows[r][i]).strip() for i in single}), False)]
        if r + 1 < len(rows) and _is_plain_text_row(rows[r + 1]):
            merged, texts, year = _merge_two_rows(rows[r], rows[r + 1], matcher)
            if len(merged) > max(len(single), len(_map_row(rows[r + 1], matcher))):
                candidates.append((Header((r, r + 1), _columns_from(merged), texts, year), True))
        for header, _ in candidates:
            score = _score(header.columns)
            if score > best_score:
                best, best_score = header, score
    return best


