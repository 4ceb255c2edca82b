"""The store's side of sync: apply the hub's pages, hand out and settle outbox rows, keep
conflicts side by side and resolve them.

The rule everywhere: local work that the hub has not acknowledged (an outbox row) or that
is in an open conflict is never overwritten by what the hub sends; everything else takes
the hub's copy. Each method is one transaction, so a crash mid-sync leaves either the
whole page (and its cursor) or none of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from assessor.domain.feedback import Outcome, Visibility
from assessor.domain.judgment import Pin
from assessor.domain.people import SYSTEM_ACTOR, Actor, Role
from assessor.domain.states import State
from assessor.domain.workflow import Action
from assessor.errors import NotFoundError, ValidationError
from assessor.store import convert, second_marks
from assessor.store.records import (
    ConflictRecord,
    DecisionRecord,
    EvidenceRecord,
    FeedbackRecord,
    JudgmentRecord,
    OutboxRecord,
    PersonRecord,
    PinRecord,
    RubricRecord,
    SubmissionRecord,
    SyncStateRecord,
    TemplateRecord,
)
from assessor.store.store import Store, _AuditWriter, _load
from assessor.sync.feed import ChangesPage, RemoteJudgment, RemoteSubmission, parse_pins

CURSOR = "cursor"
LAST_SYNC = "last_sync_at"
STATE_KINDS = ("decision", "moderation", "credential")
"""Outbox kinds that move a submission's state: while one waits, the local state stands."""


@dataclass(frozen=True)
class AppliedPage:
    added: int
    updated: int
    removed: int
    kept: int
    """Submissions the hub took away that still hold unsent local work: kept, not lost."""


@dataclass(frozen=True)
class OutboxEntry:
    pk: int
    client_id: str
    kind: str
    submission_id: str
    payload: dict[str, Any]
    base_revision: int
    attempts: int
    last_error: str


@dataclass(frozen=True)
class Conflict:
    id: str
    submission_id: str
    kind: str
    subject: str
    mine: dict[str, Any]
    theirs: dict[str, Any] | None
    theirs_author: str
    hub_revision: int
    created_at: datetime
    resolved_at: datetime | None
    resolution: str

    @property
    def summary(self) -> str:
        return self.described(subject=repr(self.subject),
                              who=self.theirs_author or "someone else", quoted=False)

    def described(self, *, subject: str, who: str, quoted: bool = True) -> str:
        """What clashed, for people: ``subject`` names the criterion (its title rather
        than its key) and ``who`` whoever changed it on the hub (a name, not an id)."""
        shown = f"“{subject}”" if quoted else subject
        what = {"judgment": f"criterion {shown}", "decision": "the decision",
                "moderation": "the moderation outcome", "credential": "the signed credential",
                "second_mark": f"the second mark of {shown}",
                "feedback": "a feedback note"}.get(self.kind, self.kind)
        if self.theirs is not None and "refused" in self.theirs:
            return f"The hub refused {what}: {self.theirs['refused']}"
        return f"{what[0].upper()}{what[1:]} was changed on the hub by {who} while you " \
            "changed it too."


