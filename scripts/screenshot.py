"""Regenerate every screenshot of the documentation from the real window.

    .venv/bin/python scripts/screenshot.py [OUT_DIR]      (default: docs/screenshots)

A fresh data folder, the embedded demo organisation synced (submissions and evidence), then
the window is driven as an assessor drives it — key presses, a mouse drag for the pin, the
dialogs' own buttons — and each state is grabbed: sign-in, the queue, judging by keyboard,
pins, request resubmission, approve and sign, a feedback thread (a mentor's notes synced
from another desktop, the assessor's reply), a real sync conflict (the same criterion
judged on another desktop), working offline (the hub stopped), insights and the F1 cheat
sheet. PNGs are saved with 256 colours (each well under 300 KB).

The demo keeps its sign-in and signing key in the OS keychain. Unless it is already
inside one (``ASSESSOR_SCREENSHOT_SESSION=1``), the script runs itself again inside
``dbus-run-session`` with a private, unlocked gnome-keyring (as ``dev.sh test`` does), so
your own keyrings are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
SESSION_ENV = "ASSESSOR_SCREENSHOT_SESSION"
DEFAULT_OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1440, 900

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

    from assessor.domain.review import ReviewSnapshot
    from ui.windows.main_window import MainWindow


def in_private_keyring(argv: list[str]) -> int:
    """Run this script again on a private session bus with an unlocked gnome-keyring."""
    if not shutil.which("dbus-run-session") or not shutil.which("gnome-keyring-daemon"):
        raise SystemExit("screenshot: needs dbus-run-session and gnome-keyring-daemon "
                         "(bash dev.sh test installs them)")
    with tempfile.TemporaryDirectory(prefix="assessor-shots-keyring-") as keyring:
        data, run = Path(keyring, "data"), Path(keyring, "run")
        data.mkdir()
        run.mkdir(mode=0o700)
        env = dict(os.environ, XDG_DATA_HOME=str(data), XDG_RUNTIME_DIR=str(run),
                   QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   **{SESSION_ENV: "1"})
        script = ('printf screenshots | gnome-keyring-daemon --unlock --components=secrets '
                  '>/dev/null; exec "$0" "$@"')
        return subprocess.call(["dbus-run-session", "--", "bash", "-c", script,
                                sys.executable, *argv], env=env)


# -- the scenes -------------------------------------------------------------------------


def open_window(home: Path) -> MainWindow:
    """A fresh start: the window serves the demo organisation and syncs it."""
    from screenshot_driving import activate, wait_for

    from assessor.paths import AppPaths
    from ui.app import build_main_window, make_application

    make_application()
    window = build_main_window(AppPaths(home).ensure())
    window.resize(WIDTH, HEIGHT)
    window.show()
    wait_for(lambda: window.queue.model.rowCount() >= 10, 120, "the demo's submissions")
    controller = window.sync_controller
    wait_for(lambda: not controller.running and controller.last_sync is not None, 300,
             "the demo's evidence")
    activate(window)
    return window


def snapshot(window: MainWindow) -> ReviewSnapshot:
    shown = window._snapshot
    if shown is None:
        raise SystemExit("screenshot: no submission is open")
    return shown


def open_submission(window: MainWindow, submission_id: str) -> None:
    from screenshot_driving import activate, settle, wait_for

    if not window.queue.select_id(submission_id):
        raise SystemExit(f"screenshot: {submission_id} is not in the queue")
    wait_for(lambda: window._snapshot is not None
             and window._snapshot.submission.id == submission_id
             and bool(window.rubric.cards), 20, "the submission to open")
    activate(window)
    window.queue.table.setFocus()
    settle(300)


def pending_ids(window: MainWindow, *, first_evidence: str = "") -> list[str]:
    """Pending, unjudged submissions in queue order (optionally: first evidence of a kind)."""
    from assessor.domain.states import State

    store = window.ws.store
    found = []
    for row in range(window.queue.model.rowCount()):
        line = window.queue.model.row_at(row)
        if line is None:
            continue
        review = store.review(line.id)
        evidence = review.submission.evidence
        if review.submission.state is not State.PENDING or review.judgments:
            continue
        if first_evidence and not (evidence and evidence[0].media_type == first_evidence):
            continue
        found.append(line.id)
    return found


def judge(window: MainWindow, levels: list[int]) -> None:
    """Number keys choose a level on the current criterion, J moves to the next one."""
    from screenshot_driving import activate, press, wait_for

    from PySide6.QtCore import Qt

    activate(window)
    window.queue.table.setFocus()
    rubric = window.rubric
    rubric.set_current(0)
    for n, level in enumerate(levels):
        if n:
            press(window, Qt.Key.Key_J)
        press(window, number_key(level))
    cards = rubric.cards[:len(levels)]
    wait_for(lambda: all(card._judgment is not None
                         and card._judgment.level_key == card.chosen_level()
                         for card in cards), 15, "the judgments to be saved")


def number_key(level: int) -> Qt.Key:
    from PySide6.QtCore import Qt

    return Qt.Key(int(Qt.Key.Key_0.value) + level)


def comment(window: MainWindow, text: str) -> None:
    """C puts the cursor in the current criterion's comment box; the user types."""
    from screenshot_driving import press, type_text, wait_for

    from PySide6.QtCore import Qt

    press(window, Qt.Key.Key_C)
    card = window.rubric.current_card
    assert card is not None and card.comment.hasFocus()
    type_text(card.comment, text)
    wait_for(lambda: card._judgment is not None and card._judgment.comment == text, 10,
             "the comment to be saved")


