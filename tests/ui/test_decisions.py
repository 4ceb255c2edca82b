"""Decisions in the real window: approve (then sign with the real keychain), moderation,
batch signing, request resubmission with learner feedback, and undo/redo of judgments."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from PySide6.QtCore import Qt

from assessor.credentials.verify import verify_credential
from assessor.domain.feedback import Outcome, Visibility
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.states import State
from assessor.keys import KeyCustody
from tests.core.helpers import ASSESSOR, open_store, safety_id
from tests.ui.test_signing_flow import open_submission
from ui.review.decision_flow import SENT_TO_MODERATION

LEVELS = ("not-yet", "developing", "proficient", "exemplary")
PASSING = {"hazard-id": "proficient", "controls": "exemplary", "reporting": "proficient"}


@pytest.fixture
def keys_cleaned(seeded):
    yield seeded
    KeyCustody(seeded.home).delete_all()


def focus(window, qtbot) -> None:
    window.activateWindow()  # offscreen has no window manager to hand activation back
    qtbot.wait_until(window.isActiveWindow, timeout=5_000)
    window.queue.table.setFocus()


def choose(window, qtbot, criterion_key: str, level_key: str) -> None:
    """Choose a level the way the user does: click its button on the card."""
    card = window.rubric.card_for(criterion_key)
    button = card.levels.button(LEVELS.index(level_key))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: card.status.text() == "Saved", timeout=10_000)


def stored(home, submission_id: str):
    store = open_store(home)
    try:
        return store.review(submission_id)
    finally:
        store.close()


def approve_in_store(home, submission_ids) -> None:
    store = open_store(home)
    for submission_id in submission_ids:
        for key, level in PASSING.items():
            store.record_judgment(submission_id, JudgmentDraft(key, level), ASSESSOR)
        store.decide(submission_id, ASSESSOR, Outcome.APPROVE)
    store.close()


def test_approve_is_disabled_and_says_what_is_missing_until_mastery_is_met(
        open_window, seeded, qtbot) -> None:
    window = open_window()
    open_submission(window, qtbot, safety_id(0))
    bar = window.rubric.decision_bar
    assert bar.state_badge.text() == "Not started"
    assert not bar.approve_button.isEnabled()
    assert "Not yet judged: Identifies hazards, Applies controls, Reports incidents" in \
        bar.approve_button.toolTip()
    assert not bar.resubmit_button.isEnabled()

    choose(window, qtbot, "hazard-id", "developing")
    assert bar.is_draft  # judging without a decision is a draft
    assert "Not yet judged: Applies controls, Reports incidents" in bar.approve_button.toolTip()
    choose(window, qtbot, "controls", "exemplary")
    choose(window, qtbot, "reporting", "proficient")
    assert not bar.approve_button.isEnabled()
    assert bar.approve_button.toolTip() == \
        "Cannot approve yet. Below the pass level: Identifies hazards."
    assert bar.resubmit_button.isEnabled()

    window.decisions.approve()  # the shortcut when the button is disabled: says why
    assert "Below the pass level: Identifies hazards" in window.statusBar().currentMessage()
    assert stored(seeded, safety_id(0)).submission.state is State.IN_REVIEW

    choose(window, qtbot, "hazard-id", "proficient")
    assert bar.approve_button.isEnabled()
    assert "ready to approve" in bar.hint.text()


def test_approve_previews_the_results_then_signs_with_the_real_keychain(
        open_window, keys_cleaned, qtbot) -> None:
    home = keys_cleaned
    window = open_window()
    open_submission(window, qtbot, safety_id(1))
    for key, level in PASSING.items():
        choose(window, qtbot, key, level)
    focus(window, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait_until(lambda: getattr(window, "signing_dialog", None) is not None
                     and window.signing_dialog.isVisible(), timeout=10_000)
    assert stored(home, safety_id(1)).submission.state is State.APPROVED
    assert window.rubric.decision_bar.state_badge.text() == "Approved"

    dialog = window.signing_dialog
    text = dialog.summary.text()
    assert "Approved." in dialog.intro.text()
    snapshot = stored(home, safety_id(1))
    for needle in ("Identifies hazards: Proficient", "Applies controls: Exemplary",
                   "Reports incidents: Proficient", snapshot.submission.learner.name,
                   snapshot.template.achievement.name, "Demo Organisation", "Valid from"):
        assert needle in text, needle
    for item in snapshot.submission.evidence:
        assert item.file_name in text
    for item in dialog.preview.credential["evidence"]:
        assert item["digestMultibase"] in text  # from the credential that gets signed

    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window._snapshot is not None
                     and window._snapshot.submission.state is State.SIGNED, timeout=15_000)
    assert window.rubric.decision_bar.state_badge.text() == "Signed"
    store = open_store(home)
    [signed] = store.signed_credentials(safety_id(1))
    assert store.submission(safety_id(1)).state is State.SIGNED
    store.close()
    assert verify_credential(signed, now=datetime.now(UTC) + timedelta(minutes=1)).ok


def test_a_moderated_decision_is_sent_to_moderation_and_not_signed(
        open_window, seeded, qtbot) -> None:
    from assessor.store.second_marks import POLICY_KEY
    from assessor.store.sync_store import SyncStore

    store = open_store(seeded)  # the organisation's rule, as the hub sent it: moderate all
    SyncStore(store).put(POLICY_KEY, '{"rate": 1.0, "first_n": 0, "approvals": 0}')
    store.close()
    window = open_window()
    open_submission(window, qtbot, safety_id(2))
    for key, level in PASSING.items():
        choose(window, qtbot, key, level)
    qtbot.mouseClick(window.rubric.decision_bar.approve_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window._snapshot.submission.state is State.AWAITING_MODERATION,
                     timeout=10_000)
    assert window.statusBar().currentMessage() == SENT_TO_MODERATION
    assert getattr(window, "signing_dialog", None) is None
    assert window.rubric.decision_bar.state_badge.text() == "Awaiting moderation"
    assert not window.sign_action.isEnabled()
    store = open_store(seeded)
    assert store.signed_credentials(safety_id(2)) == []
    assert store.submission(safety_id(2)).state is State.AWAITING_MODERATION
    store.close()


def add_submission_without_email(home) -> str:
    """A copy of a demo submission whose learner has no e-mail address: its credential
    cannot be built (the learner cannot be identified), so it cannot be signed."""
    store = open_store(home)
    base = store.submission(safety_id(9))
    broken = dataclasses.replace(base, id="no-email-1", evidence=(), state=State.PENDING,
                                 learner=dataclasses.replace(base.learner, email=""))
    store.receive([broken])
    store.close()
    return broken.id


def open_batch(window, qtbot):
    window.decisions.sign_all_approved()
    qtbot.wait_until(lambda: window.decisions.batch_dialog is not None
                     and window.decisions.batch_dialog.isVisible(), timeout=5_000)
    return window.decisions.batch_dialog


def test_batch_signing_reports_each_result_and_one_failure_stops_nothing(
        open_window, keys_cleaned, qtbot) -> None:
    home = keys_cleaned
    broken = add_submission_without_email(home)
    good = [safety_id(3), safety_id(4), safety_id(5)]
    approve_in_store(home, [good[0], broken, *good[1:]])
    window = open_window()
    dialog = open_batch(window, qtbot)
    assert sorted(entry.submission_id for entry in dialog.items) == sorted([*good, broken])
    assert dialog.sign_button.text() == "Sign 4 Selected"
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)

    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.running and dialog.stop_button.isVisible()
    qtbot.wait_until(lambda: not dialog.running, timeout=30_000)
    dialog.grab().save(str(home.home / "batch-dialog.png"))

    assert seen[-4:] == [1, 2, 3, 4]  # one step per submission, in order
    assert dialog.progress.text() == "4 of 4"
    assert {sid for sid, reason in dialog.results.items() if not reason} == set(good)
    assert "no e-mail address" in dialog.results[broken]
    assert "Signed 3 of 4. 1 could not be signed" in dialog.status.text()
    row = next(dialog.list.item(i) for i in range(dialog.list.count())
               if dialog.list.item(i).data(Qt.ItemDataRole.UserRole) == broken)
    assert "✗ not signed: The learner has no e-mail address" in row.text()
    store = open_store(home)
    for submission_id in good:
        assert store.submission(submission_id).state is State.SIGNED
        [credential] = store.signed_credentials(submission_id)
        assert verify_credential(credential,
                                 now=datetime.now(UTC) + timedelta(minutes=1)).ok
    assert store.submission(broken).state is State.APPROVED
    store.close()
    assert dialog.sign_button.text() == "Sign 1 Selected"  # the failed one, to retry


def test_batch_signing_stops_between_submissions_when_cancelled(
        open_window, keys_cleaned, qtbot) -> None:
    home = keys_cleaned
    approve_in_store(home, [safety_id(6), safety_id(7), safety_id(8)])
    window = open_window()
    dialog = open_batch(window, qtbot)
    dialog.item_signed.connect(lambda _id: dialog.cancel())  # Stop after the first
    dialog.start()
    qtbot.wait_until(lambda: not dialog.running, timeout=30_000)
    assert len(dialog.results) == 1
    assert "Stopped: 2 not signed." in dialog.status.text()
    store = open_store(home)
    states = [store.submission(safety_id(n)).state for n in (6, 7, 8)]
    store.close()
    assert sorted(states) == sorted([State.SIGNED, State.APPROVED, State.APPROVED])


def test_batch_with_nothing_approved_says_so(open_window, seeded, qtbot) -> None:
    window = open_window()
    dialog = open_batch(window, qtbot)
    assert "Nothing to sign" in dialog.heading.text()
    assert not dialog.sign_button.isEnabled()


def test_resubmission_needs_learner_feedback_on_every_unmet_criterion(
        open_window, seeded, qtbot) -> None:
    window = open_window()
    open_submission(window, qtbot, safety_id(10))
    choose(window, qtbot, "hazard-id", "developing")
    choose(window, qtbot, "controls", "not-yet")
    choose(window, qtbot, "reporting", "developing")
    card = window.rubric.card_for("hazard-id")
    card.comment.setPlainText("Record where each hazard is.")
    window.rubric.flush()
    qtbot.wait_until(lambda: card.status.text() == "Saved", timeout=10_000)

    focus(window, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait_until(lambda: window.decisions.resubmit_dialog is not None
                     and window.decisions.resubmit_dialog.isVisible(), timeout=5_000)
    dialog = window.decisions.resubmit_dialog
    assert dialog.unmet == ["hazard-id", "controls"]  # reporting meets its pass level
    assert dialog.boxes["hazard-id"].toPlainText() == "Record where each hazard is."
    assert not dialog.ok_button.isEnabled()
    assert dialog.boxes["controls"].property("missing") is True
    assert dialog.boxes["hazard-id"].property("missing") is False
    assert dialog.missing_note.text() == \
        "Feedback to the learner is still missing for: Applies controls."
    dialog.grab().save(str(seeded.home / "resubmission-dialog.png"))

    dialog.boxes["controls"].setPlainText("   ")  # blanks are not feedback
    assert not dialog.ok_button.isEnabled()
    dialog.boxes["controls"].setPlainText("Use the hierarchy of controls, then check them.")
    assert dialog.ok_button.isEnabled() and not dialog.missing_note.isVisible()
    dialog.note.setPlainText("Close: two criteria to improve.")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window._snapshot.submission.state
                     is State.RESUBMISSION_REQUESTED, timeout=10_000)
    assert "Resubmission requested" in window.statusBar().currentMessage()

    review = stored(seeded, safety_id(10))
    assert review.submission.state is State.RESUBMISSION_REQUESTED
    notes = [(n.criterion_key, n.body, n.visibility) for n in review.feedback]
    assert notes == [
        ("hazard-id", "Record where each hazard is.", Visibility.LEARNER),
        ("controls", "Use the hierarchy of controls, then check them.", Visibility.LEARNER),
        (None, "Close: two criteria to improve.", Visibility.LEARNER)]
    [decision] = review.decisions
    assert decision.outcome is Outcome.RESUBMIT
    assert decision.note == "Close: two criteria to improve."
    assert window.rubric.decision_bar.state_badge.text() == "Resubmission requested"


def test_cancelling_the_resubmission_dialog_decides_nothing(open_window, seeded, qtbot) -> None:
    window = open_window()
    open_submission(window, qtbot, safety_id(11))
    for key in PASSING:
        choose(window, qtbot, key, "not-yet")
    window.decisions.request_resubmission()
    dialog = window.decisions.resubmit_dialog
    assert len(dialog.boxes) == 3
    dialog.reject()
    qtbot.wait(100)
    review = stored(seeded, safety_id(11))
    assert review.submission.state is State.IN_REVIEW and review.feedback == ()


def test_undo_and_redo_of_level_and_comment_are_stored_and_survive_a_restart(
        open_window, seeded, qtbot) -> None:
    window = open_window()
    open_submission(window, qtbot, safety_id(12))
    undo = window.rubric.undo
    assert not undo.undo_action.isEnabled()
    choose(window, qtbot, "controls", "developing")
    choose(window, qtbot, "controls", "exemplary")
    window.rubric.card_for("controls").comment.setPlainText("Checked every control on site.")
    window.rubric.flush()

    def card():  # the window may rebuild the cards (e.g. after a refresh): ask each time
        return window.rubric.card_for("controls")

    qtbot.wait_until(lambda: card().status.text() == "Saved", timeout=10_000)
    assert undo.stack.count() == 3 and undo.undo_action.isEnabled()

    def saved(level: str, comment: str) -> bool:
        judgment = stored(seeded, safety_id(12)).judgments["controls"]
        return bool(judgment.level_key == level and judgment.comment == comment)

    focus(window, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the comment
    qtbot.wait_until(lambda: saved("exemplary", ""), timeout=10_000)
    assert card().comment.toPlainText() == ""
    window.rubric.undo.undo_action.trigger()  # the level
    qtbot.wait_until(lambda: saved("developing", ""), timeout=10_000)
    assert card().chosen_level() == "developing"
    qtbot.keyClick(window, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait_until(lambda: saved("exemplary", ""), timeout=10_000)
    assert card().chosen_level() == "exemplary"
    undo.undo_action.trigger()
    qtbot.wait_until(lambda: saved("developing", ""), timeout=10_000)
    qtbot.wait_until(lambda: card().status.text() == "Saved", timeout=10_000)
    store = open_store(seeded)  # every undo step is an audited edit like any other
    judged = [e for e in store.audit_events() if e.action == "judge"
              and e.submission_id == safety_id(12)]
    store.close()
    assert [e.details["level"] for e in judged] == \
        ["developing", "exemplary", "exemplary", "exemplary", "developing", "exemplary",
         "developing"]

    window.close()
    window = open_window()
    open_submission(window, qtbot, safety_id(12))
    reopened = window.rubric.card_for("controls")
    assert reopened.chosen_level() == "developing" and reopened.comment.toPlainText() == ""
    assert not window.rubric.undo.undo_action.isEnabled()  # a new window starts afresh


def test_undo_history_ends_at_a_switch_of_submission_and_at_a_decision(
        open_window, keys_cleaned, qtbot) -> None:
    window = open_window()
    open_submission(window, qtbot, safety_id(13))
    choose(window, qtbot, "controls", "developing")
    assert window.rubric.undo.stack.count() == 1
    open_submission(window, qtbot, safety_id(14))
    assert window.rubric.undo.stack.count() == 0

    for key, level in PASSING.items():
        choose(window, qtbot, key, level)
    assert window.rubric.undo.stack.count() == 3
    window.decisions.approve()
    qtbot.wait_until(lambda: window._snapshot.submission.state is State.APPROVED,
                     timeout=10_000)
    assert window.rubric.undo.stack.count() == 0
    assert not window.rubric.undo.undo_action.isEnabled()
    window.rubric.undo.undo()  # nothing to undo: the decision stands
    assert stored(keys_cleaned, safety_id(14)).judgments["controls"].level_key == "exemplary"