class SyncStore:
    """Sync's operations on the local store (one ``Store``'s database)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._writing = store._writing
        self._reading = store._reading
        self._clock = store._clock

    # -- small facts ------------------------------------------------------------------

    def get(self, key: str, default: str = "") -> str:
        with self._reading() as s:
            row = s.get(SyncStateRecord, key)
            return default if row is None else row.value

    def put(self, key: str, value: str) -> None:
        with self._writing() as s:
            s.merge(SyncStateRecord(key=key, value=value))

    def cursor(self) -> int:
        value = self.get(CURSOR, "0")
        return int(value) if value.isdigit() else 0

    def reset_cursor(self) -> None:
        """Start the next pull from the beginning (after signing in as someone else)."""
        self.put(CURSOR, "0")

    # -- pull ---------------------------------------------------------------------------

    def apply_page(self, page: ChangesPage, cursor: int) -> AppliedPage:
        """Apply one checked page and store its cursor, in one transaction."""
        with self._writing() as s:
            stored = s.get(SyncStateRecord, CURSOR)
            if stored is not None and stored.value.isdigit() and int(stored.value) != cursor:
                raise ValidationError("Another sync applied changes meanwhile; this page "
                                      "was not applied (the next sync continues).")
            now = self._clock()
            audit = _AuditWriter(s, now)
            for remote in page.templates:
                self._put_template(s, remote.template, remote.rubric)
            removed = kept = 0
            for submission_id in page.removed:
                outcome = self._remove(s, submission_id, audit)
                removed += outcome == "removed"
                kept += outcome == "kept"
            latest = {r.submission.id: r for r in page.submissions}
            known = set(s.scalars(select(SubmissionRecord.id).where(
                SubmissionRecord.id.in_(list(latest)))))
            fresh = [r for r in latest.values() if r.submission.id not in known]
            if fresh:
                self._insert_new(s, fresh, audit, now)
            updated = 0
            for remote_sub in page.submissions:
                if remote_sub.submission.id in known:
                    self._upsert(s, remote_sub, audit, now)
                    updated += 1
            added = len(fresh)
            second_marks.apply_from_page(s, page)
            _remember_people(s, page)
            s.merge(SyncStateRecord(key=CURSOR, value=str(page.next_cursor)))
            return AppliedPage(added, updated, removed, kept)

    def _put_template(self, s: Session, template: Any, rubric: Any) -> None:
        if s.get(RubricRecord, (rubric.key, rubric.version)) is None:
            s.add(convert.rubric_record(rubric))
            s.flush()
        current = s.get(TemplateRecord, template.id)
        if current is None or current.rubric_version <= template.rubric_version:
            s.merge(convert.template_record(template))

    def _remove(self, s: Session, submission_id: str, audit: _AuditWriter) -> str:
        record = s.scalar(select(SubmissionRecord).where(SubmissionRecord.id == submission_id))
        if record is None:
            return "absent"
        if _has_local_work(s, submission_id):
            return "kept"
        audit.append(SYSTEM_ACTOR, Action.HUB_REMOVE, submission_id, State(record.state),
                     None, {})
        s.delete(record)
        s.flush()
        return "removed"

    def _insert_new(self, s: Session, fresh: list[RemoteSubmission], audit: _AuditWriter,
                    now: datetime) -> None:
        """Submissions this desktop has never held, in a few statements for the lot (the
        first pull of a large assignment is mostly this)."""
        s.execute(insert(SubmissionRecord), [
            convert.submission_row(r.submission) | {"updated_at": now,
                                                    "status_index": r.status_index}
            for r in fresh])
        pks: dict[str, int] = dict(s.execute(select(SubmissionRecord.id, SubmissionRecord.pk)
                                             .where(SubmissionRecord.id.in_(
                                                 [r.submission.id for r in fresh]))).all())
        evidence = [convert.evidence_row(item, i) | {"submission_pk": pks[r.submission.id]}
                    for r in fresh for i, item in enumerate(r.submission.evidence)]
        if evidence:
            s.execute(insert(EvidenceRecord), evidence)
        judgments: list[dict[str, Any]] = []
        pins: list[dict[str, Any]] = []
        for r in fresh:
            pk = pks[r.submission.id]
            for j in {j.criterion: j for j in r.judgments}.values():
                judgments.append({"submission_pk": pk, "criterion_key": j.criterion,
                                  "level_key": j.level, "comment": j.comment,
                                  "author": j.author_id or "hub", "at": j.at or now,
                                  "revision": 1, "remote_revision": j.revision})
                pins.extend(convert.pin_row(pin, i) | {"submission_pk": pk,
                                                       "criterion_key": j.criterion}
                            for i, pin in enumerate(j.pins))
        if judgments:
            s.execute(insert(JudgmentRecord), judgments)
        if pins:
            s.execute(insert(PinRecord), pins)
        notes = _new_notes(s, fresh, pks, now)
        if notes:
            s.execute(insert(FeedbackRecord), notes)
        decisions = self._new_decisions(s, fresh, pks, now)
        if decisions:
            s.execute(insert(DecisionRecord), decisions)
        audit.append_many([
            (SYSTEM_ACTOR, Action.RECEIVE, r.submission.id, None, r.submission.state,
             {"attempt": r.submission.attempt, "template": r.submission.template_id,
              "revision": r.submission.revision})
            for r in fresh])

    def _new_decisions(self, s: Session, fresh: list[RemoteSubmission],
                       pks: dict[str, int], now: datetime) -> list[dict[str, Any]]:
        decision_ids = [d.id for r in fresh for d in r.decisions]
        seen = set(s.scalars(select(DecisionRecord.id).where(
            DecisionRecord.id.in_(decision_ids)))) if decision_ids else set()
        decisions = []
        for r in fresh:
            wanted = [d for d in r.decisions
                      if d.id not in seen and d.outcome in (o.value for o in Outcome)]
            if not wanted:
                continue
            sub = r.submission
            mastery = self._store._rubric_in(s, sub.rubric_key, sub.rubric_version).evaluate(
                {j.criterion: j.level for j in r.judgments})
            for d in wanted:
                seen.add(d.id)
                decisions.append({"id": d.id, "submission_pk": pks[sub.id],
                                  "outcome": d.outcome, "author": d.author_id or "hub",
                                  "at": d.at or now, "total": mastery.total,
                                  "mastered": mastery.mastered, "note": d.note})
        return decisions

    def _upsert(self, s: Session, remote: RemoteSubmission, audit: _AuditWriter,
                now: datetime) -> bool:
        """Bring one submission up to the hub's copy; True if it was new here."""
        sub = remote.submission
        record = s.scalar(select(SubmissionRecord).where(SubmissionRecord.id == sub.id))
        new = record is None
        row = convert.submission_row(sub) | {"updated_at": now,
                                             "status_index": remote.status_index}
        if record is None:
            s.execute(insert(SubmissionRecord), [row])
            record = s.scalar(select(SubmissionRecord).where(SubmissionRecord.id == sub.id))
            assert record is not None
            audit.append(SYSTEM_ACTOR, Action.RECEIVE, sub.id, None, sub.state,
                         {"attempt": sub.attempt, "template": sub.template_id,
                          "revision": sub.revision})
        else:
            waiting = _waiting(s, sub.id)
            local_state = State(record.state)
            keep_state = bool(waiting.kinds & set(STATE_KINDS)) or waiting.state_conflict
            for column, value in row.items():
                if column in ("state", "updated_at"):
                    continue
                setattr(record, column, value)
            if not keep_state and local_state is not sub.state:
                audit.append(SYSTEM_ACTOR, Action.HUB_UPDATE, sub.id, local_state, sub.state,
                             {"revision": sub.revision})
                record.state = sub.state.value
            record.updated_at = now
            s.execute(delete(EvidenceRecord).where(EvidenceRecord.submission_pk == record.pk))
        if sub.evidence:
            s.execute(insert(EvidenceRecord), [
                convert.evidence_row(item, i) | {"submission_pk": record.pk}
                for i, item in enumerate(sub.evidence)])
        self._merge_judgments(s, record, remote.judgments, audit)
        self._merge_feedback(s, record, remote)
        self._merge_decisions(s, record, remote)
        return new

    def _merge_judgments(self, s: Session, record: SubmissionRecord,
                         judgments: Iterable[RemoteJudgment], audit: _AuditWriter) -> None:
        waiting = _waiting(s, record.id)
        for remote in judgments:
            if remote.criterion in waiting.criteria:
                continue
            if remote.criterion in waiting.conflicted:
                # Keep mine; bring the conflict's "theirs" up to the hub's newest.
                s.execute(update(ConflictRecord).where(
                    ConflictRecord.submission_id == record.id,
                    ConflictRecord.kind == "judgment",
                    ConflictRecord.subject == remote.criterion,
                    ConflictRecord.resolved_at.is_(None)).values(
                        theirs=_judgment_json(remote), theirs_author=remote.author_id,
                        hub_revision=record.revision))
                continue
            local = s.get(JudgmentRecord, (record.pk, remote.criterion))
            if local is not None and local.remote_revision == remote.revision:
                continue
            _write_judgment(s, record.pk, remote.criterion, remote.level, remote.comment,
                            remote.pins, remote.author_id or "hub",
                            remote.at or self._clock(), remote.revision)
            audit.append(SYSTEM_ACTOR, Action.HUB_UPDATE, record.id, None, None, {
                "criterion": remote.criterion, "level": remote.level,
                "author": remote.author_id, "revision": remote.revision})

    def _merge_feedback(self, s: Session, record: SubmissionRecord,
                        remote: RemoteSubmission) -> None:
        known = set(s.scalars(select(FeedbackRecord.id).where(
            FeedbackRecord.submission_pk == record.pk)))
        for note in remote.feedback:
            if note.id in known:
                continue
            taken = s.get(FeedbackRecord, note.id)
            if taken is not None:  # the same id on another submission: keep ours
                continue
            parent = note.parent_id if note.parent_id in known else None
            role = note.author_role if note.author_role in {r.value for r in Role} \
                else Role.SYSTEM.value
            s.add(FeedbackRecord(id=note.id, submission_pk=record.pk,
                                 criterion_key=note.criterion, parent_id=parent,
                                 author=note.author_id or "hub", role=role,
                                 visibility=Visibility(note.visibility).value, body=note.body,
                                 at=note.at or self._clock()))
            known.add(note.id)
            s.flush()

    def _merge_decisions(self, s: Session, record: SubmissionRecord,
                         remote: RemoteSubmission) -> None:
        known = set(s.scalars(select(DecisionRecord.id).where(
            DecisionRecord.submission_pk == record.pk)))
        fresh = [d for d in remote.decisions
                 if d.id not in known and d.outcome in (o.value for o in Outcome)]
        if not fresh:
            return
        mastery = self._store._mastery(s, record)
        for decision in fresh:
            if s.get(DecisionRecord, decision.id) is not None:
                continue
            s.add(DecisionRecord(id=decision.id, submission_pk=record.pk,
                                 outcome=decision.outcome, author=decision.author_id or "hub",
                                 at=decision.at or self._clock(), total=mastery.total,
                                 mastered=mastery.mastered, note=decision.note))

    def status_index(self, submission_id: str) -> int | None:
        with self._reading() as s:
            return s.scalar(select(SubmissionRecord.status_index).where(
                SubmissionRecord.id == submission_id))

    def evidence_wanted(self) -> list[tuple[str, int, str]]:
        """Every evidence file the local submissions hold: (sha256, size, a file name)."""
        with self._reading() as s:
            rows = s.execute(select(EvidenceRecord.sha256, func.max(EvidenceRecord.size),
                                    func.min(EvidenceRecord.file_name))
                             .group_by(EvidenceRecord.sha256)
                             .order_by(func.min(EvidenceRecord.pk)))
            return [(sha, int(size), name) for sha, size, name in rows]

    # -- push ---------------------------------------------------------------------------

    def outbox(self, limit: int = 1000) -> list[OutboxEntry]:
        """Rows waiting to be pushed, oldest first."""
        with self._reading() as s:
            rows = s.scalars(select(OutboxRecord).order_by(OutboxRecord.pk).limit(limit))
            return [OutboxEntry(r.pk, r.client_id, r.kind, r.submission_id, dict(r.payload),
                                r.base_revision, r.attempts, r.last_error) for r in rows]

    def mark_sending(self, entry: OutboxEntry) -> OutboxEntry | None:
        """Count the attempt before sending, and return the row as it is now: from here on
        a later edit gets a row of its own instead of being coalesced into one that may
        already have reached the hub. An edit coalesced after ``outbox()`` read the row is
        in what this returns, so it is what gets sent (None: the row is gone)."""
        with self._writing() as s:
            s.execute(update(OutboxRecord).where(OutboxRecord.pk == entry.pk)
                      .values(attempts=OutboxRecord.attempts + 1))
            r = s.get(OutboxRecord, entry.pk, populate_existing=True)
            if r is None:
                return None
            return OutboxEntry(r.pk, r.client_id, r.kind, r.submission_id, dict(r.payload),
                               r.base_revision, r.attempts, r.last_error)

    def push_failed(self, entry: OutboxEntry, message: str) -> None:
        with self._writing() as s:
            s.execute(update(OutboxRecord).where(OutboxRecord.pk == entry.pk)
                      .values(last_error=message[:1000]))

    def push_applied(self, entry: OutboxEntry, revision: int) -> None:
        """The hub took the change: drop the row, follow the hub's revision, and base the
        rows made on the same revision on the new one."""
        with self._writing() as s:
            s.execute(delete(OutboxRecord).where(OutboxRecord.pk == entry.pk))
            record = s.scalar(select(SubmissionRecord).where(
                SubmissionRecord.id == entry.submission_id))
            if record is None:
                return
            s.execute(update(OutboxRecord).where(
                OutboxRecord.submission_id == entry.submission_id,
                OutboxRecord.base_revision == entry.base_revision)
                .values(base_revision=revision))
            record.revision = max(record.revision, revision)
            if entry.kind == "judgment":
                criterion = entry.payload.get("criterion")
                s.execute(update(JudgmentRecord).where(
                    JudgmentRecord.submission_pk == record.pk,
                    JudgmentRecord.criterion_key == criterion).values(
                        remote_revision=func.coalesce(JudgmentRecord.remote_revision, 0) + 1))
            if entry.kind == "credential" and record.state == State.SIGNED.value:
                audit = _AuditWriter(s, self._clock())
                audit.append(SYSTEM_ACTOR, Action.PUBLISH, record.id, State.SIGNED,
                             State.PUBLISHED, {"credential": entry.payload.get("id")})
                record.state = State.PUBLISHED.value

    def push_stale(self, entry: OutboxEntry, hub_copy: dict[str, Any] | None) -> bool:
        """The hub answered 409 stale revision. If nobody else touched what this change
        touches, rebase it on the hub's revision and keep it queued (True). Otherwise
        move it into a conflict, both versions kept (False)."""
        revision = _hub_revision(hub_copy)
        with self._writing() as s:
            record = s.scalar(select(SubmissionRecord).where(
                SubmissionRecord.id == entry.submission_id))
            if record is None or revision is None:
                self._to_conflict(s, entry, None, "", revision or entry.base_revision,
                                  subject=_subject(entry))
                return False
            theirs, author, clean = _compare(s, record, entry, hub_copy or {})
            if clean:
                s.execute(update(OutboxRecord).where(
                    OutboxRecord.submission_id == entry.submission_id,
                    OutboxRecord.base_revision <= entry.base_revision)
                    .values(base_revision=revision))
                return True
            self._to_conflict(s, entry, theirs, author, revision, subject=_subject(entry))
            return False

    def push_refused(self, entry: OutboxEntry, message: str) -> None:
        """The hub said no for good (e.g. the submission was reassigned): keep the change as
        a conflict the user sees, so the outbox is not blocked and nothing is lost."""
        with self._writing() as s:
            self._to_conflict(s, entry, {"refused": message[:1000]}, "the hub",
                              entry.base_revision, subject=_subject(entry))

    def _to_conflict(self, s: Session, entry: OutboxEntry, theirs: dict[str, Any] | None,
                     author: str, revision: int, *, subject: str) -> None:
        s.execute(delete(OutboxRecord).where(OutboxRecord.pk == entry.pk))
        s.add(ConflictRecord(id=str(uuid.uuid4()), submission_id=entry.submission_id,
                             kind=entry.kind, subject=subject,
                             mine=entry.payload | {"_client_id": entry.client_id},
                             theirs=theirs, theirs_author=author, hub_revision=revision,
                             created_at=self._clock(), resolved_at=None, resolution=""))

    # -- conflicts ----------------------------------------------------------------------

    def conflicts(self, *, open_only: bool = True,
                  submission_id: str | None = None) -> list[Conflict]:
        with self._reading() as s:
            query = select(ConflictRecord).order_by(ConflictRecord.created_at)
            if open_only:
                query = query.where(ConflictRecord.resolved_at.is_(None))
            if submission_id is not None:
                query = query.where(ConflictRecord.submission_id == submission_id)
            return [_conflict_value(r) for r in s.scalars(query)]

    def open_conflict_count(self) -> int:
        with self._reading() as s:
            return s.scalar(select(func.count()).select_from(ConflictRecord).where(
                ConflictRecord.resolved_at.is_(None))) or 0

    def resolve(self, conflict_id: str, choice: str, actor: Actor, *,
                comment: str | None = None, level: str | None = None) -> Conflict:
        """Settle a conflict: ``mine`` sends my version again (on the hub's revision),
        ``theirs`` takes the hub's, ``merge`` (judgments) sends ``level`` and the merged
        ``comment``. Recorded in the audit log."""
        if choice not in ("mine", "theirs", "merge"):
            raise ValidationError("Choose keep mine, take theirs or merge.")
        with self._writing() as s:
            row = s.get(ConflictRecord, conflict_id)
            if row is None:
                raise NotFoundError("That conflict is not in the store.")
            if row.resolved_at is not None:
                raise ValidationError("That conflict was already resolved.")
            record = _load(s, row.submission_id)
            now = self._clock()
            mine = {k: v for k, v in row.mine.items() if k != "_client_id"}
            theirs = row.theirs
            refused = theirs is not None and "refused" in theirs
            if choice == "merge" and (row.kind != "judgment" or refused):
                raise ValidationError("Only two judgments of one criterion can be merged.")
            if row.kind == "judgment" and not refused:
                self._resolve_judgment(s, record, row, mine, choice, comment, level, actor, now)
            elif choice == "mine":
                _enqueue_at(s, now, row.kind, record.id, mine, row.hub_revision)
            elif theirs is not None and isinstance(theirs.get("state"), str) \
                    and row.kind in STATE_KINDS:
                target = State(theirs["state"])
                _AuditWriter(s, now).append(actor, Action.HUB_UPDATE, record.id,
                                            State(record.state), target, {"conflict": row.id})
                record.state = target.value
            record.revision = max(record.revision, row.hub_revision)
            row.resolved_at = now
            row.resolution = choice
            _AuditWriter(s, now).append(actor, Action.RESOLVE, record.id, None, None, {
                "conflict": row.id, "kind": row.kind, "subject": row.subject,
                "choice": choice})
            s.flush()
            return _conflict_value(row)

    def _resolve_judgment(self, s: Session, record: SubmissionRecord, row: ConflictRecord,
                          mine: dict[str, Any], choice: str, comment: str | None,
                          level: str | None, actor: Actor, now: datetime) -> None:
        theirs = row.theirs or {}
        criterion = row.subject
        their_revision = theirs.get("revision") if isinstance(theirs.get("revision"),
                                                              int) else None
        if choice == "theirs":
            if row.theirs is None:
                s.execute(delete(JudgmentRecord).where(
                    JudgmentRecord.submission_pk == record.pk,
                    JudgmentRecord.criterion_key == criterion))
                return
            _write_judgment(s, record.pk, criterion, theirs.get("level"),
                            str(theirs.get("comment") or ""), _pins(theirs.get("pins")),
                            row.theirs_author or "hub", now, their_revision)
            return
        payload = dict(mine)
        if choice == "merge":
            rubric = self._store._rubric_in(s, record.rubric_key, record.rubric_version)
            chosen = level if level is not None else mine.get("level")
            if chosen is not None:
                rubric.criterion(criterion).level(chosen)
            payload["level"] = chosen
            payload["comment"] = comment if comment is not None else mine.get("comment", "")
        payload["at"] = now.isoformat()
        payload["author"] = actor.user_id
        _write_judgment(s, record.pk, criterion, payload.get("level"),
                        str(payload.get("comment") or ""), _pins(payload.get("pins")),
                        actor.user_id, now, their_revision)
        _enqueue_at(s, now, "judgment", record.id, payload, row.hub_revision)

    # -- what the status bar says -------------------------------------------------------

    def waiting_count(self) -> int:
        with self._reading() as s:
            return s.scalar(select(func.count()).select_from(OutboxRecord)) or 0


