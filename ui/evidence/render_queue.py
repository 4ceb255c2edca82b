"""RenderQueue: page renders in priority order, a few at a time, stale ones dropped."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from assessor.evidence.render import PageImage, RenderError
from ui.evidence.background import BackgroundCalls
from ui.evidence.tiles import RenderKey

RenderFn = Callable[[RenderKey], PageImage]


def to_image(page: PageImage) -> QImage:
    """PageImage (RGB888) -> an RGB32 QImage that owns its pixels (runs on a worker thread,
    so the GUI thread never converts pixels)."""
    image = QImage(page.samples, page.width, page.height, page.stride, QImage.Format.Format_RGB888)
    return image.convertToFormat(QImage.Format.Format_RGB32)


def error_message(error: Exception) -> str:
    if isinstance(error, RenderError):
        return str(error) or "This page could not be shown."
    return f"This page could not be shown ({type(error).__name__})."


class RenderQueue(QObject):
    """At most ``max_in_flight`` renders run at once; the others wait in a list the view
    replaces on every scroll or zoom (``want``), so pages scrolled past never start. Answers
    for an old renderer (a closed or replaced document) are dropped.

    Signals:
        rendered(RenderKey, QImage)
        failed(RenderKey, str): the message to show in the page's place
    """

    rendered = Signal(object, object)
    failed = Signal(object, str)

    def __init__(self, *, max_in_flight: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.max_in_flight = max_in_flight
        self._render: RenderFn | None = None
        self._generation = 0
        self._waiting: list[RenderKey] = []
        self._in_flight: set[tuple[int, RenderKey]] = set()
        self._calls = BackgroundCalls(self)
        self.started = 0
        """Renders started (for tests and benchmarks)."""

    def set_renderer(self, render: RenderFn | None) -> None:
        self._generation += 1
        self._render = render
        self._waiting = []

    def want(self, keys: list[RenderKey]) -> None:
        """Render these, in this order (replaces whatever was waiting)."""
        current = {k for g, k in self._in_flight if g == self._generation}
        self._waiting = [k for k in keys if k not in current]
        self._pump()

    def is_in_flight(self, key: RenderKey) -> bool:
        return (self._generation, key) in self._in_flight

    def busy(self) -> bool:
        return bool(self._in_flight or self._waiting)

    def _pump(self) -> None:
        while self._waiting and len(self._in_flight) < self.max_in_flight:
            key = self._waiting.pop(0)
            self._start(key)

    def _start(self, key: RenderKey) -> None:
        render = self._render
        if render is None:
            return
        generation = self._generation
        self._in_flight.add((generation, key))
        self.started += 1

        def work() -> QImage:
            return to_image(render(key))

        def done(image: QImage | None, error: Exception | None) -> None:
            self._in_flight.discard((generation, key))
            if generation == self._generation:
                if error is not None:
                    self.failed.emit(key, error_message(error))
                elif image is not None:
                    self.rendered.emit(key, image)
            self._pump()

        self._calls.call(work, done)
