"""ConflictDialog: each open conflict with both versions side by side, and the choice.

Mine is what this computer holds; theirs is what the hub holds (another desktop of the
same assessor, or a moderator). The user keeps mine, takes theirs, or (for a criterion's
judgment) merges: picks the level and edits one comment made of both. Nothing is decided
for them. The dialog only shows and asks; the controller resolves off the GUI thread.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from assessor.domain.people import person_label

if TYPE_CHECKING:
    from assessor.store.sync_store import Conflict


@dataclass(frozen=True)
class ConflictContext:
    """What the dialog needs to name things as people know them (read on the store lane)."""

    learners: Mapping[str, str] = field(default_factory=dict)
    """Submission id → the learner's name."""
    criteria: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Submission id → criterion key → the criterion's title."""
    people: Mapping[str, str] = field(default_factory=dict)
    """User id → name (the hub's names, and the signed-in user's own)."""

    def learner(self, conflict: Conflict) -> str:
        return self.learners.get(conflict.submission_id) \
            or f"Submission {conflict.submission_id[:8]}"

    def subject(self, conflict: Conflict) -> str:
        """The criterion's title (judgments and second marks), else what clashed."""
        if conflict.kind in ("judgment", "second_mark"):
            return self.criteria.get(conflict.submission_id, {}).get(
                conflict.subject, conflict.subject)
        return {"decision": "the decision", "moderation": "the moderation outcome",
                "credential": "the signed credential",
                "feedback": "a feedback note"}.get(conflict.kind, conflict.kind)

    def who(self, conflict: Conflict, author: Any = None) -> str:
        """Whoever changed it on the hub, by name ("Someone (6c958535)" at worst)."""
        theirs = conflict.theirs or {}
        user_id = str(author or conflict.theirs_author or theirs.get("author") or "")
        if user_id in self.people:
            return self.people[user_id]
        named = theirs.get("author_name")
        if isinstance(named, str) and named.strip():
            return named.strip()
        return person_label(user_id, self.people) if user_id else "someone else"


def _side(title: str) -> tuple[QGroupBox, QLabel, QPlainTextEdit]:
    box = QGroupBox(title)
    head = QLabel()
    head.setWordWrap(True)
    body = QPlainTextEdit()
    body.setReadOnly(True)
    layout = QVBoxLayout(box)
    layout.addWidget(head)
    layout.addWidget(body, 1)
    return box, head, body


