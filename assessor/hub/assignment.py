"""Who assesses a submission: chosen by an administrator, or round-robin over the active
assessors.

Round-robin walks the active assessors in user-name order from the organisation's
``next_assessor`` position, so over any run of assignments each assessor gets the same
number, give or take one. Every assignment bumps the submission's revision and records a
change: the new assessor's desktop pulls it, the previous one's hears it was taken away.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.hub.accounts import find_user_with_role
from assessor.hub.changes import record_change
from assessor.hub.errors import HubError, not_found
from assessor.hub.models import Organisation, Submission, User
from assessor.hub.organisation import get_organisation

CLOSED_STATES = ("signed", "published")
"""Submissions past judging: there is nothing left for an assessor to do."""


def active_assessors(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "assessor",
                                                   User.active.is_(True))
                                .order_by(User.username, User.id)))


def _locked_organisation(session: Session) -> Organisation:
    """The organisation row, locked on PostgreSQL so concurrent picks take turns."""
    if session.get_bind().dialect.name == "postgresql":
        org = session.scalar(select(Organisation).where(Organisation.id == 1)
                             .with_for_update())
        if org is not None:
            return org
    return get_organisation(session)


def next_assessor(session: Session) -> User | None:
    """The next active assessor in turn (advancing the turn), or None when there is none."""
    assessors = active_assessors(session)
    if not assessors:
        return None
    org = _locked_organisation(session)
    chosen = assessors[org.next_assessor % len(assessors)]
    org.next_assessor = (org.next_assessor + 1) % len(assessors)
    return chosen


def get_submission(session: Session, submission_id: str) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise not_found(f"There is no submission {submission_id[:100]!r}.")
    return submission


def assign(session: Session, submission: Submission, assessor: User | None) -> bool:
    """Give ``submission`` to ``assessor`` (None: to nobody); False if nothing changed."""
    new_id = assessor.id if assessor is not None else None
    if submission.assessor_id == new_id:
        return False
    if submission.state in CLOSED_STATES:
        raise HubError(409, "closed", f"Submission {submission.id} is {submission.state}; "
                                      "it can no longer be reassigned.")
    submission.assessor_id = new_id
    submission.revision += 1
    record_change(session, submission, "assigned")
    return True


def assign_to(session: Session, submission_id: str, who: str | None) -> Submission:
    """Assign by submission id to an assessor named by id or user name (None unassigns)."""
    submission = get_submission(session, submission_id)
    assessor = None
    if who is not None:
        assessor = find_user_with_role(session, who, "assessor")
        if not assessor.active:
            raise HubError(409, "inactive", f"{assessor.username!r} is deactivated.")
    assign(session, submission, assessor)
    return submission


def assign_round_robin(session: Session) -> list[Submission]:
    """Give every unassigned open submission to the next assessor in turn."""
    waiting = list(session.scalars(select(Submission)
                                   .where(Submission.assessor_id.is_(None),
                                          Submission.state.not_in(CLOSED_STATES))
                                   .order_by(Submission.submitted_at, Submission.id)))
    if waiting and not active_assessors(session):
        raise HubError(409, "no_assessors", "There is no active assessor to assign to.")
    for submission in waiting:
        assign(session, submission, next_assessor(session))
    return waiting
