"""Which decisions go to a moderator: the organisation's sampling rule, shared by the hub
(which routes decisions) and the desktop (which must know before it decides, so an
approval that waits for moderation is never signed offline).

A decision to approve is moderated when

- the submission was sampled before (a returned decision goes back to the moderator), or
- its assessor has made fewer than ``first_n`` approvals so far (a new assessor's first
  decisions are always moderated), or
- the submission falls in the organisation's sample at ``rate``: a draw from a hash of the
  submission id, so the same submission is always in the sample, or never, at one rate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

DEFAULT_FIRST_N = 5
"""An organisation's default: every assessor's first five approvals are moderated."""


def sampled_at_rate(rate: float, submission_id: str) -> bool:
    """The deterministic draw: True for about ``rate`` of all submission ids."""
    if rate <= 0:
        return False
    if rate >= 1:
        return True
    digest = hashlib.sha256(f"moderation-sample\n{submission_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


@dataclass(frozen=True)
class ModerationPolicy:
    """The organisation's rule, as the hub sends it to a desktop with every page."""

    rate: float = 0.0
    first_n: int = 0
    approvals: int = 0
    """How many approvals the assessor (the caller) has made so far."""

    def needs_moderation(self, submission_id: str, *, sampled_before: bool = False,
                         approvals: int | None = None) -> bool:
        made = self.approvals if approvals is None else approvals
        return sampled_before or made < self.first_n or sampled_at_rate(self.rate,
                                                                        submission_id)

    def describe(self) -> str:
        parts = []
        if self.first_n:
            parts.append(f"every assessor's first {self.first_n} approvals")
        if self.rate:
            parts.append(f"{self.rate:.0%} of the rest, drawn per submission")
        return "Moderated: " + " and ".join(parts) if parts else "No moderation sampling"
