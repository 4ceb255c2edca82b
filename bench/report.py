"""One table of figures: each beside its baseline from the same run, with the ratio, the
issue whose target it checks, and whether the target was met."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    issue: str  # the issue whose target this row checks, e.g. "#5"
    name: str
    figure: float
    baseline_name: str
    baseline: float | None
    target: str
    met: bool | None  # None: printed for comparison, no target to meet
    unit: str = "ms"  # "MB" for memory rows

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.figure / self.baseline

    @property
    def result(self) -> str:
        return {True: "met", False: "MISSED", None: "-"}[self.met]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def all_met(rows: list[Row]) -> bool:
    """Every row with a target met it (rows without a target do not count)."""
    return all(r.met is not False for r in rows)


def issue_order(row: Row) -> int:
    digits = "".join(c for c in row.issue if c.isdigit())
    return int(digits) if digits else 0


COLUMNS = (("issue", 5), ("benchmark", 50), ("figure", 11), ("baseline", 38), ("base", 11),
           ("ratio", 8), ("target", 26), ("result", 6))


def format_table(rows: list[Row]) -> str:
    """The rows as a fixed-width text table, grouped by issue (stable within an issue)."""
    def line(cells: list[str]) -> str:
        out = []
        for (name, width), cell in zip(COLUMNS, cells, strict=True):
            right = name in ("figure", "base", "ratio")
            out.append(cell.rjust(width) if right else cell.ljust(width))
        return "  ".join(out).rstrip()

    header = line([name for name, _ in COLUMNS])
    lines = [header, "-" * len(header)]
    for r in sorted(rows, key=issue_order):
        base = f"{r.baseline:.2f} {r.unit}" if r.baseline is not None else "-"
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        lines.append(line([r.issue, r.name, f"{r.figure:.2f} {r.unit}", r.baseline_name,
                           base, ratio, r.target, r.result]))
    targets = [r for r in rows if r.met is not None]
    missed = [r for r in targets if r.met is False]
    lines.append(f"{len(targets) - len(missed)} of {len(targets)} targets met"
                 + (f"; missed: {', '.join(f'{r.issue} {r.name}' for r in missed)}"
                    if missed else ""))
    return "\n".join(lines)


def print_table(rows: list[Row]) -> None:
    print(format_table(rows), flush=True)


def as_json(row: Row) -> dict[str, Any]:
    return asdict(row) | {"ratio": row.ratio}


def write_json(rows: list[Row], path: Path) -> None:
    path.write_text(json.dumps([as_json(r) for r in sorted(rows, key=issue_order)], indent=2)
                    + "\n")


def read_json(path: Path) -> list[Row]:
    """Rows written by ``write_json`` (a bench run in a child process hands them back so)."""
    names = {f.name for f in fields(Row)}
    return [Row(**{k: v for k, v in item.items() if k in names})
            for item in json.loads(path.read_text())]
