"""SigningDialog: exactly what will be signed, in words and as the credential's JSON.

The dialog only shows and asks; the window signs (off the GUI thread) when it is accepted.
When this computer has no signing key yet, the dialog says so and its button creates one in
the OS keychain as part of signing: the first signing needs no trip to a settings page.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from assessor.credentials.service import SigningPreview


class SigningDialog(QDialog):
    def __init__(self, preview: SigningPreview, has_key: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setObjectName("signingDialog")
        self.setWindowTitle("Sign Credential")
        self.resize(640, 460)

        heading, *rest = preview.summary
        lines = "".join(f"<div style='margin-left:{12 if line.startswith('  ') else 0}px'>"
                        f"{html.escape(line.strip())}</div>" for line in rest)
        self.summary = QLabel(f"<p><b>{html.escape(heading)}</b></p>{lines}")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.json_view = QPlainTextEdit()
        self.json_view.setReadOnly(True)
        self.json_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.json_view.setPlainText(json.dumps(preview.credential, indent=2,
                                               ensure_ascii=False))
        tabs = QTabWidget()
        summary_page = QWidget()
        summary_layout = QVBoxLayout(summary_page)
        summary_layout.addWidget(self.summary)
        summary_layout.addStretch(1)
        tabs.addTab(summary_page, "Summary")
        tabs.addTab(self.json_view, "Credential JSON")

        if has_key:
            note = ("Signing uses this computer's key in the OS keychain. The signed "
                    "credential is kept here and sent to the hub at the next sync.")
            sign_text = "Sign"
        else:
            note = ("This computer has no signing key yet. Signing creates one in the OS "
                    "keychain; the private key never leaves it. Enrol its public key with "
                    "your organisation's hub (Tools ▸ Copy Public Key) so others can "
                    "check your signature.")
            sign_text = "Create Key and Sign"
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setObjectName("signingNote")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = self.buttons.addButton(sign_text,
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