def sync_by_f5(window: MainWindow) -> None:
    from screenshot_driving import activate, press, wait_for

    from PySide6.QtCore import Qt

    controller = window.sync_controller
    activate(window)
    before = controller.last_sync
    press(window, Qt.Key.Key_F5)
    wait_for(lambda: not controller.running and controller.last_sync != before, 60,
             "the sync to finish")


def shot_sign_in(window: MainWindow, out: Path) -> None:
    from screenshot_driving import grab, wait_for

    controller = window.sync_controller
    controller.sign_in_action.trigger()
    wait_for(lambda: controller._sign_in_dialog is not None, 5, "the sign-in dialog")
    dialog = controller._sign_in_dialog
    assert dialog is not None
    dialog.url.setText("https://hub.northwind-skills.example")
    dialog.user.setText("sam.okoro")
    dialog.secret.setText("correct horse battery staple")
    grab(dialog, out / "sign-in.png")
    dialog.reject()
    wait_for(lambda: controller._sign_in_dialog is None, 5, "the sign-in dialog to close")


def shot_queue(window: MainWindow, out: Path) -> None:
    from screenshot_driving import grab

    sizes = window.split.sizes()
    window.split.setSizes([620, sum(sizes) - 620 - 380, 380])  # the whole queue in view
    window.queue.select_row(1)
    open_submission(window, window.queue.selected_id())
    grab(window, out / "queue.png")
    window.split.setSizes(sizes)


