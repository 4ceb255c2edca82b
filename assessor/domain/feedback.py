"""Threaded feedback notes and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from assessor.domain.people import Role


class Visibility(StrEnum):
    INTERNAL = "internal"
    LEARNER = "learner"


@dataclass(frozen=True)
class FeedbackNote:
    id: str
    submission_id: str
    author: str
    role: Role
    visibility: Visibility
    body: str
    at: datetime
    criterion_key: str | None = None
    parent_id: str | None = None
    """The note this one answers; ``None`` starts a thread."""


class Outcome(StrEnum):
    """What a decision said: an assessor's approval or resubmission request, or a
    moderator's agreement with (or return of) a sampled approval."""

    APPROVE = "approve"
    RESUBMIT = "resubmit"
    MODERATION_AGREE = "moderation_agree"
    MODERATION_RETURN = "moderation_return"

    @property
    def by_moderator(self) -> bool:
        return self in (Outcome.MODERATION_AGREE, Outcome.MODERATION_RETURN)

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.APPROVE: "Approved",
    Outcome.RESUBMIT: "Resubmission requested",
    Outcome.MODERATION_AGREE: "Moderator agreed",
    Outcome.MODERATION_RETURN: "Returned by the moderator",
}


@dataclass(frozen=True)
class Decision:
    id: str
    submission_id: str
    outcome: Outcome
    author: str
    at: datetime
    total: float
    mastered: bool
    note: str = ""
