"""One sync run: push the outbox, pull changes since the cursor, fetch missing evidence.

Order matters: local changes go first (so the pull that follows already carries them and
a conflict is found at once), then pages of changes (each applied with its cursor in one
transaction), and the evidence files those pages bring: downloads start, a few at once,
as soon as a page is applied, and the run ends when the last file is in (a cancel or a
network failure keeps every byte already received). Nothing here touches Qt: the UI runs
``run`` on a worker thread and shows ``Progress`` (reported from that thread and from the
download threads, one report at a time).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assessor.errors import Cancelled, UserFacingError
from assessor.evidence.cache import EvidenceCache
from assessor.store.store import Store
from assessor.store.sync_store import LAST_SYNC, OutboxEntry, SyncStore
from assessor.sync.client import HubClient
from assessor.sync.errors import HubProtocolError, HubRefused, StaleRevision
from assessor.sync.evidence_batch import EvidenceBatch, Wanted
from assessor.sync.feed import parse_changes

log = logging.getLogger(__name__)

PUSH_KINDS = ("judgment", "feedback", "decision", "moderation", "second_mark")
MAX_REBASES = 3
EVIDENCE_WORKERS = 3
"""Evidence files downloaded at once (overlaps the hub's work per file with ours)."""


@dataclass(frozen=True)
class Progress:
    phase: str
    """``push``, ``pull`` or ``evidence``."""
    done: int
    total: int
    bytes_done: int = 0
    bytes_total: int = 0

    def describe(self) -> str:
        if self.phase == "push":
            return f"Sending changes: {self.done} of {self.total}"
        if self.phase == "pull":
            return f"Receiving submissions: {self.done} so far"
        mb = 1024 * 1024
        return (f"Downloading evidence: {self.done} of {self.total} files, "
                f"{self.bytes_done / mb:.1f} of {self.bytes_total / mb:.1f} MB")


@dataclass
class SyncReport:
    pushed: int = 0
    conflicts: int = 0
    refused: int = 0
    pages: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)
    """Evidence files that could not be taken this time, one line each."""
    finished_at: datetime | None = None

    def describe(self) -> str:
        parts = [f"{self.pushed} change{'s' if self.pushed != 1 else ''} sent",
                 f"{self.added} new and {self.updated} updated submission"
                 f"{'s' if self.updated != 1 else ''}"]
        if self.removed:
            parts.append(f"{self.removed} reassigned away")
        if self.files:
            parts.append(f"{self.files} evidence file{'s' if self.files != 1 else ''} "
                         f"({self.bytes / (1024 * 1024):.1f} MB)")
        if self.conflicts:
            parts.append(f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''} "
                         "to resolve")
        if self.refused:
            parts.append(f"{self.refused} change{'s' if self.refused != 1 else ''} refused "
                         "by the hub")
        if self.problems:
            parts.append(f"{len(self.problems)} evidence file"
                         f"{'s' if len(self.problems) != 1 else ''} not taken")
        return "; ".join(parts)


