"""Feedback threads, the comment library and earlier attempts, in the real main window."""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt

from assessor.config import Settings, save_settings
from assessor.domain.feedback import Visibility
from assessor.domain.people import Role
from assessor.store.comment_library import CommentLibrary
from tests.core.attempts_data import FIRST_ID, SECOND_ID, two_attempts
from tests.core.helpers import ASSESSOR, MENTOR, open_store, safety_id, seeded_store
from ui.style import colours


@pytest.fixture
def attempts_home(home):
    store = seeded_store(home, count=4)
    two_attempts(store)
    store.close()
    return home


def open_review(qtbot, window, submission_id: str) -> None:
    qtbot.wait_until(lambda: window.queue.select_id(submission_id), timeout=10_000)
    qtbot.wait_until(lambda: window._snapshot is not None
                     and window._snapshot.submission.id == submission_id
                     and bool(window.rubric.cards)
                     and window.feedback.note_links != {}, timeout=10_000)


def add_note(qtbot, window, text: str) -> None:
    panel = window.review.feedback
    before = panel.count
    panel.editor.setPlainText(text)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: panel.count == before + 1, timeout=10_000)


def feedback_payloads(home, submission_id: str) -> list[dict[str, object]]:
    from assessor.store.sync_store import SyncStore

    store = open_store(home)
    try:
        return [e.payload for e in SyncStore(store).outbox()
                if e.kind == "feedback" and e.submission_id == submission_id]
    finally:
        store.close()


def test_notes_are_added_replied_to_marked_and_kept(open_window, attempts_home, qtbot) -> None:
    window = open_window()
    open_review(qtbot, window, SECOND_ID)
    review, panel = window.review, window.review.feedback
    assert panel.count == 0 and not review.feedback_badge.isVisible()
    assert "No feedback on this submission yet" in panel.empty.text()

    # an assessor's note starts internal
    assert panel.visibility.currentData() == "internal"
    add_note(qtbot, window, "Check the register against the site plan.")
    card = panel.cards[0]
    assert card.visibility_tag.text() == "Internal"
    assert card.visibility_tag.property("visibility") == "internal"
    assert "Demo Assessor (you)" in card.findChild(type(card.body), "noteAuthor").text()
    assert review.feedback_badge.text() == "1" and review.tabs.tabText(1) == "Feedback"

    # a note on a criterion, visible to the learner, through the card's "n notes" link
    link = window.feedback.note_links["controls"]
    assert link.text() == "Add note"
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert review.tabs.currentWidget() is panel
    assert panel.current_filter == "controls" and panel.target.currentData() == "controls"
    panel.visibility.setCurrentIndex(panel.visibility.findData("learner"))
    add_note(qtbot, window, "Show a photo of the barrier checked at noon.")
    assert link.text() == "1 note"
    assert [c.visibility_tag.text() for c in panel.cards] == ["Visible to learner"]

    # a reply: same thread, same criterion, the parent's visibility by default
    parent = panel.cards[0].note
    qtbot.mouseClick(panel.cards[0].reply_button, Qt.MouseButton.LeftButton)
    assert panel.replying_to == parent.id and panel.reply_banner.isVisible()
    assert panel.visibility.currentData() == "learner"
    assert not panel.target.isEnabled()
    add_note(qtbot, window, "A dated photo is enough.")
    assert link.text() == "2 notes"
    reply = panel.cards[1].note
    assert reply.parent_id == parent.id and reply.criterion_key == "controls"
    assert not panel.reply_banner.isVisible()

    panel.filter_to(None)  # all notes, grouped: the submission first, then the criterion
    assert [c.note.body for c in panel.cards] == [
        "Check the register against the site plan.",
        "Show a photo of the barrier checked at noon.", "A dated photo is enough."]
    assert panel.filter.itemText(0) == "All notes (3)"

    # saved through the core: persisted, audited and queued for the hub
    payloads = feedback_payloads(window.ws.paths, SECOND_ID)
    assert [(p["visibility"], p["parent"], p["criterion"]) for p in payloads] == [
        ("internal", None, None), ("learner", None, "controls"),
        ("learner", parent.id, "controls")]
    qtbot.wait_until(lambda: "changes waiting" in window.sync_label.text(), timeout=5_000)

    window.queue.select_id(FIRST_ID)  # away and back: read again from the store
    qtbot.wait_until(lambda: window._snapshot.submission.id == FIRST_ID, timeout=10_000)
    open_review(qtbot, window, SECOND_ID)
    assert window.review.feedback.count == 3
    assert window.feedback.note_links["controls"].text() == "2 notes"


def test_an_empty_note_is_refused_with_a_message(open_window, attempts_home, qtbot) -> None:
    window = open_window()
    open_review(qtbot, window, SECOND_ID)
    panel = window.review.feedback
    panel.editor.setPlainText("   \n")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == "Write the note first: an empty note is not saved."
    assert panel.count == 0


