"""Applying what desktops push: idempotent, revision-checked, one transaction each.

The order of checks, so a push is answered the same way every time and nothing is
half-written:

1. a receipt for this ``client_id`` answers a replay with the stored answer (another body
   or another user under the same id is refused, 409 ``client_id_reused``);
2. the submission must be one the caller can see (else 404, as for an unknown id), and
   the caller's role must be allowed this kind of push (else 403);
3. ``base_revision`` must be the submission's revision (else 409 ``stale_revision`` with
   the hub's copy of the submission);
4. the payload is checked against the submission's rubric version, evidence and state
   (422 with what is wrong);
5. the revision is claimed with a compare-and-set update (two pushes racing on one
   revision: one wins, the other gets the 409), the change is applied and numbered
   (``record_change``) and the receipt stored.

Every step before 5 only reads.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessor.domain import workflow
from assessor.domain.feedback import Outcome
from assessor.domain.people import Actor, Role
from assessor.domain.rubric import Rubric
from assessor.domain.states import State
from assessor.errors import UserFacingError
from assessor.hub.changes import record_change
from assessor.hub.context import Caller
from assessor.hub.errors import HubError, forbidden
from assessor.hub.models import (
    Decision,
    Evidence,
    Feedback,
    Judgment,
    PushReceipt,
    SecondMark,
    Submission,
    TemplateVersion,
    utcnow,
)
from assessor.hub.moderation import routes_to_moderation
from assessor.hub.organisation import get_organisation
from assessor.hub.push_models import (
    DecisionPayload,
    DecisionPush,
    FeedbackPayload,
    FeedbackPush,
    JudgmentPayload,
    JudgmentPush,
    ModerationPayload,
    ModerationPush,
    PushAnswer,
    SecondMarkPayload,
    SecondMarkPush,
)
from assessor.hub.sync_feed import render_submissions
from assessor.hub.visibility import require_sync_role, visible_submission
from assessor.store.convert import criteria_from_json

AnyPush = JudgmentPush | FeedbackPush | DecisionPush | ModerationPush | SecondMarkPush

ROLES_FOR_KIND: dict[str, tuple[str, ...]] = {
    "judgment": ("assessor",),
    "decision": ("assessor",),
    "feedback": ("assessor", "mentor", "moderator"),
    "moderation": ("moderator",),
    "second_mark": ("moderator",),
}


RETURN_NOTE_PREFIX = "moderation-return-"
"""The id prefix of the note that carries a moderator's return comment to the assessor."""


def invalid(code: str, message: str) -> HubError:
    return HubError(422, code, message)


def push_digest(push: AnyPush) -> str:
    """The digest of a push as sent (canonical JSON), kept with its receipt."""
    canonical = json.dumps(push.model_dump(mode="json"), sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- receipts and revisions (shared by every kind of push) -----------------------------------

def stored_answer(session: Session, caller: Caller, client_id: str,
                  digest: str) -> dict[str, Any] | None:
    """The answer already given to this push, or ``None`` if it is new."""
    receipt = session.get(PushReceipt, client_id)
    if receipt is None:
        return None
    if receipt.user_id != caller.user_id or receipt.request_sha256 != digest:
        raise HubError(409, "client_id_reused",
                       f"The client id {client_id!r} was already used for a different push; "
                       "every new change needs a new client id.")
    return dict(receipt.response)


def server_copy(session: Session, caller: Caller, submission: Submission) -> dict[str, Any]:
    return render_submissions(session, caller, [submission])[0]


def stale(session: Session, caller: Caller, submission: Submission,
          base_revision: int) -> HubError:
    return HubError(409, "stale_revision",
                    f"The submission changed on the hub: it is at revision "
                    f"{submission.revision}, and this change was made on revision "
                    f"{base_revision}. Nothing was written; the hub's copy is included.",
                    {"current_revision": submission.revision,
                     "submission": server_copy(session, caller, submission)})


def claim_revision(session: Session, caller: Caller, submission: Submission,
                   base_revision: int, client_id: str, digest: str) -> dict[str, Any] | None:
    """Move the submission from ``base_revision`` to the next one (compare-and-set).

    Returns ``None`` when claimed; the stored answer when a concurrent copy of this very
    push won the race; raises the 409 when another change did.
    """
    result = session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.revision == base_revision)
        .values(revision=base_revision + 1)
        .execution_options(synchronize_session=False))
    if getattr(result, "rowcount", 0) == 1:
        submission.revision = base_revision + 1
        return None
    answer = stored_answer(session, caller, client_id, digest)
    if answer is not None:
        return answer
    session.refresh(submission)
    raise stale(session, caller, submission, base_revision)


