"""Evidence on the desktop: the encrypted, content-addressed cache (``cache``), its key
(``cache_key``) and errors. See ``cache_format`` for the bytes on disk."""

from assessor.evidence.cache import EvidenceCache
from assessor.evidence.cache_key import KEY_NAME, load_cache_key
from assessor.evidence.cache_reader import EvidenceReader
from assessor.evidence.cache_writer import EvidenceWriter
from assessor.evidence.errors import (
    EvidenceBusyError,
    EvidenceCorruptError,
    EvidenceError,
    EvidenceIntegrityError,
    EvidenceMissingError,
    EvidenceTooLargeError,
    InvalidDigestError,
)

__all__ = [
    "KEY_NAME",
    "EvidenceBusyError",
    "EvidenceCache",
    "EvidenceCorruptError",
    "EvidenceError",
    "EvidenceIntegrityError",
    "EvidenceMissingError",
    "EvidenceReader",
    "EvidenceTooLargeError",
    "EvidenceWriter",
    "InvalidDigestError",
    "load_cache_key",
]
