"""Drive the real window as a user does (key presses, mouse drags), wait for what the
window shows, and save grabs as small PNGs."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QEventLoop, QIODevice, QPoint, Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

MAX_PNG_BYTES = 300_000


def settle(ms: int) -> None:
    """Let the event loop run for ``ms`` (paints, timers, queued signals)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshot: gave up waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.02)


def activate(window: QWidget) -> None:
    """Give the window the focus back after a dialog (offscreen there is no window manager
    to do it), so its shortcuts reach it."""
    window.activateWindow()
    wait_for(window.isActiveWindow, 5, "the window to be active")


def press(widget: QWidget, key: Qt.Key,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, key, modifier)
    QApplication.processEvents()


def type_text(widget: QWidget, text: str) -> None:
    QTest.keyClicks(widget, text)
    QApplication.processEvents()


def drag(surface: QWidget, start: QPoint, end: QPoint, steps: int = 6) -> None:
    QTest.mousePress(surface, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, steps + 1):
        QTest.mouseMove(surface, start + (end - start) * step / steps)
    QTest.mouseRelease(surface, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    QApplication.processEvents()


def save_png(pixmap: QPixmap, out: Path) -> int:
    """Save ``pixmap`` as a 256-colour PNG (median cut, no dithering: crisp text and flat
    UI colours, a third of the size); returns the file's size."""
    from PIL import Image

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
    out.parent.mkdir(parents=True, exist_ok=True)
    small.save(out, optimize=True)
    size = out.stat().st_size
    if size > MAX_PNG_BYTES:
        print(f"screenshot: {out.name} is {size // 1000} KB (over {MAX_PNG_BYTES // 1000} KB)")
    return size


def grab(widget: QWidget, out: Path) -> None:
    settle(250)
    size = save_png(widget.grab(), out)
    print(f"  {out.name:<24} {widget.width()}×{widget.height()}  {size // 1000} KB")
