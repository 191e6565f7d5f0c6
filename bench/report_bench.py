"""The Excel report alone: time and memory of voucher_checker.report.write_report on generated
findings, beside xlsxwriter's own constant-memory rate for the same number of cells.

    python bench/report_bench.py                      # all cases, 3 runs each (~4 min on 2 cores)
    python bench/report_bench.py --cases f200,f20k --repeat 1
    python bench/report_bench.py --corpus B           # also the report of corpus B's real scan

Cases (each finding is on a voucher of its own; the ledger holds exactly the flagged vouchers,
since the report's work follows the findings and their lines, not the ledger's size):

    f200    200 findings, 3 lines per voucher           (a community's year)
    f20k    20,000 findings, 3 lines per voucher
    f100k   100,000 findings, 3 lines per voucher       (a district where most vouchers are flagged)
    d1m     100,000 findings, 10 lines per voucher: 1,000,000 voucher-detail rows

The findings come from the engine (voucher_checker.engine.run_rules) with three generated rules,
so they carry every column a real scan's findings carry, with messages and bases as long as the
built-in rules'.  Every run is a subprocess of its own: the ledger and findings are built first
(not timed), then the peak-memory mark is reset (Linux: /proc/self/clear_refs) and
``write_report`` runs alone.  Reported per case: seconds (median), peak resident memory of the
process while the report was written and how much above the memory held before it, µs per
finding, the cells the workbook holds (counted in its sheet XML) and µs per cell; then
xlsxwriter's bare rate: a workbook in constant-memory mode written with ``worksheet.write_row``
in a loop, the same number of cells (text and numbers, one format per column), in a subprocess
of its own.  Results: bench/results/report-bench.md and .json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

CASES = {
    "f200": (200, 3),
    "f20k": (20_000, 3),
    "f100k": (100_000, 3),
    "d1m": (100_000, 10),
}
ENTITIES = ("建设社区", "幸福村", "城关镇东风社区", "红旗村", "新华社区", "团结村", "长寿村", "光明社区")
SUMMARIES = ("购办公用品", "支付疫情防控物资款", "报销差旅费", "订阅2021年《湖南工人报》", "提取备用金",
             "购买烧水壶616个（七一活动）", "支付银行账户管理费", "发放慰问金", "支付保洁服务费 3 月",
             "购买 A4 打印纸 20 箱")
ACCOUNTS = (("1001", "库存现金"), ("1002", "银行存款"), ("5301", "管理费用-办公费"),
            ("530107", "管理费用-活动经费"), ("54109", "管理费用-报刊费"), ("2241", "其他应付款-代收代付"))
PEOPLE = ("周敏", "刘建国", "陈霞", "王志强", "")


def _rss_kb() -> dict[str, int]:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return {k: int(v.split()[0]) for k, v in (l.split(":", 1) for l in status)
                    if k in ("VmRSS", "VmHWM")}
    except OSError:
        return {}


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+), so the peak that follows is the report's."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _maxrss_kb() -> int:
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value // 1024 if sys.platform == "darwin" else value


def build_scan(findings: int, lines_per_voucher: int):
    """A ScanResult whose ledger holds ``findings`` vouchers of ``lines_per_voucher`` lines and
    whose findings flag each voucher once."""
    import numpy as np
    import pandas as pd

    from voucher_checker.engine import run_rules
    from voucher_checker.model import ReadResult, ScanResult, SheetInfo
    from voucher_checker.policy import Policy
    from voucher_checker.registry import Rule
    from voucher_checker.schema import finalise_ledger

    vouchers = findings
    n = vouchers * lines_per_voucher
    v = np.repeat(np.arange(vouchers), lines_per_voucher)          # voucher of each line
    k = np.tile(np.arange(lines_per_voucher), vouchers)            # line within its voucher
    entity = v * len(ENTITIES) // vouchers                          # communities in blocks
    book = np.where(v % 5 == 4, "union", "admin")
    month = (v % 12) + 1
    year = 2020 + (v // 12) % 2
    entity_names = np.array(ENTITIES, dtype=object)[entity]
    file = pd.Series(entity_names + "/" + np.where(book == "union", "工会账", "行政账") + year.astype(str) + ".xlsx")
    sheet = pd.Series(month.astype(str).astype(object) + "月")
    debit = np.where(k == 0, 10_000 + (v * 7919) % 2_000_000, 0).astype("int64")
    credit = np.where(k == 0, 0, debit[v * lines_per_voucher] // (lines_per_voucher - 1)).astype("int64")
    account = (v + k * 3) % len(ACCOUNTS)
    frame = pd.DataFrame({
        "file": file, "sheet": sheet, "row": 4 + np.arange(n) % 5_000, "entity": entity_names,
        "book": book,
        "date": pd.to_datetime({"year": year, "month": month, "day": 1 + v % 28}),
        "voucher_word": "记", "voucher_no": 1 + v,     # one key per voucher
        "summary": np.array(SUMMARIES, dtype=object)[(v + k) % len(SUMMARIES)],
        "account_code": np.array([a[0] for a in ACCOUNTS], dtype=object)[account],
        "account_name": np.array([a[1] for a in ACCOUNTS], dtype=object)[account],
        "debit_fen": debit, "credit_fen": credit,
        "preparer": np.array(PEOPLE, dtype=object)[v % 4], "reviewer": np.array(PEOPLE, dtype=object)[(v + 1) % 5],
        "attachments": (v % 4).astype("int64"),
        "counterparty": np.where(k == 1, "长沙市某某商贸有限公司", ""),
    })
    ledger = finalise_ledger(frame)
    del frame

    def flagger(share: int, message: str):
        def check(lines: pd.DataFrame, options: dict) -> pd.DataFrame:
            first = lines[(lines["debit_fen"] > 0) & (lines["voucher_id"] % 3 == share)]
            amounts = first["debit_fen"]
            texts = [message.format(a // 100, a % 100) for a in amounts.tolist()]
            return pd.DataFrame({"voucher_key": first["voucher_key"], "line_id": first["line_id"],
                                 "amount_fen": amounts, "message": texts})
        return check

    rules = [
        Rule(id="bench-cash", title="超限额提取备用金", title_en="Petty cash over the limit", severity="high",
             basis="《现金管理暂行条例》第九条、第十一条；村级财务管理办法：库存现金不准超过规定限额",
             requires=(), defaults={}, options_help={},
             check=flagger(0, "提取备用金 {:,}.{:02d} 元，超过备用金限额 2,000.00 元；提取后当日库存现金余额也超过限额")),
        Rule(id="bench-union", title="行政账报销工会票据", title_en="Union spending in the admin book",
             severity="medium", basis="《工会会计制度》：工会经费单独建账、独立核算；《湖南省基层工会经费收支管理办法实施细则》",
             requires=(), defaults={}, options_help={},
             check=flagger(1, "行政账列支工会支出 {:,}.{:02d} 元（含“湖南工人报”），工会支出应在工会账中核算，不得由行政经费报销")),
        Rule(id="bench-review", title="缺少审核或制单审核同一人", title_en="No reviewer", severity="low",
             basis="《会计基础工作规范》第四十九条：记账凭证应由制单以外的人员审核",
             requires=(), defaults={}, options_help={},
             check=flagger(2, "凭证金额 {:,}.{:02d} 元，未经审核或制单人与审核人为同一人")),
    ]
    sheets = [SheetInfo(f, s, e, b, header_rows=(3,), fields=frozenset({"date", "voucher", "summary", "account_code",
                                                                        "account_name", "debit", "credit"}),
                        lines=int(c), data_rows=int(c), periods=[])
              for (f, s, e, b), c in ledger.groupby(["file", "sheet", "entity", "book"], sort=False).size().items()]
    found, gaps = run_rules(ledger, sheets, rules, Policy())
    started = dt.datetime(2026, 1, 1, 9, 0, 0)
    dropped = pd.DataFrame({"file": [], "sheet": [], "row": [], "reason": [], "text": []})
    return ScanResult(read=ReadResult(ledger, sheets, [], dropped), findings=found, rule_gaps=gaps, rules=rules,
                      inputs=["bench"], policy_path=None, started_at=started,
                      finished_at=started + dt.timedelta(seconds=1), version="bench")


def corpus_scan(name: str):
    """The ScanResult of a real scan of a bench corpus (read and rules as the command line runs them)."""
    sys.path.insert(0, str(HERE))
    from make_corpus import make

    from voucher_checker.batch import read_inputs
    from voucher_checker.engine import run_rules
    from voucher_checker.model import ScanResult
    from voucher_checker.policy import load_policy, prepare_rules
    from voucher_checker.registry import discover
    from voucher_checker.sources import collect_inputs

    folder = make(name)
    policy = load_policy(None)
    items, _ = collect_inputs([folder])
    read = read_inputs(items, policy, jobs=None)
    rules = prepare_rules(discover(), policy, (), ())
    found, gaps = run_rules(read.ledger, read.sheets, rules, policy)
    started = dt.datetime(2026, 1, 1, 9, 0, 0)
    return ScanResult(read=read, findings=found, rule_gaps=gaps, rules=rules, inputs=[str(folder)],
                      policy_path=None, started_at=started, finished_at=started, version="bench")


def count_cells(path: Path) -> int:
    """Cells the workbook's sheets hold (``<c`` elements of the sheet XML), read in pieces."""
    total = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                continue
            tail = b""
            with archive.open(name) as part:
                while chunk := part.read(1 << 20):
                    data = tail + chunk
                    total += data.count(b"<c ")
                    tail = data[-2:]
                    total -= tail.count(b"<c ")      # counted again with the next piece
            total += tail.count(b"<c ")
    return total


