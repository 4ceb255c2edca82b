"""Store: the operations of the desktop on its local database.

Every operation runs in one short ``BEGIN IMMEDIATE`` transaction that writes the change,
its audit event and (for changes the hub must hear about) an outbox row together, and
returns frozen domain values. When a write method returns, the change is on disk.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from assessor.domain import workflow
from assessor.domain.audit import GENESIS_HASH, AuditEvent, ChainReport, event_digest, verify_chain
from assessor.domain.feedback import Decision, FeedbackNote, Outcome, Visibility
from assessor.domain.judgment import Judgment, JudgmentDraft
from assessor.domain.people import SYSTEM_ACTOR, Actor
from assessor.domain.review import ReviewSnapshot
from assessor.domain.rubric import MasteryOutcome, Rubric
from assessor.domain.states import State
from assessor.domain.submission import Submission
from assessor.domain.template import CredentialTemplate
from assessor.domain.workflow import Action
from assessor.errors import NotFoundError, ValidationError, WorkflowError
from assessor.store import convert
from assessor.store.database import Database, store_error
from assessor.store.records import (
    AuditRecord,
    DecisionRecord,
    EndorsementRecord,
    EvidenceRecord,
    FeedbackRecord,
    JudgmentRecord,
    OutboxRecord,
    PersonRecord,
    PinRecord,
    RubricRecord,
    SignedCredentialRecord,
    SubmissionRecord,
    TemplateRecord,
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The desktop's local store. Safe to call from one worker thread at a time per call."""

    def __init__(self, database: Database, *, clock: Clock = utc_now) -> None:
        self._db = database
        self._clock = clock
        self._rubrics: dict[tuple[str, int], Rubric] = {}

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One write transaction; database trouble becomes a ``StoreError`` the user can read."""
        try:
            with self._db.sessions.begin() as s:
                yield s
        except OperationalError as exc:
            raise store_error(exc) from None

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        try:
            with self._db.sessions() as s:
                yield s
        except OperationalError as exc:
            raise store_error(exc) from None

    @property
    def path(self) -> str:
        return str(self._db.path)

    def close(self) -> None:
        self._db.close()

    # -- reference data --------------------------------------------------------------

    def put_rubric(self, rubric: Rubric) -> None:
        """Add a rubric version. Versions are immutable: a different body is refused."""
        with self._writing() as s:
            existing = s.get(RubricRecord, (rubric.key, rubric.version))
            if existing is None:
                s.add(convert.rubric_record(rubric))
            elif convert.rubric_value(existing) != rubric:
                raise ValidationError(
                    f"Rubric {rubric.key!r} version {rubric.version} already exists with "
                    "different content; a changed rubric needs a new version."
                )

    def rubric(self, key: str, version: int) -> Rubric:
        with self._reading() as s:
            return self._rubric_in(s, key, version)

    def _rubric_in(self, s: Session, key: str, version: int) -> Rubric:
        """A rubric version, cached (versions never change), read in the caller's session."""
        cached = self._rubrics.get((key, version))
        if cached is not None:
            return cached
        record = s.get(RubricRecord, (key, version))
        if record is None:
            raise NotFoundError(f"Rubric {key!r} version {version} is not in the store.")
        rubric = convert.rubric_value(record)
        self._rubrics[(key, version)] = rubric
        return rubric

    def put_template(self, template: CredentialTemplate) -> None:
        with self._writing() as s:
            if s.get(RubricRecord, (template.rubric_key, template.rubric_version)) is None:
                raise ValidationError(
                    f"Template {template.id!r} uses rubric {template.rubric_key!r} version "
                    f"{template.rubric_version}, which is not in the store."
                )
            s.merge(convert.template_record(template))

    def template(self, template_id: str) -> CredentialTemplate:
        with self._reading() as s:
            record = s.get(TemplateRecord, template_id)
            if record is None:
                raise NotFoundError(f"Credential template {template_id!r} is not in the store.")
            return convert.template_value(record)

    # -- submissions ------------------------------------------------------------------

    def receive(self, submissions: Iterable[Submission], actor: Actor = SYSTEM_ACTOR) -> int:
        """Bring in new submissions (from sync or the demo) in one transaction.

        Returns how many were added. A submission already in the store is left alone:
        updating synced submissions is the sync engine's job.
        """
        workflow.receive(actor)
        now = self._clock()
        added = 0
        with self._writing() as s:
            known_templates = set(s.scalars(select(TemplateRecord.id)))
            audit = _AuditWriter(s, now)
            for batch in _batches(submissions, 500):
                for sub in batch:
                    if sub.template_id not in known_templates:
                        raise ValidationError(
                            f"Submission {sub.id!r} names template {sub.template_id!r}, "
                            "which is not in the store."
                        )
                present = set(s.scalars(select(SubmissionRecord.id).where(
                    SubmissionRecord.id.in_([sub.id for sub in batch]))))
                fresh = list({sub.id: sub for sub in batch if sub.id not in present}.values())
                if not fresh:
                    continue
                s.execute(insert(SubmissionRecord), [
                    convert.submission_row(sub) | {"updated_at": now} for sub in fresh])
                pks = dict(s.execute(select(SubmissionRecord.id, SubmissionRecord.pk).where(
                    SubmissionRecord.id.in_([sub.id for sub in fresh]))).all())
                evidence = [convert.evidence_row(item, i) | {"submission_pk": pks[sub.id]}
                            for sub in fresh for i, item in enumerate(sub.evidence)]
                if evidence:
                    s.execute(insert(EvidenceRecord), evidence)
                audit.append_many([
                    (actor, Action.RECEIVE, sub.id, None, sub.state,
                     {"attempt": sub.attempt, "template": sub.template_id})
                    for sub in fresh
                ])
                added += len(fresh)
        return added

    def submission(self, submission_id: str) -> Submission:
        with self._reading() as s:
            return convert.submission_value(_load(s, submission_id))

    def judgments(self, submission_id: str) -> dict[str, Judgment]:
        with self._reading() as s:
            return _judgments_in(s, _load(s, submission_id))

    def feedback(self, submission_id: str) -> list[FeedbackNote]:
        with self._reading() as s:
            return _feedback_in(s, _load(s, submission_id))

    def decisions(self, submission_id: str) -> list[Decision]:
        with self._reading() as s:
            return _decisions_in(s, _load(s, submission_id))

    def review(self, submission_id: str) -> ReviewSnapshot:
        """The submission with its template, rubric, judgments, feedback and decisions."""
        with self._reading() as s:
            record = _load(s, submission_id)
            template = s.get(TemplateRecord, record.template_id)
            if template is None:  # guarded by a foreign key; kept for a clear message
                raise NotFoundError(f"Credential template {record.template_id!r} is missing.")
            judgments = _judgments_in(s, record)
            feedback = tuple(_feedback_in(s, record))
            decisions = tuple(_decisions_in(s, record))
            authors = {j.author for j in judgments.values()} | {n.author for n in feedback} \
                | {d.author for d in decisions}
            return ReviewSnapshot(
                submission=convert.submission_value(record),
                template=convert.template_value(template),
                rubric=self._rubric_of(s, record),
                judgments=judgments,
                feedback=feedback,
                decisions=decisions,
                people=_names_in(s, authors),
            )

    def people_names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The names the hub gave these user ids (those it named; see ``person_label``)."""
        with self._reading() as s:
            return _names_in(s, set(user_ids))

    def mastery(self, submission_id: str) -> MasteryOutcome:
        with self._reading() as s:
            record = _load(s, submission_id)
            return self._mastery(s, record)

    # -- the workflow -----------------------------------------------------------------

    def open_review(self, submission_id: str, actor: Actor) -> Submission:
        with self._writing() as s:
            record = _load(s, submission_id)
            self._transition(s, record, actor, Action.OPEN, workflow.open_review(
                State(record.state), record.assigned_to, actor))
            return convert.submission_value(record)

    def record_judgment(self, submission_id: str, draft: JudgmentDraft, actor: Actor) -> Judgment:
        """Save one criterion's judgment; durable on disk when this returns.

        The first judgment on a pending submission opens its review.
        """
        with self._writing() as s:
            record = _head(s, submission_id)
            state = State(record.state)
            workflow.check_judge(state, record.assigned_to, actor)
            rubric = self._rubric_in(s, record.rubric_key, record.rubric_version)
            criterion = rubric.criterion(draft.criterion_key)
            if draft.level_key is not None:
                criterion.level(draft.level_key)
            if draft.pins:
                evidence_ids = set(s.scalars(select(EvidenceRecord.item_id).where(
                    EvidenceRecord.submission_pk == record.pk)))
                for pin in draft.pins:
                    if pin.evidence_id not in evidence_ids:
                        raise ValidationError(
                            f"A pin points at evidence {pin.evidence_id!r}, which this "
                            "submission does not have."
                        )
            if state is State.PENDING:
                self._transition(s, _load(s, submission_id), actor, Action.OPEN,
                                 workflow.open_review(state, record.assigned_to, actor))
                s.flush()
            now = self._clock()
            # The hot path of the assessor's day: plain statements, no unit of work.
            values = {"level_key": draft.level_key, "comment": draft.comment,
                      "author": actor.user_id, "at": now}
            revision = s.scalar(
                sqlite_insert(JudgmentRecord)
                .values(submission_pk=record.pk, criterion_key=draft.criterion_key,
                        revision=1, **values)
                .on_conflict_do_update(
                    index_elements=[JudgmentRecord.submission_pk, JudgmentRecord.criterion_key],
                    set_=values | {"revision": JudgmentRecord.revision + 1})
                .returning(JudgmentRecord.revision))
            assert revision is not None
            s.execute(delete(PinRecord).where(PinRecord.submission_pk == record.pk,
                                              PinRecord.criterion_key == draft.criterion_key))
            if draft.pins:
                s.execute(insert(PinRecord), [
                    convert.pin_row(pin, i) | {"submission_pk": record.pk,
                                               "criterion_key": draft.criterion_key}
                    for i, pin in enumerate(draft.pins)])
            s.execute(update(SubmissionRecord).where(SubmissionRecord.pk == record.pk)
                      .values(updated_at=now))
            _AuditWriter(s, now).append(actor, Action.JUDGE, record.id, None, None, {
                "criterion": draft.criterion_key, "level": draft.level_key,
                "revision": revision, "pins": len(draft.pins),
            })
            _enqueue(s, now, "judgment", record, {
                "criterion": draft.criterion_key, "level": draft.level_key,
                "comment": draft.comment, "pins": [convert.pin_json(p) for p in draft.pins],
                "author": actor.user_id, "at": now.isoformat(), "revision": revision,
            }, coalesce_key=draft.criterion_key)
            return Judgment(submission_id=record.id, criterion_key=draft.criterion_key,
                            level_key=draft.level_key, author=actor.user_id, at=now,
                            comment=draft.comment, pins=draft.pins, revision=revision)

    def add_feedback(
        self,
        submission_id: str,
        actor: Actor,
        body: str,
        visibility: Visibility,
        *,
        criterion_key: str | None = None,
        parent_id: str | None = None,
    ) -> FeedbackNote:
        workflow.check_feedback(actor)
        if not body.strip():
            raise ValidationError("Feedback cannot be empty.")
        with self._writing() as s:
            record = _load(s, submission_id)
            return self._write_feedback(s, record, actor, body, visibility,
                                        criterion_key=criterion_key, parent_id=parent_id)

    def _write_feedback(self, s: Session, record: SubmissionRecord, actor: Actor, body: str,
                        visibility: Visibility, *, criterion_key: str | None = None,
                        parent_id: str | None = None) -> FeedbackNote:
        """One feedback note with its audit event and outbox row, in the caller's session."""
        if criterion_key is not None:
            self._rubric_of(s, record).criterion(criterion_key)
        if parent_id is not None:
            parent = s.get(FeedbackRecord, parent_id)
            if parent is None or parent.submission_pk != record.pk:
                raise ValidationError("The note being answered is not on this submission.")
        now = self._clock()
        note = FeedbackRecord(
            id=str(uuid.uuid4()), submission_pk=record.pk, criterion_key=criterion_key,
            parent_id=parent_id, author=actor.user_id, role=actor.role.value,
            visibility=visibility.value, body=body, at=now,
        )
        s.add(note)
        record.updated_at = now
        _AuditWriter(s, now).append(actor, Action.FEEDBACK, record.id, None, None, {
            "note": note.id, "criterion": criterion_key, "visibility": visibility.value})
        _enqueue(s, now, "feedback", record, {
            "id": note.id, "criterion": criterion_key, "parent": parent_id,
            "visibility": visibility.value, "body": body, "author": actor.user_id,
            "role": actor.role.value, "at": now.isoformat(),
        })
        return convert.feedback_value(note, record.id)

    def decide(
        self,
        submission_id: str,
        actor: Actor,
        outcome: Outcome,
        *,
        note: str = "",
        needs_moderation: bool | None = None,
    ) -> Decision:
        """Approve or request resubmission. ``needs_moderation=None`` applies the
        organisation's sampling rule as the hub last sent it (``second_marks``)."""
        with self._writing() as s:
            return self._write_decision(s, _load(s, submission_id), actor, outcome, note,
                                        needs_moderation)

    def request_resubmission(self, submission_id: str, actor: Actor,
                             feedback: Mapping[str, str], *, note: str = "",
                             needs_moderation: bool = False) -> Decision:
        """Feedback to the learner on each criterion (``{criterion key: text}``), an
        optional overall note to the learner, and the resubmission decision, all in one
        transaction: either everything is saved or nothing is."""
        workflow.check_feedback(actor)
        with self._writing() as s:
            record = _load(s, submission_id)
            for criterion_key, body in feedback.items():
                if not body.strip():
                    criterion = self._rubric_of(s, record).criterion(criterion_key)
                    raise ValidationError(f"Feedback on “{criterion.title}” cannot be empty.")
                self._write_feedback(s, record, actor, body.strip(), Visibility.LEARNER,
                                     criterion_key=criterion_key)
            if note.strip():
                self._write_feedback(s, record, actor, note.strip(), Visibility.LEARNER)
            s.flush()
            return self._write_decision(s, record, actor, Outcome.RESUBMIT, note.strip(),
                                        needs_moderation)

    def _write_decision(self, s: Session, record: SubmissionRecord, actor: Actor,
                        outcome: Outcome, note: str,
                        needs_moderation: bool | None) -> Decision:
        """The decision with its transition and outbox row, in the caller's session."""
        if needs_moderation is None:
            from assessor.store.second_marks import needs_moderation as sampling_rule

            needs_moderation = outcome is Outcome.APPROVE and sampling_rule(s, record)
        mastery = self._mastery(s, record)
        covered = {
            key for key in s.scalars(select(FeedbackRecord.criterion_key).where(
                FeedbackRecord.submission_pk == record.pk,
                FeedbackRecord.visibility == Visibility.LEARNER.value,
                FeedbackRecord.criterion_key.is_not(None),
            )) if key is not None
        }
        target = workflow.decide(State(record.state), record.assigned_to, actor, outcome,
                                 mastery, covered, needs_moderation)
        now = self._clock()
        decision = DecisionRecord(
            id=str(uuid.uuid4()), submission_pk=record.pk, outcome=outcome.value,
            author=actor.user_id, at=now, total=mastery.total, mastered=mastery.mastered,
            note=note,
        )
        s.add(decision)
        action = Action.APPROVE if outcome is Outcome.APPROVE else Action.REQUEST_RESUBMISSION
        self._transition(s, record, actor, action, target,
                         {"decision": decision.id, "total": mastery.total})
        _enqueue(s, now, "decision", record, {
            "id": decision.id, "outcome": outcome.value, "total": mastery.total,
            "mastered": mastery.mastered, "note": note, "author": actor.user_id,
            "at": now.isoformat(), "moderation": target is State.AWAITING_MODERATION,
        })
        return convert.decision_value(decision, record.id)

    def moderate(self, submission_id: str, actor: Actor, *, agree: bool, note: str = "") -> State:
        with self._writing() as s:
            record = _load(s, submission_id)
            target = workflow.moderate(State(record.state), record.assigned_to, actor, agree)
            if not agree and not note.strip():
                raise WorkflowError("Returning a decision needs a comment for the assessor.")
            action = Action.MODERATION_AGREE if agree else Action.MODERATION_RETURN
            now = self._clock()
            mastery = self._mastery(s, record)
            decision = DecisionRecord(
                id=str(uuid.uuid4()), submission_pk=record.pk,
                outcome=(Outcome.MODERATION_AGREE if agree
                         else Outcome.MODERATION_RETURN).value,
                author=actor.user_id, at=now, total=mastery.total,
                mastered=mastery.mastered, note=note)
            s.add(decision)
            self._transition(s, record, actor, action, target,
                             {"note": note, "decision": decision.id})
            _enqueue(s, now, "moderation", record, {
                "id": decision.id, "agree": agree, "note": note, "author": actor.user_id})
            return target

    def check_can_sign(self, submission_id: str, actor: Actor) -> None:
        """Raise ``WorkflowError`` unless ``actor`` may sign this submission now."""
        with self._reading() as s:
            record = _load(s, submission_id)
            workflow.sign(State(record.state), record.assigned_to, actor)

    def record_signed(self, submission_id: str, actor: Actor, credential: dict[str, Any],
                      key_id: str) -> State:
        """Keep the signed credential, mark the submission signed and queue the push,
        all in one transaction."""
        credential_id = credential.get("id")
        if not isinstance(credential_id, str) or "proof" not in credential:
            raise ValidationError("Only a signed credential with an id can be recorded.")
        text = json.dumps(credential, ensure_ascii=False, sort_keys=True)
        with self._writing() as s:
            record = _load(s, submission_id)
            target = workflow.sign(State(record.state), record.assigned_to, actor)
            now = self._clock()
            s.add(SignedCredentialRecord(id=credential_id, submission_pk=record.pk,
                                         key_id=key_id, issued_at=now, document=text))
            self._transition(s, record, actor, Action.SIGN, target,
                             {"credential": credential_id, "key": key_id,
                              "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})
            _enqueue(s, now, "credential", record, {"id": credential_id, "credential": text})
            return target

    def signed_credentials(self, submission_id: str) -> list[dict[str, Any]]:
        with self._reading() as s:
            record = _load(s, submission_id)
            rows = s.scalars(select(SignedCredentialRecord.document).where(
                SignedCredentialRecord.submission_pk == record.pk)
                .order_by(SignedCredentialRecord.issued_at))
            return [json.loads(text) for text in rows]

    def check_can_endorse(self, submission_id: str, note_id: str, actor: Actor) -> FeedbackNote:
        """The note to endorse with, or ``WorkflowError`` saying why it cannot be."""
        with self._reading() as s:
            record = _load(s, submission_id)
            note = s.get(FeedbackRecord, note_id)
            if note is None or note.submission_pk != record.pk:
                raise ValidationError("That feedback note is not on this submission.")
            workflow.endorse(State(record.state), actor, note.author, note.visibility)
            return convert.feedback_value(note, record.id)

    def record_endorsement(self, submission_id: str, note_id: str, actor: Actor,
                           credential: dict[str, Any], key_id: str) -> None:
        """Keep a signed endorsement, audit it and queue its push, in one transaction."""
        credential_id = credential.get("id")
        if not isinstance(credential_id, str) or "proof" not in credential:
            raise ValidationError("Only a signed endorsement with an id can be recorded.")
        text = json.dumps(credential, ensure_ascii=False, sort_keys=True)
        with self._writing() as s:
            record = _load(s, submission_id)
            note = s.get(FeedbackRecord, note_id)
            if note is None or note.submission_pk != record.pk:
                raise ValidationError("That feedback note is not on this submission.")
            workflow.endorse(State(record.state), actor, note.author, note.visibility)
            now = self._clock()
            s.add(EndorsementRecord(id=credential_id, submission_pk=record.pk, note_id=note_id,
                                    endorser=actor.user_id, key_id=key_id, issued_at=now,
                                    document=text))
            _AuditWriter(s, now).append(actor, Action.ENDORSE, record.id, None, None, {
                "credential": credential_id, "note": note_id, "key": key_id,
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})
            _enqueue(s, now, "endorsement", record, {"id": credential_id, "credential": text})

    def endorsements(self, submission_id: str) -> list[dict[str, Any]]:
        with self._reading() as s:
            record = _load(s, submission_id)
            rows = s.scalars(select(EndorsementRecord.document).where(
                EndorsementRecord.submission_pk == record.pk)
                .order_by(EndorsementRecord.issued_at))
            return [json.loads(text) for text in rows]

    def mark_published(self, submission_id: str, actor: Actor = SYSTEM_ACTOR) -> State:
        with self._writing() as s:
            record = _load(s, submission_id)
            target = workflow.publish(State(record.state), actor)
            self._transition(s, record, actor, Action.PUBLISH, target)
            return target

    # -- outbox and audit -------------------------------------------------------------

    def outbox_count(self) -> int:
        with self._reading() as s:
            return s.scalar(select(func.count()).select_from(OutboxRecord)) or 0

    def audit_events(self, batch: int = 2000) -> Iterator[AuditEvent]:
        """Every audit event in order, fetched in batches (the log can be long)."""
        after = 0
        while True:
            with self._reading() as s:
                rows = list(s.scalars(select(AuditRecord).where(AuditRecord.seq > after)
                                      .order_by(AuditRecord.seq).limit(batch)))
            if not rows:
                return
            for r in rows:
                yield AuditEvent(
                    seq=r.seq, at=r.at, actor=r.actor, role=r.role, action=r.action,
                    submission_id=r.submission_id, from_state=r.from_state,
                    to_state=r.to_state, details=r.details, prev_hash=r.prev_hash, hash=r.hash,
                )
            after = rows[-1].seq

    def verify_audit(self) -> ChainReport:
        return verify_chain(self.audit_events())

    # -- helpers ----------------------------------------------------------------------

    def _rubric_of(self, s: Session, record: SubmissionRecord) -> Rubric:
        return self._rubric_in(s, record.rubric_key, record.rubric_version)

    def _mastery(self, s: Session, record: SubmissionRecord) -> MasteryOutcome:
        rows = s.execute(select(JudgmentRecord.criterion_key, JudgmentRecord.level_key)
                         .where(JudgmentRecord.submission_pk == record.pk))
        chosen = {key: level for key, level in rows}
        return self._rubric_of(s, record).evaluate(chosen)

    def _transition(self, s: Session, record: SubmissionRecord, actor: Actor, action: Action,
                    target: State, details: dict[str, Any] | None = None) -> None:
        now = self._clock()
        _AuditWriter(s, now).append(actor, action, record.id, State(record.state), target,
                                    details or {})
        record.state = target.value
        record.updated_at = now


def _load(s: Session, submission_id: str) -> SubmissionRecord:
    record = s.scalar(select(SubmissionRecord).where(SubmissionRecord.id == submission_id))
    if record is None:
        raise NotFoundError(f"Submission {submission_id!r} is not in the store.")
    return record


def _names_in(s: Session, user_ids: set[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = s.execute(select(PersonRecord.id, PersonRecord.display_name)
                     .where(PersonRecord.id.in_(list(user_ids))))
    return {user_id: name for user_id, name in rows}


def _judgments_in(s: Session, record: SubmissionRecord) -> dict[str, Judgment]:
    rows = s.scalars(select(JudgmentRecord).where(JudgmentRecord.submission_pk == record.pk))
    return {j.criterion_key: convert.judgment_value(j, record.id) for j in rows}


def _feedback_in(s: Session, record: SubmissionRecord) -> list[FeedbackNote]:
    rows = s.scalars(select(FeedbackRecord).where(FeedbackRecord.submission_pk == record.pk)
                     .order_by(FeedbackRecord.at))
    return [convert.feedback_value(f, record.id) for f in rows]


def _decisions_in(s: Session, record: SubmissionRecord) -> list[Decision]:
    rows = s.scalars(select(DecisionRecord).where(DecisionRecord.submission_pk == record.pk)
                     .order_by(DecisionRecord.at))
    return [convert.decision_value(d, record.id) for d in rows]


def _enqueue(s: Session, now: datetime, kind: str, record: SubmissionRecord | _Head,
             payload: dict[str, Any], *, coalesce_key: str | None = None) -> None:
    """Queue a change for the hub. An edit of a change not yet sent replaces it."""
    if coalesce_key is not None:
        waiting = s.execute(select(OutboxRecord.pk, OutboxRecord.payload).where(
            OutboxRecord.submission_id == record.id, OutboxRecord.kind == kind,
            OutboxRecord.attempts == 0))
        for pk, queued in waiting:
            if queued.get("criterion") == coalesce_key:
                s.execute(update(OutboxRecord).where(OutboxRecord.pk == pk)
                          .values(payload=payload, created_at=now))
                return
    s.execute(insert(OutboxRecord).values(
        client_id=str(uuid.uuid4()), kind=kind, submission_id=record.id, payload=payload,
        base_revision=record.revision, created_at=now, attempts=0, last_error=""))


class _Head(NamedTuple):
    """The columns of a submission that the judgment hot path needs."""

    pk: int
    id: str
    state: str
    assigned_to: str | None
    rubric_key: str
    rubric_version: int
    revision: int


def _head(s: Session, submission_id: str) -> _Head:
    row = s.execute(select(
        SubmissionRecord.pk, SubmissionRecord.id, SubmissionRecord.state,
        SubmissionRecord.assigned_to, SubmissionRecord.rubric_key,
        SubmissionRecord.rubric_version, SubmissionRecord.revision,
    ).where(SubmissionRecord.id == submission_id)).first()
    if row is None:
        raise NotFoundError(f"Submission {submission_id!r} is not in the store.")
    return _Head(*row)


class _AuditWriter:
    """Appends events to the chain inside the caller's transaction."""

    def __init__(self, s: Session, now: datetime) -> None:
        self._s = s
        self._at = now.astimezone(UTC).isoformat(timespec="microseconds")
        last = s.execute(select(AuditRecord.seq, AuditRecord.hash)
                         .order_by(AuditRecord.seq.desc()).limit(1)).first()
        self._seq, self._prev = (last[0], last[1]) if last else (0, GENESIS_HASH)

    def append(self, actor: Actor, action: Action, submission_id: str | None,
               from_state: State | None, to_state: State | None,
               details: dict[str, Any]) -> None:
        self.append_many([(actor, action, submission_id, from_state, to_state, details)])

    def append_many(self, events: list[tuple[Actor, Action, str | None, State | None,
                                              State | None, dict[str, Any]]]) -> None:
        rows = []
        for actor, action, submission_id, from_state, to_state, details in events:
            self._seq += 1
            fields: dict[str, Any] = {
                "seq": self._seq, "at": self._at, "actor": actor.user_id,
                "role": actor.role.value, "action": action.value,
                "submission_id": submission_id,
                "from_state": from_state.value if from_state else None,
                "to_state": to_state.value if to_state else None, "details": details,
            }
            digest = event_digest(prev_hash=self._prev, **fields)
            rows.append(fields | {"prev_hash": self._prev, "hash": digest})
            self._prev = digest
        if rows:
            self._s.execute(insert(AuditRecord), rows)


def _batches(items: Iterable[Submission], size: int) -> Iterator[list[Submission]]:
    batch: list[Submission] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
