"""Where the scan writes its results: each path is checked before the scan starts, so that a
folder given as a file name, a wrong extension, a read-only file, a path blocked by a file or a
workbook open in Excel/WPS is one Chinese sentence at once, not a failure after the whole batch
was read; and what still goes wrong while writing gets a sentence of its own."""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path


# Windows refuses to open a workbook for writing while Excel or WPS has it open.
WINDOWS = os.name == "nt"


class OutputPathError(ValueError):
    """An output that cannot be written there; the message is for the user."""


@dataclass(frozen=True)
class Output:
    label: str          # 报告 / JSON 结果 …, as the console names it
    option: str         # the option that gave it: -o, --json …
    suffix: str         # what the file must end with
    path: Path
    note: str = ""      # said once when the path was changed (an extension added)


def lock_files(path: Path) -> list[Path]:
    """The owner files kept beside a workbook while it is open: ~$名称.xlsx by Excel and WPS,
    .~lock.名称.xlsx# by LibreOffice."""
    return [lock for lock in (path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#"))
            if lock.exists()]


def is_read_only(path: Path) -> bool:
    """The file's read-only attribute (Windows) or no write permission for anyone (POSIX), which
    even an administrator's tools respect; or the current user may not write it."""
    mode = path.stat().st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def planned(text: str, label: str, option: str, suffix: str) -> Output:
    """The output ``option`` names, with ``suffix`` added when the name has no extension;
    OutputPathError when it is a folder, has another extension, or cannot be written."""
    path = Path(text)
    if not text.strip() or text.endswith(("/", "\\")) or path.is_dir():
        example = path / f"检查结果{suffix}" if text.strip() else Path(f"检查结果{suffix}")
        raise OutputPathError(f"{option} 后写的 {text or '（空）'} 是一个文件夹，不是文件名；请写上{label}的文件名，"
                              f"例如 {option} {example}。")
    note = ""
    extension = path.suffix
    if not extension or not extension[1:].isalpha():       # 报告, 检查报告2021.09: no extension
        path = path.with_name(path.name + suffix)
        note = f"{option} 后的文件名没有扩展名 {suffix}，已写为 {path}。"
    elif extension.lower() != suffix:
        other = {".csv": "--csv", ".json": "--json", ".xlsx": "-o"}.get(extension.lower())
        hint = f"；要写 {extension} 文件请用 {other}" if other and other != option else ""
        raise OutputPathError(f"{label}的文件名应以 {suffix} 结尾，{option} 后写的 {text} 却以 {extension} 结尾"
                              f"{hint}；例如 {option} {path.with_suffix(suffix)}。")
    check_writable(path, label)
    return Output(label, option, suffix, path, note)


def check_writable(path: Path, label: str) -> None:
    """OutputPathError when ``path`` cannot be (over)written: it is a folder, a file stands
    where a folder of its path should be, it is read-only, or Excel/WPS has it open."""
    if path.is_dir():
        raise OutputPathError(f"无法写出{label} {path}：已有一个同名的文件夹；请换一个文件名。")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise OutputPathError(f"无法写出{label} {path}：路径中的 {ancestor} 是一个文件，不是文件夹；请换一个位置。")
    if not path.exists():
        return
    locks = lock_files(path)
    if locks:
        raise OutputPathError(locked_message(path, label, locks[0]))
    if is_read_only(path):
        raise OutputPathError(read_only_message(path, label))
    try:
        with open(path, "ab"):      # opens without changing it; fails where Windows has it locked
            pass
    except PermissionError:
        raise OutputPathError(locked_message(path, label)) from None


def locked_message(path: Path, label: str, lock: Path | None = None) -> str:
    seen = f"（旁边有 Excel/WPS 的锁定文件 {lock.name}）" if lock is not None else ""
    stale = f"；如果已经关闭了 Excel/WPS，请删除 {lock.name} 后再试" if lock is not None else ""
    return (f"{label} {path} 正在 Excel 或 WPS 中打开{seen}，无法覆盖；请关闭它后再运行，或用另一个文件名{stale}。")


def read_only_message(path: Path, label: str) -> str:
    return f"{label} {path} 是只读文件，无法覆盖；请在文件属性中取消“只读”，或换一个文件名。"


def write_failure(exc: OSError, path: Path, label: str) -> str:
    """The sentence for an output that failed while being written."""
    if isinstance(exc, PermissionError) and path.exists() and not path.is_dir():
        if is_read_only(path):
            return read_only_message(path, label)
        locks = lock_files(path)
        if locks or WINDOWS:
            return locked_message(path, label, locks[0] if locks else None)
    if isinstance(exc, PermissionError):
        return f"无法写出{label} {path}：没有在文件夹 {path.parent} 中写文件的权限；请换一个位置。"
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return f"无法写出{label} {path}：路径中有一个文件挡住了要建的文件夹；请换一个位置。"
    if exc.errno == errno.ENOSPC:
        return f"无法写出{label} {path}：磁盘空间不足；请清理磁盘或换一个位置。"
    return f"无法写出{label} {path}：{exc.strerror or exc}。"
