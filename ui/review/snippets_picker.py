"""SnippetPicker: find a snippet in the comment library by typing, and insert it.

The picker gets the owner's snippets once (most used first) and filters them as the user
types: every word must occur in the title or the body, in any case. Enter or a double
click inserts the chosen snippet; ``chosen`` carries it to whoever inserts the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.style import apply_style

if TYPE_CHECKING:
    from assessor.store.comment_library import CommentSnippet

LOCAL_ONLY_TIP = ("Your comment library is kept on this computer, for you only: it does not "
                  "sync to the hub or to your other computers.")
PLACEHOLDER_TIP = "{learner} in a snippet becomes the learner's first name when inserted."


def snippet_line(snippet: CommentSnippet, titles: dict[str, str] | None = None) -> str:
    """The snippet as a list shows it: the title, and under it its criterion and how often
    it was used."""
    extra = []
    if snippet.criterion_key:
        extra.append((titles or {}).get(snippet.criterion_key, snippet.criterion_key))
    extra.append(f"used {snippet.uses}×" if snippet.uses else "not used yet")
    return f"{snippet.title}\n{'  ·  '.join(extra)}"


def style_list(widget: QListWidget) -> None:
    """Two-line rows, cut short with "…" rather than scrolled sideways."""
    widget.setTextElideMode(Qt.TextElideMode.ElideRight)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setSpacing(2)
    apply_style(widget, template="QListWidget::item { padding: 3px 4px; border-bottom: 1px "
                "solid @border; } QListWidget::item:selected { background: @accent; "
                "color: @on-accent; }")


def fill_in(body: str, learner_name: str) -> str:
    """The snippet's text as inserted: ``{learner}`` becomes the learner's first name."""
    first = learner_name.split(maxsplit=1)[0] if learner_name.strip() else "the learner"
    return body.replace("{learner}", first)


class SnippetPicker(QDialog):
    """Signals:
        chosen(CommentSnippet): the user picked this snippet to insert.
        manage_requested(): the user asked to edit the library.
    """

    chosen = Signal(object)
    manage_requested = Signal()

    def __init__(self, snippets: Sequence[CommentSnippet], target: str,
                 parent: QWidget | None = None, *,
                 criterion_titles: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Insert Comment Snippet")
        self.setObjectName("snippetPicker")
        self.resize(560, 460)
        self._snippets = list(snippets)
        self._titles = dict(criterion_titles or {})

        where = QLabel(f"Insert into: <b>{_esc(target)}</b>")
        where.setTextFormat(Qt.TextFormat.RichText)
        self.search = QLineEdit()
        self.search.setObjectName("snippetSearch")
        self.search.setPlaceholderText("Search titles and text…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search snippets")
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.setObjectName("snippetList")
        self.list.setAccessibleName("Snippets")
        style_list(self.list)
        self.list.currentItemChanged.connect(self._preview)
        self.list.itemActivated.connect(lambda _item: self.accept())
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("snippetPreview")
        self.preview.setReadOnly(True)
        self.preview.setFixedHeight(110)
        self.preview.setAccessibleName("Snippet text")
        self.empty = QLabel()
        self.empty.setObjectName("emptyBody")
        self.empty.setWordWrap(True)
        self.empty.hide()
        note = QLabel("Kept on this computer only · does not sync")
        apply_style(note, template="color: @muted; font-size: 9pt;")
        note.setToolTip(f"{LOCAL_ONLY_TIP}\n{PLACEHOLDER_TIP}")

        buttons = QDialogButtonBox()
        self.insert_button = buttons.addButton("Insert", QDialogButtonBox.ButtonRole.AcceptRole)
        self.insert_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        manage = QPushButton("Manage Library…")
        manage.setToolTip(LOCAL_ONLY_TIP)
        manage.clicked.connect(self._on_manage)
        buttons.addButton(manage, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(where)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.preview)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.search.installEventFilter(self)
        self._filter("")
        self.search.setFocus()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        """Up and Down in the search box move through the list."""
        from PySide6.QtCore import QEvent

        if watched is self.search and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
            self.list.setCurrentRow(row)
            return True
        return super().eventFilter(watched, event)

    def shown(self) -> list[CommentSnippet]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.list.count())]

    def current(self) -> CommentSnippet | None:
        row = self.list.currentRow()
        if row < 0:
            return None
        snippet: CommentSnippet = self.list.item(row).data(Qt.ItemDataRole.UserRole)
        return snippet

    def accept(self) -> None:
        snippet = self.current()
        if snippet is None:
            return
        super().accept()
        self.chosen.emit(snippet)

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        self.list.clear()
        for snippet in self._snippets:
            if snippet.matches(words):
                item = QListWidgetItem(snippet_line(snippet, self._titles))
                item.setData(Qt.ItemDataRole.UserRole, snippet)
                item.setToolTip(snippet.body)
                self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.insert_button.setEnabled(self.list.count() > 0)
        self.empty.setVisible(self.list.count() == 0)
        if not self._snippets:
            self.empty.setText("Your comment library is empty. Use Manage Library… to add "
                               "the comments you write again and again.")
        else:
            self.empty.setText(f"No snippet matches “{text.strip()}”.")
        if not self.list.count():
            self.preview.clear()

    def _preview(self, current: QListWidgetItem | None, _previous: object) -> None:
        snippet = None if current is None else current.data(Qt.ItemDataRole.UserRole)
        self.preview.setPlainText("" if snippet is None else snippet.body)

    def _on_manage(self) -> None:
        self.reject()
        self.manage_requested.emit()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
