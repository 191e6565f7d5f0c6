"""Benchmark: the full scan against the cost of just reading the files.

    python bench/run.py [--corpus small|A|B|C|all] [--repeat 3]

For each corpus (bench/make_corpus.py builds and caches them) it times, in the same run:
  (a) a bare python-calamine read of every sheet of every file, single process;
  (b) pandas.read_excel(engine="openpyxl") of the same files (about 13,000 rows/s, so for the
      large corpora a subset of files is read and the time is extrapolated per line — the output
      says so);
  (c) the full `python -m checker scan CORPUS -o report.xlsx --json result.json` (default --jobs,
      one process per core) as a subprocess.
It prints medians, ratios (scan ÷ calamine, openpyxl ÷ scan), lines per second and the scan's
peak memory (the largest resident size summed over the scan and its worker processes, polled
every 50 ms where /proc exists; elsewhere the largest single process from getrusage), and saves
bench/results/latest.json and latest.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from make_corpus import CORPORA, make  # noqa: E402

OPENPYXL_FILE_BUDGET = 200_000      # lines read with openpyxl before extrapolating


def calamine_read(files: list[Path]) -> int:
    from python_calamine import CalamineWorkbook
    rows = 0
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows += len(workbook.get_sheet_by_name(name).to_python())
    return rows


def openpyxl_read(files: list[Path]) -> int:
    import pandas as pd
    return sum(len(frame) for path in files for frame in pd.read_excel(path, sheet_name=None, engine="openpyxl").values())


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants (Linux /proc), in kB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(c) for c in children.read().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def full_scan(folder: Path) -> tuple[float, float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "checker", "scan", str(folder), "-o", str(Path(tmp) / "report.xlsx"),
                   "--json", str(Path(tmp) / "result.json")]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=HERE.parent)
        peak_kb = 0
        polling = Path("/proc").exists()
        while process.poll() is None:
            if polling:
                peak_kb = max(peak_kb, _tree_rss_kb(process.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        if process.returncode not in (0, 1):
            raise RuntimeError(f"scan failed with exit code {process.returncode}")
        if not peak_kb:
            try:
                import resource
                peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            except ImportError:       # Windows: no resource module
                peak_kb = 0
        result = json.loads((Path(tmp) / "result.json").read_text(encoding="utf-8"))
    return elapsed, peak_kb / 1024, {"findings": len(result["findings"]), "lines": sum(f["lines"] for f in result["files"])}


def median_time(function, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def bench_corpus(name: str, repeat: int) -> dict:
    folder = make(name)
    files = sorted(folder.glob("*.xlsx"))
    files_count, lines_per_file = CORPORA[name]
    lines = files_count * lines_per_file
    calamine_s, rows = median_time(lambda: calamine_read(files), repeat)

    subset = files[:max(1, OPENPYXL_FILE_BUDGET // lines_per_file)] if lines > OPENPYXL_FILE_BUDGET else files
    if lines_per_file > OPENPYXL_FILE_BUDGET:
        openpyxl_s, openpyxl_note = None, "not measured (one file larger than the budget); see corpus A for the rate"
    else:
        measured, _ = median_time(lambda: openpyxl_read(subset), 1)
        openpyxl_s = measured * len(files) / len(subset)
        openpyxl_note = "measured" if len(subset) == len(files) else f"extrapolated from {len(subset)} of {len(files)} files"

    scans = [full_scan(folder) for _ in range(repeat)]
    scan_s = statistics.median(s[0] for s in scans)
    peak_mb = max(s[1] for s in scans)
    return {
        "corpus": name, "files": files_count, "lines": lines, "lines_read_by_scan": scans[0][2]["lines"],
        "findings": scans[0][2]["findings"], "calamine_s": round(calamine_s, 3), "openpyxl_s": openpyxl_s and round(openpyxl_s, 2),
        "openpyxl_note": openpyxl_note, "scan_s": round(scan_s, 3), "scan_lines_per_s": round(lines / scan_s),
        "calamine_lines_per_s": round(lines / calamine_s), "scan_over_calamine": round(scan_s / calamine_s, 2),
        "openpyxl_over_scan": openpyxl_s and round(openpyxl_s / scan_s, 1), "scan_peak_mb": round(peak_mb),
        "repeat": repeat,
    }


def machine() -> dict:
    import pandas
    import python_calamine
    return {"python": platform.python_version(), "platform": platform.platform(), "cores": os.cpu_count(),
            "pandas": pandas.__version__, "python-calamine": getattr(python_calamine, "__version__", "?")}


def to_markdown(results: list[dict], info: dict) -> str:
    lines = [f"Machine: {info['cores']} cores, Python {info['python']}, pandas {info['pandas']}, {info['platform']}.",
             "", "| corpus | lines | calamine read (s) | openpyxl read (s) | full scan (s) | scan ÷ calamine | "
             "openpyxl ÷ scan | scan lines/s | peak memory (MB) |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        openpyxl = f"{r['openpyxl_s']:.1f}" + ("*" if r["openpyxl_note"].startswith("extrapolated") else "") \
            if r["openpyxl_s"] else "—"
        ratio = f"{r['openpyxl_over_scan']:.1f}×" if r["openpyxl_over_scan"] else "—"
        lines.append(f"| {r['corpus']} ({r['files']} × {r['lines'] // r['files']:,}) | {r['lines']:,} | {r['calamine_s']:.2f} | "
                     f"{openpyxl} | {r['scan_s']:.2f} | {r['scan_over_calamine']:.2f}× | {ratio} | "
                     f"{r['scan_lines_per_s']:,} | {r['scan_peak_mb']:,} |")
    by_name = {r["corpus"]: r for r in results}
    if "A" in by_name and "B" in by_name:
        growth = (by_name["B"]["scan_s"] / by_name["A"]["scan_s"]) / (by_name["B"]["lines"] / by_name["A"]["lines"])
        lines.append("")
        lines.append(f"Linearity: B has {by_name['B']['lines'] / by_name['A']['lines']:.0f}× the lines of A and took "
                     f"{by_name['B']['scan_s'] / by_name['A']['scan_s']:.1f}× the time (time per line × {growth:.2f}).")
    lines.append("")
    lines.append("\\* openpyxl time extrapolated per line from a subset of the files.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="all", choices=["all", *CORPORA])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    names = ["A", "B", "C"] if args.corpus == "all" else [args.corpus]
    results = []
    for name in names:
        print(f"corpus {name} …", flush=True)
        results.append(bench_corpus(name, args.repeat))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    info = machine()
    table = to_markdown(results, info)
    print(table)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"machine": info, "results": results}, ensure_ascii=False, indent=2),
                                     encoding="utf-8")
    (out / "latest.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
