"""Signing in to a hub and out again.

The bearer token lives only in the OS keychain (``sync-token:<hub url>``); settings keep
who is signed in where, and what the hub said about the organisation (its ``did:web``,
name, address and status list), so credentials signed offline name the right issuer.
At sign-in an assessor's (or mentor's) public signing key is enrolled with the hub, made
first if there is none: from then on their credentials speak for the organisation.
"""

from __future__ import annotations

import logging
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessor.config import Settings, load_settings, save_settings
from assessor.keys import KeychainSecrets, KeyCustody
from assessor.sync.client import HubClient, normalise_hub_url
from assessor.sync.errors import HubRefused, SignInRequired, SyncError

log = logging.getLogger(__name__)

TOKEN_PREFIX = "sync-token:"
SIGNING_ROLES = ("assessor", "mentor")


def token_name(hub_url: str) -> str:
    return TOKEN_PREFIX + hub_url


@dataclass(frozen=True)
class SignedIn:
    settings: Settings
    key_enrolled: bool
    note: str
    """What the user should know (e.g. the key could not be enrolled, and why)."""
    switched_user: bool
    """True when another user or hub was signed in here before (the pull starts over)."""


def device_name() -> str:
    return f"Assessor on {platform.node() or 'this computer'}"[:200]


def sign_in(home: Path, hub_url: str, username: str, *, password: str | None = None,
            enrolment_code: str | None = None, secrets: KeychainSecrets | None = None,
            enrol_key: bool = True) -> SignedIn:
    """Sign in, keep the token in the keychain, configure settings, enrol the key."""
    url = normalise_hub_url(hub_url)
    name = username.strip()
    if not name:
        raise SyncError("Give the user name the organisation gave you.")
    if not password and not enrolment_code:
        raise SyncError("Give your password or the enrolment code from your organisation.")
    secrets = secrets or KeychainSecrets()
    with HubClient(url) as client:
        answer = client.sign_in(name, password=password, enrolment_code=enrolment_code,
                                device=device_name())
    token = str(answer["token"])
    user: dict[str, Any] = answer["user"]
    secrets.put(token_name(url), token)
    before = load_settings(home)
    settings = before.with_changes(
        hub_url=url, hub_username=name, user_id=str(user["id"])[:200],
        user_name=str(user.get("display_name") or name)[:300], role=str(user["role"]),
        demo_hub=before.demo_hub and before.hub_url == url)
    switched = (before.hub_url, before.user_id) != (url, settings.user_id)
    note = ""
    enrolled = False
    with HubClient(url, token) as client:
        settings = _organisation(client, settings)
        if enrol_key and settings.role in SIGNING_ROLES:
            enrolled, settings, note = _enrol(client, home, settings)
    save_settings(home, settings)
    log.info("signed in to %s as %s (%s)", url, name, settings.role)
    return SignedIn(settings, enrolled, note, switched)


def _organisation(client: HubClient, settings: Settings) -> Settings:
    me = client.me()
    org = me.get("organisation")
    changes: dict[str, Any] = {}
    if isinstance(org, dict):
        if isinstance(org.get("did"), str):
            changes["issuer_id"] = org["did"]
        if isinstance(org.get("name"), str) and org["name"].strip():
            changes["organisation_name"] = org["name"][:300]
        if isinstance(org.get("url"), str) and org["url"].startswith(("https://", "http://")):
            changes["organisation_url"] = org["url"][:1000]
    if isinstance(me.get("status_list"), str):
        changes["status_list_url"] = me["status_list"][:1000]
    if isinstance(me.get("revocation_list"), str):
        changes["revocation_list_url"] = me["revocation_list"][:1000]
    return settings.with_changes(**changes)


def _enrol(client: HubClient, home: Path, settings: Settings) -> tuple[bool, Settings, str]:
    custody = KeyCustody(home)
    key = custody.active() or custody.create()
    try:
        answer = client.enrol_keys([key.public_export()])
    except HubRefused as exc:
        return False, settings, (f"Your signing key is not enrolled with the hub yet: "
                                 f"{exc}")
    issuer = answer.get("issuer")
    changes: dict[str, Any] = {}
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        changes["issuer_id"] = issuer["id"]
        if isinstance(issuer.get("name"), str) and issuer["name"].strip():
            changes["organisation_name"] = issuer["name"][:300]
        if isinstance(issuer.get("url"), str):
            changes["organisation_url"] = issuer["url"][:1000]
    if isinstance(answer.get("status_list"), str):
        changes["status_list_url"] = answer["status_list"][:1000]
    return True, settings.with_changes(**changes), ""


def token_for(settings: Settings, secrets: KeychainSecrets | None = None) -> str:
    """The stored token for the configured hub, or ``SignInRequired``."""
    if not settings.hub_url:
        raise SignInRequired("No hub is configured: sign in to your organisation's hub.")
    token = (secrets or KeychainSecrets()).get(token_name(settings.hub_url))
    if not token:
        raise SignInRequired(f"Sign in to {settings.hub_url} again (no sign-in is stored "
                             "on this computer).")
    return token


def sign_out(home: Path, secrets: KeychainSecrets | None = None) -> bool:
    """Revoke the token at the hub if it answers, and forget it here either way. Local
    work (judgments, the outbox) stays; it is pushed after the next sign-in."""
    secrets = secrets or KeychainSecrets()
    settings = load_settings(home)
    if not settings.hub_url:
        return False
    name = token_name(settings.hub_url)
    token = secrets.get(name)
    if token:
        try:
            with HubClient(settings.hub_url, token, timeout=5.0, connect_timeout=3.0) as c:
                c.sign_out()
        except SyncError as exc:
            log.info("the hub did not confirm the sign-out (%s); forgetting the token here",
                     type(exc).__name__)
    forgotten = secrets.delete(name)
    return forgotten or bool(token)
