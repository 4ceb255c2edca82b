"""Signing a credential with the active keychain key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from assessor.credentials.multiformats import did_key, did_key_method, ed25519_multikey
from assessor.credentials.proof import add_proof
from assessor.errors import ValidationError


def sign_credential(
    credential: dict[str, Any],
    signer: Any,  # an Ed25519Signer: signs, and knows its public key
    *,
    created: datetime | None = None,
) -> dict[str, Any]:
    """Sign ``credential``; the verification method follows the issuer.

    An issuer without an ``id`` gets the key's ``did:key``, so the result verifies offline
    anywhere. An issuer with an ``id`` (the hub's ``did:web``) is the controller of the key,
    which its DID document lists as ``<issuer id>#<publicKeyMultibase>``.
    """
    multikey = ed25519_multikey(signer.public_key)
    issuer = credential.get("issuer")
    document = dict(credential)
    if isinstance(issuer, dict) and not issuer.get("id"):
        document["issuer"] = {"id": did_key(multikey), **issuer}
        method = did_key_method(multikey)
    elif isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        method = _method_for(issuer["id"], multikey)
    elif isinstance(issuer, str) and issuer:
        method = _method_for(issuer, multikey)
    else:
        raise ValidationError("The credential has no issuer; give it an issuer profile.")
    return add_proof(document, signer, method, created=created)


def _method_for(issuer_id: str, multikey: str) -> str:
    if issuer_id.startswith("did:key:"):
        if issuer_id != did_key(multikey):
            raise ValidationError("The issuer is another did:key than the signing key's.")
        return did_key_method(multikey)
    return f"{issuer_id}#{multikey}"
