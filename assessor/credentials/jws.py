"""JWS compact serialization (RFC 7515) with RS256, as Open Badges 2.0 signed badges use.

``header.payload.signature``, each part base64url without padding; the signature covers
the ASCII bytes of ``header.payload``. Parsing never trusts the text: sizes are bounded,
the alphabet is checked, and only ``{"alg": "RS256"}`` style headers are accepted.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from assessor.errors import ValidationError

ALGORITHM = "RS256"
MAX_JWS_CHARS = 5_000_000
_PART = re.compile(r"[A-Za-z0-9_-]*")


class BytesSigner(Protocol):
    def sign(self, data: bytes) -> bytes: ...


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not _PART.fullmatch(text) or len(text) % 4 == 1:
        raise ValidationError("A JWS part is not base64url text.")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError("A JWS part is not base64url text.") from None


def sign_compact(payload: dict[str, Any], signer: BytesSigner) -> str:
    """``payload`` as JSON, signed RS256, in compact serialization."""
    header = b64url_encode(json.dumps({"alg": ALGORITHM}, separators=(",", ":")).encode())
    body = b64url_encode(json.dumps(payload, ensure_ascii=False,
                                    separators=(",", ":")).encode("utf-8"))
    signing_input = f"{header}.{body}"
    return f"{signing_input}.{b64url_encode(signer.sign(signing_input.encode('ascii')))}"


@dataclass(frozen=True)
class ParsedJws:
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError(f"The JWS {what} is not JSON.") from None
    if not isinstance(value, dict):
        raise ValidationError(f"The JWS {what} is not a JSON object.")
    return value


def parse_compact(text: str) -> ParsedJws:
    """Split and decode a compact JWS; the signature is not checked here."""
    text = text.strip()
    if len(text) > MAX_JWS_CHARS:
        raise ValidationError("The JWS is larger than any signed assertion can be.")
    parts = text.split(".")
    if len(parts) != 3 or not all(parts):
        raise ValidationError("This is not a JWS in compact form (header.payload.signature).")
    header = _json_object(b64url_decode(parts[0]), "header")
    if header.get("alg") != ALGORITHM:
        raise ValidationError(f"The JWS algorithm is {header.get('alg')!r}; Open Badges 2.0 "
                              f"signed assertions use {ALGORITHM}.")
    if "crit" in header:
        raise ValidationError("The JWS header names critical extensions this verifier does "
                              "not understand.")
    payload = _json_object(b64url_decode(parts[1]), "payload")
    return ParsedJws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"),
                     b64url_decode(parts[2]))
