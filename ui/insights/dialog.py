"""InsightsDialog: performance charts in a non-modal window (Learner, Credential, Agreement).

``open_insights(parent, workstation)`` is the one entry point: it shows the parent's dialog
(creating it on first use) and returns it. The dialog paints at once; every query runs on a
worker and fills its tab when it answers.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from ui.insights.agreement_tab import AgreementTab, SecondMarks
from ui.insights.credential_tab import CredentialTab
from ui.insights.learner_tab import LearnerTab
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from assessor.store.insights import Source
    from assessor.workstation import Workstation

log = logging.getLogger(__name__)


class InsightsDialog(QDialog):
    def __init__(self, workstation: Workstation, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None, second_marks: SecondMarks | None = None,
                 learner_id: str | None = None, template_id: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Insights")
        self.setObjectName("insightsDialog")
        self.setAccessibleName("Insights")
        self.setAccessibleDescription("Criteria history per learner, pass rates per "
                                      "credential and inter-rater agreement")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1080, 760)
        self.runner = runner or TaskRunner(self)
        store_file = workstation.paths.store

        def source() -> Source:
            return store_file

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Insights views")
        self.tabs.setDocumentMode(True)
        self.learner = LearnerTab(self.runner, source, learner_id=learner_id)
        self.credential = CredentialTab(self.runner, source,
                                        assessor_id=_assessor_id(workstation),
                                        template_id=template_id)
        self.agreement = AgreementTab(self.runner, source, second_marks)
        self.tabs.addTab(self.learner, "&Learner")
        self.tabs.addTab(self.credential, "&Credential")
        self.tabs.addTab(self.agreement, "&Agreement")
        self.tabs.setTabToolTip(0, "A learner's criteria across attempts and credentials")
        self.tabs.setTabToolTip(1, "Pass rate of each criterion across the cohort")
        self.tabs.setTabToolTip(2, "Agreement between assessor and moderator per criterion")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(
            "Close insights")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 8)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        for tab in (self.learner, self.credential, self.agreement):
            tab.start()

    def refresh(self) -> None:
        """Ask every tab again (the store may have changed since it opened)."""
        self.learner.refresh_learners()
        self.credential.refresh()
        self.agreement.start()


def open_insights(parent: QWidget, workstation: Workstation, *,
                  runner: TaskRunner | None = None, second_marks: SecondMarks | None = None,
                  learner_id: str | None = None,
                  template_id: str | None = None) -> InsightsDialog:
    """Show the insights window of ``parent`` (one per parent, created on first use) and
    bring it to the front; ``learner_id`` / ``template_id`` choose what the tabs show."""
    dialog = parent.findChild(InsightsDialog, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if dialog is None:
        dialog = InsightsDialog(workstation, parent, runner=runner, second_marks=second_marks,
                                learner_id=learner_id, template_id=template_id)
        dialog.show()
        return dialog
    dialog.refresh()
    if learner_id is not None:
        dialog.learner.select_learner(learner_id)
    if template_id is not None:
        dialog.credential.select_credential(template_id)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def _assessor_id(workstation: Workstation) -> str | None:
    """The signed-in assessor, whose cohort the Credential tab shows first."""
    try:
        actor = workstation.actor
    except Exception:  # unreadable settings: show everyone's figures rather than fail
        log.warning("insights: the signed-in user could not be read", exc_info=True)
        return None
    return actor.user_id if actor.role == "assessor" else None
