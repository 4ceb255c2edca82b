"""ChartPanel: one or more charts, or a message in their place (loading, empty, error)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assessor.errors import UserFacingError
from ui.insights.theme import style_chart

CHART_HEIGHT = 300
"""Least height of each chart when there are several (one chart fills the panel)."""
COLUMNS = 2
"""Several charts are laid out in this many columns, scrolling down when they do not fit."""


class MessageState(QWidget):
    """A centred title and a line of explanation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("insightsEmptyTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.body = QLabel()
        self.body.setObjectName("insightsEmptyBody")
        self.body.setWordWrap(True)
        self.body.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, any theme
        for label in (self.title, self.body):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)

    def show_message(self, title: str, body: str) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.setAccessibleName(title)
        self.setAccessibleDescription(body)


class ChartPanel(QStackedWidget):
    """Shows charts (stacked vertically, scrolling when they do not fit) or a message."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.message = MessageState()
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        self.content = QWidget()
        self.content.setAccessibleName(f"{name}: charts")
        self._layout = QGridLayout(self.content)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.scroller.setWidget(self.content)
        self.addWidget(self.message)
        self.addWidget(self.scroller)
        self.views: list[QChartView] = []
        self.setMinimumHeight(240)

    @property
    def charts(self) -> list[QChart]:
        return [view.chart() for view in self.views]

    @property
    def showing_charts(self) -> bool:
        return self.currentWidget() is self.scroller and bool(self.views)

    def show_message(self, title: str, body: str = "") -> None:
        self._clear()
        self.message.show_message(title, body)
        self.setCurrentWidget(self.message)

    def show_charts(self, charts: list[QChart], descriptions: list[str]) -> None:
        """Show ``charts``; each description is the accessible text of its chart."""
        self._clear()
        for chart, description in zip(charts, descriptions, strict=True):
            style_chart(chart, self.palette())
            view = QChartView(chart)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setAccessibleName(chart.title())
            view.setAccessibleDescription(description)
            view.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            if len(charts) > 1:
                view.setMinimumHeight(CHART_HEIGHT)
            index = len(self.views)
            self._layout.addWidget(view, index // COLUMNS, index % COLUMNS)
            self.views.append(view)
        self.setCurrentWidget(self.scroller)

    def restyle(self) -> None:
        for view in self.views:
            style_chart(view.chart(), self.palette())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        """Follow the OS switching between light and dark (the palette reaches this panel
        after its parents, so the charts are restyled here)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.restyle()

    def grab_charts(self) -> QPixmap:
        if not self.showing_charts:
            raise UserFacingError("There is no chart to export yet.")
        if len(self.views) == 1:
            return self.views[0].grab()
        return self.content.grab()

    def save_png(self, path: Path) -> Path:
        """Write the charts as shown to ``path`` (a PNG); raises ``UserFacingError``."""
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        pixmap = self.grab_charts()
        if pixmap.isNull() or not pixmap.save(str(path), "PNG"):
            raise UserFacingError(f"The chart could not be saved to {path}: check that the "
                                  "folder exists and you may write to it.")
        return path

    def _clear(self) -> None:
        for view in self.views:
            self._layout.removeWidget(view)
            view.deleteLater()
        self.views = []
