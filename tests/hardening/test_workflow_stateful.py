"""A Hypothesis state machine over the desktop workflow, on a real SQLite store file.

Three people act on three submissions (two assigned to the assessor, one to another
assessor) in any order: the assessor, a mentor and a moderator judge (with and without
evidence pins, clearing levels too), comment, request resubmission, approve (sampled for
moderation or not), second-mark, agree or return, sign; the hub acknowledges or refuses
outbox rows. After every step:

* no submission is in an illegal state: every state is one of the workflow's, a decided
  submission has every criterion judged and (when approved) meets the mastery rule, a
  resubmission request has learner feedback on every unmet required criterion, a signed
  or published one holds its signed credential;
* a refused operation (``WorkflowError``, ``ValidationError``, ``NotFoundError``) changed
  nothing at all in the database, and nothing else is ever raised;
* an accepted operation made only a transition the workflow allows, by a role allowed to
  make it, and wrote its audit event and its outbox row(s) in the same transaction; no
  queued outbox row is lost;
* the audit chain verifies, and replaying its transitions gives every submission's state.

Attack answered: a malicious or mistaken user (a mentor or moderator trying to judge, an
assessor deciding or signing out of turn) driving the core in an unforeseen order.
"""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from assessor.demo import RUBRICS, TEMPLATES, generate_submissions
from assessor.domain.feedback import Outcome, Visibility
from assessor.domain.judgment import DocumentPin, JudgmentDraft, Rect
from assessor.domain.people import Actor, Role
from assessor.domain.states import State
from assessor.errors import NotFoundError, ValidationError, WorkflowError
from assessor.paths import AppPaths
from assessor.store.database import open_database
from assessor.store.second_marks import SecondMarks
from assessor.store.store import Store
from assessor.store.sync_store import OutboxEntry, SyncStore

pytestmark = pytest.mark.slow

ASSESSOR = Actor("demo-assessor", "Dana Assessor", Role.ASSESSOR)
OTHER = Actor("other-assessor", "Omar Other", Role.ASSESSOR)
MENTOR = Actor("mentor-1", "Mere Mentor", Role.MENTOR)
MODERATOR = Actor("moderator-1", "Moana Moderator", Role.MODERATOR)
ACTORS = (ASSESSOR, OTHER, MENTOR, MODERATOR)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
REFUSALS = (WorkflowError, ValidationError, NotFoundError)
LEVELS = ("not-yet", "developing", "proficient", "exemplary")
SAFETY, CARE, OTHERS = "demo-7-000000", "demo-7-000001", "demo-7-000002"
SUBMISSIONS = (SAFETY, CARE, OTHERS, "no-such-submission")
CRITERIA = ("hazard-id", "controls", "reporting", "listening", "resolution", "no-such")
CRITERIA_OF = {SAFETY: ("hazard-id", "controls", "reporting"),
               CARE: ("listening", "resolution"), OTHERS: ("hazard-id", "controls", "reporting")}
ASSIGNED = {SAFETY: ASSESSOR, CARE: ASSESSOR, OTHERS: OTHER}
DECIDED = {State.AWAITING_MODERATION, State.APPROVED, State.SIGNED, State.PUBLISHED}
TEXT = st.sampled_from(["", "  ", "Clear and calm.", "]]> <b>markup</b> & \u202e", "ok"])

ALLOWED: dict[str, tuple[set[Role], set[tuple[State, State]]]] = {
    "judge": ({Role.ASSESSOR}, {(State.PENDING, State.IN_REVIEW),
                                (State.IN_REVIEW, State.IN_REVIEW)}),
    "comment": ({Role.ASSESSOR, Role.MENTOR, Role.MODERATOR},
                {(state, state) for state in State}),
    "approve": ({Role.ASSESSOR}, {(State.IN_REVIEW, State.APPROVED),
                                  (State.IN_REVIEW, State.AWAITING_MODERATION)}),
    "resubmit": ({Role.ASSESSOR}, {(State.IN_REVIEW, State.RESUBMISSION_REQUESTED)}),
    "second_mark": ({Role.MODERATOR}, {(State.AWAITING_MODERATION,
                                        State.AWAITING_MODERATION)}),
    "moderate": ({Role.MODERATOR}, {(State.AWAITING_MODERATION, State.APPROVED),
                                    (State.AWAITING_MODERATION, State.IN_REVIEW)}),
    "sign": ({Role.ASSESSOR}, {(State.APPROVED, State.SIGNED)}),
}
"""Who may do what, and the (before, after) states an accepted operation may produce."""
OUTBOX_KIND = {"judge": "judgment", "comment": "feedback", "approve": "decision",
               "resubmit": "decision", "second_mark": "second_mark",
               "moderate": "moderation", "sign": "credential"}