@dataclass(frozen=True)
class _Waiting:
    kinds: set[str]
    criteria: set[str]
    conflicted: set[str]
    state_conflict: bool


def _waiting(s: Session, submission_id: str) -> _Waiting:
    kinds: set[str] = set()
    criteria: set[str] = set()
    for kind, payload in s.execute(select(OutboxRecord.kind, OutboxRecord.payload).where(
            OutboxRecord.submission_id == submission_id)):
        kinds.add(kind)
        if kind == "judgment" and isinstance(payload.get("criterion"), str):
            criteria.add(payload["criterion"])
    conflicted: set[str] = set()
    state_conflict = False
    for kind, subject in s.execute(select(ConflictRecord.kind, ConflictRecord.subject).where(
            ConflictRecord.submission_id == submission_id,
            ConflictRecord.resolved_at.is_(None))):
        if kind == "judgment":
            conflicted.add(subject)
        elif kind in STATE_KINDS:
            state_conflict = True
    return _Waiting(kinds, criteria, conflicted, state_conflict)


def _new_notes(s: Session, fresh: list[RemoteSubmission], pks: dict[str, int],
               now: datetime) -> list[dict[str, Any]]:
    """Feedback rows of new submissions (a note id already held elsewhere is skipped)."""
    note_ids = [n.id for r in fresh for n in r.feedback]
    taken = set(s.scalars(select(FeedbackRecord.id).where(FeedbackRecord.id.in_(note_ids)))
                ) if note_ids else set()
    roles = {role.value for role in Role}
    notes = []
    for r in fresh:
        mine: set[str] = set()
        for n in r.feedback:
            if n.id in taken or n.id in mine:
                continue
            notes.append({"id": n.id, "submission_pk": pks[r.submission.id],
                          "criterion_key": n.criterion,
                          "parent_id": n.parent_id if n.parent_id in mine else None,
                          "author": n.author_id or "hub",
                          "role": n.author_role if n.author_role in roles
                          else Role.SYSTEM.value,
                          "visibility": Visibility(n.visibility).value, "body": n.body,
                          "at": n.at or now})
            mine.add(n.id)
    return notes


