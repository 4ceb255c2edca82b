"""Numbered changes: what makes "changes since cursor" one indexed range query."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from assessor.hub.models import Change, Submission


def record_change(session: Session, submission: Submission, what: str) -> int:
    """Number a change to ``submission`` and stamp it; returns the new sequence number.

    On PostgreSQL the numbering is serialised with a transaction-scoped advisory lock, so
    sequence numbers become visible in order and a reader's cursor never skips a change
    that commits late.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(870001)"))
    change = Change(submission_id=submission.id, what=what)
    session.add(change)
    session.flush()
    submission.change_seq = change.seq
    return change.seq
