"""``credential sign|verify|bake|unbake|status-list`` as a user runs them, real keychain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assessor import cli
from assessor.keys import KeyCustody

ROOT = Path(__file__).resolve().parents[2]
BADGE_SVG = ROOT / "resources" / "demo" / "site-safety.svg"
LIST_URL = "https://hub.example.org/status/3"


def tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


UNSIGNED: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:0f7c2a8e-8d3b-4a52-b6a4-3c1d9e2f4b10",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"type": ["Profile"], "name": "Example Org", "url": "https://example.org"},
    "validFrom": "2026-01-01T00:00:00Z",
    "name": "Site Safety",
    "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
        "id": "https://example.org/a/1", "type": ["Achievement"], "name": "Site Safety",
        "description": "Works safely on site.", "criteria": {"narrative": "Judged."}}},
    "credentialStatus": {"id": f"{LIST_URL}#5", "type": "BitstringStatusListEntry",
                         "statusPurpose": "revocation", "statusListIndex": "5",
                         "statusListCredential": LIST_URL},
}


@pytest.fixture
def workdir(home, tmp_path: Path) -> Iterator[Path]:
    KeyCustody(home.home).create()
    yield tmp_path
    KeyCustody(home.home).delete_all()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def signed_file(capsys, workdir: Path) -> Path:
    (workdir / "in.json").write_text(json.dumps(UNSIGNED), encoding="utf-8")
    code, _, err = run(capsys, "credential", "sign", str(workdir / "in.json"),
                       "--out", str(workdir / "signed.json"))
    assert code == 0, err
    return workdir / "signed.json"


def test_revocation_round_trip_through_a_signed_status_list(capsys, workdir) -> None:
    signed = signed_file(capsys, workdir)
    listing = workdir / "list.json"
    code, out, err = run(capsys, "credential", "status-list", str(listing), "--create", LIST_URL)
    assert code == 0, err
    assert "131,072 entries, 0 revoked" in out

    code, out, _ = run(capsys, "credential", "verify", str(signed), "--status-list",
                       str(listing))
    assert code == 0 and "not revoked" in out and out.rstrip().endswith("VERIFIED")

    code, out, _ = run(capsys, "credential", "status-list", str(listing), "--revoke", "5")
    assert code == 0 and "1 revoked" in out
    code, out, _ = run(capsys, "credential", "verify", str(signed), "--status-list",
                       str(listing))
    assert code == 1 and "FAIL status: revoked" in out and "NOT VERIFIED" in out

    code, out, _ = run(capsys, "credential", "status-list", str(listing), "--reinstate", "5")
    code, out, _ = run(capsys, "credential", "verify", str(signed), "--status-list",
                       str(listing))
    assert code == 0


def test_unchecked_status_passes_unless_required(capsys, workdir) -> None:
    signed = signed_file(capsys, workdir)
    code, out, _ = run(capsys, "credential", "verify", str(signed))
    assert code == 0 and "skip status: not checked" in out
    code, out, _ = run(capsys, "credential", "verify", str(signed), "--require-status")
    assert code == 1 and "NOT VERIFIED" in out


def test_a_new_list_never_overwrites_an_existing_file(capsys, workdir) -> None:
    listing = workdir / "list.json"
    listing.write_text("precious", encoding="utf-8")
    code, _, err = run(capsys, "credential", "status-list", str(listing), "--create", LIST_URL)
    assert code == 2 and "never written over" in err
    assert listing.read_text(encoding="utf-8") == "precious"


@pytest.mark.parametrize("image_kind", ["svg", "png"])
def test_bake_unbake_and_verify_the_image(capsys, workdir, image_kind) -> None:
    signed = signed_file(capsys, workdir)
    image = workdir / f"badge.{image_kind}"
    image.write_bytes(BADGE_SVG.read_bytes() if image_kind == "svg" else tiny_png())
    baked = workdir / f"baked.{image_kind}"
    code, _, err = run(capsys, "credential", "bake", str(signed), str(image), "--out",
                       str(baked))
    assert code == 0, err
    code, out, _ = run(capsys, "credential", "verify", str(baked))
    assert code == 0 and "signature valid" in out
    code, _, _ = run(capsys, "credential", "unbake", str(baked), "--out",
                     str(workdir / "back.json"))
    assert code == 0
    assert json.loads((workdir / "back.json").read_text(encoding="utf-8")) == \
        json.loads(signed.read_text(encoding="utf-8"))
    code, out, _ = run(capsys, "credential", "unbake", str(baked))
    assert code == 0 and json.loads(out)["id"] == UNSIGNED["id"]


def test_bake_refuses_unsigned_credentials_and_writes_nothing(capsys, workdir) -> None:
    (workdir / "in.json").write_text(json.dumps(UNSIGNED), encoding="utf-8")
    out = workdir / "baked.svg"
    code, _, err = run(capsys, "credential", "bake", str(workdir / "in.json"), str(BADGE_SVG),
                       "--out", str(out))
    assert code == 2 and "sign it first" in err
    assert not out.exists()


@pytest.mark.parametrize("content, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "PNG"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "no"),
    (b'{"not": "an image"}', "not a PNG or SVG"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b"<svg>&x;</svg>", "entit"),
])
def test_unbake_bad_images_fails_clearly(capsys, workdir, content, message) -> None:
    image = workdir / "odd.bin"
    image.write_bytes(content)
    code, out, err = run(capsys, "credential", "unbake", str(image), "--out",
                         str(workdir / "x.json"))
    assert code == 2
    assert message.lower() in err.lower()
    assert "Traceback" not in err and not (workdir / "x.json").exists()


def test_verify_a_missing_status_list_file_is_a_clear_error(capsys, workdir) -> None:
    signed = signed_file(capsys, workdir)
    code, _, err = run(capsys, "credential", "verify", str(signed), "--status-list",
                       str(workdir / "nowhere.json"))
    assert code == 2 and "Cannot read" in err
