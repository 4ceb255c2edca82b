"""Open Badges 2.0 documents made from a signed Open Badges 3.0 credential.

An OB 3.0 ``OpenBadgeCredential`` maps onto the OB 2.0 family like this: the achievement
becomes a hosted ``BadgeClass``, the issuer a hosted ``Issuer`` profile that lists the RSA
``CryptographicKey`` and the ``RevocationList``, and the credential itself an
``Assertion`` whose recipient is the same salted hash of the learner's e-mail address and
whose ``verification`` names the key (``SignedBadge``). Every hosted document's id lies
under one base URL, and its path below that URL is where the hub serves it from.

Everything here is pure: JSON in, JSON out. Signing and writing live elsewhere.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from assessor.errors import ValidationError

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_IDENTITY_TYPES = {"emailAddress": "email", "url": "url", "phone": "telephone"}
_HASHED_IDENTITY = re.compile(r"(sha256\$[0-9a-f]{64}|md5\$[0-9a-f]{32})")
_SLUG = re.compile(r"[^a-z0-9]+")
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class HostedUrls:
    """Where the hub serves each OB 2.0 document; ``path`` gives the file under the folder."""

    base: str

    @classmethod
    def parse(cls, base_url: str) -> HostedUrls:
        parts = urlsplit(base_url.strip())
        loopback = parts.hostname in _LOOPBACK
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ValidationError("The base URL must be an https:// address (http:// only for "
                                  "localhost), where the hub serves the exported folder.")
        if not parts.hostname or parts.query or parts.fragment or parts.username:
            raise ValidationError("The base URL must be a plain address such as "
                                  "https://hub.example.org/ob2 (no query, fragment or login).")
        return cls(base_url.strip().rstrip("/"))

    @property
    def issuer(self) -> str:
        return f"{self.base}/issuer.json"

    @property
    def revocations(self) -> str:
        return f"{self.base}/revocations.json"

    def key(self, key_id: str) -> str:
        return f"{self.base}/keys/{key_id}.json"

    def badge(self, slug: str) -> str:
        return f"{self.base}/badges/{slug}.json"

    def image(self, name: str) -> str:
        return f"{self.base}/images/{name}"

    def path(self, url: str) -> str:
        """The relative file path of a hosted document's URL."""
        if not url.startswith(self.base + "/"):
            raise ValueError(f"{url} is not under {self.base}")
        return url[len(self.base) + 1:]


def _types(value: Any) -> set[str]:
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def _text(container: dict[str, Any], key: str, what: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"The credential has no {what}, which Open Badges 2.0 needs.")
    return value


def _object(container: dict[str, Any], key: str, what: str) -> dict[str, Any]:
    value = container.get(key)
    if not isinstance(value, dict):
        raise ValidationError(f"The credential has no {what}.")
    return value


def _timestamp(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"The credential's {what} is missing.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"The credential's {what} {value!r} is not a date-time.") from None
    if parsed.tzinfo is None:
        raise ValidationError(f"The credential's {what} has no time zone.")
    return value


def check_source(credential: dict[str, Any]) -> None:
    """Refuse what is not a signed OB 3.0 credential, before any key is touched."""
    if not _types(credential.get("type")) & OB3_TYPES:
        raise ValidationError("This is not an Open Badges 3.0 OpenBadgeCredential, so there "
                              "is no Open Badges 2.0 assertion to make from it.")
    if "proof" not in credential:
        raise ValidationError("The credential is not signed; only a signed credential is "
                              "exported (python main.py credential sign).")
    subject = _object(credential, "credentialSubject", "credentialSubject")
    _object(subject, "achievement", "achievement in its credentialSubject")


def _achievement(credential: dict[str, Any]) -> dict[str, Any]:
    return _object(_object(credential, "credentialSubject", "credentialSubject"),
                   "achievement", "achievement in its credentialSubject")


def badge_slug(credential: dict[str, Any]) -> str:
    """A readable, collision-safe file name for the achievement's badge class."""
    achievement = _achievement(credential)
    ident = str(achievement.get("id") or achievement.get("name") or "")
    tail = ident.rstrip("/").rsplit("/", 1)[-1]
    readable = _SLUG.sub("-", tail.lower()).strip("-")[:40] or "badge"
    return f"{readable}-{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:10]}"


def achievement_image(credential: dict[str, Any]) -> str:
    """The achievement's image URL (or data URI), or "" when it names none."""
    image = _achievement(credential).get("image")
    if isinstance(image, dict):
        image = image.get("id")
    return image if isinstance(image, str) else ""


def _alignment(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("targetName"), str):
        return None
    keys = ("targetName", "targetUrl", "targetDescription", "targetFramework", "targetCode")
    return {k: entry[k] for k in keys if isinstance(entry.get(k), str)}


def badge_class(credential: dict[str, Any], urls: HostedUrls, image: str) -> dict[str, Any]:
    """The hosted ``BadgeClass`` for the credential's achievement."""
    achievement = _achievement(credential)
    if not image:
        raise ValidationError("The achievement has no image, which an Open Badges 2.0 badge "
                              "class needs; give a PNG with --image.")
    criteria = achievement.get("criteria")
    if not isinstance(criteria, dict):
        raise ValidationError("The achievement has no criteria, which Open Badges 2.0 needs.")
    ob2_criteria = {k: criteria[k] for k in ("id", "narrative")
                    if isinstance(criteria.get(k), str)}
    if not ob2_criteria:
        raise ValidationError("The achievement's criteria have neither a narrative nor an id.")
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": urls.badge(badge_slug(credential)),
        "name": _text(achievement, "name", "achievement name"),
        "description": _text(achievement, "description", "achievement description"),
        "image": image,
        "criteria": {"type": "Criteria", **ob2_criteria},
        "issuer": urls.issuer,
    }
    tags = achievement.get("tag")
    if isinstance(tags, list) and tags:
        document["tags"] = [t for t in tags if isinstance(t, str)]
    alignments = [a for a in map(_alignment, achievement.get("alignment") or []) if a]
    if alignments:
        document["alignment"] = alignments
    return document


