"""The append-only, hash-chained audit log.

Each event commits to the one before it: ``hash = sha256(canonical JSON of the event's
fields, including prev_hash)``. Changing, removing or reordering any stored event breaks
the chain from that event on, and ``verify_chain`` names the first one that no longer fits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    at: str
    """UTC time, ISO 8601 with microseconds."""
    actor: str
    role: str
    action: str
    submission_id: str | None
    from_state: str | None
    to_state: str | None
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""


def event_digest(
    *,
    seq: int,
    at: str,
    actor: str,
    role: str,
    action: str,
    submission_id: str | None,
    from_state: str | None,
    to_state: str | None,
    details: Mapping[str, Any],
    prev_hash: str,
) -> str:
    body = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "role": role,
        "action": action,
        "submission": submission_id,
        "from": from_state,
        "to": to_state,
        "details": details,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(event: AuditEvent) -> AuditEvent:
    """Return the event with its hash filled in from its fields and ``prev_hash``."""
    from dataclasses import replace

    return replace(event, hash=_digest_of(event))


def _digest_of(event: AuditEvent) -> str:
    return event_digest(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        role=event.role,
        action=event.action,
        submission_id=event.submission_id,
        from_state=event.from_state,
        to_state=event.to_state,
        details=event.details,
        prev_hash=event.prev_hash,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None

    def __str__(self) -> str:
        if self.ok:
            return f"Audit log intact: {self.checked} events verified."
        return f"Audit log broken at event {self.first_bad_seq}: {self.reason}"


def verify_chain(events: Iterable[AuditEvent]) -> ChainReport:
    """Walk the events in ``seq`` order and report the first one that does not fit."""
    expected_prev = GENESIS_HASH
    expected_seq: int | None = None
    checked = 0
    for event in events:
        if expected_seq is not None and event.seq != expected_seq:
            return ChainReport(
                checked, expected_seq,
                f"event {expected_seq} is missing (the next stored event is {event.seq}).",
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                checked, event.seq,
                "it does not point at the hash of the event before it "
                "(an event was removed, inserted or reordered).",
            )
        if _digest_of(event) != event.hash:
            return ChainReport(
                checked, event.seq, "its contents no longer match its hash (it was altered)."
            )
        expected_prev = event.hash
        expected_seq = event.seq + 1
        checked += 1
    return ChainReport(checked)
