"""Office documents to PDF through a real, headless LibreOffice (skipped where it is absent)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from assessor.evidence import office
from assessor.evidence.office import convert_to_pdf, libreoffice_available
from assessor.evidence.render.errors import (
    BrokenEvidence,
    EvidenceTooLarge,
    RenderTimeout,
    UnsupportedEvidence,
)
from tests.evidence.office_files import make_docx, make_odt

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available(),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui "
    "libreoffice-calc-nogui libreoffice-impress-nogui",
)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where tempfile puts directories during the test, to see what is left behind."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def pdf_text(pdf: bytes) -> str:
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return "".join(page.get_text() for page in document)


def processes_mentioning(path: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(path).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@needs_libreoffice
def test_docx_converts_to_a_pdf_with_its_text_and_leaves_nothing(private_tmp: Path) -> None:
    docx = make_docx(["Reflection on the site visit", "Risk assessment completed: Grüße ✓"])
    pdf = convert_to_pdf(docx, name="My reflection.docx")
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "Reflection on the site visit" in text and "Grüße ✓" in text
    assert list(private_tmp.iterdir()) == []


@needs_libreoffice
def test_odt_converts_to_a_pdf_with_its_text(private_tmp: Path) -> None:
    pdf = convert_to_pdf(make_odt(["Evidence written in LibreOffice"]), name="notes.odt")
    assert "Evidence written in LibreOffice" in pdf_text(pdf)
    assert list(private_tmp.iterdir()) == []


@needs_libreoffice
def test_a_hostile_file_name_does_not_reach_the_disk(private_tmp: Path) -> None:
    pdf = convert_to_pdf(make_docx(["named badly"]), name="../../etc/x; rm -rf ~ .DOCX")
    assert "named badly" in pdf_text(pdf)
    assert list(private_tmp.iterdir()) == []


@needs_libreoffice
def test_a_corrupt_docx_is_a_clear_error(private_tmp: Path) -> None:
    corrupt = make_docx(["never seen"])[:200] + b"\x00garbage" * 50
    with pytest.raises(BrokenEvidence) as caught:
        convert_to_pdf(corrupt, name="broken.docx")
    assert str(caught.value) == ("LibreOffice could not read this document: it may be damaged, "
                                 "or not an office document.")
    assert list(private_tmp.iterdir()) == []


@needs_libreoffice
def test_a_timeout_stops_libreoffice_and_removes_the_directory(private_tmp: Path) -> None:
    with pytest.raises(RenderTimeout) as caught:
        convert_to_pdf(make_docx(["slow"]), name="slow.docx", timeout=0.2)
    assert str(caught.value) == ("LibreOffice took longer than 0.2 s to convert this document "
                                 "and was stopped.")
    assert list(private_tmp.iterdir()) == []
    assert processes_mentioning(private_tmp) == []


def test_without_libreoffice_the_message_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch, private_tmp: Path) -> None:
    monkeypatch.setenv(office.SOFFICE_ENV, str(private_tmp / "no-such-soffice"))
    assert not libreoffice_available()
    with pytest.raises(UnsupportedEvidence) as caught:
        convert_to_pdf(make_docx(["x"]), name="a.docx")
    assert str(caught.value) == (
        "Office documents need LibreOffice, which is not installed on this computer "
        "(or set ASSESSOR_SOFFICE to the soffice program).")


def test_the_environment_variable_names_the_program(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    program = tmp_path / "my-soffice"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o700)
    monkeypatch.setenv(office.SOFFICE_ENV, str(program))
    assert office.soffice_path() == str(program)


def test_a_password_protected_office_file_is_refused_with_advice(private_tmp: Path) -> None:
    # An encrypted OOXML file is an OLE compound file holding an "EncryptedPackage" stream.
    encrypted = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
                 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)
    with pytest.raises(UnsupportedEvidence) as caught:
        convert_to_pdf(encrypted, name="secret.docx")
    assert str(caught.value) == (
        "This office document is protected with a password and cannot be shown here. "
        "Ask the learner for a copy without a password.")
    assert list(private_tmp.iterdir()) == []


def test_too_large_a_file_is_refused_before_conversion(private_tmp: Path) -> None:
    with pytest.raises(EvidenceTooLarge) as caught:
        convert_to_pdf(bytes(office.MAX_OFFICE_BYTES + 1), name="big.docx")
    assert str(caught.value) == ("This office document is larger than 200 MB: too large to "
                                 "convert for viewing.")
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize(("name", "extension"), [
    ("Essay.DOCX", "docx"), ("a.b.odt", "odt"), ("no extension", "bin"),
    ("../../x.sh;rm", "bin"), ("C:\\Users\\me\\slides.pptx", "pptx"), ("x.verylongext", "bin"),
])
def test_only_a_safe_extension_is_kept(name: str, extension: str) -> None:
    assert office._safe_extension(name) == extension
