"""One table of figures: each beside its baseline from the same run, with the ratio."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    name: str
    figure_ms: float
    baseline_name: str
    baseline_ms: float | None
    target: str
    met: bool
    unit: str = "ms"  # "MB" for memory rows

    @property
    def ratio(self) -> float | None:
        if not self.baseline_ms:
            return None
        return self.figure_ms / self.baseline_ms


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def print_table(rows: list[Row]) -> None:
    header = f"{'benchmark':<44}{'figure':>10}  {'baseline':<34}{'base':>9}{'ratio':>8}  " \
             f"{'target':<24}result"
    print(header)
    print("-" * len(header))
    for r in rows:
        base = f"{r.baseline_ms:.2f}" if r.baseline_ms is not None else "-"
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        unit = f"{r.unit:<2}"
        print(f"{r.name:<44}{r.figure_ms:>8.2f}{unit}  {r.baseline_name:<34}{base:>7}{unit}"
              f"{ratio:>8}  {r.target:<24}{'met' if r.met else 'MISSED'}")


def write_json(rows: list[Row], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) | {"ratio": r.ratio} for r in rows], indent=2))
