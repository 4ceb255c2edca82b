"""Store operations: judgments, feedback, decisions, outbox rows and their audit events."""

from __future__ import annotations

from typing import Any

import pytest

from assessor.demo import CARE_RUBRIC, SAFETY_TEMPLATE, generate_submissions
from assessor.domain.feedback import Outcome, Visibility
from assessor.domain.judgment import DocumentPin, ImagePin, JudgmentDraft, MediaPin, Rect
from assessor.domain.rubric import Rubric
from assessor.domain.states import State
from assessor.errors import NotFoundError, ValidationError, WorkflowError
from tests.core.helpers import ASSESSOR, MENTOR, MODERATOR, NOW, care_id, seeded_store


@pytest.fixture
def store(home, clock):
    store = seeded_store(home, count=6, clock=clock)
    yield store
    store.close()


def fake_signed(credential_id: str) -> dict[str, Any]:
    """Stands in for a signed credential: the store keeps whatever JSON was signed."""
    return {"id": credential_id, "type": ["VerifiableCredential"], "proof": {"proofValue": "z1"}}


def judge_all(store, submission_id, levels):
    for key, level in levels.items():
        store.record_judgment(submission_id, JudgmentDraft(key, level), ASSESSOR)


def test_a_judgment_round_trips_with_its_comment_and_pins(store) -> None:
    sub = store.submission(care_id(0))
    evidence = sub.evidence[0].id
    pins = (
        DocumentPin(evidence, 2, Rect(0.1, 0.2, 0.3, 0.1), "the register's east bay row"),
        ImagePin(evidence, Rect(0, 0, 1, 1)),
        MediaPin(evidence, 1500, 9000, "asks the customer to confirm"),
    )
    saved = store.record_judgment(
        sub.id, JudgmentDraft("listening", "proficient", "Confirms the need twice.", pins),
        ASSESSOR)
    assert saved.revision == 1 and saved.author == ASSESSOR.user_id
    again = store.judgments(sub.id)["listening"]
    assert again == saved
    assert again.pins == pins


def test_first_judgment_opens_the_review_and_edits_bump_the_revision(store) -> None:
    assert store.submission(care_id(0)).state is State.PENDING
    store.record_judgment(care_id(0), JudgmentDraft("listening", "developing"), ASSESSOR)
    assert store.submission(care_id(0)).state is State.IN_REVIEW
    edited = store.record_judgment(care_id(0), JudgmentDraft("listening", "proficient"),
                                   ASSESSOR)
    assert edited.revision == 2
    assert store.judgments(care_id(0))["listening"].level_key == "proficient"


def test_unsent_edits_of_one_criterion_wait_as_a_single_outbox_change(store) -> None:
    for level in ("not-yet", "developing", "proficient"):
        store.record_judgment(care_id(0), JudgmentDraft("listening", level), ASSESSOR)
    store.record_judgment(care_id(0), JudgmentDraft("resolution", "proficient"), ASSESSOR)
    assert store.outbox_count() == 2


def test_an_edit_made_while_its_row_is_picked_for_sending_is_what_gets_sent(store) -> None:
    """Sync reads the oldest row, the assessor changes the level (the unsent row takes the
    edit), then sync marks the row as sending: it sends the edit, and an edit after that
    waits in a row of its own, so an acknowledgement never drops a newer level."""
    from assessor.store.sync_store import SyncStore

    sync = SyncStore(store)
    store.record_judgment(care_id(0), JudgmentDraft("listening", "developing"), ASSESSOR)
    [picked] = sync.outbox()
    store.record_judgment(care_id(0), JudgmentDraft("listening", "proficient"), ASSESSOR)
    sending = sync.mark_sending(picked)
    assert sending is not None and sending.payload["level"] == "proficient"
    store.record_judgment(care_id(0), JudgmentDraft("listening", "exemplary"), ASSESSOR)
    sync.push_applied(sending, revision=2)
    [waiting] = sync.outbox()
    assert waiting.payload["level"] == "exemplary" and waiting.attempts == 0


def test_bad_judgments_are_refused_and_leave_nothing_behind(store) -> None:
    before = store.judgments(care_id(0))
    events = len(list(store.audit_events()))
    with pytest.raises(ValidationError, match="no criterion 'charisma'"):
        store.record_judgment(care_id(0), JudgmentDraft("charisma", "proficient"), ASSESSOR)
    with pytest.raises(ValidationError, match="no level 'legendary'"):
        store.record_judgment(care_id(0), JudgmentDraft("listening", "legendary"), ASSESSOR)
    with pytest.raises(ValidationError, match="does not have"):
        store.record_judgment(care_id(0), JudgmentDraft(
            "listening", "proficient", pins=(ImagePin("not-mine", Rect(0, 0, 1, 1)),)), ASSESSOR)
    with pytest.raises(WorkflowError, match="only an assessor can judge"):
        store.record_judgment(care_id(0), JudgmentDraft("listening", "proficient"), MENTOR)
    with pytest.raises(NotFoundError, match="'nope' is not in the store"):
        store.record_judgment("nope", JudgmentDraft("listening", "proficient"), ASSESSOR)
    assert store.judgments(care_id(0)) == before
    assert len(list(store.audit_events())) == events
    assert store.outbox_count() == 0
    assert store.submission(care_id(0)).state is State.PENDING