def finish(session: Session, caller: Caller, submission: Submission, kind: str,
           client_id: str, digest: str) -> dict[str, Any]:
    """Number the change, keep the receipt, and return the answer."""
    seq = record_change(session, submission, kind)
    answer = PushAnswer(client_id=client_id, kind=kind, submission_id=submission.id,
                        revision=submission.revision, state=submission.state,
                        change_seq=seq).model_dump()
    session.add(PushReceipt(client_id=client_id, user_id=caller.user_id, kind=kind,
                            request_sha256=digest, response=answer))
    session.flush()
    return answer


# -- the kinds ---------------------------------------------------------------------------------

def _actor(caller: Caller) -> Actor:
    return Actor(caller.user_id, caller.display_name, Role(caller.role))


def _state(submission: Submission) -> State:
    try:
        return State(submission.state)
    except ValueError:
        raise invalid("refused_by_workflow",
                      f"The submission is in state {submission.state!r}, which takes no "
                      "pushes.") from None


def _rubric(session: Session, submission: Submission) -> tuple[Rubric, dict[str, Any]]:
    template = session.get(TemplateVersion, (submission.template_id, submission.template_version))
    if template is None:
        raise invalid("unknown_template", "The submission's template version is missing.")
    data = template.rubric
    rubric = Rubric(key=str(data.get("key", submission.template_id)),
                    version=int(data.get("version", submission.template_version)),
                    title=str(data.get("title", "")),
                    criteria=criteria_from_json(data["criteria"]),
                    cut_score=float(data.get("cut_score", 0.0)))
    return rubric, data


def _workflow(check: Callable[[], Any]) -> Any:
    try:
        return check()
    except UserFacingError as exc:
        raise invalid("refused_by_workflow", str(exc)) from None


def _check_criterion(rubric: Rubric, key: str | None) -> None:
    if key is not None and key not in {c.key for c in rubric.criteria}:
        raise invalid("unknown_criterion",
                      f"The rubric (version {rubric.version}) of this submission has no "
                      f"criterion {key!r}; its criteria are "
                      f"{', '.join(c.key for c in rubric.criteria)}.")


def _judgment(session: Session, caller: Caller, submission: Submission,
              payload: JudgmentPayload) -> Callable[[], None]:
    rubric, _ = _rubric(session, submission)
    _check_criterion(rubric, payload.criterion)
    criterion = rubric.criterion(payload.criterion)
    levels = [lv.key for lv in criterion.levels]
    if payload.level is not None and payload.level not in levels:
        raise invalid("unknown_level", f"Criterion {payload.criterion!r} has no level "
                      f"{payload.level!r}; its levels are {', '.join(levels)}.")
    evidence_ids = set(session.scalars(select(Evidence.id).where(
        Evidence.submission_id == submission.id)))
    for pin in payload.pins:
        if pin.evidence not in evidence_ids:
            raise invalid("unknown_evidence", f"A pin points at evidence {pin.evidence!r}, "
                          "which this submission does not hold.")
    state = _state(submission)
    _workflow(lambda: workflow.check_judge(state, submission.assessor_id, _actor(caller)))

    def apply() -> None:
        pins = [p.model_dump(exclude_none=True) for p in payload.pins]
        row = session.get(Judgment, (submission.id, payload.criterion))
        if row is None:
            session.add(Judgment(submission_id=submission.id, criterion_key=payload.criterion,
                                 level_key=payload.level, comment=payload.comment, pins=pins,
                                 author_id=caller.user_id, judged_at=utcnow(), revision=1))
        else:
            row.level_key, row.comment, row.pins = payload.level, payload.comment, pins
            row.author_id, row.judged_at, row.revision = caller.user_id, utcnow(), row.revision + 1
        if state is State.PENDING:
            submission.state = State.IN_REVIEW.value
    return apply