def make_case(case: str):
    if case.startswith("corpus-"):
        return corpus_scan(case[len("corpus-"):])
    findings, per_voucher = CASES[case]
    return build_scan(findings, per_voucher)


def profile(case: str, out: Path) -> Path:
    """``write_report`` of one case under pyinstrument: bench/results/profile-report-<case>.txt."""
    from pyinstrument import Profiler

    from voucher_checker.report import write_report
    scan = make_case(case)
    gc.collect()
    profiler = Profiler(interval=0.002)
    with profiler:
        write_report(scan, out)
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"profile-report-{case}.txt"
    target.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
    return target


def child_report(case: str, out: Path) -> dict:
    scan = make_case(case)
    from voucher_checker.report import write_report
    from voucher_checker.report.common import ROW_BUDGET
    detail_lines = int(scan.ledger["voucher_key"].isin(set(scan.findings["voucher_key"])).sum())
    gc.collect()
    before = _rss_kb()
    exact = _reset_peak()
    started = time.perf_counter()
    cpu = time.process_time()
    write_report(scan, out)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    after = _rss_kb()
    peak_kb = after.get("VmHWM") if exact else _maxrss_kb()
    return {"case": case, "findings": len(scan.findings), "detail_lines": detail_lines,
            "ledger_lines": len(scan.ledger), "seconds": seconds, "cpu_seconds": cpu,
            "peak_mb": peak_kb / 1024, "held_before_mb": before.get("VmRSS", 0) / 1024,
            "peak_is_report_only": exact, "cells": count_cells(out), "bytes": out.stat().st_size,
            "row_budget": ROW_BUDGET}


