"""Verification under hostile or broken input, did:web issuers, and what is refused at
signing. Every case: a clear message, a non-zero exit, no traceback, no network."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from assessor import cli
from assessor.credentials import ed25519
from assessor.credentials.multiformats import ed25519_multikey
from assessor.credentials.signing import sign_credential
from assessor.credentials.verify import verify_credential
from assessor.errors import ValidationError

KEY = ed25519.Ed25519Signer(bytes(range(32)), "test-key")
MULTIKEY = ed25519_multikey(KEY.public_key)
HUB_DID = "did:web:hub.example.org"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def unsigned(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:5f0d4b8e-1c1f-4f59-9d0e-7b1d3c5a9e21",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": HUB_DID, "type": ["Profile"], "name": "Example Org",
                   "url": "https://example.org"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Site Safety",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
            "id": "https://example.org/a/1", "type": ["Achievement"], "name": "Site Safety",
            "description": "Works safely on site.", "criteria": {"narrative": "Judged."}}},
    }
    document.update(changes)
    return document


def did_document(*, listed: bool = True) -> dict[str, Any]:
    method = f"{HUB_DID}#{MULTIKEY}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": HUB_DID,
        "verificationMethod": [{"id": method, "type": "Multikey", "controller": HUB_DID,
                                "publicKeyMultibase": MULTIKEY}],
        "assertionMethod": [method] if listed else [],
    }


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a connection fails the test: verification is offline."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def verify_file(capsys, tmp_path: Path, document: Any, *extra: str) -> tuple[int, str]:
    path = tmp_path / "credential.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document),
                    encoding="utf-8")
    did = tmp_path / "did.json"
    did.write_text(json.dumps(did_document()), encoding="utf-8")
    code = cli.main(["credential", "verify", str(path), "--did-document", str(did), *extra])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out + out.err


def test_a_did_web_issuer_verifies_with_its_did_document(capsys, tmp_path) -> None:
    signed = sign_credential(unsigned(), KEY)
    assert signed["proof"]["verificationMethod"] == f"{HUB_DID}#{MULTIKEY}"
    code, out = verify_file(capsys, tmp_path, signed)
    assert code == 0, out
    assert "VERIFIED" in out

    report = verify_credential(signed, documents=[did_document(listed=False)], now=NOW)
    assert not report.ok and "assertionMethod" in " ".join(report.lines())
    report = verify_credential(signed, now=NOW)
    assert not report.ok and "--did-document" in " ".join(report.lines())


def test_dates_are_checked(capsys, tmp_path) -> None:
    later = sign_credential(unsigned(validFrom="2099-01-01T00:00:00Z"), KEY)
    code, out = verify_file(capsys, tmp_path, later)
    assert code == 1 and "not valid before 2099-01-01" in out
    expired = sign_credential(unsigned(validUntil="2020-01-01T00:00:00Z",
                                       validFrom="2019-01-01T00:00:00Z"), KEY)
    code, out = verify_file(capsys, tmp_path, expired)
    assert code == 1 and "expired on 2020-01-01" in out


def tamper(change):
    signed = sign_credential(unsigned(), KEY, created=NOW - timedelta(days=1))
    copied = copy.deepcopy(signed)
    change(copied)
    return copied


@pytest.mark.parametrize("change", [
    pytest.param(lambda c: c.pop("proof"), id="missing proof"),
    pytest.param(lambda c: c.update(proof="z123"), id="proof not an object"),
    pytest.param(lambda c: c["proof"].update(cryptosuite="ecdsa-rdfc-2019"), id="cryptosuite"),
    pytest.param(lambda c: c["proof"].update(type="Ed25519Signature2020"), id="proof type"),
    pytest.param(lambda c: c["proof"].update(proofValue="not-multibase"), id="proofValue"),
    pytest.param(lambda c: c["proof"].update(proofValue="z" + "1" * 80), id="wrong signature"),
    pytest.param(lambda c: c["proof"].pop("verificationMethod"), id="no method"),
    pytest.param(lambda c: c["proof"].update(proofPurpose="authentication"), id="purpose"),
    pytest.param(lambda c: c.update(
        {"@context": [*c["@context"], "https://evil.example/context.json"]}),
        id="remote context"),
    pytest.param(lambda c: c.update({"@context": ["https://www.w3.org/ns/credentials/v2",
                                                  {"@vocab": "https://evil.example/#"}]}),
                 id="inline vocab"),
])
def test_broken_proofs_and_contexts_fail_with_a_reason(capsys, tmp_path, change) -> None:
    code, out = verify_file(capsys, tmp_path, tamper(change))
    assert code in (1, 2)
    assert "VERIFIED" not in out.replace("NOT VERIFIED", "")
    assert out.strip()


def test_a_key_of_the_wrong_type_is_refused(capsys, tmp_path) -> None:
    signed = sign_credential(unsigned(), KEY)
    wrong = did_document()
    wrong["verificationMethod"][0].pop("publicKeyMultibase")
    wrong["verificationMethod"][0]["publicKeyJwk"] = {"kty": "EC", "crv": "P-256",
                                                      "x": "AAAA", "y": "AAAA"}
    report = verify_credential(signed, documents=[wrong], now=NOW)
    assert not report.ok
    assert "not an Ed25519 key" in " ".join(report.lines())


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"a": NaN}', "not valid JSON"),
    ("\xff\xfe", "not valid JSON"),
    ("[1, 2]", "does not hold a JSON object"),
    ("", "not valid JSON"),
])
def test_unreadable_documents_are_refused_clearly(capsys, tmp_path, text, message) -> None:
    code, out = verify_file(capsys, tmp_path, text)
    assert code == 2 and message in out


def test_a_huge_document_is_refused_before_it_is_parsed(capsys, tmp_path) -> None:
    code, out = verify_file(capsys, tmp_path, '{"x": "' + "a" * 6_000_000 + '"}')
    assert code == 2 and "larger than 5 MB" in out


@pytest.mark.parametrize("change, message", [
    (lambda c: c.update(favouriteColour="blue"), "favouriteColour"),
    (lambda c: c["credentialSubject"].update(shoeSize=42), "shoeSize"),
    (lambda c: c.update(id="relative/credential"), "relative"),
    (lambda c: c.update({"@context": ["https://purl.imsglobal.org/spec/ob/v3p0/"
                                      "context-3.0.3.json"]}), "context"),
])
def test_undefined_terms_and_relative_ids_are_never_signed(change, message) -> None:
    document = unsigned()
    change(document)
    with pytest.raises(ValidationError, match=message):
        sign_credential(document, KEY)


def test_an_issuer_given_only_by_id_is_signed_and_verifies(capsys, tmp_path) -> None:
    document = unsigned(issuer={"id": HUB_DID})
    signed = sign_credential(document, KEY)
    code, out = verify_file(capsys, tmp_path, signed)
    assert code == 0, out


def test_a_relative_id_is_not_resolved_against_a_default_base(capsys, tmp_path) -> None:
    """A verifier that resolved "relative" against some base would sign something else."""
    signed = sign_credential(unsigned(), KEY)
    signed["credentialSubject"]["achievement"]["id"] = "achievements/1"
    code, out = verify_file(capsys, tmp_path, signed)
    assert code != 0 and "not an absolute IRI" in out
