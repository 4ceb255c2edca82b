"""The life of a submission as explicit transitions.

Each function takes the facts it needs, checks who is acting and from which state, and
returns the next state or raises ``WorkflowError`` with a message that says what is wrong
and what to do. The store calls these inside the transaction that writes the change and
its audit event; nothing else changes a state.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from assessor.domain.feedback import Outcome
from assessor.domain.people import Actor, Role
from assessor.domain.rubric import MasteryOutcome
from assessor.domain.states import State
from assessor.errors import WorkflowError


class Action(StrEnum):
    """What an audit event records; one per transition or change."""

    RECEIVE = "receive"
    OPEN = "open"
    JUDGE = "judge"
    FEEDBACK = "feedback"
    APPROVE = "approve"
    REQUEST_RESUBMISSION = "request_resubmission"
    SECOND_MARK = "second_mark"
    """A moderator's blind second mark of one criterion."""
    MODERATION_AGREE = "moderation_agree"
    MODERATION_RETURN = "moderation_return"
    SIGN = "sign"
    PUBLISH = "publish"
    ENDORSE = "endorse"
    HUB_UPDATE = "hub_update"
    """Sync brought the hub's newer copy (another person's change) into the local store."""
    HUB_REMOVE = "hub_remove"
    """The hub took the submission out of this user's view (reassigned)."""
    RESOLVE = "resolve_conflict"


_JUDGING_STATES = (State.PENDING, State.IN_REVIEW)


def _require_role(actor: Actor, allowed: Iterable[Role], doing: str) -> None:
    allowed = tuple(allowed)
    if actor.role not in allowed:
        names = " or ".join(_article(r) for r in allowed)
        raise WorkflowError(f"{actor.name} is {_article(actor.role)}; only {names} can {doing}.")


def _article(role: Role) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


def _require_assigned(actor: Actor, assigned_to: str | None, doing: str) -> None:
    if assigned_to != actor.user_id:
        raise WorkflowError(
            f"This submission is not assigned to {actor.name}, so they cannot {doing} it."
        )


def receive(actor: Actor) -> State:
    """A submission arrives from the hub (or the demo organisation)."""
    _require_role(actor, (Role.SYSTEM, Role.ADMIN), "bring in submissions")
    return State.PENDING


def open_review(state: State, assigned_to: str | None, actor: Actor) -> State:
    _require_role(actor, (Role.ASSESSOR,), "open a review")
    _require_assigned(actor, assigned_to, "review")
    if state is not State.PENDING:
        raise WorkflowError(
            f"Only a pending submission can be opened for review; it is {state.label.lower()}."
        )
    return State.IN_REVIEW


def check_judge(state: State, assigned_to: str | None, actor: Actor) -> None:
    """Judging is for the assigned assessor, before a decision is made."""
    _require_role(actor, (Role.ASSESSOR,), "judge criteria")
    _require_assigned(actor, assigned_to, "judge")
    if state not in _JUDGING_STATES:
        raise WorkflowError(
            f"The submission is {state.label.lower()}: judgments are locked once a decision "
            "is made."
        )


def check_feedback(actor: Actor) -> None:
    _require_role(actor, (Role.ASSESSOR, Role.MENTOR, Role.MODERATOR), "leave feedback")


def decide(
    state: State,
    assigned_to: str | None,
    actor: Actor,
    outcome: Outcome,
    mastery: MasteryOutcome,
    criteria_with_learner_feedback: Iterable[str],
    needs_moderation: bool,
) -> State:
    """Approve or request resubmission; returns the state the decision leads to."""
    if outcome.by_moderator:
        raise WorkflowError("A moderator's agreement or return is made through moderation, "
                            "not as an assessor's decision.")
    _require_role(actor, (Role.ASSESSOR,), "decide")
    _require_assigned(actor, assigned_to, "decide on")
    if state is not State.IN_REVIEW:
        raise WorkflowError(
            f"Only a submission in review can be decided; it is {state.label.lower()}."
        )
    if mastery.unjudged:
        raise WorkflowError(
            "Judge every criterion before deciding. Not yet judged: "
            + ", ".join(mastery.unjudged) + "."
        )
    if outcome is Outcome.APPROVE:
        if not mastery.mastered:
            reasons = []
            if mastery.unmet_required:
                reasons.append("required criteria below their pass level: "
                               + ", ".join(mastery.unmet_required))
            if mastery.below_cut:
                reasons.append(f"total {mastery.total:g} is below the cut score "
                               f"{mastery.cut_score:g}")
            raise WorkflowError("Cannot approve: " + "; ".join(reasons) + ".")
        return State.AWAITING_MODERATION if needs_moderation else State.APPROVED
    covered = set(criteria_with_learner_feedback)
    missing = [key for key in mastery.unmet_required if key not in covered]
    if missing:
        raise WorkflowError(
            "A resubmission request needs feedback to the learner on every unmet criterion. "
            "Missing for: " + ", ".join(missing) + "."
        )
    return State.RESUBMISSION_REQUESTED


def moderate(state: State, assigned_to: str | None, actor: Actor, agree: bool) -> State:
    _require_role(actor, (Role.MODERATOR,), "moderate decisions")
    if actor.user_id == assigned_to:
        raise WorkflowError("An assessor cannot moderate their own decision.")
    if state is not State.AWAITING_MODERATION:
        raise WorkflowError(
            f"Only a decision awaiting moderation can be moderated; it is {state.label.lower()}."
        )
    return State.APPROVED if agree else State.IN_REVIEW


def check_second_mark(state: State, assigned_to: str | None, actor: Actor) -> None:
    """Blind second marking is for a moderator, on someone else's decision awaiting
    moderation."""
    _require_role(actor, (Role.MODERATOR,), "second-mark decisions")
    if actor.user_id == assigned_to:
        raise WorkflowError("An assessor cannot second-mark their own decision.")
    if state is not State.AWAITING_MODERATION:
        raise WorkflowError(
            f"Only a decision awaiting moderation is second-marked; it is "
            f"{state.label.lower()}.")


def sign(state: State, assigned_to: str | None, actor: Actor) -> State:
    _require_role(actor, (Role.ASSESSOR,), "sign credentials")
    _require_assigned(actor, assigned_to, "sign")
    if state is State.AWAITING_MODERATION:
        raise WorkflowError("Signing waits for the moderator to agree with the decision.")
    if state is not State.APPROVED:
        raise WorkflowError(
            f"Only an approved submission can be signed; this one is {state.label.lower()}."
        )
    return State.SIGNED


def endorse(state: State, actor: Actor, note_author: str, note_visibility: str) -> None:
    """A mentor endorses a learner's issued achievement with one of their own notes."""
    _require_role(actor, (Role.MENTOR,), "endorse achievements")
    if state not in (State.SIGNED, State.PUBLISHED):
        raise WorkflowError(
            "Only an issued achievement can be endorsed; this submission is "
            f"{state.label.lower()}."
        )
    if note_author != actor.user_id:
        raise WorkflowError("An endorsement is made from your own feedback, not another's.")
    if note_visibility != "learner":
        raise WorkflowError("Internal notes stay internal: endorse with feedback the learner "
                            "can see.")


def publish(state: State, actor: Actor) -> State:
    _require_role(actor, (Role.SYSTEM, Role.ADMIN), "record publication")
    if state is not State.SIGNED:
        raise WorkflowError(
            f"Only a signed credential can be published; this one is {state.label.lower()}."
        )
    return State.PUBLISHED
