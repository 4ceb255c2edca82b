"""The states a submission moves through, on their own so that the queue (read before the
first window is painted) needs nothing else from the domain."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a submission stands in its life (DESIGN.md, "Life of a submission")."""

    PENDING = "pending"
    IN_REVIEW = "in_review"
    AWAITING_MODERATION = "awaiting_moderation"
    APPROVED = "approved"
    RESUBMISSION_REQUESTED = "resubmission_requested"
    SIGNED = "signed"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    State.PENDING: "Pending",
    State.IN_REVIEW: "In review",
    State.AWAITING_MODERATION: "Awaiting moderation",
    State.APPROVED: "Approved",
    State.RESUBMISSION_REQUESTED: "Resubmission requested",
    State.SIGNED: "Signed",
    State.PUBLISHED: "Published",
}
