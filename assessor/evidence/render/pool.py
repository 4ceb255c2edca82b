"""The worker processes, seen from the parent: start, lend out, kill, replace.

Workers come from the "forkserver" context where there is one (a server process with
PyMuPDF and Pillow already imported forks each worker in milliseconds, so a replacement
after a kill is quick) and "spawn" elsewhere; never plain fork: the GUI process runs Qt
threads. Each worker serves one request at a time, lent to one thread by ``WorkerPool``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from assessor.evidence.render.errors import RenderError, RenderTimeout
from assessor.evidence.render.worker import OPS_WITH_DATA, READY, serve

STARTUP_TIMEOUT = 60.0
CLOSE_WAIT = 5.0
HELD_PER_WORKER = 8  # documents and pictures a worker keeps open (least recently used go)
SOCKET_BUFFER = 4 * 2**20  # fewer wake-ups per page of pixels; the kernel may give less
QUIET_ENV = "ASSESSOR_RENDER_DEBUG"  # set it to see what the workers print


class WorkerTimedOut(Exception):
    """No answer before the deadline; the worker is still busy."""


class WorkerGone(Exception):
    """The worker died before it took the request (it can go to another worker)."""


class WorkerCrashed(Exception):
    """The worker died while working on the request."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"worker exited with {exitcode}")
        self.exitcode = exitcode


@dataclass(frozen=True)
class Reply:
    status: str  # "ok", "pixels" or "error"
    value: Any
    samples: bytes = b""


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: Any, memory_limit: int) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        for end in (parent_end, child_end):
            _enlarge_buffers(end)
        quiet = not os.environ.get(QUIET_ENV)
        self.process = context.Process(target=serve, args=(child_end, memory_limit, quiet),
                                       name="assessor-render", daemon=True)
        self.process.start()
        child_end.close()
        self.conn: Connection = parent_end
        self.pid: int | None = self.process.pid
        self._lock = threading.Lock()
        self._held: OrderedDict[str, None] = OrderedDict()
        self._forget: list[str] = []

    def wait_ready(self, timeout: float) -> bool:
        try:
            if not self.conn.poll(timeout):
                return False
            message = self.conn.recv()
        except (EOFError, OSError):
            return False
        return isinstance(message, tuple) and message[:1] == (READY,)

    def alive(self) -> bool:
        try:
            return bool(self.process.is_alive())
        except (ValueError, OSError):
            return False

    def holds(self, key: str) -> bool:
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return True
            return False

    def note_open(self, key: str) -> None:
        with self._lock:
            self._held[key] = None
            self._held.move_to_end(key)
            while len(self._held) > HELD_PER_WORKER:
                oldest, _ = self._held.popitem(last=False)
                self._forget.append(oldest)

    def note_forget(self, key: str) -> None:
        with self._lock:
            if key in self._held:
                del self._held[key]
                self._forget.append(key)

    def call(self, op: str, args: tuple[Any, ...], data: bytes, deadline: float) -> Reply:
        with self._lock:
            forget, self._forget = tuple(self._forget), []
        try:
            self.conn.send((op, forget, args))
            if op in OPS_WITH_DATA:
                self.conn.send_bytes(data)
        except (OSError, EOFError):
            raise WorkerGone from None
        try:
            if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                raise WorkerTimedOut
            status, *rest = self.conn.recv()
            if status == "pixels":
                return Reply(status, rest[0], self.conn.recv_bytes())
            return Reply(status, rest[0] if status == "ok" else tuple(rest))
        except (OSError, EOFError):
            raise WorkerCrashed(self.exitcode()) from None

    def exitcode(self) -> int | None:
        try:
            self.process.join(timeout=2.0)
            return self.process.exitcode  # type: ignore[no-any-return]
        except (ValueError, OSError, AssertionError):
            return None

    def kill(self) -> None:
        try:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5.0)
        except (ValueError, OSError, AssertionError):
            pass
        try:
            self.conn.close()
        except OSError:
            pass


