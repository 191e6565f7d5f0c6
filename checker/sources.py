"""Finding and opening ledger files: the part of reading that needs neither pandas nor the
rules, so that the command line can start it at once (``Opener``) and let the Rust reader work on
the first workbooks while the rest of the program is still loading.  Even pyarrow loads only
when the first sheet is turned into Arrow columns: by then the Rust reader has been parsing that
sheet for a while (a long sheet's parse is the longest single step of its scan).

Cells come out as Arrow text, one array per Excel column (see ``RawSheet``)."""
from __future__ import annotations

import csv
import io
import os
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .model import DataError

if TYPE_CHECKING:
    import pyarrow as pa


def tune_memory() -> None:
    """For a command-line run: keep freed memory for reuse instead of handing it back to the
    operating system and faulting it in again.  A scan allocates and frees large column buffers on
    several threads; with Arrow's mimalloc pool and glibc's defaults a million-line scan spent
    ~2 s in the kernel on that churn, about 0.7 s with these settings (README "Speed").  The
    peak memory is the same; it is just not trimmed between files.

    glibc also gives each new thread its own heap (up to 8 per core): the rule threads then
    fault in fresh memory while the reading threads' freed buffers sit unused in theirs.  With
    one heap per core, threads that come later reuse what earlier ones freed (C: a quarter less
    kernel time and 12% less memory; one heap for all makes the threads queue for it)."""
    import ctypes
    import ctypes.util
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        if "pyarrow" in sys.modules:
            import pyarrow as pa
            pa.set_memory_pool(pa.system_memory_pool())
        else:
            os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"     # read when pyarrow loads
    if not sys.platform.startswith("linux"):
        return          # Windows and macOS allocators keep freed blocks by themselves
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_threshold, m_arena_max = -1, -3, -8   # glibc's mallopt parameters
        libc.mallopt(m_mmap_threshold, 1 << 30)                # large blocks from the heap, not mmap
        libc.mallopt(m_trim_threshold, (1 << 31) - 1)          # never give the heap's top back
        if "MALLOC_ARENA_MAX" not in os.environ:
            libc.mallopt(m_arena_max, max(2, usable_cpus()))   # before the reading threads start
    except (OSError, AttributeError):
        pass            # not glibc (musl, …): nothing to tune

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xla", ".xlam", ".ods"}
TEXT_SUFFIXES = {".csv"}
UNSUPPORTED_SUFFIXES = {
    ".xlsb": "这是 Excel 二进制工作簿（.xlsb），暂不支持；请在 Excel/WPS 中另存为 .xlsx 后再检查。",
    ".et": "这是 WPS 表格格式（.et）；请在 WPS 中另存为 .xlsx 后再检查。",
    ".lnk": "这是 Windows 快捷方式，不是账簿文件；请检查快捷方式指向的原文件。",
    ".numbers": "这是 Numbers 表格；请导出为 .xlsx 后再检查。",
}

def column_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA" (Excel's column names)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class InputFile:
    path: str          # as the operating system sees it
    display: str       # as shown to the user and in JSON: relative to the folder given
    root: str = ""     # the folder given on the command line ("" for a file given directly)


# --------------------------------------------------------------------------- finding inputs

