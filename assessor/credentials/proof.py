"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C vc-di-eddsa).

To sign: canonicalize the proof options (with the document's ``@context``) and the
document without its proof, hash each with SHA-256, sign ``hash(options) + hash(document)``
with Ed25519, and add the signature as a base58btc multibase ``proofValue``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from assessor.credentials import ed25519
from assessor.credentials.contexts import VC_V1, VC_V2
from assessor.credentials.jsonld import canonical_nquads, checked_canonical_nquads
from assessor.credentials.multiformats import from_multibase_b58, multibase_b58
from assessor.errors import ValidationError

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class Signer(Protocol):
    key_id: str

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class HashData:
    proof_config_hash: bytes
    document_hash: bytes

    @property
    def combined(self) -> bytes:
        return self.proof_config_hash + self.document_hash


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hash_data(document: dict[str, Any], proof_options: dict[str, Any], *,
              check: bool = False) -> HashData:
    """The bytes an eddsa-rdfc-2022 signature covers, for ``document`` without its proof.

    With ``check``, the document is first refused unless it is fully defined JSON-LD
    (``check_fully_defined``), sharing the expansion with its canonicalization.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof_options.items() if k != "proofValue"}
    config["@context"] = unsecured.get("@context")
    canonicalise = checked_canonical_nquads if check else canonical_nquads
    canonical_document = canonicalise(unsecured)
    # The proof options are checked too: a term no context defines would be dropped from
    # what is signed, so anything could be added to a proof without breaking it.
    return HashData(
        hashlib.sha256(canonicalise(config).encode("utf-8")).digest(),
        hashlib.sha256(canonical_document.encode("utf-8")).digest(),
    )


def check_credential_context(document: dict[str, Any]) -> None:
    """A verifiable credential names the VC Data Model context first; refuse anything else."""
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first not in (VC_V2, VC_V1):
        raise ValidationError(
            f"The first @context must be the VC Data Model context ({VC_V2}); this "
            f"document starts with {first!r}."
        )


def add_proof(
    document: dict[str, Any],
    signer: Signer,
    verification_method: str,
    *,
    created: datetime | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of ``document`` with a new eddsa-rdfc-2022 proof."""
    if "proof" in document:
        raise ValidationError("The document already carries a proof; sign the unsigned form.")
    check_credential_context(document)
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": _timestamp(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }
    signature = signer.sign(hash_data(document, options, check=True).combined)
    return {**document, "proof": options | {"proofValue": multibase_b58(signature)}}


@dataclass(frozen=True)
class ProofResult:
    valid: bool
    verification_method: str = ""
    reason: str = ""


KeyResolver = Callable[[str], bytes]
"""Gives the raw Ed25519 public key of a verification method id (or raises)."""


def verify_proof(document: dict[str, Any], resolve_key: KeyResolver) -> ProofResult:
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            return ProofResult(False, reason="Only documents with exactly one proof are checked.")
        proof = proof[0]
    if not isinstance(proof, dict):
        return ProofResult(False, reason="The document has no proof.")
    method = proof.get("verificationMethod")
    if proof.get("type") != PROOF_TYPE:
        return ProofResult(False, str(method or ""),
                           f"Unsupported proof type {proof.get('type')!r}.")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofResult(False, str(method or ""),
                           f"Unsupported cryptosuite {proof.get('cryptosuite')!r}.")
    if not isinstance(method, str) or not method:
        return ProofResult(False, reason="The proof names no verification method.")
    value = proof.get("proofValue")
    if not isinstance(value, str):
        return ProofResult(False, method, "The proof has no proofValue.")
    try:
        signature = from_multibase_b58(value)
        public = resolve_key(method)
        data = hash_data(document, proof, check=True)
    except ValidationError as exc:
        return ProofResult(False, method, str(exc))
    if not ed25519.verify(public, signature, data.combined):
        return ProofResult(False, method,
                           "The signature does not match: the credential was changed after "
                           "signing, or signed with another key.")
    return ProofResult(True, method)
