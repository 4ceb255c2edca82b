"""Moderation on the desktop: a moderator's blind second marks, the agree / return
outcome, the organisation's sampling rule as the hub last sent it, and the inputs of the
inter-rater agreement report.

Second marks are written like judgments: one short transaction holds the row, its audit
event and an outbox row (``second_mark``, coalesced per criterion while unsent). On pull,
the hub's copy of the moderator's own marks is applied unless a local mark of that
criterion still waits to be pushed (``apply_from_page``, called by ``SyncStore`` inside the
page's transaction).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assessor.domain import workflow
from assessor.domain.agreement import CriterionMark
from assessor.domain.feedback import FeedbackNote
from assessor.domain.moderation_sampling import ModerationPolicy
from assessor.domain.people import Actor, Role
from assessor.domain.states import State
from assessor.domain.workflow import Action
from assessor.errors import ValidationError, WorkflowError
from assessor.store.records import (
    OutboxRecord,
    SecondMarkRecord,
    SubmissionRecord,
    SyncStateRecord,
)
from assessor.store.store import Store, _AuditWriter, _enqueue, _load
from assessor.sync.feed import ChangesPage

POLICY_KEY = "moderation_policy"
"""Sync state key: the organisation's sampling rule from the last page (JSON)."""
SAMPLED_PREFIX = "sampled:"
"""Sync state key prefix: the hub sampled this submission for moderation before."""
RETURN_NOTE_PREFIX = "moderation-return-"
"""The id prefix of the note the hub adds when a moderator returns a decision."""


@dataclass(frozen=True)
class SecondMark:
    submission_id: str
    criterion_key: str
    level_key: str | None
    comment: str
    moderator: str
    at: datetime


class SecondMarks:
    """A moderator's second marks and outcomes in one ``Store``'s database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- second marking -----------------------------------------------------------

    def record(self, submission_id: str, criterion_key: str, level_key: str, actor: Actor,
               *, comment: str = "") -> SecondMark:
        """Save the moderator's blind mark of one criterion (replacing their earlier one)."""
        store = self._store
        with store._writing() as s:
            record = _load(s, submission_id)
            workflow.check_second_mark(State(record.state), record.assigned_to, actor)
            criterion = store._rubric_of(s, record).criterion(criterion_key)
            criterion.level(level_key)
            now = store._clock()
            row = s.scalar(select(SecondMarkRecord).where(
                SecondMarkRecord.submission_pk == record.pk,
                SecondMarkRecord.criterion_key == criterion_key,
                SecondMarkRecord.moderator == actor.user_id))
            if row is None:
                row = SecondMarkRecord(id=str(uuid.uuid4()), submission_pk=record.pk,
                                       criterion_key=criterion_key, moderator=actor.user_id)
                s.add(row)
            row.level_key, row.comment, row.at = level_key, comment, now
            _AuditWriter(s, now).append(actor, Action.SECOND_MARK, record.id, None, None, {
                "criterion": criterion_key, "level": level_key})
            _enqueue(s, now, "second_mark", record, {
                "criterion": criterion_key, "level": level_key, "comment": comment,
                "author": actor.user_id, "at": now.isoformat()}, coalesce_key=criterion_key)
            return SecondMark(record.id, criterion_key, level_key, comment, actor.user_id, now)

    def of(self, submission_id: str, moderator: str) -> dict[str, SecondMark]:
        """The moderator's marks on one submission, by criterion key."""
        with self._store._reading() as s:
            record = _load(s, submission_id)
            rows = s.scalars(select(SecondMarkRecord).where(
                SecondMarkRecord.submission_pk == record.pk,
                SecondMarkRecord.moderator == moderator))
            return {r.criterion_key: _value(r, record.id) for r in rows}

    def missing(self, submission_id: str, moderator: str) -> list[str]:
        """Titles of the criteria the moderator has not second-marked yet."""
        with self._store._reading() as s:
            record = _load(s, submission_id)
            marked = set(s.scalars(select(SecondMarkRecord.criterion_key).where(
                SecondMarkRecord.submission_pk == record.pk,
                SecondMarkRecord.moderator == moderator,
                SecondMarkRecord.level_key.is_not(None))))
            rubric = self._store._rubric_of(s, record)
            return [c.title for c in rubric.criteria if c.key not in marked]

    def moderate(self, submission_id: str, actor: Actor, *, agree: bool,
                 note: str = "") -> State:
        """Agree with the decision or return it to the assessor (with a comment), once
        every criterion is second-marked; the state changes through ``Store.moderate``."""
        if actor.role is Role.MODERATOR:
            missing = self.missing(submission_id, actor.user_id)
            if missing:
                raise WorkflowError("Second-mark every criterion before agreeing or "
                                    "returning. Not yet marked: " + ", ".join(missing) + ".")
        if not agree and not note.strip():
            raise ValidationError("Returning a decision needs a comment for the assessor: "
                                  "say what to look at again.")
        return self._store.moderate(submission_id, actor, agree=agree, note=note.strip())

    # -- agreement ----------------------------------------------------------------

    def agreement_inputs(self, moderator: str) -> list[CriterionMark]:
        """Every second mark this moderator made, as the agreement report pairs them with
        the assessors' judgments of the same submissions and criteria."""
        with self._store._reading() as s:
            rows = s.execute(select(SubmissionRecord.id, SecondMarkRecord.criterion_key,
                                    SecondMarkRecord.level_key)
                             .join(SubmissionRecord,
                                   SubmissionRecord.pk == SecondMarkRecord.submission_pk)
                             .where(SecondMarkRecord.moderator == moderator)
                             .order_by(SubmissionRecord.id, SecondMarkRecord.criterion_key))
            return [CriterionMark(sid, key, level) for sid, key, level in rows]

    # -- the sampling rule --------------------------------------------------------

    def policy(self) -> ModerationPolicy | None:
        with self._store._reading() as s:
            return _policy(s)

    def needs_moderation(self, submission_id: str) -> bool:
        with self._store._reading() as s:
            return needs_moderation(s, _load(s, submission_id))


