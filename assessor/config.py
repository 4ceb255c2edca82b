"""User settings: who uses this desktop and which hub it talks to.

Settings are small, declared once with their defaults, and saved atomically as JSON in
the data directory. They hold no secrets: tokens and keys live in the OS keychain.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from assessor.domain.people import Actor, Role
from assessor.errors import UserFacingError

SETTINGS_FILE = "settings.json"


@dataclass(frozen=True)
class Settings:
    user_id: str = "demo-assessor"
    user_name: str = "Demo Assessor"
    role: str = Role.ASSESSOR.value
    hub_url: str = ""
    """Empty until the user signs in to an organisation's hub."""
    hub_username: str = ""
    demo_hub: bool = False
    """True while ``hub_url`` is the demo organisation this app serves in-process."""
    """The user name signed in to ``hub_url`` (its token is in the keychain, never here)."""
    sync_interval_seconds: int = 300
    organisation_name: str = "Demo Organisation"
    organisation_url: str = "https://demo.assessor.invalid"
    issuer_id: str = ""
    """The organisation's ``did:web`` once the hub enrols this computer's key; until then
    credentials are issued under the signing key's own ``did:key``."""
    status_list_url: str = ""
    """The hub's Bitstring Status List credential, for the revocation entry of credentials."""
    revocation_list_url: str = ""

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.user_name, Role(self.role))

    @property
    def hub_configured(self) -> bool:
        return bool(self.hub_url)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def load_settings(home: Path) -> Settings:
    path = home / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserFacingError(
            f"The settings file {path} cannot be read ({exc}). Fix or remove it; it holds "
            "only preferences, no judgments."
        ) from None
    if not isinstance(data, dict):
        raise UserFacingError(f"The settings file {path} does not hold a JSON object.")
    known = {f.name for f in fields(Settings)}
    settings = Settings(**{k: v for k, v in data.items() if k in known})
    try:
        Role(settings.role)
    except ValueError:
        raise UserFacingError(f"The settings file {path} names an unknown role "
                              f"{settings.role!r}.") from None
    return settings


def save_settings(home: Path, settings: Settings) -> None:
    home.mkdir(parents=True, exist_ok=True)
    path = home / SETTINGS_FILE
    partial = path.with_suffix(".json.partial")
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(asdict(settings), handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
