"""``python main.py render FILE --out OUT.png``: one page of any evidence to a PNG, headless.

The same code as the desktop viewer: documents and pictures through ``RenderService``,
text laid out on pages first, office documents converted by LibreOffice first. Every
failure is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from assessor.errors import UserFacingError

MAX_INPUT_BYTES = 1 << 30
PREFIX = "assessor: "


def run_render(args: argparse.Namespace) -> int:
    try:
        written = render_file(Path(args.file), Path(args.out), page=args.page, dpi=args.dpi,
                              password=args.password, timeout=args.timeout)
    except UserFacingError as exc:
        print(PREFIX + _one_line(str(exc)), file=sys.stderr)
        return 1
    print(written)
    return 0


def render_file(source: Path, out: Path, *, page: int = 1, dpi: float = 150.0,
                password: str | None = None, timeout: float = 15.0) -> str:
    """Render page ``page`` (from 1) of ``source`` into the PNG ``out``; returns what was
    written, as one line for the user."""
    from assessor.evidence.render import EvidenceKind, RenderService, evidence_kind

    if page < 1:
        raise UserFacingError("--page counts from 1.")
    if not 1 <= dpi <= 2400:
        raise UserFacingError("--dpi must be between 1 and 2400.")
    data = _read(source)
    kind = evidence_kind(data, None, source.name)
    if kind in (EvidenceKind.AUDIO, EvidenceKind.VIDEO):
        what = "a sound recording" if kind is EvidenceKind.AUDIO else "a video"
        raise UserFacingError(f"{source.name} is {what}; there is no page to render.")
    if kind is EvidenceKind.UNKNOWN:
        raise UserFacingError(f"{source.name} is not a kind of file the viewer can show.")
    name = source.name
    if kind is EvidenceKind.TEXT:
        from assessor.evidence.render.text_pages import text_to_pdf

        data, kind, name = text_to_pdf(data, name=name, media_type=None, pages=page), \
            EvidenceKind.DOCUMENT, name + ".pdf"
    elif kind is EvidenceKind.OFFICE:
        data, kind, name = _office_pdf(data, name, timeout), EvidenceKind.DOCUMENT, name + ".pdf"
    service = RenderService(workers=1, timeout=timeout)
    try:
        service.start()
        if kind is EvidenceKind.IMAGE:
            with service.open_image(data, name=name) as picture:
                if page > picture.info.frames:
                    raise UserFacingError(f"{source.name} has {picture.info.frames} "
                                          f"frame{'s' if picture.info.frames != 1 else ''}.")
                side = 32_767
                image = picture.render(max_width=side, max_height=side, frame=page - 1)
                what = f"{image.width}x{image.height} pixels"
        else:
            with service.open_document(data, name=name, password=password) as document:
                count = document.info.page_count
                if page > count:
                    raise UserFacingError(f"{source.name} has {count} page"
                                          f"{'s' if count != 1 else ''}.")
                image = document.render_page(page - 1, scale=dpi / 72)
                what = f"page {page} of {count}, {image.width}x{image.height} pixels"
    finally:
        service.close()
    _write_png(out, image.width, image.height, image.stride, image.samples)
    return f"wrote {out} ({what})"


def _office_pdf(data: bytes, name: str, timeout: float) -> bytes:
    from assessor.evidence import office

    if not office.libreoffice_available():
        raise UserFacingError("cannot preview office documents here: LibreOffice is not "
                              "installed")
    return office.convert_to_pdf(data, name=name, timeout=max(timeout, 60.0))


def _read(source: Path) -> bytes:
    try:
        with source.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise UserFacingError(f"{source} does not exist.") from None
    except IsADirectoryError:
        raise UserFacingError(f"{source} is a folder, not a file.") from None
    except OSError as exc:
        raise UserFacingError(f"Cannot read {source}: {exc.strerror}.") from None
    if len(data) > MAX_INPUT_BYTES:
        raise UserFacingError(f"{source} is larger than {MAX_INPUT_BYTES >> 30} GB.")
    return data


def _write_png(out: Path, width: int, height: int, stride: int, samples: bytes) -> None:
    from PIL import Image

    picture = Image.frombuffer("RGB", (width, height), samples, "raw", "RGB", stride, 1)
    # a short name of its own: ".<out>.partial" is too long for a name near the limit
    partial = out.with_name(f".assessor-render-{os.getpid()}.partial")
    try:
        with partial.open("wb") as handle:
            picture.save(handle, "PNG")
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise UserFacingError(f"Cannot write {out}: {exc.strerror}.") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())