# -- used inside other transactions (Store.decide, SyncStore.apply_page) ----------------

def needs_moderation(s: Session, record: SubmissionRecord) -> bool:
    """Whether approving ``record`` now waits for a moderator, by the organisation's rule
    as the hub last sent it (no rule received yet: no moderation), counting this desktop's
    approvals that have not reached the hub."""
    policy = _policy(s)
    if policy is None:
        return False
    unsent = sum(1 for payload in s.scalars(select(OutboxRecord.payload).where(
        OutboxRecord.kind == "decision")) if payload.get("outcome") == "approve")
    sampled = s.get(SyncStateRecord, SAMPLED_PREFIX + record.id) is not None
    return policy.needs_moderation(record.id, sampled_before=sampled,
                                   approvals=policy.approvals + unsent)


def apply_from_page(s: Session, page: ChangesPage) -> None:
    """Keep the page's sampling rule, which submissions were sampled, and the moderator's
    own second marks (a mark still waiting in the outbox is kept)."""
    if page.moderation is not None:
        s.merge(SyncStateRecord(key=POLICY_KEY, value=json.dumps({
            "rate": page.moderation.rate, "first_n": page.moderation.first_n,
            "approvals": page.moderation.approvals})))
    sampled = [r.submission.id for r in page.submissions if r.sampled]
    known = set(s.scalars(select(SyncStateRecord.key).where(
        SyncStateRecord.key.in_([SAMPLED_PREFIX + i for i in sampled])))) if sampled else set()
    for submission_id in sampled:
        if SAMPLED_PREFIX + submission_id not in known:
            s.add(SyncStateRecord(key=SAMPLED_PREFIX + submission_id, value="1"))
    with_marks = [r for r in page.submissions if r.second_marks]
    if not with_marks:
        return
    pks = dict(s.execute(select(SubmissionRecord.id, SubmissionRecord.pk).where(
        SubmissionRecord.id.in_([r.submission.id for r in with_marks]))).all())
    for remote in with_marks:
        pk = pks.get(remote.submission.id)
        if pk is None:
            continue
        waiting = _waiting_criteria(s, remote.submission.id)
        for mark in remote.second_marks:
            if mark.criterion in waiting:
                continue
            row = s.scalar(select(SecondMarkRecord).where(
                SecondMarkRecord.submission_pk == pk,
                SecondMarkRecord.criterion_key == mark.criterion,
                SecondMarkRecord.moderator == mark.moderator_id))
            if row is None:
                row = SecondMarkRecord(id=str(uuid.uuid4()), submission_pk=pk,
                                       criterion_key=mark.criterion,
                                       moderator=mark.moderator_id)
                s.add(row)
            elif row.remote_revision == mark.revision:
                continue
            row.level_key, row.comment = mark.level, mark.comment
            row.at = mark.at or row.at or datetime.now().astimezone()
            row.remote_revision = mark.revision
    s.flush()


def forget_sampled(s: Session, submission_ids: Iterable[str]) -> None:
    ids = [SAMPLED_PREFIX + i for i in submission_ids]
    if ids:
        s.execute(delete(SyncStateRecord).where(SyncStateRecord.key.in_(ids)))


def return_comment(feedback: Iterable[FeedbackNote], state: State) -> FeedbackNote | None:
    """The moderator's comment that sent this submission back, while it is back in review
    (the newest return note), or ``None``."""
    if state is not State.IN_REVIEW:
        return None
    notes = [n for n in feedback if n.id.startswith(RETURN_NOTE_PREFIX)]
    return max(notes, key=lambda n: n.at) if notes else None


def _waiting_criteria(s: Session, submission_id: str) -> set[str]:
    return {str(payload.get("criterion")) for payload in s.scalars(
        select(OutboxRecord.payload).where(OutboxRecord.submission_id == submission_id,
                                           OutboxRecord.kind == "second_mark"))}


def _policy(s: Session) -> ModerationPolicy | None:
    row = s.get(SyncStateRecord, POLICY_KEY)
    if row is None:
        return None
    try:
        data = json.loads(row.value)
        return ModerationPolicy(rate=float(data["rate"]), first_n=int(data["first_n"]),
                                approvals=int(data["approvals"]))
    except (ValueError, KeyError, TypeError):
        return None


def _value(row: SecondMarkRecord, submission_id: str) -> SecondMark:
    return SecondMark(submission_id, row.criterion_key, row.level_key, row.comment,
                      row.moderator, row.at)
