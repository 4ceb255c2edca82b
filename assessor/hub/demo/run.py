"""Serving the demo organisation: from ``hub demo`` in the foreground, or in-process on a
background thread for the desktop (``start_demo_hub``)."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from assessor.errors import UserFacingError
from assessor.hub.config import HubConfig
from assessor.hub.database import open_hub_database
from assessor.hub.demo.organisation import DEMO_ACCOUNTS, DEMO_ORGANISATION, DEMO_PASSWORD
from assessor.hub.demo.seed import DemoSummary, seed_demo
from assessor.hub.enrolment_codes import issue_code
from assessor.hub.errors import HubError
from assessor.hub.hub_key import ensure_demo_key
from assessor.hub.models import Organisation
from assessor.hub.organisation import did_web_for
from assessor.hub.server import BackgroundHub, free_port

log = logging.getLogger("assessor.hub")

DEMO_ASSESSOR = "assessor"
"""The demo account the desktop signs in as."""

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


def demo_signing_key(config: HubConfig) -> str | None:
    """Make sure the demo hub can sign its status list (so it never answers 503): its key
    from the environment or the keychain, created there if missing, else a temporary key
    in memory. Returns the warning to show when it fell back to the temporary key."""
    return ensure_demo_key(did_web_for(config.public_url))


def demo_enrolment_code(config: HubConfig, username: str = DEMO_ASSESSOR) -> str:
    """A fresh one-time enrolment code for a demo account (it replaces any unused one)."""
    database = open_hub_database(config.database_url)
    try:
        with database.transaction() as session:
            return issue_code(session, username, days=1)[1]
    except HubError as exc:
        raise UserFacingError(f"The demo hub cannot sign in its {username!r} account: "
                              f"{exc.message}") from None
    finally:
        database.dispose()


@dataclass
class DemoHub:
    """The demo hub running in this process, and how the desktop signs in to it as the demo
    assessor without asking anybody anything."""

    server: BackgroundHub
    username: str
    """The demo assessor's user name."""
    password: str
    """The demo accounts' published password (a known demo value, not a secret)."""
    enrolment_code: str
    """A fresh one-time code for ``username``: signing in with it (instead of the password)
    gives a token that may enrol the desktop's signing key, whatever was enrolled before."""
    warning: str | None = None
    """Set when the hub signs its status list with a temporary key (no usable keychain)."""

    @property
    def url(self) -> str:
        """The hub's base URL, e.g. ``http://127.0.0.1:8765``."""
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> DemoHub:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_demo_hub(data_dir: Path, host: str = "127.0.0.1",
                   port: int | None = None) -> DemoHub:
    """Seed (on first start) and serve the demo on a background thread; the caller stops it
    (``DemoHub.stop()``, or use it as a context manager).

    Without a port it reuses the last one, else ``DEMO_PORT``, else any free port. Before
    serving it makes sure the hub can sign its status list (see ``demo_signing_key``; a
    fallback to a temporary key is logged and given as ``DemoHub.warning``).

    What the desktop does with the answer, when no hub is configured::

        demo = start_demo_hub(paths.home / "demo-hub")
        POST {demo.url}/api/v1/sessions
             {"username": demo.username, "enrolment_code": demo.enrolment_code,
              "device": ...}                       -> token (may enrol keys)
        POST {demo.url}/api/v1/me/keys  <keys export-public JSON>
                                                   -> issuer, verification_method, status_list

    ``demo.password`` signs in too (the demo's published password), for a desktop that
    only speaks passwords; its token may enrol a key only while the account has none.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = str(data_dir / "hub.sqlite3")
    if port is None:
        candidates = [p for p in (_remembered_port(database_url), DEMO_PORT) if p]
        port = next((p for p in candidates if _port_is_free(host, p)), None) \
            or free_port(host)
    config = demo_config(data_dir, host, port, database_url)
    prepare_demo(config)
    warning = demo_signing_key(config)
    if warning:
        log.warning("%s", warning)
    code = demo_enrolment_code(config)
    server = BackgroundHub(config, host, port).start()
    return DemoHub(server, DEMO_ASSESSOR, DEMO_PASSWORD, code, warning)
