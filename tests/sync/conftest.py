"""Desktops syncing with a real hub on a loopback port (SQLite back end), and a hostile
"hub" (a real HTTP server that answers wrongly on purpose) for the bad-input tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assessor.config import Settings, load_settings
from assessor.evidence.cache import EvidenceCache
from assessor.evidence.cache_key import load_cache_key
from assessor.hub.config import HubConfig
from assessor.hub.server import BackgroundHub, free_port
from assessor.keys import KeychainSecrets
from assessor.paths import AppPaths
from assessor.store.database import open_database
from assessor.store.store import Store
from assessor.sync.account import sign_in, token_for, token_name
from assessor.sync.client import HubClient
from assessor.sync.engine import SyncEngine, SyncReport
from tests.hub.conftest import PASSWORD, SEEDED, RunningHub, seed_organisation


@pytest.fixture
def sync_hub(tmp_path: Path) -> Iterator[RunningHub]:
    """A served hub (SQLite) with an organisation, one user of each role and a template."""
    port = free_port()
    config = HubConfig(database_url=str(tmp_path / "hub.sqlite3"),
                       data_dir=tmp_path / "hub-data", public_url=f"http://127.0.0.1:{port}")
    users = seed_organisation(config, SEEDED, template=True)
    with BackgroundHub(config, port=port):
        yield RunningHub(f"http://127.0.0.1:{port}", config, users)
    secrets = KeychainSecrets()
    secrets.delete(token_name(f"http://127.0.0.1:{port}"))


@dataclass
class Desktop:
    """One assessor's laptop: its own data directory, store and evidence cache."""

    paths: AppPaths
    store: Store = field(init=False)

    def __post_init__(self) -> None:
        self.store = Store(open_database(self.paths.store, self.paths.backups))

    @property
    def settings(self) -> Settings:
        return load_settings(self.paths.home)

    @property
    def cache(self) -> EvidenceCache:
        return EvidenceCache(self.paths.evidence, load_cache_key())

    def sign_in(self, hub_url: str, username: str, password: str = PASSWORD) -> None:
        sign_in(self.paths.home, hub_url, username, password=password)

    def sync(self, *, evidence: bool = True, cancelled: Callable[[], bool] = lambda: False,
             client: HubClient | None = None) -> SyncReport:
        settings = self.settings
        own = client or HubClient(settings.hub_url, token_for(settings))
        try:
            return SyncEngine(self.store, own, self.cache if evidence else None,
                              cancelled=cancelled).run(evidence=evidence)
        finally:
            own.close()

    def restart(self) -> None:
        """Close and reopen the store, as quitting and starting the app does."""
        self.store.close()
        self.store = Store(open_database(self.paths.store, self.paths.backups))


@pytest.fixture
def desktops(tmp_path: Path) -> Iterator[Callable[[str], Desktop]]:
    made: list[Desktop] = []

    def make(name: str) -> Desktop:
        desktop = Desktop(AppPaths(tmp_path / f"desktop-{name}").ensure())
        made.append(desktop)
        return desktop

    yield make
    for desktop in made:
        desktop.store.close()


Handler = Callable[[BaseHTTPRequestHandler], None]


class HostileHub:
    """A real HTTP server on loopback whose answers the test writes by hand."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        hostile = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _route(self) -> None:
                path = self.path.split("?", 1)[0]
                hostile.requests.append((self.command, self.path, dict(self.headers)))
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                for prefix, handler in hostile.routes.items():
                    if path.startswith(prefix):
                        handler(self)
                        return
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_DELETE = do_HEAD = _route

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile() -> Iterator[HostileHub]:
    server = HostileHub()
    yield server
    server.close()
