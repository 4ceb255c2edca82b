"""The widgets TextEvidenceView shows text in: a read-only editor with line numbers for code,
a rich-text browser that never fetches anything, and the model of a CSV table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QUrl,
)
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextBrowser, QTextEdit, QWidget

from assessor.evidence.text_formats import CsvTable

_Index = QModelIndex | QPersistentModelIndex


class SafeTextBrowser(QTextBrowser):
    """Rich text that loads no resource and follows no link: ``loadResource`` answers
    nothing for every URL (and keeps a list of what was asked, for tests and logs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setSearchPaths([])
        # Our own style sheet (evidence never brings one): ruled tables, readable code.
        self.document().setDefaultStyleSheet(
            "table { border-collapse: collapse; margin: 6px 0; }"
            " th, td { border: 1px solid #c4c7c5; padding: 3px 8px; }"
            " th { background: #f1f3f4; } pre, code { background: #f5f5f5; }"
        )
        self.requested_resources: list[QUrl] = []

    def loadResource(self, type: int, name: QUrl | str) -> Any:  # noqa: A002 (Qt's name)
        self.requested_resources.append(QUrl(name))
        return None


class _LineNumbers(QWidget):
    def __init__(self, editor: CodeView) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.line_number_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._editor.paint_line_numbers(event)


class CodeView(QPlainTextEdit):
    """Read-only plain text; with ``set_line_numbers(True)`` a gutter numbers the lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self._gutter = _LineNumbers(self)
        self._numbers = False
        self._margin = -1
        self.blockCountChanged.connect(self._update_margin)
        self.updateRequest.connect(self._on_update_request)
        self._update_margin()

    def set_line_numbers(self, on: bool) -> None:
        self._numbers = on
        self._gutter.setVisible(on)
        self._update_margin()

    def line_numbers_shown(self) -> bool:
        return self._numbers

    def line_number_width(self) -> int:
        if not self._numbers:
            return 0
        digits = len(str(max(1, self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_margin(self, _count: int = 0) -> None:
        width = self.line_number_width()
        if width != self._margin:  # once per extra digit, not once per line loaded
            self._margin = width
            self.setViewportMargins(width, 0, 0, 0)
            area = self.contentsRect()
            self._gutter.setGeometry(QRect(area.left(), area.top(), width, area.height()))

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if not self._numbers:
            return
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        area = self.contentsRect()
        self._gutter.setGeometry(QRect(area.left(), area.top(), self.line_number_width(),
                                       area.height()))

    def paint_line_numbers(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), QColor("#f1f3f4"))
        painter.setPen(QColor("#80868b"))
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        width = self._gutter.width() - 5
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                painter.drawText(0, top, width, height, Qt.AlignmentFlag.AlignRight,
                                 str(number + 1))
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
            number += 1
        painter.end()


def match_selection(cursor: Any, colour: str) -> QTextEdit.ExtraSelection:
    selection = QTextEdit.ExtraSelection()
    selection.cursor = cursor
    selection.format.setBackground(QColor(colour))
    selection.format.setProperty(QTextFormat.Property.FullWidthSelection, False)
    return selection


class CsvTableModel(QAbstractTableModel):
    """A CsvTable for a QTableView; ``set_filter`` keeps the rows holding some text."""

    def __init__(self, table: CsvTable, parent: Any = None) -> None:
        super().__init__(parent)
        self._table = table
        self._columns = table.column_count
        self._visible: list[int] | None = None
        self._lowered: list[str] | None = None  # each row's cells, lowercased, built once

    @property
    def table(self) -> CsvTable:
        return self._table

    def total_rows(self) -> int:
        return len(self._table.rows)

    def set_filter(self, text: str) -> None:
        needle = text.casefold()
        self.beginResetModel()
        if not needle:
            self._visible = None
        else:
            if self._lowered is None:
                self._lowered = ["\x1f".join(row).casefold() for row in self._table.rows]
            self._visible = [i for i, row in enumerate(self._lowered) if needle in row]
        self.endResetModel()

    def source_row(self, row: int) -> int:
        return row if self._visible is None else self._visible[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        if parent.isValid():
            return 0
        return len(self._table.rows) if self._visible is None else len(self._visible)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._columns

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._table.rows[self.source_row(index.row())][index.column()]
            if role == Qt.ItemDataRole.ToolTipRole:
                return value if len(value) > 40 else None
            return value
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            header = self._table.header
            if header is not None and section < len(header) and header[section].strip():
                return header[section]
            return f"Column {section + 1}"
        return str(self.source_row(section) + 1)
