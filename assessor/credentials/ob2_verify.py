"""Verifying an Open Badges 2.0 signed assertion (JWS, RS256) against hosted documents.

The documents (issuer profile, ``CryptographicKey``, badge class, revocation list) are
given by the caller, matched by their ``id``: nothing is fetched. Checks: the JWS signature
under the key its payload names; that the key's owner is the badge class's issuer and the
issuer lists the key; the assertion's shape and dates; and revocation when the list is
given.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from assessor.credentials.jws import ParsedJws, parse_compact
from assessor.credentials.ob2 import OB2_CONTEXT
from assessor.credentials.rsa_key import load_public_pem, verify_rs256
from assessor.credentials.verify import Check, VerificationReport
from assessor.errors import ValidationError

SIGNED_TYPES = ("SignedBadge", "signed")


def _index(documents: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in documents if isinstance(d.get("id"), str)}


def _of_type(value: Any, kind: str) -> bool:
    return value == kind or (isinstance(value, list) and kind in value)


def _lookup(value: Any, documents: dict[str, dict[str, Any]], what: str) -> dict[str, Any]:
    """An embedded document, or the one with that id among the documents given."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value in documents:
        return documents[value]
    if isinstance(value, str):
        raise ValidationError(f"the {what} {value} is not among the documents given "
                              "(pass the exported folder with --hosted)")
    raise ValidationError(f"the assertion names no {what}")


def creator_of(payload: dict[str, Any]) -> str:
    verification = payload.get("verification")
    if not isinstance(verification, dict) or verification.get("type") not in SIGNED_TYPES:
        raise ValidationError("the assertion's verification is not SignedBadge")
    creator = verification.get("creator")
    if not isinstance(creator, str) or not creator:
        raise ValidationError("the assertion's verification names no creator key")
    return creator


def _signature_check(parsed: ParsedJws, documents: dict[str, dict[str, Any]]) -> Check:
    try:
        creator = creator_of(parsed.payload)
        key = _lookup(creator, documents, "key")
        if not _of_type(key.get("type"), "CryptographicKey") or key.get("id") != creator:
            raise ValidationError(f"{creator} is not a CryptographicKey document")
        pem = key.get("publicKeyPem")
        if not isinstance(pem, str):
            raise ValidationError(f"the key {creator} has no publicKeyPem")
        public = load_public_pem(pem)
    except ValidationError as exc:
        return Check("proof", False, str(exc))
    if not verify_rs256(public, parsed.signature, parsed.signing_input):
        return Check("proof", False, "the signature does not match: the assertion was changed "
                                     "after signing, or signed with another key")
    return Check("proof", True, f"signature valid (JWS RS256, key {creator})")


def _issuer(payload: dict[str, Any], documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    badge = _lookup(payload.get("badge"), documents, "badge class")
    return _lookup(badge.get("issuer"), documents, "issuer profile")


def _issuer_check(payload: dict[str, Any], documents: dict[str, dict[str, Any]]) -> Check:
    try:
        creator = creator_of(payload)
        key = _lookup(creator, documents, "key")
        issuer = _issuer(payload, documents)
    except ValidationError as exc:
        return Check("issuer key", False, str(exc))
    issuer_id = issuer.get("id")
    if key.get("owner") != issuer_id:
        return Check("issuer key", False, f"the key belongs to {key.get('owner')}, not to the "
                                          f"badge's issuer {issuer_id}")
    listed = issuer.get("publicKey")
    listed = listed if isinstance(listed, list) else [listed]
    if not any(k == creator or (isinstance(k, dict) and k.get("id") == creator)
               for k in listed):
        return Check("issuer key", False, f"the issuer {issuer_id} does not list the key "
                                          f"{creator} (publicKey)")
    return Check("issuer key", True, f"{creator} speaks for {issuer_id}")


def _shape_check(payload: dict[str, Any]) -> Check:
    problems = []
    if payload.get("@context") != OB2_CONTEXT:
        problems.append(f"@context is not {OB2_CONTEXT}")
    if not _of_type(payload.get("type"), "Assertion"):
        problems.append("type is not Assertion")
    recipient = payload.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("identity"), str):
        problems.append("no recipient identity")
    if not isinstance(payload.get("id"), str):
        problems.append("no id")
    if problems:
        return Check("assertion", False, "; ".join(problems))
    return Check("assertion", True, f"Open Badges 2.0 Assertion {payload['id']}")


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not a date-time string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("a date-time without a time zone")
    return parsed


def _dates_check(payload: dict[str, Any], moment: datetime) -> Check:
    try:
        issued = _time(payload.get("issuedOn"))
        expires = _time(payload["expires"]) if payload.get("expires") is not None else None
    except ValueError as exc:
        return Check("dates", False, f"issuedOn/expires unreadable ({exc})")
    if moment < issued:
        return Check("dates", False, f"issued in the future ({issued:%Y-%m-%d})")
    if expires is not None and moment >= expires:
        return Check("dates", False, f"expired on {expires:%Y-%m-%d}")
    return Check("dates", True, f"issued {issued:%Y-%m-%d}" + (
        f", expires {expires:%Y-%m-%d}" if expires else ", no expiry"))


def _revocation_check(payload: dict[str, Any], documents: dict[str, dict[str, Any]]) -> Check:
    try:
        issuer = _issuer(payload, documents)
    except ValidationError:
        return Check("status", True, "not checked: the issuer profile is not given",
                     skipped=True)
    list_id = issuer.get("revocationList")
    if not isinstance(list_id, str):
        return Check("status", True, "the issuer publishes no revocation list", skipped=True)
    listing = documents.get(list_id)
    if listing is None:
        return Check("status", True, f"not checked: the revocation list {list_id} is not "
                                     "given", skipped=True)
    if not _of_type(listing.get("type"), "RevocationList") or \
            listing.get("issuer") not in (None, issuer.get("id")):
        return Check("status", False, f"{list_id} is not the issuer's RevocationList")
    assertion_id = payload.get("id")
    for entry in listing.get("revokedAssertions") or []:
        revoked = entry.get("id", entry.get("uid")) if isinstance(entry, dict) else entry
        if revoked == assertion_id:
            reason = entry.get("revocationReason") if isinstance(entry, dict) else None
            return Check("status", False, "revoked" + (f": {reason}" if reason else ""))
    return Check("status", True, f"not revoked ({list_id})")


def verify_ob2(jws: str, documents: Iterable[dict[str, Any]] = (), *,
               now: datetime | None = None) -> VerificationReport:
    """Check a signed assertion; ``report.ok`` only when the signature and all checks pass."""
    report = VerificationReport()
    try:
        parsed = parse_compact(jws)
    except ValidationError as exc:
        report.checks.append(Check("proof", False, str(exc)))
        return report
    indexed = _index(documents)
    report.checks.append(_signature_check(parsed, indexed))
    report.checks.append(_issuer_check(parsed.payload, indexed))
    report.checks.append(_shape_check(parsed.payload))
    report.checks.append(_dates_check(parsed.payload, now or datetime.now(UTC)))
    report.checks.append(_revocation_check(parsed.payload, indexed))
    return report
