"""A full review walked in the real main window against a real hub on loopback: the
assessor signs in, syncs, judges every criterion by keyboard, comments, pins a region of
the PDF evidence, approves, signs with the real keychain and syncs, and the hub publishes
a credential that verifies; a mentor reads and leaves feedback but cannot judge or
approve; a moderator second-marks blind and agrees, after which the assessor can sign.

Run inside ``dbus-run-session`` with an unlocked gnome-keyring (as dev.sh runs tests)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx
import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from assessor.domain.judgment import Judgment
from assessor.domain.states import State
from assessor.hub.models import Feedback, IssuedCredential, Organisation, SecondMark
from assessor.hub.models import Submission as HubSubmission
from assessor.keys import KeyCustody
from tests.core.helpers import open_store
from tests.hub import factory
from tests.hub.conftest import PASSWORD, RunningHub
from tests.sync.conftest import desktops, sync_hub  # noqa: F401 - fixtures
from tests.ui.test_evidence_viewer import drag_pin, pdf_bytes
from tests.ui.test_main_window import wait_for_review
from tests.ui.test_moderation import texts
from tests.ui.test_sync_ui import sign_in_dialog

__all__ = ["desktops", "sync_hub"]

PDF_NAME = "call-log.pdf"
COMMENT = "Confirmed the customer's need twice"
PIN_NOTE = "the refund line"
MENTOR_NOTE = "Lovely calm tone on the call - keep it up!"


@pytest.fixture
def walk_hub(sync_hub: RunningHub) -> RunningHub:
    """Lena's submission (a PDF call log and a note) assigned to Ada; Mia mentors Lena."""
    with sync_hub.transaction() as session:
        submission = factory.add_submission(
            session, sync_hub.config.blob_dir, sync_hub.users["lena"],
            assessor_id=sync_hub.users["ada"],
            files=[(PDF_NAME, pdf_bytes(2), "application/pdf"),
                   ("notes.txt", b"I listened, then offered a refund.", "text/plain")])
        factory.link_mentor(session, sync_hub.users["mia"], sync_hub.users["lena"])
    sync_hub.submission_id = submission.id  # type: ignore[attr-defined]
    return sync_hub


@pytest.fixture
def keys_removed(home):
    yield
    KeyCustody(home.home).delete_all()


def sign_in_and_sync(window, qtbot, hub: RunningHub, username: str, rows: int) -> None:
    """Sync asks to sign in (no hub yet); the user fills the dialog; the sync runs."""
    window.sync_action.trigger()
    dialog = sign_in_dialog(qtbot, window)
    dialog.url.setText(hub.url)
    dialog.user.setText(username)
    dialog.secret.setText(PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window.sync_controller._sign_in_dialog is None, timeout=15_000)
    qtbot.wait_until(lambda: window.queue.model.rowCount() == rows, timeout=30_000)
    qtbot.wait_until(lambda: window.sync_label.text().startswith("Last sync"), timeout=30_000)


def activate(window, qtbot) -> None:
    """Focus back in the window after a dialog (offscreen there is no window manager to
    hand activation back), on the queue: keys there are the window's shortcuts."""
    window.activateWindow()
    qtbot.wait_until(window.isActiveWindow, timeout=5_000)
    window.queue.table.setFocus()


def sync_by_f5(window, qtbot):
    """F5, as the user syncs; returns the sync's report."""
    activate(window, qtbot)
    with qtbot.waitSignal(window.sync_controller.synced, timeout=30_000) as synced:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.wait_until(lambda: "0 changes waiting" in window.sync_label.text(), timeout=10_000)
    return synced.args[0]


def open_first(window, qtbot) -> str:
    window.queue.table.setFocus()
    window.queue.select_row(0)
    submission_id: str = window.queue.selected_id()
    wait_for_review(qtbot, window, submission_id)
    return submission_id


def show_pdf(window, qtbot):
    snapshot = window._snapshot
    [pdf] = [e for e in snapshot.submission.evidence if e.file_name == PDF_NAME]
    assert window.review.select_evidence(pdf.id)
    viewer = window.viewer
    qtbot.wait_until(lambda: viewer.item is not None and viewer.item.id == pdf.id
                     and viewer.settled and viewer.shown, timeout=30_000)
    return viewer, pdf


def saved(card) -> Judgment | SimpleNamespace:
    """What the store last confirmed for ``card`` (its "Saved" status says the same)."""
    judgment: Judgment | None = card._judgment
    return judgment or SimpleNamespace(level_key=None, comment="", pins=())


