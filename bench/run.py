"""Run every benchmark and print one table of figures, baselines, ratios and targets.

    python bench/run.py [--only NAME[,NAME]] [--quick] [--json FILE]

Each benchmark runs in a child process of its own (bench/child.py: a private temporary
directory and data directory, ASSESSOR_DEMO=0, nothing left behind); its progress goes to
stderr, and the one table of every benchmark's rows to stdout, grouped by the issue whose
target each row checks. ``--quick`` runs small sizes and few runs (a smoke test: the figures
are not comparable with the targets). The exit status is 0 only if every target was met,
every benchmark finished and none left anything behind.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.child import run_bench  # noqa: E402
from bench.report import Row, all_met, print_table, write_json  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Bench:
    name: str
    issue: str
    targets: tuple[str, ...]  # the issue's targets this bench checks (named if it fails)
    quick: tuple[str, ...] = ("--quick",)
    timeout_s: float = 3600.0


BENCHES = (
    Bench("queue_bench", "#2", (
        "first screen of the queue, 100k submissions: <= 1.5x a bare QMainWindow",
        "scroll the queue to the end: < 100 ms",
        "filter the queue: < 100 ms",
        "record a judgment durably: < 10 ms median")),
    Bench("signing_bench", "#3", (
        "sign OB 3.0 credentials: >= 150 a second on one core",)),
    Bench("hub_bench", "#4", (
        "changes since cursor, first page, 10k assigned: < 200 ms",
        "evidence download: >= 70% of curl's throughput for a static file")),
    Bench("sync_bench", "#5", (
        "pull 1,000 submissions with 1 GB of evidence: >= 60% of curl's throughput",
        "sync memory: < 300 MB RSS however large a file is")),
    Bench("cache_bench", "#5", (
        "encrypted cache, a 1 GiB file: < 300 MB RSS",)),
    Bench("render_bench", "#6", (
        "first page visible: <= 1.3x PyMuPDF + 30 ms",
        "next page of a 300-page document at 150 dpi: < 50 ms",
        "a 20 Mpx photo visible: < 300 ms")),
    Bench("viewer_bench", "#6", (
        "the event loop answers within 50 ms while a heavy page renders",
        "scrolling a 500-page document keeps memory bounded by the cache size")),
    Bench("review_bench", "#7", (
        "next submission visible: < 150 ms",
        "a level key press saved durably and shown: < 30 ms")),
)
NAMES = [b.name for b in BENCHES]


def failure_rows(bench: Bench, why: str) -> list[Row]:
    """A benchmark that did not finish still shows each of its targets, missed."""
    return [Row(bench.issue, f"{target} [{bench.name}: {why}]", 0.0, "-", None, "figures",
                False, unit="") for target in bench.targets]


def chosen(only: str | None) -> list[Bench]:
    if not only:
        return list(BENCHES)
    wanted = [name.strip().removesuffix(".py") for name in only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in NAMES]
    if unknown:
        raise SystemExit(f"unknown benchmark {', '.join(unknown)}; "
                         f"choose from {', '.join(NAMES)}")
    return [b for b in BENCHES if b.name in wanted]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", metavar="NAME[,NAME]",
                        help=f"run only these benchmarks ({', '.join(NAMES)})")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few runs: a smoke test, not the real figures")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the rows as JSON")
    args = parser.parse_args(argv)
    benches = chosen(args.only)
    rows: list[Row] = []
    left_behind: list[str] = []
    started = time.perf_counter()
    for number, bench in enumerate(benches, 1):
        print(f"== [{number}/{len(benches)}] {bench.name}{' (quick)' if args.quick else ''}",
              file=sys.stderr, flush=True)
        outcome = run_bench(BENCH_DIR / f"{bench.name}.py",
                            list(bench.quick) if args.quick else [],
                            timeout=bench.timeout_s / (6 if args.quick else 1))
        if outcome.rows is None:
            rows += failure_rows(bench, outcome.error or "no figures")
        else:
            rows += outcome.rows
        for leftover in outcome.leftovers:
            left_behind.append(f"{bench.name}: {leftover}")
            print(f"!! {bench.name} left behind {leftover} (now removed)", file=sys.stderr)
        print(f"== {bench.name} took {outcome.seconds:.0f} s", file=sys.stderr, flush=True)
    print(f"== all benchmarks took {time.perf_counter() - started:.0f} s", file=sys.stderr,
          flush=True)
    print_table(rows)
    print(f"left behind by {len(benches)} benchmark(s): "
          + ("; ".join(left_behind) + " (ended and removed)" if left_behind else "nothing"))
    if args.quick:
        print("(--quick: small sizes and few runs; the figures are a smoke test, "
              "not the issues' measurements)")
    if args.json:
        write_json(rows, args.json)
    return 0 if all_met(rows) and not left_behind else 1


if __name__ == "__main__":
    sys.exit(main())
