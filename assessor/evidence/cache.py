"""The desktop's evidence cache: content-addressed by sha256, encrypted at rest.

Layout under the cache folder (names carry nothing but the digest)::

    objects/<sha256>          committed files: verified, complete, encrypted
    partial/<sha256>          downloads under way or interrupted, encrypted the same way
    locks/<sha256>.lock       empty; held by the one writer of that digest

See ``cache_format`` for the bytes of a file. A file reaches ``objects/`` only by an atomic
rename after its size and sha256 have been checked and it has been fsynced, so a crash
never leaves something that looks complete and is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from assessor.evidence.cache_format import (
    DEFAULT_CHUNK_SIZE,
    KEY_BYTES,
    MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE,
)
from assessor.evidence.cache_lock import FileLock, LockBusy
from assessor.evidence.cache_reader import EvidenceReader
from assessor.evidence.cache_writer import EvidenceWriter, disk_error, fsync_dir
from assessor.evidence.errors import (
    EvidenceBusyError,
    EvidenceError,
    EvidenceMissingError,
    InvalidDigestError,
    short,
)

_DIGEST = re.compile(r"[0-9a-f]{64}")


def check_digest(sha256: str) -> str:
    if not isinstance(sha256, str) or not _DIGEST.fullmatch(sha256):
        raise InvalidDigestError(
            f"{sha256!r:.80} is not a sha256 digest (64 lowercase hexadecimal characters), "
            "so it cannot name an evidence file."
        )
    return sha256


class EvidenceCache:
    """Encrypted evidence files on this computer, each named by its plaintext's sha256."""

    def __init__(self, root: Path, key: bytes, *,
                 chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("the evidence cache key must be 32 bytes")
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size must be {MIN_CHUNK_SIZE} to {MAX_CHUNK_SIZE} bytes")
        self.root = root
        self._key = key
        self._chunk_size = chunk_size
        self._objects = root / "objects"
        self._partials = root / "partial"
        self._locks = root / "locks"
        try:
            for folder in (root, self._objects, self._partials, self._locks):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise EvidenceError(
                f"The evidence cache folder {root} cannot be created or used "
                f"({exc.strerror or type(exc).__name__}). Check its permissions and free space."
            ) from None

    def _committed(self, sha256: str) -> Path:
        return self._objects / check_digest(sha256)

    def _lock(self, sha256: str) -> FileLock:
        lock = FileLock(self._locks / f"{sha256}.lock")
        try:
            lock.acquire()
        except LockBusy:
            raise EvidenceBusyError(
                f"The evidence file {short(sha256)} is already being downloaded (by another "
                "sync in this window or another Assessor). Wait for that one to finish."
            ) from None
        return lock

    # -- committed files ----------------------------------------------------------------

    def has(self, sha256: str) -> bool:
        """Whether the file is committed here (not checked for damage: ``open`` does)."""
        return self._committed(sha256).is_file()

    def open(self, sha256: str) -> EvidenceReader:
        """A seekable plaintext stream; raises ``EvidenceMissingError`` or
        ``EvidenceCorruptError`` (never wrong bytes)."""
        path = self._committed(sha256)
        try:
            return EvidenceReader(path, sha256, self._key)
        except FileNotFoundError:
            raise EvidenceMissingError(
                f"The evidence file {short(sha256)} is not on this computer yet. Sync with "
                "the hub to download it."
            ) from None
        except OSError as exc:
            raise EvidenceError(
                f"The cached evidence file {short(sha256)} cannot be read "
                f"({exc.strerror or type(exc).__name__}). Check the permissions of {self.root}."
            ) from None

    def size(self, sha256: str) -> int:
        """The plaintext size of a committed file (its final chunk is authenticated)."""
        with self.open(sha256) as reader:
            return reader.size

    def read(self, sha256: str) -> bytes:
        """The whole plaintext, in memory (for viewing; stream big media with ``open``)."""
        with self.open(sha256) as reader:
            return reader.readall()

    def remove(self, sha256: str) -> None:
        """Forget the file, and any partial download of it that no one is writing."""
        path = self._committed(sha256)
        try:
            path.unlink(missing_ok=True)
            fsync_dir(self._objects)
        except OSError as exc:
            raise disk_error("remove", sha256, exc) from None
        try:
            self.discard_partial(sha256)
        except EvidenceBusyError:
            pass  # its writer decides what becomes of it

    def digests(self) -> Iterator[str]:
        """The digests of the committed files."""
        for path in self._objects.iterdir():
            if _DIGEST.fullmatch(path.name):
                yield path.name

    def usage(self) -> int:
        """Bytes the cache takes on disk, committed and partial files together."""
        total = 0
        for folder in (self._objects, self._partials):
            for path in folder.iterdir():
                try:
                    total += path.stat().st_size
                except FileNotFoundError:
                    pass  # removed or committed while we looked
        return total

    # -- downloads ----------------------------------------------------------------------

    def begin(self, sha256: str, expected_size: int) -> EvidenceWriter:
        """A writer for this file, resuming a partial download of it when there is one
        (then its ``offset`` > 0). A damaged partial is discarded and the writer starts at 0.
        Raises ``EvidenceBusyError`` while another writer has the same digest."""
        check_digest(sha256)
        if isinstance(expected_size, bool) or not isinstance(expected_size, int) \
                or expected_size < 0:
            raise ValueError(f"expected_size must be a size in bytes, not {expected_size!r}")
        lock = self._lock(sha256)
        return EvidenceWriter(sha256, expected_size, key=self._key,
                              chunk_size=self._chunk_size,
                              partial=self._partials / sha256,
                              committed=self._committed(sha256), lock=lock)

    def discard_partial(self, sha256: str) -> None:
        """Delete a partial download (refused with ``EvidenceBusyError`` while one writes)."""
        check_digest(sha256)
        lock = self._lock(sha256)
        try:
            (self._partials / sha256).unlink(missing_ok=True)
        except OSError as exc:
            raise disk_error("remove the partial download of", sha256, exc) from None
        finally:
            lock.release()
