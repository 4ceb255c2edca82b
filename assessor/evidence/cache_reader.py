"""Reading a committed evidence file: a seekable stream of plaintext, one chunk at a time.

Opening checks the header and authenticates the final chunk, so the size is known to be
right before the first read. Each read decrypts only the chunk it lands in (and keeps that
one chunk for the next read), so a media player can seek around a long video cheaply.
Nothing is ever returned from a chunk that failed its check.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from assessor.evidence.cache_format import (
    HEADER_BYTES,
    OVERHEAD,
    ChunkAuthError,
    ChunkCipher,
    FormatError,
    Header,
)
from assessor.evidence.errors import EvidenceCorruptError, short

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


def corrupt(sha256: str) -> EvidenceCorruptError:
    return EvidenceCorruptError(
        f"The cached evidence file {short(sha256)} failed its integrity check: it was changed "
        "or damaged on disk, or it was encrypted with another key than this computer's "
        "keychain holds. Nothing of it was shown. Remove it from the cache and sync again to "
        "download it afresh."
    )


class EvidenceReader(io.RawIOBase):
    """Plaintext of one cached file: ``read``, ``readinto``, ``seek``, ``tell``, ``close``.

    Not shared between threads: give each thread its own reader.
    """

    def __init__(self, path: Path, sha256: str, key: bytes) -> None:
        super().__init__()
        self.sha256 = sha256
        self._file = open(path, "rb", buffering=0)
        self._pos = 0
        self._cached_index = -1
        self._cached = b""
        try:
            self._header, self._count, self._size = self._layout()
            self._cipher = ChunkCipher(key, sha256, self._header)
            self._chunk(self._count - 1)  # the final chunk vouches for the size
        except BaseException:
            self._file.close()
            raise

    def _layout(self) -> tuple[Header, int, int]:
        """The header, the number of records and the plaintext size, from the file size."""
        try:
            header = Header.unpack(self._read_exactly(0, HEADER_BYTES))
        except FormatError:
            raise corrupt(self.sha256) from None
        body = os.fstat(self._file.fileno()).st_size - HEADER_BYTES
        if body < OVERHEAD:
            raise corrupt(self.sha256)
        count = (body - OVERHEAD) // header.record_size + 1
        last = body - (count - 1) * header.record_size - OVERHEAD
        size = (count - 1) * header.chunk_size + last
        if last > header.chunk_size or (last == 0 and count > 1) or size != header.size:
            raise corrupt(self.sha256)
        return header, count, size

    def _read_exactly(self, offset: int, length: int) -> bytes:
        self._file.seek(offset)
        parts = []
        while length > 0:
            part = self._file.read(length)
            if not part:
                raise corrupt(self.sha256)  # shorter than it was a moment ago
            parts.append(part)
            length -= len(part)
        return b"".join(parts)

    def _chunk(self, index: int) -> bytes:
        if index != self._cached_index:
            final = index == self._count - 1
            length = (self._size - index * self._header.chunk_size if final
                      else self._header.chunk_size) + OVERHEAD
            record = self._read_exactly(self._header.record_offset(index), length)
            try:
                self._cached = self._cipher.open(index, final, record)
            except ChunkAuthError:
                raise corrupt(self.sha256) from None
            self._cached_index = index
        return self._cached

    @property
    def size(self) -> int:
        """The plaintext size, in bytes."""
        return self._size

    # -- io.RawIOBase -------------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self.closed:
            raise ValueError("read from a closed evidence reader")
        target = memoryview(buffer).cast("B")
        done = 0
        while done < len(target) and self._pos < self._size:
            index = self._pos // self._header.chunk_size
            chunk = self._chunk(index)
            start = self._pos - index * self._header.chunk_size
            take = min(len(target) - done, len(chunk) - start)
            target[done:done + take] = chunk[start:start + take]
            done += take
            self._pos += take
        return done

    def readall(self) -> bytes:
        out = bytearray(max(0, self._size - self._pos))
        got = self.readinto(out)
        return bytes(out[:got]) if got != len(out) else bytes(out)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self.closed:
            raise ValueError("seek on a closed evidence reader")
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}.get(whence)
        if base is None:
            raise ValueError(f"invalid whence {whence}")
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        file = getattr(self, "_file", None)  # absent when opening the file failed
        if file is not None:
            file.close()
            self._cached = b""
        super().close()