class SyncEngine:
    def __init__(self, store: Store, client: HubClient, cache: EvidenceCache | None, *,
                 on_progress: Callable[[Progress], None] = lambda p: None,
                 cancelled: Callable[[], bool] = lambda: False,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 evidence_workers: int = EVIDENCE_WORKERS) -> None:
        self._store = store
        self._sync = SyncStore(store)
        self._client = client
        self._cache = cache
        self._progress = on_progress
        self._cancelled = cancelled
        self._clock = clock
        self._evidence_workers = evidence_workers

    def run(self, *, evidence: bool = True) -> SyncReport:
        report = SyncReport()
        self.push(report)
        if evidence and self._cache is not None:
            # Evidence of each applied page starts downloading while later pages come.
            with self._evidence_batch() as batch:
                self.pull(report, on_page=lambda: batch.add(self._wanted()))
                self._finish_evidence(batch, report)
        else:
            self.pull(report)
        report.finished_at = self._clock()
        self._sync.put(LAST_SYNC, report.finished_at.isoformat())
        return report

    def _check_cancel(self) -> None:
        if self._cancelled():
            raise Cancelled()

    # -- push ---------------------------------------------------------------------------

    def push(self, report: SyncReport) -> None:
        total = self._sync.waiting_count()
        rebases: dict[int, int] = {}
        skipped: set[int] = set()
        while True:
            self._check_cancel()
            entry = next((e for e in self._sync.outbox(limit=len(skipped) + 1)
                          if e.pk not in skipped), None)
            if entry is None:
                return
            self._progress(Progress("push", report.pushed, max(total, report.pushed + 1)))
            sending = self._sync.mark_sending(entry)
            if sending is None:  # acknowledged or resolved meanwhile
                continue
            entry = sending  # with any edit coalesced into it since it was read
            try:
                revision = self._send(entry)
            except StaleRevision as exc:
                rebases[entry.pk] = rebases.get(entry.pk, 0) + 1
                if rebases[entry.pk] > MAX_REBASES or not self._sync.push_stale(
                        entry, exc.hub_copy):
                    if rebases[entry.pk] > MAX_REBASES:
                        self._sync.push_refused(entry, str(exc))
                    report.conflicts += 1
                continue
            except HubRefused as exc:
                log.info("the hub refused outbox row %s (%s)", entry.client_id, exc.code)
                self._sync.push_refused(entry, str(exc))
                report.refused += 1
                continue
            except UserFacingError as exc:
                self._sync.push_failed(entry, str(exc))
                raise
            if revision is None:
                skipped.add(entry.pk)
                continue
            self._sync.push_applied(entry, revision)
            report.pushed += 1

    def _send(self, entry: OutboxEntry) -> int | None:
        """Send one row; the hub's new revision of the submission (None: not sendable)."""
        envelope: dict[str, Any] = {"client_id": entry.client_id,
                                    "submission_id": entry.submission_id,
                                    "base_revision": entry.base_revision}
        if entry.kind in PUSH_KINDS:
            answer = self._client.push(envelope | {"kind": entry.kind,
                                                   "payload": entry.payload})
            revision = answer.get("revision")
        elif entry.kind == "credential":
            try:
                credential = json.loads(str(entry.payload.get("credential", "")))
            except ValueError:
                raise HubRefused("The signed credential in the outbox is damaged.", 0) \
                    from None
            answer = self._client.push_credential(envelope | {"credential": credential})
            submission = answer.get("submission")
            revision = submission.get("revision") if isinstance(submission, dict) else None
        elif entry.kind == "endorsement":
            raise HubRefused("This hub does not take endorsements; the signed endorsement "
                             "is kept on this computer (export it from the submission).", 0,
                             "unsupported")
        else:
            raise HubRefused(f"Assessor does not know how to send a {entry.kind!r} change.",
                             0, "unsupported")
        if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0:
            raise HubProtocolError("The hub's answer to a push carries no revision.")
        return revision

    # -- pull ---------------------------------------------------------------------------

    def pull(self, report: SyncReport, on_page: Callable[[], None] = lambda: None) -> None:
        """Apply pages of changes since the cursor; ``on_page`` after each is stored."""
        cursor = self._sync.cursor()
        received = 0
        while True:
            self._check_cancel()
            self._progress(Progress("pull", received, 0))
            page = parse_changes(self._client.changes(cursor), cursor)
            applied = self._sync.apply_page(page, cursor)
            report.pages += 1
            report.added += applied.added
            report.updated += applied.updated
            report.removed += applied.removed
            report.kept += applied.kept
            received += len(page.submissions)
            cursor = page.next_cursor
            on_page()
            if not page.more:
                return

    # -- evidence -----------------------------------------------------------------------

    def _evidence_batch(self) -> EvidenceBatch:
        assert self._cache is not None

        def show(files: int, total: int, done: int, total_bytes: int) -> None:
            self._progress(Progress("evidence", files, total, done, total_bytes))

        return EvidenceBatch(self._client, self._cache, workers=self._evidence_workers,
                             on_progress=show, cancelled=self._cancelled)

    def _wanted(self) -> list[Wanted]:
        return [Wanted(sha, size, name) for sha, size, name in self._sync.evidence_wanted()]

    def _finish_evidence(self, batch: EvidenceBatch, report: SyncReport) -> None:
        wanted = self._wanted()
        batch.add(wanted)
        batch.show_progress()
        outcome = batch.finish(keep={w.sha256 for w in wanted})
        report.files += outcome.files
        report.bytes += outcome.bytes
        report.problems.extend(outcome.problems)

    def fetch_evidence(self, report: SyncReport) -> None:
        """Download every evidence file the local submissions hold and the cache lacks
        (a few at once; see ``EvidenceBatch``)."""
        with self._evidence_batch() as batch:
            self._finish_evidence(batch, report)
