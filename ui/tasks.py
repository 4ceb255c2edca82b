"""TaskRunner: run core calls off the GUI thread and deliver results back onto it.

Two lanes: ``io`` (parallel: hashing, network, rendering) and ``store`` (one thread, so
SQLite writes happen one at a time and in the order the user made them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    """Created on the GUI thread, so its queued signals are delivered there."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:  # worker thread: never touch widgets here
        try:
            result = self._fn()
        except Exception as exc:  # delivered to on_error on the GUI thread
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._io = QThreadPool(self)
        self._store = QThreadPool(self)
        self._store.setMaxThreadCount(1)
        self._live: set[_Relay] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        *,
        store: bool = False,
    ) -> None:
        relay = _Relay()
        self._live.add(relay)

        def finish(callback: Callable[[Any], None] | None, value: Any) -> None:
            self._live.discard(relay)
            relay.deleteLater()
            if callback is not None:
                callback(value)

        relay.succeeded.connect(lambda value: finish(on_success, value))
        relay.failed.connect(lambda exc: finish(on_error or _unhandled, exc))
        (self._store if store else self._io).start(_Job(fn, relay))

    def pending(self) -> int:
        return len(self._live)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until both lanes are idle (used at shutdown so no write is cut off)."""
        return self._store.waitForDone(msecs) and self._io.waitForDone(msecs)


def _unhandled(exc: Exception) -> None:
    raise exc
