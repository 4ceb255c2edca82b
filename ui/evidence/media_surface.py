"""MediaVideoSurface: paints the player's frames (from a QVideoSink) scaled to fit, on black.

Painting the frames ourselves, rather than a native QVideoWidget window, keeps the picture in
the widget tree: it grabs, overlays and clips like any widget, on every platform plugin.

Signals:
    frame_shown(int): a new frame arrived; its start time in milliseconds (-1 if unknown).
    clicked(): the user clicked the picture (the view toggles play/pause).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtMultimedia import QVideoFrame, QVideoSink
from PySide6.QtWidgets import QSizePolicy, QWidget


class MediaVideoSurface(QWidget):
    frame_shown = Signal(int)
    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mediaVideo")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self._on_frame)
        self._frame: QVideoFrame | None = None
        self._image: QImage | None = None
        self.frames_seen = 0
        """Valid frames received since the last reset (0: nothing decoded yet)."""
        self.last_frame_ms = -1
        """Start time of the frame on screen, in ms (-1: none, or the backend did not say)."""
        self.last_frame_duration_ms = 0
        """End minus start of the frame on screen, when the backend says (else 0)."""

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def new_sink(self) -> QVideoSink:
        """A fresh sink for a new player; frames from the old one are ignored from now."""
        self.sink.videoFrameChanged.disconnect(self._on_frame)
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self._on_frame)
        return self.sink

    def reset(self) -> None:
        """Forget the picture (a new recording, or none)."""
        self._frame = None
        self._image = None
        self.frames_seen = 0
        self.last_frame_ms = -1
        self.last_frame_duration_ms = 0
        self.update()

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        self._frame = frame
        self._image = None  # converted when painted: several frames may arrive per repaint
        self.frames_seen += 1
        start, end = frame.startTime(), frame.endTime()
        self.last_frame_ms = start // 1000 if start >= 0 else -1
        self.last_frame_duration_ms = (end - start) // 1000 if start >= 0 and end > start else 0
        self.update()
        self.frame_shown.emit(self.last_frame_ms)

    def current_image(self) -> QImage | None:
        """The frame on screen as an image (None before the first frame)."""
        if self._image is None and self._frame is not None:
            image = self._frame.toImage()
            self._image = None if image.isNull() else image
        return self._image

    def picture_rect(self) -> QRect:
        """Where the frame is painted: scaled to fit, centred, aspect kept."""
        image = self.current_image()
        if image is None or image.width() <= 0 or image.height() <= 0:
            return QRect()
        size = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        left = (self.width() - size.width()) // 2
        top = (self.height() - size.height()) // 2
        return QRect(left, top, size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#101114"))
        image = self.current_image()
        if image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(self.picture_rect(), image)
        painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)
