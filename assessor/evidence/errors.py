"""What can go wrong with the evidence cache, in words the assessor can act on."""

from __future__ import annotations

from assessor.errors import UserFacingError, ValidationError


class EvidenceError(UserFacingError):
    """Root of the evidence cache's errors."""


class EvidenceIntegrityError(EvidenceError):
    """A download did not match the size or sha256 it was announced with; it was discarded."""


class EvidenceTooLargeError(EvidenceError):
    """More bytes arrived than the evidence file was announced to hold."""


class EvidenceMissingError(EvidenceError):
    """The evidence file is not in this computer's cache."""


class EvidenceCorruptError(EvidenceError):
    """A cached file failed authentication: changed on disk, damaged, or another key."""


class EvidenceBusyError(EvidenceError):
    """Another download of the same evidence file is under way."""


class InvalidDigestError(ValidationError):
    """A name that is not a sha256 digest (64 lowercase hex characters)."""


def short(sha256: str) -> str:
    """How messages name an evidence file: the first 12 characters of its digest."""
    return sha256[:12]
