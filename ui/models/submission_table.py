"""SubmissionTableModel: the queue as a lazy table.

The model holds only the ordered primary keys of the matching submissions; rows are
fetched a page at a time when the view asks for them and kept in a bounded cache, so the
cost follows what is on screen, not the size of the store.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from assessor.store.queue import QueueRow, QueueSort

FetchRows = Callable[[Sequence[int]], dict[int, QueueRow]]
Index = QModelIndex | QPersistentModelIndex

PAGE = 128
CACHE_LIMIT = 4096

SUBMISSION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 2


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

_OVERDUE = QColor("#b3261e")


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

    def __init__(self, fetch_rows: FetchRows, *, clock: Callable[[], datetime] | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch_rows = fetch_rows
        self._clock = clock or (lambda: datetime.now(UTC))
        self._keys: array[int] = array("q")
        self._rows: OrderedDict[int, QueueRow] = OrderedDict()
        self._now = self._clock()
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content ----------------------------------------------------------------------

    def set_keys(self, keys: array[int]) -> None:
        self.beginResetModel()
        self._keys = keys
        self._rows.clear()
        self._now = self._clock()
        self.endResetModel()

    def key_at(self, row: int) -> int:
        return self._keys[row]

    def row_of(self, pk: int) -> int:
        """The row showing submission ``pk``, or -1."""
        try:
            return self._keys.index(pk)
        except ValueError:
            return -1

    def refresh_rows(self, pks: Sequence[int]) -> None:
        """Drop cached rows so they are fetched again (after a change to them)."""
        for pk in pks:
            self._rows.pop(pk, None)
            row = self.row_of(pk)
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def row_at(self, row: int) -> QueueRow | None:
        if not 0 <= row < len(self._keys):
            return None
        pk = self._keys[row]
        cached = self._rows.get(pk)
        if cached is not None:
            self._rows.move_to_end(pk)
            return cached
        start = row - row % PAGE
        page = self._keys[start:start + PAGE]
        fetched = self._fetch_rows(page)
        self._rows.update(fetched)
        while len(self._rows) > CACHE_LIMIT:
            self._rows.popitem(last=False)
        return fetched.get(pk)

    # -- Qt model API -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(Column(section)) if 0 <= section < len(Column) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.row_at(index.row())
        if item is None:
            return None
        column = Column(index.column())
        overdue = item.overdue(self._now)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.DUE and item.due_at is not None:
                text = f"Due {_local(item.due_at):%A %d %B %Y, %H:%M}"
                return text + (" — overdue" if overdue else "")
            if column is Column.UPDATED:
                return f"{_local(item.updated_at):%A %d %B %Y, %H:%M:%S}"
            return None
        if role == Qt.ItemDataRole.ForegroundRole and overdue and column in (
                Column.DUE, Column.LEARNER):
            return QBrush(_OVERDUE)
        if role == Qt.ItemDataRole.FontRole and overdue and column is Column.DUE:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.ATTEMPT:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == SUBMISSION_ID_ROLE:
            return item.id
        if role == OVERDUE_ROLE:
            return overdue
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(Column):
            self.sort_requested.emit(SORT_FOR_COLUMN[Column(column)],
                                     order == Qt.SortOrder.DescendingOrder)

    def _display(self, item: QueueRow, column: Column) -> str:
        if column is Column.LEARNER:
            return item.learner_name
        if column is Column.CREDENTIAL:
            return item.credential_name
        if column is Column.ATTEMPT:
            return str(item.attempt)
        if column is Column.DUE:
            return format_due(item.due_at, self._now)
        if column is Column.STATE:
            return item.state.label
        return f"{_local(item.updated_at):%d %b %H:%M}"
