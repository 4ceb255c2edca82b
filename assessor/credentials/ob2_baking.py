"""Baking an Open Badges 2.0 signed assertion into a PNG, and reading one back.

OB 2.0 baking puts the assertion in an uncompressed ``iTXt`` chunk with the keyword
``openbadges`` before ``IEND``; for a signed badge its text is the JWS itself. The PNG is
read with the same bounded, checksum-checking chunk reader as OB 3.0 baking.
"""

from __future__ import annotations

from pathlib import Path

from assessor.credentials.baking import MAX_IMAGE_BYTES, PNG_SIGNATURE, _chunk, _chunks
from assessor.credentials.jws import MAX_JWS_CHARS
from assessor.errors import ValidationError

KEYWORD = b"openbadges"


def _is_ours(kind: bytes, data: bytes) -> bool:
    return kind in (b"iTXt", b"tEXt", b"zTXt") and data.startswith(KEYWORD + b"\0")


def bake_ob2_png(png: bytes, jws: str) -> bytes:
    """The image with the signed assertion baked in (replacing any OB 2.0 one there)."""
    # keyword, null, compression flag 0, method 0, empty language tag, empty translated key
    payload = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + jws.encode("ascii")
    out = [PNG_SIGNATURE]
    for kind, data in _chunks(png):
        if _is_ours(kind, data):
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", payload))
        out.append(_chunk(kind, data))
    return b"".join(out)


def unbake_ob2_png(png: bytes) -> str:
    """The text baked under ``openbadges`` (a JWS, or a hosted assertion's URL)."""
    for kind, data in _chunks(png):
        if kind == b"iTXt" and data.startswith(KEYWORD + b"\0"):
            rest = data[len(KEYWORD) + 1:]
            if len(rest) < 4 or rest[0] != 0:
                raise ValidationError("The baked Open Badges 2.0 assertion is compressed or "
                                      "damaged; Assessor reads only plain ones.")
            language_end = rest.find(b"\0", 2)
            translated_end = rest.find(b"\0", language_end + 1) if language_end >= 0 else -1
            if translated_end < 0:
                raise ValidationError("The baked Open Badges 2.0 chunk is damaged.")
            return _text(rest[translated_end + 1:])
        if kind == b"tEXt" and data.startswith(KEYWORD + b"\0"):
            return _text(data[len(KEYWORD) + 1:])
    raise ValidationError("The PNG has no baked Open Badges 2.0 assertion (no openbadges "
                          "chunk).")


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ValidationError("The baked Open Badges 2.0 assertion is not text.") from None


def read_signed_assertion(path: Path) -> str:
    """The JWS from a ``.jws`` text file or a baked PNG (told apart by content)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max(MAX_IMAGE_BYTES, MAX_JWS_CHARS) + 1)
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.") from None
    if data.startswith(PNG_SIGNATURE):
        return unbake_ob2_png(data)
    if len(data) > MAX_JWS_CHARS:
        raise ValidationError(f"{path} is larger than any signed assertion can be.")
    return _text(data)
