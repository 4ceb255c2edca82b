"""Moderation in the main window: a moderator second-marks blind (the assessor's levels and
comments are not in the window until every criterion is marked), then sees both side by
side and agrees (signing may proceed) or returns with a required comment that the
assessor reads once sync applies it; assessors and mentors cannot moderate and are told
why signing waits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from assessor.config import Settings, save_settings
from assessor.domain.feedback import Outcome
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.states import State
from assessor.hub.demo.seed import achievement_json, rubric_json
from assessor.store.sync_store import SyncStore
from assessor.sync.feed import parse_changes
from tests.core.helpers import ASSESSOR, MODERATOR, care_id, open_store
from tests.ui.test_signing_flow import open_submission
from ui.review.moderation_return import ReturnDialog

LEVELS = {"listening": "proficient", "resolution": "exemplary"}
COMMENTS = {"listening": "Confirmed the need twice before acting",
            "resolution": "Refund and follow-up call, beyond what was asked"}
SHOTS = "/tmp"


@pytest.fixture
def awaiting(seeded):
    """care_id(0) and care_id(1) approved by the assessor and waiting for moderation."""
    store = open_store(seeded)
    for n in (0, 1):
        for key, level in LEVELS.items():
            store.record_judgment(care_id(n), JudgmentDraft(key, level, COMMENTS[key]),
                                  ASSESSOR)
        store.decide(care_id(n), ASSESSOR, Outcome.APPROVE, needs_moderation=True)
    store.close()
    return seeded


def as_user(home, actor) -> None:
    save_settings(home.home, Settings(user_id=actor.user_id, user_name=actor.name,
                                      role=actor.role.value))


def open_moderation(window, qtbot, submission_id: str):
    open_submission(window, qtbot, submission_id)
    panel = window.moderation.panel
    qtbot.wait_until(lambda: window.moderation.showing_panel and bool(panel.cards)
                     or panel.judgments_shown is not None, timeout=10_000)
    return panel


def texts(widget: QWidget) -> str:
    """Every text a user (or a screen reader) could get from ``widget`` and its children."""
    found = []
    for child in [widget, *widget.findChildren(QWidget)]:
        found += [child.toolTip(), child.accessibleName(), child.accessibleDescription(),
                  child.statusTip(), child.whatsThis()]
        if hasattr(child, "text") and callable(child.text):
            found.append(str(child.text()))
    return "\n".join(found)


def mark(qtbot, panel, levels: dict[str, str]) -> None:
    for key, level in levels.items():
        card = panel.card_for(key)
        assert card is not None
        qtbot.mouseClick(card.button(level), Qt.MouseButton.LeftButton)
        qtbot.wait_until(lambda c=card, lv=level: c.chosen == lv, timeout=5_000)


def test_the_moderator_marks_blind_then_compares_and_agrees(open_window, awaiting,
                                                           qtbot) -> None:
    as_user(awaiting, MODERATOR)
    window = open_window()
    window.finish_loading()
    window.resize(1400, 860)  # the default size on a real screen (offscreen is small)
    assert window.queue.state_filter.currentData() == State.AWAITING_MODERATION.value
    assert window.queue.model.rowCount() == 2
    panel = open_moderation(window, qtbot, care_id(0))
    assert window.split.widget(2) is panel and not window.rubric.isVisible()
    # Step 1: blind. Nothing of the assessor's judgment is anywhere in the panel.
    assert panel.judgments_shown is None and panel.comparison_model.rowCount() == 0
    assert panel.stack.currentIndex() == 0
    assert not any(card.chosen for card in panel.cards)
    shown = texts(panel)
    for comment in COMMENTS.values():
        assert comment not in shown
    assert "0 of 2 marked" in panel.note.text()
    tabs = window.review.tabs
    assert not tabs.isTabEnabled(tabs.indexOf(window.review.feedback))
    assert "Moderation:" in window.moderation.bar_text.text()
    window.grab().save(f"{SHOTS}/moderation_blind.png")

    # Mark one criterion differently from the assessor, one the same.
    mark(qtbot, panel, {"listening": "developing"})
    qtbot.wait_until(lambda: "1 of 2 marked" in panel.note.text(), timeout=5_000)
    assert panel.judgments_shown is None and panel.comparison_model.rowCount() == 0
    mark(qtbot, panel, {"resolution": "exemplary"})
    qtbot.wait_until(lambda: panel.stack.currentIndex() == 1, timeout=10_000)
    # Step 2: side by side, the difference highlighted, the assessor's comments shown.
    model = panel.comparison_model
    rows = [[model.item(r, c).text() for c in range(4)] for r in range(model.rowCount())]
    assert rows == [["Listens actively", "Proficient (2)", "Developing (1)", "✗ differs"],
                    ["Resolves the issue", "Exemplary (3)", "Exemplary (3)", "✓ same"]] \
        or [row[1:] for row in rows] == [["Proficient (2)", "Developing (1)", "✗ differs"],
                                         ["Exemplary (3)", "Exemplary (3)", "✓ same"]]
    assert model.item(0, 1).font().bold() and not model.item(1, 1).font().bold()
    assert model.item(0, 0).background() != model.item(1, 0).background()
    for comment in COMMENTS.values():
        assert comment in panel.comments.text()
    assert "differ on 1 of 2" in panel.note.text()
    qtbot.wait_until(lambda: panel.agreement_model.rowCount() == 3, timeout=10_000)
    assert panel.agreement_model.item(2, 0).text() == "All criteria"
    assert panel.agreement_model.item(2, 2).text() == "50%"
    assert tabs.isTabEnabled(tabs.indexOf(window.review.feedback))
    window.grab().save(f"{SHOTS}/moderation_compare.png")

    qtbot.mouseClick(panel.agree_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window._snapshot is not None
                     and window._snapshot.submission.state is State.APPROVED, timeout=10_000)
    assert window.split.widget(2) is window.rubric  # nothing left to moderate here
    assert "Agreed" in window.statusBar().currentMessage()
    window.queue.search.clear()  # it has left the "Awaiting moderation" queue
    qtbot.wait_until(lambda: window.queue.model.rowCount() == 1, timeout=5_000)
    store = open_store(awaiting)
    try:
        store.check_can_sign(care_id(0), ASSESSOR)  # signing may proceed now
        assert store.submission(care_id(1)).state is State.AWAITING_MODERATION
    finally:
        store.close()


def test_the_agreement_tab_of_insights_shows_the_moderators_marks(open_window, awaiting,
                                                                  qtbot) -> None:
    as_user(awaiting, MODERATOR)
    window = open_window()
    panel = open_moderation(window, qtbot, care_id(0))
    mark(qtbot, panel, {"listening": "proficient", "resolution": "proficient"})
    qtbot.wait_until(lambda: panel.stack.currentIndex() == 1, timeout=10_000)
    window.show_insights()
    from ui.insights.dialog import InsightsDialog

    dialog = window.findChild(InsightsDialog)
    assert dialog is not None
    qtbot.wait_until(lambda: dialog.agreement.report is not None, timeout=10_000)
    report = dialog.agreement.report
    assert report.overall.n == 2 and report.overall.exact == 0.5
    dialog.close()


def test_a_return_needs_a_comment_and_the_assessor_reads_it_after_sync(
        open_window, awaiting, qtbot, monkeypatch) -> None:
    dialog = ReturnDialog()
    qtbot.add_widget(dialog)
    assert not dialog.send.isEnabled() and "required" in dialog.hint.text()
    dialog.comment.setPlainText("   ")
    assert not dialog.send.isEnabled()
    dialog.comment.setPlainText("Check the refund evidence")
    assert dialog.send.isEnabled() and dialog.text() == "Check the refund evidence"

    as_user(awaiting, MODERATOR)
    window = open_window()
    panel = open_moderation(window, qtbot, care_id(0))
    mark(qtbot, panel, LEVELS)
    qtbot.wait_until(lambda: panel.stack.currentIndex() == 1, timeout=10_000)
    assert "the same level on all 2" in panel.note.text()
    asked = []
    monkeypatch.setattr(ReturnDialog, "ask", classmethod(lambda cls, parent=None:
                                                         asked.append(1)))
    qtbot.mouseClick(panel.return_button, Qt.MouseButton.LeftButton)  # cancelled
    assert asked == [1] and window._snapshot.submission.state is State.AWAITING_MODERATION
    note = "The refund was promised but the evidence does not show it was made."
    monkeypatch.setattr(ReturnDialog, "ask", classmethod(lambda cls, parent=None: note))
    qtbot.mouseClick(panel.return_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: "Returned to the assessor" in window.statusBar().currentMessage(),
                     timeout=10_000)
    window.close()
    store = open_store(awaiting)
    try:
        assert store.submission(care_id(0)).state is State.IN_REVIEW
        [waiting] = [e for e in SyncStore(store).outbox() if e.kind == "moderation"]
        [decision] = store.decisions(care_id(0))[-1:]  # kept here as a decision too
        assert decision.outcome is Outcome.MODERATION_RETURN and decision.note == note
        assert waiting.payload == {"id": decision.id, "agree": False, "note": note,
                                   "author": MODERATOR.user_id}
        # The hub answers the next pull with the return note; the store applies it.
        SyncStore(store).apply_page(parse_changes(hub_page(store, care_id(0), note), 0), 0)
    finally:
        store.close()

    as_user(awaiting, ASSESSOR)
    window = open_window()
    open_submission(window, qtbot, care_id(0))
    bar = window.moderation.bar_text
    qtbot.wait_until(lambda: note in bar.text(), timeout=10_000)
    assert window.moderation.bar.isVisible() and "Returned by the moderator" in bar.text()
    assert not window.moderation.showing_panel


@pytest.mark.parametrize("who", ["assessor", "mentor"])
def test_assessors_and_mentors_cannot_moderate_and_are_told_why_signing_waits(
        open_window, awaiting, qtbot, who) -> None:
    if who == "mentor":
        save_settings(awaiting.home, Settings(user_id="mentor-1", user_name="Mere Mentor",
                                              role="mentor"))
    window = open_window()
    window.finish_loading()
    assert window.queue.state_filter.currentData() is None  # not narrowed for them
    open_submission(window, qtbot, care_id(0))
    assert not window.moderation.showing_panel
    assert window.split.widget(2) is window.rubric
    assert window.moderation.panel.judgments_shown is None
    assert window.moderation.second_marks_source() is None
    bar = window.moderation.bar_text
    qtbot.wait_until(lambda: "signing waits" in bar.text(), timeout=5_000)
    assert "Only a moderator can moderate" in bar.text()
    assert window.moderation.bar.isVisible()
    assert not window.sign_action.isEnabled()
    if who == "assessor":
        window.grab().save(f"{SHOTS}/moderation_assessor_waiting.png")


def hub_page(store, submission_id: str, note: str) -> dict[str, Any]:
    """What the hub's changes page says after the return: the submission back in review,
    sampled, with the moderator's return comment among its notes."""
    sub = store.submission(submission_id)
    template = store.template(sub.template_id)
    rubric = store.rubric(sub.rubric_key, sub.rubric_version)
    now = datetime.now(UTC).isoformat()
    return {
        "submissions": [{
            "id": sub.id,
            "learner": {"id": sub.learner.id, "display_name": sub.learner.name,
                        "email": sub.learner.email},
            "template": {"id": template.id, "version": rubric.version},
            "attempt": sub.attempt, "previous_id": None, "narrative": sub.narrative,
            "submitted_at": sub.submitted_at.isoformat(), "due_at": None,
            "assessor": {"id": sub.assigned_to, "display_name": "", "role": "assessor"},
            "state": "in_review", "revision": sub.revision + 3, "status_index": 0,
            "sampled": True,
            "evidence": [{"id": e.id, "file_name": e.file_name, "media_type": e.media_type,
                          "size": e.size, "sha256": e.sha256, "description": e.description}
                         for e in sub.evidence],
            "judgments": [],
            "feedback": [{"id": "moderation-return-0001", "criterion": None,
                          "parent_id": None, "visibility": "internal", "body": note,
                          "author": {"id": MODERATOR.user_id, "display_name": MODERATOR.name,
                                     "role": "moderator"},
                          "created_at": now}],
            "decisions": [],
        }],
        "removed": [],
        "templates": [{"id": template.id, "version": rubric.version,
                       "achievement": achievement_json(template),
                       "rubric": rubric_json(rubric), "validity_days": None,
                       "published_at": now}],
        "next_cursor": 7, "more": False,
        "moderation": {"rate": 0.0, "first_n": 0, "approvals": 3},
    }


