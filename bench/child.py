"""Run one benchmark script in a child process that leaves nothing behind.

The child gets a private temporary directory (``TMPDIR``) and data directory
(``ASSESSOR_HOME``), ``ASSESSOR_DEMO=0`` (no embedded demo hub in the timed processes), and a
marker in its environment that every process it starts inherits. When it has ended, any
process still carrying the marker, and anything still in its temporary directory, was left
behind: it is named in ``Outcome.leftovers``, then ended (by its pid) and removed.
"""

from __future__ import annotations

import collections
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import Row, read_json

ROOT = Path(__file__).resolve().parents[1]
MARKER = "ASSESSOR_BENCH_RUN"
GRACE_SECONDS = 3.0  # for a daemon to notice its parent went away and exit by itself


@dataclass
class Outcome:
    rows: list[Row] | None  # None when the bench failed or wrote no rows
    error: str | None = None
    leftovers: list[str] = field(default_factory=list)
    seconds: float = 0.0


def marked_processes(tag: str) -> dict[int, str]:
    """Processes of this user whose environment carries ``MARKER=tag``: pid → command."""
    wanted = f"{MARKER}={tag}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if wanted not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace").strip()
        except OSError:  # gone, or not ours to read
            continue
        found[int(entry.name)] = command or f"pid {entry.name}"
    return found


def end_leftover_processes(tag: str) -> list[str]:
    """Wait a little for marked processes to exit, then SIGKILL each one left, by pid."""
    deadline = time.monotonic() + GRACE_SECONDS
    left = marked_processes(tag)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = marked_processes(tag)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return [f"process {pid}: {command[:120]}" for pid, command in left.items()]


def leftover_files(folder: Path) -> list[str]:
    return [f"file {path}" for path in sorted(folder.iterdir())]


class TailedStream:
    """Copies a child's stream to our stderr line by line, keeping the last lines."""

    def __init__(self, stream: object, keep: int = 15) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=keep)
        self._thread = threading.Thread(target=self._copy, args=(stream,), daemon=True)
        self._thread.start()

    def _copy(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            sys.stderr.write(line)
            sys.stderr.flush()
            self.lines.append(line.rstrip())

    def join(self) -> None:
        self._thread.join(timeout=10)


def run_bench(script: Path, args: list[str], timeout: float) -> Outcome:
    """Run ``python script *args --json F`` isolated; its rows, or why there are none."""
    tag = secrets.token_hex(8)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="abench-") as private:
        scratch, home = Path(private) / "tmp", Path(private) / "home"
        scratch.mkdir()
        home.mkdir()
        rows_file = Path(private) / "rows.json"
        env = os.environ | {"ASSESSOR_DEMO": "0", "ASSESSOR_HOME": str(home),
                            "TMPDIR": str(scratch), "QT_QPA_PLATFORM": "offscreen",
                            "PYTHONUNBUFFERED": "1", MARKER: tag}
        child = subprocess.Popen(
            [sys.executable, str(script), *args, "--json", str(rows_file)], cwd=ROOT,
            env=env, stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(),
            stderr=subprocess.PIPE, text=True, start_new_session=True)
        tail = TailedStream(child.stderr)
        error = None
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            error = f"did not finish within {timeout:.0f} s"
        leftovers = end_leftover_processes(tag)  # they may hold the stderr pipe open
        tail.join()
        if child.stderr is not None:
            child.stderr.close()
        leftovers += leftover_files(scratch) + leftover_files(home)
        rows = read_json(rows_file) if rows_file.exists() else None
        if error is None and rows is None:
            last = next((line for line in reversed(tail.lines) if line.strip()), "")
            error = f"exit status {child.returncode}, no figures: {last[:160]}"
    return Outcome(rows, error, leftovers, time.perf_counter() - started)