def test_approve_then_sign_then_publish(store) -> None:
    judge_all(store, care_id(0), {"listening": "proficient", "resolution": "exemplary"})
    decision = store.decide(care_id(0), ASSESSOR, Outcome.APPROVE)
    assert decision.mastered and decision.total == 5
    assert store.submission(care_id(0)).state is State.APPROVED
    with pytest.raises(WorkflowError, match="locked"):
        store.record_judgment(care_id(0), JudgmentDraft("listening", "exemplary"), ASSESSOR)
    signed = fake_signed("urn:uuid:1")
    assert store.record_signed(care_id(0), ASSESSOR, signed, "z6Mk-key") is State.SIGNED
    assert store.signed_credentials(care_id(0)) == [signed]
    assert store.outbox_count() == 4  # two judgments, the decision, the credential
    assert store.mark_published(care_id(0)) is State.PUBLISHED
    actions = [e.action for e in store.audit_events() if e.submission_id == care_id(0)]
    assert actions == ["receive", "open", "judge", "judge", "approve", "sign", "publish"]
    assert store.verify_audit().ok


def test_deciding_early_or_signing_unapproved_is_refused_by_the_store(store) -> None:
    store.record_judgment(care_id(1), JudgmentDraft("listening", "proficient"), ASSESSOR)
    with pytest.raises(WorkflowError, match="Not yet judged: resolution"):
        store.decide(care_id(1), ASSESSOR, Outcome.APPROVE)
    with pytest.raises(WorkflowError, match="Only an approved submission can be signed"):
        store.record_signed(care_id(1), ASSESSOR, fake_signed("urn:uuid:2"), "z6Mk-key")
    assert store.signed_credentials(care_id(1)) == []
    assert store.submission(care_id(1)).state is State.IN_REVIEW
    assert store.decisions(care_id(1)) == []


def test_resubmission_request_with_feedback_threads(store) -> None:
    judge_all(store, care_id(2), {"listening": "developing", "resolution": "proficient"})
    with pytest.raises(WorkflowError, match="Missing for: listening"):
        store.decide(care_id(2), ASSESSOR, Outcome.RESUBMIT)
    internal = store.add_feedback(care_id(2), ASSESSOR, "Check with the team lead.",
                                  Visibility.INTERNAL, criterion_key="listening")
    with pytest.raises(WorkflowError, match="Missing for: listening"):
        store.decide(care_id(2), ASSESSOR, Outcome.RESUBMIT)
    note = store.add_feedback(care_id(2), ASSESSOR, "Repeat the need back before acting.",
                              Visibility.LEARNER, criterion_key="listening")
    reply = store.add_feedback(care_id(2), MENTOR, "I'll practise this with them.",
                               Visibility.INTERNAL, parent_id=note.id)
    store.decide(care_id(2), ASSESSOR, Outcome.RESUBMIT)
    assert store.submission(care_id(2)).state is State.RESUBMISSION_REQUESTED
    thread = store.feedback(care_id(2))
    assert [n.id for n in thread] == [internal.id, note.id, reply.id]
    assert thread[2].parent_id == note.id and thread[2].role.value == "mentor"


def test_feedback_rules(store) -> None:
    with pytest.raises(ValidationError, match="cannot be empty"):
        store.add_feedback(care_id(0), ASSESSOR, "   ", Visibility.LEARNER)
    with pytest.raises(ValidationError, match="not on this submission"):
        other = store.add_feedback(care_id(1), ASSESSOR, "x", Visibility.INTERNAL)
        store.add_feedback(care_id(0), ASSESSOR, "y", Visibility.INTERNAL, parent_id=other.id)