class ConflictDialog(QDialog):
    resolve_requested = Signal(str, str, object, object)
    """(conflict id, choice "mine" | "theirs" | "merge", merged comment, level key)."""

    def __init__(self, conflicts: list[Conflict],
                 level_names: Mapping[str, Mapping[str, str]] | None = None,
                 parent: QWidget | None = None, *,
                 context: ConflictContext | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle("Resolve Sync Conflicts")
        self.resize(960, 540)
        self._conflicts = {c.id: c for c in conflicts}
        self._levels = level_names or {}
        self._context = context or ConflictContext()

        self.list = QListWidget()
        self.list.setObjectName("conflictList")
        self.list.setAccessibleName("Open conflicts")
        for conflict in conflicts:
            item = QListWidgetItem(self.entry_text(conflict))
            item.setData(256, conflict.id)
            item.setToolTip(self.heading_text(conflict))
            self.list.addItem(item)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        mine_box, self.mine_head, self.mine_body = _side("Mine (this computer)")
        theirs_box, self.theirs_head, self.theirs_body = _side("Theirs (the hub)")
        sides = QHBoxLayout()
        sides.addWidget(mine_box)
        sides.addWidget(theirs_box)

        self.merge_box = QGroupBox("Merged")
        self.merge_level = QComboBox()
        self.merge_comment = QPlainTextEdit()
        self.merge_comment.setObjectName("mergedComment")
        merge_layout = QGridLayout(self.merge_box)
        merge_layout.addWidget(QLabel("Level"), 0, 0)
        merge_layout.addWidget(self.merge_level, 0, 1)
        merge_layout.addWidget(QLabel("Comment"), 1, 0)
        merge_layout.addWidget(self.merge_comment, 1, 1)

        self.keep_mine = QPushButton("Keep Mine")
        self.take_theirs = QPushButton("Take Theirs")
        self.merge = QPushButton("Save Merged")
        for button, choice in ((self.keep_mine, "mine"), (self.take_theirs, "theirs"),
                               (self.merge, "merge")):
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
        choices = QHBoxLayout()
        choices.addStretch(1)
        for button in (self.keep_mine, self.take_theirs, self.merge):
            choices.addWidget(button)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.summary)
        detail_layout.addLayout(sides, 2)
        detail_layout.addWidget(self.merge_box, 1)
        detail_layout.addLayout(choices)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(detail)
        split.setStretchFactor(1, 3)
        split.setSizes([320, 640])  # room for "learner · criterion title"
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(close)

        self.list.currentItemChanged.connect(lambda *_: self._show())
        if conflicts:
            self.list.setCurrentRow(0)
        else:
            self._show()

    def entry_text(self, conflict: Conflict) -> str:
        """The list's line: the learner and the criterion (or what else clashed)."""
        return f"{self._context.learner(conflict)} · {self._context.subject(conflict)}"

    def heading_text(self, conflict: Conflict) -> str:
        return conflict.described(subject=self._context.subject(conflict),
                                  who=self._context.who(conflict))

    def current(self) -> Conflict | None:
        item = self.list.currentItem()
        return None if item is None else self._conflicts.get(str(item.data(256)))

    def _level(self, conflict: Conflict, key: Any) -> str:
        if key is None:
            return "no level"
        return self._levels.get(conflict.submission_id, {}).get(str(key), str(key))

    def _show(self) -> None:
        conflict = self.current()
        for widget in (self.keep_mine, self.take_theirs, self.merge, self.merge_box):
            widget.setEnabled(conflict is not None)
        if conflict is None:
            self.summary.setText("No conflicts are open: everything is in step with the hub.")
            for label in (self.mine_head, self.theirs_head):
                label.clear()
            for text in (self.mine_body, self.theirs_body, self.merge_comment):
                text.clear()
            return
        self.summary.setText(f"<b>{html.escape(self.heading_text(conflict))}</b>")
        mine, theirs = conflict.mine, conflict.theirs or {}
        judgment = conflict.kind == "judgment" and "refused" not in theirs
        if judgment:
            mine_level = self._level(conflict, mine.get("level"))
            self.mine_head.setText(f"Level: {html.escape(mine_level)}")
            self.mine_body.setPlainText(str(mine.get("comment") or ""))
            if conflict.theirs is None:
                self.theirs_head.setText("The hub holds no judgment for this criterion.")
                self.theirs_body.clear()
            else:
                who = self._context.who(conflict, theirs.get("author"))
                self.theirs_head.setText(
                    f"Level: {html.escape(self._level(conflict, theirs.get('level')))} "
                    f"— by {html.escape(str(who))}")
                self.theirs_body.setPlainText(str(theirs.get("comment") or ""))
            self._fill_merge(conflict)
        else:
            self.mine_head.setText(f"Your {html.escape(conflict.kind)}")
            self.mine_body.setPlainText(_describe(mine))
            self.theirs_head.setText("The hub's answer" if "refused" in theirs
                                     else "The hub's copy")
            self.theirs_body.setPlainText(str(theirs.get("refused")) if "refused" in theirs
                                          else _describe(theirs))
        self.merge_box.setVisible(judgment)
        self.merge.setVisible(judgment)
        self.take_theirs.setText("Take Theirs" if not (conflict.theirs or {}).get("refused")
                                 else "Discard Mine")

    def _fill_merge(self, conflict: Conflict) -> None:
        mine, theirs = conflict.mine, conflict.theirs or {}
        self.merge_level.clear()
        levels = self._levels.get(conflict.submission_id, {})
        keys = list(levels) or [k for k in (mine.get("level"), theirs.get("level")) if k]
        for key in keys:
            self.merge_level.addItem(self._level(conflict, key), key)
        index = self.merge_level.findData(mine.get("level"))
        self.merge_level.setCurrentIndex(max(index, 0))
        parts = [str(mine.get("comment") or "").strip(), str(theirs.get("comment") or "").strip()]
        self.merge_comment.setPlainText("\n\n".join(dict.fromkeys(p for p in parts if p)))

    def _choose(self, choice: str) -> None:
        conflict = self.current()
        if conflict is None:
            return
        comment = self.merge_comment.toPlainText() if choice == "merge" else None
        level = self.merge_level.currentData() if choice == "merge" else None
        self.resolve_requested.emit(conflict.id, choice, comment, level)

    def remove(self, conflict_id: str) -> None:
        """Take a resolved conflict off the list; close when none is left."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None and item.data(256) == conflict_id:
                self.list.takeItem(row)
                break
        self._conflicts.pop(conflict_id, None)
        if not self._conflicts:
            self.accept()


def _describe(data: Mapping[str, Any]) -> str:
    lines = []
    for key, value in data.items():
        if key.startswith("_") or key in ("credential", "author", "at"):
            continue
        shown = (f"{len(value)} item{'s' if len(value) != 1 else ''}"
                 if isinstance(value, list | dict) else value)
        lines.append(f"{key}: {shown}")
    return "\n".join(lines)
