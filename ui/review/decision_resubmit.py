"""ResubmissionDialog: feedback to the learner on every unmet criterion, then the request.

Each criterion below its pass level gets a box prefilled from the criterion's comment. The
"Request Resubmission" button stays disabled until every box has text; empty ones are
outlined and named under the boxes. When no criterion is below its pass level (the total
missed the cut score), the overall note is what tells the learner why, so it is required.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.style import apply_style

if TYPE_CHECKING:
    from assessor.domain.rubric import Rubric

_STYLE = """
QPlainTextEdit[missing="true"] { border: 2px solid @error; border-radius: 3px; }
QLabel#missingNote { color: @error; }
QLabel#learnerNote { color: palette(placeholder-text); }
"""


def unmet_criteria(rubric: Rubric, chosen: Mapping[str, str | None]) -> list[str]:
    """Keys of the criteria judged below their pass level (required or not), in order."""
    return [c.key for c in rubric.criteria
            if chosen.get(c.key) is not None and not c.meets_pass(chosen[c.key] or "")]


class ResubmissionDialog(QDialog):
    def __init__(self, rubric: Rubric, chosen: Mapping[str, str | None],
                 comments: Mapping[str, str], learner: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resubmissionDialog")
        self.setWindowTitle("Request Resubmission")
        apply_style(self, template=_STYLE)
        self.unmet = unmet_criteria(rubric, chosen)
        self.resize(620, min(600, 260 + 120 * len(self.unmet)))
        self.boxes: dict[str, QPlainTextEdit] = {}

        intro = QLabel(
            f"<b>Send this submission back to {learner}.</b><br>Everything you write here "
            "is visible to the learner. Tell them, for every criterion below its pass "
            "level, what to improve.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)

        body = QWidget()
        rows = QVBoxLayout(body)
        rows.setContentsMargins(0, 0, 8, 0)
        for key in self.unmet:
            criterion = rubric.criterion(key)
            level = criterion.level(chosen[key] or "")
            label = QLabel(f"<b>{criterion.title}</b> — {level.name}, needs "
                           f"{criterion.level(criterion.pass_level).name}")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            box = QPlainTextEdit(comments.get(key, ""))
            box.setPlaceholderText("Feedback to the learner (required)")
            box.setAccessibleName(f"Feedback to the learner on {criterion.title}")
            box.setFixedHeight(72)
            box.setTabChangesFocus(True)
            box.textChanged.connect(self._check)
            label.setBuddy(box)
            rows.addWidget(label)
            rows.addWidget(box)
            self.boxes[key] = box
        self._titles = {key: rubric.criterion(key).title for key in self.unmet}
        note_label = QLabel("<b>Overall note to the learner</b>"
                            + ("" if not self.unmet else " (optional)"))
        note_label.setTextFormat(Qt.TextFormat.RichText)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Overall note to the learner")
        self.note.setPlaceholderText(
            "What to do next, encouragement…" if self.unmet
            else "No criterion is below its pass level: say why the total falls short "
                 "(required)")
        self.note.setFixedHeight(72)
        self.note.setTabChangesFocus(True)
        self.note.textChanged.connect(self._check)
        rows.addWidget(note_label)
        rows.addWidget(self.note)
        rows.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        self.missing_note = QLabel()
        self.missing_note.setObjectName("missingNote")
        self.missing_note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton("Request Resubmission",
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.missing_note)
        layout.addWidget(self.buttons)
        self._check()

    def missing(self) -> list[str]:
        """Titles of the criteria whose feedback is still empty."""
        return [self._titles[key] for key, box in self.boxes.items()
                if not box.toPlainText().strip()]

    def feedback(self) -> dict[str, str]:
        return {key: box.toPlainText().strip() for key, box in self.boxes.items()}

    def overall_note(self) -> str:
        return self.note.toPlainText().strip()

    def _check(self) -> None:
        missing = self.missing()
        for box in self.boxes.values():
            empty = not box.toPlainText().strip()
            if box.property("missing") != empty:
                box.setProperty("missing", empty)
                box.style().unpolish(box)
                box.style().polish(box)
        note_needed = not self.unmet and not self.overall_note()
        if missing:
            text = "Feedback to the learner is still missing for: " + ", ".join(missing) + "."
        elif note_needed:
            text = "Write the overall note: it is the learner's only feedback here."
        else:
            text = ""
        self.missing_note.setText(text)
        self.missing_note.setVisible(bool(text))
        self.ok_button.setEnabled(not text)
        self.ok_button.setToolTip(text or "Save the feedback and the decision")
