"""Baking a credential into the badge image, and getting it out again (OB 3.0 "Baking").

PNG: an ``iTXt`` chunk with keyword ``openbadgecredential``, uncompressed, whose text is
the credential JSON, placed before ``IEND``. SVG: an ``openbadges:credential`` element (in
the ``https://purl.imsglobal.org/ob/v3p0`` namespace) right inside the root ``svg``, the
JSON in a CDATA section. Reading never trusts the file: chunk lengths and CRCs are checked,
sizes are bounded, and SVG with a DOCTYPE (entities, external references) is refused.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from typing import Any

from assessor.errors import ValidationError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
MAX_IMAGE_BYTES = 20_000_000
MAX_CHUNK = 10_000_000


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if len(png) > MAX_IMAGE_BYTES:
        raise ValidationError("The image is larger than 20 MB.")
    if not png.startswith(PNG_SIGNATURE):
        raise ValidationError("This is not a PNG file.")
    position, chunks = len(PNG_SIGNATURE), []
    while True:
        if position + 8 > len(png):
            raise ValidationError("The PNG file is truncated (it ends inside a chunk header).")
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind = png[position + 4:position + 8]
        if length > MAX_CHUNK or position + 12 + length > len(png):
            raise ValidationError("The PNG file is truncated or has an impossible chunk size.")
        data = png[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length:position + 12 + length])
        if zlib.crc32(kind + data) & 0xFFFFFFFF != crc:
            raise ValidationError(f"The PNG chunk {kind!r} is damaged (bad checksum).")
        chunks.append((kind, data))
        position += 12 + length
        if kind == b"IEND":
            return chunks


def bake_png(png: bytes, credential: dict[str, Any]) -> bytes:
    """The image with the credential baked in (replacing any credential already there)."""
    text = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # keyword, null, compression flag 0, method 0, empty language tag, empty translated key
    payload = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + text
    out = [PNG_SIGNATURE]
    for kind, data in _chunks(png):
        if kind == b"iTXt" and data.startswith(KEYWORD + b"\0"):
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", payload))
        out.append(_chunk(kind, data))
    return b"".join(out)


def unbake_png(png: bytes) -> dict[str, Any]:
    for kind, data in _chunks(png):
        if kind != b"iTXt" or not data.startswith(KEYWORD + b"\0"):
            continue
        rest = data[len(KEYWORD) + 1:]
        if len(rest) < 2:
            break
        compressed, _method = rest[0], rest[1]
        language_end = rest.find(b"\0", 2)
        translated_end = rest.find(b"\0", language_end + 1) if language_end >= 0 else -1
        if translated_end < 0:
            raise ValidationError("The baked credential chunk is not a valid iTXt chunk "
                                  "(its language and keyword fields are not ended).")
        text = rest[translated_end + 1:]
        if compressed:
            decompressor = zlib.decompressobj()
            try:
                text = decompressor.decompress(text, MAX_CHUNK)
            except zlib.error:
                raise ValidationError("The baked credential is compressed, and the "
                                      "compressed data is damaged.") from None
            if decompressor.unconsumed_tail:
                raise ValidationError("The baked credential expands beyond any sane size.")
        try:
            decoded = text.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise ValidationError("The baked credential is not UTF-8 text.") from None
        return _credential_from_text(decoded)
    raise ValidationError("The PNG has no baked credential (no openbadgecredential chunk).")


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE)


def bake_svg(svg: bytes, credential: dict[str, Any]) -> bytes:
    _refuse_dangerous_svg(svg)
    text = json.dumps(credential, ensure_ascii=False, indent=2).replace("]]>", "]]]]><![CDATA[>")
    root = _SVG_ROOT.search(svg)
    if root is None:
        raise ValidationError("This is not an SVG image (no <svg> element).")
    opening = root.group(0)
    if b"xmlns:openbadges" not in opening:
        opening = opening[:-1].rstrip(b"/") + f' xmlns:openbadges="{SVG_NAMESPACE}">'.encode()
    element = (f"\n<openbadges:credential><![CDATA[{text}]]></openbadges:credential>\n"
               .encode())
    cleaned = re.sub(rb"<openbadges:credential[\s\S]*?</openbadges:credential>\s*", b"",
                     svg[root.end():])
    return svg[:root.start()] + opening + element + cleaned


def unbake_svg(svg: bytes) -> dict[str, Any]:
    from xml.etree import ElementTree

    # Parsed as the UTF-8 text the DOCTYPE check has seen: bytes in UTF-16 would hide a
    # DOCTYPE from that check, and the parser would then expand its entities.
    text = _svg_text(svg)
    _refuse_dangerous_svg(text.encode("utf-8"))
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ValidationError(f"The SVG is not well-formed XML ({exc}).") from None
    for element in root.iter(f"{{{SVG_NAMESPACE}}}credential"):
        return _credential_from_text(element.text or "")
    raise ValidationError("The SVG has no baked credential (no openbadges:credential).")


def _svg_text(svg: bytes) -> str:
    if len(svg) > MAX_IMAGE_BYTES:
        raise ValidationError("The image is larger than 20 MB.")
    try:
        text = svg.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\0"
    if "\0" in text:
        raise ValidationError("The SVG is not UTF-8 text; Assessor reads SVG badges in "
                              "UTF-8 only.")
    return text


def _refuse_dangerous_svg(svg: bytes) -> None:
    if len(svg) > MAX_IMAGE_BYTES:
        raise ValidationError("The image is larger than 20 MB.")
    if re.search(rb"<!DOCTYPE|<!ENTITY", svg, re.IGNORECASE):
        raise ValidationError("The SVG declares a DOCTYPE or entities, which Assessor does "
                              "not read (they can fetch files or expand without bound).")


def _credential_from_text(text: str) -> dict[str, Any]:
    text = text.strip()
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ValidationError("The baked credential is not valid JSON (a JWT-form credential "
                              "is not supported here).") from None
    if not isinstance(value, dict):
        raise ValidationError("The baked credential is not a JSON object.")
    return value


def unbake(data: bytes) -> dict[str, Any]:
    """The credential in a baked PNG or SVG (told apart by content, not by name)."""
    if data.startswith(PNG_SIGNATURE):
        return unbake_png(data)
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) or b"<svg" in head:
        return unbake_svg(data)
    raise ValidationError("This is neither a PNG nor an SVG image.")
