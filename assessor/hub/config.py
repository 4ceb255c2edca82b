"""How one hub runs: its database, data directory, public URL and limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class HubConfig:
    database_url: str
    """A SQLite path or URL, or ``postgresql://user:pass@host/db`` (psycopg 3)."""
    data_dir: Path
    """Evidence files live here, content-addressed under ``blobs/``."""
    public_url: str = "http://127.0.0.1:8700"
    """Where learners, desktops and verifiers reach the hub; the ``did:web`` derives from it."""
    max_file_bytes: int = 200 * MB
    max_upload_bytes: int = 500 * MB
    max_files: int = 50
    token_days: int = 30
    sign_in_attempts: int = 10
    """Failed sign-ins one user name may make within ``sign_in_window_seconds`` before
    further attempts are refused for a while (0: no limit)."""
    sign_in_window_seconds: float = 15 * 60

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/")
