"""Every control a user can reach has a name a screen reader can say."""

from __future__ import annotations

import pytest

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)

CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox,
            QAbstractItemView, QAbstractSlider, QSpinBox)


def _is_internal(widget: QWidget) -> bool:
    """Qt's own parts of a compound control (a scroll bar of a view, a combo box's list,
    a line edit inside a spin box): the accessible control is their owner."""
    name = widget.objectName()
    if name.startswith("qt_") or isinstance(widget.parentWidget(), QAbstractItemView):
        return True  # Qt's own, or a view's header (the view names it)
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QSpinBox, QLineEdit)) \
                or parent.objectName().startswith("qt_"):
            return True
        parent = parent.parentWidget()
    return False


def _path(widget: QWidget | None) -> str:
    names: list[str] = []
    while widget is not None and len(names) < 4:
        names.append(f"{type(widget).__name__}#{widget.objectName()}")
        widget = widget.parentWidget()
    return " < ".join(names)


def unnamed_controls(root: QWidget) -> list[str]:
    """The controls under ``root`` with neither an accessible name nor visible text."""
    offenders = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or _is_internal(widget):
            continue
        holder = widget.parentWidget()
        if isinstance(widget, QAbstractSlider) and holder is not None and holder.objectName() in (
                "qt_scrollarea_hcontainer", "qt_scrollarea_vcontainer"):
            continue
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if widget.accessibleName().strip() or text.replace("&", "").strip():
            continue
        parent = widget.parentWidget()
        offenders.append(f"{type(widget).__name__}#{widget.objectName() or '?'} in "
                         + _path(parent))
    return sorted(set(offenders))


def test_every_control_in_the_main_window_has_an_accessible_name(open_window, seeded,
                                                                  qtbot) -> None:
    window = open_window()
    window.finish_loading()
    queue = window.queue
    queue.select_row(0)
    submission_id = queue.selected_id()
    qtbot.wait_until(lambda: window._snapshot is not None
                     and window._snapshot.submission.id == submission_id
                     and bool(window.rubric.cards), timeout=10_000)
    offenders = unnamed_controls(window)
    assert not offenders, "controls without an accessible name:\n" + "\n".join(offenders)


@pytest.mark.qt_log_ignore(r"Couldn't (load|resolve)", r"PulseAudioService",
                           r"No audio device detected")  # the media view on a bare machine
def test_the_evidence_views_controls_have_accessible_names(open_window, seeded,
                                                           qtbot) -> None:
    window = open_window()
    viewer = window.viewer
    for kind in ("document", "image", "text", "media"):
        viewer._view(kind)  # each kind of evidence's view, as the first such file builds it
    offenders = unnamed_controls(viewer)
    assert not offenders, "controls without an accessible name:\n" + "\n".join(offenders)


def test_the_dialogs_controls_have_accessible_names(open_window, seeded, qtbot) -> None:
    from ui.evidence.pin_dialog import PinDialog
    from ui.review.decision_batch import BatchSignDialog
    from ui.review.decision_resubmit import ResubmissionDialog
    from ui.review.moderation_return import ReturnDialog
    from ui.review.snippets_picker import SnippetPicker
    from ui.sync.sign_in_dialog import SignInDialog

    window = open_window()
    window.finish_loading()
    window.queue.select_row(0)
    qtbot.wait_until(lambda: window._snapshot is not None, timeout=10_000)
    rubric = window._snapshot.rubric
    criteria = [(c.key, c.title) for c in rubric.criteria]
    dialogs = [
        PinDialog(criteria, criteria[0][0], "report.pdf, page 1", window),
        ResubmissionDialog(rubric, {c.key: None for c in rubric.criteria},
                           {c.key: "" for c in rubric.criteria}, "Ada", window),
        ReturnDialog(window),
        SnippetPicker([], "the comment", window),
        SignInDialog("https://hub.example", "ada", "", window),
        BatchSignDialog(window.ws, window.runner, window),
    ]
    window.feedback.manage_library()  # the comment library, as Tools opens it
    dialogs.append(window.feedback.library_dialog)
    offenders = [f"{type(d).__name__}: {o}" for d in dialogs for o in unnamed_controls(d)]
    for dialog in dialogs:
        dialog.deleteLater()
    window.runner.wait()
    assert not offenders, "controls without an accessible name:\n" + "\n".join(offenders)


def test_the_shortcut_list_covers_the_review_keys_and_c_focuses_the_comment(
        open_window, seeded, qtbot) -> None:
    from PySide6.QtCore import Qt

    from ui.windows.main_window import SHORTCUTS

    listed = {keys for keys, _ in SHORTCUTS}
    assert {"Ctrl+Down / Ctrl+Up", "J / K", "1 … 9", "C", "P", "Ctrl+Return",
            "Ctrl+Shift+R", "Ctrl+F", "F1"} <= listed
    window = open_window()
    window.finish_loading()
    bound = {a.shortcut().toString() for a in window.findChildren(type(window.sign_action))
             if not a.shortcut().isEmpty()}
    assert {"Ctrl+Down", "Ctrl+Up", "J", "K", "1", "9", "C", "P", "Ctrl+Return",
            "Ctrl+Shift+R", "Ctrl+F", "F1"} <= bound  # each listed key does something

    window.queue.select_row(0)
    qtbot.wait_until(lambda: window._snapshot is not None and bool(window.rubric.cards),
                     timeout=10_000)
    window.queue.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_J)  # the second criterion
    qtbot.keyClick(window, Qt.Key.Key_C)
    card = window.rubric.cards[1]
    qtbot.wait_until(card.comment.hasFocus, timeout=5_000)
    qtbot.keyClicks(card.comment, "clear")  # typing goes to the comment, not to shortcuts
    assert card.comment.toPlainText().endswith("clear")
    qtbot.wait_until(lambda: card.status.text() == "Saved", timeout=10_000)
