"""The shape of what the sync API sends, for its OpenAPI document (and for tests, which
check real answers against it). The endpoints build plain dicts for speed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Person(BaseModel):
    id: str
    display_name: str
    role: str


class LearnerOut(BaseModel):
    id: str
    display_name: str
    email: str


class TemplateRef(BaseModel):
    id: str
    version: int


class EvidenceOut(BaseModel):
    id: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    """Fetch the bytes at ``/api/v1/evidence/{sha256}``; accept them only if they hash to it."""
    description: str


class JudgmentOut(BaseModel):
    criterion: str
    level: str | None
    comment: str
    pins: list[dict[str, Any]]
    author: Person | None
    judged_at: str | None
    revision: int


class FeedbackOut(BaseModel):
    id: str
    criterion: str | None
    parent_id: str | None
    author: Person | None
    visibility: str
    """``internal`` (assessors, moderators, and a mentor's own notes) or ``learner``."""
    body: str
    created_at: str | None


class DecisionOut(BaseModel):
    id: str
    outcome: str
    """``approve``, ``resubmit``, ``moderation_agree`` or ``moderation_return``."""
    note: str
    author: Person | None
    decided_at: str | None


class SecondMarkOut(BaseModel):
    """One of the caller's own blind second marks (moderators only)."""

    criterion: str
    moderator_id: str
    level: str | None
    comment: str
    marked_at: str | None
    revision: int


class ModerationPolicyOut(BaseModel):
    """The organisation's sampling rule: an approval waits for a moderator when its
    assessor has made fewer than `first_n` approvals, when the submission was sampled
    before, or when the per-submission draw (sha256 of `moderation-sample\n` + id, first
    8 bytes as a fraction of 2^64) is below `rate`."""

    rate: float
    first_n: int
    approvals: int
    """The caller's approvals so far (0 for mentors and moderators)."""


class SubmissionOut(BaseModel):
    id: str
    learner: LearnerOut
    template: TemplateRef
    attempt: int
    previous_id: str | None
    narrative: str
    submitted_at: str | None
    due_at: str | None
    assessor: Person | None
    state: str
    revision: int
    """Base pushes on this revision."""
    status_index: int
    sampled: bool
    change_seq: int
    evidence: list[EvidenceOut]
    judgments: list[JudgmentOut]
    feedback: list[FeedbackOut]
    """Only the notes this caller may read."""
    decisions: list[DecisionOut]
    second_marks: list[SecondMarkOut]
    """The caller's own second marks (a moderator's; empty for everyone else)."""


class TemplateVersionOut(BaseModel):
    id: str
    version: int
    achievement: dict[str, Any]
    rubric: dict[str, Any]
    validity_days: int | None
    published_at: str | None


class ChangesPage(BaseModel):
    """Apply ``removed`` first, then ``submissions``; then store ``next_cursor``. Ask again
    while ``more`` is true."""

    submissions: list[SubmissionOut]
    removed: list[str]
    """Submissions that left the caller's view (reassigned to someone else): drop them."""
    templates: list[TemplateVersionOut]
    """Each template version the page's submissions use, once."""
    next_cursor: int
    more: bool
    moderation: ModerationPolicyOut
