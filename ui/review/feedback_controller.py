"""FeedbackController: wires the feedback threads, the comment library and the earlier
attempts into the main window.

- Notes: the review pane's feedback panel asks for a note; the controller saves it through
  ``Store.add_feedback`` on the store lane (audited, queued for the hub in the same
  transaction) and shows it in its thread when the save returned.
- Each criterion card gets a small "n notes" link that opens the feedback tab filtered to
  that criterion (the card itself stays the rubric panel's business).
- Snippets: Ctrl+Shift+L (or the feedback editor's Snippets… button) picks a snippet from
  the signed-in user's comment library and inserts it into the comment box that has the
  focus (a criterion comment, or the feedback editor); its "uses" count goes up.
- Earlier attempts: the header's "see attempt n" link loads the earlier attempt's review
  and opens the comparison.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QPlainTextEdit, QPushButton

from ui.review.snippets_picker import LOCAL_ONLY_TIP, SnippetPicker, fill_in
from ui.style import apply_style

if TYPE_CHECKING:
    from assessor.domain.attempts import AttemptComparison
    from assessor.domain.feedback import FeedbackNote
    from assessor.domain.review import ReviewSnapshot
    from assessor.store.comment_library import CommentLibrary, CommentSnippet
    from ui.review.attempts_dialog import AttemptsDialog
    from ui.review.feedback_panel import NoteRequest
    from ui.review.snippets_library import CommentLibraryDialog
    from ui.windows.main_window import MainWindow

SNIPPET_SHORTCUT = "Ctrl+Shift+L"
NOTE_SHORTCUT = "Ctrl+Shift+N"
EARLIER_SHORTCUT = "Ctrl+Shift+E"
_LINK_STYLE = ("QPushButton#notesLink { border: none; background: transparent; color: @accent;"
               " padding: 0 4px; font-size: 9pt; } "
               "QPushButton#notesLink:hover { text-decoration: underline; } "
               "QPushButton#notesLink[empty=\"true\"] { color: @faint; }")


class FeedbackController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._review = window.review
        self.panel = self._review.feedback
        self.note_links: dict[str, QPushButton] = {}
        self.picker: SnippetPicker | None = None
        self.library_dialog: CommentLibraryDialog | None = None
        self.attempts_dialog: AttemptsDialog | None = None
        self._snapshot: ReviewSnapshot | None = None
        self._review.review_shown.connect(self._on_review_shown)
        self._review.earlier_attempt_requested.connect(self.show_earlier_attempt)
        self.panel.note_submitted.connect(self._on_note_submitted)
        self.panel.count_changed.connect(lambda _n: self._update_links())
        self.panel.snippet_requested.connect(self.insert_snippet_into_note)

    def add_actions(self, review_menu: Any, tools_menu: Any) -> None:
        """Review: add a note, insert a snippet, see the earlier attempt; Tools: the
        comment library."""
        w = self._window
        review_menu.addSeparator()
        self.note_action = w._action(review_menu, "Add Feedback &Note", self.focus_editor,
                                     NOTE_SHORTCUT, "Write a note on the submission or a "
                                     "criterion, internal or visible to the learner")
        self.snippet_action = w._action(review_menu, "Insert Comment Sni&ppet…",
                                        self.insert_snippet, SNIPPET_SHORTCUT,
                                        "Insert a snippet from your comment library into "
                                        "the comment box you are writing in")
        self.earlier_action = w._action(review_menu, "Compare with &Earlier Attempt…",
                                        self.show_earlier_attempt_of_open, EARLIER_SHORTCUT,
                                        "The earlier attempt's judgments and feedback beside "
                                        "this one, and what changed")
        self.earlier_action.setEnabled(False)
        self.library_action = w._action(tools_menu, "Manage Comment &Library…",
                                        self.manage_library, tip=LOCAL_ONLY_TIP)

    # -- the open submission ------------------------------------------------------------

    def _on_review_shown(self, snapshot: ReviewSnapshot | None) -> None:
        self._snapshot = snapshot
        actor = self._window.ws.actor if snapshot is not None else None
        self.panel.show_notes(snapshot.feedback if snapshot else (),
                              snapshot.rubric.criteria if snapshot else (), actor,
                              names=dict(snapshot.people) if snapshot else None)
        self._review.feedback_badge.setText(str(self.panel.count))
        self._review.feedback_badge.setVisible(self.panel.count > 0)
        action = getattr(self, "earlier_action", None)
        if action is not None:
            action.setEnabled(snapshot is not None
                              and bool(snapshot.submission.previous_attempt_id))
        self._install_links()

    def _install_links(self) -> None:
        """A "n notes" link in the head of each criterion card of the rubric panel."""
        self.note_links = {}
        for card in self._window.rubric.cards:
            key = card.criterion.key
            link = QPushButton()
            link.setObjectName("notesLink")
            link.setFlat(True)
            apply_style(link, template=_LINK_STYLE)
            link.setCursor(Qt.CursorShape.PointingHandCursor)
            link.setToolTip(f"Feedback on “{card.criterion.title}”: read the notes, or add one")
            link.clicked.connect(lambda _=False, k=key: self.show_notes_on(k))
            layout = card.layout()
            first = layout.itemAt(0) if layout is not None else None
            head = first.layout() if first is not None else None
            if isinstance(head, QHBoxLayout):  # the card's title row: before "Saved"
                head.insertWidget(max(0, head.count() - 1), link)
            elif layout is not None:
                layout.addWidget(link)
            self.note_links[key] = link
        self._update_links()

    def _update_links(self) -> None:
        for key, link in self.note_links.items():
            n = self.panel.count_for(key)
            link.setText(f"{n} note{'s' if n != 1 else ''}" if n else "Add note")
            link.setAccessibleName(link.text() + f" on {key}")
            link.setProperty("empty", n == 0)
            link.style().unpolish(link)
            link.style().polish(link)

    def show_notes_on(self, criterion_key: str | None) -> None:
        """Open the feedback tab on the notes about ``criterion_key`` (None: every note)."""
        self._review.show_feedback(criterion_key)

    def focus_editor(self) -> None:
        if self._snapshot is None:
            return
        card = self._window.rubric.current_card
        self._review.show_feedback(None)
        if card is not None:
            self.panel.filter_to(card.criterion.key)
        self.panel.editor.setFocus()

    # -- saving notes -------------------------------------------------------------------

    def _on_note_submitted(self, request: NoteRequest) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            self.panel.note_failed()
            return
        from assessor.domain.feedback import Visibility

        w = self._window
        submission_id, actor = snapshot.submission.id, w.ws.actor

        def save() -> FeedbackNote:
            return w.ws.store.add_feedback(
                submission_id, actor, request.body, Visibility(request.visibility),
                criterion_key=request.criterion_key, parent_id=request.parent_id)

        def saved(note: FeedbackNote) -> None:
            current = w._snapshot
            if current is not None and current.submission.id == submission_id:
                w._snapshot = dataclasses.replace(current, feedback=(*current.feedback, note))
            if self._snapshot is not None and self._snapshot.submission.id == submission_id:
                self._snapshot = dataclasses.replace(
                    self._snapshot, feedback=(*self._snapshot.feedback, note))
                self.panel.note_saved(note)
            else:
                self.panel.note_failed()
            w.refresh_status()
            who = "the learner will see it" if note.visibility.value == "learner" \
                else "internal"
            w.statusBar().showMessage(f"Note added ({who}) — it goes to the hub at the next "
                                      "sync", 6000)

        def failed(exc: Exception) -> None:
            from assessor.errors import UserFacingError

            if isinstance(exc, UserFacingError):
                self.panel.note_failed(str(exc))
                w.statusBar().showMessage(f"The note was not saved: {exc}", 8000)
            else:
                self.panel.note_failed("The note was not saved.")
                w._on_error(exc)

        w.runner.run(save, saved, failed, store=True)

    # -- snippets -----------------------------------------------------------------------

    def _library(self) -> CommentLibrary:
        from assessor.store.comment_library import CommentLibrary

        return CommentLibrary(self._window.ws.store, self._window.ws.actor.user_id)

    def insert_snippet(self) -> None:
        """Pick a snippet for the comment box in use: the focused one, else the current
        criterion's comment (if it can be edited), else the feedback editor."""
        self._pick_snippet(*self._snippet_target())

    def insert_snippet_into_note(self) -> None:
        """Pick a snippet for the feedback note being written."""
        if self._snapshot is not None:
            self._pick_snippet(self.panel.editor, "the feedback note",
                               self.panel.target.currentData() or None)

    def _pick_snippet(self, target: QPlainTextEdit | None, label: str,
                      criterion_key: str | None) -> None:
        if target is None:
            self._window.statusBar().showMessage(
                "Open a submission and click into a comment box to insert a snippet.", 5000)
            return
        titles = {c.key: c.title for c in self._snapshot.rubric.criteria} \
            if self._snapshot else {}
        library = self._library

        def opened(snippets: list[CommentSnippet]) -> None:
            picker = SnippetPicker(snippets, label, self._window, criterion_titles=titles)
            picker.chosen.connect(lambda s: self._insert(s, target))
            picker.manage_requested.connect(self.manage_library)
            picker.finished.connect(picker.deleteLater)
            self.picker = picker
            picker.open()

        self._window.runner.run(lambda: library().search(criterion_key=criterion_key),
                                opened, self._window._on_error, store=True)

    def _snippet_target(self) -> tuple[QPlainTextEdit | None, str, str | None]:
        focus = QApplication.focusWidget()
        rubric = self._window.rubric
        for card in rubric.cards:
            if focus is card.comment and not card.comment.isReadOnly():
                return card.comment, f"the comment on “{card.criterion.title}”", \
                    card.criterion.key
        editor = self.panel.editor
        if self._snapshot is None:
            return None, "", None
        if focus is editor or not self._window.rubric.cards:
            return editor, "the feedback note", self.panel.target.currentData() or None
        current = rubric.current_card
        if current is not None and not current.comment.isReadOnly():
            return current.comment, f"the comment on “{current.criterion.title}”", \
                current.criterion.key
        return editor, "the feedback note", self.panel.target.currentData() or None

    def _insert(self, snippet: CommentSnippet, target: QPlainTextEdit) -> None:
        learner = self._snapshot.submission.learner.name if self._snapshot else ""
        text = fill_in(snippet.body, learner)
        cursor = target.textCursor()
        before = target.toPlainText()[:cursor.position()]
        if before and not before.endswith((" ", "\n")):
            text = " " + text
        target.insertPlainText(text)
        target.setFocus()
        library = self._library
        self._window.runner.run(lambda: library().use(snippet.id), None,
                                lambda exc: None, store=True)
        self._window.statusBar().showMessage(f"Inserted “{snippet.title}”", 3000)

    def manage_library(self) -> None:
        from ui.review.snippets_library import CommentLibraryDialog

        criteria = [(c.key, c.title) for c in self._snapshot.rubric.criteria] \
            if self._snapshot else []
        dialog = CommentLibraryDialog(self._library, self._window.runner, criteria,
                                      self._window, on_error=self._window._on_error)
        dialog.finished.connect(dialog.deleteLater)
        self.library_dialog = dialog
        dialog.open()

    # -- earlier attempts ---------------------------------------------------------------

    def show_earlier_attempt_of_open(self) -> None:
        snapshot = self._snapshot
        if snapshot is None or not snapshot.submission.previous_attempt_id:
            self._window.statusBar().showMessage("This is the learner's first attempt.", 4000)
            return
        self.show_earlier_attempt(snapshot.submission.previous_attempt_id)

    def show_earlier_attempt(self, previous_id: str) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        w = self._window
        current_id = snapshot.submission.id

        def load() -> AttemptComparison:
            from assessor.domain.attempts import compare_attempts
            from assessor.errors import NotFoundError

            store = w.ws.store
            try:
                earlier = store.review(previous_id)
            except NotFoundError:
                raise NotFoundError(
                    f"Attempt {snapshot.submission.attempt - 1} ({previous_id}) is not on this "
                    "computer: it was judged by someone else or before this computer synced. "
                    "Ask the hub's administrator for it.") from None
            return compare_attempts(earlier, store.review(current_id))

        def loaded(comparison: AttemptComparison) -> None:
            from ui.review.attempts_dialog import AttemptsDialog

            w.statusBar().clearMessage()
            dialog = AttemptsDialog(comparison, w)
            dialog.finished.connect(dialog.deleteLater)
            self.attempts_dialog = dialog
            dialog.show()

        w.statusBar().showMessage("Opening the earlier attempt…")
        w.runner.run(load, loaded, w._on_error, store=True)


def shortcut_rows() -> tuple[tuple[str, str], ...]:
    """Lines for the keyboard cheat sheet."""
    return ((NOTE_SHORTCUT, "Write a feedback note"),
            (SNIPPET_SHORTCUT, "Insert a snippet from your comment library"),
            (EARLIER_SHORTCUT, "Compare with the learner's earlier attempt"))