# What else arrives in a district's folder, each said once in 数据问题 (a warning: nothing that
# was meant to be checked is lost).
NOT_LEDGER_SUFFIXES = {
    ".pdf": "PDF 文件不是账簿（如为凭证扫描件，请对照账簿另行核对），已跳过。",
    ".doc": "Word 文档不是账簿，已跳过。", ".docx": "Word 文档不是账簿，已跳过。",
    ".wps": "WPS 文字文档不是账簿，已跳过。", ".rtf": "文字文档不是账簿，已跳过。",
    ".ppt": "演示文稿不是账簿，已跳过。", ".pptx": "演示文稿不是账簿，已跳过。",
    ".txt": "文本文件不是账簿，已跳过。", ".md": "文本文件不是账簿，已跳过。",
    ".jpg": "图片不是账簿，已跳过。", ".jpeg": "图片不是账簿，已跳过。", ".png": "图片不是账簿，已跳过。",
    ".gif": "图片不是账簿，已跳过。", ".bmp": "图片不是账簿，已跳过。", ".tif": "图片不是账簿，已跳过。",
    ".tiff": "图片不是账簿，已跳过。", ".heic": "图片不是账簿，已跳过。",
}
# Archives may hold ledgers: not checking them is input not read.
ARCHIVE_SUFFIXES = {".zip", ".rar", ".7z", ".gz", ".tar"}
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}
LOCK_FILE_NOTE = "Excel/WPS 打开文件时留下的临时锁文件（~$ 开头），不是账簿，已跳过。"
# A copy's name: 副本, "- Copy", "(1)" … (the original is the one without).
_COPY_NAME = ("副本", "copy", "Copy", "(1)", "(2)", "（1）", "（2）")


def _not_ledger_note(child: Path) -> tuple[str, str] | None:
    """(kind, message) for a file in a folder that is not read as a ledger, None for a ledger."""
    name, suffix = child.name, child.suffix.lower()
    if name.startswith(("~$", ".~")):
        return "warning", LOCK_FILE_NOTE
    if name.lower() in SYSTEM_FILES:
        return "warning", "系统生成的文件，不是账簿，已跳过。"
    if suffix in EXCEL_SUFFIXES | TEXT_SUFFIXES or suffix in UNSUPPORTED_SUFFIXES:
        return None
    if suffix in NOT_LEDGER_SUFFIXES:
        return "warning", NOT_LEDGER_SUFFIXES[suffix]
    if suffix in ARCHIVE_SUFFIXES:
        return "error", "这是压缩包，其中的文件没有检查；请解压后再检查。"
    return "warning", f"不是账簿文件（扩展名 {suffix or '无'}），已跳过。"


def collect_inputs(paths) -> tuple[list[InputFile], list[DataError]]:
    """Files to read, in a stable order, from any mix of files and folders (recursive).  Files in
    a folder that are not ledgers are each named once; a file whose bytes equal another's is read
    once (the copy is named)."""
    found: list[InputFile] = []
    errors: list[DataError] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*"), key=lambda p: p.as_posix()):
                if not child.is_file():
                    continue
                display = child.relative_to(path).as_posix()
                note = _not_ledger_note(child)
                if note is None:
                    found.append(InputFile(str(child), display, str(path)))
                else:
                    errors.append(DataError(display, "", None, "", note[1], note[0]))
        elif path.is_file():
            found.append(InputFile(str(path), str(given)))
        else:
            errors.append(DataError(str(given), "", None, "", f"找不到文件或文件夹：{given}"))
    return _without_byte_copies(found, errors)


