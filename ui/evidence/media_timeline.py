"""MediaTimeline: the seek bar of the media view, with the pinned time ranges drawn as
coloured spans (over the track, and as bars in lanes under it) and the marks being set.

Click or drag on the track to seek; click a span's bar to open its pin. Hovering a span
shows its times and note.

Signals:
    seek_requested(int): the user clicked or dragged to this time (ms).
    pin_clicked(object): the user clicked a drawn pin (a MediaPin).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from assessor.domain.judgment import MediaPin
from ui.evidence.media_text import precise
from ui.style import colours, is_dark

PIN_COLOURS = ("#1a73e8", "#188038", "#a142f4", "#12b5cb", "#e52592", "#795548")
"""Pin hues on a light palette; a dark palette draws each a step lighter."""
MARK_COLOUR = "#f29900"



def pin_colour(index: int, *, dark: bool) -> QColor:
    """The ``index``th pin's hue, readable on the palette's background."""
    colour = QColor(PIN_COLOURS[index % len(PIN_COLOURS)])
    return colour.lighter(150) if dark else colour


MARGIN = 10
TRACK_Y = 9
TRACK_H = 6
LANE_TOP = 23
LANE_H = 7
LANE_GAP = 3
MAX_LANES = 4
FLASH_TOGGLES = 8
FLASH_INTERVAL_MS = 160


def pin_label(pin: MediaPin) -> str:
    note = " ".join(pin.note.split())
    span = f"{precise(pin.start_ms)} – {precise(pin.end_ms)}"
    return f"{span}\n{note}" if note else span


def assign_lanes(pins: Sequence[MediaPin]) -> list[tuple[MediaPin, int]]:
    """Each pin with the lane its bar goes in: overlapping ranges get separate lanes (up to
    MAX_LANES; beyond that they share the last one)."""
    lane_ends: list[int] = []
    placed = []
    for pin in sorted(pins, key=lambda p: (p.start_ms, p.end_ms)):
        for lane, end in enumerate(lane_ends):
            if end <= pin.start_ms:
                lane_ends[lane] = pin.end_ms
                break
        else:
            if len(lane_ends) < MAX_LANES:
                lane_ends.append(pin.end_ms)
                lane = len(lane_ends) - 1
            else:
                lane = MAX_LANES - 1
                lane_ends[lane] = max(lane_ends[lane], pin.end_ms)
        placed.append((pin, lane))
    return placed


class MediaTimeline(QWidget):
    seek_requested = Signal(int)
    pin_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mediaTimeline")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Position")
        self._duration = 0
        self._position = 0
        self._pins: list[tuple[MediaPin, int]] = []
        self._colours: dict[MediaPin, QColor] = {}
        self._lanes = 1
        self._mark_in: int | None = None
        self._mark_out: int | None = None
        self.dragging = False
        self.flashing_pin: MediaPin | None = None
        self._flash_on = False
        self._flash_left = 0
        self._flash_timer = QTimer(self)
        self._flash_timer.setInterval(FLASH_INTERVAL_MS)
        self._flash_timer.timeout.connect(self._flash_step)
        self.setFixedHeight(self._height_for(1))

    # -- state --------------------------------------------------------------------------

    @property
    def duration(self) -> int:
        return self._duration

    @property
    def position(self) -> int:
        return self._position

    @property
    def pins(self) -> list[MediaPin]:
        return [pin for pin, _ in self._pins]

    def set_duration(self, ms: int) -> None:
        self._duration = max(0, ms)
        self.update()

    def set_position(self, ms: int) -> None:
        """The player's position; ignored while the user drags (their finger wins)."""
        if not self.dragging and ms != self._position:
            self._position = max(0, ms)
            self.update()

    def set_marks(self, mark_in: int | None, mark_out: int | None) -> None:
        self._mark_in, self._mark_out = mark_in, mark_out
        self.update()

    def set_pins(self, pins: Sequence[MediaPin]) -> None:
        self._pins = assign_lanes(pins)
        self._colours = self._pin_colours()
        self._lanes = max([lane + 1 for _, lane in self._pins], default=1)
        self.setFixedHeight(self._height_for(self._lanes))
        if self.flashing_pin is not None and self.flashing_pin not in self._colours:
            self._stop_flash()
        self.update()

    def flash(self, pin: MediaPin) -> None:
        """Make the pin's span blink a few times, to show where it is."""
        if pin not in self._colours:
            return
        self.flashing_pin = pin
        self._flash_on = True
        self._flash_left = FLASH_TOGGLES
        self._flash_timer.start()
        self.update()

    def _pin_colours(self) -> dict[MediaPin, QColor]:
        dark = is_dark(self.palette())
        return {pin: pin_colour(i, dark=dark) for i, (pin, _) in enumerate(self._pins)}

    def colour_of(self, pin: MediaPin) -> QColor | None:
        return self._colours.get(pin)

    # -- geometry -----------------------------------------------------------------------

    @staticmethod
    def _height_for(lanes: int) -> int:
        return LANE_TOP + lanes * (LANE_H + LANE_GAP) + 2

    def sizeHint(self) -> QSize:
        return QSize(400, self._height_for(self._lanes))

    def _span_width(self) -> int:
        return max(1, self.width() - 2 * MARGIN)

    def x_for(self, ms: int) -> float:
        if self._duration <= 0:
            return float(MARGIN)
        fraction = min(1.0, max(0.0, ms / self._duration))
        return MARGIN + fraction * self._span_width()

    def ms_at(self, x: float) -> int:
        if self._duration <= 0:
            return 0
        fraction = min(1.0, max(0.0, (x - MARGIN) / self._span_width()))
        return round(fraction * self._duration)

    def pin_rect(self, pin: MediaPin) -> QRect:
        """The clickable bar of a drawn pin (empty if it is not drawn)."""
        for drawn, lane in self._pins:
            if drawn == pin:
                left = self.x_for(pin.start_ms)
                right = max(self.x_for(pin.end_ms), left + 4)
                top = LANE_TOP + lane * (LANE_H + LANE_GAP)
                return QRectF(left, top, right - left, LANE_H).toAlignedRect()
        return QRect()

    def pin_at(self, point: QPoint) -> MediaPin | None:
        for pin, _ in reversed(self._pins):
            if self.pin_rect(pin).adjusted(-1, -2, 1, 2).contains(point):
                return pin
        return None

    # -- painting -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        track = QRectF(MARGIN, TRACK_Y, self._span_width(), TRACK_H)
        tones = colours()
        painter.setBrush(QColor(tones["border"] if self.isEnabled() else tones["subtle"]))
        painter.drawRoundedRect(track, TRACK_H / 2, TRACK_H / 2)
        known = self._duration > 0 and self.isEnabled()
        if known:
            played = QRectF(track.left(), track.top(),
                            self.x_for(self._position) - track.left(), TRACK_H)
            painter.setBrush(QColor(tones["accent"]))
            painter.drawRoundedRect(played, TRACK_H / 2, TRACK_H / 2)
            self._paint_pins(painter, track)
            self._paint_marks(painter, track)
            self._paint_handle(painter)
        painter.end()

    def _paint_pins(self, painter: QPainter, track: QRectF) -> None:
        for pin, _ in self._pins:
            colour = QColor(self._colours[pin])
            left = self.x_for(pin.start_ms)
            right = max(self.x_for(pin.end_ms), left + 4)
            tint = QColor(colour)
            tint.setAlpha(90)
            painter.setBrush(tint)
            painter.drawRect(QRectF(left, track.top(), right - left, track.height()))
            bar = QRectF(self.pin_rect(pin))
            flashing = pin == self.flashing_pin and self._flash_on
            if flashing:
                painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Text), 2))
                painter.setBrush(colour.lighter(125))
                painter.drawRoundedRect(bar.adjusted(-1, -2, 1, 2), 3, 3)
                painter.setPen(Qt.PenStyle.NoPen)
            else:
                painter.setBrush(colour)
                painter.drawRoundedRect(bar, 3, 3)

    def _paint_marks(self, painter: QPainter, track: QRectF) -> None:
        colour = QColor(MARK_COLOUR)
        if self._mark_in is not None and self._mark_out is not None:
            left, right = sorted((self.x_for(self._mark_in), self.x_for(self._mark_out)))
            band = QColor(colour)
            band.setAlpha(70)
            painter.setBrush(band)
            painter.drawRect(QRectF(left, track.top() - 4, max(right - left, 2),
                                    track.height() + 8))
        painter.setPen(QPen(colour, 2))
        for mark in (self._mark_in, self._mark_out):
            if mark is not None:
                x = self.x_for(mark)
                painter.drawLine(QRectF(x, 1, 0, TRACK_Y + TRACK_H + 3).topLeft(),
                                 QRectF(x, 1, 0, TRACK_Y + TRACK_H + 3).bottomLeft())
        painter.setPen(Qt.PenStyle.NoPen)

    def _paint_handle(self, painter: QPainter) -> None:
        x = self.x_for(self._position)
        y = TRACK_Y + TRACK_H / 2
        painter.setPen(QPen(QColor(colours()["accent"]), 2))
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base))
        painter.drawEllipse(QRectF(x - 6, y - 6, 12, 12))
        painter.setPen(Qt.PenStyle.NoPen)

    # -- input --------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._duration <= 0:
            super().mousePressEvent(event)
            return
        pin = self.pin_at(event.position().toPoint())
        if pin is not None:
            self.pin_clicked.emit(pin)
            return
        self.dragging = True
        self._seek_to(event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.dragging:
            self._seek_to(event.position().x())
            return
        over_pin = self.pin_at(event.position().toPoint()) is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if over_pin
                       else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.dragging and event.button() == Qt.MouseButton.LeftButton:
            self._seek_to(event.position().x())
            self.dragging = False
            return
        super().mouseReleaseEvent(event)

    def _seek_to(self, x: float) -> None:
        ms = self.ms_at(x)
        self._position = ms
        self.update()
        self.seek_requested.emit(ms)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            pin = self.pin_at(event.pos())
            if pin is not None:
                QToolTip.showText(event.globalPos(), pin_label(pin), self,
                                  self.pin_rect(pin))
            elif self._duration > 0:
                QToolTip.showText(event.globalPos(), precise(self.ms_at(event.pos().x())),
                                  self)
            else:
                QToolTip.hideText()
            return True
        if event.type() == QEvent.Type.PaletteChange and self._pins:
            self._colours = self._pin_colours()
            self.update()
        return super().event(event)

    def _flash_step(self) -> None:
        self._flash_left -= 1
        self._flash_on = not self._flash_on
        if self._flash_left <= 0:
            self._stop_flash()
        self.update()

    def _stop_flash(self) -> None:
        self._flash_timer.stop()
        self.flashing_pin = None
        self._flash_on = False