def child_bare(cells: int, out: Path) -> dict:
    """xlsxwriter alone: ``cells`` cells in rows of 12 (8 text, 4 numbers), constant memory."""
    import xlsxwriter
    per_row = 12
    rows = -(-cells // per_row)
    texts = [f"凭证摘要第{i}行 管理费用-办公费" for i in range(1000)]
    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_numbers": False,
                                              "strings_to_formulas": False, "strings_to_urls": False})
    formats = [workbook.add_format({"font_name": "Calibri", "border": 1, "text_wrap": c % 3 == 0,
                                    "num_format": "#,##0.00" if c >= 8 else ""}) for c in range(per_row)]
    sheet = workbook.add_worksheet("s")
    data = [[texts[(r + c) % 1000] if c < 8 else r * 1.5 + c for c in range(per_row)] for r in range(min(rows, 1000))]
    gc.collect()
    before = _rss_kb()
    exact = _reset_peak()
    started = time.perf_counter()
    cpu = time.process_time()
    for r in range(rows):
        values = data[r % 1000]
        # One format per cell, as the report gives its columns: write_row takes one format for
        # the row, so the cells are written one by one with write(), as a report's columns must be.
        for c in range(per_row):
            sheet.write(r, c, values[c], formats[c])
    workbook.close()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    after = _rss_kb()
    peak_kb = after.get("VmHWM") if exact else _maxrss_kb()
    # The same cells with write_row and one format for the row: xlsxwriter's fastest public path.
    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_numbers": False,
                                              "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("s")
    started = time.perf_counter()
    for r in range(rows):
        sheet.write_row(r, 0, data[r % 1000], formats[1])
    workbook.close()
    row_seconds = time.perf_counter() - started
    return {"cells": rows * per_row, "seconds": seconds, "cpu_seconds": cpu, "write_row_seconds": row_seconds,
            "peak_mb": peak_kb / 1024, "held_before_mb": before.get("VmRSS", 0) / 1024}


