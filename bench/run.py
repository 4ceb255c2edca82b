"""Run every benchmark and print one table: python bench/run.py [--json FILE]."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (  # noqa: E402
    hub_bench,
    queue_bench,
    render_bench,
    signing_bench,
    sync_bench,
    viewer_bench,
)
from bench.report import print_table, write_json  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    rows = queue_bench.run(count=100_000, runs=7, saves=300)
    rows += signing_bench.run(seconds=2.0, runs=5)
    rows += hub_bench.run(count=10_000, megabytes=200, runs=7)
    rows += sync_bench.run(runs=3)
    rows += render_bench.run()
    rows += viewer_bench.run()
    print_table(rows)
    if args.json:
        write_json(rows, args.json)
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