def press(window, qtbot, key: Qt.Key,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window, key, modifier)


# -- the assessor -----------------------------------------------------------------------


def test_the_assessor_walks_a_review_to_a_published_credential_that_verifies(
        open_window, walk_hub, home, keys_removed, qtbot) -> None:
    from assessor.credentials.verify import verify_credential

    window = open_window()
    window.resize(1400, 860)
    sign_in_and_sync(window, qtbot, walk_hub, "ada", rows=1)
    assert window.ws.settings.role == "assessor"
    assert KeyCustody(home.home).active() is not None  # made and enrolled at sign-in
    submission_id = open_first(window, qtbot)
    assert submission_id == walk_hub.submission_id
    viewer, pdf = show_pdf(window, qtbot)

    # Judge every criterion with the keyboard alone: J/K move, 1..n choose a level.
    activate(window, qtbot)
    rubric = window.rubric
    cards = rubric.cards
    assert [c.criterion.key for c in cards] == list(factory.CRITERIA)
    rubric.set_current(0)
    for n, card in enumerate(cards):
        if n:
            press(window, qtbot, Qt.Key.Key_J)
        assert rubric.current_card is card
        press(window, qtbot, Qt.Key.Key_3)  # "Exceeds"
        qtbot.wait_until(lambda c=card: saved(c).level_key == "exceeds", timeout=10_000)
    press(window, qtbot, Qt.Key.Key_K)  # back to the first criterion
    assert rubric.current_card is cards[0]
    press(window, qtbot, Qt.Key.Key_2)  # changes its mind: "Meets"
    qtbot.wait_until(lambda: saved(cards[0]).level_key == "meets", timeout=10_000)

    # A comment on the first criterion, by keyboard: Ctrl+3 goes to the rubric (its first
    # level button), Tab walks on to the comment box, the user types.
    activate(window, qtbot)
    press(window, qtbot, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert cards[0].levels.buttons()[0].hasFocus()
    for _ in range(len(cards[0].levels.buttons()) + 2):
        if cards[0].comment.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert cards[0].comment.hasFocus()
    qtbot.keyClicks(cards[0].comment, COMMENT)
    qtbot.wait_until(lambda: saved(cards[0]).comment == COMMENT, timeout=10_000)
    assert [c.chosen_level() for c in cards] == ["meets", "exceeds"]  # typing chose none

    # A pin on the PDF: pin mode (P), a drag on the page, the pin dialog.
    window.queue.table.setFocus()
    rubric.set_current(1)
    drag_pin(window, qtbot)
    dialog = window.pin_dialog
    assert dialog.criterion.currentData() == cards[1].criterion.key
    dialog.note.setText(PIN_NOTE)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.wait_until(lambda: len(saved(cards[1]).pins) == 1, timeout=10_000)
    [pin] = cards[1].pins
    assert pin.evidence_id == pdf.id and pin.note == PIN_NOTE
    assert not viewer.pin_mode

    # Approve (Ctrl+Return) opens the signing dialog; sign with the keychain's key.
    activate(window, qtbot)
    press(window, qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait_until(lambda: getattr(window, "signing_dialog", None) is not None
                     and window.signing_dialog.isVisible(), timeout=15_000,
                     )
    signing = window.signing_dialog
    assert signing.sign_button.text() != "Create Key and Sign"  # enrolled at sign-in
    assert "Approved." in texts(signing)
    qtbot.mouseClick(signing.sign_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window._snapshot is not None
                     and window._snapshot.submission.state is State.SIGNED, timeout=20_000)

    # F5 sends it all; the hub publishes the credential.
    sync_by_f5(window, qtbot)
    qtbot.wait_until(lambda: window._snapshot is not None
                     and window._snapshot.submission.state is State.PUBLISHED, timeout=20_000)
    store = open_store(home)
    try:
        [signed] = store.signed_credentials(submission_id)
        judgments = store.judgments(submission_id)
    finally:
        store.close()
    assert judgments["listening"].comment == COMMENT
    assert {k: j.level_key for k, j in judgments.items()} == {"listening": "meets",
                                                               "resolution": "exceeds"}
    assert judgments["resolution"].pins == (pin,)
    with walk_hub.transaction() as session:
        row = session.get(IssuedCredential, signed["id"])
        assert row is not None and row.submission_id == submission_id
        hub_sub = session.get(HubSubmission, submission_id)
        assert hub_sub is not None and hub_sub.state == "published"
    with httpx.Client(base_url=walk_hub.url) as client:
        published = client.get(f"/credentials/{signed['id']}", params={"format": "json"}).json()
        did = client.get("/.well-known/did.json").json()
        status = client.get(urlsplit(signed["credentialStatus"]["statusListCredential"]
                                     ).path).json()
    assert published["proof"] == signed["proof"]
    result = verify_credential(published, documents=[did], status_documents=[status])
    assert result.ok, result.lines()
    window.grab().save("/tmp/full_review_walk_assessor.png")


# -- the mentor -------------------------------------------------------------------------


def test_a_mentor_reads_and_leaves_feedback_that_reaches_the_hub_but_cannot_decide(
        open_window, walk_hub, home, keys_removed, qtbot) -> None:
    window = open_window()
    sign_in_and_sync(window, qtbot, walk_hub, "mia", rows=1)
    assert window.ws.settings.role == "mentor"
    submission_id = open_first(window, qtbot)
    assert submission_id == walk_hub.submission_id
    rubric = window.rubric
    assert rubric.lock_note.isVisible() and "Mentors" in rubric.lock_note.text()
    assert not any(b.isEnabled() for c in rubric.cards for b in c.levels.buttons())
    assert all(card.comment.isReadOnly() for card in rubric.cards)
    bar = rubric.decision_bar
    assert not bar.approve_button.isEnabled() and not bar.resubmit_button.isEnabled()
    assert "Mentors" in bar.approve_button.toolTip()
    assert not window.sign_action.isEnabled()

    # The keys an assessor uses do nothing here, and Approve says why.
    activate(window, qtbot)
    press(window, qtbot, Qt.Key.Key_2)
    press(window, qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert rubric.cards[0].chosen_level() is None
    assert "Cannot approve yet. Mentors" in window.statusBar().currentMessage()
    assert getattr(window, "signing_dialog", None) is None
    window.sign_current()
    assert "Open an approved submission" in window.statusBar().currentMessage()

    # Feedback for the learner, typed and added, then synced to the hub.
    panel = window.review.feedback
    assert panel.visibility.currentData() == "learner"
    panel.editor.setFocus()
    qtbot.keyClicks(panel.editor, MENTOR_NOTE)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: panel.count == 1, timeout=10_000)
    assert panel.cards[0].visibility_tag.text() == "Visible to learner"
    report = sync_by_f5(window, qtbot)
    assert report.pushed == 1 and report.refused == 0, report.describe()
    with walk_hub.transaction() as session:
        [note] = session.query(Feedback).filter_by(submission_id=submission_id).all()
        assert (note.body, note.visibility, note.author_id) == (
            MENTOR_NOTE, "learner", walk_hub.users["mia"])
        hub_sub = session.get(HubSubmission, submission_id)
        assert hub_sub is not None and hub_sub.state == "pending"  # nothing decided
        assert session.query(IssuedCredential).count() == 0


# -- the moderator ----------------------------------------------------------------------


def window_over(paths, qtbot):
    """The real main window over another desktop's data directory (the assessor's)."""
    from ui.app import build_main_window

    window = build_main_window(paths)
    qtbot.add_widget(window)
    window.show()
    qtbot.wait_exposed(window)
    return window


def test_a_sampled_decision_is_moderated_blind_then_the_assessor_signs(
        open_window, walk_hub, home, desktops, qtbot) -> None:
    from assessor.domain.feedback import Outcome
    from assessor.domain.judgment import JudgmentDraft
    from assessor.domain.people import Actor, Role

    with walk_hub.transaction() as session:  # every new assessor's first approval
        org = session.get(Organisation, 1)
        assert org is not None
        org.moderation_first_n = 1
    submission_id = walk_hub.submission_id
    levels = {"listening": "exceeds", "resolution": "meets"}
    comments = {"listening": "Asked twice before acting", "resolution": "Refund offered"}

    # The assessor judges and approves on their own desktop; the decision is sampled.
    laptop = desktops("ada")
    laptop.sign_in(walk_hub.url, "ada")
    laptop.sync(evidence=False)
    ada = Actor(walk_hub.users["ada"], "Ada", Role.ASSESSOR)
    for key, level in levels.items():
        laptop.store.record_judgment(submission_id, JudgmentDraft(key, level, comments[key]),
                                     ada)
    laptop.store.decide(submission_id, ada, Outcome.APPROVE, note="Well evidenced")
    assert laptop.store.submission(submission_id).state is State.AWAITING_MODERATION
    with pytest.raises(Exception, match="moderat"):
        laptop.store.check_can_sign(submission_id, ada)
    assert laptop.sync(evidence=False).refused == 0
    with walk_hub.transaction() as session:
        hub_sub = session.get(HubSubmission, submission_id)
        assert hub_sub is not None and hub_sub.state == "awaiting_moderation"

    # The moderator signs in, syncs, and finds it waiting for them.
    window = open_window()
    window.resize(1400, 860)
    sign_in_and_sync(window, qtbot, walk_hub, "mo", rows=1)
    assert window.ws.settings.role == "moderator"
    # (The queue opens narrowed to "Awaiting moderation" only when the window starts as a
    # moderator; signing in within an open window leaves the filter as it was.)
    assert window.queue.model.index(0, 4).data() == "Awaiting moderation"
    window.queue.select_row(0)
    wait_for_review(qtbot, window, submission_id)
    panel = window.moderation.panel
    qtbot.wait_until(lambda: window.moderation.showing_panel and bool(panel.cards),
                     timeout=10_000)
    # Blind: nothing of the assessor's judgment is in the panel before marking.
    assert panel.judgments_shown is None and panel.comparison_model.rowCount() == 0
    shown = texts(panel)
    for comment in comments.values():
        assert comment not in shown
    assert not any(card.chosen for card in panel.cards)
    assert not window.sign_action.isEnabled()  # moderators do not sign
    for key, level in levels.items():
        card = panel.card_for(key)
        assert card is not None
        qtbot.mouseClick(card.button(level), Qt.MouseButton.LeftButton)
        qtbot.wait_until(lambda c=card, lv=level: c.chosen == lv, timeout=5_000)
    qtbot.wait_until(lambda: panel.stack.currentIndex() == 1, timeout=10_000)
    assert "the same level on all 2" in panel.note.text()
    for comment in comments.values():
        assert comment in panel.comments.text()
    window.grab().save("/tmp/full_review_walk_moderator.png")
    qtbot.mouseClick(panel.agree_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window._snapshot is not None
                     and window._snapshot.submission.state is State.APPROVED, timeout=10_000)
    report = sync_by_f5(window, qtbot)
    assert report.refused == 0, report.describe()
    with walk_hub.transaction() as session:
        hub_sub = session.get(HubSubmission, submission_id)
        assert hub_sub is not None and hub_sub.state == "approved"
        marks = {m.criterion_key: m.level_key for m in session.query(SecondMark).all()}
        assert marks == levels

    # The assessor syncs and can now sign, in their own window. Both desktops share this
    # test's one keychain, where the sign-in token is kept per hub address (not per user):
    # the moderator's sign-in replaced Ada's, so Ada signs in again, as on her own laptop.
    window.close()
    laptop.store.close()
    laptop.sign_in(walk_hub.url, "ada")
    mine = window_over(laptop.paths, qtbot)
    try:
        report = sync_by_f5(mine, qtbot)
        assert report.refused == 0, report.describe()
        mine.queue.select_row(0)
        wait_for_review(qtbot, mine, submission_id)
        qtbot.wait_until(lambda: mine._snapshot.submission.state is State.APPROVED
                         and mine.sign_action.isEnabled(), timeout=10_000)
        assert not mine.moderation.bar.isVisible() or "Signing waits" not in \
            mine.moderation.bar_text.text()
        mine.sign_action.trigger()
        qtbot.wait_until(lambda: getattr(mine, "signing_dialog", None) is not None
                         and mine.signing_dialog.isVisible(), timeout=15_000)
        qtbot.mouseClick(mine.signing_dialog.sign_button, Qt.MouseButton.LeftButton)
        qtbot.wait_until(lambda: mine._snapshot.submission.state is State.SIGNED,
                         timeout=20_000)
        report = sync_by_f5(mine, qtbot)
        assert (report.pushed, report.refused, report.conflicts) == (1, 0, 0), report
        with walk_hub.transaction() as session:
            [row] = session.query(IssuedCredential).all()
            assert row.submission_id == submission_id
    finally:
        mine.close()
        mine.runner.wait()
        mine.ws.close()
        KeyCustody(laptop.paths.home).delete_all()
