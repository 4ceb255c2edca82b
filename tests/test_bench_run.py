"""bench/run.py, the one benchmark command: a quick run of two cheap benchmarks prints one
table with the issue, figure, baseline, ratio, target and result of each row, writes the
same rows as JSON, and leaves nothing behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.child import run_bench as run_isolated
from bench.run import BENCHES, failure_rows

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "bench" / "run.py"


def run_bench(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"TMPDIR": str(tmp)}
    return subprocess.run([sys.executable, str(RUN), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow  # ~6 s alone, up to ~16 s on a loaded 2-core machine
def test_quick_run_of_two_benchmarks_prints_one_table_and_writes_json(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "rows.json"
    done = run_bench("--quick", "--only", "signing_bench,cache_bench", "--json", str(out),
                     tmp=scratch)
    assert "left behind by 2 benchmark(s): nothing" in done.stdout, done.stderr[-3000:]
    assert list(scratch.iterdir()) == []  # every temporary directory was removed

    lines = done.stdout.splitlines()
    header = lines[0].split()
    assert header == ["issue", "benchmark", "figure", "baseline", "base", "ratio", "target",
                      "result"]
    assert set(lines[1]) == {"-"}
    body = [line for line in lines[2:] if line.startswith("#")]
    assert body and all(line.split()[0] in ("#3", "#5") for line in body)
    # grouped by issue: signing's rows (#3) before the cache's (#5)
    assert [line.split()[0] for line in body] == sorted(line.split()[0] for line in body)
    assert any("pure Ed25519 sign" in line for line in body)
    assert any(line.rstrip().endswith(("met", "MISSED")) for line in body)
    assert "targets met" in done.stdout
    assert "--quick" in done.stdout

    rows = json.loads(out.read_text())
    assert len(rows) == len(body)
    keys = {"issue", "name", "figure", "unit", "baseline_name", "baseline", "ratio",
            "target", "met"}
    assert all(keys <= row.keys() for row in rows)
    sign = next(row for row in rows if row["name"].startswith("sign OB 3.0 credential"))
    assert sign["issue"] == "#3"
    assert sign["baseline_name"].startswith("pure Ed25519 sign")
    assert sign["ratio"] == sign["figure"] / sign["baseline"] > 1
    assert sign["target"].startswith(">= 150/s")
    assert isinstance(sign["met"], bool)
    rss = next(row for row in rows if "peak RSS" in row["name"])
    assert (rss["issue"], rss["unit"], rss["baseline"], rss["ratio"]) == ("#5", "MB", None,
                                                                          None)
    assert all(row["met"] in (True, False, None) for row in rows)
    judged = [row for row in rows if row["met"] is not None]
    assert done.returncode == (0 if all(row["met"] for row in judged) else 1)


def test_an_unknown_benchmark_name_is_refused_with_the_names_to_choose_from(
        tmp_path: Path) -> None:
    done = run_bench("--only", "signing,queue_bench", tmp=tmp_path)
    assert done.returncode != 0
    assert "unknown benchmark signing; choose from queue_bench, signing_bench" in done.stderr
    assert done.stdout == ""


LEAVES_THINGS_BEHIND = """
import os, subprocess, sys, tempfile
subprocess.Popen(["sleep", "60"], start_new_session=True)  # escapes the process group
tempfile.mkstemp(prefix="forgotten-")
open(sys.argv[2], "w").write("[]")
"""

CRASHES = """
import sys
sys.exit("the bench broke: no hub")
"""


def test_a_bench_that_leaves_a_process_and_a_file_behind_is_named_and_cleaned_up(
        tmp_path: Path) -> None:
    script = tmp_path / "leaky.py"
    script.write_text(LEAVES_THINGS_BEHIND)
    outcome = run_isolated(script, [], timeout=30)
    assert outcome.rows == [] and outcome.error is None
    assert any(item.startswith("process ") and "sleep 60" in item
               for item in outcome.leftovers), outcome.leftovers
    assert any(item.startswith("file ") and "forgotten-" in item
               for item in outcome.leftovers), outcome.leftovers
    pid = int(next(i for i in outcome.leftovers if "sleep" in i).split()[1].rstrip(":"))
    assert not Path(f"/proc/{pid}/cmdline").exists() or \
        Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def test_a_bench_that_fails_shows_its_targets_missed(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text(CRASHES)
    outcome = run_isolated(script, [], timeout=30)
    assert outcome.rows is None
    assert outcome.error == "exit status 1, no figures: the bench broke: no hub"
    hub = next(b for b in BENCHES if b.name == "hub_bench")
    rows = failure_rows(hub, outcome.error)
    assert [r.issue for r in rows] == ["#4", "#4"]
    assert all(r.met is False and r.result == "MISSED" for r in rows)
    assert "changes since cursor" in rows[0].name and "the bench broke" in rows[0].name
