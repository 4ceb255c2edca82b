"""Everything the review screen shows about one submission, read in one go."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assessor.domain.feedback import Decision, FeedbackNote
from assessor.domain.judgment import Judgment
from assessor.domain.people import Actor, Role
from assessor.domain.rubric import MasteryOutcome, Rubric
from assessor.domain.states import State
from assessor.domain.submission import Submission
from assessor.domain.template import CredentialTemplate
from assessor.domain.workflow import check_judge
from assessor.errors import WorkflowError


@dataclass(frozen=True)
class ReviewSnapshot:
    submission: Submission
    template: CredentialTemplate
    rubric: Rubric
    judgments: Mapping[str, Judgment]
    feedback: tuple[FeedbackNote, ...]
    decisions: tuple[Decision, ...]
    people: Mapping[str, str] = field(default_factory=dict)
    """The names of the authors of the judgments, notes and decisions, by user id, as far
    as the hub named them (``person_label`` shows the rest)."""

    @property
    def mastery(self) -> MasteryOutcome:
        return self.rubric.evaluate({k: j.level_key for k, j in self.judgments.items()})

    def why_locked(self, actor: Actor) -> str:
        """Why ``actor`` cannot judge this submission, or "" if they can."""
        if actor.role is Role.MENTOR:
            return "Mentors read submissions and leave feedback; judging is for the assessor."
        try:
            check_judge(self.submission.state, self.submission.assigned_to, actor)
        except WorkflowError as exc:
            return str(exc)
        return ""

    @property
    def decided(self) -> bool:
        return self.submission.state not in (State.PENDING, State.IN_REVIEW)
