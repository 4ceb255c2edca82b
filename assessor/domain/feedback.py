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
    APPROVE = "approve"
    RESUBMIT = "resubmit"


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
