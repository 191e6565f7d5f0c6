"""Benchmark the full scan against the cost of just reading the files.

    python bench/run.py [--corpus small|A|B|C|all] [--repeat 3] [--jobs N] [--scan-args "--no-report"]

For each corpus (bench/make_corpus.py builds and caches it) this times, in the same run:

  (a) calamine   a bare python-calamine read, single process, of every sheet of every file:
                 CalamineWorkbook.from_path(f).get_sheet_by_name(name).to_python(), in this
                 process (no interpreter start-up or imports counted: the scan's are);
  (a') fastexcel for information: the scan's own reader alone (fastexcel, Arrow text), one thread;
  (b) openpyxl   pandas.read_excel(f, sheet_name=None, engine="openpyxl") of the same files.  It
                 reads ~13,000 rows/s, so beyond --openpyxl-lines (default 200,000) lines only a
                 subset is read — whole files, or the first rows of a file bigger than the budget
                 (nrows=) — and the time is extrapolated per line.  The output marks it "extrap.";
  (c) scan       `python -m voucher_checker scan CORPUS -o TMP/report.xlsx --json TMP/result.json --jobs N`
                 as a subprocess (N defaults to the number of cores, as the CLI does), wall clock
                 from start to exit, including interpreter start-up and writing the report;
  (d) start-up   for information: `python -c "…load_scan_modules()"`, a subprocess that starts the
                 interpreter and loads what every scan loads (pandas, pandera and its checks, the
                 rules, the report writer) and nothing else.  The scan cannot end sooner than its
                 start-up plus the rules and the report, which need what it loads.

Each is run --repeat times and the median is reported, with lines per second, the ratios
scan ÷ calamine and openpyxl ÷ scan, and the scan's peak memory.  The calamine read and the scan
alternate (read, scan, read, scan …), and each scan is also divided by the read just before it, so
that a shared machine whose speed drifts between runs does not skew the ratio:

  peak_tree_mb     largest sum of resident memory (VmRSS) over the scan process and all its worker
                   processes at one moment, sampled every 20 ms from /proc (Linux only).  This is
                   what the machine must have free; it is compared with the 1.5 GB target.
  peak_process_mb  exact peak resident size (high-water mark) of the single biggest process in the
                   scan's tree: os.wait4() rusage of the scan process, whose ru_maxrss is the max
                   over it and every descendant it reaped (POSIX).  On Windows: PeakWorkingSetSize
                   of the scan process itself (workers not included).
  per_process_mb   VmHWM of each process of the tree as last seen while sampling (Linux only):
                   main process and workers separately.

Targets reported against: scan ≤ 1.0 × calamine; openpyxl ÷ scan ≥ 10; time per line of B within
1.1 × that of A (10× the lines for ≤ 11× the time); peak memory for 1,000,000 lines (corpus B)
≤ 1.5 GB.  Results go to bench/results/latest.json and latest.md (this run) and
bench/results/by_corpus/<name>.json (the latest result per corpus, so the linearity check can use
A and B measured in separate runs; the output then says so).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

from make_corpus import CORPORA, files_of, make  # noqa: E402

from voucher_checker.sources import usable_cpus  # noqa: E402 - light: no pandas

TARGET_SCAN_OVER_CALAMINE = 1.0
TARGET_OPENPYXL_OVER_SCAN = 10.0
TARGET_LINEARITY = 1.1            # B's time per line ÷ A's time per line
TARGET_PEAK_MB_1M = 1.5 * 1024    # 1.5 GB for 1,000,000 lines
POLL_S = 0.02


# --------------------------------------------------------------------------- the three measurements

def calamine_read(files: list[Path]) -> int:
    """(a) Bare python-calamine read of every sheet; returns the number of rows seen."""
    from python_calamine import CalamineWorkbook
    rows = 0
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows += len(workbook.get_sheet_by_name(name).to_python())
    return rows


def fastexcel_read(files: list[Path]) -> int:
    """(a') For information: the reader the scan uses, alone, in one thread — every sheet of
    every file as Arrow text columns, as checker/sources.py loads them.  The floor of the scan's
    own reading on one core (the scan reads files on one thread per core)."""
    import fastexcel
    rows = 0
    for path in files:
        workbook = fastexcel.read_excel(str(path))
        for name in workbook.sheet_names:
            rows += workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_arrow().num_rows
    return rows


def openpyxl_read(files: list[Path], nrows: int | None = None) -> int:
    """(b) pandas.read_excel with openpyxl, all sheets; nrows limits the rows read per sheet."""
    import pandas as pd
    rows = 0
    for path in files:
        frames = pd.read_excel(path, sheet_name=None, engine="openpyxl", nrows=nrows)
        rows += sum(len(frame) for frame in frames.values())
    return rows


def openpyxl_plan(files: list[Path], lines_per_file: int, budget: int) -> tuple[list[Path], int | None, int, str]:
    """Which files (and rows) to read with openpyxl: (files, nrows, lines covered, note)."""
    total = len(files) * lines_per_file
    if total <= budget:
        return files, None, total, "measured on all files"
    if lines_per_file <= budget:
        count = max(1, budget // lines_per_file)
        return files[:count], None, count * lines_per_file, \
            f"extrapolated per line from {count} of {len(files)} files ({count * lines_per_file:,} lines)"
    # One file is bigger than the budget: read its first rows only.  Fixed costs (opening the zip,
    # shared strings) are then counted once for a fraction of the rows, so the estimate is low —
    # conservative for the "scan ≥ 10× faster than openpyxl" target.
    return files[:1], budget, budget, f"extrapolated per line from the first {budget:,} rows of 1 file (nrows=)"


def _read_status(pid: int) -> dict[str, int]:
    values = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    values[line[:5]] = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return values


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(c) for c in handle.read().split()]
    except (OSError, ValueError):
        return []


def _role(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ")
    except OSError:
        return "child"
    return "resource_tracker" if b"resource_tracker" in command else "worker"


class TreeSampler:
    """Samples VmRSS (summed) and VmHWM (per process) of a process tree from /proc."""

    def __init__(self, root_pid: int):
        self.root = root_pid
        self.available = Path(f"/proc/{root_pid}/status").exists()
        self.peak_tree_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self.role: dict[int, str] = {root_pid: "scan"}
        self.max_processes = 0

    def sample(self) -> None:
        if not self.available:
            return
        total, stack, seen = 0, [self.root], 0
        while stack:
            pid = stack.pop()
            status = _read_status(pid)
            if not status:
                continue
            seen += 1
            total += status.get("VmRSS", 0)
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), status.get("VmHWM", 0))
            for child in _children(pid):
                if child not in self.role:
                    self.role[child] = _role(child)
                stack.append(child)
        self.peak_tree_kb = max(self.peak_tree_kb, total)
        self.max_processes = max(self.max_processes, seen)


def _maxrss_to_kb(value: int) -> int:
    return value // 1024 if sys.platform == "darwin" else value      # bytes on macOS, kB on Linux/BSD


def _windows_peak_kb(process: subprocess.Popen) -> int | None:
    """PeakWorkingSetSize of the (exited, not yet closed) scan process on Windows; None elsewhere."""
    if os.name != "nt":
        return None
    try:
        import ctypes
        from ctypes import wintypes

        class Counters(ctypes.Structure):
            _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD),
                        ("PeakWorkingSetSize", ctypes.c_size_t), ("WorkingSetSize", ctypes.c_size_t),
                        ("QuotaPeakPagedPoolUsage", ctypes.c_size_t), ("QuotaPagedPoolUsage", ctypes.c_size_t),
                        ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t), ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
                        ("PagefileUsage", ctypes.c_size_t), ("PeakPagefileUsage", ctypes.c_size_t)]
        counters = Counters()
        counters.cb = ctypes.sizeof(Counters)
        handle = int(process._handle)  # noqa: SLF001 - the Popen handle, still open after exit
        if ctypes.windll.psapi.GetProcessMemoryInfo(handle, ctypes.byref(counters), counters.cb):
            return counters.PeakWorkingSetSize // 1024
    except Exception:  # noqa: BLE001 - memory is a bonus; never fail the benchmark for it
        pass
    return None


def full_scan(folder: Path, jobs: int, scan_args: list[str]) -> dict:
    """(c) The CLI scan as a subprocess: wall time, exit code, memory, lines and findings read back."""
    with tempfile.TemporaryDirectory(prefix="voucher-bench-") as tmp:
        report, result_json, log = Path(tmp) / "report.xlsx", Path(tmp) / "result.json", Path(tmp) / "stderr.txt"
        command = [sys.executable, "-m", "voucher_checker", "scan", str(folder), "-o", str(report), "--json", str(result_json),
                   *(["--jobs", str(jobs)] if jobs else []), *scan_args]
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        with open(log, "wb") as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, cwd=ROOT, env=env)
            sampler = TreeSampler(process.pid)
            # Memory is sampled on a thread while this one blocks until the scan exits, so the
            # wall clock stops when the scan does (not at the next poll).
            finished = threading.Event()

            def sample() -> None:
                while not finished.wait(POLL_S):
                    sampler.sample()
            sampling = threading.Thread(target=sample, daemon=True)
            sampler.sample()
            sampling.start()
            peak_process_kb = cpu_seconds = None
            if hasattr(os, "wait4"):
                _, status, usage = os.wait4(process.pid, 0)
                elapsed = time.perf_counter() - start
                cpu_seconds = usage.ru_utime + usage.ru_stime
                finished.set()                             # its pid may be reused from now on
                returncode = os.waitstatus_to_exitcode(status)
                process.returncode = returncode            # reaped here; keep Popen consistent
                peak_process_kb = _maxrss_to_kb(usage.ru_maxrss)
            else:
                returncode = process.wait()
                elapsed = time.perf_counter() - start
                finished.set()
                peak_process_kb = _windows_peak_kb(process)
            finished.set()
            sampling.join()
        if returncode not in (0, 1):
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"scan exited with {returncode}: {' '.join(command)}\n{tail}")
        result = json.loads(result_json.read_text(encoding="utf-8"))
        report_written = report.exists()
    per_process = {f"{sampler.role.get(pid, 'worker')}:{pid}": round(kb / 1024) for pid, kb in sampler.hwm_kb.items()}
    return {
        "seconds": elapsed, "cpu_seconds": cpu_seconds, "exit_code": returncode, "report_written": report_written,
        "lines": sum(f["lines"] for f in result["files"]), "findings": len(result["findings"]),
        "errors": len(result["errors"]),
        "peak_tree_mb": round(sampler.peak_tree_kb / 1024) if sampler.available and sampler.peak_tree_kb else None,
        "peak_process_mb": round(peak_process_kb / 1024) if peak_process_kb else None,
        "per_process_mb": per_process or None, "processes": sampler.max_processes or None,
    }


def startup(scan_args: list[str]) -> float:
    """(d) Wall clock of a subprocess that only loads what the scan loads (see the module doc)."""
    report = "--no-report" not in scan_args
    code = f"from voucher_checker.cli import load_scan_modules; load_scan_modules(report={report})"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - start


def _median_or_none(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def timed(function, repeat: int) -> tuple[list[float], object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return times, value


# --------------------------------------------------------------------------- one corpus

def bench_corpus(name: str, repeat: int, jobs: int, scan_args: list[str], openpyxl_budget: int,
                 skip_openpyxl: bool) -> dict:
    print(f"\n== corpus {name}: preparing (cached if present) …", flush=True)
    folder = make(name)
    files = files_of(name)
    count, lines_per_file, _ = CORPORA[name]
    lines = count * lines_per_file

    # The bare read and the full scan alternate, so that a machine whose speed drifts (a shared
    # one) slows both alike; each scan is also compared with the read just before it.
    calamine_times, calamine_cpu, scans, rows = [], [], [], 0
    for i in range(repeat):
        print(f"   (a) bare calamine read, run {i + 1}/{repeat} …", flush=True)
        cpu_start = time.process_time()
        times, rows = timed(lambda: calamine_read(files), 1)
        calamine_cpu.append(time.process_time() - cpu_start)
        calamine_times += times
        print(f"   (c) full scan run {i + 1}/{repeat} (--jobs {jobs or 'auto'}{' ' + ' '.join(scan_args) if scan_args else ''}) …",
              flush=True)
        scans.append(full_scan(folder, jobs, scan_args))
    calamine_s = statistics.median(calamine_times)
    pair_ratios = [scan["seconds"] / read for scan, read in zip(scans, calamine_times)]
    fastexcel_times, _ = timed(lambda: fastexcel_read(files), repeat)
    fastexcel_s = statistics.median(fastexcel_times)

    openpyxl = {"seconds": None, "note": "skipped (--skip-openpyxl)", "lines_measured": 0, "extrapolated": False}
    if not skip_openpyxl:
        subset, nrows, covered, note = openpyxl_plan(files, lines_per_file, openpyxl_budget)
        print(f"   (b) pandas openpyxl read ({note}) …", flush=True)
        # openpyxl is slow and steady: one run even with --repeat, unless it is all cheap
        runs = repeat if covered <= 50_000 else 1
        times, _ = timed(lambda: openpyxl_read(subset, nrows), runs)
        measured = statistics.median(times)
        openpyxl = {"seconds": measured * lines / covered, "measured_seconds": measured, "lines_measured": covered,
                    "note": note, "extrapolated": covered < lines, "runs": runs}

    scan_s = statistics.median(s["seconds"] for s in scans)
    last = scans[-1]
    startup_times, _ = timed(lambda: startup(scan_args), repeat)
    startup_s = statistics.median(startup_times)

    def peak(key):
        values = [s[key] for s in scans if s[key]]
        return max(values) if values else None

    result = {
        "corpus": name, "files": count, "lines_per_file": lines_per_file, "lines": lines,
        "calamine_rows_seen": rows, "scan_lines": last["lines"], "scan_lines_match": last["lines"] == lines,
        "findings": last["findings"], "data_errors": last["errors"], "scan_exit_code": last["exit_code"],
        "report_written": last["report_written"], "jobs": jobs, "scan_args": scan_args, "repeat": repeat,
        "calamine_s": round(calamine_s, 3), "calamine_runs_s": [round(t, 3) for t in calamine_times],
        "fastexcel_s": round(fastexcel_s, 3), "scan_over_fastexcel": round(scan_s / fastexcel_s, 2),
        "openpyxl_s": round(openpyxl["seconds"], 2) if openpyxl["seconds"] else None,
        "openpyxl_measured_s": round(openpyxl.get("measured_seconds", 0), 2) or None,
        "openpyxl_lines_measured": openpyxl["lines_measured"], "openpyxl_extrapolated": openpyxl["extrapolated"],
        "openpyxl_note": openpyxl["note"],
        "scan_s": round(scan_s, 3), "scan_runs_s": [round(s["seconds"], 3) for s in scans],
        "startup_s": round(startup_s, 3), "startup_over_calamine": round(startup_s / calamine_s, 2),
        "calamine_lines_per_s": round(lines / calamine_s), "scan_lines_per_s": round(lines / scan_s),
        "openpyxl_lines_per_s": round(lines / openpyxl["seconds"]) if openpyxl["seconds"] else None,
        "scan_us_per_line": round(scan_s / lines * 1e6, 2),
        "scan_over_calamine": round(scan_s / calamine_s, 2),
        "scan_over_calamine_pairs": [round(r, 2) for r in pair_ratios],
        # CPU time is steadier than the wall clock on a shared machine, and bounds the wall
        # clock from below: no scan on N cores ends sooner than its CPU time ÷ N.
        "calamine_cpu_s": round(statistics.median(calamine_cpu), 3),
        "scan_cpu_s": _median_or_none([s["cpu_seconds"] for s in scans]),
        "cores": usable_cpus(),
        "openpyxl_over_scan": round(openpyxl["seconds"] / scan_s, 2) if openpyxl["seconds"] else None,
        "peak_tree_mb": peak("peak_tree_mb"), "peak_process_mb": peak("peak_process_mb"),
        "per_process_mb": last["per_process_mb"], "processes": last["processes"],
        "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    if not result["scan_lines_match"]:
        print(f"   WARNING: the scan read {last['lines']:,} lines, the corpus has {lines:,}", flush=True)
    return result


# --------------------------------------------------------------------------- reporting

def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    def ver(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "?"
    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "machine": platform.machine(), "cores": os.cpu_count(),
            "pandas": ver("pandas"), "python-calamine": ver("python-calamine"), "openpyxl": ver("openpyxl"),
            "fastexcel": ver("fastexcel"),
            "numpy": ver("numpy"), "pyarrow": ver("pyarrow"), "voucher-checker": ver("voucher-checker")}


def _memory(r: dict) -> float | None:
    return r.get("peak_tree_mb") or r.get("peak_process_mb")


def targets(results: dict[str, dict], stored: dict[str, dict]) -> list[dict]:
    """Pass/fail against the issue's targets, for the corpora measured (and stored A/B for linearity)."""
    rows = []
    for name, r in results.items():
        rows.append({"target": f"{name}: scan ≤ {TARGET_SCAN_OVER_CALAMINE:.1f}× bare calamine read",
                     "value": f"{r['scan_over_calamine']:.2f}× (start-up alone {r['startup_over_calamine']:.2f}×)",
                     "ok": r["scan_over_calamine"] <= TARGET_SCAN_OVER_CALAMINE})
        if r["openpyxl_over_scan"]:
            rows.append({"target": f"{name}: scan ≥ {TARGET_OPENPYXL_OVER_SCAN:.0f}× faster than pandas openpyxl",
                         "value": f"{r['openpyxl_over_scan']:.1f}×" + (" (openpyxl extrapolated)" if r["openpyxl_extrapolated"] else ""),
                         "ok": r["openpyxl_over_scan"] >= TARGET_OPENPYXL_OVER_SCAN})
    a = results.get("A") or stored.get("A")
    b = results.get("B") or stored.get("B")
    if a and b:
        growth = (b["scan_s"] / a["scan_s"]) / (b["lines"] / a["lines"])
        separate = not ("A" in results and "B" in results)
        rows.append({"target": f"linearity: B ({b['lines']:,} lines) time per line ≤ {TARGET_LINEARITY}× A's",
                     "value": f"{b['scan_s'] / a['scan_s']:.1f}× the time for {b['lines'] / a['lines']:.0f}× the lines "
                              f"(per line ×{growth:.2f})" + (" — A and B from separate runs" if separate else ""),
                     "ok": growth <= TARGET_LINEARITY})
    if b and _memory(b):
        per_million = _memory(b) * 1_000_000 / b["lines"]
        rows.append({"target": "peak memory for 1,000,000 lines (corpus B) ≤ 1.5 GB",
                     "value": f"{per_million:,.0f} MB" + (" (B from an earlier run)" if "B" not in results else "")
                              + ("" if b.get("peak_tree_mb") else " (single biggest process only)"),
                     "ok": per_million <= TARGET_PEAK_MB_1M})
    return rows


def _fmt(value, spec: str, missing: str = "—") -> str:
    return missing if value is None else format(value, spec)


def to_markdown(results: list[dict], info: dict, checks: list[dict], command: str) -> str:
    out = [f"# Benchmark results — {dt.datetime.now().isoformat(timespec='seconds')}", "",
           f"`{command}`", "",
           f"Machine: {info['cores']} cores, {info['platform']}; Python {info['python']}, pandas {info['pandas']}, "
           f"python-calamine {info['python-calamine']}, fastexcel {info.get('fastexcel', '?')}, openpyxl {info['openpyxl']}, "
           f"numpy {info['numpy']}.", "",
           "| corpus | lines | calamine read s | fastexcel read s | openpyxl read s | full scan s | start-up s "
           "| scan ÷ calamine | openpyxl ÷ scan | calamine lines/s | openpyxl lines/s | scan lines/s | peak tree MB "
           "| peak process MB | findings |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        star = "*" if r["openpyxl_extrapolated"] else ""
        out.append(
            f"| {r['corpus']} ({r['files']} × {r['lines_per_file']:,}) | {r['lines']:,} | {r['calamine_s']:.2f} | "
            f"{_fmt(r.get('fastexcel_s'), '.2f')} | {_fmt(r['openpyxl_s'], '.1f')}{star} | {r['scan_s']:.2f} | {_fmt(r.get('startup_s'), '.2f')} | "
            f"{r['scan_over_calamine']:.2f}× | "
            f"{_fmt(r['openpyxl_over_scan'], '.1f')}{'×' if r['openpyxl_over_scan'] else ''}{star} | "
            f"{r['calamine_lines_per_s']:,} | {_fmt(r['openpyxl_lines_per_s'], ',')}{star} | {r['scan_lines_per_s']:,} | "
            f"{_fmt(r['peak_tree_mb'], ',')} | {_fmt(r['peak_process_mb'], ',')} | {r['findings']:,} |")
    out += ["", "CPU time (user + system, all threads): " + "; ".join(
        f"{r['corpus']}: scan {r['scan_cpu_s']:.2f} s, calamine {r['calamine_cpu_s']:.2f} s — on {r['cores']} cores no "
        f"scan can take less than {r['scan_cpu_s'] / r['cores']:.2f} s ({r['scan_cpu_s'] / r['cores'] / r['calamine_s']:.2f}× "
        f"the read)" for r in results if r.get("scan_cpu_s")) + "."]
    out += ["", "Each scan ÷ the calamine read just before it (the two alternate): " + "; ".join(
        f"{r['corpus']} {', '.join(f'{x:.2f}×' for x in r.get('scan_over_calamine_pairs', []))}" for r in results) + "."]
    out += ["", "Medians of --repeat runs (openpyxl: one run when it reads more than 50,000 lines). "
            "fastexcel read: the scan's own reader alone, one thread (information; the target is against calamine). "
            "Start-up: a process that only loads what every scan loads (information: no scan ends sooner than "
            "its start-up plus rules and report). "
            "Scan: subprocess wall clock incl. start-up, "
            + (f"`--jobs {results[0]['jobs'] or 'auto'}`" if results else "") +
            (f", extra args `{' '.join(results[0]['scan_args'])}`" if results and results[0]["scan_args"] else "") + ". "
            "Peak tree = largest summed VmRSS of the scan and its workers (sampled every 20 ms); "
            "peak process = exact high-water mark of the biggest single process (wait4 ru_maxrss)."]
    notes = [f"{r['corpus']}: openpyxl {r['openpyxl_note']}" for r in results if r["openpyxl_extrapolated"]]
    if notes:
        out += ["", "\\* " + "; ".join(notes) + "."]
    mismatched = [r["corpus"] for r in results if not r["scan_lines_match"]]
    if mismatched:
        out += ["", f"**Warning**: the scan did not read every generated line for {', '.join(mismatched)}."]
    if any(r["per_process_mb"] for r in results):
        out += ["", "Per-process peak (VmHWM, MB): " + "; ".join(
            f"{r['corpus']}: " + ", ".join(f"{k.split(':')[0]} {v}" for k, v in sorted(
                r["per_process_mb"].items(), key=lambda kv: -kv[1])) for r in results if r["per_process_mb"])]
    if checks:
        out += ["", "| target | measured | met |", "| --- | --- | --- |"]
        out += [f"| {c['target']} | {c['value']} | {'yes' if c['ok'] else '**no**'} |" for c in checks]
    return "\n".join(out) + "\n"


def print_table(results: list[dict], checks: list[dict]) -> None:
    header = f"{'corpus':<8}{'lines':>11}{'calamine s':>12}{'openpyxl s':>13}{'scan s':>9}{'scan/cal':>10}" \
             f"{'opx/scan':>10}{'scan l/s':>10}{'tree MB':>9}{'proc MB':>9}{'findings':>10}"
    print("\n" + header)
    print("-" * len(header))
    for r in results:
        star = "*" if r["openpyxl_extrapolated"] else " "
        print(f"{r['corpus']:<8}{r['lines']:>11,}{r['calamine_s']:>12.2f}{_fmt(r['openpyxl_s'], '.1f'):>12}{star}"
              f"{r['scan_s']:>9.2f}{r['scan_over_calamine']:>9.2f}×{_fmt(r['openpyxl_over_scan'], '.1f'):>9}×"
              f"{r['scan_lines_per_s']:>10,}{_fmt(r['peak_tree_mb'], ','):>9}{_fmt(r['peak_process_mb'], ','):>9}"
              f"{r['findings']:>10,}")
    for r in results:
        if r["openpyxl_extrapolated"]:
            print(f"* {r['corpus']}: openpyxl time {r['openpyxl_note']}")
    if checks:
        print("\nTargets:")
        for c in checks:
            print(f"  [{'ok' if c['ok'] else 'NO'}] {c['target']}: {c['value']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--corpus", default="all", choices=["all", *CORPORA],
                        help="which corpus to run; all = A, B and C (small is for quick checks)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--jobs", type=int, default=None,
                        help="--jobs for the scan (default: not given, so the scan chooses as a user's would)")
    parser.add_argument("--scan-args", default="", help='extra arguments for the scan, e.g. "--no-report"')
    parser.add_argument("--openpyxl-lines", type=int, default=200_000,
                        help="lines read with openpyxl before extrapolating (default 200,000)")
    parser.add_argument("--skip-openpyxl", action="store_true", help="do not measure the openpyxl read")
    args = parser.parse_args()
    names = ["A", "B", "C"] if args.corpus == "all" else [args.corpus]
    scan_args = shlex.split(args.scan_args, posix=os.name != "nt")

    measured: dict[str, dict] = {}
    for name in names:
        measured[name] = bench_corpus(name, max(1, args.repeat), args.jobs, scan_args, args.openpyxl_lines,
                                      args.skip_openpyxl)
        r = measured[name]
        print(f"   calamine {r['calamine_s']:.2f} s, openpyxl {_fmt(r['openpyxl_s'], '.1f')} s, scan {r['scan_s']:.2f} s, "
              f"start-up alone {r['startup_s']:.2f} s, "
              f"peak tree {_fmt(r['peak_tree_mb'], ',')} MB (fastexcel alone {r['fastexcel_s']:.2f} s)", flush=True)

    by_corpus = RESULTS / "by_corpus"
    by_corpus.mkdir(parents=True, exist_ok=True)
    stored = {}
    for name in ("A", "B"):
        path = by_corpus / f"{name}.json"
        if name not in measured and path.exists():
            try:
                stored[name] = json.loads(path.read_text(encoding="utf-8"))["result"]
            except (ValueError, KeyError, OSError):
                pass
    info = machine()
    checks = targets(measured, stored)
    results = list(measured.values())
    command = "python bench/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    print_table(results, checks)

    document = {"command": command, "machine": info, "results": results, "targets": checks,
                "generated_at": dt.datetime.now().isoformat(timespec="seconds")}
    (RESULTS / "latest.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    (RESULTS / "latest.md").write_text(to_markdown(results, info, checks, command), encoding="utf-8")
    for name, r in measured.items():
        (by_corpus / f"{name}.json").write_text(json.dumps({"machine": info, "command": command, "result": r},
                                                           ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nSaved {RESULTS / 'latest.json'} and {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
