"""SubmissionTableModel: the queue as a lazy table.

The model holds a ``QueueView`` (a row count and a way to fetch windows of rows) and a
bounded cache of pages. Rows are fetched a page at a time when the table asks for them,
so the cost follows what is on screen, not the size of the store.

Nothing here touches Qt's ``Qt`` namespace before the first paint (PySide builds all 93 of
its enum classes on first use): roles are compared as the plain integers Qt passes, and
the model has no Python ``headerData`` (Qt would call it with a ``Qt.Orientation`` the
moment a view is set): ``header_labels()`` gives the column titles as a C++ model for
the view's header.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette, QStandardItemModel

from assessor.store.queue import QueueRow, QueueSort, QueueView

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

Index = QModelIndex | QPersistentModelIndex

PAGE = 128
CACHED_PAGES = 32

# Qt.ItemDataRole values (fixed by Qt's ABI), as plain ints: see the module docstring.
_DISPLAY = 0  # DisplayRole
_TOOLTIP = 3  # ToolTipRole
_FONT = 6  # FontRole
_ALIGN = 7  # TextAlignmentRole
_FOREGROUND = 9  # ForegroundRole
_USER = 256  # UserRole
_CENTER = 0x84  # Qt.AlignmentFlag.AlignCenter (AlignHCenter | AlignVCenter)

SUBMISSION_ID_ROLE = _USER + 1
OVERDUE_ROLE = _USER + 2


class Column(IntEnum):
    LEARNER = 0
    CREDENTIAL = 1
    ATTEMPT = 2
    DUE = 3
    STATE = 4
    UPDATED = 5


HEADERS = {
    Column.LEARNER: "Learner",
    Column.CREDENTIAL: "Credential",
    Column.ATTEMPT: "Attempt",
    Column.DUE: "Due",
    Column.STATE: "State",
    Column.UPDATED: "Last change",
}

SORT_FOR_COLUMN = {
    Column.LEARNER: QueueSort.LEARNER,
    Column.CREDENTIAL: QueueSort.CREDENTIAL,
    Column.ATTEMPT: QueueSort.ATTEMPT,
    Column.DUE: QueueSort.DUE,
    Column.STATE: QueueSort.STATE,
    Column.UPDATED: QueueSort.UPDATED,
}
COLUMN_FOR_SORT = {sort: column for column, sort in SORT_FOR_COLUMN.items()}

_OVERDUE = QColor("#b3261e")
"""Overdue rows' text. A QColor, not a QBrush: ``QBrush(QColor)`` resolves among overloads
that take ``Qt`` enums, which builds them all (see the module docstring)."""
_OVERDUE_ON_DARK = QColor("#f28b82")
"""The same on a dark palette, where the darker red would not be readable."""


def overdue_colour() -> QColor:
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return _OVERDUE_ON_DARK if base.lightnessF() < 0.45 else _OVERDUE
_MARKED = (Column.DUE, Column.LEARNER)


class _Line(NamedTuple):
    row: QueueRow
    cells: tuple[str, ...]
    overdue: bool


def _local(moment: datetime) -> datetime:
    return moment.astimezone()


def format_due(due: datetime | None, now: datetime) -> str:
    if due is None:
        return "—"
    days = (_local(due).date() - _local(now).date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if days < 0:
        return f"{-days} days ago"
    if days < 7:
        return f"in {days} days"
    return f"{_local(due):%d %b %Y}"


class SubmissionTableModel(QAbstractTableModel):
    """Signals:
        sort_requested(QueueSort, bool): the user asked for another order (descending?).
    """

    sort_requested = Signal(object, bool)

    def __init__(self, *, clock: Callable[[], datetime] | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._view: QueueView | None = None
        self._pages: OrderedDict[int, list[_Line]] = OrderedDict()
        self.fetches = 0
        """How many pages were read from the store (for tests and benchmarks)."""
        self._now = self._clock()
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content ----------------------------------------------------------------------

    def set_view(self, view: QueueView) -> None:
        """Show another filter or order: a reset, since every row may move."""
        self.beginResetModel()
        self._view = view
        self._pages.clear()
        self._now = self._clock()
        self.endResetModel()

    def refresh(self, view: QueueView) -> None:
        """The same filter and order over changed data: re-read the rows, keep the view's
        place when the row count did not change."""
        if self._view is None or view.total != self._view.total:
            self.set_view(view)
            return
        self._view = view
        self._pages.clear()
        self._now = self._clock()
        if view.total:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(view.total - 1, len(Column) - 1))

    def row_of(self, pk: int) -> int:
        """The row showing submission ``pk`` among the rows read so far, or -1."""
        for number, page in self._pages.items():
            for offset, line in enumerate(page):
                if line.row.pk == pk:
                    return number * PAGE + offset
        return -1

    def row_at(self, row: int) -> QueueRow | None:
        line = self._line(row)
        return None if line is None else line.row

    def _line(self, row: int) -> _Line | None:
        if self._view is None or not 0 <= row < self._view.total:
            return None
        number, offset = divmod(row, PAGE)
        page = self._pages.get(number)
        if page is None:
            page = [self._prepare(r) for r in self._view.rows(number * PAGE, PAGE)]
            self.fetches += 1
            self._pages[number] = page
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def _prepare(self, item: QueueRow) -> _Line:
        """Format a row's cells once; ``data()`` is called many times per cell."""
        return _Line(item, (
            item.learner_name,
            item.credential_name,
            str(item.attempt),
            format_due(item.due_at, self._now),
            item.state.label,
            f"{_local(item.updated_at):%d %b %H:%M}",
        ), item.overdue(self._now))

    # -- Qt model API -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._view is None else self._view.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def header_labels(self, parent: QObject | None = None) -> QStandardItemModel:
        """The column titles as a model for a view's horizontal header (``HEADERS``)."""
        labels = QStandardItemModel(0, len(Column), parent)
        labels.setHorizontalHeaderLabels([HEADERS[column] for column in Column])
        return labels

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        line = self._line(index.row()) if index.isValid() else None
        if line is None:
            return None
        column = index.column()
        if role == _DISPLAY:
            return line.cells[column]
        if role == _FOREGROUND:
            return overdue_colour() if line.overdue and column in _MARKED else None
        if role == _FONT:
            return self._bold if line.overdue and column == Column.DUE else None
        if role == _ALIGN:
            return _CENTER if column == Column.ATTEMPT else None
        if role == SUBMISSION_ID_ROLE:
            return line.row.id
        if role == OVERDUE_ROLE:
            return line.overdue
        if role == _TOOLTIP:
            return self._tooltip(line, column)
        return None

    def _tooltip(self, line: _Line, column: int) -> str | None:
        item = line.row
        if column == Column.DUE and item.due_at is not None:
            text = f"Due {_local(item.due_at):%A %d %B %Y, %H:%M}"
            return text + (" — overdue" if line.overdue else "")
        if column == Column.UPDATED:
            return f"{_local(item.updated_at):%A %d %B %Y, %H:%M:%S}"
        return None

    def sort(self, column: int, order: Qt.SortOrder | None = None) -> None:
        """Qt asks for another order (``None``: ascending)."""
        from PySide6.QtCore import Qt

        if 0 <= column < len(Column):
            self.sort_requested.emit(SORT_FOR_COLUMN[Column(column)],
                                     order == Qt.SortOrder.DescendingOrder)
