"""ImageCanvas: one picture, fitted or zoomed, panned by dragging, re-rendered sharper on zoom.

The first render fits the viewport; zooming in past what that render holds asks the service
for a larger one (in the background) and shows the smaller one scaled meanwhile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QToolTip, QWidget

from assessor.domain.judgment import ImagePin
from assessor.evidence.render import ImageHandle, ImageInfo, PageImage
from ui.evidence.background import BackgroundCalls
from ui.evidence.pin_painter import (
    MIN_PIN_PIXELS,
    PinFlash,
    clamp_fraction_rect,
    paint_pin,
    paint_rubber_band,
)
from ui.evidence.render_queue import error_message, to_image
from ui.evidence.zoom import MAX_ZOOM, next_zoom

BACKGROUND = QColor(232, 234, 237)
ERROR_INK = QColor(140, 29, 24)
PLACEHOLDER_INK = QColor(128, 134, 139)
MARGIN = 12.0
MIN_IMAGE_ZOOM = 0.02
SHARPER_STEP = 1.5
"""Ask for a render this much larger than needed, so small zoom steps need no new render."""


class ImageCanvas(QAbstractScrollArea):
    """Signals: zoom_changed(), pin_requested(ImagePin), pin_clicked(ImagePin)."""

    zoom_changed = Signal()
    pin_requested = Signal(object)
    pin_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self.horizontalScrollBar().valueChanged.connect(lambda _v: self.viewport().update())
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.viewport().update())
        self._calls = BackgroundCalls(self)
        self._flash = PinFlash(self)
        self._flash.changed.connect(self.viewport().update)
        self.handle: ImageHandle | None = None
        self.info: ImageInfo | None = None
        self.evidence_id = ""
        self.image: QImage | None = None
        self.error = ""
        self.fit = True
        self.zoom = 1.0
        self.pins: list[ImagePin] = []
        self.pin_mode = False
        self.renders = 0
        self._in_flight = False
        self._wanted: tuple[int, int] | None = None
        self._generation = 0
        self._press: QPointF | None = None
        self._press_scroll = (0, 0)
        self._band: tuple[QPointF, QPointF] | None = None
        self._panning = False

    # -- loading ----------------------------------------------------------------------------

    def load(self, handle: ImageHandle, evidence_id: str) -> None:
        self.clear()
        self.handle = handle
        self.info = handle.info
        self.evidence_id = evidence_id
        self.fit = True
        self._relayout()
        vw, vh = self.viewport().width(), self.viewport().height()
        dpr = self.viewport().devicePixelRatioF()
        self._want(max(64, math.ceil(vw * dpr)), max(64, math.ceil(vh * dpr)))

    def clear(self) -> None:
        self._generation += 1
        self.handle = None
        self.info = None
        self.image = None
        self.error = ""
        self.pins = []
        self._wanted = None
        self._in_flight = False
        self._band = None
        self.horizontalScrollBar().setRange(0, 0)
        self.verticalScrollBar().setRange(0, 0)
        self.viewport().update()

    # -- geometry ----------------------------------------------------------------------------

    def fit_zoom(self) -> float:
        if self.info is None:
            return 1.0
        vw = self.viewport().width() - 2 * MARGIN
        vh = self.viewport().height() - 2 * MARGIN
        return max(MIN_IMAGE_ZOOM, min(vw / self.info.width, vh / self.info.height))

    def _shown_size(self) -> tuple[float, float]:
        assert self.info is not None
        return self.info.width * self.zoom, self.info.height * self.zoom

    def image_rect(self) -> QRectF:
        """Where the picture is drawn, in viewport coordinates."""
        if self.info is None:
            return QRectF()
        w, h = self._shown_size()
        vw, vh = self.viewport().width(), self.viewport().height()
        x = (vw - w) / 2 if w + 2 * MARGIN <= vw else MARGIN - self.horizontalScrollBar().value()
        y = (vh - h) / 2 if h + 2 * MARGIN <= vh else MARGIN - self.verticalScrollBar().value()
        return QRectF(x, y, w, h)

    def _relayout(self, at: QPointF | None = None) -> None:
        if self.info is None:
            return
        anchor = None
        if at is not None:
            r = self.image_rect()
            if r.width() > 0:
                anchor = ((at.x() - r.x()) / r.width(), (at.y() - r.y()) / r.height(), at)
        if self.fit:
            self.zoom = self.fit_zoom()
        w, h = self._shown_size()
        vw, vh = self.viewport().width(), self.viewport().height()
        self.horizontalScrollBar().setRange(0, max(0, math.ceil(w + 2 * MARGIN - vw)))
        self.verticalScrollBar().setRange(0, max(0, math.ceil(h + 2 * MARGIN - vh)))
        self.horizontalScrollBar().setPageStep(max(1, vw))
        self.verticalScrollBar().setPageStep(max(1, vh))
        if anchor is not None:
            fx, fy, pos = anchor
            self.horizontalScrollBar().setValue(round(MARGIN + fx * w - pos.x()))
            self.verticalScrollBar().setValue(round(MARGIN + fy * h - pos.y()))
        self.zoom_changed.emit()
        self.viewport().update()
        self._sharpen_if_needed()

    def set_zoom(self, zoom: float, at: QPointF | None = None) -> None:
        if self.info is None:
            return
        self.fit = False
        self.zoom = min(MAX_ZOOM, max(MIN_IMAGE_ZOOM, zoom))
        if at is None:
            at = QPointF(self.viewport().width() / 2, self.viewport().height() / 2)
        self._relayout(at)

    def set_fit(self) -> None:
        self.fit = True
        self._relayout()

    def zoom_in(self) -> None:
        self.set_zoom(next_zoom(self.zoom, +1, low=MIN_IMAGE_ZOOM))

    def zoom_out(self) -> None:
        self.set_zoom(next_zoom(self.zoom, -1, low=MIN_IMAGE_ZOOM))

    # -- rendering ----------------------------------------------------------------------------

    def _sharpen_if_needed(self) -> None:
        """Ask for a larger render when the shown size needs more pixels than we hold."""
        if self.info is None or self.image is None or self.error:
            return
        dpr = self.viewport().devicePixelRatioF()
        need_w = min(self.info.width, math.ceil(self.info.width * self.zoom * dpr))
        if self.image.width() >= need_w * 0.98 or self.image.width() >= self.info.width:
            return
        target_w = min(self.info.width, math.ceil(need_w * SHARPER_STEP))
        target_h = min(self.info.height, math.ceil(target_w * self.info.height / self.info.width))
        self._want(target_w, max(1, target_h))

    def _want(self, max_width: int, max_height: int) -> None:
        self._wanted = (max_width, max_height)
        if not self._in_flight:
            self._start()

    def _start(self) -> None:
        handle, wanted = self.handle, self._wanted
        if handle is None or wanted is None:
            return
        self._wanted = None
        self._in_flight = True
        self.renders += 1
        generation = self._generation

        def work() -> QImage:
            page: PageImage = handle.render(max_width=wanted[0], max_height=wanted[1])
            return to_image(page)

        def done(image: QImage | None, error: Exception | None) -> None:
            if generation != self._generation:
                return
            self._in_flight = False
            if error is not None:
                if self.image is None:
                    self.error = error_message(error)
            elif image is not None and (self.image is None or image.width() > self.image.width()):
                self.image = image
            self.viewport().update()
            if self._wanted is not None:
                self._start()
            else:
                self._sharpen_if_needed()

        self._calls.call(work, done)

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), BACKGROUND)
        if self.info is None:
            painter.end()
            return
        rect = self.image_rect()
        if self.error:
            painter.setPen(ERROR_INK)
            painter.drawText(QRectF(self.viewport().rect()).adjusted(24, 24, -24, -24),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             f"This picture could not be shown.\n\n{self.error}")
        elif self.image is None:
            painter.setPen(PLACEHOLDER_INK)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Loading…")
        else:
            painter.fillRect(rect.adjusted(1, 2, 1, 2), QColor(0, 0, 0, 28))
            dpr = self.viewport().devicePixelRatioF()
            exact = abs(rect.width() * dpr - self.image.width()) < 0.5
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not exact)
            painter.drawImage(rect, self.image, QRectF(self.image.rect()))
        for pin in self.pins:
            paint_pin(painter, self._pin_rect(pin), self._flash.strength(pin))
        if self._band is not None:
            paint_rubber_band(painter, QRectF(*self._band).normalized())
        painter.end()

    # -- pins ------------------------------------------------------------------------------------

    def set_pins(self, pins: Sequence[object]) -> None:
        own = self.evidence_id
        self.pins = [p for p in pins if isinstance(p, ImagePin)
                     and (not own or p.evidence_id == own)]
        self.viewport().update()

    def set_pin_mode(self, on: bool) -> None:
        self.pin_mode = on
        self._band = None
        self.viewport().update()

    def _pin_rect(self, pin: ImagePin) -> QRectF:
        r, img = pin.rect, self.image_rect()
        return QRectF(img.x() + r.x * img.width(), img.y() + r.y * img.height(),
                      r.width * img.width(), r.height * img.height())

    def pin_at(self, pos: QPointF) -> ImagePin | None:
        for pin in reversed(self.pins):
            if self._pin_rect(pin).adjusted(-3, -3, 3, 3).contains(pos):
                return pin
        return None

    def show_pin(self, pin: ImagePin) -> None:
        if self.info is None:
            return
        target = self._pin_rect(pin)
        view = QRectF(self.viewport().rect())
        if not view.contains(target):
            self.horizontalScrollBar().setValue(round(
                self.horizontalScrollBar().value() + target.center().x() - view.center().x()))
            self.verticalScrollBar().setValue(round(
                self.verticalScrollBar().value() + target.center().y() - view.center().y()))
        self._flash.start(pin)

    # -- mouse -----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton or self.info is None:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._press = event.position()
        self._press_scroll = (self.horizontalScrollBar().value(),
                              self.verticalScrollBar().value())
        self._panning = False
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = event.position()
        if self._press is None:
            if self.pin_at(pos) is not None:
                self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
            elif self.pin_mode:
                self.viewport().setCursor(Qt.CursorShape.CrossCursor)
            else:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        moved = pos - self._press
        if self._band is None and not self._panning and (
                max(abs(moved.x()), abs(moved.y())) < MIN_PIN_PIXELS):
            return
        if self.pin_mode:
            r = self.image_rect()
            clamped = QPointF(min(max(pos.x(), r.left()), r.right()),
                              min(max(pos.y(), r.top()), r.bottom()))
            start = self._band[0] if self._band is not None else QPointF(
                min(max(self._press.x(), r.left()), r.right()),
                min(max(self._press.y(), r.top()), r.bottom()))
            self._band = (start, clamped)
            self.viewport().update()
        else:
            self._panning = True
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            self.horizontalScrollBar().setValue(round(self._press_scroll[0] - moved.x()))
            self.verticalScrollBar().setValue(round(self._press_scroll[1] - moved.y()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(event)
            return
        band, self._band = self._band, None
        panned, self._panning = self._panning, False
        self._press = None
        if band is not None:
            r = self.image_rect()
            a, b = band
            rect = clamp_fraction_rect((a.x() - r.x()) / r.width(), (a.y() - r.y()) / r.height(),
                                       (b.x() - r.x()) / r.width(), (b.y() - r.y()) / r.height())
            self.viewport().update()
            if rect is not None:
                self.pin_requested.emit(ImagePin(self.evidence_id, rect, ""))
        elif not panned:
            pin = self.pin_at(event.position())
            if pin is not None:
                self.pin_clicked.emit(pin)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if self.pin_mode
                                  else Qt.CursorShape.OpenHandCursor)
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                self.set_zoom(self.zoom * (1.1 ** steps), at=event.position())
            event.accept()
            return
        super().wheelEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.ToolTip:
            pin = self.pin_at(QPointF(event.pos()))  # type: ignore[attr-defined]
            if pin is not None:
                QToolTip.showText(event.globalPos(), pin.note or "Pinned region",  # type: ignore[attr-defined]
                                  self.viewport())
            else:
                QToolTip.hideText()
            return True
        if kind == QEvent.Type.NativeGesture and isinstance(event, QNativeGestureEvent):
            if event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
                self.set_zoom(self.zoom * (1.0 + event.value()), at=event.position())
                return True
        if kind == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)  # type: ignore[attr-defined]
            if pinch is not None and pinch.scaleFactor() > 0:
                self.set_zoom(self.zoom * pinch.scaleFactor())
                event.accept()
                return True
        return super().viewportEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._relayout()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        self.viewport().update()
