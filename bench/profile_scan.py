"""Profile the scan in-process and write the profile to bench/results/.

    python bench/profile_scan.py [--corpus small|A|B|C | PATH ...] [--jobs 1] [--no-report] [--cprofile]

Runs what `voucher-check scan` runs — policy, read and normalise, rules, JSON and (unless
--no-report) the Excel report — inside this process, under pyinstrument when it is installed
(`pip install pyinstrument`), otherwise under cProfile.  Writes

    bench/results/profile-<name>.html   pyinstrument's interactive call tree (open in a browser)
    bench/results/profile-<name>.txt    the same as text, plus the top functions by own time
    bench/results/profile-<name>.pstats (cProfile only; `python -m pstats FILE`)

--jobs defaults to 1: pyinstrument samples the main thread, so with --jobs 1 the reading of every
file (otherwise on reading threads) shows up in the tree.  Phase timings (read / rules / json /
report) are printed as well.
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))


def run_scan(paths: list[str], jobs: int, write_report: bool, phases: dict) -> None:
    from voucher_checker.policy import load_policy
    from voucher_checker.scan import dump_json, scan
    policy = load_policy(None)
    start = time.perf_counter()
    result = scan(paths, policy, jobs=jobs)
    phases["scan (read + rules)"] = time.perf_counter() - start
    start = time.perf_counter()
    text = dump_json(result)
    phases["json"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="voucher-profile-") as tmp:
        Path(tmp, "result.json").write_text(text, encoding="utf-8")
        if write_report:
            from voucher_checker.report import write_report as write
            start = time.perf_counter()
            write(result, Path(tmp) / "report.xlsx")
            phases["report"] = time.perf_counter() - start
    phases["lines"] = len(result.ledger)
    phases["findings"] = len(result.findings)


def _is_project(path: str) -> bool:
    path = path.replace("\\", "/")
    return "/checker/" in path or "/rules/" in path


def _top_own_time(session, limit: int = 40) -> str:
    """Two views of pyinstrument's call tree: functions by own time, and checker/rules functions by
    the time spent in them plus in library code they call directly (until the next checker/rules
    frame) — the second answers "which line of ours is expensive"."""
    own: dict[tuple, float] = {}
    attributed: dict[tuple, float] = {}
    inclusive: dict[tuple, float] = {}

    def key_of(frame):
        return (frame.function or "?", frame.file_path_short or frame.file_path or "", frame.line_no)

    def walk(frame, project_key, stack):
        real_children = [c for c in frame.children if not getattr(c, "is_synthetic", False)]
        self_time = frame.time - sum(c.time for c in real_children)
        key = key_of(frame)
        own[key] = own.get(key, 0.0) + self_time
        if _is_project(frame.file_path or ""):
            project_key = key
            if key not in stack:            # count recursive frames once
                inclusive[key] = inclusive.get(key, 0.0) + frame.time
            stack = stack | {key}
        if project_key is not None:
            attributed[project_key] = attributed.get(project_key, 0.0) + self_time
        for child in real_children:
            walk(child, project_key, stack)

    root = session.root_frame()
    if root is None:
        return ""
    walk(root, None, frozenset())

    def table(values, title):
        rows = [f"== {title}", f"{'seconds':>8}  function (file:line)"]
        for (function, path, line), seconds in sorted(values.items(), key=lambda kv: -kv[1])[:limit]:
            rows.append(f"{seconds:8.3f}  {function} ({path}:{line})")
        return "\n".join(rows)

    return "\n\n".join([
        table(attributed, "checker/rules functions: own time + library time below them (until the next project frame)"),
        table(inclusive, "checker/rules functions: inclusive (cumulative) time"),
        table(own, "all functions by own time"),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="ledger files or folders (instead of --corpus)")
    parser.add_argument("--corpus", default=None, help="a corpus from bench/make_corpus.py (default small)")
    parser.add_argument("--jobs", type=int, default=1, help="--jobs for the scan (default 1, see above)")
    parser.add_argument("--no-report", action="store_true", help="skip the Excel report")
    parser.add_argument("--cprofile", action="store_true", help="use cProfile even if pyinstrument is installed")
    parser.add_argument("--interval", type=float, default=0.001, help="pyinstrument sampling interval in seconds")
    args = parser.parse_args()
    if args.paths:
        paths, name = args.paths, Path(args.paths[0]).stem or "paths"
    else:
        from make_corpus import make
        name = args.corpus or "small"
        paths = [str(make(name))]
    RESULTS.mkdir(parents=True, exist_ok=True)
    phases: dict = {}
    try:
        if args.cprofile:
            raise ImportError
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None

    started = time.perf_counter()
    if Profiler is not None:
        profiler = Profiler(interval=args.interval)
        profiler.start()
        run_scan(paths, args.jobs, not args.no_report, phases)
        profiler.stop()
        wall = time.perf_counter() - started
        html = RESULTS / f"profile-{name}.html"
        text = RESULTS / f"profile-{name}.txt"
        html.write_text(profiler.output_html(), encoding="utf-8")
        tree = profiler.output_text(unicode=True, color=False, show_all=False)
        top = _top_own_time(profiler.last_session)
        text.write_text(f"{phases}\n\n{top}\n\n== call tree\n{tree}", encoding="utf-8")
        written = [html, text]
    else:
        import cProfile
        import pstats
        profile = cProfile.Profile()
        profile.enable()
        run_scan(paths, args.jobs, not args.no_report, phases)
        profile.disable()
        wall = time.perf_counter() - started
        stats_path = RESULTS / f"profile-{name}.pstats"
        profile.dump_stats(str(stats_path))
        buffer = io.StringIO()
        stats = pstats.Stats(profile, stream=buffer)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(40)
        text = RESULTS / f"profile-{name}.txt"
        text.write_text(f"{phases}\n\n{buffer.getvalue()}", encoding="utf-8")
        written = [stats_path, text]
    print(f"profiled {', '.join(paths)} (--jobs {args.jobs}) in {wall:.2f} s")
    for key, value in phases.items():
        print(f"  {key}: {value:.2f} s" if isinstance(value, float) else f"  {key}: {value:,}")
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
