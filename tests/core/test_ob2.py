"""``credential export-ob2`` / ``verify-ob2``: Open Badges 2.0 signed assertions, real keychain.

The OB 3.0 credential is signed with the keychain's Ed25519 key, then exported as an OB 2.0
Assertion signed RS256 with the keychain's RSA key; the hosted documents are checked both
by our verifier and directly with ``cryptography``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from keyring.backends import fail

from assessor import cli
from assessor.credentials.jws import b64url_decode
from assessor.credentials.ob2_baking import unbake_ob2_png
from assessor.credentials.ob2_verify import verify_ob2
from assessor.credentials.ob3 import identity_hash
from assessor.keys import OB2_KEY_PREFIX, KeyCustody

from .test_credential_commands import UNSIGNED, tiny_png

BASE = "https://hub.example.org/ob2"
SALT = "5a1t5a1t5a1t5a1t"
LEARNER = "learner@example.org"


def ob3_credential() -> dict[str, Any]:
    credential: dict[str, Any] = json.loads(json.dumps(UNSIGNED))
    credential["validUntil"] = "2099-01-01T00:00:00Z"
    credential["issuer"]["email"] = "badges@example.org"
    achievement = credential["credentialSubject"]["achievement"]
    achievement["tag"] = ["safety", "construction"]
    achievement["alignment"] = [{"type": ["Alignment"], "targetName": "Work safely",
                                 "targetUrl": "https://framework.example.org/ws1",
                                 "targetCode": "WS1"}]
    credential["credentialSubject"]["identifier"] = [{
        "type": "IdentityObject", "identityHash": identity_hash(LEARNER, SALT),
        "identityType": "emailAddress", "hashed": True, "salt": SALT}]
    credential["evidence"] = [{"id": "https://hub.example.org/api/v1/evidence/ab12",
                               "type": ["Evidence"], "name": "site-walk.jpg",
                               "description": "Photo of the site walk", "genre": "Photograph"}]
    return credential


@pytest.fixture
def workdir(home, tmp_path: Path) -> Iterator[Path]:
    KeyCustody(home.home).create()
    yield tmp_path
    KeyCustody(home.home).delete_all()


@pytest.fixture
def swap_backend() -> Iterator[Any]:
    original = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(original)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def sign(capsys, workdir: Path, credential: dict[str, Any], name: str = "signed.json") -> Path:
    (workdir / "unsigned.json").write_text(json.dumps(credential), encoding="utf-8")
    code, _, err = run(capsys, "credential", "sign", str(workdir / "unsigned.json"),
                       "--out", str(workdir / name))
    assert code == 0, err
    return workdir / name


def export(capsys, workdir: Path, signed: Path, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "credential", "export-ob2", str(signed), "--base-url", BASE,
               "--out", str(workdir / "hosted"), *extra)


def hosted(workdir: Path, relative: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (workdir / "hosted" / relative).read_text(encoding="utf-8"))
    return document


def documents(workdir: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8"))
            for p in (workdir / "hosted").rglob("*.json")]


def the_jws(workdir: Path) -> str:
    [path] = (workdir / "hosted" / "assertions").glob("*.jws")
    return path.read_text(encoding="utf-8").strip()


def test_round_trip_through_the_cli(capsys, workdir, home) -> None:
    (workdir / "badge.png").write_bytes(tiny_png())
    signed = sign(capsys, workdir, ob3_credential())
    code, out, err = export(capsys, workdir, signed, "--image", str(workdir / "badge.png"))
    assert code == 0, err
    assert "signed Open Badges 2.0 assertion urn:uuid:0f7c2a8e" in out

    jws = the_jws(workdir)
    header, payload, signature = jws.split(".")
    assert json.loads(b64url_decode(header)) == {"alg": "RS256"}
    assertion = json.loads(b64url_decode(payload))
    key_id = KeyCustody(home.home).ob2_active().id  # type: ignore[union-attr]
    key_url = f"{BASE}/keys/{key_id}.json"
    assert assertion["verification"] == {"type": "SignedBadge", "creator": key_url}
    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["type"] == "Assertion" and assertion["id"] == UNSIGNED["id"]
    assert assertion["recipient"] == {"type": "email", "hashed": True, "salt": SALT,
                                      "identity": identity_hash(LEARNER, SALT)}
    assert assertion["issuedOn"] == "2026-01-01T00:00:00Z"
    assert assertion["expires"] == "2099-01-01T00:00:00Z"
    assert assertion["evidence"][0]["description"] == "Photo of the site walk"

    # The hosted documents tie the key to the issuer, and the key checks the signature.
    key = hosted(workdir, f"keys/{key_id}.json")
    issuer = hosted(workdir, "issuer.json")
    badge = hosted(workdir, assertion["badge"].removeprefix(BASE + "/"))
    assert key["type"] == "CryptographicKey" and key["id"] == key_url
    assert key["owner"] == issuer["id"] == badge["issuer"] == f"{BASE}/issuer.json"
    assert issuer["publicKey"] == key_url and issuer["name"] == "Example Org"
    assert issuer["revocationList"] == f"{BASE}/revocations.json"
    assert hosted(workdir, "revocations.json")["revokedAssertions"] == []
    assert badge["type"] == "BadgeClass" and badge["name"] == "Site Safety"
    assert badge["criteria"]["narrative"] == "Judged."
    assert badge["tags"] == ["safety", "construction"]
    assert badge["alignment"] == [{"targetName": "Work safely", "targetCode": "WS1",
                                   "targetUrl": "https://framework.example.org/ws1"}]
    assert badge["image"] == f"{BASE}/images/{Path(badge['id']).stem}.png"
    assert (workdir / "hosted" / "images" / f"{Path(badge['id']).stem}.png").exists()
    public = serialization.load_pem_public_key(key["publicKeyPem"].encode())
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size >= 2048
    public.verify(b64url_decode(signature), f"{header}.{payload}".encode(),
                  padding.PKCS1v15(), hashes.SHA256())

    # Our verifier agrees, for the JWS file and for the baked PNG.
    [baked] = (workdir / "hosted" / "assertions").glob("*.png")
    assert unbake_ob2_png(baked.read_bytes()) == jws
    for source in (jws_file := next((workdir / "hosted" / "assertions").glob("*.jws")), baked):
        code, out, _ = run(capsys, "credential", "verify-ob2", str(source), "--hosted",
                           str(workdir / "hosted"))
        assert code == 0, out
        assert out.rstrip().endswith("VERIFIED") and "not revoked" in out
    assert jws_file.suffix == ".jws"


def test_any_changed_character_fails_verification(capsys, workdir) -> None:
    signed = sign(capsys, workdir, ob3_credential())
    code, _, err = export(capsys, workdir, signed, "--image", str(_png(workdir)))
    assert code == 0, err
    jws, docs = the_jws(workdir), documents(workdir)
    assert verify_ob2(jws, docs).ok
    for position in range(len(jws)):
        if jws[position] == ".":
            continue
        changed = jws[:position] + ("B" if jws[position] == "A" else "A") + jws[position + 1:]
        assert not verify_ob2(changed, docs).ok, position

    # A payload re-signed with the header "none", or signed by a key the issuer never
    # listed, is refused as well.
    header, payload, _ = jws.split(".")
    unsigned_header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    assert not verify_ob2(f"{unsigned_header}.{payload}.", docs).ok
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = other.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    forged_b64 = base64.urlsafe_b64encode(forged).rstrip(b"=").decode()
    report = verify_ob2(f"{header}.{payload}.{forged_b64}", docs)
    assert not report.ok and "does not match" in "\n".join(report.lines())

    # A key document that does not belong to the issuer fails the key check.
    stolen = [dict(d, owner="https://evil.example/issuer.json")
              if d.get("type") == "CryptographicKey" else d for d in docs]
    report = verify_ob2(jws, stolen)
    assert not report.ok and "FAIL issuer key" in "\n".join(report.lines())

    # Without the hosted documents nothing can be checked: not verified, and says why.
    code, out, _ = run(capsys, "credential", "verify-ob2",
                       str(next((workdir / "hosted" / "assertions").glob("*.jws"))))
    assert code == 1 and "--hosted" in out and "NOT VERIFIED" in out


def _png(workdir: Path) -> Path:
    (workdir / "badge.png").write_bytes(tiny_png())
    return workdir / "badge.png"


def test_revocation_and_rotation_keep_old_assertions_honest(capsys, workdir, home) -> None:
    signed = sign(capsys, workdir, ob3_credential())
    assert export(capsys, workdir, signed, "--image", str(_png(workdir)))[0] == 0
    first_jws = the_jws(workdir)
    first_key = KeyCustody(home.home).ob2_active()
    assert first_key is not None

    code, out, err = run(capsys, "keys", "rotate", "--ob2")
    assert code == 0, err
    second = dict(ob3_credential(), id="urn:uuid:1d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f")
    signed_again = sign(capsys, workdir, second, "second.json")
    assert export(capsys, workdir, signed_again, "--image", str(_png(workdir)))[0] == 0
    issuer = hosted(workdir, "issuer.json")
    new_key = KeyCustody(home.home).ob2_active()
    assert new_key is not None and new_key.id != first_key.id
    assert issuer["publicKey"] == [f"{BASE}/keys/{first_key.id}.json",
                                   f"{BASE}/keys/{new_key.id}.json"]
    service = KeyCustody(home.home)._service
    assert keyring.get_password(service, OB2_KEY_PREFIX + first_key.id) is None
    assert verify_ob2(first_jws, documents(workdir)).ok

    # The hub revokes the first assertion; exporting again never undoes that.
    revocations = workdir / "hosted" / "revocations.json"
    listing = json.loads(revocations.read_text(encoding="utf-8"))
    listing["revokedAssertions"].append({"id": UNSIGNED["id"], "revocationReason": "fraud"})
    revocations.write_text(json.dumps(listing), encoding="utf-8")
    assert export(capsys, workdir, signed, "--image", str(_png(workdir)))[0] == 0
    report = verify_ob2(first_jws, documents(workdir))
    assert not report.ok and "FAIL status: revoked: fraud" in report.lines()


def _broken_inputs(workdir: Path, capsys) -> dict[str, tuple[Path, str]]:
    signed = sign(capsys, workdir, ob3_credential())
    original = json.loads(signed.read_text(encoding="utf-8"))
    cases: dict[str, tuple[dict[str, Any] | str, str]] = {
        "not an OpenBadgeCredential": (dict(original, type=["VerifiableCredential"]),
                                       "not an Open Badges 3.0 OpenBadgeCredential"),
        "unsigned": ({k: v for k, v in original.items() if k != "proof"}, "not signed"),
        "tampered": (dict(original, name="Something Else"), "proof does not verify"),
        "not JSON": ("{ this is not json", "not valid JSON"),
        "a list": ("[1, 2]", "does not hold a JSON object"),
        "no subject": (dict(original, credentialSubject="nobody"), "credentialSubject"),
    }
    out: dict[str, tuple[Path, str]] = {}
    for n, (name, (content, message)) in enumerate(cases.items()):
        path = workdir / f"case-{n}.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content),
                        encoding="utf-8")
        out[name] = (path, message)
    return out


def test_bad_credentials_get_a_clear_error_and_exit_2(capsys, workdir, home) -> None:
    for name, (path, message) in _broken_inputs(workdir, capsys).items():
        code, out, err = export(capsys, workdir, path)
        assert code == 2, name
        assert message in err, (name, err)
        assert "Traceback" not in err and out == "", name
        assert not (workdir / "hosted").exists(), name
    assert KeyCustody(home.home).ob2_keys() == []  # no key made for nothing

    signed = sign(capsys, workdir, ob3_credential())
    for base, message in [("http://hub.example.org/ob2", "https://"),
                          ("https://hub.example.org/ob2?x=1", "plain address")]:
        code, _, err = run(capsys, "credential", "export-ob2", str(signed), "--base-url",
                           base, "--out", str(workdir / "hosted"))
        assert code == 2 and message in err and "Traceback" not in err
    no_email = ob3_credential()
    del no_email["credentialSubject"]["identifier"]
    code, _, err = export(capsys, workdir, sign(capsys, workdir, no_email, "anon.json"),
                          "--image", str(_png(workdir)))
    assert code == 2 and "recipient" in err
    code, _, err = export(capsys, workdir, signed)
    assert code == 2 and "--image" in err  # a badge class needs an image
    (workdir / "not.png").write_bytes(b"GIF89a")
    code, _, err = export(capsys, workdir, signed, "--image", str(workdir / "not.png"))
    assert code == 2 and "PNG" in err
    code, out, err = run(capsys, "credential", "verify-ob2", str(signed))
    assert code == 1 and "not a JWS in compact form" in out and "Traceback" not in err


def test_no_private_key_material_on_disk_or_in_output(capsys, workdir, home) -> None:
    signed = sign(capsys, workdir, ob3_credential())
    code, out, err = export(capsys, workdir, signed, "--image", str(_png(workdir)))
    assert code == 0, err
    custody = KeyCustody(home.home)
    info = custody.ob2_active()
    assert info is not None
    stored = keyring.get_password(custody._service, OB2_KEY_PREFIX + info.id)
    assert stored is not None
    der = base64.b64decode(stored)
    private = serialization.load_der_private_key(der, password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    assert private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode() == info.public_key_pem
    pem_body = private.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode().splitlines()[5]
    d = private.private_numbers().d
    secrets = [der, stored.encode(), pem_body.encode(), str(d).encode(),
               d.to_bytes((d.bit_length() + 7) // 8, "big")]
    for folder in (workdir, home.home):
        for path in (p for p in folder.rglob("*") if p.is_file()):
            data = path.read_bytes()
            assert not any(secret in data for secret in secrets), path
    assert not any(secret.decode("latin-1") in out + err for secret in secrets[1:4])

    # A damaged keychain entry is reported without its content.
    keyring.set_password(custody._service, OB2_KEY_PREFIX + info.id, "SECRETISH-not-a-key")
    code, out, err = export(capsys, workdir, signed, "--image", str(_png(workdir)))
    assert code == 2 and "damaged" in err and "SECRETISH" not in err + out
    assert "Traceback" not in err


def test_no_keychain_is_a_clear_message_and_writes_nothing(capsys, workdir,
                                                           swap_backend) -> None:
    signed = sign(capsys, workdir, ob3_credential())
    swap_backend(fail.Keyring())
    code, out, err = export(capsys, workdir, signed, "--image", str(_png(workdir)))
    assert code == 2 and "No usable OS keychain" in err and "Traceback" not in err
    assert not (workdir / "hosted").exists()


def test_a_did_web_credential_signed_here_exports_and_a_foreign_one_needs_its_document(
        capsys, workdir, home) -> None:
    hub_issued = ob3_credential()
    hub_issued["issuer"]["id"] = "did:web:hub.example.org"
    signed = sign(capsys, workdir, hub_issued)
    assert export(capsys, workdir, signed, "--image", str(_png(workdir)))[0] == 0
    assert verify_ob2(the_jws(workdir), documents(workdir)).ok

    # Signed with a key this computer does not hold: its DID document must be given.
    KeyCustody(home.home).delete_all()
    KeyCustody(home.home).create()
    code, _, err = export(capsys, workdir, signed, "--image", str(_png(workdir)))
    assert code == 2 and "--did-document" in err and "Traceback" not in err
