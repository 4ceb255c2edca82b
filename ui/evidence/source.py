"""EvidenceSource: an evidence file's bytes from this computer's encrypted cache.

``read`` runs on a worker thread. The cache's data key comes from the OS keychain the first
time a downloaded file is read, and is kept in memory (never on disk) for later reads; a
file that has not arrived yet is recognised without asking the keychain at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assessor.errors import UserFacingError

if TYPE_CHECKING:
    from assessor.domain.submission import EvidenceItem
    from assessor.evidence.cache import EvidenceCache

NOT_DOWNLOADED = "Not downloaded yet — it arrives with the next sync"


class EvidenceNotDownloaded(UserFacingError):
    """The file is not in this computer's cache (yet)."""


def _keychain_key() -> bytes:
    from assessor.evidence.cache_key import load_cache_key

    return load_cache_key()


class EvidenceSource:
    def __init__(self, root: Path, key: Callable[[], bytes] = _keychain_key) -> None:
        self.root = root
        self._key = key
        self._cache: EvidenceCache | None = None
        self._lock = threading.Lock()

    def downloaded(self, sha256: str) -> bool:
        """Whether the file has arrived (``objects/<sha256>``: see ``assessor.evidence.cache``)."""
        from assessor.evidence.cache import check_digest

        return (self.root / "objects" / check_digest(sha256)).is_file()

    def cache(self) -> EvidenceCache:
        with self._lock:
            if self._cache is None:
                from assessor.evidence.cache import EvidenceCache

                self._cache = EvidenceCache(self.root, self._key())
            return self._cache

    def read(self, item: EvidenceItem) -> bytes:
        """The whole file, checked against its sha256 (worker thread). Raises
        ``EvidenceNotDownloaded``, the cache's ``EvidenceError``s or ``KeychainError``."""
        from assessor.evidence.errors import EvidenceMissingError

        if not self.downloaded(item.sha256):
            raise EvidenceNotDownloaded(NOT_DOWNLOADED)
        try:
            return self.cache().read(item.sha256)
        except EvidenceMissingError:  # removed between the check and the read
            raise EvidenceNotDownloaded(NOT_DOWNLOADED) from None
