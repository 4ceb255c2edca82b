"""ThumbnailSidebar: small renders of the pages, made lazily for the rows in view only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from assessor.evidence.render import DocumentHandle
from ui.evidence.page_cache import PageImageCache
from ui.evidence.page_layout import rotated_size
from ui.evidence.render_queue import RenderQueue
from ui.evidence.tiles import RenderKey, scale_key

BOX_W, BOX_H = 104, 134
"""The thumbnail's box in logical pixels; each page is fitted inside it."""
CELL = QSize(BOX_W + 28, BOX_H + 34)
THUMB_BUDGET = 24 * 2**20
SIDEBAR_BACKGROUND = QColor(241, 243, 244)
CURRENT_FILL = QColor(31, 78, 121, 40)
CURRENT_OUTLINE = QColor(31, 78, 121)
LABEL_INK = QColor(95, 99, 104)


class _PagesModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def set_count(self, count: int) -> None:
        self.beginResetModel()
        self.count = count
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.count

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return str(index.row() + 1)
        return None


class _Delegate(QStyledItemDelegate):
    def __init__(self, sidebar: ThumbnailSidebar) -> None:
        super().__init__(sidebar)
        self._sidebar = sidebar

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return CELL

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        cell: QRect = option.rect
        page = index.row()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(CURRENT_OUTLINE, 1.5))
            painter.setBrush(CURRENT_FILL)
            painter.drawRoundedRect(QRectF(cell).adjusted(4, 2, -4, -2), 6, 6)
        box = self._sidebar.page_box(page, cell)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(box.adjusted(1, 2, 1, 2), QColor(0, 0, 0, 30))
        painter.fillRect(box, Qt.GlobalColor.white)
        image = self._sidebar.image_for(page)
        if image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(box), image, QRectF(image.rect()))
        painter.setPen(QPen(QColor(0, 0, 0, 50), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(box).adjusted(-0.5, -0.5, 0.5, 0.5))
        painter.setPen(LABEL_INK)
        label = QRect(cell.left(), box.bottom() + 4, cell.width(), 18)
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, str(page + 1))
        painter.restore()


class ThumbnailSidebar(QListView):
    """Signals: page_chosen(int) when the user clicks a thumbnail."""

    page_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thumbnails")
        self.setAccessibleName("Page thumbnails")
        self.setAccessibleDescription("Click a page to show it")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedWidth(CELL.width() + self.verticalScrollBar().sizeHint().width() + 4)
        self.setStyleSheet(f"QListView#thumbnails {{ background: {SIDEBAR_BACKGROUND.name()}; }}")
        self._model = _PagesModel()
        self.setModel(self._model)
        self.setItemDelegate(_Delegate(self))
        self.clicked.connect(lambda index: self.page_chosen.emit(index.row()))
        self.handle: DocumentHandle | None = None
        self._sizes: tuple[tuple[float, float], ...] = ()
        self.rotation = 0
        self.cache = PageImageCache(THUMB_BUDGET)
        self.queue = RenderQueue(max_in_flight=1, parent=self)
        self.queue.rendered.connect(self._on_rendered)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._request_visible)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._schedule())

    def load(self, handle: DocumentHandle) -> None:
        from ui.evidence.page_canvas import make_renderer

        self.clear_pages()
        self.handle = handle
        self._sizes = handle.info.page_sizes
        self.queue.set_renderer(make_renderer(handle, self._sizes))
        self._model.set_count(handle.info.page_count)
        self._schedule()

    def clear_pages(self) -> None:
        self.queue.set_renderer(None)
        self.cache.clear()
        self.handle = None
        self._sizes = ()
        self._model.set_count(0)

    def set_rotation(self, rotation: int) -> None:
        self.rotation = rotation
        self.viewport().update()
        self._schedule()

    def set_current(self, page: int) -> None:
        if 0 <= page < self._model.count:
            index = self._model.index(page)
            self.setCurrentIndex(index)
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _key(self, page: int) -> RenderKey:
        rw, rh = rotated_size(*self._sizes[page], self.rotation)
        scale = min(BOX_W / rw, BOX_H / rh) * self.devicePixelRatioF()
        return RenderKey(page, scale_key(scale), self.rotation)

    def page_box(self, page: int, cell: QRect) -> QRect:
        if not self._sizes:
            return QRect(cell.left() + 14, cell.top() + 6, BOX_W, BOX_H)
        rw, rh = rotated_size(*self._sizes[page], self.rotation)
        s = min(BOX_W / rw, BOX_H / rh)
        w, h = max(1, round(rw * s)), max(1, round(rh * s))
        return QRect(cell.left() + (cell.width() - w) // 2, cell.top() + 6 + (BOX_H - h) // 2, w, h)

    def image_for(self, page: int) -> QImage | None:
        if not self._sizes:
            return None
        return self.cache.get(self._key(page)) or self.cache.stand_in(
            page, self.rotation, self._key(page).scale)

    def visible_pages(self) -> range:
        if self._model.count == 0 or not self.isVisible():
            return range(0)
        first = self.indexAt(QPoint(CELL.width() // 2, 1))
        last = self.indexAt(QPoint(CELL.width() // 2, self.viewport().height() - 1))
        start = first.row() if first.isValid() else 0
        stop = last.row() + 1 if last.isValid() else self._model.count
        return range(start, stop)

    def _schedule(self) -> None:
        self._timer.start(30)

    def _request_visible(self) -> None:
        if self.handle is None:
            return
        keys = [self._key(p) for p in self.visible_pages()]
        self.queue.want([k for k in keys if k not in self.cache])

    def _on_rendered(self, key: RenderKey, image: QImage) -> None:
        self.cache.put(key, image)
        self.viewport().update()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._schedule()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._schedule()