def test_labels_in_the_panel_wrap_and_the_bar_is_accessible(open_window, awaiting,
                                                            qtbot) -> None:
    as_user(awaiting, MODERATOR)
    window = open_window()
    panel = open_moderation(window, qtbot, care_id(1))
    assert window.moderation.bar_text.accessibleName() == "Moderation status"
    assert all(label.wordWrap() for label in (panel.note, panel.subtitle))
    for card in panel.cards:
        for button in card.levels.buttons():
            assert button.accessibleName().startswith(card.criterion.title)
    assert isinstance(panel.findChild(QLabel, "moderationNote"), QLabel)


def test_a_moderator_marks_by_keyboard_as_in_the_rubric(open_window, awaiting, qtbot) -> None:
    as_user(awaiting, MODERATOR)
    window = open_window()
    panel = open_moderation(window, qtbot, care_id(1))
    assert panel.cards[0].property("current") is True
    qtbot.keyClick(window.queue.table, Qt.Key.Key_2)  # level 2 of the first criterion
    qtbot.wait_until(lambda: panel.cards[0].chosen == "developing", timeout=5_000)
    assert panel.cards[1].property("current") is True  # on to the next
    qtbot.keyClick(window.queue.table, Qt.Key.Key_K)
    assert panel.cards[0].property("current") is True
    qtbot.keyClick(window.queue.table, Qt.Key.Key_J)
    qtbot.keyClick(window.queue.table, Qt.Key.Key_4)
    qtbot.wait_until(lambda: panel.stack.currentIndex() == 1, timeout=10_000)
    store = open_store(awaiting)
    try:
        from assessor.store.second_marks import SecondMarks

        marks = SecondMarks(store).of(care_id(1), MODERATOR.user_id)
        assert {k: m.level_key for k, m in marks.items()} == {"listening": "developing",
                                                              "resolution": "exemplary"}
    finally:
        store.close()


def test_signing_in_as_a_moderator_in_an_open_window_switches_queue_and_controls(
        open_window, awaiting, qtbot) -> None:
    from assessor.config import load_settings

    window = open_window()  # the assessor's window
    window.finish_loading()
    window.resize(1400, 860)
    assert window.queue.state_filter.currentData() != State.AWAITING_MODERATION.value
    open_submission(window, qtbot, care_id(0))
    assert window.split.widget(2) is window.rubric
    # The moderator signs in on this computer (File ▸ Sign In… saves the settings, tells
    # the workstation, then says so).
    as_user(awaiting, MODERATOR)
    window.ws.use_settings(load_settings(awaiting.home))
    window.sync_controller.signed_in.emit()
    assert window.windowTitle().endswith(MODERATOR.name)
    assert window.queue.state_filter.currentData() == State.AWAITING_MODERATION.value
    qtbot.wait_until(lambda: window.moderation.showing_panel, timeout=10_000)
    assert window.moderation.panel.judgments_shown is None  # blind, as at start-up
    assert not window.rubric.isVisible()
