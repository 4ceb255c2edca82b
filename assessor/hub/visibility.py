"""Which submissions a desktop user may see: the role filters of every sync endpoint.

- an assessor sees the submissions assigned to them;
- a mentor sees the submissions of the learners they mentor;
- a moderator sees the submissions sampled for moderation.

Learners and admins do not use the sync API (admins have the admin API): 403. A
submission outside a caller's view is answered as if it did not exist (404), so its
existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select, true
from sqlalchemy.orm import Session

from assessor.hub.context import Caller, require_role
from assessor.hub.errors import not_found
from assessor.hub.models import Feedback, MentorLink, Submission

SYNC_ROLES = ("assessor", "mentor", "moderator")


def require_sync_role(caller: Caller) -> None:
    """403 unless the caller is a desktop user (assessor, mentor or moderator)."""
    require_role(caller, *SYNC_ROLES)


def visible_to(caller: Caller) -> ColumnElement[bool]:
    """A WHERE clause over ``Submission`` selecting what ``caller`` may see."""
    if caller.role == "assessor":
        return Submission.assessor_id == caller.user_id
    if caller.role == "mentor":
        return Submission.learner_id.in_(
            select(MentorLink.learner_id).where(MentorLink.mentor_id == caller.user_id))
    if caller.role == "moderator":
        return Submission.sampled == true()
    return Submission.id.is_(None)  # nothing (callers are checked before this)


def can_see(session: Session, caller: Caller, submission_id: str) -> bool:
    return bool(session.scalar(select(exists().where(Submission.id == submission_id,
                                                     visible_to(caller)))))


def visible_submission(session: Session, caller: Caller, submission_id: str) -> Submission:
    """The submission if ``caller`` may see it; otherwise 404, as for an unknown id."""
    submission = session.get(Submission, submission_id)
    if submission is None or not can_see(session, caller, submission_id):
        raise not_found(f"There is no submission {submission_id!r} you can see.")
    return submission


def feedback_visible_to(caller: Caller) -> ColumnElement[bool]:
    """Assessors and moderators read every note; a mentor reads the notes meant for the
    learner and their own internal ones."""
    if caller.role == "mentor":
        return (Feedback.visibility == "learner") | (Feedback.author_id == caller.user_id)
    return true()
