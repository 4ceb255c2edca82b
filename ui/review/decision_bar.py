"""DecisionBar: where the open submission stands (draft or decided) and the two decisions.

"Approve…" is enabled only when every criterion is judged and the mastery rule is met;
otherwise its tooltip (and the bar's hint) names what is missing. "Request
Resubmission…" needs every criterion judged. Judging without a decision is a draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.style import apply_style

if TYPE_CHECKING:
    from assessor.domain.rubric import MasteryOutcome, Rubric
    from assessor.domain.states import State

_STYLE = """
QFrame#decisionBar { border-top: 1px solid palette(mid); }
QLabel#decisionState { border-radius: 9px; padding: 2px 10px; font-weight: 600;
                       background: @neutral-bg; color: @strong; }
QLabel#decisionState[tone="draft"] { background: @warn-bg; color: @warn-text; }
QLabel#decisionState[tone="good"] { background: @ok-bg; color: @ok; }
QLabel#decisionState[tone="wait"] { background: @info-bg; color: @accent; }
QLabel#decisionState[tone="back"] { background: @bad-bg; color: @bad; }
QLabel#decisionHint { color: palette(placeholder-text); }
QPushButton#approveButton { border-radius: 4px; padding: 5px 14px; font-weight: 600;
                            border: 1px solid @border; background: @neutral-bg;
                            color: palette(placeholder-text); }
