"""``python main.py render``: each kind of evidence to a PNG, each failure in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from assessor.evidence.office import libreoffice_available
from assessor.paths import AppPaths
from tests.evidence import render_samples as samples
from tests.evidence.office_files import make_docx

ROOT = Path(__file__).resolve().parents[2]


def render(home: AppPaths, *args: str, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(home.home), "render", *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
        env={**os.environ, **(env or {})})


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def _failed(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("assessor: ")
    assert message in lines[0], lines[0]


def test_documents_pictures_and_text_render_to_png(home: AppPaths, tmp_path: Path) -> None:
    files = {
        "report.pdf": samples.text_pdf(3),
        "photo.jpg": samples.exif_rotated_jpeg(),
        "notes.md": b"# Site visit\n\nAll *good*.\n" * 40,
        "book.epub": samples.epub_bytes(),
        "scan.pdf": samples.image_bytes(samples.two_tone(), "PNG"),  # a PNG, wrongly named
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    out = tmp_path / "out.png"

    result = render(home, str(tmp_path / "report.pdf"), "--page", "2", "--dpi", "72",
                    "--out", str(out))
    _ok(result)
    assert "page 2 of 3, 595x842 pixels" in result.stdout
    with Image.open(out) as png:
        assert png.size == (595, 842)
        assert png.getpixel((170, 275)) == (200, 30, 30)

    _ok(render(home, str(tmp_path / "photo.jpg"), "--out", str(out)))
    with Image.open(out) as png:
        assert png.size == (20, 40)  # upright
    _ok(render(home, str(tmp_path / "notes.md"), "--dpi", "50", "--out", str(out)))
    with Image.open(out) as png:
        assert png.size == (414, 585)  # A4 at 50 dpi
        dark = png.convert("L").point(lambda v: 255 if v < 100 else 0)
        assert dark.getbbox() is not None  # there is text on it
    _ok(render(home, str(tmp_path / "book.epub"), "--out", str(out)))
    _ok(render(home, str(tmp_path / "scan.pdf"), "--out", str(out)))
    with Image.open(out) as png:
        assert png.size == (40, 20)


def test_an_encrypted_pdf_needs_its_password(home: AppPaths, tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(samples.encrypted_pdf("s3cret"))
    out = tmp_path / "out.png"
    _failed(render(home, str(locked), "--out", str(out)), "This PDF is protected by a password")
    _failed(render(home, str(locked), "--password", "nope", "--out", str(out)),
            "That password does not open this PDF")
    _ok(render(home, str(locked), "--password", "s3cret", "--out", str(out)))
    assert out.exists()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("broken.pdf", b"\x13\x88" + bytes(range(200)) * 3,
     "This PDF cannot be read: it is damaged, incomplete or not really a PDF."),
    ("empty.pdf", samples.zero_page_pdf(), "This PDF has no pages to show."),
    ("bomb.png", samples.bomb_png(), "30,000 × 30,000 pixels"),
    ("song.mp3", b"ID3\x04\x00" + bytes(200), "song.mp3 is a sound recording; there is no page"),
    ("clip.mp4", b"\x00\x00\x00\x20ftypisom" + bytes(200), "clip.mp4 is a video"),
    ("blob.bin", bytes(range(256)) * 4, "blob.bin is not a kind of file the viewer can show"),
    ("two.pdf", samples.text_pdf(2, image=False), "two.pdf has 2 pages."),
])
def test_failures_are_one_line(home: AppPaths, tmp_path: Path, name: str, data: bytes,
                               message: str) -> None:
    source = tmp_path / name
    source.write_bytes(data)
    extra = ["--page", "5"] if name == "two.pdf" else []
    _failed(render(home, str(source), *extra, "--out", str(tmp_path / "out.png")), message)
    assert not (tmp_path / "out.png").exists()


def test_a_missing_file_and_a_slow_page(home: AppPaths, tmp_path: Path) -> None:
    _failed(render(home, str(tmp_path / "nowhere.pdf"), "--out", str(tmp_path / "o.png")),
            "nowhere.pdf does not exist.")
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(samples.heavy_vector_pdf())
    _failed(render(home, str(plan), "--timeout", "0.5", "--out", str(tmp_path / "o.png")),
            "Page 1 took longer than 0.5 s to draw; skipped.")


@pytest.mark.skipif(not libreoffice_available(), reason="LibreOffice is not installed")
def test_office_documents_go_through_libreoffice(home: AppPaths, tmp_path: Path) -> None:
    docx = tmp_path / "report.docx"
    docx.write_bytes(make_docx(["Hello from an office document"] * 5))
    out = tmp_path / "o.png"
    result = render(home, str(docx), "--dpi", "72", "--out", str(out))
    _ok(result)
    assert "page 1 of 1" in result.stdout
    with Image.open(out) as png:
        dark = png.convert("L").point(lambda v: 255 if v < 100 else 0)
        assert dark.getbbox() is not None


def test_office_documents_without_libreoffice(home: AppPaths, tmp_path: Path) -> None:
    docx = tmp_path / "report.docx"
    docx.write_bytes(make_docx(["Hello"]))
    _failed(render(home, str(docx), "--out", str(tmp_path / "o.png"),
                   env={"ASSESSOR_SOFFICE": str(tmp_path / "no-soffice-here")}),
            "cannot preview office documents here: LibreOffice is not installed")
