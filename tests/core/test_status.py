"""Revocation: Bitstring Status List encoding, and verification against status lists."""

from __future__ import annotations

import base64
import copy
import gzip
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from assessor.credentials import ed25519
from assessor.credentials.multiformats import did_key, ed25519_multikey
from assessor.credentials.signing import sign_credential
from assessor.credentials.status import (
    MIN_ENTRIES,
    StatusList,
    revocation_list_document,
    status_list_credential,
)
from assessor.credentials.verify import VerificationReport, verify_credential
from assessor.errors import ValidationError

NOW = datetime(2026, 6, 1, tzinfo=UTC)
LIST_URL = "https://hub.example.org/status/1"
EDTECH_URL = "https://hub.example.org/revocations"


class Key(ed25519.Ed25519Signer):
    def __init__(self, seed: bytes) -> None:
        super().__init__(seed, "test")

    @property
    def did(self) -> str:
        return did_key(ed25519_multikey(self.public_key))


ISSUER = Key(bytes(range(32)))
STRANGER = Key(bytes(range(1, 33)))


def credential(index: int = 42, *, edtech: bool = False) -> dict[str, Any]:
    status: list[dict[str, Any]] = [{
        "id": f"{LIST_URL}#{index}", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
    }]
    contexts = ["https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    if edtech:
        status = [{"id": EDTECH_URL, "type": "1EdTechRevocationList"}]
        contexts.append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    unsigned = {
        "@context": contexts,
        "id": "urn:uuid:6a4b9f52-3f1e-4c55-9d55-1f0c2b0f0a01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"type": ["Profile"], "name": "Example Org", "url": "https://example.org"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Site Safety",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
            "id": "https://example.org/a/1", "type": ["Achievement"], "name": "Site Safety",
            "description": "Works safely on site.", "criteria": {"narrative": "Judged."}}},
        "credentialStatus": status if edtech else status[0],
    }
    return sign_credential(unsigned, ISSUER, created=NOW - timedelta(days=30))


def signed_list(revoked: list[int], *, key: Key = ISSUER, purpose: str = "revocation",
                valid_until: datetime | None = None) -> dict[str, Any]:
    bits = StatusList()
    for index in revoked:
        bits.set(index)
    unsigned = status_list_credential(LIST_URL, key.did, bits, purpose=purpose,
                                      valid_from=NOW - timedelta(days=1),
                                      valid_until=valid_until)
    return sign_credential(unsigned, key, created=NOW - timedelta(days=1))


def status_line(report: VerificationReport) -> str:
    return next(line for line in report.lines() if "status:" in line)


def test_bit_zero_is_the_first_bytes_most_significant_bit() -> None:
    bits = StatusList()
    bits.set(0)
    bits.set(9)
    encoded = bits.encode()
    assert encoded.startswith("u")
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 == MIN_ENTRIES
    assert raw[0] == 0x80 and raw[1] == 0x40 and not any(raw[2:])
    decoded = StatusList.decode(encoded)
    assert decoded.set_indices() == [0, 9]
    decoded.set(9, False)
    assert decoded.set_indices() == [0]


@pytest.mark.parametrize("encoded, message", [
    ("zabc", "multibase base64url"),
    ("u!!!", "not base64url"),
    ("u" + base64.urlsafe_b64encode(b"plain bytes").decode().rstrip("="), "not GZIP"),
    ("u" + base64.urlsafe_b64encode(gzip.compress(bytes(100), mtime=0)).decode().rstrip("="),
     "at least 131,072"),
    ("u" + base64.urlsafe_b64encode(gzip.compress(bytes(20_000_000), mtime=0)).decode().rstrip("="),
     "larger than any real list"),
    (12, "multibase base64url"),
])
def test_malformed_lists_are_refused_clearly(encoded, message) -> None:
    with pytest.raises(ValidationError, match=message):
        StatusList.decode(encoded)


def test_an_index_outside_the_list_is_refused() -> None:
    with pytest.raises(ValidationError, match="outside the list"):
        StatusList().set(MIN_ENTRIES)


def test_not_revoked_revoked_and_reinstated() -> None:
    signed = credential(42)
    report = verify_credential(signed, status_documents=[signed_list([7])], now=NOW)
    assert report.ok, report.lines()
    assert "not revoked" in status_line(report)

    report = verify_credential(signed, status_documents=[signed_list([7, 42])], now=NOW)
    assert not report.ok
    assert status_line(report).startswith("FAIL") and "revoked" in status_line(report)

    report = verify_credential(signed, status_documents=[signed_list([7])], now=NOW)
    assert report.ok


def test_without_the_list_the_status_is_reported_unchecked_not_passed() -> None:
    report = verify_credential(credential(), now=NOW)
    assert report.ok
    assert status_line(report).startswith("skip") and "not checked" in status_line(report)


@pytest.mark.parametrize("make_list, reason", [
    (lambda: signed_list([], key=STRANGER), "does not verify"),
    (lambda: signed_list([], purpose="suspension"), "not a revocation list"),
    (lambda: signed_list([], valid_until=NOW - timedelta(hours=1)), "expired"),
])
def test_a_list_that_cannot_be_trusted_fails_the_check(make_list, reason) -> None:
    listing = make_list()
    if reason == "does not verify":
        # signed by someone else but claiming the issuer's identity
        listing["issuer"] = ISSUER.did
    report = verify_credential(credential(), status_documents=[listing], now=NOW)
    assert not report.ok
    assert reason in status_line(report), report.lines()


def test_a_list_issued_by_another_issuer_is_not_believed() -> None:
    report = verify_credential(credential(42),
                               status_documents=[signed_list([], key=STRANGER)], now=NOW)
    assert not report.ok
    assert "not by the issuer" in status_line(report)


def test_a_tampered_list_fails_verification() -> None:
    listing = signed_list([])
    tampered = copy.deepcopy(listing)
    bits = StatusList()
    bits.set(42)
    tampered["credentialSubject"]["encodedList"] = bits.encode()
    report = verify_credential(credential(42), status_documents=[tampered], now=NOW)
    assert not report.ok
    assert "does not verify" in status_line(report)


def test_1edtech_revocation_list() -> None:
    signed = credential(edtech=True)
    clean = revocation_list_document(EDTECH_URL, signed["issuer"]["id"],
                                     [("urn:uuid:someone-else", "")])
    report = verify_credential(signed, status_documents=[clean], now=NOW)
    assert report.ok and "not revoked" in status_line(report)
    revoked = revocation_list_document(EDTECH_URL, signed["issuer"]["id"],
                                       [(signed["id"], "Issued in error")])
    report = verify_credential(signed, status_documents=[revoked], now=NOW)
    assert not report.ok
    assert "revoked (Issued in error)" in status_line(report)
    foreign = revocation_list_document(EDTECH_URL, STRANGER.did, [(signed["id"], "")])
    report = verify_credential(signed, status_documents=[foreign], now=NOW)
    assert not report.ok and "another issuer" in status_line(report)


def test_a_malformed_status_entry_fails_instead_of_passing() -> None:
    signed = credential()
    signed["credentialStatus"] = "https://hub.example.org/status/1"
    report = verify_credential(signed, now=NOW)
    assert not report.ok
