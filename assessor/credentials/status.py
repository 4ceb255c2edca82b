"""Revocation: the W3C Bitstring Status List and the 1EdTech Revocation List.

A credential names where its revocation state lives (``credentialStatus``):

- ``BitstringStatusListEntry``: a bit at ``statusListIndex`` in the list published as a
  signed ``BitstringStatusListCredential``. Its ``encodedList`` is the bitstring,
  GZIP-compressed, base64url-encoded without padding, with the multibase prefix ``u``;
  bit 0 is the most significant bit of the first byte. A list holds at least 131,072
  entries (16 KB) so that one credential's position says little about its holder.
- ``1EdTechRevocationList``: a JSON list at ``id`` naming revoked credential ids and why.

Checking never fetches anything itself: the caller hands over the list documents (read
from files, or fetched by ``fetch_status_documents`` when the user asked to go online).
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from assessor.credentials.contexts import VC_V2
from assessor.errors import ValidationError

MIN_ENTRIES = 131_072
"""The spec's minimum list length (16 KB of bits), for group privacy."""
MAX_ENTRIES = 8 * 16 * 1024 * 1024
"""Refuse lists that would decompress to more than 16 MB (a compression bomb)."""
BITSTRING_ENTRY = "BitstringStatusListEntry"
BITSTRING_LIST = "BitstringStatusListCredential"
EDTECH_LIST = "1EdTechRevocationList"