QPushButton#approveButton:enabled { background: @ok; color: @on-accent; border-color: @ok; }
QPushButton#approveButton:enabled:focus { border-color: @strong; }
"""

_DECIDED: dict[str, tuple[str, str, str]] = {
    # state value: (badge, tone, hint)
    "awaiting_moderation": ("Awaiting moderation", "wait",
                            "Approved; signing waits for the moderator to agree."),
    "approved": ("Approved", "good", "Ready to sign: Review ▸ Sign Credential… (Ctrl+Shift+S)"),
    "resubmission_requested": ("Resubmission requested", "back",
                               "The learner gets your feedback at the next sync."),
    "signed": ("Signed", "good", "The signed credential goes to the hub at the next sync."),
    "published": ("Published", "good", "The organisation has published the credential: "
                  "Review ▸ Open Credential Page shows it."),
}


def approve_blocker(rubric: Rubric, outcome: MasteryOutcome) -> str:
    """Why the judgments cannot be approved yet, or "" when they can."""
    reasons = []
    if outcome.unjudged:
        titles = [rubric.criterion(k).title for k in outcome.unjudged]
        reasons.append("Not yet judged: " + ", ".join(titles))
    below = [rubric.criterion(k).title for k in outcome.unmet_required
             if k not in outcome.unjudged]
    if below:
        reasons.append("Below the pass level: " + ", ".join(below))
    if outcome.below_cut and not outcome.unjudged:
        reasons.append(f"Total {outcome.total:g} is below the cut score {outcome.cut_score:g}")
    return ". ".join(reasons) + ("." if reasons else "")


class DecisionBar(QFrame):
    """Signals:
        approve_requested(): the user chose Approve….
        resubmission_requested(): the user chose Request Resubmission….
    """

    approve_requested = Signal()
    resubmission_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionBar")
        apply_style(self, template=_STYLE)
        self.state_badge = QLabel()
        self.state_badge.setObjectName("decisionState")
        self.state_badge.setAccessibleName("Decision state")
        self.hint = QLabel()
        self.hint.setObjectName("decisionHint")
        self.hint.setWordWrap(True)
        self.approve_button = QPushButton("Approve…")
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setAccessibleName("Approve")
        self.approve_button.setAccessibleDescription(
            "Approve the submission and preview the credential to sign (Ctrl+Return)")
        self.resubmit_button = QPushButton("Request Resubmission…")
        self.resubmit_button.setObjectName("resubmitButton")
        self.resubmit_button.setAccessibleName("Request resubmission")
        self.resubmit_button.setAccessibleDescription(
            "Send the submission back with feedback to the learner (Ctrl+Shift+R)")
        self.approve_button.clicked.connect(self.approve_requested)
        self.resubmit_button.clicked.connect(self.resubmission_requested)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.state_badge)
        buttons.addStretch(1)
        buttons.addWidget(self.resubmit_button)
        buttons.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        self.credential_row = QWidget()
        self.credential_row.setObjectName("credentialRow")
        self.credential_buttons: list[QPushButton] = []
        self._credential_layout = QHBoxLayout(self.credential_row)
        self._credential_layout.setContentsMargins(0, 0, 0, 0)
        self._credential_layout.addWidget(QLabel("Credential:"))
        self._credential_layout.addStretch(1)
        self.credential_row.hide()
        layout.addWidget(self.credential_row)
        self.approve_reason = ""
        self.resubmit_reason = ""
        self.show_nothing()

    def add_credential_actions(self, actions: Sequence[tuple[QAction, str]]) -> None:
        """Small buttons for ``actions`` (each with its short label), shown once the
        submission is signed or published; they follow the actions' enabled state and
        tooltips (which say why when nothing can be done)."""
        for action, label in actions:
            button = QPushButton(label)
            button.setObjectName("credentialButton")
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
            button.clicked.connect(action.trigger)

            def follow(b: QPushButton = button, a: QAction = action) -> None:
                b.setEnabled(a.isEnabled())
                b.setToolTip(a.toolTip())
                b.setAccessibleDescription(a.toolTip())

            action.changed.connect(follow)
            follow()
            self._credential_layout.insertWidget(self._credential_layout.count() - 1, button)
            self.credential_buttons.append(button)

    @property
    def is_draft(self) -> bool:
        return self.state_badge.text() == "Draft"

    def show_nothing(self) -> None:
        self._set_badge("", "")
        self.credential_row.hide()
        self.hint.clear()
        self._enable(approve="Open a submission to decide on it.",
                     resubmit="Open a submission to decide on it.")
        self.hide()

    def show_state(self, state: State, rubric: Rubric, outcome: MasteryOutcome,
                   locked_reason: str = "", *, judged_any: bool) -> None:
        """Show where the submission stands and what can be decided now."""
        self.show()
        decided = _DECIDED.get(state.value)
        if decided is not None:
            badge, tone, hint = decided
            self._set_badge(badge, tone)
            self.hint.setText(hint)
            self._enable(approve=f"Already decided: {badge.lower()}.",
                         resubmit=f"Already decided: {badge.lower()}.")
            self.credential_row.setVisible(state.value in ("signed", "published")
                                           and bool(self.credential_buttons))
            return
        self.credential_row.hide()
        if judged_any:
            self._set_badge("Draft", "draft")
        else:
            self._set_badge("Not started", "")
        if locked_reason:
            self.hint.setText(locked_reason)
            self._enable(approve=locked_reason, resubmit=locked_reason)
            return
        blocker = approve_blocker(rubric, outcome)
        unjudged = [rubric.criterion(k).title for k in outcome.unjudged]
        resubmit = ("Judge every criterion first. Not yet judged: " + ", ".join(unjudged)
                    + ".") if unjudged else ""
        self._enable(approve=blocker, resubmit=resubmit)
        if blocker:
            self.hint.setText(("Draft, saved as you go. " if judged_any else "")
                              + "To approve: " + blocker)
        else:
            self.hint.setText("Draft, saved as you go. Mastery met: ready to approve "
                              "(Ctrl+Return).")

    def _set_badge(self, text: str, tone: str) -> None:
        self.state_badge.setText(text)
        self.state_badge.setVisible(bool(text))
        if self.state_badge.property("tone") == tone:
            return  # re-polishing on every key press costs time for nothing
        self.state_badge.setProperty("tone", tone)
        self.state_badge.style().unpolish(self.state_badge)
        self.state_badge.style().polish(self.state_badge)

    def _enable(self, *, approve: str, resubmit: str) -> None:
        self.approve_reason, self.resubmit_reason = approve, resubmit
        self.approve_button.setEnabled(not approve)
        self.approve_button.setToolTip(
            f"Cannot approve yet. {approve}" if approve
            else "Approve and preview the credential to sign (Ctrl+Return)")
        self.resubmit_button.setEnabled(not resubmit)
        self.resubmit_button.setToolTip(
            resubmit or "Send back with feedback to the learner on each unmet criterion "
            "(Ctrl+Shift+R)")
