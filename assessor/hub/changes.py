"""Numbered changes: what makes "changes since cursor" one indexed range query."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from assessor.hub.models import Change, Submission


def _previous_assessor(submission: Submission) -> str | None:
    """The assessor this submission was taken from in this unit of work, if it was."""
    history = inspect(submission).attrs.assessor_id.history
    for old in history.deleted or ():
        if old is not None and old != submission.assessor_id:
            return str(old)
    return None


def record_change(session: Session, submission: Submission, what: str, *,
                  removed_for_user_id: str | None = None) -> int:
    """Number a change to ``submission`` and stamp it; returns the new sequence number.

    A reassignment (``submission.assessor_id`` changed since the last flush) is recorded as
    a removal for the previous assessor, so their next pull drops the submission; pass
    ``removed_for_user_id`` to say so explicitly (e.g. when the session was flushed in
    between).

    On PostgreSQL the numbering is serialised with a transaction-scoped advisory lock, so
    sequence numbers become visible in order and a reader's cursor never skips a change
    that commits late.
    """
    if removed_for_user_id is None:
        removed_for_user_id = _previous_assessor(submission)
    change = _numbered(session, submission.id, what, removed_for_user_id)
    submission.change_seq = change.seq
    return change.seq


def record_removal(session: Session, submission_id: str, what: str, user_id: str) -> int:
    """Tell ``user_id`` alone that the submission left their view (e.g. a mentor detached
    from its learner): their next pull lists it as removed. The submission is not stamped,
    so nobody else pulls it again."""
    return _numbered(session, submission_id, what, user_id).seq


def _numbered(session: Session, submission_id: str, what: str,
              removed_for_user_id: str | None) -> Change:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(870001)"))
    change = Change(submission_id=submission_id, what=what,
                    removed_for_user_id=removed_for_user_id)
    session.add(change)
    session.flush()
    return change