class StatusList:
    """A revocation bitstring that can be read, changed and encoded."""

    def __init__(self, size: int = MIN_ENTRIES, data: bytes | None = None) -> None:
        if size < MIN_ENTRIES or size % 8:
            raise ValidationError(f"A status list holds at least {MIN_ENTRIES:,} entries, in "
                                  "whole bytes.")
        self._bits = bytearray(data if data is not None else size // 8)
        if len(self._bits) * 8 != size:
            raise ValidationError("The status list data does not match its size.")

    @property
    def size(self) -> int:
        return len(self._bits) * 8

    def _place(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise ValidationError(f"Status index {index} is outside the list "
                                  f"(0 to {self.size - 1}).")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        byte, mask = self._place(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._place(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def set_indices(self) -> list[int]:
        return [i for i, byte in enumerate(self._bits) if byte
                for i in range(i * 8, i * 8 + 8) if self.get(i)]

    def encode(self) -> str:
        packed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: Any) -> StatusList:
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise ValidationError("The status list's encodedList is not multibase base64url "
                                  "(it must start with 'u').")
        text = encoded[1:]
        try:
            packed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_",
                                      validate=True)
        except ValueError:
            raise ValidationError("The status list's encodedList is not base64url.") from None
        inflater = zlib.decompressobj(wbits=31)  # gzip framing
        try:
            data = inflater.decompress(packed, MAX_ENTRIES // 8 + 1)
        except zlib.error:
            raise ValidationError("The status list's encodedList is not GZIP data.") from None
        if not inflater.eof and not inflater.unconsumed_tail:
            raise ValidationError("The status list's encodedList is cut short.")
        if len(data) > MAX_ENTRIES // 8 or inflater.unconsumed_tail:
            raise ValidationError("The status list is larger than any real list.")
        if len(data) * 8 < MIN_ENTRIES:
            raise ValidationError(f"The status list has {len(data) * 8:,} entries; the spec "
                                  f"requires at least {MIN_ENTRIES:,}.")
        return cls(len(data) * 8, data)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def status_list_credential(
    list_id: str,
    issuer: dict[str, Any] | str,
    bits: StatusList,
    *,
    purpose: str = "revocation",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` published at ``list_id``."""
    credential: dict[str, Any] = {
        "@context": [VC_V2],
        "id": list_id,
        "type": ["VerifiableCredential", BITSTRING_LIST],
        "issuer": issuer,
        "validFrom": _iso(valid_from or datetime.now(UTC)),
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = _iso(valid_until)
    return credential


def revocation_list_document(list_id: str, issuer_id: str,
                             revoked: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The 1EdTech Revocation List at ``list_id``: (credential id, reason) pairs."""
    return {
        "id": list_id,
        "issuer": issuer_id,
        "revokedCredentials": [
            {"id": credential_id, **({"revocationReason": reason} if reason else {})}
            for credential_id, reason in revoked
        ],
    }


def status_entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    status = credential.get("credentialStatus")
    if status is None:
        return []
    entries = status if isinstance(status, list) else [status]
    if not all(isinstance(e, dict) for e in entries):
        raise ValidationError("credentialStatus must be an object or a list of objects.")
    return entries


def types_of(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


@dataclass(frozen=True)
class StatusOutcome:
    """One entry's result: ``revoked`` is None when no list for it was available."""

    entry_type: str
    list_url: str
    revoked: bool | None
    detail: str


def _issuer_of(document: dict[str, Any]) -> str:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else ""


def check_bitstring_entry(entry: dict[str, Any], credential_issuer: str,
                          lists: dict[str, dict[str, Any]],
                          verify_list: Any) -> StatusOutcome:
    """Read the entry's bit from its (verified) status list credential."""
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url:
        raise ValidationError("The status entry has no statusListCredential.")
    purpose = entry.get("statusPurpose")
    if purpose not in ("revocation", "suspension"):
        raise ValidationError(f"Unknown statusPurpose {purpose!r}.")
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError:
        raise ValidationError("The status entry's statusListIndex is not a number.") from None
    document = lists.get(url)
    if document is None:
        return StatusOutcome(BITSTRING_ENTRY, url, None,
                             f"status list {url} not available (offline)")
    if BITSTRING_LIST not in types_of(document.get("type")):
        raise ValidationError(f"{url} is not a BitstringStatusListCredential.")
    problem = verify_list(document)
    if problem:
        raise ValidationError(f"The status list {url} does not verify: {problem}")
    if _issuer_of(document) != credential_issuer:
        raise ValidationError(f"The status list {url} was issued by "
                              f"{_issuer_of(document) or '(nobody)'}, not by the issuer.")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("statusPurpose") != purpose:
        raise ValidationError(f"The status list {url} is not a {purpose} list.")
    bits = StatusList.decode(subject.get("encodedList"))
    flagged = bits.get(index)
    word = "revoked" if purpose == "revocation" else "suspended"
    return StatusOutcome(BITSTRING_ENTRY, url, flagged,
                         f"{word} ({url} #{index})" if flagged else f"not {word} ({url})")


def check_edtech_entry(entry: dict[str, Any], credential_id: str, credential_issuer: str,
                       lists: dict[str, dict[str, Any]]) -> StatusOutcome:
    url = entry.get("id")
    if not isinstance(url, str) or not url:
        raise ValidationError("The 1EdTechRevocationList entry has no id.")
    document = lists.get(url)
    if document is None:
        return StatusOutcome(EDTECH_LIST, url, None, f"revocation list {url} not available")
    revoked = document.get("revokedCredentials")
    if not isinstance(revoked, list):
        raise ValidationError(f"{url} is not a revocation list (no revokedCredentials).")
    if document.get("issuer") not in (None, credential_issuer) and \
            _issuer_of(document) != credential_issuer:
        raise ValidationError(f"The revocation list {url} belongs to another issuer.")
    for item in revoked:
        if isinstance(item, dict) and item.get("id") == credential_id:
            reason = item.get("revocationReason")
            return StatusOutcome(EDTECH_LIST, url, True,
                                 f"revoked ({reason})" if isinstance(reason, str) and reason
                                 else "revoked")
    return StatusOutcome(EDTECH_LIST, url, False, f"not revoked ({url})")


def index_status_documents(documents: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Status documents by the URL a credential names them with."""
    out: dict[str, dict[str, Any]] = {}
    for document in documents:
        if isinstance(document.get("id"), str):
            out[document["id"]] = document
    return out


MAX_FETCH_BYTES = 4_000_000


def fetch_status_documents(credential: dict[str, Any], *, timeout: float = 10.0
                           ) -> list[dict[str, Any]]:
    """Fetch the lists a credential names (https only; used only when asked to go online)."""
    import json

    import httpx

    urls = []
    for entry in status_entries(credential):
        url = entry.get("statusListCredential") if BITSTRING_ENTRY in types_of(
            entry.get("type")) else entry.get("id")
        if isinstance(url, str) and url.startswith("https://") and url not in urls:
            urls.append(url.split("#", 1)[0])
    documents = []
    with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=3) as client:
        for url in urls:
            try:
                with client.stream("GET", url, headers={"Accept": "application/json, "
                                                        "application/vc+ld+json"}) as reply:
                    reply.raise_for_status()
                    body = b""
                    for chunk in reply.iter_bytes():
                        body += chunk
                        if len(body) > MAX_FETCH_BYTES:
                            raise ValidationError(f"The status list at {url} is too large.")
            except httpx.HTTPError as exc:
                raise ValidationError(f"Cannot fetch the status list {url}: "
                                      f"{type(exc).__name__}.") from None
            try:
                document = json.loads(body)
            except ValueError:
                raise ValidationError(f"The status list at {url} is not JSON.") from None
            if isinstance(document, dict):
                documents.append(document)
    return documents
