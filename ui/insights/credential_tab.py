"""Credential tab: pick a credential; the pass rate of each criterion across the cohort."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QWidget

from assessor.store import insights
from assessor.store.insights import CredentialSummary, CriterionRates, Source
from ui.insights.charts import pass_rate_chart
from ui.insights.tab import InsightsTab
from ui.tasks import TaskRunner


class CredentialTab(InsightsTab):
    def __init__(self, runner: TaskRunner, source: Callable[[], Source],
                 parent: QWidget | None = None, *, assessor_id: str | None = None,
                 template_id: str | None = None) -> None:
        super().__init__(runner, "Credential", parent)
        self._source = source
        self._assessor_id = assessor_id
        self._wanted = template_id
        self.rates: CriterionRates | None = None
        label = QLabel("&Credential:")
        self.credentials = QComboBox()
        self.credentials.setAccessibleName("Credential")
        self.credentials.setAccessibleDescription("The credential whose pass rates are shown")
        self.credentials.setMinimumContentsLength(24)
        label.setBuddy(self.credentials)
        self.mine = QCheckBox("Only submissions I judged")
        self.mine.setAccessibleName("Only submissions I judged")
        self.mine.setToolTip("Count only your own judgments (your cohort); untick to count "
                             "every judgment in this store")
        self.mine.setChecked(assessor_id is not None)
        self.mine.setEnabled(assessor_id is not None)
        self.decided = QCheckBox("Decided only")
        self.decided.setAccessibleName("Decided submissions only")
        self.decided.setToolTip("Leave out submissions still pending or in review, whose "
                                "judgments may change")
        for widget in (label, self.credentials, self.mine, self.decided):
            self.controls.addWidget(widget)
        self.finish_layout()
        self.credentials.currentIndexChanged.connect(self.refresh)
        self.mine.toggled.connect(self.refresh)
        self.decided.toggled.connect(self.refresh)

    def start(self) -> None:
        self.request(lambda: insights.credentials(self._source()), self._show_credentials)

    def _show_credentials(self, found: list[CredentialSummary]) -> None:
        self.credentials.blockSignals(True)
        self.credentials.clear()
        for summary in found:
            self.credentials.addItem(
                f"{summary.name} ({summary.submissions} submission"
                f"{'s' if summary.submissions != 1 else ''})", summary.template_id)
        wanted = self.credentials.findData(self._wanted) if self._wanted else -1
        self.credentials.setCurrentIndex(max(wanted, 0))
        self.credentials.blockSignals(False)
        if not found:
            self.table.setRowCount(0)
            self.show_message("No credentials in this store yet",
                              "Sync with your hub (or open the demo organisation) to bring in "
                              "credential templates and submissions.")
            return
        self.refresh()

    def select_credential(self, template_id: str) -> None:
        self._wanted = template_id
        index = self.credentials.findData(template_id)
        if index >= 0:
            self.credentials.setCurrentIndex(index)

    def selected_credential(self) -> str | None:
        data = self.credentials.currentData()
        return None if data is None else str(data)

    def refresh(self, *_args: object) -> None:
        template_id = self.selected_credential()
        if template_id is None:
            return
        self._wanted = template_id
        assessor = self._assessor_id if self.mine.isChecked() else None
        decided = self.decided.isChecked()
        self.request(lambda: insights.credential_pass_rates(
            self._source(), template_id, assessor_id=assessor, decided_only=decided),
            self._show_rates)

    def _show_rates(self, rates: CriterionRates) -> None:
        self.rates = rates
        self.fill_table(
            ("Criterion", "Required", "Met pass level", "Judged", "Pass rate"),
            [[r.title, "Yes" if r.required else "Optional", (str(r.met), r.met),
              (str(r.judged), r.judged),
              ("–" if r.rate is None else f"{r.rate:.0%}", r.rate)]
             for r in rates.criteria],
            numeric=(2, 3, 4))
        if rates.submissions == 0:
            whose = "you have judged" if rates.assessor_id else "judged"
            self.show_message("No judged submissions for this credential yet",
                              f"Pass rates appear once submissions for {rates.credential_name} "
                              f"are {whose}"
                              + (" and decided." if self.decided.isChecked() else "."))
            return
        cohort = "your judgments" if rates.assessor_id else "all judgments in this store"
        self.status.setText(f"{rates.submissions} judged submission"
                            f"{'s' if rates.submissions != 1 else ''} · {cohort}")
        description = "; ".join(
            f"{r.title}: {r.met} of {r.judged} met the pass level" for r in rates.criteria)
        self.show_charts([pass_rate_chart(rates)], [description])

    def show_message(self, title: str, body: str = "") -> None:
        super().show_message(title, body)
        if not self.loading:
            self.status.clear()

    def export_name(self) -> str:
        name = self.rates.credential_name if self.rates else "credential"
        return f"insights-pass-rates-{name}"
