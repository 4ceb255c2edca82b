"""Exporting a signed OB 3.0 credential as an Open Badges 2.0 signed assertion.

The OB 3.0 proof is checked first: only what verifies is re-issued under the RSA key.
The result is a set of files for one folder: the JWS (and a baked PNG when an image is
given) under ``assertions/``, and the documents the hub hosts under the base URL:
``issuer.json``, ``keys/<thumbprint>.json``, ``badges/<slug>.json``, ``revocations.json``
(the last only when the folder has none yet, so no revocation is ever undone).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from assessor.credentials import ob2
from assessor.credentials.baking import PNG_SIGNATURE
from assessor.credentials.jws import sign_compact
from assessor.credentials.multiformats import ed25519_from_multikey
from assessor.credentials.ob2_baking import bake_ob2_png
from assessor.credentials.proof import verify_proof
from assessor.credentials.verify import resolve_method
from assessor.errors import ValidationError


class Ob2Signer(Protocol):
    key_id: str
    public_key_pem: str

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class Ob2Export:
    assertion: dict[str, Any]
    jws: str
    assertion_path: str
    baked_path: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    """Relative path → content, written over whatever is there."""
    create_only: dict[str, bytes] = field(default_factory=dict)
    """Relative path → content, written only when the folder has no such file."""


def check_source_proof(credential: dict[str, Any], documents: Iterable[dict[str, Any]] = (),
                       own_keys: Iterable[str] = ()) -> None:
    """Refuse a credential whose OB 3.0 proof does not verify.

    The key comes from a ``did:key``, from the DID documents given, or from this computer's
    own signing keys (``<issuer>#<publicKeyMultibase>`` naming one of them).
    """
    documents, own = list(documents), set(own_keys)

    def resolve(method_id: str) -> bytes:
        fragment = method_id.partition("#")[2]
        if not method_id.startswith("did:key:") and fragment in own:
            return ed25519_from_multikey(fragment)
        return resolve_method(method_id, documents).public_key

    result = verify_proof(credential, resolve)
    if not result.valid:
        raise ValidationError(f"The credential's proof does not verify ({result.reason}); "
                              "only a credential that verifies is exported.")


def _json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def export_ob2(credential: dict[str, Any], urls: ob2.HostedUrls, signer: Ob2Signer, *,
               existing_issuer: dict[str, Any] | None = None,
               image: bytes | None = None) -> Ob2Export:
    """Sign the OB 2.0 assertion for ``credential`` and make the documents to host."""
    ob2.check_source(credential)
    if image is not None and not image.startswith(PNG_SIGNATURE):
        raise ValidationError("The image to bake must be a PNG.")
    slug = ob2.badge_slug(credential)
    files: dict[str, bytes] = {}
    image_url = ob2.achievement_image(credential)
    if not image_url and image is not None:
        image_url = urls.image(f"{slug}.png")
        files[urls.path(image_url)] = image
    key_url = urls.key(signer.key_id)
    badge = ob2.badge_class(credential, urls, image_url)
    issuer = ob2.issuer_profile(credential, urls, [key_url], existing_issuer)
    assertion = ob2.assertion(credential, badge_url=badge["id"], key_url=key_url)
    files[urls.path(key_url)] = _json(ob2.cryptographic_key(urls, signer.key_id,
                                                            signer.public_key_pem))
    files[urls.path(badge["id"])] = _json(badge)
    files[urls.path(urls.issuer)] = _json(issuer)
    jws = sign_compact(assertion, signer)
    name = ob2.assertion_uuid(credential)
    baked_path = ""
    if image is not None:
        baked_path = f"assertions/{name}.png"
        files[baked_path] = bake_ob2_png(image, jws)
    assertion_path = f"assertions/{name}.jws"
    files[assertion_path] = (jws + "\n").encode("ascii")  # last: written after what it names
    return Ob2Export(
        assertion=assertion, jws=jws, assertion_path=assertion_path, baked_path=baked_path,
        files=files,
        create_only={urls.path(urls.revocations): _json(ob2.revocation_list(urls))},
    )
