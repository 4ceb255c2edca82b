"""Baking credentials into PNG and SVG badges, and reading hostile images safely."""

from __future__ import annotations

import struct
import zlib

import pytest

from assessor.credentials.baking import (
    bake_png,
    bake_svg,
    unbake,
    unbake_png,
    unbake_svg,
)
from assessor.errors import ValidationError

CREDENTIAL = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1",
              "name": "Site Safety ✓ — ]]> tricky", "proof": {"proofValue": "z123"}}


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def tiny_png() -> bytes:
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)  # 2x2 RGB
    pixels = zlib.compress(b"".join(b"\0" + b"\xff\x00\x00" * 2 for _ in range(2)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
       b'viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>\n')


def test_png_round_trip_keeps_the_image_and_replaces_an_old_credential() -> None:
    baked = bake_png(tiny_png(), CREDENTIAL)
    assert b"iTXtopenbadgecredential\x00\x00\x00" in baked
    assert unbake_png(baked) == CREDENTIAL
    assert unbake(baked) == CREDENTIAL
    rebaked = bake_png(baked, CREDENTIAL | {"id": "urn:uuid:2"})
    assert rebaked.count(b"openbadgecredential") == 1
    assert unbake(rebaked)["id"] == "urn:uuid:2"
    assert rebaked.endswith(chunk(b"IEND", b""))


def test_svg_round_trip() -> None:
    baked = bake_svg(SVG, CREDENTIAL)
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert unbake_svg(baked) == CREDENTIAL
    assert unbake(bake_svg(baked, CREDENTIAL))["name"] == CREDENTIAL["name"]


@pytest.mark.parametrize(("data", "message"), [
    (tiny_png()[:30], "truncated"),
    (tiny_png()[:-3], "truncated"),
    (tiny_png()[:19] + b"\x07" + tiny_png()[20:], "damaged"),
    (tiny_png(), "no baked credential"),
    (b"GIF89a....", "neither a PNG nor an SVG"),
    (SVG, "no baked credential"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "DOCTYPE"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><unclosed></svg>', "not well-formed"),
    (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 2**31) + b"iTXt", "impossible chunk size"),
])
def test_hostile_or_broken_images_give_clear_errors(data, message) -> None:
    with pytest.raises(ValidationError, match=message):
        unbake(data)


def test_a_compressed_bomb_is_refused() -> None:
    bomb = zlib.compress(b"{" + b" " * 50_000_000 + b"}", 9)
    payload = b"openbadgecredential\x00\x01\x00\x00\x00" + bomb
    png = tiny_png()
    evil = png[:-12] + chunk(b"iTXt", payload) + png[-12:]
    with pytest.raises(ValidationError, match="beyond any sane size"):
        unbake(evil)
