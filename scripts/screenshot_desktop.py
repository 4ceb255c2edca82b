"""Another desktop on the same hub (a colleague's laptop, or the assessor's own office
computer): its own data folder and store, its sign-in kept in memory so the window's
sign-in in the keychain stays as it is."""

from __future__ import annotations

from pathlib import Path

from assessor.domain.people import Actor
from assessor.keys import KeychainSecrets
from assessor.paths import AppPaths
from assessor.sync.account import sign_in, token_name
from assessor.sync.client import HubClient
from assessor.sync.engine import SyncEngine, SyncReport
from assessor.workstation import Workstation


class MemorySecrets(KeychainSecrets):
    """Secrets held in this process only (the other desktop's sync token)."""

    def __init__(self) -> None:
        super().__init__()
        self._values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def put(self, name: str, value: str) -> None:
        self._values[name] = value

    def delete(self, name: str) -> bool:
        return self._values.pop(name, None) is not None


class OtherDesktop:
    def __init__(self, folder: Path, hub_url: str, username: str, password: str) -> None:
        self.paths = AppPaths(folder).ensure()
        self.hub_url = hub_url
        self._secrets = MemorySecrets()
        sign_in(self.paths.home, hub_url, username, password=password,
                secrets=self._secrets, enrol_key=False)
        self.workstation = Workstation.open(self.paths)

    @property
    def actor(self) -> Actor:
        return self.workstation.actor

    def sync(self) -> SyncReport:
        with HubClient(self.hub_url, self._secrets.get(token_name(self.hub_url))) as client:
            return SyncEngine(self.workstation.store, client, None).run(evidence=False)

    def close(self) -> None:
        self.workstation.close()

    def submission_ids(self) -> list[str]:
        from assessor.store.database import read_only_connection

        connection = read_only_connection(self.paths.store)
        try:
            return [row[0] for row in connection.execute("SELECT id FROM submissions")]
        finally:
            connection.close()
