"""ShortcutsDialog: the F1 cheat sheet, one line per shortcut.

Two columns (keys, what they do) sized to their text, so no description wraps; the dialog
is as wide as the table needs, up to nine tenths of the screen (past that, the table
scrolls sideways rather than wrapping).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

_GAP = 16
"""Room between the keys and what they do, in pixels."""


class ShortcutsDialog(QDialog):
    def __init__(self, rows: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard Shortcuts")
        self.table = QTableWidget(len(rows), 2)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setAccessibleDescription("Each shortcut and what it does")
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, (keys, what) in enumerate(rows):
            key_item = QTableWidgetItem(keys)
            key_item.setFont(bold)
            self.table.setItem(row, 0, key_item)
            self.table.setItem(row, 1, QTableWidgetItem(what))
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        key_metrics, text_metrics = QFontMetrics(bold), QFontMetrics(self.table.font())
        self.table.setColumnWidth(0, max((key_metrics.horizontalAdvance(k) for k, _ in rows),
                                         default=0) + _GAP)
        self.table.setColumnWidth(1, max((text_metrics.horizontalAdvance(w) for _, w in rows),
                                         default=0) + _GAP)
        rows_header = self.table.verticalHeader()
        rows_header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows_header.setDefaultSectionSize(self.fontMetrics().lineSpacing() + 8)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self._fit(layout)

    def _fit(self, layout: QVBoxLayout) -> None:
        """As wide and tall as the table's text, within nine tenths of the screen."""
        table = self.table
        width = table.frameWidth() * 2 + sum(
            table.columnWidth(c) for c in range(table.columnCount())) + 24
        height = table.horizontalHeader().height() + table.frameWidth() * 2 + sum(
            table.rowHeight(r) for r in range(table.rowCount()))
        table.setMinimumHeight(min(height, 200))
        margins = layout.contentsMargins()
        screen = self.screen().availableGeometry()
        self.resize(min(width + margins.left() + margins.right(), screen.width() * 9 // 10),
                    min(height + margins.top() + margins.bottom() + 44,
                        screen.height() * 9 // 10))