def _seed_store(home: AppPaths) -> None:
    """The store every run of the machine starts from (copied, not rebuilt, per run)."""
    store = Store(open_database(home.store, home.backups))
    for rubric in RUBRICS:
        store.put_rubric(rubric)
    for template in TEMPLATES:
        store.put_template(template)
    mine = list(generate_submissions(3, assessor_id=ASSESSOR.user_id, now=NOW))
    store.receive([*mine[:2], dataclasses.replace(mine[2], assigned_to=OTHER.user_id)])
    store.close()


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: what "nothing changed" compares."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(),
                              key=repr) for table in tables}
    finally:
        connection.close()


class WorkflowMachine(RuleBasedStateMachine):
    seeded: Path
    """The seeded store's folder (set by the test)."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="assessor-machine-"))
        shutil.copytree(self.seeded, self.folder, dirs_exist_ok=True)
        paths = AppPaths(self.folder)
        self.store = Store(open_database(paths.store, paths.backups))
        self.store_file = paths.store
        self.sync = SyncStore(self.store)
        self.marks = SecondMarks(self.store)
        self.signed = 0
        self.accepted: dict[str, int] = {}

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- running one operation -------------------------------------------------------

    def _state(self, submission_id: str) -> State | None:
        try:
            return self.store.submission(submission_id).state
        except NotFoundError:
            return None

    def _attempt(self, name: str, submission_id: str, actor: Actor,
                 operation: Any) -> bool:
        """Run ``operation``; a refusal must change nothing, an acceptance must be a legal
        transition with its audit event and outbox row."""
        before_rows = _rows(self.store_file)
        before_outbox = self.sync.outbox()
        before_state = self._state(submission_id)
        try:
            operation()
        except REFUSALS as refusal:
            assert str(refusal).strip(), f"{name}: a refusal without a message"
            assert _rows(self.store_file) == before_rows, f"{name} was refused but " \
                f"changed the store ({refusal})"
            return False
        after_rows = _rows(self.store_file)
        after_state = self._state(submission_id)
        roles, transitions = ALLOWED[name]
        assert actor.role in roles, f"{name} was accepted from a {actor.role}"
        assert before_state is not None and after_state is not None
        assert (before_state, after_state) in transitions, \
            f"{name} moved {submission_id} from {before_state} to {after_state}"
        assert len(after_rows["audit_events"]) > len(before_rows["audit_events"]), \
            f"{name} was accepted without an audit event"
        self._check_outbox(name, before_outbox, self.sync.outbox())
        self.accepted[name] = self.accepted.get(name, 0) + 1
        return True

    def _check_outbox(self, name: str, before: list[OutboxEntry],
                      after: list[OutboxEntry]) -> None:
        """No queued row is lost; the operation queued (or updated, for an edit not yet
        sent) a row of its own kind."""
        assert {e.client_id for e in before} <= {e.client_id for e in after}, \
            f"{name} lost queued outbox rows"
        changed = [entry for entry in after if entry not in before]
        assert changed, f"{name} was accepted without an outbox row"
        assert OUTBOX_KIND[name] in {e.kind for e in changed}, changed
        assert {e.kind for e in changed} <= {OUTBOX_KIND[name], "feedback"}, changed

    # -- rules -----------------------------------------------------------------------

    @rule(submission=st.sampled_from(SUBMISSIONS), actor=st.sampled_from(ACTORS),
          criterion=st.sampled_from(CRITERIA), level=st.none() | st.sampled_from(LEVELS),
          comment=TEXT, pin=st.sampled_from([None, 0, 1, "ev-missing"]))
    def judge(self, submission: str, actor: Actor, criterion: str, level: str | None,
              comment: str, pin: int | str | None) -> None:
        pins: tuple[DocumentPin, ...] = ()
        if pin is not None:
            evidence = pin if isinstance(pin, str) else f"ev-{submission[-6:]}-{pin}"
            pins = (DocumentPin(evidence, 0, Rect(0.1, 0.1, 0.3, 0.2), "see here"),)
        draft = JudgmentDraft(criterion, level, comment, pins)
        self._attempt("judge", submission, actor,
                      lambda: self.store.record_judgment(submission, draft, actor))

    @rule(submission=st.sampled_from(SUBMISSIONS), actor=st.sampled_from(ACTORS), body=TEXT,
          visibility=st.sampled_from(list(Visibility)),
          criterion=st.none() | st.sampled_from(CRITERIA))
    def comment(self, submission: str, actor: Actor, body: str, visibility: Visibility,
                criterion: str | None) -> None:
        self._attempt("comment", submission, actor, lambda: self.store.add_feedback(
            submission, actor, body, visibility, criterion_key=criterion))

    @rule(submission=st.sampled_from(SUBMISSIONS), actor=st.sampled_from(ACTORS),
          moderation=st.booleans(), note=TEXT)
    def approve(self, submission: str, actor: Actor, moderation: bool, note: str) -> None:
        self._attempt("approve", submission, actor, lambda: self.store.decide(
            submission, actor, Outcome.APPROVE, note=note, needs_moderation=moderation))

    @rule(submission=st.sampled_from(SUBMISSIONS), actor=st.sampled_from(ACTORS),
          feedback=st.dictionaries(st.sampled_from(CRITERIA), TEXT, max_size=3), note=TEXT)
    def request_resubmission(self, submission: str, actor: Actor, feedback: dict[str, str],
                             note: str) -> None:
        self._attempt("resubmit", submission, actor, lambda: self.store.request_resubmission(
            submission, actor, feedback, note=note))

    @rule(submission=st.sampled_from(SUBMISSIONS), actor=st.sampled_from(ACTORS),
          criterion=st.sampled_from(CRITERIA), level=st.sampled_from(LEVELS), comment=TEXT)
    def second_mark(self, submission: str, actor: Actor, criterion: str, level: str,
                    comment: str) -> None:
        self._attempt("second_mark", submission, actor, lambda: self.marks.record(
            submission, criterion, level, actor, comment=comment))

    @rule(submission=st.sampled_from(SUBMISSIONS), actor=st.sampled_from(ACTORS),
          agree=st.booleans(), note=TEXT)
    def moderate(self, submission: str, actor: Actor, agree: bool, note: str) -> None:
        self._attempt("moderate", submission, actor, lambda: self.marks.moderate(
            submission, actor, agree=agree, note=note))

    @rule(submission=st.sampled_from(SUBMISSIONS), actor=st.sampled_from(ACTORS),
          with_id=st.booleans())
    def sign(self, submission: str, actor: Actor, with_id: bool) -> None:
        self.signed += 1
        credential: dict[str, Any] = {"proof": {"proofValue": "z-test"}, "name": "Badge"}
        if with_id:
            credential["id"] = f"urn:uuid:credential-{self.signed}"
        self._attempt("sign", submission, actor, lambda: self.store.record_signed(
            submission, actor, credential, "key-1"))

    # The same operations along the paths people take (by whoever the submission belongs
    # to), so that sequences reach decisions, moderation and signing, not only refusals.

    def _pick(self, data: st.DataObject, *states: State) -> str:
        """A submission in one of ``states`` when there is one (else any)."""
        ready = [sub for sub in (SAFETY, CARE, OTHERS) if self._state(sub) in states]
        return data.draw(st.sampled_from(ready or [SAFETY, CARE, OTHERS]), label="submission")

    @rule(data=st.data(), level=st.sampled_from(["proficient", "exemplary", "developing"]))
    def the_assigned_assessor_judges_every_criterion(self, data: st.DataObject,
                                                     level: str) -> None:
        submission = self._pick(data, State.PENDING, State.IN_REVIEW)
        actor = ASSIGNED[submission]
        for criterion in CRITERIA_OF[submission]:
            draft = JudgmentDraft(criterion, level, "Judged.")
            self._attempt("judge", submission, actor,
                          lambda d=draft: self.store.record_judgment(submission, d, actor))

    @rule(data=st.data(), approve=st.sampled_from([True, True, False]),
          moderation=st.booleans())
    def the_assigned_assessor_decides(self, data: st.DataObject, approve: bool,
                                      moderation: bool) -> None:
        submission = self._pick(data, State.IN_REVIEW)
        actor = ASSIGNED[submission]
        if approve:
            self._attempt("approve", submission, actor, lambda: self.store.decide(
                submission, actor, Outcome.APPROVE, needs_moderation=moderation))
        else:
            feedback = {criterion: "Show this again." for criterion in CRITERIA_OF[submission]}
            self._attempt("resubmit", submission, actor, lambda: self.store.request_resubmission(
                submission, actor, feedback, note="Try again."))

    @rule(data=st.data(), level=st.sampled_from(LEVELS), agree=st.booleans(),
          marks=st.integers(0, 3))
    def the_moderator_marks_and_moderates(self, data: st.DataObject, level: str, agree: bool,
                                          marks: int) -> None:
        submission = self._pick(data, State.AWAITING_MODERATION)
        for criterion in CRITERIA_OF[submission][:marks]:
            self._attempt("second_mark", submission, MODERATOR, lambda c=criterion: (
                self.marks.record(submission, c, level, MODERATOR)))
        self._attempt("moderate", submission, MODERATOR, lambda: self.marks.moderate(
            submission, MODERATOR, agree=agree, note="" if agree else "Look again."))

    @rule(data=st.data())
    def the_assigned_assessor_signs(self, data: st.DataObject) -> None:
        self.the_assigned_assessor_signs_this(self._pick(data, State.APPROVED))

    @rule(data=st.data(), moderation=st.booleans(), agree=st.booleans())
    def a_whole_review(self, data: st.DataObject, moderation: bool, agree: bool) -> None:
        """Judge to mastery, approve, moderate when sampled, sign: each step checked."""
        submission = self._pick(data, State.PENDING, State.IN_REVIEW)
        actor = ASSIGNED[submission]
        for criterion in CRITERIA_OF[submission]:
            draft = JudgmentDraft(criterion, "exemplary")
            self._attempt("judge", submission, actor,
                          lambda d=draft: self.store.record_judgment(submission, d, actor))
        self._attempt("approve", submission, actor, lambda: self.store.decide(
            submission, actor, Outcome.APPROVE, needs_moderation=moderation))
        if moderation:
            for criterion in CRITERIA_OF[submission]:
                self._attempt("second_mark", submission, MODERATOR, lambda c=criterion: (
                    self.marks.record(submission, c, "proficient", MODERATOR)))
            self._attempt("moderate", submission, MODERATOR, lambda: self.marks.moderate(
                submission, MODERATOR, agree=agree, note="" if agree else "Look again."))
        self.the_assigned_assessor_signs_this(submission)

    def the_assigned_assessor_signs_this(self, submission: str) -> None:
        self.signed += 1
        credential = {"id": f"urn:uuid:signed-{self.signed}", "proof": {"proofValue": "z"}}
        actor = ASSIGNED[submission]
        self._attempt("sign", submission, actor, lambda: self.store.record_signed(
            submission, actor, credential, "key-1"))

    @precondition(lambda self: self.store.outbox_count() > 0)
    @rule(accept=st.booleans())
    def hub_answers_the_oldest_push(self, accept: bool) -> None:
        """The hub applies the oldest queued row (revision + 1) or refuses it for good."""
        entry = self.sync.outbox(limit=1)[0]
        before_state = self._state(entry.submission_id)
        self.sync.mark_sending(entry)
        if accept:
            self.sync.push_applied(entry, entry.base_revision + 1)
        else:
            self.sync.push_refused(entry, "The submission was reassigned.")
        assert entry.client_id not in {e.client_id for e in self.sync.outbox()}
        after_state = self._state(entry.submission_id)
        if accept and entry.kind == "credential" and before_state is State.SIGNED:
            assert after_state is State.PUBLISHED
        else:
            assert after_state == before_state
        if not accept:
            assert any(c.kind == entry.kind for c in self.sync.conflicts(
                submission_id=entry.submission_id))

    # -- invariants ------------------------------------------------------------------

    @invariant()
    def the_audit_chain_verifies(self) -> None:
        report = self.store.verify_audit()
        assert report.ok, str(report)

    @invariant()
    def replaying_the_audit_gives_every_state(self) -> None:
        replayed: dict[str, str] = {}
        for event in self.store.audit_events():
            if event.submission_id is not None and event.to_state is not None:
                if event.from_state is not None:
                    assert replayed.get(event.submission_id) == event.from_state, event
                replayed[event.submission_id] = event.to_state
        for submission in (SAFETY, CARE, OTHERS):
            assert replayed[submission] == self.store.submission(submission).state.value

    @invariant()
    def no_submission_is_in_an_illegal_state(self) -> None:
        for submission in (SAFETY, CARE, OTHERS):
            state = self.store.submission(submission).state
            assert state in set(State)
            mastery = self.store.mastery(submission)
            if state in DECIDED:
                assert not mastery.unjudged and mastery.mastered, (submission, state, mastery)
            if state is State.RESUBMISSION_REQUESTED:
                assert not mastery.unjudged
                covered = {n.criterion_key for n in self.store.feedback(submission)
                           if n.visibility is Visibility.LEARNER}
                assert set(mastery.unmet_required) <= covered
            if state in (State.SIGNED, State.PUBLISHED):
                assert self.store.signed_credentials(submission)

    @invariant()
    def every_outbox_row_names_a_submission_and_a_known_kind(self) -> None:
        known = set(OUTBOX_KIND.values())
        for entry in self.sync.outbox():
            assert entry.kind in known and entry.submission_id in SUBMISSIONS[:3], entry


def test_no_sequence_of_operations_breaks_the_workflow(tmp_path: Path) -> None:
    seeded = AppPaths(tmp_path / "seeded").ensure()
    _seed_store(seeded)
    WorkflowMachine.seeded = seeded.home
    run_state_machine_as_test(WorkflowMachine, settings=settings(
        max_examples=15, stateful_step_count=25, deadline=None, database=None,
        derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.filter_too_much]))