def test_a_mentor_adds_feedback_but_cannot_judge(open_window, attempts_home, qtbot) -> None:
    save_settings(attempts_home.home, Settings(user_id=MENTOR.user_id, user_name=MENTOR.name,
                                               role=Role.MENTOR.value))
    window = open_window()
    open_review(qtbot, window, SECOND_ID)
    rubric = window.rubric
    assert rubric.lock_note.isVisible() and "Mentors" in rubric.lock_note.text()
    assert all(not b.isEnabled() for card in rubric.cards for b in card.levels.buttons())
    assert all(card.comment.isReadOnly() for card in rubric.cards)
    assert not window.sign_action.isEnabled()

    panel = window.review.feedback
    assert panel.editor.isEnabled() and panel.add_button.isEnabled()
    assert panel.visibility.currentData() == "learner"  # mentors write to the learner
    add_note(qtbot, window, "Great progress since your first attempt!")
    note = panel.cards[0].note
    assert (note.author, note.role, note.visibility) == (
        MENTOR.user_id, Role.MENTOR, Visibility.LEARNER)
    assert panel.cards[0].visibility_tag.text() == "Visible to learner"
    assert "Mentor" in panel.cards[0].findChild(type(panel.cards[0].body), "roleTag").text()

    # a snippet with Ctrl+Shift+L never lands in a locked criterion comment
    window.rubric.cards[0].comment.setFocus()
    window.feedback.insert_snippet()
    qtbot.wait_until(lambda: window.feedback.picker is not None, timeout=5_000)
    assert "feedback note" in window.feedback.picker.findChildren(type(panel.message))[0].text()
    window.feedback.picker.reject()


def test_a_snippet_is_found_and_inserted_into_a_comment(open_window, attempts_home,
                                                         qtbot) -> None:
    store = open_store(attempts_home)
    library = CommentLibrary(store, ASSESSOR.user_id)
    walk = library.add("Walk the whole bay", "{learner}, walk the whole bay first.",
                       "hazard-id")
    library.add("Barrier check", "Check the barrier works at every shift.", "controls")
    library.add("Well chosen", "Clear, well-chosen evidence.")
    store.close()

    window = open_window()
    open_review(qtbot, window, safety_id(0))
    card = window.rubric.cards[0]  # hazard-id
    card.comment.setFocus()
    qtbot.keyClick(card.comment, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait_until(lambda: window.feedback.picker is not None, timeout=5_000)
    picker = window.feedback.picker
    # tied to hazard-id or to no criterion; "Barrier check" belongs to another criterion
    assert [s.title for s in picker.shown()] == ["Walk the whole bay", "Well chosen"]
    qtbot.keyClicks(picker.search, "WHOLE")
    assert [s.title for s in picker.shown()] == ["Walk the whole bay"]
    qtbot.keyClicks(picker.search, " nothing-like-this")
    assert picker.shown() == [] and "No snippet matches" in picker.empty.text()
    picker.search.setText("bay")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)

    learner_first = window._snapshot.submission.learner.name.split()[0]
    assert card.comment.toPlainText() == f"{learner_first}, walk the whole bay first."
    qtbot.wait_until(lambda: card.status.text() == "Saved", timeout=10_000)

    def uses() -> int:
        again = open_store(attempts_home)
        try:
            return CommentLibrary(again, ASSESSOR.user_id).get(walk.id).uses
        finally:
            again.close()

    qtbot.wait_until(lambda: uses() == 1, timeout=5_000)
    saved = open_store(attempts_home)
    assert saved.judgments(safety_id(0))["hazard-id"].comment.endswith("whole bay first.")
    saved.close()

    # the feedback editor's Snippets… button inserts there
    panel = window.review.feedback
    window.review.show_feedback(None)
    qtbot.keyClicks(panel.editor, "Good.")
    qtbot.mouseClick(panel.snippet_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window.feedback.picker is not picker
                     and window.feedback.picker is not None, timeout=5_000)
    window.feedback.picker.search.setText("well chosen")
    window.feedback.picker.accept()
    assert panel.editor.toPlainText() == "Good. Clear, well-chosen evidence."


