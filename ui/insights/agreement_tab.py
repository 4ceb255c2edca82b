"""Agreement tab: exact agreement and Cohen's kappa per criterion, between the assessor's
judgments and a moderator's blind second marking."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from assessor.domain.agreement import KAPPA_GUIDE, Agreement, CriterionMark
from assessor.store import insights
from assessor.store.insights import AgreementReport, Source
from ui.insights.charts import agreement_chart
from ui.insights.tab import InsightsTab
from ui.tasks import TaskRunner

SecondMarks = Callable[[], Sequence[CriterionMark]]
"""Where the moderator's blind second marks come from (called on a worker thread)."""


class AgreementTab(InsightsTab):
    def __init__(self, runner: TaskRunner, source: Callable[[], Source],
                 second_marks: SecondMarks | None, parent: QWidget | None = None) -> None:
        super().__init__(runner, "Agreement", parent)
        self._source = source
        self._second_marks = second_marks
        self.report: AgreementReport | None = None
        self.guide = QLabel(KAPPA_GUIDE)
        self.guide.setAccessibleName("How to read kappa")
        self.guide.setWordWrap(True)
        self.guide.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.controls.addWidget(self.guide, 1)
        self.finish_layout(stretch=False)

    def start(self) -> None:
        marks = self._second_marks
        if marks is None:
            self._show_nothing_yet()
            self.loaded.emit()
            return
        self.request(lambda: insights.agreement_report(self._source(), marks()),
                     self._show_report)

    def _show_nothing_yet(self) -> None:
        self.table.setRowCount(0)
        self.show_message("No second marking yet",
                          "When a moderator second-marks sampled decisions blind, agreement "
                          "with the assessor's judgments appears here, criterion by "
                          "criterion.")

    def _show_report(self, report: AgreementReport) -> None:
        self.report = report
        rows = [_row(r.title, r.agreement) for r in report.criteria]
        if report.criteria:
            rows.append(_row("All criteria", report.overall))
        self.fill_table(("Criterion", "Pairs", "Exact agreement", "Cohen's κ", "Reading"),
                        rows, numeric=(1, 2, 3))
        if not report.criteria:
            self._show_nothing_yet()
            return
        overall = report.overall
        self.status.setText(f"{overall.n} paired marks · overall κ {_kappa(overall.kappa)}")
        description = "; ".join(
            f"{r.title}: exact agreement {_share(r.agreement.exact)}, kappa "
            f"{_kappa(r.agreement.kappa)} over {r.agreement.n} pairs" for r in report.criteria)
        self.show_charts([agreement_chart(report)], [description])

    def export_name(self) -> str:
        return "insights-agreement"


def _row(title: str, agreement: Agreement) -> list[str | tuple[str, object]]:
    return [title, (str(agreement.n), agreement.n),
            (_share(agreement.exact), agreement.exact),
            (_kappa(agreement.kappa), agreement.kappa), agreement.reading.capitalize()]


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _kappa(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
