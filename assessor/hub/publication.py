"""Publication: accepting a signed credential from an assessor, and revoking one.

The URL scheme a credential names lives here, in one place: the desktop puts
``status_list_url(hub)`` and the submission's ``status_index`` into ``credentialStatus``,
and ``revocation_list_url(hub)`` for the 1EdTech Revocation List.

A pushed credential is accepted only when the hub's own verifier (the signing issue's
``verify_credential``, against the hub's DID document) passes it, its key is an enrolled,
unrevoked key of the assessor pushing it, its issuer is the organisation's ``did:web``, and
its status entry points at this submission's bit in the hub's list.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from assessor.credentials.status import BITSTRING_ENTRY, status_entries, types_of
from assessor.credentials.verify import issuer_id, verify_credential
from assessor.domain.states import State
from assessor.errors import ValidationError
from assessor.hub.changes import record_change
from assessor.hub.did_document import did_document
from assessor.hub.errors import HubError, conflict, forbidden, not_found
from assessor.hub.models import EnrolledKey, IssuedCredential, Organisation, Submission

STATUS_LIST_PATH = "/status/1"
REVOCATION_LIST_PATH = "/revocations"
CREDENTIAL_PATH = "/credentials/"
MAX_CREDENTIAL_BYTES = 1_000_000
PUBLISHABLE = (State.APPROVED.value, State.SIGNED.value)


def status_list_url(base_url: str) -> str:
    """Where the hub publishes its Bitstring Status List credential."""
    return base_url.rstrip("/") + STATUS_LIST_PATH


def revocation_list_url(base_url: str) -> str:
    """Where the hub publishes its 1EdTech Revocation List."""
    return base_url.rstrip("/") + REVOCATION_LIST_PATH


def credential_url(base_url: str, credential_id: str) -> str:
    """The public address of an issued credential (JSON, or a page for a browser)."""
    return base_url.rstrip("/") + CREDENTIAL_PATH + quote(credential_id, safe=":")


def unprocessable(code: str, message: str) -> HubError:
    return HubError(422, code, message)


def _check_status_entry(credential: dict[str, Any], submission: Submission,
                        base_url: str) -> None:
    try:
        entries = status_entries(credential)
    except ValidationError as exc:
        raise unprocessable("bad_status", str(exc)) from None
    wanted = status_list_url(base_url)
    bitstring = [e for e in entries if BITSTRING_ENTRY in types_of(e.get("type"))]
    if not bitstring:
        raise unprocessable("bad_status", "The credential has no BitstringStatusListEntry; "
                            f"it must name {wanted} and index {submission.status_index}.")
    for entry in bitstring:
        if entry.get("statusListCredential") != wanted:
            raise unprocessable("bad_status", f"The credential's status list is "
                                f"{str(entry.get('statusListCredential'))[:200]!r}; this "
                                f"hub's is {wanted}.")
        if entry.get("statusPurpose") != "revocation":
            raise unprocessable("bad_status", "The status entry's purpose must be "
                                "'revocation'.")
        if str(entry.get("statusListIndex")) != str(submission.status_index):
            raise unprocessable("bad_status", "The status entry's statusListIndex is "
                                f"{str(entry.get('statusListIndex'))[:20]!r}; this "
                                f"submission's is {submission.status_index}.")


def _signing_key(session: Session, credential: dict[str, Any], did: str,
                 user_id: str) -> EnrolledKey:
    proof = credential.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str) or not method:
        raise unprocessable("bad_proof", "The credential carries no proof with a "
                            "verificationMethod; sign it first.")
    prefix = did + "#"
    if not method.startswith(prefix):
        raise unprocessable("bad_key", f"The credential is signed with {method[:200]!r}, "
                            f"not with a key of the organisation ({prefix}<key>).")
    key = session.get(EnrolledKey, method[len(prefix):])
    if key is None or key.user_id != user_id:
        raise forbidden("The signing key is not enrolled for you with this hub; ask an "
                        "administrator to enrol your public key.")
    if key.revoked_at is not None:
        raise forbidden(f"The signing key was revoked on {key.revoked_at:%Y-%m-%d}; sign "
                        "with your new key (and have it enrolled).")
    return key


def check_credential(session: Session, org: Organisation, submission: Submission,
                     credential: dict[str, Any], user_id: str, base_url: str) -> None:
    """Refuse (with the reason) a credential the hub must not publish for ``submission``."""
    if len(json.dumps(credential)) > MAX_CREDENTIAL_BYTES:
        raise HubError(413, "too_large", "The credential is larger than 1 MB.")
    if not isinstance(credential.get("id"), str) or not credential["id"] \
            or len(credential["id"]) > 200:
        raise unprocessable("bad_credential", "The credential needs an id (at most 200 "
                            "characters), such as urn:uuid:….")
    if "OpenBadgeCredential" not in types_of(credential.get("type")):
        raise unprocessable("bad_credential", "Only an OpenBadgeCredential is published.")
    issuer = issuer_id(credential)
    if issuer != org.did:
        raise unprocessable("wrong_issuer", f"The credential's issuer is "
                            f"{issuer[:200] or '(none)'!r}; this hub publishes only for "
                            f"{org.did}.")
    _check_status_entry(credential, submission, base_url)
    _signing_key(session, credential, org.did, user_id)
    try:
        report = verify_credential(credential, documents=[did_document(session, org.did)],
                                   check_status=False)
    except ValidationError as exc:
        raise unprocessable("not_verified", f"The credential does not verify: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - hostile JSON-LD must not become a 5xx
        raise unprocessable("not_verified", "The credential could not be processed as "
                            f"JSON-LD ({type(exc).__name__}).") from None
    if not report.ok:
        failed = "; ".join(f"{c.name}: {c.detail}" for c in report.checks
                           if not c.ok and not c.skipped)
        raise unprocessable("not_verified", f"The credential does not verify: {failed}")


def publish_credential(session: Session, submission: Submission,
                       credential: dict[str, Any]) -> IssuedCredential:
    """Store a checked credential and mark its submission published."""
    if submission.state not in PUBLISHABLE:
        if submission.state == State.PUBLISHED.value:
            raise conflict("This submission's credential is already published.")
        raise conflict(f"Only an approved or signed submission is published; this one is "
                       f"{submission.state.replace('_', ' ')}.")
    if session.get(IssuedCredential, credential["id"]) is not None:
        raise conflict(f"A credential with the id {credential['id']!r} is already published.")
    issued = IssuedCredential(id=credential["id"], submission_id=submission.id,
                              document=credential, status_index=submission.status_index,
                              issued_at=datetime.now(UTC))
    session.add(issued)
    submission.state = State.PUBLISHED.value
    submission.revision += 1
    record_change(session, submission, "credential")
    return issued


def find_credential(session: Session, credential_id: str) -> IssuedCredential:
    issued = session.get(IssuedCredential, credential_id)
    if issued is None:
        raise not_found("No credential with this id is published here.")
    return issued


def revoke_credential(session: Session, credential_id: str, reason: str) -> IssuedCredential:
    """Flip the credential's bit in the status list (the lists re-sign on next request)."""
    issued = find_credential(session, credential_id)
    if issued.revoked_at is not None:
        raise conflict(f"This credential was already revoked on "
                       f"{issued.revoked_at:%Y-%m-%d %H:%M} UTC.")
    issued.revoked_at = datetime.now(UTC)
    issued.revoked_reason = reason.strip()
    submission = session.get(Submission, issued.submission_id)
    if submission is not None:
        record_change(session, submission, "credential_revoked")
    return issued