def test_the_library_dialog_adds_edits_deletes_and_refuses_bad_input(
        open_window, attempts_home, qtbot) -> None:
    window = open_window()
    open_review(qtbot, window, safety_id(0))
    window.feedback.library_action.trigger()
    dialog = window.feedback.library_dialog
    assert dialog is not None
    qtbot.wait_until(lambda: not dialog.busy, timeout=5_000)
    assert any("do not sync" in label.text()
               for label in dialog.findChildren(type(dialog.message)))

    dialog.body.setPlainText("Text without a title.")
    dialog.save()
    qtbot.wait_until(lambda: not dialog.busy, timeout=5_000)
    assert dialog.message.text() == "A snippet needs a title, so you can find it again."

    dialog.title.setText("Dock edge")
    dialog.criterion.setCurrentIndex(dialog.criterion.findData("hazard-id"))
    dialog.save()
    qtbot.wait_until(lambda: len(dialog.snippets) == 1, timeout=5_000)
    assert dialog.snippets[0].criterion_key == "hazard-id"
    assert dialog.list.currentRow() == 0

    dialog.title.setText("Dock edge hazard")
    dialog.save()
    qtbot.wait_until(lambda: dialog.snippets[0].title == "Dock edge hazard", timeout=5_000)
    dialog.search.setText("without")
    assert dialog.list.count() == 1
    dialog.search.setText("zzz")
    assert dialog.list.count() == 0
    dialog.search.clear()
    dialog.list.setCurrentRow(0)
    dialog.delete()
    qtbot.wait_until(lambda: dialog.snippets == [] and not dialog.busy, timeout=5_000)
    dialog.reject()


def test_the_earlier_attempt_is_one_click_away(open_window, attempts_home, qtbot) -> None:
    window = open_window()
    open_review(qtbot, window, SECOND_ID)
    header = window.review.header.text()
    assert "Attempt 2 — " in header and "see attempt 1</a>" in header
    assert window.feedback.earlier_action.isEnabled()

    window.review.header.linkActivated.emit("earlier-attempt")
    qtbot.wait_until(lambda: window.feedback.attempts_dialog is not None, timeout=10_000)
    dialog = window.feedback.attempts_dialog
    comparison = dialog.comparison
    assert comparison.earlier.submission.id == FIRST_ID
    assert "1 evidence file added" in dialog.summary.text()

    changes = dialog.changes.toPlainText()
    for expected in ("Added", "signage.jpg", "Removed", "toolbox-talk.mp4", "Changed",
                     "hazard-register.pdf", "Renamed", "barrier.jpg → dock-barrier.jpg",
                     "Identifies hazards", "Developing", "Proficient", "▲ up"):
        assert expected in changes, expected
    html = dialog.changes.toHtml()
    assert "line-through" in html  # removed words struck out
    assert f"background-color:{colours()['ok-bg']}" in html  # added words highlighted
    assert "checked them at noon" in changes

    side = dialog.side_by_side.toPlainText()
    assert "Obvious hazards only; the dock edge is missing." in side  # earlier comment
    assert "Walk the whole bay and record every hazard" in side  # what the learner was told
    assert "Every hazard, with locations." in side  # current comment
    assert "Resubmission requested" in side
    assert "Close, but not yet there." not in side  # internal notes are not learner feedback
    dialog.close()

    open_review(qtbot, window, FIRST_ID)  # a first attempt has no link
    assert "see attempt" not in window.review.header.text()
    assert not window.feedback.earlier_action.isEnabled()


def test_an_earlier_attempt_not_on_this_computer_is_explained(open_window, home, qtbot,
                                                               monkeypatch) -> None:
    from datetime import timedelta

    from assessor.demo import SAFETY_TEMPLATE
    from assessor.domain.people import Learner
    from assessor.domain.submission import Submission
    from tests.core.helpers import NOW

    store = seeded_store(home, count=2)
    store.receive([Submission(
        id="orphan-2", learner=Learner("l-o", "Olu Orphan"), template_id=SAFETY_TEMPLATE.id,
        rubric_key="site-safety", rubric_version=1, attempt=2, submitted_at=NOW,
        due_at=NOW + timedelta(days=3), assigned_to=ASSESSOR.user_id,
        previous_attempt_id="never-synced-1")])
    store.close()
    window = open_window()
    open_review(qtbot, window, "orphan-2")
    from ui import messages

    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error",
                        lambda parent, exc, **kw: shown.append(str(exc)))
    window.feedback.earlier_action.trigger()
    qtbot.wait_until(lambda: bool(shown), timeout=10_000)
    assert shown == ["Attempt 1 (never-synced-1) is not on this computer: it was judged by "
                     "someone else or before this computer synced. Ask the hub's "
                     "administrator for it."]
    assert window.feedback.attempts_dialog is None


def test_long_criterion_titles_do_not_squeeze_the_evidence_list(open_window, seeded,
                                                                  qtbot) -> None:
    from tests.ui.test_palette import open_review

    window = open_review(open_window, qtbot)
    panel = window.review.feedback
    long_title = "Engages and moderates the community across every platform it runs on"
    for combo in (panel.filter, panel.target):
        combo.addItem(long_title)
    assert panel.minimumSizeHint().width() < 330
    window.resize(1440, 900)
    window._reset_review_layout()
    qtbot.wait(50)
    narrative, evidence = window.review.top_split.sizes()
    assert evidence > 110, f"the evidence list is {evidence} px wide"  # 70 before
