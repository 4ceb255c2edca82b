"""FeedbackPanel: the threaded notes on the open submission and its criteria, and the editor
that adds a note or a reply.

The panel saves nothing itself: ``note_submitted`` carries a ``NoteRequest`` and whoever
listens saves it through the core (``Store.add_feedback``: audited and queued for the hub),
then calls ``note_saved`` (or ``note_failed``).

Default visibility follows the writer's role (DESIGN.md): an assessor's or a moderator's
note starts internal (working notes between the people who judge; telling the learner is a
deliberate choice), a mentor's note starts visible to the learner (mentoring the learner is
what mentors are there for). A reply starts with the visibility of the note it answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assessor.domain.people import person_label
from ui.review.feedback_card import (
    CARD_STYLE,
    INTERNAL_TEXT,
    INTERNAL_TIP,
    LEARNER_TEXT,
    LEARNER_TIP,
    NoteCard,
)
from ui.style import apply_style

if TYPE_CHECKING:
    from assessor.domain.feedback import FeedbackNote
    from assessor.domain.people import Actor
    from assessor.domain.rubric import Criterion

ALL = "*"
"""The filter that shows every note, grouped by submission and criterion."""
SUBMISSION = ""
"""The filter (and the target) for notes on the submission as a whole."""
MAX_INDENT = 3

PANEL_STYLE = CARD_STYLE + """
QLabel#threadGroup { color: @strong; font-weight: 600; padding: 6px 2px 0 2px; }
QLabel#feedbackEmpty { color: @muted; padding: 12px; }
QFrame#replyBanner { background: @info-bg; border-radius: 6px; }
QLabel#editorMessage { color: @error; }
QWidget#noteList { background: transparent; }
"""


@dataclass(frozen=True)
class NoteRequest:
    """A note the user asked to add."""

    criterion_key: str | None
    parent_id: str | None
    visibility: str
    """``internal`` or ``learner``."""
    body: str


def default_visibility(role: str) -> str:
    """Mentors write to the learner; assessors and moderators start with internal notes."""
    return "learner" if role == "mentor" else "internal"


class NoteEditor(QPlainTextEdit):
    """The note being written; Ctrl+Enter adds it. The key is claimed before the window's
    shortcuts see it (Ctrl+Enter approves elsewhere), so no two shortcuts compete.

    Signals:
        submit_requested(): Ctrl+Enter was pressed.
    """

    submit_requested = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and _is_submit(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if _is_submit(event):
            self.submit_requested.emit()
            return
        super().keyPressEvent(event)


def _is_submit(event: QKeyEvent) -> bool:
    return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
        event.modifiers() & Qt.KeyboardModifier.ControlModifier)


class FeedbackPanel(QWidget):
    """Signals:
        note_submitted(NoteRequest): the user asked to add a note or a reply.
        count_changed(int): the number of notes on the submission changed.
        snippet_requested(): the user asked for a snippet for the note being written.
    """

    note_submitted = Signal(object)
    count_changed = Signal(int)
    snippet_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedbackPanel")
        apply_style(self, template=PANEL_STYLE)
        self._notes: tuple[FeedbackNote, ...] = ()
        self._criteria: tuple[Criterion, ...] = ()
        self._actor: Actor | None = None
        self._names: dict[str, str] = {}
        self._filter = ALL
        self._reply_to: FeedbackNote | None = None
        self.cards: list[NoteCard] = []

        self.filter = QComboBox()
        self.filter.setObjectName("feedbackFilter")
        self.filter.setAccessibleName("Show notes on")
        self.filter.setToolTip("Show every note, or only those on the submission or on one "
                               "criterion")
        self.filter.activated.connect(self._on_filter_chosen)
        _compact(self.filter)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        show = QLabel("Show")
        show.setBuddy(self.filter)
        bar.addWidget(show)
        bar.addWidget(self.filter, 1)

        self._list_host = QWidget()
        self._list_host.setObjectName("noteList")
        self._list = QVBoxLayout(self._list_host)
        self._list.setContentsMargins(0, 0, 4, 0)
        self._list.setSpacing(6)
        self._list.addStretch(1)
        self.notes_scroll = QScrollArea()
        self.notes_scroll.setWidgetResizable(True)
        self.notes_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.notes_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.notes_scroll.setWidget(self._list_host)
        self.empty = QLabel()
        self.empty.setObjectName("feedbackEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.reply_banner = QFrame()
        self.reply_banner.setObjectName("replyBanner")
        self.reply_label = QLabel()
        self.reply_label.setWordWrap(True)
        cancel = QToolButton()
        cancel.setText("×")
        cancel.setToolTip("Stop replying: write a new note instead")
        cancel.setAccessibleName("Cancel reply")
        cancel.clicked.connect(self.cancel_reply)
        banner = QHBoxLayout(self.reply_banner)
        banner.setContentsMargins(8, 2, 2, 2)
        banner.addWidget(self.reply_label, 1)
        banner.addWidget(cancel)
        self.reply_banner.hide()

        self.target = QComboBox()
        self.target.setObjectName("feedbackTarget")
        self.target.setAccessibleName("Note on")
        self.target.setToolTip("What the note is about: the whole submission or one criterion")
        _compact(self.target)
        self.visibility = QComboBox()
        self.visibility.setObjectName("feedbackVisibility")
        self.visibility.setAccessibleName("Who can see the note")
        self.visibility.addItem(INTERNAL_TEXT, "internal")
        self.visibility.setItemData(0, INTERNAL_TIP, Qt.ItemDataRole.ToolTipRole)
        self.visibility.addItem(LEARNER_TEXT, "learner")
        self.visibility.setItemData(1, LEARNER_TIP, Qt.ItemDataRole.ToolTipRole)
        self.visibility.currentIndexChanged.connect(self._show_visibility_tip)
        self.editor = NoteEditor()
        self.editor.submit_requested.connect(self.submit)
        self.editor.setObjectName("feedbackEditor")
        self.editor.setAccessibleName("New feedback note")
        self.editor.setPlaceholderText("Write a note… (Ctrl+Enter adds it)")
        self.editor.setFixedHeight(52)
        self.editor.setTabChangesFocus(True)
        self.snippet_button = QToolButton()
        self.snippet_button.setObjectName("snippetButton")
        self.snippet_button.setText("Snippets…")
        self.snippet_button.setToolTip("Insert a snippet from your comment library "
                                       "(Ctrl+Shift+L)")
        self.snippet_button.setAccessibleName("Insert a comment snippet")
        self.snippet_button.clicked.connect(self._on_snippet_clicked)
        self.add_button = QPushButton("Add Note")
        self.add_button.setObjectName("addNote")
        self.add_button.setDefault(False)
        self.add_button.setToolTip("Save the note (Ctrl+Enter); it reaches the hub at the "
                                   "next sync")
        self.add_button.clicked.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("editorMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        options = QHBoxLayout()
        options.setContentsMargins(0, 0, 0, 0)
        options.addWidget(self.target, 3)
        options.addWidget(self.visibility, 2)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.message, 1)
        actions.addStretch(0)
        actions.addWidget(self.snippet_button)
        actions.addWidget(self.add_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.notes_scroll, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.reply_banner)
        layout.addLayout(options)
        layout.addWidget(self.editor)
        layout.addLayout(actions)
        self.show_notes((), (), None)

    # -- what is shown ------------------------------------------------------------------

    @property
    def notes(self) -> tuple[FeedbackNote, ...]:
        return self._notes

    @property
    def count(self) -> int:
        return len(self._notes)

    def author_name(self, user_id: str) -> str:
        """The author as people read it: their name, or "Someone (dae9e883)"."""
        return person_label(user_id, self._names)

    def count_for(self, criterion_key: str | None) -> int:
        """Notes on ``criterion_key`` (``None``: on the submission as a whole)."""
        return sum(1 for n in self._notes if n.criterion_key == criterion_key)

    def show_notes(self, notes: Sequence[FeedbackNote], criteria: Sequence[Criterion],
                   actor: Actor | None, *, names: dict[str, str] | None = None) -> None:
        """Show the notes of a (newly opened) submission; ``actor`` writes new ones."""
        same = self._actor == actor and tuple(criteria) == self._criteria
        self._criteria = tuple(criteria)
        self._actor = actor
        self._names = dict(names or {})
        if actor is not None:
            self._names.setdefault(actor.user_id, f"{actor.name} (you)")
        if not same:
            self._filter = ALL
            self.cancel_reply()
            self.editor.clear()
        self._fill_targets()
        self._reset_visibility()
        enabled = actor is not None
        for widget in (self.editor, self.target, self.visibility, self.add_button,
                       self.snippet_button, self.filter):
            widget.setEnabled(enabled)
        self.set_notes(notes)

    def set_notes(self, notes: Sequence[FeedbackNote]) -> None:
        before = len(self._notes)
        self._notes = tuple(sorted(notes, key=lambda n: n.at))
        if self._reply_to is not None and self._reply_to.id not in {n.id for n in notes}:
            self.cancel_reply()
        self._fill_filter()
        self._draw()
        if len(self._notes) != before:
            self.count_changed.emit(len(self._notes))

    def filter_to(self, criterion_key: str | None) -> None:
        """Show only the notes on ``criterion_key`` (``SUBMISSION`` for the submission as a
        whole, ``ALL`` or ``None`` for every note), and aim a new note at it."""
        self._filter = ALL if criterion_key is None else criterion_key
        self._fill_filter()
        if self._filter != ALL and self._reply_to is None:
            self._select_target(self._filter)
        self._draw()

    @property
    def current_filter(self) -> str:
        return self._filter

    def card_for(self, note_id: str) -> NoteCard | None:
        return next((c for c in self.cards if c.note.id == note_id), None)

    # -- writing ------------------------------------------------------------------------

    def reply_to(self, note_id: str) -> None:
        parent = next((n for n in self._notes if n.id == note_id), None)
        if parent is None or self._actor is None:
            return
        self._reply_to = parent
        who = self.author_name(parent.author)
        excerpt = parent.body if len(parent.body) <= 60 else parent.body[:57] + "…"
        self.reply_label.setText(f"Replying to <b>{_esc(who)}</b>: {_esc(excerpt)}")
        self.reply_banner.show()
        self._select_target(parent.criterion_key or SUBMISSION)
        self.target.setEnabled(False)  # a reply stays in its thread
        self.visibility.setCurrentIndex(self.visibility.findData(parent.visibility.value))
        for card in self.cards:
            card.set_highlighted(card.note.id == note_id)
        self.editor.setFocus()

    def cancel_reply(self) -> None:
        self._reply_to = None
        self.reply_banner.hide()
        self.target.setEnabled(self._actor is not None)
        self._reset_visibility()
        for card in self.cards:
            card.set_highlighted(False)

    @property
    def replying_to(self) -> str | None:
        return self._reply_to.id if self._reply_to is not None else None

    def submit(self) -> None:
        """Ask for the note in the editor to be added (nothing happens while one saves)."""
        if self._actor is None or not self.add_button.isEnabled():
            return
        body = self.editor.toPlainText().strip()
        if not body:
            self._say("Write the note first: an empty note is not saved.")
            self.editor.setFocus()
            return
        self._say("")
        target = self.target.currentData()
        self.add_button.setEnabled(False)
        self.add_button.setText("Adding…")
        self.note_submitted.emit(NoteRequest(
            criterion_key=target or None,
            parent_id=self.replying_to,
            visibility=str(self.visibility.currentData()),
            body=body,
        ))

    def note_saved(self, note: FeedbackNote) -> None:
        """The note was saved: show it in its thread and clear the editor."""
        self._restore_add_button()
        self.editor.clear()
        self.cancel_reply()
        self.set_notes((*[n for n in self._notes if n.id != note.id], note))
        card = self.card_for(note.id)
        if card is not None:
            self.notes_scroll.ensureWidgetVisible(card)

    def note_failed(self, message: str = "") -> None:
        """The note was not saved: the text stays in the editor to try again."""
        self._restore_add_button()
        if message:
            self._say(message)

    def insert_text(self, text: str) -> None:
        self.editor.insertPlainText(text)
        self.editor.setFocus()

    # -- drawing ------------------------------------------------------------------------

    def _title(self, criterion_key: str | None) -> str:
        for number, criterion in enumerate(self._criteria, start=1):
            if criterion.key == criterion_key:
                return f"{number}. {criterion.title}"
        return "The submission" if criterion_key is None else str(criterion_key)

    def _fill_filter(self) -> None:
        self.filter.clear()
        self.filter.addItem(f"All notes ({self.count})", ALL)
        self.filter.addItem(f"On the submission ({self.count_for(None)})", SUBMISSION)
        for number, criterion in enumerate(self._criteria, start=1):
            self.filter.addItem(f"{number}. {criterion.title} "
                                f"({self.count_for(criterion.key)})", criterion.key)
        index = self.filter.findData(self._filter)
        self.filter.setCurrentIndex(max(0, index))

    def _fill_targets(self) -> None:
        self.target.clear()
        self.target.addItem("On the submission", SUBMISSION)
        for number, criterion in enumerate(self._criteria, start=1):
            self.target.addItem(f"On {number}. {criterion.title}", criterion.key)

    def _select_target(self, criterion_key: str) -> None:
        index = self.target.findData(criterion_key)
        self.target.setCurrentIndex(max(0, index))

    def _reset_visibility(self) -> None:
        role = self._actor.role.value if self._actor is not None else "assessor"
        self.visibility.setCurrentIndex(self.visibility.findData(default_visibility(role)))
        self._show_visibility_tip()

    def _show_visibility_tip(self) -> None:
        learner = self.visibility.currentData() == "learner"
        self.visibility.setToolTip(LEARNER_TIP if learner else INTERNAL_TIP)

    def _on_filter_chosen(self, index: int) -> None:
        self.filter_to(self.filter.itemData(index))

    def _on_snippet_clicked(self) -> None:
        self.editor.setFocus()
        self.snippet_requested.emit()

    def _restore_add_button(self) -> None:
        self.add_button.setEnabled(self._actor is not None)
        self.add_button.setText("Add Note")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _draw(self) -> None:
        while self._list.count() > 1:  # keep the stretch at the end
            item = self._list.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.cards = []
        children: dict[str | None, list[FeedbackNote]] = {}
        ids = {n.id for n in self._notes}
        for note in self._notes:
            children.setdefault(note.parent_id if note.parent_id in ids else None,
                                []).append(note)
        groups = self._groups(children.get(None, []))
        position = 0
        for key, threads in groups:
            if self._filter == ALL:
                heading = QLabel(f"{self._title(key)}  ·  {self.count_for(key)}")
                heading.setObjectName("threadGroup")
                self._list.insertWidget(position, heading)
                position += 1
            for root in threads:
                for note, depth in _thread(root, children):
                    self._list.insertWidget(position, self._card(note, depth))
                    position += 1
        self.notes_scroll.setVisible(bool(groups))
        self.empty.setVisible(not groups)
        self.empty.setText(self._empty_text())

    def _groups(self, roots: list[FeedbackNote]
                ) -> list[tuple[str | None, list[FeedbackNote]]]:
        """The threads to show, by what they are on: the submission, then each criterion."""
        keys: list[str | None] = [None, *(c.key for c in self._criteria)]
        keys += sorted({n.criterion_key for n in roots if n.criterion_key not in keys},
                       key=str)
        groups = []
        for key in keys:
            if self._filter not in (ALL, key or SUBMISSION):
                continue
            threads = [n for n in roots if n.criterion_key == key]
            if threads:
                groups.append((key, threads))
        return groups

    def _empty_text(self) -> str:
        if self._actor is None:
            return "Open a submission to see its feedback."
        if self._filter == ALL:
            return ("No feedback on this submission yet. Add the first note below: keep it "
                    "internal, or make it visible to the learner.")
        return f"No notes on {self._title(self._filter or None)} yet."

    def _card(self, note: FeedbackNote, depth: int) -> QWidget:
        card = NoteCard(note, self.author_name(note.author), depth=depth)
        card.reply_requested.connect(self.reply_to)
        card.reply_button.setVisible(self._actor is not None)
        if self._reply_to is not None and note.id == self._reply_to.id:
            card.set_highlighted(True)
        self.cards.append(card)
        if depth == 0:
            return card
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(22 * min(depth, MAX_INDENT), 0, 0, 0)
        row.addWidget(card)
        return holder


def _thread(root: FeedbackNote, children: dict[str | None, list[FeedbackNote]]
            ) -> list[tuple[FeedbackNote, int]]:
    """The root and its replies, depth first, oldest first at each level."""
    out: list[tuple[FeedbackNote, int]] = []
    stack = [(root, 0)]
    while stack:
        note, depth = stack.pop()
        out.append((note, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(note.id, [])))
    return out


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _compact(combo: QComboBox) -> None:
    """A combo of criterion titles asks for a modest width (long titles are elided, and
    shown whole in its list), so the pane beside it keeps its room."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(14)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
