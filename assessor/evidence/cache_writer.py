"""Writing one evidence file into the cache as it arrives, encrypted chunk by chunk.

The writer keeps at most one chunk of plaintext in memory. It holds back the latest chunk
(up to a full one) until more data arrives, so that ``commit`` can seal it as the final
chunk and ``close`` can seal it as an ordinary one for a later resume. A resumed writer
decrypts the partial file once to rebuild the sha256 state (hashlib state cannot be saved)
and reloads the held-back chunk, which it then rewrites in place.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from assessor.evidence.cache_format import (
    HEADER_BYTES,
    OVERHEAD,
    ChunkAuthError,
    ChunkCipher,
    FormatError,
    Header,
)
from assessor.evidence.cache_lock import FileLock
from assessor.evidence.errors import (
    EvidenceError,
    EvidenceIntegrityError,
    EvidenceTooLargeError,
    short,
)

_WRITE_BUFFER = 1024 * 1024


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in ``path`` durable (POSIX; Windows has no directory fsync)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def disk_error(action: str, sha256: str, exc: OSError) -> EvidenceError:
    reason = exc.strerror or type(exc).__name__
    return EvidenceError(
        f"Could not {action} evidence file {short(sha256)} in the cache ({reason}). "
        "Check that the disk has free space and is writable, then sync again."
    )


class EvidenceWriter:
    """One download's way into the cache. Context manager; leaving it without ``commit``
    keeps what was written, for a resume.

    ``offset`` is how many plaintext bytes are stored (ask the hub for the rest with an
    HTTP Range from there); ``expected_size`` is the size the file was announced with.
    """

    offset: int
    expected_size: int

    def __init__(self, sha256: str, expected_size: int, *, key: bytes, chunk_size: int,
                 partial: Path, committed: Path, lock: FileLock) -> None:
        """Used by ``EvidenceCache.begin``, which holds ``lock`` for this digest."""
        self.sha256 = sha256
        self.expected_size = expected_size
        self.offset = 0
        self._key = key
        self._partial = partial
        self._committed = committed
        self._lock = lock
        self._done = False
        self._hash = hashlib.sha256()
        self._buf = bytearray()
        self._index = 0  # the index the held-back chunk will be sealed with
        self._file: BinaryIO | None = None
        try:
            if not self._resume():
                self._start(chunk_size)
        except OSError as exc:
            self._abandon()
            raise disk_error("start writing", sha256, exc) from None
        except BaseException:
            self._abandon()
            raise

    # -- opening ------------------------------------------------------------------------

    def _open(self, flags: int) -> BinaryIO:
        fd = os.open(self._partial, os.O_RDWR | flags, 0o600)
        return os.fdopen(fd, "r+b", buffering=_WRITE_BUFFER)

    def _start(self, chunk_size: int) -> None:
        self._header = Header(chunk_size, self.expected_size)
        self._cipher = ChunkCipher(self._key, self.sha256, self._header)
        self._file = self._open(os.O_CREAT | os.O_TRUNC)
        self._file.write(self._header.pack())

    def _resume(self) -> bool:
        """Pick up a partial download; False (and the partial gone) when there is none
        usable: a different announced size, a damaged header, or a record that fails
        its check anywhere but at the very end (a torn last write is simply dropped)."""
        try:
            file = self._open(0)
        except FileNotFoundError:
            return False
        self._file = file
        try:
            self._load(file)
        except (FormatError, ChunkAuthError):
            file.close()
            self._file = None
            self._partial.unlink(missing_ok=True)
            self._hash = hashlib.sha256()
            self._buf = bytearray()
            self._index = self.offset = 0
            return False
        return True

    def _load(self, file: BinaryIO) -> None:
        header = Header.unpack(file.read(HEADER_BYTES))
        if header.size != self.expected_size:
            raise FormatError("announced with another size")
        self._header = header
        self._cipher = ChunkCipher(self._key, self.sha256, header)
        body = os.fstat(file.fileno()).st_size - HEADER_BYTES
        count = -(-body // header.record_size)
        end = HEADER_BYTES  # where the last good record ends
        for index in range(count):
            record = file.read(header.record_size)
            try:
                chunk = self._cipher.open(index, False, record)
            except ChunkAuthError:
                if index == count - 1:
                    break  # torn by a crash mid-write: drop it
                raise
            if self.offset + len(chunk) > self.expected_size:
                raise FormatError("more than announced")
            self._hash.update(chunk)
            self.offset += len(chunk)
            self._buf = bytearray(chunk)
            self._index = index
            end = header.record_offset(index) + OVERHEAD + len(chunk)
        file.truncate(end)
        file.seek(header.record_offset(self._index) if self.offset else HEADER_BYTES)

    # -- writing ------------------------------------------------------------------------

    def _check_open(self) -> BinaryIO:
        if self._done or self._file is None:
            raise ValueError("this evidence writer is already closed")
        return self._file

    def _seal_held_chunk(self, file: BinaryIO, *, final: bool) -> None:
        file.write(self._cipher.seal(self._index, final, self._buf))

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Add the next bytes; refused (and nothing of them kept) past ``expected_size``."""
        file = self._check_open()
        view = memoryview(data).cast("B")
        size = len(view)
        if self.offset + size > self.expected_size:
            raise EvidenceTooLargeError(
                f"The evidence file {short(self.sha256)} was announced as "
                f"{self.expected_size} bytes, but more arrived. The download was stopped "
                "and nothing past the announced size was kept."
            )
        self._hash.update(view)
        chunk_size = self._header.chunk_size
        pos = 0
        try:
            while pos < size:
                if len(self._buf) == chunk_size:  # more is coming: this one is not final
                    self._seal_held_chunk(file, final=False)
                    self._buf = bytearray()
                    self._index += 1
                take = min(chunk_size - len(self._buf), size - pos)
                self._buf += view[pos:pos + take]
                pos += take
        except OSError as exc:
            self._abandon()  # a resume finds what reached the disk intact
            raise disk_error("write", self.sha256, exc) from None
        self.offset += size

    def commit(self) -> None:
        """Check size and sha256, then make the file a committed cache entry.

        On a mismatch the partial is deleted, the cache is as it was before, and
        ``EvidenceIntegrityError`` says so.
        """
        file = self._check_open()
        if self.offset != self.expected_size or self._hash.hexdigest() != self.sha256:
            got = (f"{self.offset} of the {self.expected_size} bytes announced arrived"
                   if self.offset != self.expected_size else "its contents differ")
            self._abandon()
            self._partial.unlink(missing_ok=True)
            raise EvidenceIntegrityError(
                f"The evidence file {short(self.sha256)} did not match its sha256 ({got}); "
                "it was discarded. Sync again to download it afresh; if this keeps "
                "happening, tell the organisation that runs the hub."
            )
        try:
            self._seal_held_chunk(file, final=True)
            file.truncate()
            file.flush()
            os.fsync(file.fileno())
            file.close()
            os.replace(self._partial, self._committed)
            fsync_dir(self._committed.parent)
        except OSError as exc:
            self._abandon()
            raise disk_error("store", self.sha256, exc) from None
        self._abandon()

    def close(self) -> None:
        """Stop without committing; what was written stays, durably, for a resume."""
        if self._done:
            return
        file = self._file
        try:
            if file is not None and self.offset == 0:
                file.close()
                self._partial.unlink(missing_ok=True)
            elif file is not None:
                self._seal_held_chunk(file, final=False)
                file.truncate()
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            raise disk_error("save the downloaded part of", self.sha256, exc) from None
        finally:
            self._abandon()

    def _abandon(self) -> None:
        """Let go of the file and the lock, writing nothing more."""
        self._done = True
        file, self._file = self._file, None
        try:
            if file is not None:
                file.close()
        except OSError:
            pass
        finally:
            self._lock.release()

    def __del__(self) -> None:
        if not getattr(self, "_done", True):
            self._abandon()

    def __enter__(self) -> EvidenceWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