def _remember_people(s: Session, page: ChangesPage) -> None:
    """Keep the names the page gives user ids (the newest name wins)."""
    people = {p.id: p for r in page.submissions for p in r.people}
    for person in people.values():
        _remember_person(s, person.id, person.name, person.role)


def _remember_person(s: Session, user_id: str, name: str, role: str = "") -> None:
    row = s.get(PersonRecord, user_id)
    if row is None:
        s.add(PersonRecord(id=user_id, display_name=name, role=role))
    else:
        row.display_name, row.role = name, role or row.role


def _has_local_work(s: Session, submission_id: str) -> bool:
    waiting = _waiting(s, submission_id)
    return bool(waiting.kinds or waiting.conflicted or waiting.state_conflict)


def _write_judgment(s: Session, submission_pk: int, criterion: str, level: str | None,
                    comment: str, pins: tuple[Pin, ...], author: str, at: datetime,
                    remote_revision: int | None) -> None:
    local = s.get(JudgmentRecord, (submission_pk, criterion))
    if local is None:
        s.add(JudgmentRecord(submission_pk=submission_pk, criterion_key=criterion,
                             level_key=level, comment=comment, author=author, at=at,
                             revision=1, remote_revision=remote_revision))
    else:
        local.level_key, local.comment, local.author, local.at = level, comment, author, at
        local.revision += 1
        local.remote_revision = remote_revision
    s.flush()
    s.execute(delete(PinRecord).where(PinRecord.submission_pk == submission_pk,
                                      PinRecord.criterion_key == criterion))
    if pins:
        s.execute(insert(PinRecord), [
            convert.pin_row(pin, i) | {"submission_pk": submission_pk,
                                       "criterion_key": criterion}
            for i, pin in enumerate(pins)])


