"""JudgmentUndo: undo and redo of judgment edits (level, comment, pins) for the open
submission.

Every edit the rubric panel emits becomes one ``JudgmentChange`` on a ``QUndoStack``.
Undoing or redoing puts the criterion's card back to the other value and emits the
change again, so it is saved like any other edit (through ``Store.record_judgment``:
durable, audited and queued for sync). The stack belongs to one submission: showing
another submission clears it, and so does a decision (undo never crosses a decision).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from assessor.domain.judgment import Judgment, JudgmentDraft

Apply = Callable[[JudgmentDraft], None]
"""Shows a draft on its criterion's card and emits it for saving."""


def draft_of(judgment: Judgment | None, criterion_key: str) -> JudgmentDraft:
    if judgment is None:
        return JudgmentDraft(criterion_key, None)
    return JudgmentDraft(criterion_key, judgment.level_key, judgment.comment, judgment.pins)


def describe_change(before: JudgmentDraft, after: JudgmentDraft, title: str) -> str:
    if before.level_key != after.level_key:
        return f"level of “{title}”"
    if before.comment != after.comment:
        return f"comment on “{title}”"
    return f"pins of “{title}”"


class JudgmentChange(QUndoCommand):
    """One edit of one criterion's judgment: ``before`` → ``after``."""

    def __init__(self, before: JudgmentDraft, after: JudgmentDraft, text: str,
                 apply: Apply) -> None:
        super().__init__(text)
        self.before = before
        self.after = after
        self._apply = apply
        self._done_once = False

    def redo(self) -> None:
        if not self._done_once:  # pushed after the edit was made (and saved) by the user
            self._done_once = True
            return
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class JudgmentUndo(QObject):
    """The undo stack of the open submission and its two actions.

    Signals:
        changed(): what can be undone or redone changed.
    """

    changed = Signal()

    def __init__(self, apply: Apply, flush: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self._apply_to_card = apply
        self._flush = flush
        self._known: dict[str, JudgmentDraft] = {}
        self._titles: dict[str, str] = {}
        self._applying = False
        self.submission_id = ""

        self.undo_action = QAction("&Undo Judgment Change", self)
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.undo_action.triggered.connect(self.undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.redo_action.triggered.connect(self.redo)
        self.stack.canUndoChanged.connect(self._refresh)
        self.stack.canRedoChanged.connect(self._refresh)
        self.stack.indexChanged.connect(self._refresh)
        self._refresh()

    def reset(self, submission_id: str, judgments: Mapping[str, Judgment],
              titles: Mapping[str, str], *, keep: bool = False) -> None:
        """Follow ``submission_id`` with these stored judgments. The history is cleared
        unless ``keep`` (the same submission shown again, still open for judging)."""
        if not keep or submission_id != self.submission_id:
            self.stack.clear()
        self.submission_id = submission_id
        self._titles = dict(titles)
        self._known = {key: draft_of(judgments.get(key), key) for key in titles}

    def clear(self) -> None:
        """Forget the history (a decision was recorded, or nothing is open)."""
        self.stack.clear()

    def record(self, draft: JudgmentDraft) -> None:
        """An edit the user made: remember it as one undo step."""
        if self._applying:
            return
        key = draft.criterion_key
        before = self._known.get(key, JudgmentDraft(key, None))
        self._known[key] = draft
        if before == draft:
            return
        text = describe_change(before, draft, self._titles.get(key, key))
        self.stack.push(JudgmentChange(before, draft, text, self._apply))

    def undo(self) -> None:
        self._flush()  # a comment still being typed becomes its own step first
        if self.stack.canUndo():
            self.stack.undo()

    def redo(self) -> None:
        self._flush()
        if self.stack.canRedo():
            self.stack.redo()

    def _apply(self, draft: JudgmentDraft) -> None:
        self._known[draft.criterion_key] = draft
        self._applying = True
        try:
            self._apply_to_card(draft)
        finally:
            self._applying = False

    def _refresh(self, *_args: object) -> None:
        can_undo, can_redo = self.stack.canUndo(), self.stack.canRedo()
        self.undo_action.setEnabled(can_undo)
        self.redo_action.setEnabled(can_redo)
        self.undo_action.setStatusTip(f"Undo the change of the {self.stack.undoText()}"
                                      if can_undo else "No judgment change to undo")
        self.redo_action.setStatusTip(f"Redo the change of the {self.stack.redoText()}"
                                      if can_redo else "No judgment change to redo")
        self.changed.emit()
