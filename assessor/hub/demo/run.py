"""Serving the demo organisation: from ``hub demo`` in the foreground, or in-process on a
background thread for the desktop (``start_demo_hub``)."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

from assessor.hub.config import HubConfig
from assessor.hub.database import open_hub_database
from assessor.hub.demo.organisation import DEMO_ACCOUNTS, DEMO_ORGANISATION, DEMO_PASSWORD
from assessor.hub.demo.seed import DemoSummary, seed_demo
from assessor.hub.models import Organisation
from assessor.hub.server import BackgroundHub, free_port

DEMO_PORT = 8765
"""Where the in-process demo listens when it can, so its ``did:web`` stays the same."""


def demo_config(data_dir: Path, host: str = "127.0.0.1", port: int = DEMO_PORT,
                database_url: str | None = None) -> HubConfig:
    data_dir.mkdir(parents=True, exist_ok=True)
    return HubConfig(database_url=database_url or str(data_dir / "hub.sqlite3"),
                     data_dir=data_dir, public_url=f"http://{host}:{port}")


def prepare_demo(config: HubConfig) -> DemoSummary:
    """Create or upgrade the schema and seed the demo organisation if it is not there."""
    config.blob_dir.mkdir(parents=True, exist_ok=True)
    database = open_hub_database(config.database_url)
    try:
        with database.transaction() as session:
            return seed_demo(session, config)
    finally:
        database.dispose()


def welcome(url: str, summary: DemoSummary) -> str:
    """What ``hub demo`` prints: where the hub is and the demo accounts (whose password is
    published, the one password Assessor ever shows)."""
    seeded = (f"seeded {summary.submissions} submissions with {summary.evidence_files} "
              f"evidence files ({summary.evidence_bytes / 1e6:.1f} MB)" if summary.created
              else f"{summary.submissions} submissions, as left last time")
    lines = [f"{DEMO_ORGANISATION} demo hub on {url} ({seeded})",
             f"API reference: {url}/docs", "Demo accounts (password for each: "
             f"{DEMO_PASSWORD!r}):"]
    lines += [f"  {p.username:<10} {p.role:<10} {p.display_name}" for p in DEMO_ACCOUNTS]
    return "\n".join(lines)


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def _remembered_port(database_url: str) -> int | None:
    """The port the demo was last served on, if its database exists."""
    path = Path(database_url)
    if "://" not in database_url and not path.exists():
        return None
    database = open_hub_database(database_url)
    try:
        with database.transaction() as session:
            org = session.get(Organisation, 1)
            return urlsplit(org.public_url).port if org is not None else None
    finally:
        database.dispose()


def start_demo_hub(data_dir: Path, host: str = "127.0.0.1",
                   port: int | None = None) -> BackgroundHub:
    """Seed (on first start) and serve the demo on a background thread; the caller stops
    it. Without a port it reuses the last one, else ``DEMO_PORT``, else any free port."""
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = str(data_dir / "hub.sqlite3")
    if port is None:
        candidates = [p for p in (_remembered_port(database_url), DEMO_PORT) if p]
        port = next((p for p in candidates if _port_is_free(host, p)), None) \
            or free_port(host)
    config = demo_config(data_dir, host, port, database_url)
    prepare_demo(config)
    return BackgroundHub(config, host, port).start()
