"""What each rule costs on a corpus's normalised ledger, read once (bench/make_corpus.py).

    python bench/rule_cost.py [--corpus B] [--repeat 3] [--only rule-id,...]

The ledger is read as a scan reads it (voucher_checker.batch.read_inputs); then every enabled rule
runs alone through the engine (voucher_checker.engine.run_rules with that one rule), so its time
includes the engine's work on its findings (voucher context, sorting).  Prints, per rule, the
median seconds, seconds per million lines and the number of findings; writes
bench/results/rule-cost-<corpus>.md.  Rules must stay cheap: the whole scan is judged against a
bare read (bench/run.py), and every rule's time adds to it.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import files_of, make  # noqa: E402

from voucher_checker.batch import read_inputs  # noqa: E402
from voucher_checker.engine import run_rules  # noqa: E402
from voucher_checker.policy import load_policy, prepare_rules  # noqa: E402
from voucher_checker.registry import discover  # noqa: E402
from voucher_checker.sources import collect_inputs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="B")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated rule ids")
    args = parser.parse_args()
    folder = make(args.corpus)
    policy = load_policy(None)
    items, _ = collect_inputs([folder])
    started = time.perf_counter()
    read = read_inputs(items, policy, jobs=None)
    lines = len(read.ledger)
    print(f"corpus {args.corpus}: {len(files_of(args.corpus))} files, {lines:,} lines read in "
          f"{time.perf_counter() - started:.1f} s")
    rules = [r for r in prepare_rules(discover(), policy, (), ()) if r.enabled]
    if args.only:
        wanted = set(args.only.split(","))
        rules = [r for r in rules if r.id in wanted]
    rows = []
    for rule in rules:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            findings, _gaps = run_rules(read.ledger, read.sheets, [rule], policy)
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        rows.append((rule.id, seconds, seconds / lines * 1e6, len(findings)))
        print(f"{rule.id:32} {seconds:7.3f} s  {seconds / lines * 1e6:7.3f} s/M lines  {len(findings):>8,} findings",
              flush=True)
    total = sum(r[1] for r in rows)
    print(f"{'all rules, one after another':32} {total:7.3f} s  {total / lines * 1e6:7.3f} s/M lines")
    out = HERE / "results" / f"rule-cost-{args.corpus}.md"
    body = ["| rule | s | s per million lines | findings |", "|---|---:|---:|---:|"]
    body += [f"| {rid} | {s:.3f} | {per:.3f} | {n:,} |" for rid, s, per, n in rows]
    body.append(f"| all, one after another | {total:.3f} | {total / lines * 1e6:.3f} | |")
    out.write_text(f"# Rule cost on corpus {args.corpus} ({lines:,} lines, median of {args.repeat})\n\n"
                   + "\n".join(body) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
