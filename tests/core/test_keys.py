"""Signing keys live in the real OS keychain (Secret Service) and nowhere else."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from assessor.credentials import ed25519
from assessor.credentials.multiformats import ed25519_from_multikey
from assessor.keys import KEY_PREFIX, KeychainError, KeyCustody, NoSigningKeyError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def custody(home) -> Iterator[KeyCustody]:
    custody = KeyCustody(home.home, service=f"assessor-test-{uuid.uuid4()}")
    yield custody
    custody.delete_all()


@pytest.fixture
def swap_backend():
    """Put a different keyring backend in place for one test, then restore the real one."""
    original = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(original)


def files_contain(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_a_new_key_lives_in_the_keychain_and_signs(custody, home) -> None:
    info = custody.create()
    assert info.id.startswith("z6Mk") and info.status == "active"
    stored = keyring.get_password(custody._service, KEY_PREFIX + info.id)
    assert stored is not None
    seed = base64.b64decode(stored)
    assert ed25519.public_key(seed) == ed25519_from_multikey(info.id)

    signer = custody.signer()
    signature = signer.sign(b"judged and approved")
    assert ed25519.verify(ed25519_from_multikey(info.id), signature, b"judged and approved")
    assert stored not in repr(signer) and "seed" not in repr(signer)

    # Nowhere on disk: not the raw seed, not its base64.
    assert files_contain(home.home, seed) == []
    assert files_contain(home.home, stored.encode()) == []


def test_create_twice_is_refused_and_rotation_retires_the_old_key(custody) -> None:
    first = custody.create()
    with pytest.raises(Exception, match="already active; rotate"):
        custody.create()
    second = custody.rotate()
    keys = {k.id: k.status for k in custody.keys()}
    assert keys == {first.id: "retired", second.id: "active"}
    assert keyring.get_password(custody._service, KEY_PREFIX + first.id) is None
    assert custody.signer().key_id == second.id


def test_export_public_gives_multikey_jwk_and_did_key(custody) -> None:
    info = custody.create()
    exported = info.public_export()
    raw = ed25519_from_multikey(exported["publicKeyMultibase"])
    x = exported["publicKeyJwk"]["x"]
    assert base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)) == raw
    assert exported["publicKeyJwk"] | {} == {"kty": "OKP", "crv": "Ed25519", "x": x}
    assert exported["didKey"] == f"did:key:{info.id}"
    assert exported["didKeyVerificationMethod"] == f"did:key:{info.id}#{info.id}"


def test_signing_without_a_key_says_how_to_make_one(custody) -> None:
    with pytest.raises(NoSigningKeyError, match="keys create"):
        custody.signer()
    with pytest.raises(NoSigningKeyError, match="no active signing key to rotate"):
        custody.rotate()


def test_no_keychain_means_no_signing_and_no_plaintext_fallback(custody, home,
                                                               swap_backend) -> None:
    swap_backend(fail.Keyring())
    with pytest.raises(KeychainError, match="No usable OS keychain.*judging still works"):
        custody.create()
    assert custody.keys() == []
    assert not (home.home / "keys.json").exists()


def test_a_plaintext_backend_is_refused(custody, swap_backend) -> None:
    class PlaintextKeyring(KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            return None

        def set_password(self, service, username, password):
            raise AssertionError("a plaintext keyring must never receive a key")

        def delete_password(self, service, username):
            return None

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    swap_backend(PlaintextKeyring())
    with pytest.raises(KeychainError, match="never keeps signing keys in plain files"):
        custody.create()


def test_a_locked_keychain_is_named_as_such(custody, swap_backend) -> None:
    info = custody.create()
    real = keyring.get_keyring()

    class LockedKeyring(KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            raise keyring.errors.KeyringLocked("collection is locked")

        def set_password(self, service, username, password):
            raise keyring.errors.KeyringLocked("collection is locked")

        def delete_password(self, service, username):
            raise keyring.errors.KeyringLocked("collection is locked")

    swap_backend(LockedKeyring())
    with pytest.raises(KeychainError, match="keychain is locked"):
        custody.signer()
    swap_backend(real)
    assert custody.signer().key_id == info.id


def test_a_damaged_keychain_entry_is_reported_without_its_content(custody) -> None:
    info = custody.create()
    keyring.set_password(custody._service, KEY_PREFIX + info.id, "not-base64-SECRETISH!!")
    with pytest.raises(KeychainError) as caught:
        custody.signer()
    assert "SECRETISH" not in str(caught.value) and caught.value.__cause__ is None
    assert "damaged" in str(caught.value)


def test_keys_commands_from_the_shell(home) -> None:
    env = {**os.environ}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), "keys", *args],
                              capture_output=True, text=True, timeout=60, env=env,
                              check=False, cwd=ROOT)

    try:
        assert "no signing keys yet" in run("list").stdout
        created = run("create")
        assert created.returncode == 0, created.stderr
        exported = json.loads(run("export-public").stdout)
        assert exported[0]["status"] == "active"
        assert run("rotate").returncode == 0
        everything = json.loads(run("export-public", "--all").stdout)
        assert [k["status"] for k in everything] == ["retired", "active"]
        listing = run("list").stdout
        assert "retired" in listing and "active" in listing
    finally:
        KeyCustody(home.home).delete_all()


# -- the RSA key for Open Badges 2.0 signed assertions ----------------------------------


def test_the_ob2_key_is_made_on_first_use_and_lives_only_in_the_keychain(custody,
                                                                          home) -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    from assessor.keys import OB2_KEY_PREFIX

    assert custody.ob2_active() is None
    signer = custody.ob2_signer()
    info = custody.ob2_active()
    assert info is not None and info.id == signer.key_id and info.status == "active"
    assert custody.keys() == []  # the Ed25519 signing keys are another matter

    stored = keyring.get_password(custody._service, OB2_KEY_PREFIX + info.id)
    assert stored is not None
    der = base64.b64decode(stored)
    private = serialization.load_der_private_key(der, password=None)
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size >= 2048
    public = serialization.load_pem_public_key(info.public_key_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signer.sign(b"assertion"), b"assertion", padding.PKCS1v15(), hashes.SHA256())
    assert stored not in repr(signer)

    assert custody.ob2_signer().key_id == info.id  # made once, then read back
    assert files_contain(home.home, der) == []
    assert files_contain(home.home, stored.encode()) == []
    exported = info.public_export()
    assert exported["publicKeyPem"] == info.public_key_pem and exported["algorithm"] == "RS256"
    assert exported["publicKeyJwk"]["kty"] == "RSA"


def test_ob2_and_signing_keys_rotate_without_touching_each_other(custody) -> None:
    from assessor.keys import OB2_KEY_PREFIX

    signing = custody.create()
    first = custody.ob2_signer().key_id
    rotated = custody.rotate()
    assert [k.id for k in custody.ob2_keys()] == [first]
    second = custody.rotate_ob2()
    assert {k.id: k.status for k in custody.ob2_keys()} == {first: "retired",
                                                            second.id: "active"}
    assert {k.id: k.status for k in custody.keys()} == {signing.id: "retired",
                                                        rotated.id: "active"}
    assert keyring.get_password(custody._service, OB2_KEY_PREFIX + first) is None
    assert custody.ob2_signer().key_id == second.id
    custody.delete_all()
    assert keyring.get_password(custody._service, OB2_KEY_PREFIX + second.id) is None


def test_no_keychain_means_no_ob2_key_either(custody, home, swap_backend) -> None:
    swap_backend(fail.Keyring())
    with pytest.raises(KeychainError, match="No usable OS keychain"):
        custody.ob2_signer()
    assert not (home.home / "keys.json").exists()


def test_a_missing_or_damaged_ob2_key_says_how_to_replace_it(custody) -> None:
    from assessor.keys import OB2_KEY_PREFIX

    info_id = custody.ob2_signer().key_id
    keyring.set_password(custody._service, OB2_KEY_PREFIX + info_id, "SECRETISH-not-der")
    with pytest.raises(KeychainError) as caught:
        custody.ob2_signer()
    assert "damaged" in str(caught.value) and "SECRETISH" not in str(caught.value)
    assert caught.value.__cause__ is None
    keyring.delete_password(custody._service, OB2_KEY_PREFIX + info_id)
    with pytest.raises(KeychainError, match="missing.*keys rotate --ob2"):
        custody.ob2_signer()


def test_ob2_keys_from_the_shell_leave_the_signing_key_output_alone(home) -> None:
    env = {**os.environ}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), "keys", *args],
                              capture_output=True, text=True, timeout=60, env=env,
                              check=False, cwd=ROOT)

    try:
        refused = run("export-public", "--ob2")
        assert refused.returncode == 2 and "credential export-ob2" in refused.stderr
        assert run("create").returncode == 0
        before = json.loads(run("export-public").stdout)
        made = run("rotate", "--ob2")
        assert made.returncode == 0, made.stderr
        ob2_id = KeyCustody(home.home).ob2_keys()[0].id
        assert json.loads(run("export-public").stdout) == before  # Ed25519 only, unchanged
        exported = json.loads(run("export-public", "--ob2").stdout)
        assert [k["id"] for k in exported] == [ob2_id]
        assert exported[0]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
        listing = run("list").stdout.splitlines()
        assert listing[0].startswith("active   z6Mk")
        assert listing[1].startswith(f"active   {ob2_id}") and "Open Badges 2.0" in listing[1]
    finally:
        KeyCustody(home.home).delete_all()


def test_a_key_the_index_cannot_list_leaves_the_keychain_again(custody, home) -> None:
    import secretstorage

    (home.home / "keys.json.partial").mkdir()  # the index cannot be written
    with pytest.raises(OSError):
        custody.create()
    assert custody.keys() == []
    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        assert list(collection.search_items({"service": custody._service})) == []
    finally:
        connection.close()
