"""InsightsTab: what every insights tab shares — a control row with Export PNG…, a chart
panel above a table, and queries run on a worker with stale answers dropped."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import shiboken6

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assessor.errors import UserFacingError
from ui import messages
from ui.insights.chart_panel import ChartPanel
from ui.tasks import TaskRunner

Cell = str | tuple[str, Any]
"""A table cell: its text, or its text and a value to sort by."""


class InsightsTab(QWidget):
    """Signals:
        loaded: a query finished and its result (or its empty state) is on screen.
    """

    loaded = Signal()

    def __init__(self, runner: TaskRunner, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._name = name
        self._token = 0
        self.loading = False
        self.controls = QHBoxLayout()
        self.controls.setSpacing(8)
        self.export_button = QPushButton("Export PNG…")
        self.export_button.setAccessibleName(f"Export the {name.lower()} chart as PNG")
        self.export_button.setToolTip("Save the chart as shown to a PNG image")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.ask_export)
        self.panel = ChartPanel(f"{name} chart")
        self.table = QTableWidget()
        self.table.setAccessibleName(f"{name} figures")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.panel)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.status = QLabel()
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)

    def finish_layout(self, side: QWidget | None = None, *, stretch: bool = True) -> None:
        """Lay out the control row (filled by the subclass) above the charts and table,
        with ``side`` (a picker list) on the left if given."""
        if stretch:
            self.controls.addStretch(1)
        self.controls.addWidget(self.status)
        self.controls.addWidget(self.export_button)
        main = QVBoxLayout()
        main.setContentsMargins(0, 0, 0, 0)
        main.addLayout(self.controls)
        main.addWidget(self.splitter, 1)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(10, 10, 10, 10)
        outer.setSpacing(10)
        if side is not None:
            outer.addWidget(side)
        outer.addLayout(main, 1)
        self.splitter.setSizes([520, 220])

    # -- queries ----------------------------------------------------------------------

    def request(self, fn: Callable[[], Any], on_result: Callable[[Any], None],
                loading_text: str = "Loading…") -> None:
        """Run ``fn`` on a worker and hand its result to ``on_result``, unless a newer
        request was made in the meantime."""
        self._token += 1
        token = self._token
        self.loading = True
        self.show_message(loading_text)
        self.runner.run(fn, lambda value: self._deliver(token, on_result, value),
                        lambda exc: self._fail(token, exc))

    def _deliver(self, token: int, on_result: Callable[[Any], None], value: Any) -> None:
        if token != self._token or not shiboken6.isValid(self):
            return
        self.loading = False
        on_result(value)
        self.loaded.emit()

    def _fail(self, token: int, exc: Exception) -> None:
        if token != self._token or not shiboken6.isValid(self):
            return
        self.loading = False
        if isinstance(exc, UserFacingError):
            self.show_message("Nothing to show", str(exc))
        else:
            self.show_message("Could not load these figures", f"{type(exc).__name__}: {exc}")
            messages.show_error(self, exc, title="Insights")
        self.loaded.emit()

    # -- what is shown ----------------------------------------------------------------

    def show_message(self, title: str, body: str = "") -> None:
        self.panel.show_message(title, body)
        self.export_button.setEnabled(False)

    def show_charts(self, charts: Sequence[Any], descriptions: Sequence[str]) -> None:
        self.panel.show_charts(list(charts), list(descriptions))
        self.export_button.setEnabled(True)

    def fill_table(self, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
                   numeric: Sequence[int] = (), stretch: int = 0) -> None:
        """Fill the table; columns in ``numeric`` are right-aligned, column ``stretch``
        takes the spare width."""
        self.table.setSortingEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                text, key = (cell, None) if isinstance(cell, str) else cell
                item = QTableWidgetItem(text)
                if key is not None:
                    item.setData(Qt.ItemDataRole.UserRole, key)
                if c in numeric:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def table_text(self) -> list[list[str]]:
        """The table's cells as shown (for tests and copy)."""
        out = []
        for r in range(self.table.rowCount()):
            items = (self.table.item(r, c) for c in range(self.table.columnCount()))
            out.append(["" if item is None else item.text() for item in items])
        return out

    # -- export -----------------------------------------------------------------------

    def export_name(self) -> str:
        return f"insights-{self._name.lower()}"

    def ask_export(self) -> None:
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation) or str(Path.home())
        suggested = str(Path(folder) / f"{_slug(self.export_name())}.png")
        chosen, _ = QFileDialog.getSaveFileName(self, "Export chart as PNG", suggested,
                                                "PNG image (*.png)")
        if chosen:
            try:
                saved = self.save_png(Path(chosen))
            except UserFacingError as exc:
                messages.show_error(self, exc, title="Export PNG")
            else:
                self.status.setText(f"Saved {saved.name}")

    def save_png(self, path: Path) -> Path:
        """Save the chart as shown to ``path``; returns the file written."""
        return self.panel.save_png(path)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"
