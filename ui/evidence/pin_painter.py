"""Drawing evidence pins and the rubber band that makes one; the brief flash of show_pin."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen

from assessor.domain.judgment import Rect

PIN_OUTLINE = QColor(227, 116, 0)
PIN_FILL = QColor(249, 171, 0, 46)
FLASH_FILL = QColor(249, 171, 0, 150)
BAND_OUTLINE = QColor(31, 78, 121)
BAND_FILL = QColor(31, 78, 121, 36)
FLASH_SECONDS = 1.4
MIN_PIN_PIXELS = 4.0
"""A drag shorter than this (in screen pixels, both ways) is a click, not a pin."""


def paint_pin(painter: QPainter, rect: QRectF, flash: float = 0.0) -> None:
    fill = QColor(PIN_FILL)
    if flash > 0:
        fill.setAlpha(round(PIN_FILL.alpha() + (FLASH_FILL.alpha() - PIN_FILL.alpha()) * flash))
    painter.setBrush(fill)
    painter.setPen(QPen(PIN_OUTLINE, 2.0 + 1.5 * flash))
    painter.drawRect(rect)


def paint_rubber_band(painter: QPainter, rect: QRectF) -> None:
    pen = QPen(BAND_OUTLINE, 1.5, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(BAND_FILL)
    painter.drawRect(rect)


def clamp_fraction_rect(x0: float, y0: float, x1: float, y1: float) -> Rect | None:
    """A Rect from two corners in fractions (any order), clamped to the page; None when the
    clamped region is empty."""
    left, right = sorted((min(max(x0, 0.0), 1.0), min(max(x1, 0.0), 1.0)))
    top, bottom = sorted((min(max(y0, 0.0), 1.0), min(max(y1, 0.0), 1.0)))
    if right - left <= 0 or bottom - top <= 0:
        return None
    return Rect(left, top, right - left, bottom - top)


class PinFlash(QObject):
    """Which pin flashes, and how strongly right now (0..1). Signals: changed()."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pin: object | None = None
        self._started = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._tick)

    def start(self, pin: object) -> None:
        self.pin = pin
        self._started = time.monotonic()
        self._timer.start()
        self.changed.emit()

    def strength(self, pin: object) -> float:
        if self.pin is None or pin != self.pin:
            return 0.0
        elapsed = time.monotonic() - self._started
        if elapsed >= FLASH_SECONDS:
            return 0.0
        # three pulses, fading out
        phase = (elapsed / FLASH_SECONDS) * 3.0
        pulse = 1.0 - abs((phase % 1.0) * 2.0 - 1.0)
        return pulse * (1.0 - elapsed / FLASH_SECONDS * 0.5)

    def _tick(self) -> None:
        if time.monotonic() - self._started >= FLASH_SECONDS:
            self._timer.stop()
            self.pin = None
        self.changed.emit()
