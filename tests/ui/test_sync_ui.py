"""Sync in the app: sign in from the window, sync on F5, the status bar, offline retries,
an expired sign-in, conflicts side by side."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from assessor.config import load_settings, save_settings
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.people import Actor, Role
from assessor.hub.server import free_port
from assessor.keys import KeychainSecrets
from assessor.sync.account import token_name
from tests.hub import factory
from tests.hub.conftest import PASSWORD, RunningHub
from tests.sync.conftest import desktops, sync_hub  # noqa: F401 - fixtures

__all__ = ["desktops", "sync_hub"]


def add_for_ada(hub: RunningHub, count: int = 2) -> list[str]:
    with hub.transaction() as session:
        return [factory.add_submission(session, hub.config.blob_dir, hub.users["lena"],
                                       assessor_id=hub.users["ada"],
                                       files=[("notes.txt", b"evidence %d" % n, "text/plain")]
                                       ).id for n in range(count)]


def sign_in_dialog(qtbot, window):
    controller = window.sync_controller
    qtbot.wait_until(lambda: controller._sign_in_dialog is not None, timeout=5_000)
    dialog = controller._sign_in_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_signing_in_from_the_window_then_syncing(open_window, sync_hub, qtbot) -> None:
    ids = add_for_ada(sync_hub)
    window = open_window()
    window.sync_action.trigger()  # no hub yet: Sync asks to sign in
    dialog = sign_in_dialog(qtbot, window)
    dialog.url.setText(sync_hub.url)
    dialog.user.setText("ada")
    dialog.secret.setText("not it")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(dialog.problem.isVisible, timeout=10_000)
    assert "wrong" in dialog.problem.text().lower()
    assert dialog.isVisible()  # corrected in place, no message box chain

    dialog.secret.setText(PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window.sync_controller._sign_in_dialog is None, timeout=10_000)
    qtbot.wait_until(lambda: window.queue.model.rowCount() == len(ids), timeout=20_000)
    qtbot.wait_until(lambda: window.sync_label.text().startswith("Last sync"), timeout=10_000)
    assert "0 changes waiting" in window.sync_label.text()
    assert window.ws.settings.user_id == sync_hub.users["ada"]


def test_offline_the_status_bar_counts_waiting_changes_and_retries(
        open_window, home, qtbot) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    KeychainSecrets().put(token_name(url), "a-token-for-a-hub-that-is-down")
    save_settings(home.home, load_settings(home.home).with_changes(hub_url=url,
                                                                  hub_username="ada"))
    try:
        window = open_window()
        window.sync_action.trigger()
        qtbot.wait_until(lambda: "retrying at" in window.sync_label.text(), timeout=15_000)
        assert window.sync_label.text().startswith("Offline — 0 changes waiting")
        assert window.sync_controller.timer.isActive()
        assert "cannot be reached" in window.sync_label.toolTip()
    finally:
        KeychainSecrets().delete(token_name(url))


def test_an_expired_sign_in_asks_once_to_sign_in_again(open_window, home, sync_hub,
                                                       qtbot) -> None:
    KeychainSecrets().put(token_name(sync_hub.url), "expired-or-revoked-token")
    save_settings(home.home, load_settings(home.home).with_changes(hub_url=sync_hub.url,
                                                                  hub_username="ada"))
    window = open_window()
    window.sync_action.trigger()
    dialog = sign_in_dialog(qtbot, window)
    assert dialog.url.text() == sync_hub.url and dialog.user.text() == "ada"
    assert window.sync_label.text().startswith("Sign in needed")
    assert not window.sync_controller.timer.isActive()  # no retry loop behind the dialog
    window.sync_controller.sync_now(quiet=True)  # the timer's kind of sync: ignored
    QApplication.processEvents()
    assert window.sync_controller._sign_in_dialog is dialog
    dialog.reject()


def test_a_conflict_opens_side_by_side_and_keep_mine_sends_mine(
        open_window, home, sync_hub, desktops, qtbot) -> None:
    [sub_id] = add_for_ada(sync_hub, 1)
    ada = Actor(sync_hub.users["ada"], "Ada", Role.ASSESSOR)
    other = desktops("office")
    other.sign_in(sync_hub.url, "ada")
    other.sync()
    window = open_window()
    window.sync_controller.ask_sign_in("")
    dialog = sign_in_dialog(qtbot, window)
    dialog.url.setText(sync_hub.url)
    dialog.user.setText("ada")
    dialog.secret.setText(PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window.queue.model.rowCount() == 1, timeout=20_000)

    other.store.record_judgment(sub_id, JudgmentDraft("listening", "exceeds", "Theirs"), ada)
    other.sync()
    window.ws.store.record_judgment(sub_id, JudgmentDraft("listening", "not_yet", "Mine"), ada)
    window.sync_action.trigger()
    controller = window.sync_controller
    qtbot.wait_until(lambda: controller._conflict_dialog is not None, timeout=20_000)
    conflicts = controller._conflict_dialog
    assert "1 conflict to resolve" in window.sync_label.text()
    assert conflicts.mine_body.toPlainText() == "Mine"
    assert conflicts.theirs_body.toPlainText() == "Theirs"
    assert "Exceeds" in conflicts.theirs_head.text()
    # named as people know them: the learner, the criterion's title, who changed it
    assert conflicts.list.item(0).text() == "Lena · Listening"
    assert "“Listening” was changed on the hub by Ada (you, on another computer)" \
        in conflicts.summary.text()
    assert "by Ada (you, on another computer)" in conflicts.theirs_head.text()
    assert sync_hub.users["ada"] not in conflicts.summary.text() + conflicts.theirs_head.text()
    window.grab().save(str(home.home / "conflict-window.png"))
    conflicts.grab().save(str(home.home / "conflict-dialog.png"))
    qtbot.mouseClick(conflicts.keep_mine, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: controller._conflict_dialog is None, timeout=10_000)
    qtbot.wait_until(lambda: "0 changes waiting" in window.sync_label.text()
                     and "conflict" not in window.sync_label.text(), timeout=20_000)
    from assessor.hub.models import Judgment

    with sync_hub.transaction() as session:
        row = session.get(Judgment, (sub_id, "listening"))
        assert row is not None and row.comment == "Mine"


def test_a_fresh_start_opens_the_demo_organisation(open_window, home, qtbot,
                                                    monkeypatch) -> None:
    window = open_window()
    monkeypatch.setenv("ASSESSOR_DEMO", "1")
    window.load_demo()  # what the empty queue's button does; a fresh start does the same
    controller = window.sync_controller
    try:
        qtbot.wait_until(lambda: window.queue.model.rowCount() > 0, timeout=60_000)
        qtbot.wait_until(lambda: window.sync_label.text().startswith("Last sync"),
                         timeout=60_000)
        assert controller.demo is not None
        assert window.ws.settings.demo_hub and window.ws.settings.role == "assessor"
        assert window.windowTitle().startswith("Assessor")
    finally:
        window.close()
        assert controller.demo is None  # the in-process hub stopped with the window
        KeychainSecrets().delete(token_name(load_settings(home.home).hub_url))
