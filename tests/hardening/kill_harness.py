"""The parent's side of the kill tests: the seed, and a zygote that starts and kills runs.

``KILL_SEED_ENV`` (``ASSESSOR_KILL_SEED``) replays a run: the seed picks every random delay
before a kill and every choice the scripted sessions make (timing on a shared machine still
varies, so a replay lands near, not exactly on, the same instants).
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
KILL_SEED_ENV = "ASSESSOR_KILL_SEED"

Message = list[Any]


def kill_seed(name: str) -> int:
    """The seed for this test (printed, so a failure can be replayed)."""
    text = os.environ.get(KILL_SEED_ENV, "").strip()
    seed = int(text) if text else random.SystemRandom().randrange(1, 2**31)
    print(f"{name}: kill seed {seed} (replay with {KILL_SEED_ENV}={seed})")
    return seed


class ZygoteError(AssertionError):
    pass


@dataclass
class Run:
    """One started child: its pid and every line it reported."""

    pid: int
    lines: list[Message] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    """When each line arrived (``time.monotonic``)."""
    returncode: int | None = None

    def add(self, message: Message, at: float) -> None:
        self.lines.append(message)
        self.times.append(at)

    def seen(self, kind: str) -> bool:
        return any(line[0] == kind for line in self.lines)


class Zygote:
    """``python -m tests.hardening.kill_zygote KIND`` and a thread reading its lines."""

    def __init__(self, kind: str, log: Path, env: dict[str, str] | None = None) -> None:
        self._log_path = log
        self._log = log.open("wb")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.hardening.kill_zygote", kind],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, cwd=ROOT,
            env=env if env is not None else os.environ.copy())
        self._lines: queue.Queue[tuple[Message, float] | None] = queue.Queue()
        self._last_at = 0.0
        self._live: Run | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._next(lambda m: m[0] == "zygote-ready", 60, None)

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for raw in self._proc.stdout:
            self._lines.put((json.loads(raw), time.monotonic()))
        self._lines.put(None)

    def stderr_tail(self) -> str:
        self._log.flush()
        return self._log_path.read_text(errors="replace")[-4000:]

    def _next(self, wanted: Callable[[Message], bool], timeout: float,
              run: Run | None) -> Message:
        """Lines until one is ``wanted`` (the others go to ``run``)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ZygoteError(f"no answer from the child in {timeout:.0f} s; "
                                  f"last lines {run.lines[-5:] if run else []}\n"
                                  f"{self.stderr_tail()}")
            try:
                item = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if item is None:
                raise ZygoteError(f"the zygote ended\n{self.stderr_tail()}")
            message, at = item
            if wanted(message):
                self._last_at = at
                return message
            if run is not None:
                run.add(message, at)
                if message[0] == "error":
                    raise ZygoteError(f"the child failed:\n{message[1]}")

    def start(self, *args: object) -> Run:
        assert self._proc.stdin is not None
        self._proc.stdin.write((json.dumps(["run", [str(a) for a in args]]) + "\n").encode())
        self._proc.stdin.flush()
        started = self._next(lambda m: m[0] == "started", 30, None)
        self._live = Run(int(started[1]))
        return self._live

    def wait_for(self, run: Run, kind: str, timeout: float = 60,
                 match: Callable[[Message], bool] = lambda m: True) -> Message:
        """Wait until the child reports a line of ``kind`` (that ``match``es), kept in
        ``run.lines`` too."""
        message = self._next(lambda m: m[0] == "exited" or (m[0] == kind and match(m)),
                             timeout, run)
        if message[0] == "exited":
            run.returncode = int(message[2])
            raise ZygoteError(f"the child ended ({run.returncode}) before {kind!r}; "
                              f"last lines {run.lines[-5:]}\n{self.stderr_tail()}")
        run.add(message, self._last_at)
        return message

    def collect(self, run: Run, seconds: float) -> None:
        """Let the child run for ``seconds``, gathering its lines."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if item is None or item[0][0] == "exited":
                raise ZygoteError(f"the child ended on its own: {item}; last lines "
                                  f"{run.lines[-5:]}\n{self.stderr_tail()}")
            message, at = item
            run.add(message, at)
            if message[0] == "error":
                raise ZygoteError(f"the child failed:\n{message[1]}")

    def kill(self, run: Run) -> None:
        """SIGKILL the child and gather every line it wrote before it died."""
        try:
            os.kill(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it ended first: wait_exit says how
        self.wait_exit(run, 30)
        if run.returncode != -signal.SIGKILL:
            raise ZygoteError(f"the child ended with {run.returncode}, not by the kill")

    def wait_exit(self, run: Run, timeout: float) -> int:
        message = self._next(lambda m: m[0] == "exited" and m[1] == run.pid, timeout, run)
        run.returncode = int(message[2])
        return run.returncode

    def close(self) -> None:
        """End the zygote (and a child still running, when a test failed midway)."""
        if self._live is not None and self._live.returncode is None:
            try:
                os.kill(self._live.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._log.close()
