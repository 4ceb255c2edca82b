"""The workflow's transitions refuse illegal moves with messages a person can act on."""

from __future__ import annotations

import pytest

from assessor.demo import CARE_RUBRIC
from assessor.domain import workflow
from assessor.domain.feedback import Outcome
from assessor.domain.people import SYSTEM_ACTOR
from assessor.domain.states import State
from assessor.errors import WorkflowError
from tests.core.helpers import ASSESSOR, MENTOR, MODERATOR, OTHER_ASSESSOR

ME = ASSESSOR.user_id
MET = CARE_RUBRIC.evaluate({"listening": "proficient", "resolution": "exemplary"})
UNMET = CARE_RUBRIC.evaluate({"listening": "developing", "resolution": "exemplary"})
PARTIAL = CARE_RUBRIC.evaluate({"listening": "proficient"})


def test_the_happy_path_through_every_state() -> None:
    state = workflow.receive(SYSTEM_ACTOR)
    state = workflow.open_review(state, ME, ASSESSOR)
    workflow.check_judge(state, ME, ASSESSOR)
    state = workflow.decide(state, ME, ASSESSOR, Outcome.APPROVE, MET, (), needs_moderation=True)
    assert state is State.AWAITING_MODERATION
    state = workflow.moderate(state, ME, MODERATOR, agree=True)
    state = workflow.sign(state, ME, ASSESSOR)
    assert workflow.publish(state, SYSTEM_ACTOR) is State.PUBLISHED


@pytest.mark.parametrize("outcome", [Outcome.MODERATION_AGREE, Outcome.MODERATION_RETURN])
def test_a_moderation_outcome_is_never_an_assessors_decision(outcome: Outcome) -> None:
    for actor in (ASSESSOR, MODERATOR):
        with pytest.raises(WorkflowError, match="through moderation"):
            workflow.decide(State.IN_REVIEW, ME, actor, outcome, MET, (), False)


def test_deciding_before_every_criterion_is_judged_is_refused() -> None:
    with pytest.raises(WorkflowError, match="Judge every criterion before deciding.*resolution"):
        workflow.decide(State.IN_REVIEW, ME, ASSESSOR, Outcome.APPROVE, PARTIAL, (), False)


def test_approving_without_mastery_names_the_unmet_criteria() -> None:
    with pytest.raises(WorkflowError, match="Cannot approve: required criteria below their "
                       "pass level: listening"):
        workflow.decide(State.IN_REVIEW, ME, ASSESSOR, Outcome.APPROVE, UNMET, (), False)


def test_resubmission_needs_learner_feedback_on_each_unmet_criterion() -> None:
    with pytest.raises(WorkflowError, match="Missing for: listening"):
        workflow.decide(State.IN_REVIEW, ME, ASSESSOR, Outcome.RESUBMIT, UNMET, (), False)
    state = workflow.decide(State.IN_REVIEW, ME, ASSESSOR, Outcome.RESUBMIT, UNMET,
                            {"listening"}, False)
    assert state is State.RESUBMISSION_REQUESTED


@pytest.mark.parametrize("state", [s for s in State if s is not State.APPROVED])
def test_signing_anything_but_an_approved_submission_is_refused(state: State) -> None:
    with pytest.raises(WorkflowError):
        workflow.sign(state, ME, ASSESSOR)


def test_signing_waits_for_moderation() -> None:
    with pytest.raises(WorkflowError, match="waits for the moderator"):
        workflow.sign(State.AWAITING_MODERATION, ME, ASSESSOR)


def test_a_mentor_cannot_judge_decide_or_sign() -> None:
    with pytest.raises(WorkflowError, match="Mere Mentor is a mentor; only an assessor can "
                       "judge criteria"):
        workflow.check_judge(State.IN_REVIEW, ME, MENTOR)
    with pytest.raises(WorkflowError, match="only an assessor can decide"):
        workflow.decide(State.IN_REVIEW, ME, MENTOR, Outcome.APPROVE, MET, (), False)
    with pytest.raises(WorkflowError, match="only an assessor can sign"):
        workflow.sign(State.APPROVED, ME, MENTOR)
    workflow.check_feedback(MENTOR)  # feedback is what mentors do


def test_a_moderator_cannot_sign_on_the_assessors_behalf() -> None:
    with pytest.raises(WorkflowError, match="only an assessor can sign"):
        workflow.sign(State.APPROVED, ME, MODERATOR)


def test_only_the_assigned_assessor_judges_and_signs() -> None:
    with pytest.raises(WorkflowError, match="not assigned to Omar Other"):
        workflow.check_judge(State.IN_REVIEW, ME, OTHER_ASSESSOR)
    with pytest.raises(WorkflowError, match="not assigned"):
        workflow.sign(State.APPROVED, ME, OTHER_ASSESSOR)


def test_judgments_lock_once_decided() -> None:
    with pytest.raises(WorkflowError, match="locked once a decision is made"):
        workflow.check_judge(State.APPROVED, ME, ASSESSOR)


def test_moderation_rules() -> None:
    with pytest.raises(WorkflowError, match="cannot moderate their own"):
        workflow.moderate(State.AWAITING_MODERATION, MODERATOR.user_id, MODERATOR, True)
    with pytest.raises(WorkflowError, match="awaiting moderation"):
        workflow.moderate(State.APPROVED, ME, MODERATOR, True)
    assert workflow.moderate(State.AWAITING_MODERATION, ME, MODERATOR, False) is State.IN_REVIEW


def test_only_signed_credentials_are_published_and_only_by_the_system() -> None:
    with pytest.raises(WorkflowError, match="Only a signed credential"):
        workflow.publish(State.APPROVED, SYSTEM_ACTOR)
    with pytest.raises(WorkflowError, match="record publication"):
        workflow.publish(State.SIGNED, ASSESSOR)