def _without_byte_copies(found: list[InputFile], errors: list[DataError]) -> tuple[list[InputFile], list[DataError]]:
    """Files of the same size are compared by content; of equal ones the first whose name does not
    say copy is read.  Only files that share a size are hashed: in a district's folder, few."""
    import hashlib
    by_size: dict[int, list[int]] = {}
    for index, item in enumerate(found):
        try:
            by_size.setdefault(os.path.getsize(item.path), []).append(index)
        except OSError:
            continue            # reported when it is opened
    copies: dict[int, int] = {}
    for indexes in by_size.values():
        if len(indexes) < 2:
            continue
        by_digest: dict[bytes, list[int]] = {}
        for index in indexes:
            digest = hashlib.sha256()
            try:
                with open(found[index].path, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
            except OSError:
                continue
            by_digest.setdefault(digest.digest(), []).append(index)
        for same in by_digest.values():
            original = min(same, key=lambda i: (any(m in Path(found[i].display).stem for m in _COPY_NAME), i))
            copies.update({i: original for i in same if i != original})
    if not copies:
        return found, errors
    for index, original in sorted(copies.items()):
        errors.append(DataError(found[index].display, "", None, "",
                                f"与“{found[original].display}”内容完全相同（副本），未重复计入。", "warning"))
    return [item for i, item in enumerate(found) if i not in copies], errors


# --------------------------------------------------------------------------- opening files

class UnreadableFile(Exception):
    """The file cannot be opened; the message is for the user."""


class NotALedger(UnreadableFile):
    """The file opens but is not a ledger (a report this tool wrote): skipped with a note."""


@dataclass
class RawSheet:
    """A sheet's cells as text, one Arrow array per Excel column (index 0 is column A), each
    starting at Excel row 1.  Numbers and dates arrive as the reader writes them ("2500",
    "1234.56", "2021-03-06 00:00:00"): the parsers read text, so a value means the same whether
    the cell held a number or the same characters typed as text."""
    name: str
    columns: list[pa.Array] = field(default_factory=list)
    height: int = 0
    hidden: bool = False
    note: str = ""            # why a sheet that exists could not be loaded

    def head(self, rows: int) -> list[list]:
        """The first rows as lists of str or None, as wide as the sheet."""
        count = min(rows, self.height)
        cells = [column.slice(0, count).to_pylist() for column in self.columns]
        return [list(row) for row in zip(*cells)] if cells else [[] for _ in range(count)]

    @classmethod
    def from_rows(cls, name: str, rows: list[list]) -> "RawSheet":
        import pyarrow as pa
        width = max((len(r) for r in rows), default=0)
        columns = [pa.array([(str(r[c]) if r[c] is not None else None) if c < len(r) else None for r in rows],
                            type=pa.string()) for c in range(width)]
        return cls(name, columns, len(rows))


def _open_excel(path: str) -> list[RawSheet]:
    import fastexcel
    try:
        workbook = fastexcel.read_excel(path)
        names = workbook.sheet_names
    except Exception as exc:  # noqa: BLE001 - the reader raises many types; all mean "cannot open"
        raise UnreadableFile(_explain_open_error(path, exc)) from None
    sheets = []
    for name in names:
        try:
            # skip_rows=0 keeps the leading empty rows, so position i is Excel row i + 1.
            loaded = workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            table = loaded.to_arrow()
        except Exception as exc:  # noqa: BLE001 - one sheet that will not load must not hide the others
            sheets.append(RawSheet(name, note=f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
            continue
        import pyarrow as pa
        hidden = loaded.visible != "visible"
        offset = min((c.absolute_index for c in loaded.available_columns()), default=0)
        empty = pa.nulls(table.num_rows, pa.string())
        columns = [empty] * offset + [_one_chunk(table.column(i)) for i in range(table.num_columns)]
        sheets.append(RawSheet(name, columns, table.num_rows, hidden))
    return sheets


def _one_chunk(column) -> pa.Array:
    return column.combine_chunks() if hasattr(column, "combine_chunks") else column


def _explain_open_error(path: str, exc: Exception) -> str:
    name = type(exc).__name__
    text = str(exc)
    if "Password" in name or "password" in text.lower() or "encrypt" in text.lower():
        return "工作簿设置了打开密码（已加密），无法读取；请取消密码后另存再检查。"
    if os.path.getsize(path) == 0:
        return "文件是空的（0 字节）。"
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0") and path.lower().endswith((".xlsx", ".xlsm")):
        return "文件扩展名是 .xlsx，但内容是旧版 .xls 或已加密的工作簿；请在 Excel/WPS 中打开并另存为 .xlsx。"
    if not head.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        return "文件内容不是 Excel 工作簿（可能是改了扩展名的其他文件或已损坏）。"
    return f"无法打开工作簿（文件可能已损坏）：{name}: {text.splitlines()[0][:200] if text else ''}"


def _open_csv(path: str) -> list[RawSheet]:
    with open(path, "rb") as handle:
        data = handle.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("CSV 文件既不是 UTF-8 也不是 GBK 编码，无法识别。")
    rows = [row for row in csv.reader(io.StringIO(text))]
    return [RawSheet.from_rows(Path(path).stem, rows)]


def open_sheets(path: str, reading: dict | None = None) -> list[RawSheet]:
    from .guard import check_before_open
    suffix = Path(path).suffix.lower()
    if suffix in UNSUPPORTED_SUFFIXES:
        raise UnreadableFile(UNSUPPORTED_SUFFIXES[suffix])
    if suffix in NOT_LEDGER_SUFFIXES:           # named on the command line: said as in a folder
        raise UnreadableFile(NOT_LEDGER_SUFFIXES[suffix])
    check_before_open(path, reading or {})
    if suffix in TEXT_SUFFIXES:
        return _open_csv(path)
    sheets = _open_excel(path)
    from .guard import OWN_REPORT_SHEETS
    if OWN_REPORT_SHEETS <= {sheet.name for sheet in sheets}:
        raise NotALedger("这像是 voucher-checker 生成的检查报告（有“问题清单”“凭证明细”工作表），不是账簿，已跳过（未计入检查）。")
    return sheets


def usable_cpus() -> int:
    """The CPUs this process may use (a container or taskset may allow fewer than the machine has)."""
    if hasattr(os, "process_cpu_count"):            # Python 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):            # Linux
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


class Opener:
    """A pool of reading threads that starts opening workbooks as soon as it is made, while the
    rest of the program is still loading.  It keeps opening the next files while the cells
    opened and not yet taken stay under ``AHEAD_ROWS`` rows (a few files of a large district; one
    workbook per thread at least), so memory stays bounded.  ``read.read_inputs`` then reads
    every file on the same threads: once it takes its first workbook, this opener opens no more
    and the reader's own look-ahead decides."""

    AHEAD_ROWS = 200_000

    def __init__(self, items: list[InputFile], reading: dict, jobs: int | None = None):
        # --jobs as given, or one thread per usable CPU.  Threads start at no cost (unlike
        # processes), so even one file may use them: a long sheet is read in pieces on all.
        self.jobs = max(1, jobs) if jobs is not None else usable_cpus()
        self.pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="read")
        self._items, self._reading = items, reading
        self._lock = threading.RLock()          # a done callback may run inside _open_more
        self._next = 0                          # the next item to open ahead
        self._running = 0                       # openings submitted and not finished
        self._held = 0                          # rows opened ahead (before the reader started)
        self._ahead: dict[int, Future] = {}
        self._stopped = False                   # the reader has started, or the opener is closed
        with self._lock:
            self._open_more()

    def _open_more(self) -> None:
        """With the lock held: start openings while threads and the row budget allow."""
        # The first workbook of each thread opens whatever the budget: an opening that finishes
        # before the next is submitted must not use it up (which one finishes first is chance).
        while (not self._stopped and self._next < len(self._items) and self._running < self.jobs
               and (self._held < self.AHEAD_ROWS or self._next < self.jobs)):
            index = self._next
            self._next += 1
            self._running += 1
            future = self.pool.submit(open_sheets, self._items[index].path, self._reading)
            self._ahead[index] = future
            future.add_done_callback(self._opened)

    def _opened(self, future: Future) -> None:
        rows = 0 if future.cancelled() or future.exception() else sum(s.height for s in future.result())
        with self._lock:
            self._running -= 1
            self._held += rows
            self._open_more()

    def opened(self, item: InputFile, index: int) -> Future | None:
        """The workbook opened (or being opened) ahead for ``item``, the item at ``index`` (its
        result raises as open_sheets would), or None: the caller opens it.  Opening ahead stops
        at the first call."""
        with self._lock:
            self._stopped = True
            future = self._ahead.pop(index, None)
        return future if index < len(self._items) and self._items[index] == item else None

    def close(self) -> None:
        with self._lock:
            self._stopped = True
        self.pool.shutdown(wait=True, cancel_futures=True)
