"""One writer per evidence file at a time, across threads and processes.

The lock is an OS advisory lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) on a
small empty file named after the digest. The OS drops it when the process dies, so a crash
never leaves a file locked for good. A process-wide set covers threads as well, whatever
the platform's lock does within one process.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

_held: set[Path] = set()
_held_guard = threading.Lock()


class LockBusy(Exception):
    """Someone else holds the lock (internal; the cache says so in words)."""


def _try_os_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class FileLock:
    """An exclusive, non-blocking lock named by ``path``; ``release`` removes the file."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise ``LockBusy`` at once."""
        with _held_guard:
            if self._path in _held:
                raise LockBusy
            _held.add(self._path)
        try:
            self._fd = self._open_locked()
        except BaseException:
            with _held_guard:
                _held.discard(self._path)
            raise

    def _open_locked(self) -> int:
        while True:
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            if not _try_os_lock(fd):
                os.close(fd)
                raise LockBusy
            # The holder before us may have removed the file after we opened it: then our
            # lock is on a name nobody else will find. Lock the file that is there now.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self._path))
            except FileNotFoundError:
                same = False
            if same:
                return fd
            os.close(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            if sys.platform != "win32":  # Windows cannot remove a file that is open
                self._path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None
            with _held_guard:
                _held.discard(self._path)
