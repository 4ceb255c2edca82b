"""PageCanvas: all pages of a document in one continuous scroll, painted by hand.

No widget per page: the layout is a few lists of floats (page_layout.py), and painting walks
only the pages in the viewport. Pixels come from the render service through a RenderQueue
(visible pages first, one neighbour each side), land in a byte-bounded LRU cache, and a page
without its pixels yet shows a stand-in (the same page at another zoom, scaled) or a blank
page with its number. A page that failed shows the message in its place.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QToolTip, QWidget

from assessor.domain.judgment import DocumentPin
from assessor.evidence.render import DocumentHandle, DocumentInfo, SearchHit, Word
from ui.evidence.background import BackgroundCalls
from ui.evidence.page_cache import DEFAULT_BUDGET, PageImageCache
from ui.evidence.page_layout import (
    PAGE_GAP,
    ROTATIONS,
    FRect,
    PageLayout,
    fit_page_zoom,
    fit_width_zoom,
    from_view_fraction,
    rect_to_view_fraction,
    to_view_fraction,
)
from ui.evidence.pin_painter import (
    MIN_PIN_PIXELS,
    PinFlash,
    clamp_fraction_rect,
    paint_pin,
    paint_rubber_band,
)
from ui.evidence.render_queue import RenderQueue
from ui.evidence.text_selection import TextPoint, selected_text, word_at, word_range
from ui.evidence.tiles import (
    TILE,
    RenderKey,
    is_tiled,
    scale_key,
    tile_clip,
    tile_device_rect,
    tiles_in,
)
from ui.evidence.zoom import MAX_ZOOM, MIN_ZOOM, next_zoom

BACKGROUND = QColor(232, 234, 237)
PAGE_BORDER = QColor(0, 0, 0, 38)
SHADOW = (QColor(0, 0, 0, 22), QColor(0, 0, 0, 12), QColor(0, 0, 0, 6))
PLACEHOLDER_INK = QColor(189, 193, 198)
ERROR_INK = QColor(140, 29, 24)
HIT_FILL = QColor(255, 213, 0, 110)
CURRENT_HIT_FILL = QColor(255, 128, 0, 150)
CURRENT_HIT_OUTLINE = QColor(214, 92, 0)
SELECTION_FILL = QColor(26, 115, 232, 80)
ZOOM_SETTLE_MS = 120
AUTOSCROLL_MS = 30


class ZoomMode(enum.StrEnum):
    FIT_WIDTH = "fit-width"
    FIT_PAGE = "fit-page"
    CUSTOM = "custom"


class _Drag(enum.Enum):
    NONE = 0
    PRESSED = 1
    PIN = 2
    SELECT = 3


def make_renderer(handle: DocumentHandle, sizes: Sequence[tuple[float, float]]):
    """The blocking call a RenderQueue worker makes for one key (runs off the GUI thread)."""

    def render(key: RenderKey):
        clip = None
        if key.tile is not None:
            w, h = sizes[key.page]
            rw, rh = (h, w) if key.rotation in (90, 270) else (w, h)
            dw, dh = max(1, round(rw * key.scale_factor)), max(1, round(rh * key.scale_factor))
            clip = tile_clip((w, h), key.rotation, key.tile, dw, dh)
        return handle.render_page(
            key.page, scale=key.scale_factor, rotation=key.rotation, clip=clip
        )

    return render


class PageCanvas(QAbstractScrollArea):
    """The scrolled pages. Signals:
    current_page_changed(int), zoom_changed(), selection_changed(bool),
    pin_requested(DocumentPin), pin_clicked(DocumentPin)
    """

    current_page_changed = Signal(int)
    zoom_changed = Signal()
    selection_changed = Signal(bool)
    pin_requested = Signal(object)
    pin_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None, *,
                 cache_budget: int = DEFAULT_BUDGET) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        viewport = self.viewport()
        viewport.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        viewport.setMouseTracking(True)
        viewport.grabGesture(Qt.GestureType.PinchGesture)
        self.verticalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setSingleStep(40)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.horizontalScrollBar().valueChanged.connect(self._on_scrolled)

        self.cache = PageImageCache(cache_budget)
        self.queue = RenderQueue(max_in_flight=2, parent=self)
        self.queue.rendered.connect(self._on_rendered)
        self.queue.failed.connect(self._on_failed)
        self._calls = BackgroundCalls(self)
        self._flash = PinFlash(self)
        self._flash.changed.connect(viewport.update)
        self._request_timer = QTimer(self)
        self._request_timer.setSingleShot(True)
        self._request_timer.timeout.connect(self._request_visible)
        self._autoscroll = QTimer(self)
        self._autoscroll.setInterval(AUTOSCROLL_MS)
        self._autoscroll.timeout.connect(self._on_autoscroll)

        self.handle: DocumentHandle | None = None
        self.info: DocumentInfo | None = None
        self.evidence_id = ""
        self.layout_: PageLayout | None = None
        self.zoom_mode = ZoomMode.FIT_WIDTH
        self.zoom = 1.0
        self.rotation = 0
        self.current_page = 0
        self.errors: dict[int, str] = {}
        self.words: dict[int, tuple[Word, ...]] = {}
        self._words_pending: set[int] = set()
        self.hits: tuple[SearchHit, ...] = ()
        self._hits_by_page: dict[int, list[int]] = {}
        self.current_hit = -1
        self.pins: list[DocumentPin] = []
        self.pin_mode = False
        self.first_paint_done = False
        self.first_pixels_at: float | None = None
        """perf_counter() when a page was first painted with its pixels (benchmarks)."""
        self._drag = _Drag.NONE
        self._press_pos = QPointF()
        self._last_pos = QPointF()
        self._press_page = -1
        self._band: tuple[int, QPointF, QPointF] | None = None
        self._sel: tuple[tuple[int, float, float], tuple[int, float, float]] | None = None
        self._quiet_scroll = False

    # -- loading ------------------------------------------------------------------------

    def load(self, handle: DocumentHandle, evidence_id: str) -> None:
        self.clear()
        self.handle = handle
        self.info = handle.info
        self.evidence_id = evidence_id
        self.queue.set_renderer(make_renderer(handle, handle.info.page_sizes))
        self.zoom_mode = ZoomMode.FIT_WIDTH
        self.rotation = 0
        self._relayout(keep=False)
        self._set_scroll(0, 0)
        self._set_current(0)
        self._request_visible()

    def clear(self) -> None:
        self.queue.set_renderer(None)
        self.cache.clear()
        self.handle = None
        self.info = None
        self.layout_ = None
        self.errors.clear()
        self.words.clear()
        self._words_pending.clear()
        self.hits = ()
        self._hits_by_page.clear()
        self.current_hit = -1
        self.pins = []
        self._sel = None
        self._band = None
        self._drag = _Drag.NONE
        self.first_paint_done = False
        self.first_pixels_at = None
        self.verticalScrollBar().setRange(0, 0)
        self.horizontalScrollBar().setRange(0, 0)
        self.viewport().update()

    @property
    def page_count(self) -> int:
        return self.info.page_count if self.info is not None else 0

    # -- geometry ------------------------------------------------------------------------

    def _dpr(self) -> float:
        return self.viewport().devicePixelRatioF()

    def _compute_zoom(self) -> float:
        assert self.info is not None
        vw, vh = self.viewport().width(), self.viewport().height()
        if self.zoom_mode is ZoomMode.FIT_WIDTH:
            return min(MAX_ZOOM, fit_width_zoom(self.info.page_sizes, self.rotation, vw))
        if self.zoom_mode is ZoomMode.FIT_PAGE:
            size = self.info.page_sizes[min(self.current_page, self.page_count - 1)]
            return min(MAX_ZOOM, fit_page_zoom(size, self.rotation, vw, vh))
        return self.zoom

    def _anchor(self, pos: QPointF | None) -> tuple[int, float, float, QPointF] | None:
        """The page and unrotated page fraction under ``pos`` (default: the viewport's top
        centre, at the current page), to keep in place across a zoom or rotation."""
        if self.layout_ is None or self.page_count == 0:
            return None
        if pos is None:
            page = self.current_page
            x0, y0, x1, y1 = self.layout_.page_rect(page)
            top = self.verticalScrollBar().value()
            pos = QPointF(self.viewport().width() / 2, max(0.0, y0 - top))
        cx, cy = self._to_content(pos)
        page = self.layout_.page_at(cy)
        x0, y0, x1, y1 = self.layout_.page_rect(page)
        u = (cx - x0) / max(1e-9, x1 - x0)
        v = (cy - y0) / max(1e-9, y1 - y0)
        fx, fy = from_view_fraction(u, v, self.rotation)
        return page, fx, fy, pos

    def _relayout(self, *, keep: bool = True, at: QPointF | None = None) -> None:
        if self.info is None:
            return
        anchor = self._anchor(at) if keep else None
        self.zoom = self._compute_zoom()
        self.layout_ = PageLayout(
            self.info.page_sizes,
            zoom=self.zoom,
            rotation=self.rotation,
            dpr=self._dpr(),
            viewport_width=self.viewport().width(),
        )
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        vh, vw = self.viewport().height(), self.viewport().width()
        self._quiet_scroll = True
        vbar.setRange(0, max(0, round(self.layout_.height - vh)))
        vbar.setPageStep(max(1, vh))
        hbar.setRange(0, max(0, round(self.layout_.width - vw)))
        hbar.setPageStep(max(1, vw))
        self._quiet_scroll = False
        if anchor is not None:
            page, fx, fy, pos = anchor
            u, v = to_view_fraction(fx, fy, self.rotation)
            x0, y0, x1, y1 = self.layout_.page_rect(page)
            self._set_scroll(x0 + u * (x1 - x0) - pos.x(), y0 + v * (y1 - y0) - pos.y())
        self.zoom_changed.emit()
        self.viewport().update()

    def _set_scroll(self, x: float, y: float) -> None:
        self.horizontalScrollBar().setValue(round(x))
        self.verticalScrollBar().setValue(round(y))

    def _to_content(self, pos: QPointF) -> tuple[float, float]:
        return (pos.x() + self.horizontalScrollBar().value(),
                pos.y() + self.verticalScrollBar().value())

    def page_view_rect(self, page: int) -> QRectF:
        """The page's rectangle in viewport coordinates."""
        assert self.layout_ is not None
        x0, y0, x1, y1 = self.layout_.page_rect(page)
        dx, dy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        return QRectF(x0 - dx, y0 - dy, x1 - x0, y1 - y0)

    def fraction_rect_in_view(self, page: int, rect: FRect) -> QRectF:
        """A rectangle in unrotated page fractions -> viewport coordinates."""
        r = self.page_view_rect(page)
        u0, v0, u1, v1 = rect_to_view_fraction(rect, self.rotation)
        return QRectF(r.x() + u0 * r.width(), r.y() + v0 * r.height(),
                      (u1 - u0) * r.width(), (v1 - v0) * r.height())

    def _points_rect_in_view(self, page: int, rect: FRect) -> QRectF:
        assert self.info is not None
        w, h = self.info.page_sizes[page]
        return self.fraction_rect_in_view(
            page, (rect[0] / w, rect[1] / h, rect[2] / w, rect[3] / h))

    def view_fraction_at(self, page: int, pos: QPointF) -> tuple[float, float]:
        """Where ``pos`` falls on ``page``, in unrotated page fractions (may be outside 0..1)."""
        r = self.page_view_rect(page)
        u = (pos.x() - r.x()) / max(1e-9, r.width())
        v = (pos.y() - r.y()) / max(1e-9, r.height())
        return from_view_fraction(u, v, self.rotation)

    def page_under(self, pos: QPointF) -> int | None:
        if self.layout_ is None or self.page_count == 0:
            return None
        _cx, cy = self._to_content(pos)
        page = self.layout_.page_at(cy)
        return page if self.page_view_rect(page).contains(pos) else None

    # -- navigation and zoom --------------------------------------------------------------

    def go_to_page(self, page: int) -> None:
        if self.layout_ is None or self.page_count == 0:
            return
        page = min(max(page, 0), self.page_count - 1)
        _x0, y0, _x1, _y1 = self.layout_.page_rect(page)
        self._quiet_scroll = True
        self.verticalScrollBar().setValue(round(y0 - PAGE_GAP / 2 if page else 0))
        self._quiet_scroll = False
        self._set_current(page)
        self._schedule_requests()
        self.viewport().update()

    def set_zoom(self, zoom: float, at: QPointF | None = None) -> None:
        if self.info is None:
            return
        self.zoom_mode = ZoomMode.CUSTOM
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self._relayout(at=at)
        self._schedule_requests(ZOOM_SETTLE_MS)

    def set_zoom_mode(self, mode: ZoomMode) -> None:
        if self.info is None:
            return
        self.zoom_mode = mode
        self._relayout()
        if mode is ZoomMode.FIT_PAGE:
            self.go_to_page(self.current_page)
        self._schedule_requests(ZOOM_SETTLE_MS)

    def zoom_in(self) -> None:
        self.set_zoom(next_zoom(self.zoom, +1))

    def zoom_out(self) -> None:
        self.set_zoom(next_zoom(self.zoom, -1))

    def rotate(self, degrees: int) -> None:
        if self.info is None:
            return
        self.rotation = ROTATIONS[(ROTATIONS.index(self.rotation) + degrees // 90) % 4]
        self._relayout()
        self._schedule_requests()

    def _set_current(self, page: int) -> None:
        if page != self.current_page:
            self.current_page = page
            self.current_page_changed.emit(page)

    def _on_scrolled(self, _value: int) -> None:
        if self._quiet_scroll or self.layout_ is None:
            return
        vh = self.viewport().height()
        top = self.verticalScrollBar().value()
        if top >= self.verticalScrollBar().maximum() and top > 0:
            page = self.layout_.page_at(top + vh * 0.5)
        else:
            page = self.layout_.page_at(top + min(vh * 0.3, 200.0))
        self._set_current(page)
        self._schedule_requests()
        self.viewport().update()

    def ensure_visible(self, page: int, rect: FRect | None) -> None:
        """Scroll so that ``rect`` (unrotated page fractions) of ``page`` is in view,
        centred if it was not; the whole page's top if ``rect`` is None."""
        if self.layout_ is None:
            return
        if rect is None:
            self.go_to_page(page)
            return
        target = self.fraction_rect_in_view(page, rect)
        view = QRectF(self.viewport().rect())
        if not view.contains(target):
            dx = target.center().x() - view.center().x() if (
                target.left() < 0 or target.right() > view.width()) else 0.0
            dy = target.center().y() - view.center().y()
            self._set_scroll(self.horizontalScrollBar().value() + dx,
                             self.verticalScrollBar().value() + dy)
        self._set_current(page)
        self.viewport().update()

    # -- rendering -------------------------------------------------------------------------

    def _schedule_requests(self, delay: int = 0) -> None:
        if delay == 0 and self._request_timer.isActive() and self._request_timer.interval() > 0:
            return  # a zoom is settling: wait for it
        self._request_timer.start(delay)

    def _keys_for(self, page: int, band: FRect | None) -> list[RenderKey]:
        """Keys for ``page``; for a tiled page only the tiles meeting ``band`` (device pixels
        of the page as shown, None: the page's first row)."""
        assert self.layout_ is not None
        dw, dh = self.layout_.device_size(page)
        sk = scale_key(self.layout_.scale)
        if not is_tiled(dw, dh):
            return [RenderKey(page, sk, self.rotation)]
        if band is None:
            band = (0.0, 0.0, float(dw), float(TILE))
        return [RenderKey(page, sk, self.rotation, t) for t in tiles_in(band, dw, dh)]

    def _visible_band(self, page: int, extra: float = 0.0) -> FRect:
        assert self.layout_ is not None
        dpr = self.layout_.dpr
        r = self.page_view_rect(page)
        vw, vh = self.viewport().width(), self.viewport().height()
        return ((0 - r.x()) * dpr, (0 - extra - r.y()) * dpr,
                (vw - r.x()) * dpr, (vh + extra - r.y()) * dpr)

    def _request_visible(self) -> None:
        if self.layout_ is None or self.handle is None:
            return
        top = self.verticalScrollBar().value()
        vh = self.viewport().height()
        visible = self.layout_.pages_between(top, top + vh)
        if not visible:
            return
        centre = top + vh / 2

        def distance(page: int) -> float:
            assert self.layout_ is not None
            _x0, y0, _x1, y1 = self.layout_.page_rect(page)
            return float(abs((y0 + y1) / 2 - centre))

        keys: list[RenderKey] = []
        for page in sorted(visible, key=distance):
            keys += self._keys_for(page, self._visible_band(page))
        if visible.start > 0:
            prev = visible.start - 1
            dw, dh = self.layout_.device_size(prev)
            keys += self._keys_for(prev, (0.0, dh - float(TILE), float(dw), float(dh)))
        if visible.stop < self.page_count:
            keys += self._keys_for(visible.stop, None)
        wanted = [k for k in keys if k.page not in self.errors and k not in self.cache]
        self.queue.want(wanted)

    def _on_rendered(self, key: RenderKey, image: QImage) -> None:
        layout = self.layout_
        if layout is None:
            return
        current = key.rotation == self.rotation and key.scale == scale_key(layout.scale)
        if key.tile is not None and not current:
            return  # a tile of an old zoom: no use as a stand-in
        image.setDevicePixelRatio(layout.dpr)
        self.cache.put(key, image)
        if current:
            self.viewport().update()

    def _on_failed(self, key: RenderKey, message: str) -> None:
        self.errors[key.page] = message
        self.viewport().update()

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), BACKGROUND)
        layout = self.layout_
        if layout is None:
            painter.end()
            return
        if abs(layout.dpr - self._dpr()) > 1e-3:  # moved to a screen of another density
            QTimer.singleShot(0, self._on_dpr_changed)
        top = self.verticalScrollBar().value()
        exposed = QRectF(event.rect())
        pages = layout.pages_between(top + exposed.top() - 8, top + exposed.bottom() + 8)
        for page in pages:
            rect = self.page_view_rect(page)
            self._paint_frame(painter, rect)
            if page in self.errors:
                self._paint_error(painter, rect, self.errors[page])
            else:
                self._paint_pixels(painter, page, rect)
            self._paint_overlays(painter, page)
        if self._band is not None:
            _page, a, b = self._band
            paint_rubber_band(painter, QRectF(a, b).normalized())
        painter.end()
        if pages:
            self.first_paint_done = True

    def _paint_frame(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        for i, color in enumerate(SHADOW):
            grow = float(i + 1)
            painter.setBrush(color)
            painter.drawRect(rect.adjusted(-grow + 1, -grow + 2, grow - 1, grow + 1))
        painter.fillRect(rect, Qt.GlobalColor.white)
        painter.setPen(QPen(PAGE_BORDER, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))

    def _paint_pixels(self, painter: QPainter, page: int, rect: QRectF) -> None:
        assert self.layout_ is not None
        dw, dh = self.layout_.device_size(page)
        sk = scale_key(self.layout_.scale)
        dpr = self.layout_.dpr
        if not is_tiled(dw, dh):
            image = self.cache.get(RenderKey(page, sk, self.rotation))
            if image is not None:
                _draw(painter, rect, image, smooth=False)
                if self.first_pixels_at is None:
                    self.first_pixels_at = time.perf_counter()
                return
        stand_in = self.cache.stand_in(page, self.rotation, sk)
        if stand_in is not None:
            _draw(painter, rect, stand_in, smooth=True)
        elif not is_tiled(dw, dh):
            self._paint_placeholder(painter, page, rect)
            return
        if is_tiled(dw, dh):
            for tile in tiles_in(self._visible_band(page), dw, dh):
                image = self.cache.get(RenderKey(page, sk, self.rotation, tile))
                if image is None:
                    continue
                x0, y0, x1, y1 = tile_device_rect(tile, dw, dh)
                target = QRectF(rect.x() + x0 / dpr, rect.y() + y0 / dpr,
                                (x1 - x0) / dpr, (y1 - y0) / dpr)
                _draw(painter, target, image, smooth=False)

    def _paint_placeholder(self, painter: QPainter, page: int, rect: QRectF) -> None:
        painter.setPen(PLACEHOLDER_INK)
        font = QFont(painter.font())
        font.setPointSizeF(max(8.0, min(28.0, rect.width() / 14)))
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(page + 1))

    def _paint_error(self, painter: QPainter, rect: QRectF, message: str) -> None:
        """The message in a box in the middle of the page's visible part."""
        visible = rect.intersected(QRectF(self.viewport().rect()))
        if visible.isEmpty():
            return
        font = QFont(painter.font())
        font.setPointSizeF(10.5)
        painter.setFont(font)
        text = f"This page could not be shown.\n{message}"
        width = min(visible.width() - 32, 420.0)
        bounds = painter.boundingRect(QRectF(0, 0, width, 1000),
                                      Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                                      text)
        box = QRectF(0, 0, width, bounds.height() + 28)
        box.moveCenter(visible.center())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(240, 180, 175), 1))
        painter.setBrush(QColor(252, 232, 230))
        painter.drawRoundedRect(box, 6, 6)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(ERROR_INK)
        painter.drawText(box.adjusted(12, 12, -12, -12),
                         Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)

    def _paint_overlays(self, painter: QPainter, page: int) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        for index in self._hits_by_page.get(page, ()):
            current = index == self.current_hit
            for r in self.hits[index].rects:
                view = self._points_rect_in_view(page, r)
                if current:
                    painter.setBrush(CURRENT_HIT_FILL)
                    painter.setPen(QPen(CURRENT_HIT_OUTLINE, 1.5))
                else:
                    painter.setBrush(HIT_FILL)
                    painter.setPen(Qt.PenStyle.NoPen)
                painter.drawRect(view.adjusted(-1, -1, 1, 1))
        selection = self.selection_points()
        words = self.words.get(page)
        if selection is not None and words:
            span = word_range(selection[0], selection[1], page, len(words))
            if span is not None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(SELECTION_FILL)
                for w in words[span[0] : span[1] + 1]:
                    painter.drawRect(self._points_rect_in_view(page, (w.x0, w.y0, w.x1, w.y1)))
        for pin in self.pins:
            if pin.page == page:
                paint_pin(painter, self._pin_view_rect(pin), self._flash.strength(pin))

    def _on_dpr_changed(self) -> None:
        if self.layout_ is not None and abs(self.layout_.dpr - self._dpr()) > 1e-3:
            self._relayout()
            self._schedule_requests()

    # -- search, selection, pins -------------------------------------------------------------

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        self.hits = tuple(hits)
        self._hits_by_page = {}
        for i, hit in enumerate(self.hits):
            self._hits_by_page.setdefault(hit.page, []).append(i)
        self.current_hit = -1
        self.viewport().update()

    def show_hit(self, index: int) -> None:
        if not self.hits or self.info is None:
            return
        self.current_hit = index % len(self.hits)
        hit = self.hits[self.current_hit]
        w, h = self.info.page_sizes[hit.page]
        x0 = min(r[0] for r in hit.rects) / w
        y0 = min(r[1] for r in hit.rects) / h
        x1 = max(r[2] for r in hit.rects) / w
        y1 = max(r[3] for r in hit.rects) / h
        self.ensure_visible(hit.page, (x0, y0, x1, y1))
        self.viewport().update()

    def set_pins(self, pins: Sequence[object]) -> None:
        own = self.evidence_id
        self.pins = [p for p in pins if isinstance(p, DocumentPin)
                     and (not own or p.evidence_id == own)]
        self.viewport().update()

    def show_pin(self, pin: DocumentPin) -> None:
        if self.info is None or not 0 <= pin.page < self.page_count:
            return
        r = pin.rect
        self.ensure_visible(pin.page, (r.x, r.y, r.x + r.width, r.y + r.height))
        self._flash.start(pin)

    def set_pin_mode(self, on: bool) -> None:
        self.pin_mode = on
        self._band = None
        self.viewport().unsetCursor()
        self.viewport().update()

    def _pin_view_rect(self, pin: DocumentPin) -> QRectF:
        r = pin.rect
        return self.fraction_rect_in_view(pin.page, (r.x, r.y, r.x + r.width, r.y + r.height))

    def pin_at(self, pos: QPointF) -> DocumentPin | None:
        for pin in reversed(self.pins):
            if self.layout_ is not None and 0 <= pin.page < self.page_count and (
                self._pin_view_rect(pin).adjusted(-3, -3, 3, 3).contains(pos)
            ):
                return pin
        return None

    def _ensure_words(self, page: int) -> None:
        handle = self.handle
        if handle is None or page in self.words or page in self._words_pending:
            return
        self._words_pending.add(page)

        def done(words: tuple[Word, ...] | None, error: Exception | None) -> None:
            if handle is not self.handle:
                return
            self._words_pending.discard(page)
            self.words[page] = tuple(words or ()) if error is None else ()
            self.viewport().update()

        self._calls.call(lambda: handle.page_words(page), done)

    def _text_point(self, end: tuple[int, float, float]) -> TextPoint | None:
        page, fx, fy = end
        words = self.words.get(page)
        if not words or self.info is None:
            return None
        w, h = self.info.page_sizes[page]
        index = word_at(words, fx * w, fy * h)
        return None if index is None else TextPoint(page, index)

    def selection_points(self) -> tuple[TextPoint, TextPoint] | None:
        if self._sel is None:
            return None
        a, b = self._text_point(self._sel[0]), self._text_point(self._sel[1])
        if a is None or b is None:
            return None
        return (a, b) if a <= b else (b, a)

    def selected_text(self) -> str:
        points = self.selection_points()
        if points is None:
            return ""
        return selected_text(self.words, points[0], points[1])

    def copy_selection(self) -> str:
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def clear_selection(self) -> None:
        if self._sel is not None:
            self._sel = None
            self.selection_changed.emit(False)
            self.viewport().update()

    # -- mouse and keys -------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton or self.layout_ is None:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = event.position()
        self._press_pos = self._last_pos = pos
        page = self.page_under(pos)
        self._press_page = page if page is not None else -1
        self._drag = _Drag.PRESSED
        if page is not None and not self.pin_mode:
            self._ensure_words(page)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = event.position()
        self._last_pos = pos
        if self._drag is _Drag.NONE:
            self._update_cursor(pos)
            return
        moved = pos - self._press_pos
        if self._drag is _Drag.PRESSED and max(abs(moved.x()), abs(moved.y())) >= MIN_PIN_PIXELS:
            if self._press_page < 0:
                self._drag = _Drag.NONE
                return
            self._drag = _Drag.PIN if self.pin_mode else _Drag.SELECT
            if self._drag is _Drag.SELECT:
                fx, fy = self.view_fraction_at(self._press_page, self._press_pos)
                self._sel = ((self._press_page, fx, fy), (self._press_page, fx, fy))
        self._drag_to(pos)
        inside = self.viewport().rect().adjusted(0, 8, 0, -8).contains(pos.toPoint())
        if self._drag in (_Drag.PIN, _Drag.SELECT) and not inside:
            self._autoscroll.start()
        else:
            self._autoscroll.stop()

    def _drag_to(self, pos: QPointF) -> None:
        if self._drag is _Drag.PIN:
            page = self._press_page
            r = self.page_view_rect(page)
            clamped = QPointF(min(max(pos.x(), r.left()), r.right()),
                              min(max(pos.y(), r.top()), r.bottom()))
            press = self._band[1] if self._band is not None else self._press_pos
            self._band = (page, press, clamped)
            self.viewport().update()
        elif self._drag is _Drag.SELECT and self._sel is not None and self.layout_ is not None:
            _cx, cy = self._to_content(pos)
            page = self.layout_.page_at(cy)
            fx, fy = self.view_fraction_at(page, pos)
            self._sel = (self._sel[0], (page, fx, fy))
            lo, hi = sorted((self._sel[0][0], page))
            for p in range(lo, hi + 1):
                self._ensure_words(p)
            self.selection_changed.emit(True)
            self.viewport().update()

    def _on_autoscroll(self) -> None:
        if self._drag not in (_Drag.PIN, _Drag.SELECT):
            self._autoscroll.stop()
            return
        pos, vh = self._last_pos, self.viewport().height()
        dy = pos.y() - 8 if pos.y() < 8 else (pos.y() - vh + 8 if pos.y() > vh - 8 else 0.0)
        if dy:
            bar = self.verticalScrollBar()
            old = bar.value()
            bar.setValue(round(old + max(-60.0, min(60.0, dy))))
            shift = bar.value() - old
            if self._band is not None:  # the band's start is on the page, which moved
                page, start, end = self._band
                self._band = (page, start - QPointF(0, shift), end)
            self._press_pos -= QPointF(0, shift)
            self._drag_to(pos)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._autoscroll.stop()
        drag, self._drag = self._drag, _Drag.NONE
        if drag is _Drag.PRESSED:
            pin = self.pin_at(event.position())
            self.clear_selection()
            if pin is not None:
                self.pin_clicked.emit(pin)
        elif drag is _Drag.PIN and self._band is not None:
            page, a, b = self._band
            self._band = None
            self.viewport().update()
            fa = self.view_fraction_at(page, a)
            fb = self.view_fraction_at(page, b)
            rect = clamp_fraction_rect(fa[0], fa[1], fb[0], fb[1])
            if rect is not None:
                self.pin_requested.emit(DocumentPin(self.evidence_id, page, rect, ""))
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        page = self.page_under(event.position())
        if page is None or self.pin_mode:
            return
        fx, fy = self.view_fraction_at(page, event.position())
        self._ensure_words(page)
        self._sel = ((page, fx, fy), (page, fx, fy))  # one word (once the words are known)
        self.selection_changed.emit(True)
        self.viewport().update()

    def _update_cursor(self, pos: QPointF) -> None:
        viewport = self.viewport()
        if self.pin_at(pos) is not None:
            viewport.setCursor(Qt.CursorShape.PointingHandCursor)
        elif self.page_under(pos) is None:
            viewport.unsetCursor()
        elif self.pin_mode:
            viewport.setCursor(Qt.CursorShape.CrossCursor)
        else:
            viewport.setCursor(Qt.CursorShape.IBeamCursor)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.ToolTip:
            pos = QPointF(event.pos())  # type: ignore[attr-defined]
            pin = self.pin_at(pos)
            if pin is not None:
                QToolTip.showText(event.globalPos(), pin.note or "Pinned region", self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        if kind == QEvent.Type.NativeGesture and isinstance(event, QNativeGestureEvent):
            if event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
                self.set_zoom(self.zoom * (1.0 + event.value()), at=event.position())
                return True
        if kind == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)  # type: ignore[attr-defined]
            if pinch is not None:
                factor = pinch.scaleFactor()
                if factor > 0:
                    self.set_zoom(self.zoom * factor, at=self.viewport().mapFromGlobal(
                        pinch.centerPoint()).toPointF() if hasattr(pinch, "centerPoint") else None)
                event.accept()
                return True
        return super().viewportEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                self.set_zoom(self.zoom * (1.1 ** steps), at=event.position())
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        if key == Qt.Key.Key_PageDown:
            self.go_to_page(self.current_page + 1)
        elif key == Qt.Key.Key_PageUp:
            self.go_to_page(self.current_page - 1)
        elif key == Qt.Key.Key_Home and not event.modifiers():
            self.go_to_page(0)
        elif key == Qt.Key.Key_End and not event.modifiers():
            self.go_to_page(self.page_count - 1)
        elif key == Qt.Key.Key_Escape:
            self.clear_selection()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.info is not None:
            self._relayout()
            self._schedule_requests(ZOOM_SETTLE_MS if self.zoom_mode is not ZoomMode.CUSTOM else 0)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        self.viewport().update()


def _draw(painter: QPainter, target: QRectF, image: QImage, *, smooth: bool) -> None:
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
    painter.drawImage(target, image, QRectF(image.rect()))

