"""Verifying a signed credential: proof, key authorisation, dates (and status, when known).

Keys come from the verification method itself (``did:key``) or from DID / controller
documents the caller supplies (a hub's ``did:web`` document, saved to a file): nothing is
fetched here. The issuer must be the controller of the key that signed, and the key must
be listed for ``assertionMethod``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assessor.credentials.multiformats import ed25519_from_multikey
from assessor.credentials.proof import verify_proof
from assessor.errors import ValidationError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    skipped: bool = False

    def line(self) -> str:
        mark = "skip" if self.skipped else ("ok" if self.ok else "FAIL")
        return f"{mark:<5}{self.name}: {self.detail}"


@dataclass
class VerificationReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok or c.skipped for c in self.checks) and any(
            c.name == "proof" and c.ok for c in self.checks)

    def lines(self) -> list[str]:
        return [c.line() for c in self.checks]


@dataclass(frozen=True)
class _Method:
    id: str
    controller: str
    public_key: bytes
    authorised: bool


def issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return ""


def _ids(entries: Any) -> set[str]:
    out = set()
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, str):
            out.add(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
            out.add(entry["id"])
    return out


def _method_key(method: dict[str, Any]) -> bytes:
    if isinstance(method.get("publicKeyMultibase"), str):
        return ed25519_from_multikey(method["publicKeyMultibase"])
    jwk = method.get("publicKeyJwk")
    if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        import base64

        x = str(jwk.get("x", ""))
        return base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
    raise ValidationError(f"The key {method.get('id')!r} is not an Ed25519 key.")


def resolve_method(method_id: str, documents: Iterable[dict[str, Any]]) -> _Method:
    if method_id.startswith("did:key:"):
        did, _, fragment = method_id.partition("#")
        multikey = did[len("did:key:"):]
        if fragment and fragment != multikey:
            raise ValidationError("The did:key verification method names another key.")
        return _Method(method_id, did, ed25519_from_multikey(multikey), True)
    owner = method_id.partition("#")[0]
    for document in documents:
        if document.get("id") != owner:
            continue  # a document speaks only for keys named under its own id
        for method in document.get("verificationMethod", []) or []:
            if isinstance(method, dict) and method.get("id") == method_id:
                # A key listed by its owner's document but controlled by someone else does
                # not speak for that someone else: the controller that counts is the owner.
                declared = str(method.get("controller", owner))
                authorised = declared == owner \
                    and method_id in _ids(document.get("assertionMethod", []))
                return _Method(method_id, owner, _method_key(method), authorised)
    raise ValidationError(
        f"The key {method_id} is not in any DID document given (pass the issuer's DID "
        "document with --did-document)."
    )


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValidationError("not a date-time string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValidationError("a date-time without a time zone")
    return parsed


def verify_credential(
    credential: dict[str, Any],
    *,
    documents: Iterable[dict[str, Any]] = (),
    status_documents: Iterable[dict[str, Any]] = (),
    now: datetime | None = None,
    check_status: bool = True,
) -> VerificationReport:
    """Check proof, issuer key, dates and (given the lists) revocation status.

    ``documents`` are DID / controller documents; ``status_documents`` are status list
    credentials and 1EdTech revocation lists, matched by the URL the credential names.
    """
    report = VerificationReport()
    documents = list(documents)
    resolved: dict[str, _Method] = {}

    def resolve_key(method_id: str) -> bytes:
        resolved[method_id] = resolve_method(method_id, documents)
        return resolved[method_id].public_key

    proof = verify_proof(credential, resolve_key)
    report.checks.append(Check("proof", proof.valid,
                               "signature valid (eddsa-rdfc-2022)" if proof.valid
                               else proof.reason))
    method = resolved.get(proof.verification_method)
    issuer = issuer_id(credential)
    if method is None:
        report.checks.append(Check("issuer key", False, "the signing key could not be found"))
    elif method.controller != issuer:
        report.checks.append(Check(
            "issuer key", False,
            f"the key belongs to {method.controller}, not to the issuer {issuer or '(none)'}"))
    elif not method.authorised:
        report.checks.append(Check(
            "issuer key", False,
            f"{issuer} does not list the key for issuing (assertionMethod)"))
    else:
        report.checks.append(Check("issuer key", True, f"{method.id} speaks for {issuer}"))

    moment = now or datetime.now(UTC)
    try:
        valid_from = _parse_time(credential.get("validFrom"))
        until = credential.get("validUntil")
        valid_until = _parse_time(until) if until is not None else None
    except (ValidationError, ValueError) as exc:
        report.checks.append(Check("dates", False, f"validFrom/validUntil unreadable ({exc})"))
    else:
        if moment < valid_from:
            report.checks.append(Check("dates", False, f"not valid before {valid_from:%Y-%m-%d}"))
        elif valid_until is not None and moment >= valid_until:
            report.checks.append(Check("dates", False, f"expired on {valid_until:%Y-%m-%d}"))
        else:
            detail = f"valid from {valid_from:%Y-%m-%d}" + (
                f" until {valid_until:%Y-%m-%d}" if valid_until else ", no expiry")
            report.checks.append(Check("dates", True, detail))

    if check_status:
        report.checks.extend(_status_checks(credential, issuer, documents,
                                            list(status_documents), moment))
    return report


def _status_checks(credential: dict[str, Any], issuer: str,
                   documents: list[dict[str, Any]], status_documents: list[dict[str, Any]],
                   moment: datetime) -> list[Check]:
    from assessor.credentials import status

    def verify_list(document: dict[str, Any]) -> str:
        report = verify_credential(document, documents=documents, now=moment,
                                   check_status=False)
        failed = [c.line().strip() for c in report.checks if not c.ok and not c.skipped]
        return "; ".join(failed)

    try:
        entries = status.status_entries(credential)
    except ValidationError as exc:
        return [Check("status", False, str(exc))]
    lists = status.index_status_documents(status_documents)
    checks = []
    credential_id = str(credential.get("id", ""))
    for entry in entries:
        kinds = status.types_of(entry.get("type"))
        try:
            if status.BITSTRING_ENTRY in kinds:
                outcome = status.check_bitstring_entry(entry, issuer, lists, verify_list)
            elif status.EDTECH_LIST in kinds:
                outcome = status.check_edtech_entry(entry, credential_id, issuer, lists)
            else:
                checks.append(Check("status", True, f"status type {sorted(kinds)} is not one "
                                    "this verifier reads", skipped=True))
                continue
        except ValidationError as exc:
            checks.append(Check("status", False, str(exc)))
            continue
        if outcome.revoked is None:
            checks.append(Check("status", True, f"not checked: {outcome.detail} (pass the list "
                                "with --status-list, or --online)", skipped=True))
        else:
            checks.append(Check("status", not outcome.revoked, outcome.detail))
    return checks
