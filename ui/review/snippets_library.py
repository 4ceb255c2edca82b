"""CommentLibraryDialog: add, edit, delete and search the snippets of the comment library.

Every change runs through ``CommentLibrary`` on the store lane; the list is read again
after each one. The library belongs to the signed-in user and stays on this computer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.review.snippets_picker import LOCAL_ONLY_TIP, PLACEHOLDER_TIP, snippet_line, style_list
from ui.style import apply_style

if TYPE_CHECKING:
    from assessor.store.comment_library import CommentLibrary, CommentSnippet
    from ui.tasks import TaskRunner


class CommentLibraryDialog(QDialog):
    """The library of ``library()``'s owner. ``criteria`` (key, title) are offered for
    tying a snippet to a criterion (those of the open submission's rubric)."""

    def __init__(self, library: Callable[[], CommentLibrary], runner: TaskRunner,
                 criteria: Sequence[tuple[str, str]] = (), parent: QWidget | None = None,
                 *, on_error: Callable[[Exception], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Comment Library")
        self.setObjectName("commentLibrary")
        self.resize(820, 520)
        self._library = library
        self._runner = runner
        self._on_error = on_error
        self._titles = dict(criteria)
        self._snippets: list[CommentSnippet] = []
        self._editing: str | None = None
        self.busy = False

        self.search = QLineEdit()
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText("Search titles and text…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the comment library")
        self.search.textChanged.connect(self._fill_list)
        self.list = QListWidget()
        self.list.setObjectName("libraryList")
        self.list.setAccessibleName("Snippets")
        style_list(self.list)
        self.list.currentItemChanged.connect(self._on_current)
        new = QPushButton("New Snippet")
        new.setToolTip("Start a new snippet")
        new.clicked.connect(self.new_snippet)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(new)

        self.title = QLineEdit()
        self.title.setObjectName("snippetTitle")
        self.title.setPlaceholderText("A short name you will search for")
        self.title.setAccessibleName("Snippet title")
        self.criterion = QComboBox()
        self.criterion.setObjectName("snippetCriterion")
        self.criterion.setAccessibleName("Criterion the snippet is for")
        self.criterion.addItem("Any criterion", None)
        for key, title in criteria:
            self.criterion.addItem(title, key)
        self.body = QPlainTextEdit()
        self.body.setObjectName("snippetBody")
        self.body.setAccessibleName("Snippet text")
        self.body.setPlaceholderText("The text to insert. {learner} becomes the learner's "
                                     "first name.")
        self.body.setToolTip(PLACEHOLDER_TIP)
        self.message = QLabel()
        self.message.setObjectName("libraryMessage")
        self.message.setWordWrap(True)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveSnippet")
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("deleteSnippet")
        self.delete_button.clicked.connect(self.delete)
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("For", self.criterion)
        form.addRow("Text", self.body)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.delete_button)
        row.addWidget(self.save_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(form, 1)
        right_layout.addLayout(row)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        note = QLabel("Your snippets are kept on this computer, for you only: they do not "
                      "sync.")
        apply_style(note, template="color: @muted;")
        note.setToolTip(LOCAL_ONLY_TIP)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        foot = QHBoxLayout()
        foot.addWidget(note, 1)
        foot.addWidget(buttons)
        layout.addLayout(foot)
        self.new_snippet()
        self.reload()

    @property
    def snippets(self) -> list[CommentSnippet]:
        return list(self._snippets)

    def reload(self, select: str | None = None) -> None:
        self._run(lambda library: library.search(), lambda found: self._loaded(found, select))

    def new_snippet(self) -> None:
        self._editing = None
        self.list.setCurrentRow(-1)
        self.title.clear()
        self.body.clear()
        self.criterion.setCurrentIndex(0)
        self.delete_button.setEnabled(False)
        self._say("")
        self.title.setFocus()

    def save(self) -> None:
        title, body = self.title.text(), self.body.toPlainText()
        criterion = self.criterion.currentData()
        editing = self._editing

        def write(library: CommentLibrary) -> CommentSnippet:
            if editing is None:
                return library.add(title, body, criterion)
            return library.edit(editing, title, body, criterion)

        def saved(snippet: CommentSnippet) -> None:
            self._say(f"Saved “{snippet.title}”.", error=False)
            self.reload(select=snippet.id)

        self._run(write, saved)

    def delete(self) -> None:
        editing = self._editing
        if editing is None:
            return

        def deleted(_: object) -> None:
            self.new_snippet()
            self._say("Snippet deleted.", error=False)
            self.reload()

        self._run(lambda library: library.delete(editing), deleted)

    # -- internals --------------------------------------------------------------------

    def _run(self, fn: Callable[[CommentLibrary], Any], done: Callable[[Any], None]) -> None:
        factory = self._library
        self.busy = True

        def finished(value: Any) -> None:
            self.busy = False
            done(value)

        def failed(exc: Exception) -> None:
            self.busy = False
            from assessor.errors import UserFacingError

            if isinstance(exc, UserFacingError):
                self._say(str(exc))
            elif self._on_error is not None:
                self._on_error(exc)

        self._runner.run(lambda: fn(factory()), finished, failed, store=True)

    def _loaded(self, found: list[CommentSnippet], select: str | None) -> None:
        self._snippets = found
        self._fill_list(self.search.text(), select or self._editing)

    def _fill_list(self, text: str, select: str | None = None) -> None:
        words = text.casefold().split()
        self.list.blockSignals(True)
        self.list.clear()
        row = -1
        for snippet in self._snippets:
            if not snippet.matches(words):
                continue
            item = QListWidgetItem(snippet_line(snippet, self._titles))
            item.setData(Qt.ItemDataRole.UserRole, snippet)
            item.setToolTip(snippet.body)
            self.list.addItem(item)
            if snippet.id == select:
                row = self.list.count() - 1
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        if row >= 0 and select is not None:  # the snippet just saved stays the one edited
            self._editing = select
            self.delete_button.setEnabled(True)

    def _on_current(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        snippet: CommentSnippet = current.data(Qt.ItemDataRole.UserRole)
        self._editing = snippet.id
        self.title.setText(snippet.title)
        self.body.setPlainText(snippet.body)
        index = self.criterion.findData(snippet.criterion_key)
        if index < 0 and snippet.criterion_key:
            self.criterion.addItem(snippet.criterion_key, snippet.criterion_key)
            index = self.criterion.count() - 1
        self.criterion.setCurrentIndex(max(0, index))
        self.delete_button.setEnabled(True)
        self._say("")

    def _say(self, text: str, *, error: bool = True) -> None:
        apply_style(self.message, template=f"color: {'@error' if error else '@ok'};")
        self.message.setText(text)
