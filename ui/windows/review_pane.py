"""ReviewPane: the submission's header, the learner's narrative and the evidence list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from assessor.domain.review import ReviewSnapshot
    from assessor.domain.submission import EvidenceItem


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


class ReviewPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel("Select a submission in the queue to review it.")
        self.header.setObjectName("reviewHeader")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.narrative = QTextBrowser()
        self.narrative.setOpenLinks(False)
        self.narrative.setPlaceholderText("The learner's narrative or reflection.")
        self.evidence = QListWidget()
        self.evidence.setObjectName("evidenceList")
        self.evidence.currentItemChanged.connect(self._on_evidence_changed)
        self.details = QLabel()
        self.details.setObjectName("evidenceDetails")
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        narrative_box = QWidget()
        n_layout = QVBoxLayout(narrative_box)
        n_layout.setContentsMargins(0, 0, 0, 0)
        n_layout.addWidget(_caption("Narrative"))
        n_layout.addWidget(self.narrative)
        evidence_box = QWidget()
        e_layout = QVBoxLayout(evidence_box)
        e_layout.setContentsMargins(0, 0, 0, 0)
        e_layout.addWidget(_caption("Evidence"))
        e_layout.addWidget(self.evidence, 1)
        e_layout.addWidget(self.details)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(narrative_box)
        self.split.addWidget(evidence_box)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.split, 1)
        self.show_review(None)

    def show_review(self, snapshot: ReviewSnapshot | None) -> None:
        self.evidence.clear()
        self.details.clear()
        if snapshot is None:
            self.header.setText("Select a submission in the queue to review it.")
            self.narrative.clear()
            self.split.setEnabled(False)
            return
        self.split.setEnabled(True)
        sub = snapshot.submission
        due = f" · due {sub.due_at.astimezone():%d %b %Y}" if sub.due_at else ""
        self.header.setText(
            f"<span style='font-size:15pt'><b>{_esc(sub.learner.name)}</b></span><br>"
            f"{_esc(snapshot.template.achievement.name)} · attempt {sub.attempt} · "
            f"<b>{sub.state.label}</b>{due}")
        self.narrative.setPlainText(sub.narrative)
        for item in sub.evidence:
            entry = QListWidgetItem(f"{item.file_name}    {human_size(item.size)}")
            entry.setToolTip(item.description)
            entry.setData(Qt.ItemDataRole.UserRole, item)
            self.evidence.addItem(entry)
        if sub.evidence:
            self.evidence.setCurrentRow(0)
        else:
            self.details.setText("This submission has no evidence files.")

    def _on_evidence_changed(self, current: QListWidgetItem | None, _prev: object) -> None:
        if current is None:
            self.details.clear()
            return
        item: EvidenceItem = current.data(Qt.ItemDataRole.UserRole)
        self.details.setText(
            f"<b>{_esc(item.file_name)}</b><br>{_esc(item.description)}<br>"
            f"<span style='color:gray'>{_esc(item.media_type)} · {human_size(item.size)}<br>"
            f"sha256 {item.sha256}</span>")


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("caption")
    return label


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
