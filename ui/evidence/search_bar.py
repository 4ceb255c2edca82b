"""SearchBar: the find-in-document strip (query, "3 of 27", previous / next, close)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from ui.evidence.icons import icon

TYPING_PAUSE_MS = 300


class SearchBar(QFrame):
    """Signals:
    search_requested(str): a new query (after a pause in typing, or Enter)
    next_requested(), previous_requested(): Enter / Shift+Enter, the arrows
    closed(): Escape or the close button
    """

    search_requested = Signal(str)
    next_requested = Signal()
    previous_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchBar")
        self.setStyleSheet(
            "QFrame#searchBar { background: #f8f9fa; border-bottom: 1px solid #dadce0; }"
            "QLabel#searchStatus { color: #5f6368; min-width: 84px; }"
        )
        self.field = QLineEdit()
        self.field.setPlaceholderText("Find in document")
        self.field.setAccessibleName("Find in document")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(220)
        self.field.installEventFilter(self)
        self.status = QLabel("")
        self.status.setObjectName("searchStatus")
        self.previous_button = self._button("previous", "Previous match (Shift+Enter)")
        self.next_button = self._button("next", "Next match (Enter)")
        close = self._button("close", "Close (Esc)")
        self.previous_button.clicked.connect(self.previous_requested)
        self.next_button.clicked.connect(self.next_requested)
        close.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(4)
        layout.addWidget(self.field)
        layout.addWidget(self.status)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addStretch(1)
        layout.addWidget(close)
        self._searched = ""
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(TYPING_PAUSE_MS)
        self._pause.timeout.connect(self._search_now)
        self.field.textEdited.connect(lambda _t: self._pause.start())
        self.set_matches(None)

    def _button(self, name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon(name))
        button.setToolTip(tip)
        button.setAccessibleName(tip.partition(" (")[0])  # the tip without its shortcut
        button.setAutoRaise(True)
        return button

    def open_bar(self) -> None:
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def close_bar(self) -> None:
        self._pause.stop()
        self.hide()
        self.closed.emit()

    def query(self) -> str:
        return self.field.text().strip()

    def _search_now(self) -> None:
        self._pause.stop()
        self._searched = self.query()
        self.search_requested.emit(self._searched)

    def set_searching(self) -> None:
        self.status.setText("Searching…")

    def set_matches(self, current: int | None, total: int = 0) -> None:
        """Show "3 of 27" (current is 0-based), "No matches", or nothing (None, 0)."""
        if current is None and total == 0:
            self.status.setText("No matches" if self.query() and self._searched else "")
        elif current is None:
            self.status.setText(f"{total} matches")
        else:
            self.status.setText(f"{current + 1} of {total}")
        has = total > 0
        self.previous_button.setEnabled(has)
        self.next_button.setEnabled(has)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.query() != self._searched or self._pause.isActive():
                    self._search_now()
                elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.previous_requested.emit()
                else:
                    self.next_requested.emit()
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
