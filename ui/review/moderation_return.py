"""ReturnDialog: the comment a moderator sends back with a returned decision (required)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class ReturnDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Return to Assessor")
        intro = QLabel("The decision goes back to the assessor, who reviews it again. Say "
                       "what to look at: the assessor reads this after their next sync.")
        intro.setWordWrap(True)
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("e.g. The evidence shows the hazard, but not the "
                                        "control that was put in place.")
        self.comment.setAccessibleName("Comment for the assessor")
        self.comment.setTabChangesFocus(True)
        self.hint = QLabel("A comment is required.")
        self.hint.setObjectName("criterionBadge")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send = self.buttons.addButton("Return to Assessor",
                                           QDialogButtonBox.ButtonRole.AcceptRole)
        self.send.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.comment.textChanged.connect(self._on_text_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.comment, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.resize(480, 260)

    def _on_text_changed(self) -> None:
        filled = bool(self.text())
        self.send.setEnabled(filled)
        self.hint.setVisible(not filled)

    def text(self) -> str:
        return self.comment.toPlainText().strip()

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> str | None:
        """The comment, or ``None`` if the moderator cancelled (tests monkeypatch this)."""
        dialog = cls(parent)
        try:
            return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