def _feedback(session: Session, caller: Caller, submission: Submission,
              payload: FeedbackPayload) -> Callable[[], None]:
    rubric, _ = _rubric(session, submission)
    _check_criterion(rubric, payload.criterion)
    if session.get(Feedback, payload.id) is not None:
        raise HubError(409, "duplicate_id", f"There is already a note {payload.id!r}; a new "
                       "note needs a new id.")
    if payload.parent is not None:
        parent = session.get(Feedback, payload.parent)
        hidden = parent is not None and caller.role == "mentor" \
            and parent.visibility != "learner" and parent.author_id != caller.user_id
        if parent is None or parent.submission_id != submission.id or hidden:
            raise invalid("unknown_parent", f"There is no note {payload.parent!r} on this "
                          "submission to answer.")
    _workflow(lambda: workflow.check_feedback(_actor(caller)))

    def apply() -> None:
        session.add(Feedback(id=payload.id, submission_id=submission.id,
                             criterion_key=payload.criterion, parent_id=payload.parent,
                             author_id=caller.user_id, visibility=payload.visibility,
                             body=payload.body, created_at=utcnow()))
    return apply


def _decision(session: Session, caller: Caller, submission: Submission,
              payload: DecisionPayload) -> Callable[[], None]:
    rubric, _ = _rubric(session, submission)
    if session.get(Decision, payload.id) is not None:
        raise HubError(409, "duplicate_id", f"There is already a decision {payload.id!r}.")
    chosen = {j.criterion_key: j.level_key for j in session.scalars(
        select(Judgment).where(Judgment.submission_id == submission.id))}
    chosen = {k: v for k, v in chosen.items() if k in {c.key for c in rubric.criteria}}
    mastery = rubric.evaluate(chosen)
    covered = set(session.scalars(select(Feedback.criterion_key).where(
        Feedback.submission_id == submission.id, Feedback.visibility == "learner",
        Feedback.criterion_key.is_not(None))))
    moderate = payload.outcome == "approve" and routes_to_moderation(
        session, get_organisation(session), submission, desktop_asked=payload.moderation)
    state = _state(submission)
    target: State = _workflow(lambda: workflow.decide(
        state, submission.assessor_id, _actor(caller), Outcome(payload.outcome), mastery,
        (c for c in covered if c), moderate))

    def apply() -> None:
        session.add(Decision(id=payload.id, submission_id=submission.id,
                             outcome=payload.outcome, note=payload.note,
                             author_id=caller.user_id, decided_at=utcnow()))
        submission.state = target.value
        if target is State.AWAITING_MODERATION:
            submission.sampled = True
    return apply


def _moderation(session: Session, caller: Caller, submission: Submission,
                payload: ModerationPayload) -> Callable[[], None]:
    if not payload.agree and not payload.note.strip():
        raise invalid("note_required", "Returning a decision needs a note for the assessor.")
    state = _state(submission)
    target: State = _workflow(lambda: workflow.moderate(
        state, submission.assessor_id, _actor(caller), payload.agree))
    _check_second_marked(session, caller, submission)
    if payload.id is not None and session.get(Decision, payload.id) is not None:
        raise invalid("duplicate_id", f"A decision with id {payload.id!r} already exists.")

    def apply() -> None:
        now = utcnow()
        session.add(Decision(id=payload.id or str(uuid.uuid4()), submission_id=submission.id,
                             outcome="moderation_agree" if payload.agree
                             else "moderation_return",
                             note=payload.note, author_id=caller.user_id, decided_at=now))
        if not payload.agree:
            # The assessor reads the moderator's comment with the submission's notes.
            session.add(Feedback(id=f"{RETURN_NOTE_PREFIX}{uuid.uuid4().hex}",
                                 submission_id=submission.id, criterion_key=None,
                                 parent_id=None, author_id=caller.user_id,
                                 visibility="internal", body=payload.note, created_at=now))
        submission.state = target.value
    return apply


