"""The Open Badges 3.0 Data Integrity test vector, reproduced byte for byte."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assessor.credentials import ed25519
from assessor.credentials.multiformats import ed25519_multikey
from assessor.credentials.proof import add_proof, hash_data
from assessor.credentials.verify import verify_credential

# The 1EdTech OB 3.0 Data Integrity vector (eddsa-rdfc-2022), copied from the spec.
VECTORS = Path(__file__).resolve().parents[1] / "data" / "ob3-vectors"
SEED = bytes.fromhex("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4")
PUBLIC = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
PROOF_CONFIG_HASH = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
DOCUMENT_HASH = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
SIGNATURE = ("f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1"
             "e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503")
PROOF_VALUE = ("z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35Hcbg"
               "XVEDYHxCzgkCr")


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture
def signed() -> dict[str, Any]:
    return _load("1edtech-ob3-ldp-test-vector.signed.json")


@pytest.fixture
def controller() -> dict[str, Any]:
    return _load("controller-document.json")


def test_key_material_matches_the_published_values() -> None:
    assert ed25519.public_key(SEED).hex() == PUBLIC
    assert ed25519_multikey(bytes.fromhex(PUBLIC)) == \
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def test_canonical_hashes_signature_and_proof_value(signed) -> None:
    proof = signed["proof"]
    data = hash_data(signed, proof)
    assert data.proof_config_hash.hex() == PROOF_CONFIG_HASH
    assert data.document_hash.hex() == DOCUMENT_HASH

    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    signer = ed25519.Ed25519Signer(SEED, "vector")
    resigned = add_proof(unsigned, signer, proof["verificationMethod"],
                         created=datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC))
    assert signer.sign(data.combined).hex() == SIGNATURE
    assert resigned["proof"]["proofValue"] == PROOF_VALUE
    assert resigned["proof"] == proof


def test_the_vector_verifies_with_its_controller_document(signed, controller) -> None:
    report = verify_credential(signed, documents=[controller],
                               now=datetime(2026, 1, 1, tzinfo=UTC))
    assert report.ok, report.lines()


@pytest.mark.parametrize("change", [
    lambda c: c.update(name="Teamwork Badge!"),
    lambda c: c["credentialSubject"].update(id="did:example:someone-else"),
    lambda c: c["credentialSubject"]["achievement"]["criteria"].update(narrative="Anyone."),
    lambda c: c.update(validFrom="2009-01-01T00:00:00Z"),
    lambda c: c["issuer"].update(name="Another Corp"),
    lambda c: c["proof"].update(created="2011-01-01T19:23:24Z"),
])
def test_any_changed_value_fails_verification(signed, controller, change) -> None:
    tampered = copy.deepcopy(signed)
    change(tampered)
    report = verify_credential(tampered, documents=[controller],
                               now=datetime(2026, 1, 1, tzinfo=UTC))
    assert not report.ok
    assert "does not match" in report.lines()[0]