def _pins(data: Any) -> tuple[Pin, ...]:
    return parse_pins(data)


def _judgment_json(remote: RemoteJudgment) -> dict[str, Any]:
    return {"criterion": remote.criterion, "level": remote.level, "comment": remote.comment,
            "pins": [convert.pin_json(p) for p in remote.pins], "revision": remote.revision,
            "author": remote.author_id,
            "at": remote.at.isoformat() if remote.at else None}


def _enqueue_at(s: Session, now: datetime, kind: str, submission_id: str,
                payload: dict[str, Any], base_revision: int) -> None:
    s.execute(insert(OutboxRecord).values(
        client_id=str(uuid.uuid4()), kind=kind, submission_id=submission_id,
        payload=payload, base_revision=base_revision, created_at=now, attempts=0,
        last_error=""))


def _hub_revision(hub_copy: dict[str, Any] | None) -> int | None:
    if not isinstance(hub_copy, dict):
        return None
    revision = hub_copy.get("revision")
    return revision if isinstance(revision, int) and not isinstance(revision, bool) else None


def _subject(entry: OutboxEntry) -> str:
    if entry.kind in ("judgment", "second_mark"):
        return str(entry.payload.get("criterion", ""))[:200]
    if entry.kind == "feedback":
        return str(entry.payload.get("id", ""))[:200]
    return "state"