def _check_second_marked(session: Session, caller: Caller, submission: Submission) -> None:
    """A moderator agrees or returns only after second-marking every criterion blind."""
    rubric, _ = _rubric(session, submission)
    marked = set(session.scalars(select(SecondMark.criterion_key).where(
        SecondMark.submission_id == submission.id, SecondMark.moderator_id == caller.user_id,
        SecondMark.level_key.is_not(None))))
    missing = [c.title for c in rubric.criteria if c.key not in marked]
    if missing:
        raise invalid("second_marks_missing",
                      "Second-mark every criterion before agreeing or returning. Not yet "
                      "marked: " + ", ".join(missing) + ".")


def _second_mark(session: Session, caller: Caller, submission: Submission,
                 payload: SecondMarkPayload) -> Callable[[], None]:
    rubric, _ = _rubric(session, submission)
    _check_criterion(rubric, payload.criterion)
    levels = [lv.key for lv in rubric.criterion(payload.criterion).levels]
    if payload.level not in levels:
        raise invalid("unknown_level", f"Criterion {payload.criterion!r} has no level "
                      f"{payload.level!r}; its levels are {', '.join(levels)}.")
    if submission.assessor_id == caller.user_id:
        raise forbidden("A moderator never second-marks their own decision.")
    state = _state(submission)
    if state is not State.AWAITING_MODERATION:
        raise invalid("refused_by_workflow",
                      "Only a decision awaiting moderation is second-marked; this submission "
                      f"is {state.label.lower()}.")

    def apply() -> None:
        key = (submission.id, payload.criterion, caller.user_id)
        row = session.get(SecondMark, key)
        if row is None:
            session.add(SecondMark(submission_id=submission.id,
                                   criterion_key=payload.criterion,
                                   moderator_id=caller.user_id, level_key=payload.level,
                                   comment=payload.comment, marked_at=utcnow(), revision=1))
        else:
            row.level_key, row.comment = payload.level, payload.comment
            row.marked_at, row.revision = utcnow(), row.revision + 1
    return apply


def _prepare(session: Session, caller: Caller, submission: Submission,
             push: AnyPush) -> Callable[[], None]:
    if isinstance(push, JudgmentPush):
        return _judgment(session, caller, submission, push.payload)
    if isinstance(push, FeedbackPush):
        return _feedback(session, caller, submission, push.payload)
    if isinstance(push, DecisionPush):
        return _decision(session, caller, submission, push.payload)
    if isinstance(push, SecondMarkPush):
        return _second_mark(session, caller, submission, push.payload)
    return _moderation(session, caller, submission, push.payload)


def apply_push(session: Session, caller: Caller, push: AnyPush) -> tuple[dict[str, Any], bool]:
    """Apply ``push`` in ``session``'s transaction; returns (answer, was it a replay)."""
    require_sync_role(caller)
    digest = push_digest(push)
    answer = stored_answer(session, caller, push.client_id, digest)
    if answer is not None:
        return answer, True
    submission = visible_submission(session, caller, push.submission_id)
    allowed = ROLES_FOR_KIND[push.kind]
    if caller.role not in allowed:
        raise forbidden(f"A {caller.role} cannot push {push.kind}s; that needs the role "
                        f"{' or '.join(allowed)}.")
    if push.base_revision != submission.revision:
        raise stale(session, caller, submission, push.base_revision)
    apply = _prepare(session, caller, submission, push)
    raced = claim_revision(session, caller, submission, push.base_revision, push.client_id,
                           digest)
    if raced is not None:
        return raced, True
    apply()
    return finish(session, caller, submission, push.kind, push.client_id, digest), False