def shot_judging_and_pins(window: MainWindow, out: Path) -> str:
    """Judge a PDF submission by keyboard, comment, pin a region of the report."""
    from screenshot_driving import activate, drag, grab, press, settle, type_text, wait_for

    from PySide6.QtCore import QPoint, Qt

    submission_id = pending_ids(window, first_evidence="application/pdf")[0]
    open_submission(window, submission_id)
    viewer = window.viewer
    wait_for(lambda: viewer.shown and viewer.settled, 60, "the PDF to show")
    settle(1200)
    judge(window, [3, 2])
    settle(200)
    window._reset_review_layout()  # the narrative and evidence list as a fresh window has them
    settle(200)
    grab(window, out / "main-window.png")
    comment(window, "Content calendar three weeks ahead; each idea adapted per platform, "
                    "alt text and captions on every post.")
    grab(window, out / "judging.png")

    # P turns pin mode on; a drag on the page draws the pin; the dialog attaches it.
    activate(window)
    window.queue.table.setFocus()
    window.rubric.set_current(0)
    press(window, Qt.Key.Key_P)
    assert viewer.pin_mode
    view = viewer.current_view
    surface = view.canvas.viewport()
    settle(600)
    width = surface.width()
    drag(surface, QPoint(width * 14 // 100, 138), QPoint(width * 86 // 100, 226))
    wait_for(lambda: getattr(window, "pin_dialog", None) is not None
             and window.pin_dialog.isVisible(), 5, "the pin dialog")
    dialog = window.pin_dialog
    type_text(dialog.note, "Three SMART objectives agreed with the owner")
    grab(dialog, out / "pin-dialog.png")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    card = window.rubric.cards[0]
    wait_for(lambda: card._judgment is not None and len(card._judgment.pins) == 1, 10,
             "the pin to be saved")
    settle(800)
    grab(window, out / "pins.png")
    return submission_id


def shot_approve_and_sign(window: MainWindow, out: Path, submission_id: str) -> None:
    """Every criterion judged at its top level, Ctrl+Return, the signing preview, Sign."""
    from screenshot_driving import activate, grab, press, wait_for

    from PySide6.QtCore import Qt

    from assessor.domain.states import State

    open_submission(window, submission_id)
    criteria = snapshot(window).rubric.criteria
    judge(window, [len(c.levels) for c in criteria])
    activate(window)
    press(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_for(lambda: getattr(window, "signing_dialog", None) is not None
             and window.signing_dialog.isVisible(), 20, "the signing dialog")
    dialog = window.signing_dialog
    grab(dialog, out / "approve-sign.png")
    dialog.sign_button.click()
    wait_for(lambda: snapshot(window).submission.state is State.SIGNED, 30, "the signature")
    sync_by_f5(window)
    wait_for(lambda: snapshot(window).submission.state is State.PUBLISHED, 30,
             "the hub to publish the credential")


def shot_resubmission(window: MainWindow, out: Path) -> None:
    from screenshot_driving import activate, grab, press, type_text, wait_for

    from PySide6.QtCore import Qt

    submission_id = pending_ids(window)[0]
    open_submission(window, submission_id)
    criteria = snapshot(window).rubric.criteria
    levels = [2 if n % 2 == 0 else 1 for n in range(len(criteria))]
    judge(window, levels)
    activate(window)
    press(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier
          | Qt.KeyboardModifier.ShiftModifier)
    decisions = window.decisions
    wait_for(lambda: getattr(decisions, "resubmit_dialog", None) is not None, 10,
             "the resubmission dialog")
    dialog = decisions.resubmit_dialog
    assert dialog is not None
    wait_for(dialog.isVisible, 5, "the resubmission dialog to show")
    advice = ("Add one piece of evidence from your own work that shows this, and say in "
              "the narrative what you did and why.")
    for box in list(dialog.boxes.values())[:-1]:
        type_text(box, advice)
    type_text(dialog.note, "A good start: the structure is there.")
    grab(dialog, out / "resubmission.png")
    for box in list(dialog.boxes.values())[-1:]:
        type_text(box, advice)
    dialog.ok_button.click()
    wait_for(lambda: snapshot(window).submission.state.value == "resubmission_requested",
             10, "the resubmission to be recorded")


def shot_feedback(window: MainWindow, out: Path, home: Path, hub_url: str) -> None:
    """The mentor writes on another desktop; the assessor syncs and replies in the thread."""
    from screenshot_desktop import OtherDesktop
    from screenshot_driving import grab, press, settle, type_text, wait_for

    from PySide6.QtCore import Qt

    from assessor.domain.feedback import Visibility
    from assessor.hub.demo.organisation import DEMO_PASSWORD

    mentor = OtherDesktop(home / "mentor-laptop", hub_url, "mentor", DEMO_PASSWORD)
    try:
        mentor.sync()  # a mentor gets the submissions of the learners they mentor
        store = mentor.workstation.store
        theirs = set(mentor.submission_ids())
        mentored = [i for i in pending_ids(window) if i in theirs]
        if not mentored:
            raise SystemExit("screenshot: no pending submission of a mentored learner")
        submission_id = mentored[0]
        criterion = store.review(submission_id).rubric.criteria[0]
        first = store.add_feedback(
            submission_id, mentor.actor,
            "I watched this work on site: the plan was their own, and the team followed it.",
            Visibility.INTERNAL)
        store.add_feedback(
            submission_id, mentor.actor,
            "Well done! Next time, say in your own words why you chose each step.",
            Visibility.LEARNER, criterion_key=criterion.key)
        mentor.sync()
    finally:
        mentor.close()
    sync_by_f5(window)
    open_submission(window, submission_id)
    window.review.show_feedback()
    panel = window.review.feedback
    wait_for(lambda: panel.count == 2, 10, "the mentor's notes")
    panel.reply_to(first.id)
    type_text(panel.editor, "Thanks, that matches the evidence. I'll ask about it in the "
                            "interview.")
    press(panel.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_for(lambda: panel.count == 3, 10, "the reply to be saved")
    settle(400)
    grab(window, out / "feedback.png")


def shot_conflict(window: MainWindow, out: Path, home: Path, hub_url: str) -> None:
    """The same criterion judged on the office computer and, before syncing, here."""
    from screenshot_desktop import OtherDesktop
    from screenshot_driving import activate, grab, wait_for

    from assessor.domain.judgment import JudgmentDraft
    from assessor.hub.demo.organisation import DEMO_PASSWORD

    submission_id = pending_ids(window)[0]
    office = OtherDesktop(home / "office-computer", hub_url, "assessor", DEMO_PASSWORD)
    try:
        office.sync()
        criterion = office.workstation.store.review(submission_id).rubric.criteria[0]
        top = max(criterion.levels, key=lambda level: level.points)
        office.workstation.store.record_judgment(
            submission_id, JudgmentDraft(criterion.key, top.key,
                                         "Seen on site: exactly as the narrative says."),
            office.actor)
        office.sync()
    finally:
        office.close()
    open_submission(window, submission_id)
    judge(window, [1])
    comment(window, "The files do not show this yet.")
    controller = window.sync_controller
    sync_by_f5(window)
    wait_for(lambda: controller._conflict_dialog is not None, 20, "the conflict dialog")
    dialog = controller._conflict_dialog
    assert dialog is not None
    grab(dialog, out / "conflict.png")
    dialog.keep_mine.click()
    wait_for(lambda: controller._conflict_dialog is None, 10, "the conflict to be settled")
    activate(window)


def shot_offline(window: MainWindow, out: Path) -> str:
    """The hub goes away (the demo hub stops); judging goes on and waits to be sent. The
    submission judged is a resubmission (attempt 2), so insights has progress to chart.
    Returns that submission's id."""
    from screenshot_driving import activate, grab, press, settle, wait_for

    from PySide6.QtCore import Qt

    controller = window.sync_controller
    controller.stop_demo()
    submission_id = next((i for i in pending_ids(window)
                          if window.ws.store.submission(i).attempt > 1), None)
    if submission_id is None:
        raise SystemExit("screenshot: the demo has no pending resubmission")
    open_submission(window, submission_id)
    window.review.tabs.setCurrentIndex(0)  # the narrative
    window.resize(WIDTH, HEIGHT)
    criteria = snapshot(window).rubric.criteria
    judge(window, [min(3, len(c.levels)) for c in criteria])
    settle(300)
    activate(window)
    press(window, Qt.Key.Key_F5)  # the hub cannot be reached: the changes wait
    wait_for(lambda: not controller.running
             and window.sync_label.text().startswith("Offline"), 60, "the offline state")
    settle(300)
    grab(window, out / "offline.png")
    return submission_id


def idle(tab: object) -> Callable[[], bool]:
    return lambda: not getattr(tab, "loading", False)


def shot_insights(window: MainWindow, out: Path, resubmitted: str, approved: str) -> None:
    """Ctrl+I: the learner whose resubmission was judged, across attempts; pass rates per
    criterion of the credential approved above."""
    from screenshot_driving import activate, grab, press, settle, wait_for

    from PySide6.QtCore import Qt

    from ui.insights.dialog import InsightsDialog

    store = window.ws.store
    learner_id = store.submission(resubmitted).learner.id
    template_id = store.submission(approved).template_id
    activate(window)
    press(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    wait_for(lambda: window.findChild(InsightsDialog) is not None, 10, "insights")
    dialog = window.findChild(InsightsDialog)
    assert dialog is not None
    dialog.resize(1100, 760)
    settle(300)
    dialog.learner.select_learner(learner_id)
    dialog.credential.select_credential(template_id)
    for index, (tab, name) in enumerate(((dialog.learner, "learner"),
                                         (dialog.credential, "credential"))):
        dialog.tabs.setCurrentIndex(index)
        wait_for(idle(tab), 20, f"the {name} chart")
        settle(800)
        grab(dialog, out / f"insights-{name}.png")
    dialog.close()


def shot_shortcuts(window: MainWindow, out: Path) -> None:
    """F1 opens the cheat sheet (a modal box): grab it from inside its own event loop."""
    from screenshot_driving import activate, grab, press

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.windows.shortcuts_dialog import ShortcutsDialog

    grabbed: list[str] = []

    def grab_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, ShortcutsDialog):
            QTimer.singleShot(100, grab_and_close)
            return
        grab(box, out / "shortcuts.png")
        grabbed.append(box.windowTitle())
        box.done(0)

    activate(window)
    QTimer.singleShot(300, grab_and_close)
    press(window, Qt.Key.Key_F1)
    if not grabbed:
        raise SystemExit("screenshot: the F1 cheat sheet did not open")


def close(window: MainWindow, home: Path) -> None:
    from assessor.config import load_settings
    from assessor.keys import KeychainSecrets, KeyCustody
    from assessor.sync.account import token_name

    url = load_settings(home).hub_url
    window.close()
    window.runner.wait()
    window.ws.close()
    KeyCustody(home).delete_all()
    if url:
        KeychainSecrets().delete(token_name(url))


def take_all(out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["ASSESSOR_DEMO"] = "1"
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="assessor-shots-") as tmp:
        home = Path(tmp, "desktop")
        window = open_window(home)
        hub = window.sync_controller.demo
        assert hub is not None
        hub_url = hub.hub.url
        print(f"demo organisation synced in {time.monotonic() - started:.0f} s; grabbing:")
        try:
            shot_sign_in(window, out)
            shot_queue(window, out)
            pinned = shot_judging_and_pins(window, out)
            shot_approve_and_sign(window, out, pinned)
            shot_resubmission(window, out)
            shot_feedback(window, out, Path(tmp), hub_url)
            shot_conflict(window, out, Path(tmp), hub_url)
            resubmitted = shot_offline(window, out)
            shot_insights(window, out, resubmitted, pinned)
            shot_shortcuts(window, out)
        finally:
            close(window, home)
    print(f"done in {time.monotonic() - started:.0f} s: {out}")


def main(argv: list[str]) -> int:
    out = Path(argv[0]).resolve() if argv else DEFAULT_OUT
    if out.suffix == ".png":
        raise SystemExit("screenshot: give a folder; every screenshot is regenerated")
    if os.environ.get(SESSION_ENV) != "1":
        return in_private_keyring([str(Path(__file__).resolve()), str(out)])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    take_all(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
