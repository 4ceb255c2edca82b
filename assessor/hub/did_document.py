"""The hub's DID document (``did:web``): which keys speak for the organisation.

Listed as ``verificationMethod``: the hub's own key (it signs the status list) and every
assessor key ever enrolled. Only the hub key and the keys not revoked are in
``assertionMethod``.

A revoked assessor key stays listed as a verification method on purpose: a verifier then
still finds the key, sees the signature is genuine, and reports that the organisation no
longer lets that key issue ("does not list the key for issuing") rather than a confusing
"unknown key". Either way every credential signed with a revoked key fails verification,
including ones signed before the revocation: revoking a key says it can no longer be
trusted, and the organisation re-issues what still stands with a good key.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.credentials.multiformats import ed25519_multikey
from assessor.hub.hub_key import hub_method_id, hub_signer
from assessor.hub.models import EnrolledKey

DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"


def _method(did: str, multikey: str) -> dict[str, Any]:
    return {"id": hub_method_id(did, multikey), "type": "Multikey", "controller": did,
            "publicKeyMultibase": multikey}


def did_document(session: Session, did: str) -> dict[str, Any]:
    """The DID document of the hub ``did`` as it stands in the database now."""
    hub_key = ed25519_multikey(hub_signer(did).public_key)
    keys = session.scalars(select(EnrolledKey).order_by(EnrolledKey.enrolled_at,
                                                        EnrolledKey.public_key_multibase)).all()
    methods = [_method(did, hub_key)]
    assertion = [hub_method_id(did, hub_key)]
    for key in keys:
        if key.public_key_multibase == hub_key:
            continue
        methods.append(_method(did, key.public_key_multibase))
        if key.revoked_at is None:
            assertion.append(hub_method_id(did, key.public_key_multibase))
    return {"@context": [DID_V1, MULTIKEY_V1], "id": did, "verificationMethod": methods,
            "assertionMethod": assertion}


def did_document_path(did: str) -> str:
    """Where ``did:web`` puts the document on the host: ``/.well-known/did.json`` for a bare
    host, ``/<path>/did.json`` for a DID with path segments."""
    segments = did.split(":")[3:] if did.startswith("did:web:") else []
    if not segments:
        return "/.well-known/did.json"
    return "/" + "/".join(unquote(s) for s in segments) + "/did.json"


def public_path(public_url: str) -> str:
    """The path part of the hub's public URL, without a trailing slash ("" for the root)."""
    return urlsplit(public_url).path.rstrip("/")