def _run_child(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, encoding="utf-8")
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    import pandas
    import xlsxwriter
    return {"python": platform.python_version(), "platform": platform.platform(), "cores": os.cpu_count(),
            "pandas": pandas.__version__, "xlsxwriter": xlsxwriter.__version__}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    parser.add_argument("--corpus", action="append", default=[], help="also a bench corpus's real scan (A, B …)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true",
                        help="instead of timing, profile each case once (pyinstrument) into bench/results/")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_report(args.child, args.out)))
        return 0
    if args.bare:
        print(json.dumps(child_bare(args.bare, args.out)))
        return 0
    cases = [c for c in args.cases.split(",") if c] + [f"corpus-{c}" for c in args.corpus]
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
            for case in cases:
                print(f"{case}: {profile(case, Path(tmp) / 'report.xlsx')}", flush=True)
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        out = Path(tmp) / "report.xlsx"
        for case in cases:
            runs = [_run_child(["--child", case, "--out", str(out)]) for _ in range(args.repeat)]
            bare = [_run_child(["--bare", str(runs[0]["cells"]), "--out", str(out)]) for _ in range(args.repeat)]
            median = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
            row = dict(runs[0])
            for key in ("seconds", "cpu_seconds", "peak_mb", "held_before_mb"):
                row[key] = median(runs, key)
            row["runs_seconds"] = [r["seconds"] for r in runs]
            row["us_per_finding"] = row["seconds"] / max(1, row["findings"]) * 1e6
            row["us_per_cell"] = row["seconds"] / max(1, row["cells"]) * 1e6
            row["cpu_us_per_cell"] = row["cpu_seconds"] / max(1, row["cells"]) * 1e6
            row["bare"] = {"cells": bare[0]["cells"], "seconds": median(bare, "seconds"),
                           "cpu_seconds": median(bare, "cpu_seconds"),
                           "write_row_seconds": median(bare, "write_row_seconds"),
                           "peak_mb": median(bare, "peak_mb"), "held_before_mb": median(bare, "held_before_mb")}
            row["bare"]["us_per_cell"] = row["bare"]["seconds"] / row["bare"]["cells"] * 1e6
            row["bare"]["cpu_us_per_cell"] = row["bare"]["cpu_seconds"] / row["bare"]["cells"] * 1e6
            row["bare"]["write_row_us_per_cell"] = row["bare"]["write_row_seconds"] / row["bare"]["cells"] * 1e6
            results.append(row)
            print(f"{case:10} {row['findings']:>8,} findings {row['detail_lines']:>9,} detail lines "
                  f"{row['cells']:>10,} cells  {row['seconds']:6.2f} s (CPU {row['cpu_seconds']:.2f})  peak {row['peak_mb']:6.0f} MB "
                  f"(held before {row['held_before_mb']:.0f})  {row['us_per_finding']:6.1f} µs/finding  "
                  f"{row['us_per_cell']:5.2f} µs/cell (CPU {row['cpu_us_per_cell']:.2f})  | xlsxwriter alone "
                  f"{row['bare']['us_per_cell']:.2f} µs/cell (CPU {row['bare']['cpu_us_per_cell']:.2f}) "
                  f"(write_row {row['bare']['write_row_us_per_cell']:.2f})", flush=True)
    write_results(results, args.repeat)
    return 0