def test_moderation_holds_signing_until_agreed(store) -> None:
    judge_all(store, care_id(0), {"listening": "proficient", "resolution": "exemplary"})
    store.decide(care_id(0), ASSESSOR, Outcome.APPROVE, needs_moderation=True)
    with pytest.raises(WorkflowError, match="waits for the moderator"):
        store.record_signed(care_id(0), ASSESSOR, fake_signed("urn:uuid:3"), "z6Mk-key")
    with pytest.raises(WorkflowError, match="needs a comment"):
        store.moderate(care_id(0), MODERATOR, agree=False)
    assert store.moderate(care_id(0), MODERATOR, agree=True) is State.APPROVED
    assert store.record_signed(care_id(0), ASSESSOR, fake_signed("urn:uuid:3"),
                               "z6Mk-key") is State.SIGNED


def test_a_rubric_version_never_changes_in_place(store) -> None:
    changed = Rubric(CARE_RUBRIC.key, CARE_RUBRIC.version, "Renamed", CARE_RUBRIC.criteria,
                     CARE_RUBRIC.cut_score)
    with pytest.raises(ValidationError, match="needs a new version"):
        store.put_rubric(changed)
    store.put_rubric(CARE_RUBRIC)  # the same content again is fine
    newer = Rubric(CARE_RUBRIC.key, 2, "Customer Communication (2027)", CARE_RUBRIC.criteria,
                   cut_score=4)
    store.put_rubric(newer)
    assert store.rubric(CARE_RUBRIC.key, 1).title == CARE_RUBRIC.title
    assert store.rubric(CARE_RUBRIC.key, 2).cut_score == 4


def test_receiving_is_idempotent_and_checks_the_template(store) -> None:
    again = list(generate_submissions(6, assessor_id=ASSESSOR.user_id, now=NOW))
    assert store.receive(again) == 0
    stray = again[0].__class__(**{**again[0].__dict__, "id": "stray", "template_id": "ghost"})
    with pytest.raises(ValidationError, match="template 'ghost'"):
        store.receive([stray])
    with pytest.raises(NotFoundError):
        store.submission("stray")


def test_review_snapshot_carries_everything_the_screen_needs(store) -> None:
    store.record_judgment(care_id(0), JudgmentDraft("listening", "exemplary"), ASSESSOR)
    snap = store.review(care_id(0))
    assert snap.rubric == CARE_RUBRIC
    assert snap.template.achievement.name == "Customer Communication"
    assert snap.mastery.unjudged == ("resolution",)
    assert snap.why_locked(ASSESSOR) == ""
    assert "Mentors" in snap.why_locked(MENTOR)
    safety = store.review(f"demo-7-{0:06d}")
    assert safety.template == SAFETY_TEMPLATE


def test_a_store_held_by_another_writer_gives_a_clear_error_and_loses_nothing(home) -> None:
    import sqlite3

    from assessor.errors import StoreError
    from assessor.store.database import open_database
    from assessor.store.store import Store

    seeded_store(home, count=2).close()
    impatient = Store(open_database(home.store, home.backups, busy_timeout_ms=150))
    impatient.record_judgment(care_id(0), JudgmentDraft("listening", "developing"), ASSESSOR)
    other = sqlite3.connect(home.store, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    with pytest.raises(StoreError, match="busy.*not saved"):
        impatient.record_judgment(care_id(0), JudgmentDraft("listening", "exemplary"), ASSESSOR)
    other.execute("ROLLBACK")
    other.close()
    assert impatient.judgments(care_id(0))["listening"].level_key == "developing"
    again = impatient.record_judgment(care_id(0), JudgmentDraft("listening", "exemplary"),
                                      ASSESSOR)
    assert again.revision == 2
    assert impatient.verify_audit().ok
    impatient.close()


def test_resubmission_with_its_feedback_is_saved_all_or_nothing(store) -> None:
    judge_all(store, care_id(1), {"listening": "developing", "resolution": "proficient"})
    outbox = store.outbox_count()
    with pytest.raises(WorkflowError, match="Missing for: listening"):
        store.request_resubmission(care_id(1), ASSESSOR, {"resolution": "Fine."})
    with pytest.raises(ValidationError, match="Feedback on .* cannot be empty"):
        store.request_resubmission(care_id(1), ASSESSOR, {"listening": "  "})
    assert store.feedback(care_id(1)) == [] and store.outbox_count() == outbox
    assert store.submission(care_id(1)).state is State.IN_REVIEW

    decision = store.request_resubmission(
        care_id(1), ASSESSOR, {"listening": "Repeat the need back."}, note="Nearly there.")
    assert decision.outcome is Outcome.RESUBMIT and decision.note == "Nearly there."
    notes = store.feedback(care_id(1))
    assert [(n.criterion_key, n.body, n.visibility) for n in notes] == [
        ("listening", "Repeat the need back.", Visibility.LEARNER),
        (None, "Nearly there.", Visibility.LEARNER)]
    assert store.submission(care_id(1)).state is State.RESUBMISSION_REQUESTED
    assert store.outbox_count() == outbox + 3
