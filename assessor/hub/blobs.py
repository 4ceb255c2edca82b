"""Where evidence bytes live: content-addressed files ``blobs/ab/cd/abcd…`` (sha256)."""

from __future__ import annotations

import re
from pathlib import Path

SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def is_sha256(text: str) -> bool:
    """``text`` is a lower-case hex sha256 digest (and so safe as a file name)."""
    return SHA256_HEX.fullmatch(text) is not None


def blob_path(blob_dir: Path, sha256: str) -> Path:
    """The file holding the bytes whose digest is ``sha256`` (which must be one)."""
    if not is_sha256(sha256):
        raise ValueError("not a lower-case hex sha256 digest")
    return blob_dir / sha256[:2] / sha256[2:4] / sha256
