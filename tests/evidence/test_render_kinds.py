"""evidence_kind: content first, then the declared media type, then the extension."""

from __future__ import annotations

import io
import zipfile

import pytest

from assessor.evidence.render import EvidenceKind, document_type, evidence_kind
from tests.evidence import render_samples as samples
from tests.evidence.office_files import make_docx, make_odt

DOC, IMG, TXT, OFF, AUD, VID, UNK = (
    EvidenceKind.DOCUMENT, EvidenceKind.IMAGE, EvidenceKind.TEXT, EvidenceKind.OFFICE,
    EvidenceKind.AUDIO, EvidenceKind.VIDEO, EvidenceKind.UNKNOWN)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(("head", "kind"), [
    (b"%PDF-1.7\n...", DOC),
    (b"\r\n\r\n  %PDF-1.4 junk before the header", DOC),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", IMG),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", IMG),
    (b"GIF89a\x01\x00\x01\x00", IMG),
    (b"BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00", IMG),
    (b"II*\x00\x08\x00\x00\x00", IMG),
    (b"MM\x00*\x00\x00\x00\x08", IMG),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", IMG),
    (b"\x00\x00\x01\x00\x01\x00\x10\x10", IMG),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", IMG),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", AUD),
    (b"RIFF\x24\x00\x00\x00AVI LIST", VID),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", AUD),
    (b"\xff\xfb\x90\x64\x00\x00\x00\x00", AUD),
    (b"fLaC\x00\x00\x00\x22", AUD),
    (b"OggS\x00\x02" + b"\x00" * 22 + b"\x01vorbis", AUD),
    (b"OggS\x00\x02" + b"\x00" * 22 + b"\x80theora", VID),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", AUD),
    (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", VID),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", VID),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", VID),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", OFF),
    (b"{\\rtf1\\ansi Hello}", OFF),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", DOC),
    (samples.SVG, DOC),
    (b"<?xml version='1.0'?><FictionBook xmlns='x'><body/></FictionBook>", DOC),
    (b"<?xml version='1.0'?><note>hello</note>", TXT),
    (b"<!DOCTYPE html><html><body>hi</body></html>", TXT),
    (b"# Heading\n\nSome *markdown*.", TXT),
    ("caf\u00e9,cr\u00e8me\n1,2\n".encode(), TXT),
    ("na\u00efve text in Latin-1".encode("latin-1"), TXT),
    ("\ufeffUTF-16 text".encode("utf-16"), TXT),
    (b"\x00\x01\x02\x03\x04\xfe\xfd binary", UNK),
])
def test_magic_numbers_decide(head: bytes, kind: EvidenceKind) -> None:
    assert evidence_kind(head, None, "evidence.bin") is kind


def test_zip_containers_are_told_apart_by_what_they_hold() -> None:
    assert evidence_kind(samples.epub_bytes(), None, "book.zip") is DOC
    assert document_type(samples.epub_bytes(), None, "book.zip") == "epub"
    assert evidence_kind(samples.cbz_bytes(), None, "comic.zip") is DOC
    assert document_type(samples.cbz_bytes(), None, "comic.zip") == "cbz"
    assert evidence_kind(make_docx(["Hello"]), None, "report.bin") is OFF
    assert evidence_kind(make_odt(["Hello"]), None, "report.bin") is OFF
    xps = _zip({"[Content_Types].xml": b"<Types/>", "FixedDocSeq.fdseq": b"<x/>",
                "Documents/1/Pages/1.fpage": b"<x/>"})
    assert evidence_kind(xps, None, "x.bin") is DOC
    assert document_type(xps, None, "x.bin") == "xps"
    other = _zip({"notes/readme.md": b"hello"})
    assert evidence_kind(other, None, "bundle.zip") is UNK
    assert evidence_kind(other, None, "comic.cbz") is DOC  # the name is all there is to go on


def test_only_the_first_bytes_of_a_zip_are_enough_when_the_entries_come_first() -> None:
    epub = samples.epub_bytes()
    assert evidence_kind(epub[:64], None, "x") is DOC
    docx = make_docx(["Hello"] * 50)
    assert evidence_kind(docx[:2048], None, "x") is OFF


def test_a_wrong_extension_never_wins_over_content() -> None:
    png = samples.png_bytes(4, 4, (0, 0, 0))
    assert evidence_kind(png, "application/pdf", "scan.pdf") is IMG
    assert evidence_kind(samples.text_pdf(1), "image/png", "photo.png") is DOC
    assert evidence_kind(b"just some notes\n", "application/pdf", "notes.pdf") is TXT


def test_media_type_then_extension_when_content_says_nothing() -> None:
    garbage = bytes(range(1, 32)) * 10
    assert evidence_kind(garbage, "application/pdf", "x") is DOC
    assert evidence_kind(garbage, None, "broken.pdf") is DOC
    assert evidence_kind(garbage, "application/vnd.openxmlformats-officedocument."
                                  "wordprocessingml.document", "x") is OFF
    assert evidence_kind(garbage, "audio/mpeg", "x.pdf") is AUD
    assert evidence_kind(garbage, "application/octet-stream", "clip.mp4") is VID
    assert evidence_kind(garbage, None, "notes.txt") is UNK  # binary is not text
    assert evidence_kind(b"", None, "empty.txt") is TXT
    assert evidence_kind(b"", None, "empty.pdf") is DOC
    assert evidence_kind(b"", None, "empty") is UNK


def test_document_types_for_pymupdf() -> None:
    assert document_type(b"%PDF-1.4", None, "x.epub") == "pdf"
    assert document_type(samples.SVG, None, "x") == "svg"
    assert document_type(b"<?xml version='1.0'?><FictionBook/>", None, "x") == "fb2"
    assert document_type(b"\x00" * 60 + b"BOOKMOBI", None, "x") == "mobi"
    assert document_type(b"garbage", None, "thing.xps") == "xps"
    assert document_type(b"garbage", None, "thing") == "pdf"


def test_importing_the_render_package_loads_neither_pymupdf_nor_pillow() -> None:
    import subprocess
    import sys

    code = ("import sys, assessor.evidence.render\n"
            "print(sorted(m for m in ('pymupdf', 'fitz', 'PIL') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"
