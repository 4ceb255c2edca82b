"""Small line icons for the viewer toolbars, drawn with QPainter on demand: crisp at any
pixel ratio, in the palette's colours, no files."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

SIZE = 20
_Drawer = Callable[[QPainter], None]


def _chevron(up: bool) -> _Drawer:
    def draw(p: QPainter) -> None:
        if up:
            p.drawPolyline([QPointF(5, 12.5), QPointF(10, 7.5), QPointF(15, 12.5)])
        else:
            p.drawPolyline([QPointF(5, 7.5), QPointF(10, 12.5), QPointF(15, 7.5)])

    return draw


def _magnifier(sign: str) -> _Drawer:
    def draw(p: QPainter) -> None:
        p.drawEllipse(QRectF(3, 3, 11, 11))
        p.drawLine(QPointF(12.5, 12.5), QPointF(17, 17))
        if sign:
            p.drawLine(QPointF(6, 8.5), QPointF(11, 8.5))
        if sign == "+":
            p.drawLine(QPointF(8.5, 6), QPointF(8.5, 11))

    return draw


def _rotate(clockwise: bool) -> _Drawer:
    def draw(p: QPainter) -> None:
        path = QPainterPath()
        rect = QRectF(4, 4, 12, 12)
        if clockwise:
            path.arcMoveTo(rect, 150)
            path.arcTo(rect, 150, -250)
            tip, a, b = QPointF(15.2, 5.5), QPointF(15.6, 9.2), QPointF(11.8, 5.2)
        else:
            path.arcMoveTo(rect, 30)
            path.arcTo(rect, 30, 250)
            tip, a, b = QPointF(4.8, 5.5), QPointF(4.4, 9.2), QPointF(8.2, 5.2)
        p.drawPath(path)
        p.drawPolyline([b, tip, a])

    return draw


def _sidebar(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(3, 4, 14, 12), 1.5, 1.5)
    p.drawLine(QPointF(8, 4), QPointF(8, 16))


def _fit_width(p: QPainter) -> None:
    p.drawRect(QRectF(6, 3, 8, 14))
    p.drawPolyline([QPointF(3.5, 8), QPointF(1.5, 10), QPointF(3.5, 12)])
    p.drawPolyline([QPointF(16.5, 8), QPointF(18.5, 10), QPointF(16.5, 12)])


def _fit_page(p: QPainter) -> None:
    p.drawRect(QRectF(5, 3, 10, 14))
    p.drawLine(QPointF(8, 7), QPointF(12, 7))
    p.drawLine(QPointF(8, 10), QPointF(12, 10))
    p.drawLine(QPointF(8, 13), QPointF(11, 13))


def _info(p: QPainter) -> None:
    p.drawEllipse(QRectF(3, 3, 14, 14))
    p.drawLine(QPointF(10, 9), QPointF(10, 14))
    p.drawPoint(QPointF(10, 6.3))


def _close(p: QPainter) -> None:
    p.drawLine(QPointF(6, 6), QPointF(14, 14))
    p.drawLine(QPointF(14, 6), QPointF(6, 14))


def _pin(p: QPainter) -> None:
    pen = p.pen()
    pen.setStyle(Qt.PenStyle.DashLine)
    pen.setDashPattern([2.0, 1.5])
    p.setPen(pen)
    p.drawRect(QRectF(3, 5, 14, 10))


def _actual_size(p: QPainter) -> None:
    p.drawRect(QRectF(3, 4, 14, 12))
    font = p.font()
    font.setPixelSize(7)
    font.setBold(True)
    p.setFont(font)
    p.drawText(QRectF(3, 4, 14, 12), Qt.AlignmentFlag.AlignCenter, "1:1")


_DRAWERS: dict[str, _Drawer] = {
    "previous": _chevron(True),
    "next": _chevron(False),
    "zoom-in": _magnifier("+"),
    "zoom-out": _magnifier("-"),
    "search": _magnifier(""),
    "rotate-left": _rotate(False),
    "rotate-right": _rotate(True),
    "sidebar": _sidebar,
    "fit-width": _fit_width,
    "fit-page": _fit_page,
    "info": _info,
    "close": _close,
    "pin": _pin,
    "actual-size": _actual_size,
}


class _LineIcon(QIconEngine):
    """Draws one line icon at whatever size and pixel ratio is asked for, in the button
    text colour of the application's palette at that moment (light and dark alike)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def clone(self) -> QIconEngine:
        return _LineIcon(self._name)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        palette = QGuiApplication.palette()
        group = QPalette.ColorGroup.Disabled if mode is QIcon.Mode.Disabled \
            else QPalette.ColorGroup.Normal
        colour = QColor(palette.color(group, QPalette.ColorRole.ButtonText))
        colour.setAlphaF(0.45 if mode is QIcon.Mode.Disabled else 0.85)  # softer than text
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.topLeft())
        painter.scale(rect.width() / SIZE, rect.height() / SIZE)
        pen = QPen(colour, 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        _DRAWERS[self._name](painter)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,  # noqa: N802
                     scale: float) -> QPixmap:
        pixmap = QPixmap(round(size.width() * scale), round(size.height() * scale))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, pixmap.width(), pixmap.height()), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap


def icon(name: str) -> QIcon:
    """The named toolbar icon; it follows the palette (a new one each call: icons are
    cheap, and the engine draws on demand)."""
    if name not in _DRAWERS:
        raise KeyError(name)
    return QIcon(_LineIcon(name))
