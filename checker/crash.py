"""When the tool itself fails: the user reads one Chinese sentence saying where the details are;
the traceback goes to a log file in the user's temporary folder (%TEMP% on Windows), which a
maintainer can be sent."""
from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

LOG_FOLDER_NAME = "voucher-checker"


def log_folder() -> Path:
    return Path(tempfile.gettempdir()) / LOG_FOLDER_NAME


def write_log(exc: BaseException) -> Path | None:
    """The traceback and what was run, in a new file; None when even that cannot be written."""
    from . import __version__
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"error-{stamp}-{os.getpid()}.log"
        details = (f"voucher-checker {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
                   f"command: {sys.argv!r}\ncwd: {os.getcwd()}\n\n"
                   + "".join(traceback.format_exception(exc)))
        path.write_text(details, encoding="utf-8")
    except OSError:
        return None
    return path


def report_failure(exc: BaseException) -> str:
    """The one sentence shown for an unexpected failure (its traceback is in the log)."""
    from .registry import RuleDefinitionError
    log = write_log(exc)
    where = (f"详细信息已写入 {log}，请把这个文件和所检查的账簿交给维护人员" if log is not None
             else "详细信息也无法写入日志文件（临时文件夹不可写）")
    if isinstance(exc, MemoryError):
        return f"内存不足，检查没有完成；请关闭其他程序或分几批检查（每次少放一些文件），{where}。"
    if isinstance(exc, RuleDefinitionError):
        return f"规则模块有误，检查没有开始：{str(exc).rstrip('。')}；{where}。"
    detail = (str(exc).strip().splitlines() or [""])[0]
    detail = f"：{detail[:120]}" if detail else ""
    return f"程序内部出错（{type(exc).__name__}{detail}），检查没有完成；{where}。"
