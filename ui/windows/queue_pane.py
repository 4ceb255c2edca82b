"""QueuePane: filters, counts and the lazy submission table, with helpful empty states.

The first screen needs only the first rows: the pane paints them without touching Qt's
``Qt`` namespace (PySide builds its 93 enum classes on first use, a fifth of a bare
window's start-up) and ``finish_loading`` adds, right after the first paint, what needs
it: sorting from the header, the filter menus' counts and the credentials.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assessor.domain.states import State
from assessor.store.queue import DueFilter, QueueFilter, QueueReader, QueueSort
from ui.models.submission_table import (
    COLUMN_FOR_SORT,
    SUBMISSION_ID_ROLE,
    Column,
    SubmissionTableModel,
)

_ACTIVE = (State.PENDING, State.IN_REVIEW, State.AWAITING_MODERATION, State.APPROVED)
_CELL_PADDING = 14
"""A cell's text margins and the sort arrow's room, in pixels."""


def compact_column_widths(metrics: QFontMetrics) -> dict[Column, int]:
    """Default column widths that fit learner, credential, attempt, due and state in a
    narrow queue: names and credentials are elided ("Engaging Stake…"), dates and states
    fit whole. A remembered header (the user's own widths) replaces these."""
    def fits(*texts: str) -> int:
        return max(metrics.horizontalAdvance(t) for t in texts) + _CELL_PADDING

    return {Column.LEARNER: fits("Dmitri Petrović"),
            Column.CREDENTIAL: fits("Engaging Stakeh…"),
            Column.ATTEMPT: fits("Attempt"),
            Column.DUE: fits("18 Dec 2026", "12 days ago"),
            Column.STATE: fits("In review", "Approved", "Published")}


class QueueTable(QTableView):
    """Signals:
        first_painted(): the table has just painted itself (its rows) for the first time.
    """

    first_painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._painted = False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()


class EmptyState(QWidget):
    """A centred title, explanation and optional action button."""

    def __init__(self, title: str, text: str, action: str | None = None,
                 parent: QWidget | None = None) -> None:
        from PySide6.QtCore import Qt

        from ui.style import apply_style

        super().__init__(parent)
        apply_style(self)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        heading = QLabel(title)
        heading.setObjectName("emptyTitle")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QLabel(text)
        self.body.setObjectName("emptyBody")
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(heading)
        layout.addWidget(self.body)
        self.button: QPushButton | None = None
        if action:
            self.button = QPushButton(action)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.button)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addStretch(2)