def write_results(results: list[dict], repeat: int) -> None:
    """Write this run's cases into report-bench.json and .md, keeping the other cases of earlier runs."""
    RESULTS.mkdir(exist_ok=True)
    info = machine()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for row in results:
        row.update(when=stamp, repeat=repeat)
    target = RESULTS / "report-bench.json"
    kept = []
    if target.exists():
        try:
            kept = json.loads(target.read_text(encoding="utf-8")).get("cases", [])
        except ValueError:
            kept = []
    fresh = {r["case"] for r in results}
    order = {name: i for i, name in enumerate(CASES)}
    results = sorted([r for r in kept if r.get("case") not in fresh] + results,
                     key=lambda r: (order.get(r["case"], len(order)), r["case"]))
    target.write_text(json.dumps({"machine": info, "cases": results}, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = ["# The report alone (`python bench/report_bench.py`)", "",
             f"{info['cores']} cores, {info['platform']}; Python {info['python']}, pandas {info['pandas']}, "
             f"xlsxwriter {info['xlsxwriter']}. Each case: the median of its runs (`repeat`), run at `when`.", "",
             "| case | when (runs) | findings | detail lines | cells written | report s (CPU s) | peak MB (held before) "
             "| µs per finding | µs per cell (CPU) | xlsxwriter alone, µs per cell (CPU): write() per cell; write_row "
             "| report ÷ xlsxwriter, CPU |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        b = r["bare"]
        lines.append(f"| {r['case']} | {r.get('when', '?')} ({r.get('repeat', '?')}) | {r['findings']:,} | {r['detail_lines']:,} | {r['cells']:,} "
                     f"| {r['seconds']:.2f} ({r['cpu_seconds']:.2f}) | {r['peak_mb']:,.0f} ({r['held_before_mb']:,.0f}) "
                     f"| {r['us_per_finding']:.0f} | {r['us_per_cell']:.2f} ({r['cpu_us_per_cell']:.2f}) "
                     f"| {b['us_per_cell']:.2f} ({b['cpu_us_per_cell']:.2f}); {b['write_row_us_per_cell']:.2f} "
                     f"| {r['cpu_us_per_cell'] / b['cpu_us_per_cell']:.2f}× |")
    lines += ["", "Peak MB is the process's resident high-water mark while `write_report` ran (reset just before "
              "it on Linux), so it includes the ledger and findings the process held before (in brackets); "
              "the report's own memory is the difference. xlsxwriter alone writes the same number of cells "
              "(rows of 8 text and 4 number cells, a format per column) in constant-memory mode in a process "
              "of its own, once with `write()` per cell and once with `write_row()` and one format per row. "
              "CPU seconds are the process's own (time.process_time): on a shared machine they change less "
              "than the wall clock, so the ratio to xlsxwriter is taken on them."]
    (RESULTS / "report-bench.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"→ {RESULTS / 'report-bench.md'}")


if __name__ == "__main__":
    sys.exit(main())
