"""Blocking calls to the render service, run off the GUI thread; answers come back on it.

The evidence views share one thread pool with no parent (a pool owned by a widget would make
the widget's destruction wait for renders still in flight). The threads only wait on the
render service's worker processes, so a few are plenty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_POOL: list[QThreadPool] = []
POOL_THREADS = 4


def evidence_pool() -> QThreadPool:
    if not _POOL:
        pool = QThreadPool()
        pool.setMaxThreadCount(POOL_THREADS)
        _POOL.append(pool)
    return _POOL[0]


class _Relay(QObject):
    """Created on the GUI thread, so its queued signal is delivered there."""

    done = Signal(object, object)  # result, exception


class _Call(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:  # worker thread: never touch widgets here
        try:
            result = self._fn()
        except Exception as exc:  # handed to the GUI thread, shown there
            self._relay.done.emit(None, exc)
        else:
            self._relay.done.emit(result, None)


class _Alive:
    def __init__(self) -> None:
        self.alive = True

    def end(self, *_args: object) -> None:
        self.alive = False


class BackgroundCalls(QObject):
    """``call(fn, on_done)``: runs fn on the evidence pool, then on_done(result, error) on the
    GUI thread, unless this object was destroyed in between."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._live: set[_Relay] = set()
        self._alive = _Alive()
        self.destroyed.connect(self._alive.end)

    def call(
        self, fn: Callable[[], Any], on_done: Callable[[Any, Exception | None], None]
    ) -> None:
        relay = _Relay()
        self._live.add(relay)
        alive = self._alive
        live = self._live

        def finish(result: Any, error: Exception | None) -> None:
            live.discard(relay)
            relay.deleteLater()
            if alive.alive:
                on_done(result, error)

        relay.done.connect(finish)
        evidence_pool().start(_Call(fn, relay))

    def pending(self) -> int:
        return len(self._live)
