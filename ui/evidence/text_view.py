"""TextEvidenceView: plain text, source code, Markdown, HTML and CSV evidence.

The bytes are decoded (the encoding found, not assumed) and prepared off the GUI thread when
they are large. Plain text and code go to a QPlainTextEdit (fast with megabytes), Markdown and
HTML to a browser that fetches nothing and shows only sanitised markup, CSV to a table. A bar
says the encoding and the kind of text, and holds a find box (Ctrl+F): every match is
highlighted, Enter and Shift+Enter step through them; for a table it keeps the matching rows.

Signals (the evidence views' common interface; text has no pins, so they never fire):
    pin_requested(object), pin_clicked(object)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import shiboken6

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTableView,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assessor.evidence.text_formats import TextEvidence, TextFlavour, read_text_evidence
from ui.evidence.text_widgets import CodeView, CsvTableModel, SafeTextBrowser, match_selection
from ui.tasks import TaskRunner

SYNC_LIMIT = 256 * 1024
"""Evidence up to this size is prepared on the spot; larger goes to a worker thread."""

MAX_HIGHLIGHTS = 2_000
_MATCH = "#fde293"
_CURRENT = "#f9ab00"

_STYLE = """
QWidget#textBar { background: #f8f9fa; border-bottom: 1px solid #dadce0; }
QLabel#textInfo { color: #3c4043; }
QLabel#textNote { color: #8a4b00; background: #fef7e0; padding: 3px 8px; }
QLabel#textCount { color: #5f6368; }
"""


class TextEvidenceView(QWidget):
    pin_requested = Signal(object)
    pin_clicked = Signal(object)
    loaded = Signal()  # the evidence is on screen (after the worker, for large files)

    def __init__(self, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("textEvidenceView")
        self.setStyleSheet(_STYLE)
        self._runner = runner if runner is not None else TaskRunner(self)
        self._generation = 0
        self._evidence: TextEvidence | None = None
        self.evidence_id = ""
        self._matches: list[QTextCursor] = []
        self._current = -1
        self._model: CsvTableModel | None = None

        self.info_label = _label("textInfo")
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.as_text_button = _button("As text")
        self.as_text_button.setCheckable(True)
        self.as_text_button.setToolTip("Show the HTML source instead of the formatted page")
        self.as_text_button.toggled.connect(self._on_as_text_toggled)
        self.as_text_button.hide()
        self.find_edit = QLineEdit(placeholderText="Find (Ctrl+F)", clearButtonEnabled=True)
        self.find_edit.setMaximumWidth(260)
        self.find_edit.setAccessibleName("Find in the text")
        self.find_edit.textChanged.connect(self._on_find_text_changed)
        self.find_edit.returnPressed.connect(self.find_next)
        self.previous_button = _button("◀")
        self.previous_button.setToolTip("Previous match (Shift+Enter)")
        self.next_button = _button("▶")
        self.next_button.setToolTip("Next match (Enter)")
        self.previous_button.clicked.connect(self.find_previous)
        self.next_button.clicked.connect(self.find_next)
        self.count_label = _label("textCount")

        bar = QWidget()
        bar.setObjectName("textBar")
        bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.info_label, 1)
        row.addWidget(self.as_text_button)
        row.addWidget(self.find_edit)
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        row.addWidget(self.count_label)

        self.note_label = _label("textNote")
        self.note_label.setWordWrap(True)
        self.note_label.hide()

        self.message_label = _label("textMessage")
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        self.plain_view = CodeView()
        self.rich_view = SafeTextBrowser()
        self.plain_view.setAccessibleName("Evidence text")
        self.rich_view.setAccessibleName("Evidence document")
        self.table_view = QTableView()
        self.table_view.setAccessibleName("Evidence table")
        self.table_view.setWordWrap(False)
        self.table_view.setAlternatingRowColors(True)
        self.table_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive)
        self.table_view.horizontalHeader().setDefaultSectionSize(140)
        self.table_view.verticalHeader().setDefaultSectionSize(
            self.table_view.fontMetrics().height() + 6)
        self.stack = QStackedWidget()
        for widget in (self.message_label, self.plain_view, self.rich_view, self.table_view):
            self.stack.addWidget(widget)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.note_label)
        layout.addWidget(self.stack, 1)

        self._find_timer = QTimer(self, singleShot=True, interval=150)
        self._find_timer.timeout.connect(self._refresh_matches)
        self._shortcut(QKeySequence.StandardKey.Find, self._focus_find)
        self._shortcut(QKeySequence.StandardKey.FindNext, self.find_next)
        self._shortcut(QKeySequence.StandardKey.FindPrevious, self.find_previous)
        shift_enter = QShortcut(QKeySequence("Shift+Return"), self.find_edit)
        shift_enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        shift_enter.activated.connect(self.find_previous)
        escape = QShortcut(QKeySequence("Escape"), self.find_edit)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.find_edit.clear)
        self.clear()

    def _shortcut(self, key: QKeySequence.StandardKey, slot: Callable[[], None]) -> None:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # -- the common view interface ---------------------------------------------------------

    def load(self, data: bytes, *, name: str, media_type: str | None,
             evidence_id: str) -> None:
        self.clear()
        self.evidence_id = evidence_id
        generation = self._generation
        if len(data) <= SYNC_LIMIT:
            self._show(read_text_evidence(data, name=name, media_type=media_type))
            return
        self._show_message("Opening…")
        payload = bytes(data)

        def prepare() -> TextEvidence:
            return read_text_evidence(payload, name=name, media_type=media_type)

        self._runner.run(prepare, self._when_current(generation, self._show),
                         self._when_current(generation, self._on_failed))

    def set_pins(self, pins: Sequence[Any]) -> None:
        """Text has no pins."""

    def show_pin(self, pin: Any) -> None:
        """Text has no pins."""

    def set_pin_mode(self, on: bool) -> None:
        """Text has no pins."""

    def clear(self) -> None:
        self._generation += 1
        self._evidence = None
        self.evidence_id = ""
        self._find_timer.stop()
        self._matches = []
        self._current = -1
        self.plain_view.setExtraSelections([])
        self.rich_view.setExtraSelections([])
        self.plain_view.clear()
        self.rich_view.clear()
        self.table_view.setModel(None)
        if self._model is not None:
            self._model.deleteLater()
            self._model = None
        self.info_label.clear()
        self.note_label.hide()
        self.count_label.clear()
        self.as_text_button.hide()
        self.find_edit.blockSignals(True)
        self.find_edit.clear()
        self.find_edit.blockSignals(False)
        self._show_message("")

    # -- what is shown ---------------------------------------------------------------------

    @property
    def evidence(self) -> TextEvidence | None:
        return self._evidence

    @property
    def flavour(self) -> TextFlavour | None:
        return None if self._evidence is None else self._evidence.flavour

    def showing_html_as_text(self) -> bool:
        return self.as_text_button.isChecked()

    def _when_current(self, generation: int, slot: Callable[[Any], None]) -> Callable[[Any], None]:
        def deliver(value: Any) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                slot(value)

        return deliver

    def _on_failed(self, exc: Exception) -> None:
        self._show_message(f"Cannot show this text: {exc}")

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.stack.setCurrentWidget(self.message_label)
        self._set_find_enabled(False)

    def _set_find_enabled(self, on: bool) -> None:
        for widget in (self.find_edit, self.previous_button, self.next_button):
            widget.setEnabled(on)

    def _show(self, evidence: TextEvidence) -> None:
        self._evidence = evidence
        decoded = evidence.decoded
        parts = [decoded.describe(), evidence.flavour.label]
        flavour = evidence.flavour
        notes = list(evidence.notes())
        if flavour is TextFlavour.CSV and evidence.table is not None:
            self._show_table(evidence)
            if evidence.table.truncated:
                notes.append("The table is longer or wider than can be shown: only the first "
                              f"{len(evidence.table.rows):,} rows are here.")
            if evidence.table.note:
                notes.append(evidence.table.note)
        elif flavour in (TextFlavour.MARKDOWN, TextFlavour.HTML):
            self.rich_view.setHtml(evidence.html or "")
            self.as_text_button.setVisible(flavour is TextFlavour.HTML)
            self.as_text_button.blockSignals(True)
            self.as_text_button.setChecked(False)
            self.as_text_button.blockSignals(False)
            self.stack.setCurrentWidget(self.rich_view)
        else:
            self._show_plain(evidence.display_text, code=flavour is TextFlavour.SOURCE)
        if flavour is TextFlavour.CSV and self._model is not None:
            parts.append(_rows(self._model.total_rows()))
        self.info_label.setText(" · ".join(parts))
        self.note_label.setText(" ".join(notes))
        self.note_label.setVisible(bool(notes))
        self._set_find_enabled(True)
        self.loaded.emit()

    def _show_plain(self, text: str, *, code: bool) -> None:
        view = self.plain_view
        if code:
            view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        else:
            view.setFont(self.font())
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap if code
                             else QPlainTextEdit.LineWrapMode.WidgetWidth)
        view.set_line_numbers(code)
        view.setPlainText(text)
        self.stack.setCurrentWidget(view)

    def _show_table(self, evidence: TextEvidence) -> None:
        assert evidence.table is not None
        self._model = CsvTableModel(evidence.table, self)
        self.table_view.setModel(self._model)
        self.stack.setCurrentWidget(self.table_view)

    def _on_as_text_toggled(self, as_text: bool) -> None:
        if self._evidence is None:
            return
        self._clear_highlights()
        if as_text:
            self._show_plain(self._evidence.display_text, code=True)
        else:
            self.stack.setCurrentWidget(self.rich_view)
        self._refresh_matches()

    # -- find ------------------------------------------------------------------------------

    def _focus_find(self) -> None:
        if self.find_edit.isEnabled():
            self.find_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.find_edit.selectAll()

    def _text_widget(self) -> QPlainTextEdit | QTextEdit | None:
        current = self.stack.currentWidget()
        if current is self.plain_view:
            return self.plain_view
        if current is self.rich_view:
            return self.rich_view
        return None

    def _on_find_text_changed(self, _text: str) -> None:
        self._find_timer.start()

    def match_count(self) -> int:
        """Matches highlighted now (text), or rows kept (table)."""
        self._flush_find()
        if self.stack.currentWidget() is self.table_view and self._model is not None:
            return self._model.rowCount()
        return len(self._matches)

    def current_match(self) -> int:
        self._flush_find()
        return self._current

    def _flush_find(self) -> None:
        if self._find_timer.isActive():
            self._find_timer.stop()
            self._refresh_matches()

    def _clear_highlights(self) -> None:
        self._matches = []
        self._current = -1
        self.plain_view.setExtraSelections([])
        self.rich_view.setExtraSelections([])

    def _refresh_matches(self) -> None:
        query = self.find_edit.text()
        if self.stack.currentWidget() is self.table_view and self._model is not None:
            self._model.set_filter(query)
            total = self._model.total_rows()
            shown = self._model.rowCount()
            self.count_label.setText(f"{shown:,} of {_rows(total)}" if query else "")
            return
        self._clear_highlights()
        widget = self._text_widget()
        if widget is None or not query:
            self.count_label.clear()
            return
        document: QTextDocument = widget.document()
        cursor = QTextCursor(document)
        while len(self._matches) < MAX_HIGHLIGHTS:
            cursor = document.find(query, cursor)
            if cursor.isNull():
                break
            self._matches.append(QTextCursor(cursor))
        if self._matches:
            self._current = self._first_match_after(widget.textCursor().selectionStart())
            self._apply_highlights(widget, scroll=True)
        self._update_count()

    def _first_match_after(self, position: int) -> int:
        for number, match in enumerate(self._matches):
            if match.selectionStart() >= position:
                return number
        return 0

    def _apply_highlights(self, widget: QPlainTextEdit | QTextEdit, *, scroll: bool) -> None:
        selections = [match_selection(match, _MATCH) for match in self._matches]
        if 0 <= self._current < len(self._matches):
            current = self._matches[self._current]
            selections.append(match_selection(current, _CURRENT))
            if scroll:
                moved = QTextCursor(current)
                moved.setPosition(current.selectionStart())
                widget.setTextCursor(moved)
                widget.ensureCursorVisible()
        widget.setExtraSelections(selections)

    def _update_count(self) -> None:
        if not self._matches:
            self.count_label.setText("No matches")
            return
        more = "+" if len(self._matches) >= MAX_HIGHLIGHTS else ""
        self.count_label.setText(f"{self._current + 1:,} of {len(self._matches):,}{more}")

    def find_next(self) -> None:
        self._step(1)

    def find_previous(self) -> None:
        self._step(-1)

    def _step(self, direction: int) -> None:
        if self._find_timer.isActive():
            self._flush_find()
            if direction > 0:
                return  # the refresh already went to the first match
        widget = self._text_widget()
        if widget is None or not self._matches:
            return
        self._current = (self._current + direction) % len(self._matches)
        self._apply_highlights(widget, scroll=True)
        self._update_count()


def _button(text: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    return button


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    return label


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"
