"""Evidence downloads on a few worker threads, fed while the engine is still pulling.

The hub spends a fixed time on every evidence request (sign-in check, access check) and
the desktop spends its own after the bytes arrive (sha256, AES-GCM, fsync, rename). Done
one after the other, each side idles while the other works; with a few files in flight
the two overlap, and downloads start as soon as the first page of changes is applied
instead of after the last.

Progress is reported only once the engine says the list is complete (``show_progress``),
so a progress bar never counts towards a total that is still growing. A file the hub
sends wrongly becomes a line of ``report.problems``; any other failure (the hub gone,
sign-in needed, a cancel) stops the others, each keeping what it received for a resume,
and ``finish`` raises the first of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

from assessor.errors import Cancelled
from assessor.evidence.cache import EvidenceCache
from assessor.evidence.errors import EvidenceError
from assessor.sync.client import HubClient
from assessor.sync.downloads import Fetched, fetch_evidence
from assessor.sync.errors import HubProtocolError, HubRefused

PROGRESS_STEP = 4 * 1024 * 1024
"""Bytes between two progress reports while files are arriving."""


EvidenceProgress = Callable[[int, int, int, int], None]
"""Called with files done, files wanted, bytes done, bytes wanted."""


@dataclass(frozen=True)
class Wanted:
    sha256: str
    size: int
    name: str
    """A file name it goes by (for the problem line)."""


@dataclass
class BatchOutcome:
    files: int
    """Files that are in the cache now and were not when they were asked for."""
    bytes: int
    """Bytes that came over the network."""
    problems: list[str]
    """One line per file the hub sent wrongly, in the order the files were asked for."""


class EvidenceBatch:
    """``with EvidenceBatch(...) as batch: batch.add(...); ...; outcome = batch.finish()``.

    Leaving the block without ``finish`` (an exception in the engine) stops the
    downloads and waits for them; every byte received stays for a resume.
    """

    def __init__(self, client: HubClient, cache: EvidenceCache, *, workers: int,
                 on_progress: EvidenceProgress,
                 cancelled: Callable[[], bool] = lambda: False) -> None:
        self._client = client
        self._cache = cache
        self._on_progress = on_progress
        self._cancelled = cancelled
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="evidence")
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._asked: dict[str, int] = {}  # digest -> position asked in
        self._jobs: list[tuple[Wanted, Future[Fetched]]] = []
        self._showing = False
        self._files = 0
        self._bytes_total = 0
        self._bytes_done = 0
        self._last_shown = 0

    # -- feeding ------------------------------------------------------------------------

    def add(self, wanted: Iterable[Wanted]) -> None:
        """Start downloading the files not asked for yet and not in the cache."""
        for item in wanted:
            if item.sha256 in self._asked or self._cache.has(item.sha256):
                continue
            self._asked[item.sha256] = len(self._jobs)
            with self._lock:
                self._bytes_total += item.size
            self._jobs.append((item, self._pool.submit(self._fetch, item)))

    def show_progress(self) -> None:
        """Every file is asked for: report progress from now on (and once at once)."""
        with self._lock:
            self._showing = True
            self._show()

    # -- the workers --------------------------------------------------------------------

    def _stopped(self) -> bool:
        return self._stop.is_set() or self._cancelled()

    def _fetch(self, item: Wanted) -> Fetched:
        if self._stopped():
            raise Cancelled()
        try:
            fetched = fetch_evidence(self._client, self._cache, item.sha256, item.size,
                                     on_bytes=self._received, cancelled=self._stopped)
        except (HubRefused, HubProtocolError, EvidenceError):
            raise  # this file's problem only
        except BaseException:
            self._stop.set()  # the hub is gone, sign-in is needed, or a cancel: stop all
            raise
        with self._lock:
            # Bytes that did not come through ``_received`` (kept from before) count too.
            self._bytes_done += item.size - fetched.resumed_from - fetched.received
            self._files += 1
        return fetched

    def _received(self, count: int) -> None:
        with self._lock:
            self._bytes_done += count
            if self._bytes_done - self._last_shown >= PROGRESS_STEP:
                self._show()

    def _show(self) -> None:  # with ``_lock`` held, so reports come one at a time, in order
        if self._showing:
            self._last_shown = self._bytes_done
            self._on_progress(self._files, len(self._jobs), self._bytes_done,
                              self._bytes_total)

    # -- the end ------------------------------------------------------------------------

    def finish(self, keep: set[str] | None = None) -> BatchOutcome:
        """Wait for every download; problems only for digests in ``keep`` (all if None:
        a file whose submission left during the pull is no one's problem)."""
        outcome = BatchOutcome(0, 0, [])
        failure: BaseException | None = None
        for item, future in self._jobs:
            try:
                fetched = future.result()
            except (HubRefused, HubProtocolError, EvidenceError) as exc:
                if keep is None or item.sha256 in keep:
                    outcome.problems.append(f"{item.name}: {exc}")
                continue
            except BaseException as exc:
                # The first real failure wins over the cancels it causes in the others.
                if failure is None or (isinstance(failure, Cancelled)
                                       and not isinstance(exc, Cancelled)):
                    failure = exc
                self._stop.set()
                continue
            outcome.files += 1
            outcome.bytes += fetched.received
        self._pool.shutdown(wait=True)
        if failure is not None:
            raise failure
        with self._lock:
            self._show()
        return outcome

    def abort(self) -> None:
        """Stop every download (what arrived is kept for a resume) and wait for them."""
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> EvidenceBatch:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.abort()
