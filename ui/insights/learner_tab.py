"""Learner tab: pick a learner; each criterion's points across attempts, per credential."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from assessor.store import insights
from assessor.store.insights import LearnerHistory, LearnerSummary, Source
from ui.insights.charts import learner_chart
from ui.insights.tab import InsightsTab
from ui.tasks import TaskRunner

SEARCH_LIMIT = 200


class LearnerTab(InsightsTab):
    def __init__(self, runner: TaskRunner, source: Callable[[], Source],
                 parent: QWidget | None = None, *, learner_id: str | None = None) -> None:
        super().__init__(runner, "Learner", parent)
        self._source = source
        self._wanted = learner_id
        self.history: LearnerHistory | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search learners…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search learners by name or id")
        self.learners = QListWidget()
        self.learners.setAccessibleName("Learners")
        self.learners.setSpacing(2)
        self.learners.setAccessibleDescription("Choose a learner to see their criteria "
                                               "history across attempts and credentials")
        self.found = QLabel()
        self.found.setWordWrap(True)
        self.found.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        side = QWidget()
        side.setMaximumWidth(230)
        side.setMinimumWidth(180)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.learners, 1)
        column.addWidget(self.found)
        self.heading = QLabel()
        self.heading.setAccessibleName("Learner shown")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.controls.addWidget(self.heading)
        self.finish_layout(side)
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.refresh_learners)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.learners.currentItemChanged.connect(self._on_learner_changed)
        self._list_token = 0

    def start(self) -> None:
        self.refresh_learners()

    def refresh_learners(self) -> None:
        text = self.search.text()
        self._list_token += 1
        token = self._list_token
        self.runner.run(lambda: insights.learners(self._source(), text, limit=SEARCH_LIMIT),
                        lambda found: self._show_learners(token, found),
                        lambda exc: self._show_learners_failed(token, exc))

    def _show_learners(self, token: int, found: list[LearnerSummary]) -> None:
        if token != self._list_token or not shiboken6.isValid(self):
            return
        current = self.selected_learner() or self._wanted
        self.learners.blockSignals(True)
        self.learners.clear()
        chosen_row = 0
        for row, learner in enumerate(found):
            attempts = f"{learner.submissions} submission{'s' if learner.submissions != 1 else ''}"
            item = QListWidgetItem(f"{learner.name}\n{attempts}")
            item.setData(Qt.ItemDataRole.UserRole, learner.id)
            item.setToolTip(learner.id)
            self.learners.addItem(item)
            if learner.id == current:
                chosen_row = row
        self.learners.blockSignals(False)
        if len(found) >= SEARCH_LIMIT:
            self.found.setText(f"Showing the first {SEARCH_LIMIT}: type to narrow the list.")
        else:
            self.found.setText(f"{len(found)} learner{'s' if len(found) != 1 else ''}")
        if not found:
            self.history = None
            self.table.setRowCount(0)
            self.heading.clear()
            if self.search.text().strip():
                self.show_message("No learner matches this search",
                                  "Search by part of a learner's name or id.")
            else:
                self.show_message("No learners in this store yet",
                                  "Sync with your hub (or open the demo organisation) to "
                                  "bring in submissions.")
            self.loaded.emit()
            return
        self.learners.setCurrentRow(chosen_row)
        if self.selected_learner() == current and self.history is not None and (
                self.history.learner_id == current):
            return
        self._on_learner_changed()

    def _show_learners_failed(self, token: int, exc: Exception) -> None:
        if token == self._list_token and shiboken6.isValid(self):
            self._fail(self._token, exc)

    def selected_learner(self) -> str | None:
        item = self.learners.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def select_learner(self, learner_id: str) -> None:
        """Show ``learner_id`` (searched for if the list does not hold it)."""
        self._wanted = learner_id
        for row in range(self.learners.count()):
            if self.learners.item(row).data(Qt.ItemDataRole.UserRole) == learner_id:
                self.learners.setCurrentRow(row)
                return
        self.search.setText(learner_id)

    def _on_learner_changed(self, *_args: object) -> None:
        learner_id = self.selected_learner()
        if learner_id is None:
            return
        self._wanted = learner_id
        self.request(lambda: insights.learner_history(self._source(), learner_id),
                     self._show_history)

    def _show_history(self, history: LearnerHistory) -> None:
        self.history = history
        self.heading.setText(history.learner_name)
        rows: list[list[str | tuple[str, object]]] = []
        for credential in history.credentials:
            for attempt in credential.attempts:
                for result in attempt.results:
                    rows.append([
                        credential.credential_name,
                        (str(attempt.attempt), attempt.attempt),
                        attempt.state.label,
                        result.title,
                        result.level_name or "Not judged",
                        ("–" if result.points is None
                         else f"{result.points:g} of {result.max_points:g}",
                         result.points),
                        _met_text(result.met, result.required),
                    ])
        self.fill_table(("Credential", "Attempt", "State", "Criterion", "Level", "Points",
                         "Pass level"), rows, numeric=(1, 5), stretch=6)
        if not history.judged:
            self.show_message(f"No judged criteria for {history.learner_name} yet",
                              "Their submissions are listed below; the chart appears once "
                              "a criterion has a level.")
            return
        charts = [learner_chart(c, history.learner_name) for c in history.credentials]
        descriptions = [_describe(c) for c in history.credentials]
        self.show_charts(charts, descriptions)

    def export_name(self) -> str:
        name = self.history.learner_name if self.history else "learner"
        return f"insights-learner-{name}"


def _met_text(met: bool | None, required: bool) -> str:
    if met is None:
        return "–"
    text = "Met" if met else "Not met"
    return text if required else f"{text} (optional)"


def _describe(history: insights.CredentialHistory) -> str:
    parts = []
    for info in history.criteria:
        points = ", ".join("not judged" if p is None else f"{p:g}"
                           for p in history.points(info.key))
        parts.append(f"{info.title}: {points}")
    return (f"Points per criterion across {len(history.attempts)} attempt(s) at "
            f"{history.credential_name}. " + "; ".join(parts) + ".")
