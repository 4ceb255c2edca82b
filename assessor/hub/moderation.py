"""The hub's side of moderation: which decisions are routed to a moderator, the rule a
desktop is told about, and the second marks a moderator may read.

The rule itself (``assessor.domain.moderation_sampling``) is shared with the desktop, which
applies it before deciding; the hub applies it again when the decision arrives and also
honours a desktop that asked for moderation, so both always agree on the state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessor.domain.moderation_sampling import ModerationPolicy
from assessor.hub.context import Caller
from assessor.hub.models import Decision, Organisation, SecondMark, Submission


def approvals_by(session: Session, assessor_id: str | None) -> int:
    """How many approvals ``assessor_id`` has made on this hub (ever, any submission)."""
    if assessor_id is None:
        return 0
    return session.scalar(select(func.count()).select_from(Decision).where(
        Decision.author_id == assessor_id, Decision.outcome == "approve")) or 0


def policy_for(session: Session, org: Organisation, user_id: str | None) -> ModerationPolicy:
    return ModerationPolicy(rate=org.moderation_rate, first_n=org.moderation_first_n,
                            approvals=approvals_by(session, user_id))


def routes_to_moderation(session: Session, org: Organisation, submission: Submission,
                         *, desktop_asked: bool | None) -> bool:
    """Whether an approval of ``submission`` (by its assessor) waits for a moderator."""
    policy = policy_for(session, org, submission.assessor_id)
    return bool(desktop_asked) or policy.needs_moderation(submission.id,
                                                          sampled_before=submission.sampled)


def policy_json(session: Session, caller: Caller) -> dict[str, Any]:
    """The rule as a changes page carries it (``approvals`` are the caller's own)."""
    org = session.get(Organisation, 1)
    if org is None:
        return {"rate": 0.0, "first_n": 0, "approvals": 0}
    policy = policy_for(session, org, caller.user_id if caller.role == "assessor" else None)
    return {"rate": policy.rate, "first_n": policy.first_n, "approvals": policy.approvals}


def second_marks_for(session: Session, caller: Caller,
                     ids: list[str]) -> dict[str, list[SecondMark]]:
    """The caller's own second marks on these submissions (marking is blind: a moderator
    never reads another moderator's marks, and assessors and mentors read none)."""
    found: dict[str, list[SecondMark]] = {i: [] for i in ids}
    if caller.role != "moderator" or not ids:
        return found
    for mark in session.scalars(select(SecondMark).where(
            SecondMark.submission_id.in_(ids), SecondMark.moderator_id == caller.user_id)
            .order_by(SecondMark.criterion_key)):
        found[mark.submission_id].append(mark)
    return found
