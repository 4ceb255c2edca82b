"""The insights charts, built from the core's plain values (no store access here)."""

from __future__ import annotations

import math

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt

from assessor.store.insights import AgreementReport, CredentialHistory, CriterionRates


def attempt_label(attempt: int) -> str:
    return f"Attempt {attempt}"


def learner_chart(history: CredentialHistory, learner_name: str) -> QChart:
    """Grouped bars: one group per attempt, one bar per criterion (its weighted points)."""
    chart = _chart(f"{history.credential_name} — {learner_name}")
    series = QBarSeries()
    for info in history.criteria:
        bar_set = QBarSet(info.title)
        for points in history.points(info.key):
            bar_set.append(0.0 if points is None else points)
        series.append(bar_set)
    _bar_labels(series, "@value", width=0.5 if len(history.attempts) == 1 else 0.75)
    chart.addSeries(series)
    categories = [attempt_label(a.attempt) for a in history.attempts]
    _category_axis(chart, series, categories, Qt.AlignmentFlag.AlignBottom)
    top = max((c.max_points for c in history.criteria), default=1.0)
    _value_axis(chart, series, 0.0, top * 1.12, "Points", "%g", Qt.AlignmentFlag.AlignLeft,
                interval=1.0 if top <= 10 else float(math.ceil(top / 8)))
    return chart


def pass_rate_chart(rates: CriterionRates) -> QChart:
    """Horizontal bars: the share of judged submissions meeting each criterion's pass
    level, the first criterion on top, with n in the labels."""
    chart = _chart(f"{rates.credential_name}: pass rate per criterion")
    series = QHorizontalBarSeries()
    bar_set = QBarSet("Met the pass level")
    for rate in reversed(rates.criteria):
        bar_set.append(0.0 if rate.rate is None else round(rate.rate * 100, 1))
    series.append(bar_set)
    _bar_labels(series, "@value%", width=0.6 if len(rates.criteria) > 2 else 0.45)
    chart.addSeries(series)
    chart.legend().setVisible(False)
    categories = [f"{r.title}  (n={r.judged})"
                  for r in reversed(rates.criteria)]
    _category_axis(chart, series, categories, Qt.AlignmentFlag.AlignLeft)
    _value_axis(chart, series, 0.0, 109.0, "Judged submissions at or above the pass level",
                "%d%%", Qt.AlignmentFlag.AlignBottom, interval=20.0)
    return chart


def agreement_chart(report: AgreementReport) -> QChart:
    """Grouped bars per criterion: exact agreement (as a share) and Cohen's kappa."""
    chart = _chart("Assessor and moderator agreement per criterion")
    series = QBarSeries()
    exact = QBarSet("Exact agreement (share)")
    kappa = QBarSet("Cohen's κ")
    for row in report.criteria:
        exact.append(round(row.agreement.exact or 0.0, 2))
        kappa.append(round(row.agreement.kappa or 0.0, 2))
    series.append(exact)
    series.append(kappa)
    _bar_labels(series, "@value", width=0.6)
    chart.addSeries(series)
    categories = [f"{r.title} (n={r.agreement.n})" for r in report.criteria]
    _category_axis(chart, series, categories, Qt.AlignmentFlag.AlignBottom)
    lowest = min((r.agreement.kappa or 0.0 for r in report.criteria), default=0.0)
    bottom = -1.1 if lowest < -0.5 else (-0.6 if lowest < 0 else 0.0)
    _value_axis(chart, series, bottom, 1.12, "Share agreeing / κ", "%.2f",
                Qt.AlignmentFlag.AlignLeft, interval=0.25)
    return chart


def bar_values(chart: QChart) -> dict[str, list[float]]:
    """``{bar set label: values}`` of a chart's bar series (for tests and exports)."""
    out: dict[str, list[float]] = {}
    for series in chart.series():
        if isinstance(series, QAbstractBarSeries):
            for bar_set in series.barSets():
                out[bar_set.label()] = [bar_set.at(i) for i in range(bar_set.count())]
    return out


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(8, 8, 8, 8))
    legend = chart.legend()
    legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
    legend.setShowToolTips(True)  # a label cut short in a narrow chart shows in full on hover
    return chart


def _bar_labels(series: QAbstractBarSeries, fmt: str, *, width: float) -> None:
    series.setLabelsVisible(True)
    series.setLabelsFormat(fmt)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsPrecision(4)
    series.setBarWidth(width)


def _category_axis(chart: QChart, series: QAbstractBarSeries, categories: list[str],
                   where: Qt.AlignmentFlag) -> None:
    axis = QBarCategoryAxis()
    axis.append(categories)
    axis.setGridLineVisible(False)
    chart.addAxis(axis, where)
    series.attachAxis(axis)


def _value_axis(chart: QChart, series: QAbstractBarSeries, low: float, high: float, title: str,
                fmt: str, where: Qt.AlignmentFlag, *, interval: float) -> None:
    """A value axis from ``low`` to ``high`` with ticks every ``interval`` from 0: the range
    may run a little past the last tick, leaving room for the bars' labels."""
    axis = QValueAxis()
    axis.setRange(low, high)
    axis.setLabelFormat(fmt)
    axis.setTitleText(title)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0.0)
    axis.setTickInterval(interval)
    axis.setMinorTickCount(0)
    chart.addAxis(axis, where)
    series.attachAxis(axis)
