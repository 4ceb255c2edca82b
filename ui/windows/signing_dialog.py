"""SigningDialog: exactly what will be signed, in words and as the credential's JSON.

The words are read from the credential the signing service will sign (``preview.credential``):
achievement, learner, issuer, dates, each criterion's level and points, and the evidence
with its digests. Nothing is typed in twice, so what the summary says is what is signed.
The dialog only shows and asks; the window signs (off the GUI thread) when it is accepted.
When this computer has no signing key yet, the dialog says so and its button creates one in
the OS keychain as part of signing: the first signing needs no trip to a settings page.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.style import colours

if TYPE_CHECKING:
    from assessor.credentials.service import SigningPreview


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _day(stamp: str) -> str:
    return stamp.replace("T", " ").removesuffix("Z") + " UTC" if stamp else ""


def _learner_line(summary: tuple[str, ...]) -> str:
    """The learner's name as the signing service described it (the credential itself
    carries only a salted hash of their e-mail address)."""
    for line in summary:
        if line.startswith("Learner: "):
            return line.removeprefix("Learner: ").split(" (", 1)[0]
    return ""


def credential_html(credential: dict[str, Any], learner: str = "") -> str:
    """A readable account of an (unsigned) Open Badges credential."""
    subject = credential.get("credentialSubject", {})
    achievement = subject.get("achievement", {})
    issuer = credential.get("issuer", {})
    rows = [("Achievement", f"<b>{_esc(achievement.get('name', credential.get('name', '')))}"
                            "</b>")]
    if learner:
        rows.append(("Learner", f"{_esc(learner)} <span style='color:gray'>(identified in the "
                                "credential by a salted hash of their e-mail address)</span>"))
    issuer_text = _esc(issuer.get("name", ""))
    if issuer.get("url"):
        issuer_text += f" <span style='color:gray'>{_esc(issuer['url'])}</span>"
    rows.append(("Issuer", issuer_text))
    valid = _esc(_day(credential.get("validFrom", "")))
    valid += (f" until {_esc(_day(credential['validUntil']))}" if credential.get("validUntil")
              else " · no expiry")
    rows.append(("Valid from", valid))
    if achievement.get("version"):
        rows.append(("Rubric", _esc(achievement["version"])))
    facts = "".join(f"<tr><td style='color:gray;padding-right:12px'>{name}</td><td>{value}</td>"
                    "</tr>" for name, value in rows)

    descriptions = {d.get("id"): d for d in achievement.get("resultDescription", [])}
    results = []
    for result in subject.get("result", []):
        description = descriptions.get(result.get("resultDescription"), {})
        levels = description.get("rubricCriterionLevel", [])
        ids = [level.get("id") for level in levels]
        achieved = result.get("achievedLevel")
        level: dict[str, Any] = next((lv for lv in levels if lv.get("id") == achieved), {})
        required = description.get("requiredLevel")
        meets = required in ids and achieved in ids and ids.index(achieved) >= ids.index(required)
        top = max((float(lv.get("points", 0)) for lv in levels), default=0.0)
        tone = colours()
        mark = (f"<span style='color:{tone['ok']}'>✓ meets the pass level</span>" if meets
                else f"<span style='color:{tone['error']}'>below the pass level</span>")
        results.append(
            f"<tr><td>{_esc(description.get('name', ''))}: {_esc(level.get('name', ''))}</td>"
            f"<td style='padding-left:12px'>{_esc(level.get('points', '0'))} of {top:g}</td>"
            f"<td style='padding-left:12px'>{mark}</td></tr>")
    evidence = "".join(
        f"<tr><td>{_esc(item.get('name', ''))}</td><td style='padding-left:12px;"
        f"font-family:monospace;color:gray'>{_esc(item.get('digestMultibase', ''))}</td></tr>"
        for item in credential.get("evidence", []))
    parts = [f"<table cellspacing='2'>{facts}</table>",
             "<p style='margin-bottom:2px'><b>Criteria</b></p>",
             f"<table cellspacing='2'>{''.join(results)}</table>"]
    if evidence:
        parts += ["<p style='margin-bottom:2px'><b>Evidence</b> "
                  "<span style='color:gray'>(name and SHA-256 digest)</span></p>",
                  f"<table cellspacing='2'>{evidence}</table>"]
    return "".join(parts)


class SigningDialog(QDialog):
    def __init__(self, preview: SigningPreview, has_key: bool,
                 parent: QWidget | None = None, *, intro: str = "") -> None:
        super().__init__(parent)
        self.preview = preview
        self.setObjectName("signingDialog")
        self.setWindowTitle("Sign Credential")
        self.resize(680, 560)

        self.intro = QLabel(intro)
        self.intro.setObjectName("signingIntro")
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        self.summary = QLabel(credential_html(preview.credential,
                                              _learner_line(preview.summary)))
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.json_view = QPlainTextEdit()
        self.json_view.setReadOnly(True)
        self.json_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.json_view.setPlainText(json.dumps(preview.credential, indent=2,
                                               ensure_ascii=False))
        tabs = QTabWidget()
        summary_page = QScrollArea()
        summary_page.setWidgetResizable(True)
        summary_page.setFrameShape(QScrollArea.Shape.NoFrame)
        summary_page.setWidget(self.summary)
        self.summary.setContentsMargins(8, 8, 8, 8)
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
        layout.addWidget(self.intro)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