def _their_judgment(hub_copy: dict[str, Any], criterion: str) -> dict[str, Any] | None:
    for item in hub_copy.get("judgments") or []:
        if isinstance(item, dict) and item.get("criterion") == criterion:
            author = item.get("author")
            return {"criterion": criterion, "level": item.get("level"),
                    "comment": item.get("comment", ""), "pins": item.get("pins") or [],
                    "revision": item.get("revision"),
                    "author": author.get("id") if isinstance(author, dict) else None,
                    "author_name": author.get("display_name")
                    if isinstance(author, dict) else None,
                    "at": item.get("judged_at")}
    return None


def _compare(s: Session, record: SubmissionRecord, entry: OutboxEntry,
             hub_copy: dict[str, Any]) -> tuple[dict[str, Any] | None, str, bool]:
    """(theirs, their author, whether the change can simply be rebased)."""
    if entry.kind == "feedback":
        return None, "", True  # notes are added, never overwritten
    if entry.kind == "judgment":
        criterion = str(entry.payload.get("criterion"))
        theirs = _their_judgment(hub_copy, criterion)
        local = s.get(JudgmentRecord, (record.pk, criterion))
        known = local.remote_revision if local is not None else None
        their_revision = theirs.get("revision") if theirs else None
        author = str(theirs.get("author") or "") if theirs else ""
        name = theirs.get("author_name") if theirs else None
        if author and isinstance(name, str) and name.strip():
            _remember_person(s, author, name.strip()[:300])
        return theirs, author, their_revision == known
    hub_state = hub_copy.get("state")
    theirs = {"state": hub_state, "revision": hub_copy.get("revision"),
              "decisions": hub_copy.get("decisions", [])}
    if entry.kind == "decision":
        hub_levels = {j.get("criterion"): j.get("level")
                      for j in hub_copy.get("judgments") or [] if isinstance(j, dict)}
        mine = dict(s.execute(select(JudgmentRecord.criterion_key, JudgmentRecord.level_key)
                              .where(JudgmentRecord.submission_pk == record.pk)).all())
        clean = hub_state in (State.PENDING.value, State.IN_REVIEW.value) \
            and all(hub_levels.get(k) == v for k, v in mine.items())
        return theirs, "", clean
    if entry.kind in ("moderation", "second_mark"):
        return theirs, "", hub_state == State.AWAITING_MODERATION.value
    if entry.kind == "credential":
        return theirs, "", hub_state in (State.APPROVED.value, State.SIGNED.value)
    return theirs, "", False


def _conflict_value(row: ConflictRecord) -> Conflict:
    return Conflict(id=row.id, submission_id=row.submission_id, kind=row.kind,
                    subject=row.subject,
                    mine={k: v for k, v in row.mine.items() if k != "_client_id"},
                    theirs=row.theirs, theirs_author=row.theirs_author,
                    hub_revision=row.hub_revision, created_at=row.created_at,
                    resolved_at=row.resolved_at, resolution=row.resolution)


def conflict_text(conflict: Conflict) -> str:
    """One line for ``sync status``."""
    return f"{conflict.id[:8]}  {conflict.submission_id}  {conflict.summary}"


