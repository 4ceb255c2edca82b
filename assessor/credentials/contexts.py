"""JSON-LD contexts served offline from pinned copies in ``resources/contexts``.

Signing and verifying never touch the network: the document loader answers only for the
context URLs listed here, from files whose sha256 is checked before first use, and refuses
anything else (an unknown or remote context is an error, not a fetch).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assessor.errors import ValidationError

CONTEXT_DIR = Path(__file__).resolve().parents[2] / "resources" / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"


@dataclass(frozen=True)
class PinnedContext:
    url: str
    file: str
    sha256: str


PINNED: dict[str, PinnedContext] = {}
"""Filled from ``resources/contexts/pinned.json`` (URL, file and sha256 of each copy)."""


def _load_manifest() -> None:
    manifest = CONTEXT_DIR / "pinned.json"
    if PINNED or not manifest.exists():
        return
    for entry in json.loads(manifest.read_text(encoding="utf-8")):
        PINNED[entry["url"]] = PinnedContext(entry["url"], entry["file"], entry["sha256"])


class UnknownContextError(ValidationError):
    """A context this offline loader does not hold."""


@cache
def context_document(url: str) -> dict[str, Any]:
    """The parsed context for ``url`` from its pinned copy, after checking its sha256."""
    _load_manifest()
    pinned = PINNED.get(url.split("#", 1)[0])
    if pinned is None:
        raise UnknownContextError(
            f"The JSON-LD context {url[:200]!r} is not one Assessor knows, and contexts are "
            "never fetched from the network. Use the VC 2.0 and Open Badges 3.0 contexts."
        )
    data = (CONTEXT_DIR / pinned.file).read_bytes()
    if hashlib.sha256(data).hexdigest() != pinned.sha256:
        raise ValidationError(f"The pinned copy of {url} has been altered; reinstall Assessor.")
    parsed: dict[str, Any] = json.loads(data)
    return parsed


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader: pinned contexts only."""
    return {"contextUrl": None, "documentUrl": url, "document": context_document(url)}


def is_pinned(url: str) -> bool:
    """Whether the offline loader holds ``url`` (without fetching or reading anything)."""
    _load_manifest()
    return url.split("#", 1)[0] in PINNED
