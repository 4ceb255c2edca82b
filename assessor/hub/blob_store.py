"""Receiving evidence bytes into the content-addressed store.

An ``IncomingFile`` is written to a private temporary file inside the blob directory while
it streams in, hashing and sniffing as it goes. Only once the whole request is accepted is
it moved (an atomic rename on the same file system) to ``blobs/ab/cd/<sha256>``; bytes
already stored are not stored again. A refused request leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from assessor.hub.blobs import blob_path
from assessor.hub.models import Blob
from assessor.hub.sniffing import ContentProbe

INCOMING = ".incoming"
STALE_INCOMING_SECONDS = 3600
"""An upload whose file has not grown for this long was cut off (the hub was killed
mid-request): its bytes are removed when the hub next starts."""


@dataclass(frozen=True)
class ReceivedFile:
    sha256: str
    size: int
    media_type: str


class IncomingFile:
    """One file being received; ``close`` it, then ``keep`` it or ``discard`` it."""

    def __init__(self, blob_dir: Path) -> None:
        folder = blob_dir / INCOMING
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix="upload-", suffix=".partial", dir=folder)
        self.blob_dir = blob_dir
        self.path = Path(name)
        self._file = os.fdopen(handle, "wb")
        self._hash = hashlib.sha256()
        self._probe = ContentProbe()
        self.size = 0
        self._received: ReceivedFile | None = None

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._hash.update(chunk)
        self._probe.feed(chunk)
        self.size += len(chunk)

    def close(self) -> ReceivedFile:
        """Finish receiving: the file's digest, size and sniffed media type."""
        if self._received is None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._received = ReceivedFile(self._hash.hexdigest(), self.size,
                                          self._probe.media_type(self.path))
        return self._received

    def keep(self) -> Path:
        """Move the received bytes to their content address (once per sha256)."""
        received = self.close()
        target = blob_path(self.blob_dir, received.sha256)
        if target.exists():
            self.discard()
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path, target)
        return target

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)


def sweep_incoming(blob_dir: Path, *, older_than: float = STALE_INCOMING_SECONDS) -> int:
    """Remove uploads cut off by a crash (learners' evidence no one will ever serve);
    returns how many. An upload still streaming writes its file often, so it stays."""
    folder = blob_dir / INCOMING
    removed = 0
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return 0
    now = time.time()
    for entry in entries:
        try:
            if entry.is_file() and not entry.is_symlink() \
                    and now - entry.stat().st_mtime >= older_than:
                entry.unlink()
                removed += 1
        except OSError:
            continue  # gone already, or not ours to remove: leave it
    return removed


def record_blob(session: Session, received: ReceivedFile) -> None:
    """The ``blobs`` row for these bytes, unless it exists already."""
    if session.get(Blob, received.sha256) is None:
        session.add(Blob(sha256=received.sha256, size=received.size,
                         media_type=received.media_type))
