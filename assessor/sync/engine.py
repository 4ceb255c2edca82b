"""One sync run: push the outbox, pull changes since the cursor, fetch missing evidence.

Order matters: local changes go first (so the pull that follows already carries them and
a conflict is found at once), then pages of changes (each applied with its cursor in one
transaction), then evidence files (largest work last; a cancel or a network failure
keeps every byte already received). Nothing here touches Qt: the UI runs ``run`` on a
worker thread and shows ``Progress``.
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
from assessor.evidence.errors import EvidenceError
from assessor.store.store import Store
from assessor.store.sync_store import LAST_SYNC, OutboxEntry, SyncStore
from assessor.sync.client import HubClient
from assessor.sync.downloads import fetch_evidence
from assessor.sync.errors import HubProtocolError, HubRefused, StaleRevision
from assessor.sync.feed import parse_changes

log = logging.getLogger(__name__)

PUSH_KINDS = ("judgment", "feedback", "decision", "moderation")
MAX_REBASES = 3


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
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._store = store
        self._sync = SyncStore(store)
        self._client = client
        self._cache = cache
        self._progress = on_progress
        self._cancelled = cancelled
        self._clock = clock

    def run(self, *, evidence: bool = True) -> SyncReport:
        report = SyncReport()
        self.push(report)
        self.pull(report)
        if evidence and self._cache is not None:
            self.fetch_evidence(report)
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
            self._sync.mark_sending(entry)
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

    def pull(self, report: SyncReport) -> None:
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
            if not page.more:
                return

    # -- evidence -----------------------------------------------------------------------

    def fetch_evidence(self, report: SyncReport) -> None:
        cache = self._cache
        assert cache is not None
        wanted = [(sha, size, name) for sha, size, name in self._sync.evidence_wanted()
                  if not cache.has(sha)]
        total_bytes = sum(size for _, size, _ in wanted)
        done_bytes = 0
        last_shown = 0

        def on_bytes(n: int) -> None:
            nonlocal done_bytes, last_shown
            done_bytes += n
            if done_bytes - last_shown >= 4 * 1024 * 1024:
                last_shown = done_bytes
                self._progress(Progress("evidence", report.files, len(wanted), done_bytes,
                                        total_bytes))

        for sha, size, name in wanted:
            self._check_cancel()
            self._progress(Progress("evidence", report.files, len(wanted), done_bytes,
                                    total_bytes))
            before = done_bytes
            try:
                fetched = fetch_evidence(self._client, cache, sha, size, on_bytes=on_bytes,
                                         cancelled=self._cancelled)
            except (HubRefused, HubProtocolError, EvidenceError) as exc:
                report.problems.append(f"{name}: {exc}")
                continue
            done_bytes = before + size - fetched.resumed_from
            report.files += 1
            report.bytes += fetched.received
        self._progress(Progress("evidence", report.files, len(wanted), done_bytes,
                                total_bytes))
