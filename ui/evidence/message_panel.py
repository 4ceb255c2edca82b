"""MessagePanel: what the viewer shows instead of the evidence — a message with the file's
details, a password prompt, or a busy indicator while the evidence opens.

Signals:
    save_requested(): the user asked to save a copy of the file.
    open_requested(): the user asked to save a copy and open it with another program.
    password_entered(str): the user typed a password and pressed Open. The panel clears the
        field at once and keeps the password nowhere.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assessor.evidence.file_names import safe_file_name

if TYPE_CHECKING:
    from assessor.domain.submission import EvidenceItem

WRONG_PASSWORD = "That password did not open it"

_STYLE = """
QWidget#messageCard { background: palette(base); border: 1px solid @border; border-radius: 10px; }
QLabel#messageTitle { font-size: 13pt; font-weight: 600; color: palette(text); }
QLabel#messageDetail { color: @strong; }
QLabel#messageFact { color: @muted; }
QLabel#messageValue { color: palette(text); }
QLabel#passwordError { color: @error; font-weight: 600; }
QProgressBar#busyBar { max-height: 6px; border: none; background: @subtle; border-radius: 3px; }
QProgressBar#busyBar::chunk { background: @accent; border-radius: 3px; }
"""


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


class MessagePanel(QWidget):
    save_requested = Signal()
    open_requested = Signal()
    password_entered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messagePanel")
        from ui.style import apply_style

        apply_style(self, template=_STYLE)  # coloured from the palette, light or dark
        self.title = QLabel()
        self.title.setObjectName("messageTitle")
        self.title.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setObjectName("messageDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.title, self.detail):  # messages name files: never markup
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)

        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.setAccessibleName("Document password")
        self.password.setClearButtonEnabled(False)
        self.open_button = QPushButton("Open")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self._submit_password)
        self.password.returnPressed.connect(self._submit_password)
        self.password_error = QLabel()
        self.password_error.setObjectName("passwordError")
        self.password_row = QWidget()
        row = QHBoxLayout(self.password_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.password, 1)
        row.addWidget(self.open_button)

        self.facts = QWidget()
        self._facts = QFormLayout(self.facts)
        self._facts.setContentsMargins(0, 4, 0, 0)
        self._facts.setHorizontalSpacing(14)
        self._facts.setVerticalSpacing(3)
        self._facts.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

        self.save_button = QPushButton("Save a Copy…")
        self.save_button.setToolTip("Save this evidence file where you choose, to open it "
                                    "with another program")
        self.save_button.clicked.connect(self.save_requested)
        self.open_button_external = QPushButton("Open With…")
        self.open_button_external.setToolTip(
            "Save a copy where you choose, then open it with the program your system uses "
            "for this kind of file")
        self.open_button_external.clicked.connect(self.open_requested)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 6, 0, 0)
        actions.addWidget(self.open_button_external)
        actions.addWidget(self.save_button)
        actions.addStretch(1)

        card = QWidget()
        card.setObjectName("messageCard")
        card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        card.setMaximumWidth(560)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(22, 18, 22, 18)
        inner.setSpacing(8)
        inner.addWidget(self.title)
        inner.addWidget(self.detail)
        inner.addWidget(self.busy_bar)
        inner.addWidget(self.password_row)
        inner.addWidget(self.password_error)
        inner.addWidget(self.facts)
        inner.addLayout(actions)
        self.card = card

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 16, 16, 16)
        outer.addStretch(1)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(card, 12)
        centre.addStretch(1)
        outer.addLayout(centre)
        outer.addStretch(2)
        self.show_placeholder("")

    # -- states -----------------------------------------------------------------------

    def show_placeholder(self, text: str) -> None:
        """A quiet line of text (no card) — e.g. before any evidence is chosen."""
        self._reset()
        self.card.setVisible(bool(text))
        self.title.setText(text)

    def show_message(self, title: str, detail: str = "", *, item: EvidenceItem | None = None,
                     can_save: bool = False) -> None:
        self._reset()
        self.title.setText(title)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self._show_facts(item)
        self.save_button.setVisible(can_save)
        self.open_button_external.setVisible(can_save)

    def show_busy(self, text: str, item: EvidenceItem | None = None) -> None:
        self._reset()
        self.title.setText(text)
        self.busy_bar.show()
        self._show_facts(item)

    def ask_password(self, item: EvidenceItem, *, wrong: bool = False) -> None:
        self._reset()
        self.title.setText("This file is protected by a password")
        self.detail.setText("Type the password the learner gave with it to open it here. "
                            "The password is used once and not kept.")
        self.detail.show()
        self.password_row.show()
        self.password_error.setText(WRONG_PASSWORD if wrong else "")
        self.password_error.setVisible(wrong)
        self._show_facts(item)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def asking_password(self) -> bool:
        return not self.password_row.isHidden()

    # -- inside -----------------------------------------------------------------------

    def _reset(self) -> None:
        self.card.show()
        self.password.clear()
        for widget in (self.detail, self.busy_bar, self.password_row, self.password_error,
                       self.facts, self.save_button, self.open_button_external):
            widget.hide()
        self.detail.clear()

    def _show_facts(self, item: EvidenceItem | None) -> None:
        while self._facts.rowCount():
            self._facts.removeRow(0)
        if item is None:
            return
        rows = [("Name", safe_file_name(item.file_name)), ("Type", item.media_type),
                ("Size", f"{human_size(item.size)} ({item.size:,} bytes)"),
                ("SHA-256", item.sha256)]
        if item.description:
            rows.insert(1, ("Description", item.description))
        for name, value in rows:
            label = QLabel(name)
            label.setObjectName("messageFact")
            shown = QLabel(html.escape(value))
            shown.setObjectName("messageValue")
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if name == "SHA-256":  # two lines of 32, so it never runs off the card
                shown.setText(f"<span style='font-family:monospace'>{value[:32]}<br>"
                              f"{value[32:]}</span>")
                shown.setToolTip(value)
            self._facts.addRow(label, shown)
        self.facts.show()

    def _submit_password(self) -> None:
        secret = self.password.text()
        self.password.clear()
        if secret:
            self.password_error.hide()
            self.password_entered.emit(secret)
