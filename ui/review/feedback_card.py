"""NoteCard: one feedback note as the thread shows it: who wrote it, in which role, when,
whether the learner can see it, and what it says."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from assessor.domain.feedback import FeedbackNote

INTERNAL_TEXT = "Internal"
LEARNER_TEXT = "Visible to learner"
INTERNAL_TIP = "Internal: seen by assessors, mentors and moderators, never by the learner."
LEARNER_TIP = "Visible to learner: the learner sees this note with their result."

CARD_STYLE = """
QFrame#noteCard { background: palette(base); border: 1px solid @border; border-radius: 8px; }
QFrame#noteCard[reply="true"] { background: @subtle; }
QFrame#noteCard[highlight="true"] { border: 2px solid @accent; }
QLabel#noteAuthor { color: palette(text); }
QLabel#noteMeta { color: @muted; font-size: 9pt; }
QLabel#noteBody { color: palette(text); }
QLabel#visibilityTag { border-radius: 4px; padding: 1px 6px; font-size: 8.5pt;
                       font-weight: 600; }
QLabel#visibilityTag[visibility="internal"] { background: @warn-bg; color: @warn-text;
                                             border: 1px solid @warn-border; }
QLabel#visibilityTag[visibility="learner"] { background: @ok-bg; color: @ok;
                                            border: 1px solid @ok-border; }
QLabel#roleTag { border-radius: 4px; padding: 1px 6px; font-size: 8.5pt; color: @accent;
                 background: @info-bg; }
QPushButton#replyLink { border: none; background: transparent; color: @accent;
                        padding: 0 2px; font-size: 9pt; }
QPushButton#replyLink:hover { text-decoration: underline; }
"""


def visibility_text(visibility: str) -> str:
    return LEARNER_TEXT if visibility == "learner" else INTERNAL_TEXT


class NoteCard(QFrame):
    """Signals:
        reply_requested(str): the user wants to answer this note (its id).
    """

    reply_requested = Signal(str)

    def __init__(self, note: FeedbackNote, author_name: str, *, depth: int = 0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = note
        self.setObjectName("noteCard")
        self.setProperty("reply", depth > 0)
        self.setFrameShape(QFrame.Shape.StyledPanel)

        author = QLabel(f"<b>{_esc(author_name)}</b>")
        author.setObjectName("noteAuthor")
        author.setTextFormat(Qt.TextFormat.RichText)
        role = QLabel(note.role.value.capitalize())
        role.setObjectName("roleTag")
        when = note.at.astimezone()
        meta = QLabel(f"{when:%d %b %Y, %H:%M}")
        meta.setObjectName("noteMeta")
        meta.setToolTip(when.isoformat(timespec="seconds"))
        self.visibility_tag = QLabel(visibility_text(note.visibility.value))
        self.visibility_tag.setObjectName("visibilityTag")
        self.visibility_tag.setProperty("visibility", note.visibility.value)
        self.visibility_tag.setToolTip(
            LEARNER_TIP if note.visibility.value == "learner" else INTERNAL_TIP)
        self.visibility_tag.setAccessibleName(
            f"Visibility: {visibility_text(note.visibility.value)}")
        head = QHBoxLayout()
        head.setSpacing(6)
        head.addWidget(author, 1)
        head.addWidget(self.visibility_tag)
        meta_row = QHBoxLayout()
        meta_row.setSpacing(6)
        meta_row.addWidget(role)
        meta_row.addWidget(meta)
        meta_row.addStretch(1)

        self.body = QLabel(note.body)
        self.body.setObjectName("noteBody")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.reply_button = QPushButton("Reply")
        self.reply_button.setObjectName("replyLink")
        self.reply_button.setFlat(True)
        self.reply_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.reply_button.setToolTip("Answer this note in its thread")
        self.reply_button.setAccessibleName(f"Reply to {author_name}")
        self.reply_button.clicked.connect(lambda: self.reply_requested.emit(note.id))
        foot = QHBoxLayout()
        foot.addStretch(1)
        foot.addWidget(self.reply_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 4)
        layout.setSpacing(3)
        layout.addLayout(head)
        layout.addLayout(meta_row)
        layout.addWidget(self.body)
        layout.addLayout(foot)
        self.setAccessibleName(f"Note by {author_name}, {role.text()}, "
                               f"{visibility_text(note.visibility.value)}")
        self.setAccessibleDescription(note.body)

    def set_highlighted(self, on: bool) -> None:
        self.setProperty("highlight", on)
        self.style().unpolish(self)
        self.style().polish(self)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
