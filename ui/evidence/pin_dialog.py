"""PinDialog: which criterion a new evidence pin backs, and an optional note.

The dialog only asks; the window saves the pin with that criterion's judgment when the
dialog is accepted (``choice()`` then says what was chosen).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

NOTE_MAX = 500


class PinDialog(QDialog):
    def __init__(self, criteria: Sequence[tuple[str, str]], current: str | None,
                 pinned: str, parent: QWidget | None = None) -> None:
        """``criteria`` are (key, title) in rubric order; ``pinned`` says what is pinned
        ("report.pdf, p. 3")."""
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.setWindowTitle("Pin Evidence")
        self.setMinimumWidth(420)
        intro = QLabel(f"Pin <b>{_esc(pinned)}</b> as evidence for a criterion.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.criterion = QComboBox()
        self.criterion.setAccessibleName("Criterion")
        self.criterion.setAccessibleDescription("The criterion this pin is evidence for")
        for number, (key, title) in enumerate(criteria, start=1):
            self.criterion.addItem(f"{number}. {title}", key)
        keys = [key for key, _ in criteria]
        if current in keys:
            self.criterion.setCurrentIndex(keys.index(current))
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX)
        self.note.setAccessibleName("Pin note")
        self.note.setPlaceholderText("Optional: what this shows")
        form = QFormLayout()
        form.addRow("Criterion", self.criterion)
        form.addRow("Note", self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("Save Pin")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.note.setFocus()

    def choice(self) -> tuple[str, str]:
        """(criterion key, note) as chosen."""
        return str(self.criterion.currentData()), self.note.text().strip()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
