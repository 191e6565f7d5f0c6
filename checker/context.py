"""What the names around a sheet say: whose books these are (entity), which book (administrative,
union, party), the year and month, and — for a cash or bank journal — whose account it lists.

Names come from several places, most specific first: the policy's ``[[reading.sources]]``, a unit
column in the sheet (核算账簿名称 …, read per row by the reader), the title rows, the sheet name,
the file name and the folders inside the scanned folder.  The most specific place that names a
unit wins; a less specific place naming another unit is a warning, never a silent merge.  A file
that names no unit anywhere is a unit of its own (``unnamed_entity``): vouchers of two files meet
only when both name the same entity and book.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import parse

_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年|年度)?")
_SHEET_MONTH = re.compile(r"^(?:((?:19|20)\d{2})\s*[年.\-/]?\s*)?(\d{1,2})\s*(?:月|月份|期)?$")


def year_from_text(*texts: str) -> int | None:
    for text in texts:
        match = _YEAR.search(text or "")
        if match and parse.YEAR_RANGE[0] <= int(match.group(1)) <= parse.YEAR_RANGE[1]:
            return int(match.group(1))
    return None


def month_from_sheet(name: str) -> tuple[int | None, int | None]:
    match = _SHEET_MONTH.match(name.strip())
    if match and 1 <= int(match.group(2)) <= 12:
        return (int(match.group(1)) if match.group(1) else None), int(match.group(2))
    return None, None


# --------------------------------------------------------------------------- unit names

# Community- and village-level names end in a place word and are cut there, so that
# 建设社区居民委员会, 建设社区居委会 and 建设社区 are one unit; a community is looked for before the
# 街道 or town above it (某某街道建设社区 → 建设社区).
_PLACE_TIERS = (("社区", "村"), ("街道", "镇", "乡"))
# Folders named after these hold many units (a 街道's folder of its communities): a folder's name
# of this kind never makes the files in it one unit.
CONTAINER_SUFFIXES = ("街道", "镇", "乡")
# Administrative divisions above a unit, cut from the front of a name.
_DIVISION_PREFIX = re.compile(r"^.*(?:省|自治区|市|县|(?<!社)区|街道办事处|街道办|街道|镇|乡)(?=[\u4e00-\u9fff]{2,})")
# Committees named without their place word: 和平村民委员会 is 和平村.
_COMMITTEES = (("村民委员会", "村"), ("村委会", "村"), ("居民委员会", "社区"), ("居委会", "社区"))


def _unit_pattern(suffixes: tuple[str, ...]) -> re.Pattern:
    words = "|".join(map(re.escape, sorted(suffixes, key=len, reverse=True)))
    # 村级, 村务, 社区办, 村民 …: words about a kind of unit, not a unit's name.
    return re.compile(r"([\u4e00-\u9fff]{1,15}?(?:" + words + r"))(?![级务办民])")


@functools.lru_cache(maxsize=64)
def _patterns(suffixes: tuple[str, ...]) -> list[tuple[re.Pattern, bool]]:
    """(pattern, is a place) per tier, in the order they are tried."""
    tiers = [(tuple(s for s in tier if s in suffixes), True) for tier in _PLACE_TIERS]
    places = {s for tier in _PLACE_TIERS for s in tier}
    tiers.append((tuple(s for s in suffixes if s not in places), False))
    return [(_unit_pattern(words), is_place) for words, is_place in tiers if words]


def unit_name(text: str, suffixes, stop_words=()) -> str:
    """The first unit name in ``text`` ("" when none): a community or village cut at its place word
    (长沙市雨花区建设社区居民委员会 → 建设社区), else a 街道 or town, else a company, school,
    hospital, association … as written (某某科技有限公司)."""
    if not text or not suffixes:
        return ""
    suffixes = tuple(suffixes)
    stop = set(stop_words)
    for pattern, is_place in _patterns(suffixes):
        for match in pattern.finditer(text):
            name = match.group(1)
            if is_place:
                name = _DIVISION_PREFIX.sub("", name)
            else:
                for committee, place in _COMMITTEES:
                    if name.endswith(committee) and len(name) > len(committee):
                        name = _DIVISION_PREFIX.sub("", name[:-len(committee)] + place)
                        break
            if len(name) >= 2 and name not in suffixes and name not in stop:
                return name
    return ""


def same_unit(a: str, b: str) -> bool:
    return a == b or (bool(a) and bool(b) and (a in b or b in a))


def unnamed_entity(display: str) -> str:
    """The entity of a file that names no unit: the file itself, so that it meets no other file."""
    return f"未识别单位（{display}）"


def is_unnamed(entity: str) -> bool:
    return entity.startswith("未识别单位（")


_UNIT_CELL_CUT = re.compile(r"\s*[-－—_/|｜]\s*")


def unit_from_cell(text: str, reading: dict) -> tuple[str, str]:
    """A unit column's value → (entity, the rest of the value): "某某科技有限公司-某某账簿" →
    ("某某科技有限公司", "某某账簿").  A value that names no recognised unit is taken as written
    (the column says it is the unit's name)."""
    text = (text or "").strip()
    if not text:
        return "", ""
    parts = _UNIT_CELL_CUT.split(text, maxsplit=1)
    head, rest = parts[0], (parts[1] if len(parts) > 1 else "")
    name = unit_name(head, reading.get("entity_suffixes", []), reading.get("entity_stop_words", []))
    return (name or head), rest


# --------------------------------------------------------------------------- books

def book_marks(text: str, reading: dict) -> list[tuple[str, str, bool]]:
    """(book, word, strong) for each book word in ``text``.  Union and party words are strong;
    of the administrative words, 行政 and the like are strong, the names of the committees and
    collectives that keep an administrative book (居民委员会, 村集体 …) weak."""
    marks = []
    for book, key, strong in (("union", "union_book_words", True), ("party", "party_book_words", True),
                              ("admin", "admin_book_words", True), ("admin", "admin_unit_words", False)):
        for word in reading.get(key, []):
            if word and word in (text or ""):
                marks.append((book, word, strong))
                break
    # 工会经费账 holds 经费账 too: within one text a union or party word decides.
    if any(book in ("union", "party") for book, _, _ in marks):
        marks = [m for m in marks if m[0] != "admin"]
    return marks


ADMIN_BY_DEFAULT = "未见工会、党费账标志，按行政账处理"


def decide_book(places: list[tuple[str, str]], reading: dict) -> tuple[str, str]:
    """The book of a sheet from its named places, most specific first ((place, text) pairs).
    A union or party mark decides; 行政 in a more specific place than it, or both a union and a
    party mark, contradict each other (unknown); no union or party mark: the administrative book."""
    found = [(i, place, text, book, word, strong) for i, (place, text) in enumerate(places)
             for book, word, strong in book_marks(text, reading)]
    special = [f for f in found if f[3] in ("union", "party")]
    if {f[3] for f in special} == {"union", "party"}:
        union = next(f for f in special if f[3] == "union")
        party = next(f for f in special if f[3] == "party")
        return "unknown", (f"账套标志相互矛盾：{union[1]}“{union[2]}”含“{union[4]}”，"
                           f"{party[1]}“{party[2]}”含“{party[4]}”")
    if special:
        i, place, text, book, word, _ = special[0]
        admin = next((f for f in found if f[3] == "admin" and f[5] and f[0] < i), None)
        if admin is not None:
            return "unknown", (f"账套标志相互矛盾：{admin[1]}“{admin[2]}”含“{admin[4]}”，"
                               f"{place}“{text}”含“{word}”")
        return book, f"{place}“{text}”中含“{word}”"
    admin = next((f for f in found if f[3] == "admin"), None)
    if admin is not None:
        return "admin", f"{admin[1]}“{admin[2]}”中含“{admin[4]}”"
    return "admin", ADMIN_BY_DEFAULT


# --------------------------------------------------------------------------- journals

def journal_account(places: list[tuple[str, str]], reading: dict) -> tuple[str, str]:
    """The account a cash or bank journal lists ("cash" / "bank", "" when unknown), and why."""
    for place, text in places:
        for account, key in (("bank", "bank_journal_words"), ("cash", "cash_journal_words")):
            for word in reading.get(key, []):
                if word and word in (text or ""):
                    return account, f"{place}“{text}”中含“{word}”"
    return "", ""


# --------------------------------------------------------------------------- a sheet's context

@dataclass
class SheetContext:
    entity: str = ""
    entity_reason: str = ""
    book: str = "admin"
    book_reason: str = ""
    journal: str = ""
    journal_reason: str = ""
    warnings: list[str] = field(default_factory=list)


def folder_names(path: str, display: str, root: str) -> list[str]:
    """The folders that may name a file's unit, innermost first: those inside the scanned folder
    (a file given by itself: the folder it is in)."""
    if root:
        return list(Path(display).parent.parts)[::-1]
    parent = Path(path).resolve().parent.name if path else ""
    return [parent] if parent else []


def sheet_context(*, title: str, sheet: str, path: str, display: str, root: str, reading: dict,
                  hint: dict, journal_like: bool = False) -> SheetContext:
    context = SheetContext()
    stem = Path(display or path).stem
    folders = folder_names(path, display, root)
    places = [("标题", title), ("工作表名", sheet), ("文件名", stem)] + [("文件夹", f) for f in folders]
    places = [(place, text.strip()) for place, text in places if text and text.strip()]
    suffixes = reading.get("entity_suffixes", [])
    stop = reading.get("entity_stop_words", [])
    named = []
    for place, text in places:
        name = unit_name(text, suffixes, stop)
        if place == "文件夹" and name.endswith(CONTAINER_SUFFIXES):
            continue
        if name:
            named.append((place, text, name))
    if hint.get("entity"):
        context.entity, context.entity_reason = hint["entity"], "策略文件 [[reading.sources]] 指定"
        chosen = ("策略文件", "", hint["entity"])
    elif named:
        place, text, name = named[0]
        context.entity, context.entity_reason = name, f"由{place}“{text}”识别"
        chosen = named[0]
    else:
        context.entity = unnamed_entity(display or path)
        context.entity_reason = ("标题、工作表名、文件名和文件夹中都没有可识别的单位名称：按单独的单位处理，"
                                 "不与其他文件合并")
        chosen = None
    if chosen is not None:
        for place, text, name in named:
            if not same_unit(name, chosen[2]):
                where = "策略文件指定" if chosen[0] == "策略文件" else f"{chosen[0]}“{chosen[1]}”"
                context.warnings.append(f"单位名称不一致：{where}为“{chosen[2]}”，{place}“{text}”为“{name}”；"
                                        f"按更具体的{chosen[0]}定为“{chosen[2]}”。")
                break
    if hint.get("book"):
        context.book, context.book_reason = hint["book"], "策略文件 [[reading.sources]] 指定"
    else:
        context.book, context.book_reason = decide_book(places, reading)
    if journal_like:
        context.journal, context.journal_reason = journal_account(places, reading)
    return context
