"""Enrolling assessors' (and mentors') Ed25519 public keys, and revoking them.

What is enrolled is what ``python main.py keys export-public`` prints on the assessor's
laptop: a JSON list of keys (or one of them), each with ``publicKeyMultibase`` (and, when
present, a ``publicKeyJwk`` that must name the same key). Only public keys ever reach the
hub; a document carrying private key material is refused without echoing it.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.credentials.multiformats import ed25519_from_multikey
from assessor.errors import ValidationError
from assessor.hub.accounts import find_user
from assessor.hub.errors import HubError, bad_request, not_found
from assessor.hub.models import EnrolledKey, User

MAX_KEYS = 20
KEY_ROLES = ("assessor", "mentor")
"""Who signs with an enrolled key: assessors (credentials) and mentors (endorsements)."""


def invalid_key(message: str) -> HubError:
    return bad_request(message, "invalid_key")


def _entries(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict) and isinstance(document.get("keys"), list):
        document = document["keys"]
    entries = document if isinstance(document, list) else [document]
    if not entries or len(entries) > MAX_KEYS:
        raise invalid_key(f"Send 1 to {MAX_KEYS} keys, as `keys export-public` prints them.")
    if not all(isinstance(entry, dict) for entry in entries):
        raise invalid_key("Each key is a JSON object with publicKeyMultibase.")
    return entries


def _jwk_x(jwk: Any) -> bytes:
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise invalid_key("publicKeyJwk is not an Ed25519 (OKP) key.")
    if "d" in jwk:
        raise invalid_key("This key document holds a private key; send only the public "
                          "key (`keys export-public`).")
    x = jwk.get("x")
    if not isinstance(x, str):
        raise invalid_key("publicKeyJwk has no x.")
    try:
        return base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
    except (binascii.Error, ValueError):
        raise invalid_key("publicKeyJwk.x is not base64url.") from None


def public_multikeys(document: Any) -> list[str]:
    """The Ed25519 Multikeys in an exported key document, checked."""
    keys: list[str] = []
    for entry in _entries(document):
        if any(name in entry for name in ("privateKeyMultibase", "secretKeyMultibase")):
            raise invalid_key("This key document holds a private key; send only the public "
                              "key (`keys export-public`).")
        multikey = entry.get("publicKeyMultibase")
        if not isinstance(multikey, str) or not 0 < len(multikey) <= 100:
            raise invalid_key("A key needs publicKeyMultibase (z6Mk…), as `keys "
                              "export-public` prints it.")
        try:
            raw = ed25519_from_multikey(multikey)
        except ValidationError:
            raise invalid_key(f"{multikey[:20]!r}… is not an Ed25519 Multikey.") from None
        if "publicKeyJwk" in entry and _jwk_x(entry["publicKeyJwk"]) != raw:
            raise invalid_key("publicKeyJwk and publicKeyMultibase name different keys.")
        if entry.get("status", "active") != "retired" and multikey not in keys:
            keys.append(multikey)
    if not keys:
        raise invalid_key("There is no active key in this document.")
    return keys


def key_holder(session: Session, who: str) -> User:
    """The user ``who`` (id or user name), if their role signs with enrolled keys."""
    user = find_user(session, who)
    if user.role not in KEY_ROLES:
        raise bad_request(f"{user.username!r} is a {user.role}; only an assessor or a mentor "
                          "has a signing key enrolled.", "wrong_role")
    return user


def enrol_keys(session: Session, who: str, document: Any) -> list[EnrolledKey]:
    """Enrol the active keys of ``document`` for the assessor or mentor ``who``."""
    return enrol_multikeys(session, key_holder(session, who), public_multikeys(document))


def enrol_multikeys(session: Session, holder: User, multikeys: list[str]) -> list[EnrolledKey]:
    """Enrol checked Multikeys for ``holder``; a key they already hold is left as it is."""
    enrolled = []
    for multikey in multikeys:
        existing = session.get(EnrolledKey, multikey)
        if existing is not None:
            if existing.user_id != holder.id:
                raise HubError(409, "key_taken", "This key is enrolled for another user.")
            if existing.revoked_at is not None:
                raise HubError(409, "key_revoked", "This key was revoked; it cannot be "
                                                   "enrolled again. Create a new key.")
            enrolled.append(existing)
            continue
        key = EnrolledKey(public_key_multibase=multikey, user_id=holder.id,
                          enrolled_at=datetime.now(UTC))
        session.add(key)
        enrolled.append(key)
    session.flush()
    return enrolled


def revoke_key(session: Session, multikey: str) -> EnrolledKey:
    key = session.get(EnrolledKey, multikey)
    if key is None:
        raise not_found("No such key is enrolled.")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
    return key


def list_keys(session: Session, who: str | None = None) -> list[tuple[EnrolledKey, User]]:
    query = (select(EnrolledKey, User).join(User, User.id == EnrolledKey.user_id)
             .order_by(User.username, EnrolledKey.enrolled_at))
    if who is not None:
        query = query.where(EnrolledKey.user_id == key_holder(session, who).id)
    return [(key, user) for key, user in session.execute(query).all()]


def key_json(key: EnrolledKey, user: User) -> dict[str, Any]:
    return {"publicKeyMultibase": key.public_key_multibase, "user_id": user.id,
            "username": user.username, "enrolled_at": key.enrolled_at.isoformat(),
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None}
