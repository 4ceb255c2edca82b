"""Workstation: the desktop's services over one data directory; the UI's one entry point.

Opening is split so the first window paints quickly: ``Workstation.open`` checks the
store's schema revision with plain ``sqlite3`` (Alembic runs only when it is behind) and
opens the fast read-only queue reader. Settings load on first use; the ORM-backed
``Store`` is built on first use, off the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from assessor.paths import AppPaths
from assessor.store.database import SchemaState, inspect_store, migrate
from assessor.store.queue import QueueReader

if TYPE_CHECKING:
    from assessor.config import Settings
    from assessor.credentials.service import SigningService
    from assessor.domain.people import Actor
    from assessor.keys import KeyCustody
    from assessor.store.store import Store

log = logging.getLogger(__name__)


class SyncStatus(NamedTuple):
    hub_url: str
    online: bool
    waiting: int
    last_sync: datetime | None = None

    def describe(self) -> str:
        changes = f"{self.waiting} change{'s' if self.waiting != 1 else ''} waiting"
        if not self.hub_url:
            return f"Offline — no hub configured — {changes}"
        if not self.online:
            return f"Offline — {changes}"
        if self.last_sync is None:
            return f"Online — never synced — {changes}"
        return f"Online — last sync {self.last_sync:%H:%M} — {changes}"


class Workstation:
    def __init__(self, paths: AppPaths, settings: Settings | None, queue: QueueReader) -> None:
        self.paths = paths
        self._settings = settings
        self.queue = queue
        self._store: Store | None = None
        self._store_lock = threading.Lock()

    @classmethod
    def open(cls, paths: AppPaths) -> Workstation:
        """Prepare the data directory and the store; raises ``UserFacingError`` if unusable."""
        paths.ensure()
        if inspect_store(paths.store).state is not SchemaState.CURRENT:
            log.info("creating or upgrading the store at %s", paths.store)
            migrate(paths.store, paths.backups)
        return cls(paths, None, QueueReader(paths.store))

    @property
    def settings(self) -> Settings:
        """This computer's settings (read from the data directory on first use)."""
        if self._settings is None:
            from assessor.config import load_settings

            self._settings = load_settings(self.paths.home)
        return self._settings

    def use_settings(self, settings: Settings) -> None:
        """Use ``settings`` from now on (after they were saved, e.g. by signing in)."""
        self._settings = settings

    @property
    def actor(self) -> Actor:
        return self.settings.actor

    @property
    def store(self) -> Store:
        """The read-write store (imports the ORM on first use: call it off the GUI thread)."""
        with self._store_lock:
            if self._store is None:
                from assessor.store.database import open_database
                from assessor.store.store import Store

                self._store = Store(open_database(self.paths.store, self.paths.backups))
            return self._store

    @property
    def keys(self) -> KeyCustody:
        from assessor.keys import KeyCustody

        return KeyCustody(self.paths.home)

    def signing(self) -> SigningService:
        """The signing service over this workstation's store, keys and organisation."""
        from assessor.credentials.ob3 import IssuerProfile
        from assessor.credentials.service import SigningService

        settings = self.settings
        issuer = IssuerProfile(settings.organisation_name, settings.organisation_url,
                               id=settings.issuer_id)
        hub = settings.hub_url or settings.organisation_url
        status = None
        if settings.status_list_url:
            from assessor.credentials.ob3 import StatusEntry
            from assessor.store.sync_store import SyncStore

            places, list_url = SyncStore(self.store), settings.status_list_url

            def status(submission_id: str) -> StatusEntry | None:
                index = places.status_index(submission_id)
                return None if index is None else StatusEntry(list_url, index)

        return SigningService(self.store, self.keys, issuer, hub, status=status,
                              revocation_list=settings.revocation_list_url)

    def sync_status(self) -> SyncStatus:
        return SyncStatus(
            hub_url=self.settings.hub_url,
            online=False,
            waiting=self.queue.outbox_count(),
        )

    def close(self) -> None:
        self.queue.close()
        if self._store is not None:
            self._store.close()
