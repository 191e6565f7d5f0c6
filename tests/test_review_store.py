"""The store survives a process killed in the middle of an import, and two imports at once.

The child process stops inside its transaction, after some conclusions are written, and says so
on stdout; the parent acts only on that line (no sleeps, no timing)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.review_support import fill, run, scan, write_books
from voucher_checker.review.store import open_store

ROOT = Path(__file__).resolve().parents[1]

# Imports a report, stopping after the second conclusion until a line arrives on stdin.
PAUSING_IMPORT = """
import sys
from voucher_checker.review import importer
from voucher_checker.review.store import open_store
from voucher_checker.review.workbook import read_report

written = 0
original = importer.record_conclusion

def pausing(*args, **kwargs):
    global written
    original(*args, **kwargs)
    written += 1
    if written == 2:
        print("paused", flush=True)
        sys.stdin.readline()

importer.record_conclusion = pausing
with open_store(sys.argv[1]) as store:
    summary = importer.import_reports(store, [read_report(sys.argv[2])], "子进程")
print("taken", summary.taken, flush=True)
"""

ALL = {
    ("建设社区", "记-6"): {"核实结论": "属实", "整改措施": "退回", "责任人": "周敏"},
    ("建设社区", "记-7"): {"核实结论": "属实", "整改措施": "转账"},
    ("建设社区", "记-8"): {"核实结论": "不属实", "备注": "经审批"},
    ("建设社区", "记-9"): {"核实结论": "已整改"},
}
FIRST = {("幸福村", "记-1"): {"核实结论": "属实", "责任人": "王村长"}}


@pytest.fixture()
def reports(tmp_path):
    scan(write_books(tmp_path / "账簿"), tmp_path / "报告.xlsx")
    return (fill(tmp_path / "报告.xlsx", tmp_path / "先.xlsx", FIRST, insert=False),
            fill(tmp_path / "报告.xlsx", tmp_path / "后.xlsx", ALL, insert=False))


def _env() -> dict:
    # UTF-8 on the pipes whatever the console's code page (GBK, or cp1252 on an English Windows).
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}


def _pausing_child(db: Path, report: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", PAUSING_IMPORT, str(db), str(report)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=_env())
    assert child.stdout.readline().strip() == "paused", child.stderr.read()
    return child


def _state(db: Path):
    with open_store(db) as store:
        assert store.query("PRAGMA integrity_check")[0][0] == "ok"
        return (store.query("SELECT case_id, verdict, measures, responsible, note FROM conclusions ORDER BY seq"),
                store.query("SELECT id, case_id FROM findings ORDER BY id"),
                store.query("SELECT count(*) FROM imports")[0][0])


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_killed_import_leaves_the_store_as_it_was(reports, tmp_path):
    first, later = reports
    db = tmp_path / "记录.db"
    assert run("review", "import", first, "--db", db).exit_code == 0
    before = _state(db)
    child = _pausing_child(db, later)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert _state(db) == before
    result = run("review", "import", later, "--db", db)
    assert "导入结论 4 条" in result.output, result.output
    assert len(_state(db)[0]) == len(before[0]) + 4


def test_two_imports_at_once_lose_nothing(reports, tmp_path):
    first, later = reports
    db = tmp_path / "记录.db"
    with open_store(db):
        pass
    holder = _pausing_child(db, later)          # holds the write transaction
    other = subprocess.Popen([sys.executable, "-m", "voucher_checker", "review", "import", str(first), "--db", str(db)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=_env())
    holder.stdin.write("\n")
    holder.stdin.flush()
    out, err = holder.communicate()
    assert holder.returncode == 0 and "taken 4" in out, err
    out, err = other.communicate()
    assert other.returncode == 0 and "导入结论 1 条" in out, out + err
    conclusions, _, imports = _state(db)
    assert len(conclusions) == 5 and imports == 2


def test_two_imports_creating_one_store_at_once(reports, tmp_path):
    first, later = reports
    db = tmp_path / "新建" / "记录.db"
    children = [subprocess.Popen([sys.executable, "-m", "voucher_checker", "review", "import", str(report),
                                  "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 encoding="utf-8", env=_env())
                for report in (first, later)]
    outputs = [child.communicate() for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    conclusions, _, imports = _state(db)
    assert len(conclusions) == 5 and imports == 2