def issuer_profile(credential: dict[str, Any], urls: HostedUrls, key_urls: list[str],
                   existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The hosted ``Issuer``: the OB 3.0 issuer's name, url and e-mail, its keys and list.

    ``existing`` is the profile already in the folder: its keys stay listed (assertions
    signed with them still verify); a profile of another issuer is refused.
    """
    source = credential.get("issuer")
    if not isinstance(source, dict):
        raise ValidationError("The credential's issuer is only an id; Open Badges 2.0 needs "
                              "the issuer's name and url in the credential.")
    name = _text(source, "name", "issuer name")
    url = source.get("url") if isinstance(source.get("url"), str) else ""
    keys: list[str] = []
    if existing is not None:
        if existing.get("id") != urls.issuer or existing.get("name") != name:
            raise ValidationError(
                f"The folder already holds the issuer profile of {existing.get('name')!r} at "
                f"{existing.get('id')!r}; export {name!r} with the same --base-url into its "
                "own folder.")
        previous = existing.get("publicKey")
        keys = [k for k in (previous if isinstance(previous, list) else [previous])
                if isinstance(k, str)]
    keys += [k for k in key_urls if k not in keys]
    profile: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": urls.issuer,
        "name": name,
        "url": url or urls.base,
        "publicKey": keys[0] if len(keys) == 1 else keys,
        "revocationList": urls.revocations,
    }
    if isinstance(source.get("email"), str):
        profile["email"] = source["email"]
    return profile


def cryptographic_key(urls: HostedUrls, key_id: str, public_key_pem: str) -> dict[str, Any]:
    return {"@context": OB2_CONTEXT, "type": "CryptographicKey", "id": urls.key(key_id),
            "owner": urls.issuer, "publicKeyPem": public_key_pem}


def revocation_list(urls: HostedUrls) -> dict[str, Any]:
    """An empty ``RevocationList``; the hub adds revoked assertion ids to it."""
    return {"@context": OB2_CONTEXT, "type": "RevocationList", "id": urls.revocations,
            "issuer": urls.issuer, "revokedAssertions": []}


def assertion_uuid(credential: dict[str, Any]) -> uuid.UUID:
    """The assertion's UUID: the credential's own ``urn:uuid``, else one derived from it."""
    ident = credential.get("id")
    if isinstance(ident, str) and ident.startswith("urn:uuid:"):
        try:
            return uuid.UUID(ident[len("urn:uuid:"):])
        except ValueError:
            pass
    proof = credential.get("proof")
    seed = ident if isinstance(ident, str) and ident else repr(proof)
    return uuid.uuid5(uuid.NAMESPACE_URL, seed)


def recipient(credential: dict[str, Any]) -> dict[str, Any]:
    """The OB 2.0 ``IdentityObject``: the same hash and salt as the OB 3.0 identifier."""
    subject = _object(credential, "credentialSubject", "credentialSubject")
    identifiers = subject.get("identifier")
    entries = identifiers if isinstance(identifiers, list) else [identifiers]
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("identityType") not in _IDENTITY_TYPES:
            continue
        identity = entry.get("identityHash")
        if not isinstance(identity, str) or not identity:
            continue
        kind = _IDENTITY_TYPES[str(entry["identityType"])]
        if entry.get("hashed") is True:
            if not _HASHED_IDENTITY.fullmatch(identity):
                raise ValidationError("The learner's identity hash is not a sha256$ or md5$ "
                                      "hex digest.")
            result: dict[str, Any] = {"type": kind, "hashed": True, "identity": identity}
            if isinstance(entry.get("salt"), str):
                result["salt"] = entry["salt"]
            return result
        return {"type": kind, "hashed": False, "identity": identity}
    subject_id = subject.get("id")
    if isinstance(subject_id, str) and subject_id.startswith(("https://", "http://")):
        return {"type": "url", "hashed": False, "identity": subject_id}
    raise ValidationError("The credential names its learner by no e-mail address, URL or "
                          "phone number, which an Open Badges 2.0 recipient needs.")


def _evidence(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict):
        return None
    keys = ("id", "narrative", "name", "description", "genre", "audience")
    mapped = {k: entry[k] for k in keys if isinstance(entry.get(k), str)}
    return {"type": "Evidence", **mapped} if mapped else None


def assertion(credential: dict[str, Any], *, badge_url: str, key_url: str) -> dict[str, Any]:
    """The ``Assertion`` that is signed (its ``verification`` names the key)."""
    issued = credential.get("validFrom", credential.get("issuanceDate",
                                                        credential.get("awardedDate")))
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_uuid(credential).urn,
        "recipient": recipient(credential),
        "badge": badge_url,
        "verification": {"type": "SignedBadge", "creator": key_url},
        "issuedOn": _timestamp(issued, "issue date (validFrom)"),
    }
    expires = credential.get("validUntil", credential.get("expirationDate"))
    if expires is not None:
        document["expires"] = _timestamp(expires, "expiry date (validUntil)")
    evidence = credential.get("evidence")
    items = [e for e in map(_evidence, evidence if isinstance(evidence, list) else [evidence])
             if e]
    if items:
        document["evidence"] = items
    return document