class QueuePane(QWidget):
    """Signals:
        submission_selected(str): the current submission changed (its id; "" for none).
        demo_requested(): the user asked for demo submissions from the empty state.
    """

    submission_selected = Signal(str)
    demo_requested = Signal()

    def __init__(self, reader: QueueReader, *, sort: QueueSort = QueueSort.DUE,
                 descending: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._sort = sort
        self._descending = descending
        self._total = 0
        self._overdue = 0
        self._loaded = False
        self._empty_store: EmptyState | None = None
        self._no_match: EmptyState | None = None

        self.search = QLineEdit(placeholderText="Search learner, credential or e-mail  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the queue")
        self.search.setAccessibleDescription("Filters the queue by learner, credential or "
                                             "e-mail as you type")
        self.state_filter = QComboBox()
        self.state_filter.setToolTip("Show submissions in one state")
        self.state_filter.setAccessibleName("State filter")
        self.credential_filter = QComboBox()
        self.credential_filter.setToolTip("Show one credential")
        self.credential_filter.setAccessibleName("Credential filter")
        self.due_filter = QComboBox()
        self.due_filter.setAccessibleName("Due date filter")
        self.due_filter.addItem("Any due date", DueFilter.ANY)
        self.due_filter.addItem("Overdue", DueFilter.OVERDUE)
        self.due_filter.addItem("Due this week", DueFilter.DUE_THIS_WEEK)
        self.counts = QLabel()
        self.counts.setObjectName("queueCounts")

        self.model = SubmissionTableModel(parent=self)
        self.table = QueueTable()
        self.table.setAccessibleName("Submission queue")
        self.table.setAccessibleDescription("Submissions to review; Enter or a click opens one")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setModel(self.model.header_labels(self))  # see SubmissionTableModel
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header.setStretchLastSection(True)
        for column, width in compact_column_widths(QFontMetrics(self.table.font())).items():
            header.resizeSection(column, width)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)

        filters = QHBoxLayout()
        filters.addWidget(self.state_filter, 2)
        filters.addWidget(self.credential_filter, 2)
        filters.addWidget(self.due_filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 4)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.counts)

        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(self._debounce.start)
        self._total = -1  # unknown until the first (unfiltered) view is read
        self.fill_filter_choices(with_counts=False)
        for combo in (self.state_filter, self.credential_filter, self.due_filter):
            combo.currentIndexChanged.connect(self.reload)
        self.model.sort_requested.connect(self._on_sort_requested)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.reload()

    # -- after the first paint --------------------------------------------------------

    def finish_loading(self) -> None:
        """Sorting from the header, and the filter menus' counts. Runs once."""
        if self._loaded:
            return
        self._loaded = True
        from PySide6.QtCore import Qt

        order = Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(COLUMN_FOR_SORT[self._sort], order)
        self.table.setSortingEnabled(True)  # asks for the order already shown: no reload
        self.fill_filter_choices()
        self._update_counts()

    @property
    def empty_store(self) -> EmptyState:
        """Shown when the store holds no submissions (built on first use)."""
        if self._empty_store is None:
            self._empty_store = EmptyState(
                "No submissions yet",
                "Submissions assigned to you appear here once you sync with your "
                "organisation's hub. To look around first, load the demo organisation's "
                "sample submissions.",
                "Load demo submissions",
            )
            assert self._empty_store.button is not None
            self._empty_store.button.clicked.connect(self.demo_requested)
            self.stack.addWidget(self._empty_store)
        return self._empty_store

    @property
    def no_match(self) -> EmptyState:
        """Shown when no submission matches the search and filters (built on first use)."""
        if self._no_match is None:
            self._no_match = EmptyState("No submissions match",
                                        "Change the search or the filters.", "Clear filters")
            assert self._no_match.button is not None
            self._no_match.button.clicked.connect(self.clear_filters)
            self.stack.addWidget(self._no_match)
        return self._no_match

    def sort_order(self) -> tuple[QueueSort, bool]:
        """The queue's order: what it is sorted by, and whether descending."""
        return self._sort, self._descending

    # -- filters ----------------------------------------------------------------------

    def fill_filter_choices(self, *, with_counts: bool = True) -> None:
        """Refill the filter menus; with counts per state and the credentials once the store
        is counted.

        The first screen is painted without them (the counts read every row's state); they
        arrive right after it.
        """
        counts: dict[State, int] | None = None
        if with_counts:
            counts = self._reader.counts()
            self._total = sum(counts.values())
            self._overdue = self._reader.overdue_count()

        def label(text: str, n: int | None) -> str:
            return text if n is None else f"{text} ({n:,})"

        current_state = self.state_filter.currentData()
        current_credential = self.credential_filter.currentData()
        for combo in (self.state_filter, self.credential_filter):
            combo.blockSignals(True)
            combo.clear()
        self.state_filter.addItem(label("All states", self._total if counts else None), None)
        self.state_filter.addItem(
            label("Open work", sum(counts[s] for s in _ACTIVE) if counts else None), "active")
        for state in State:
            self.state_filter.addItem(label(state.label, counts[state] if counts else None),
                                      state.value)
        self.credential_filter.addItem("All credentials", None)
        for template_id, name in self._reader.credentials() if with_counts else ():
            self.credential_filter.addItem(name, template_id)
        for combo, value in ((self.state_filter, current_state),
                             (self.credential_filter, current_credential)):
            found = combo.findData(value)
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)

    def current_filter(self) -> QueueFilter:
        state = self.state_filter.currentData()
        if state == "active":
            states = frozenset(_ACTIVE)
        elif state:
            states = frozenset({State(state)})
        else:
            states = frozenset()
        return QueueFilter(
            text=self.search.text(),
            states=states,
            template_id=self.credential_filter.currentData(),
            due=DueFilter(self.due_filter.currentData() or DueFilter.ANY),
        )

    def clear_filters(self) -> None:
        for combo in (self.state_filter, self.credential_filter, self.due_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.reload()

    # -- content ----------------------------------------------------------------------

    def reload(self) -> None:
        """Show the current filter and order; keep the selection if it is still shown."""
        if self._reader.closed:
            return  # the workstation closed; a late signal (a timer, teardown) changes nothing
        selected = self.selected_id()
        self.model.set_view(self._view())
        if self._total < 0:  # the first view shows everything: its size is the total
            self._total = self.model.rowCount()
        self._update_counts()
        if selected:
            self.select_id(selected)

    def refresh(self) -> None:
        """The store changed (a judgment, new submissions): re-read rows and counts."""
        if self._reader.closed:
            return
        selected = self.selected_id()
        self.model.refresh(self._view())
        self.fill_filter_choices()
        self._update_counts()
        if selected and self.selected_id() != selected:
            self.select_id(selected)

    def _view(self):
        return self._reader.view(self.current_filter(), self._sort, descending=self._descending)

    def _update_counts(self) -> None:
        shown = self.model.rowCount()
        if self._total == 0:
            self.stack.setCurrentWidget(self.empty_store)
        elif not shown:
            self.stack.setCurrentWidget(self.no_match)
        else:
            self.stack.setCurrentWidget(self.table)
        overdue_text = f" · {self._overdue:,} overdue" if self._overdue else ""
        self.counts.setText(f"{shown:,} of {self._total:,} shown{overdue_text}")

    def selected_id(self) -> str:
        index = self.table.currentIndex()
        return str(index.data(SUBMISSION_ID_ROLE) or "") if index.isValid() else ""

    def select_id(self, submission_id: str) -> bool:
        row = self._row_for_id(submission_id)
        if row < 0:
            return False
        self.select_row(row)
        return True

    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def step(self, delta: int) -> None:
        """Move to the next (+1) or previous (-1) submission in the queue."""
        current = self.table.currentIndex().row()
        self.select_row(max(0, current + delta) if current >= 0 else 0)

    def _row_for_id(self, submission_id: str) -> int:
        pk = self._reader.pk_of(submission_id)
        return -1 if pk is None else self.model.row_of(pk)

    def _on_sort_requested(self, sort: QueueSort, descending: bool) -> None:
        if (sort, descending) == (self._sort, self._descending):
            return  # already in this order (enabling sorting asks for it once)
        self._sort, self._descending = sort, descending
        self.reload()

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.submission_selected.emit(
            str(current.data(SUBMISSION_ID_ROLE) or "") if current.isValid() else "")
