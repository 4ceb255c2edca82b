"""ReviewPane: the submission's header (with a link to the earlier attempt), the learner's
narrative and the feedback threads in tabs, the evidence list and the evidence viewer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtGui
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTabBar,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assessor.evidence.file_names import safe_file_name
from ui.evidence.message_panel import human_size
from ui.evidence.viewer import EvidenceViewer
from ui.review.feedback_panel import FeedbackPanel
from ui.style import apply_style, colours

if TYPE_CHECKING:
    from assessor.domain.review import ReviewSnapshot
    from assessor.domain.submission import EvidenceItem
    from ui.tasks import TaskRunner

__all__ = ["ReviewPane", "human_size"]

NARRATIVE_TAB, FEEDBACK_TAB = 0, 1
EARLIER_ATTEMPT_LINK = "earlier-attempt"
_BADGE_STYLE = ("QLabel#feedbackBadge { background: @accent; color: @on-accent; border-radius: 8px;"
                " padding: 0 6px; font-size: 8.5pt; font-weight: 600; }")


class ReviewPane(QWidget):
    """The submission's header, its narrative and evidence list side by side, and below
    them the evidence viewer, which takes most of the space.

    Signals:
        evidence_selected(EvidenceItem | None): the user (or a new submission) chose an
            evidence item in the list; None when the list was emptied.
        review_shown(ReviewSnapshot | None): a submission (or none) is now on show.
        earlier_attempt_requested(str): the user followed the header's link to the earlier
            attempt (its submission id).
    """

    evidence_selected = Signal(object)
    review_shown = Signal(object)
    earlier_attempt_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel("Select a submission in the queue to review it.")
        self.header.setObjectName("reviewHeader")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.LinksAccessibleByMouse
                                            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.header.setOpenExternalLinks(False)
        self.header.linkActivated.connect(self._on_header_link)
        self._previous_id = ""
        self.narrative = QTextBrowser()
        self.narrative.setOpenLinks(False)
        self.narrative.setPlaceholderText("The learner's narrative or reflection.")
        self.evidence = QListWidget()
        self.evidence.setObjectName("evidenceList")
        self.evidence.setAccessibleName("Evidence files")
        self.evidence.setAccessibleDescription("Choose a file to show it in the viewer below")
        self.evidence.currentItemChanged.connect(self._on_evidence_changed)
        self.no_evidence = QLabel("This submission has no evidence files.")
        self.no_evidence.setObjectName("emptyBody")
        self.no_evidence.setWordWrap(True)
        self.no_evidence.hide()
        self.viewer = EvidenceViewer(runner=runner)

        self.feedback = FeedbackPanel()
        self.feedback.count_changed.connect(self._show_feedback_count)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reviewTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.narrative, "Narrative")
        self.tabs.addTab(self.feedback, "Feedback")
        self.tabs.setTabToolTip(NARRATIVE_TAB, "The learner's narrative or reflection")
        self.tabs.setTabToolTip(FEEDBACK_TAB, "Threaded notes on the submission and on each "
                                "criterion, internal or visible to the learner")
        self.feedback_badge = QLabel()
        self.feedback_badge.setObjectName("feedbackBadge")
        apply_style(self.feedback_badge, template=_BADGE_STYLE)
        self.feedback_badge.hide()
        self.tabs.tabBar().setTabButton(FEEDBACK_TAB, QTabBar.ButtonPosition.RightSide,
                                        self.feedback_badge)
        narrative_box = self.tabs
        evidence_box = QWidget()
        e_layout = QVBoxLayout(evidence_box)
        e_layout.setContentsMargins(0, 0, 0, 0)
        e_layout.addWidget(_caption("Evidence"))
        e_layout.addWidget(self.evidence, 1)
        e_layout.addWidget(self.no_evidence)
        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        self.top_split.setObjectName("reviewTopSplit")
        self.top_split.setChildrenCollapsible(False)
        self.top_split.addWidget(narrative_box)
        self.top_split.addWidget(evidence_box)
        self.top_split.setStretchFactor(0, 3)
        self.top_split.setStretchFactor(1, 2)
        viewer_frame = QFrame()
        viewer_frame.setObjectName("viewerFrame")
        viewer_frame.setFrameShape(QFrame.Shape.StyledPanel)
        f_layout = QVBoxLayout(viewer_frame)
        f_layout.setContentsMargins(1, 1, 1, 1)
        f_layout.addWidget(self.viewer)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("reviewSplit")
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.top_split)
        self.split.addWidget(viewer_frame)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.split, 1)
        self.show_review(None)

    def show_review(self, snapshot: ReviewSnapshot | None) -> None:
        """Show ``snapshot``; the evidence item that was selected stays selected when the
        same submission is shown again (e.g. after a sync)."""
        kept = self.selected_item()
        self.evidence.blockSignals(True)
        self.evidence.clear()
        self.evidence.blockSignals(False)
        self.no_evidence.hide()
        if snapshot is None:
            self.header.setText("Select a submission in the queue to review it.")
            self._previous_id = ""
            self.narrative.clear()
            self.split.setEnabled(False)
            self.evidence_selected.emit(None)
            self.review_shown.emit(None)
            return
        self.split.setEnabled(True)
        sub = snapshot.submission
        due = f" · due {sub.due_at.astimezone():%d %b %Y}" if sub.due_at else ""
        self._previous_id = sub.previous_attempt_id or ""
        attempt = f"attempt {sub.attempt}"
        if sub.attempt > 1 and self._previous_id:
            attempt = (f"Attempt {sub.attempt} — <a href='{EARLIER_ATTEMPT_LINK}' "
                       f"style='color:{colours()['accent']}'>see attempt {sub.attempt - 1}</a>")
        self.header.setText(
            f"<span style='font-size:15pt'><b>{_esc(sub.learner.name)}</b></span><br>"
            f"{_esc(snapshot.template.achievement.name)} · {attempt} · "
            f"<b>{sub.state.label}</b>{due}")
        self.narrative.setPlainText(sub.narrative)
        row = 0
        for index, item in enumerate(sub.evidence):
            # the name and description come from the hub: cleaned, and never markup
            entry = QListWidgetItem(f"{safe_file_name(item.file_name)}    "
                                    f"{human_size(item.size)}")
            entry.setToolTip(QtGui.Qt.convertFromPlainText(
                f"{item.description}\n{item.media_type} · sha256 {item.sha256}"
                if item.description else f"{item.media_type} · sha256 {item.sha256}"))
            entry.setData(Qt.ItemDataRole.UserRole, item)
            self.evidence.addItem(entry)
            if kept is not None and item.id == kept.id:
                row = index
        self.evidence.setVisible(bool(sub.evidence))
        if sub.evidence:
            self.evidence.setCurrentRow(row)
        else:
            self.no_evidence.show()
            self.evidence_selected.emit(None)
        self.review_shown.emit(snapshot)

    def show_feedback(self, criterion_key: str | None = None) -> None:
        """Bring the feedback tab forward, showing the notes on ``criterion_key`` (all notes
        when ``None``), with room enough to read them."""
        self.feedback.filter_to(criterion_key)
        self.tabs.setCurrentIndex(FEEDBACK_TAB)
        sizes = self.split.sizes()
        total = sum(sizes)
        if total and sizes[0] < total * 55 // 100:
            self.split.setSizes([total * 55 // 100, total - total * 55 // 100])

    def _show_feedback_count(self, count: int) -> None:
        self.feedback_badge.setText(str(count))
        self.feedback_badge.setVisible(count > 0)
        self.feedback_badge.adjustSize()
        self.tabs.setTabText(FEEDBACK_TAB, "Feedback")
        self.tabs.tabBar().setAccessibleName(f"Narrative and feedback, {count} "
                                             f"note{'s' if count != 1 else ''}")

    def _on_header_link(self, link: str) -> None:
        if link == EARLIER_ATTEMPT_LINK and self._previous_id:
            self.earlier_attempt_requested.emit(self._previous_id)

    def selected_item(self) -> EvidenceItem | None:
        if self.evidence.currentRow() < 0:
            return None
        item: EvidenceItem = self.evidence.currentItem().data(Qt.ItemDataRole.UserRole)
        return item

    def select_evidence(self, evidence_id: str) -> bool:
        """Select the item with ``evidence_id`` in the list (which shows it)."""
        for row in range(self.evidence.count()):
            item: EvidenceItem = self.evidence.item(row).data(Qt.ItemDataRole.UserRole)
            if item.id == evidence_id:
                self.evidence.setCurrentRow(row)
                return True
        return False

    def _on_evidence_changed(self, current: QListWidgetItem | None, _prev: object) -> None:
        self.evidence_selected.emit(
            None if current is None else current.data(Qt.ItemDataRole.UserRole))


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("caption")
    return label


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