class WorkerPool:
    """``size`` warm workers lent out one request at a time; dead ones are replaced."""

    def __init__(self, size: int, memory_limit: int, start_method: str | None = None) -> None:
        if size < 1:
            raise ValueError("a render pool needs at least one worker")
        self.size = size
        self.memory_limit = memory_limit
        self.context = multiprocessing.get_context(start_method or default_start_method())
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._pending: set[Worker] = set()  # launched, not ready yet
        self._starting = 0
        self._launching = 0
        self._started = False
        self._closed = False
        self._failures = 0
        self._failure = ""

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self) -> None:
        with self._cond:
            if self._started or self._closed:
                return
            self._started = True
            if self.context.get_start_method() == "forkserver":
                self.context.set_forkserver_preload(
                    ["assessor.evidence.render.documents", "assessor.evidence.render.images"])
            for _ in range(self.size):
                self._spawn_later()

    def acquire(self, prefer: str | None, timeout: float) -> Worker:
        self.start()
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                if self._closed:
                    raise RenderError("The evidence viewer's renderer has been shut down.")
                worker = self._take_idle(prefer)
                if worker is not None:
                    return worker
                if not self._all and not self._starting:
                    raise RenderError("The evidence viewer's renderer could not start"
                                      f"{': ' + self._failure if self._failure else ''}.")
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise RenderTimeout("The evidence viewer's renderer is busy; try again.")
                self._cond.wait(remaining)

    def release(self, worker: Worker) -> None:
        with self._cond:
            if worker in self._all and not self._closed:
                self._idle.append(worker)
                self._cond.notify_all()
                return
        worker.kill()

    def discard(self, worker: Worker) -> None:
        """Kill ``worker`` (late, stuck, crashed or out of memory) and start another."""
        worker.kill()
        with self._cond:
            self._all.discard(worker)
            if not self._closed:
                self._spawn_later()
            self._cond.notify_all()

    def forget(self, key: str) -> None:
        with self._cond:
            workers = list(self._all)
        for worker in workers:
            worker.note_forget(key)

    def pids(self) -> list[int]:
        with self._cond:
            return [w.pid for w in self._all if w.pid is not None]

    def close(self) -> None:
        """Kill every worker. Waits (briefly) for a launch under way to finish first: a
        process that leaves while the fork server reads its request makes the server print
        a traceback on the terminal."""
        with self._cond:
            self._closed = True
            end = time.monotonic() + CLOSE_WAIT
            while self._launching and time.monotonic() < end:
                self._cond.wait(end - time.monotonic())
            workers = list(self._all | self._pending)
            self._all.clear()
            self._idle.clear()
            self._pending.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.kill()

    def _take_idle(self, prefer: str | None) -> Worker | None:
        """An idle worker (the one that already holds ``prefer`` first); dead ones go."""
        ordered = sorted(self._idle, key=lambda w: not (prefer and w.holds(prefer)))
        for worker in ordered:
            self._idle.remove(worker)
            if worker.alive():
                return worker
            self._all.discard(worker)
            threading.Thread(target=worker.kill, daemon=True).start()
            self._spawn_later()
        return None

    def _spawn_later(self) -> None:
        if self._failures >= 3:  # it will not start; acquire() reports why
            return
        self._starting += 1
        threading.Thread(target=self._spawn, name="assessor-render-start", daemon=True).start()

    def _spawn(self) -> None:
        worker: Worker | None = None
        failure = ""
        with self._cond:
            if self._closed:
                self._starting -= 1
                self._cond.notify_all()
                return
            self._launching += 1
        try:
            worker = Worker(self.context, self.memory_limit)
        except Exception as exc:  # no processes left, a broken install...
            failure = f"{type(exc).__name__}: {exc}"
        finally:
            with self._cond:
                self._launching -= 1
                if worker is not None:
                    self._pending.add(worker)
                self._cond.notify_all()
        if worker is not None and not worker.wait_ready(STARTUP_TIMEOUT):
            failure = "a worker process did not answer"
        with self._cond:
            self._starting -= 1
            if worker is not None:
                self._pending.discard(worker)
            if failure or worker is None or self._closed:
                if failure and not self._closed:
                    self._failures += 1
                    self._failure = failure
                    self._spawn_later()
            else:
                self._failures = 0
                self._all.add(worker)
                self._idle.append(worker)
            self._cond.notify_all()
            keep = worker is not None and worker in self._all
        if worker is not None and not keep:
            worker.kill()


FORKSERVER_TEMP_LIMIT = 70
"""The forkserver listens on a Unix socket in a folder under the temporary directory; a
socket's path holds at most 107 bytes, so a longer temporary directory means "spawn"."""


def default_start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods and not getattr(sys, "frozen", False) \
            and len(os.fsencode(tempfile.gettempdir())) <= FORKSERVER_TEMP_LIMIT:
        return "forkserver"
    return "spawn"


def crash_signal(exitcode: int | None) -> str:
    """"SIGSEGV" for a worker that exited with -11, "" for a normal exit."""
    if exitcode is None or exitcode >= 0:
        return ""
    try:
        return signal.Signals(-exitcode).name
    except ValueError:
        return f"signal {-exitcode}"


def _enlarge_buffers(conn: Connection) -> None:
    try:
        sock = socket.socket(fileno=os.dup(conn.fileno()))
    except OSError:
        return
    try:
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            sock.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER)
    except OSError:
        pass
    finally:
        sock.close()
