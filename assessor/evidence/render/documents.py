# mypy: disable-error-code="no-untyped-call"
"""Documents through PyMuPDF, inside a worker process (this module imports pymupdf).

Opened documents are kept by id; words for search are extracted once per document. All
coordinates handed out are in page space (``models``): PyMuPDF's words are in the
unrotated page's space, so they go through the page's rotation matrix first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pymupdf

from assessor.evidence.render.errors import (
    BrokenEvidence,
    EvidenceTooLarge,
    PasswordRequired,
    RenderError,
    WrongPassword,
)
from assessor.evidence.render.limits import MAX_OUTPUT_PIXELS, MAX_OUTPUT_SIDE
from assessor.evidence.render.models import RectTuple
from assessor.evidence.render.search import PageText, RawWord

LABELS = {"pdf": "PDF", "xps": "XPS document", "epub": "EPUB book", "cbz": "comic book",
          "fb2": "FictionBook", "mobi": "MOBI book", "svg": "SVG picture"}
MAX_PAGES = 100_000
MAX_WARNINGS = 5

InfoTuple = tuple[int, tuple[tuple[float, float], ...], str, str, bool, tuple[str, ...]]
WordTuple = tuple[float, float, float, float, str, int, int, int]
Pixels = tuple[tuple[int, int, int, float], Any]  # meta, and the Pixmap holding the samples


@dataclass
class OpenDocument:
    doc: Any  # pymupdf.Document
    label: str
    encrypted: bool
    texts: list[PageText] | None = field(default=None)


def configure() -> None:
    """Quiet MuPDF: its messages are collected for ``DocumentInfo.warnings``, never
    printed."""
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)


def open_document(data: bytes, filetype: str, password: str | None) -> OpenDocument:
    label = LABELS.get(filetype, "document")
    pymupdf.TOOLS.reset_mupdf_warnings()
    if not data:
        raise BrokenEvidence(f"This {label} is empty (0 bytes).")
    try:
        doc = pymupdf.open(stream=data, filetype=filetype)
    except MemoryError:
        raise
    except Exception as exc:
        if _out_of_memory(exc):
            raise EvidenceTooLarge(f"This {label} needs more memory to open than the viewer "
                                   "allows.") from None
        raise BrokenEvidence(f"This {label} cannot be read: it is damaged, incomplete or "
                             f"not really a {label}.") from None
    # Ask once, before authenticating: MuPDF's needs-password check tries the empty
    # password, which after a successful authentication breaks the decryption key.
    encrypted = bool(doc.needs_pass)
    if encrypted:
        if password is None:
            raise PasswordRequired(f"This {label} is protected by a password.")
        if not doc.authenticate(password):
            raise WrongPassword(f"That password does not open this {label}.")
    _disable_javascript(doc)
    try:
        count = doc.page_count
    except Exception:
        count = 0
    if count == 0:
        raise BrokenEvidence(f"This {label} has no pages to show.")
    if count > MAX_PAGES:
        raise EvidenceTooLarge(f"This {label} has {count:,} pages; the viewer shows documents "
                               f"of up to {MAX_PAGES:,} pages.")
    return OpenDocument(doc, label, encrypted)


def document_info(opened: OpenDocument) -> InfoTuple:
    doc = opened.doc
    metadata = doc.metadata or {}
    encrypted = bool(opened.encrypted or metadata.get("encryption"))
    if doc.is_reflowable:
        first = doc.load_page(0).rect
        sizes = ((float(first.width), float(first.height)),) * doc.page_count
    else:
        sizes = tuple(_page_size(doc, n) for n in range(doc.page_count))
    fmt = str(metadata.get("format") or opened.label)
    title = _one_line(str(metadata.get("title") or ""))
    return (doc.page_count, sizes, fmt, title, encrypted, _warnings(doc))


def _page_size(doc: Any, number: int) -> tuple[float, float]:
    try:
        rect = doc.load_page(number).rect
        return (float(rect.width), float(rect.height))
    except Exception:
        return (612.0, 792.0)  # a page that cannot be loaded shows blank, Letter size


def render_page(opened: OpenDocument, number: int, scale: float, rotation: int,
                clip: RectTuple | None) -> Pixels:
    page = _page(opened, number)
    area = page.rect
    if clip is not None:
        area = pymupdf.Rect(clip) & page.rect
        if area.is_empty:
            raise RenderError(f"The area asked for is outside page {number + 1}.")
    scale = capped_scale(float(area.width), float(area.height), scale)
    matrix = pymupdf.Matrix(scale, scale).prerotate(rotation)
    try:
        pixmap = page.get_pixmap(matrix=matrix, clip=area if clip is not None else None,
                                 alpha=False, colorspace=pymupdf.csRGB, annots=True)
    except MemoryError:
        raise
    except Exception as exc:
        if _out_of_memory(exc):
            raise EvidenceTooLarge(f"Page {number + 1} needs more memory to draw than the "
                                   "viewer allows.") from None
        raise BrokenEvidence(f"Page {number + 1} cannot be drawn: the {opened.label} is "
                             "damaged.") from None
    meta = (pixmap.width, pixmap.height, pixmap.stride, scale)
    return meta, pixmap


def capped_scale(width: float, height: float, scale: float) -> float:
    """``scale`` lowered so the output stays within the pixel and side caps."""
    if width <= 0 or height <= 0:
        return scale
    pixels = width * height * scale * scale
    if pixels > MAX_OUTPUT_PIXELS:
        scale *= math.sqrt(MAX_OUTPUT_PIXELS / pixels) * 0.999
    longest = max(width, height) * scale
    if longest > MAX_OUTPUT_SIDE:
        scale *= MAX_OUTPUT_SIDE / longest * 0.999
    return scale


def page_words(opened: OpenDocument, number: int) -> list[WordTuple]:
    page = _page(opened, number)
    matrix = page.rotation_matrix
    words: list[WordTuple] = []
    for x0, y0, x1, y1, text, block, line, word in _raw_words(page, opened, number):
        rect = pymupdf.Rect(x0, y0, x1, y1) * matrix
        words.append((rect.x0, rect.y0, rect.x1, rect.y1, text, block, line, word))
    return words


def page_text(opened: OpenDocument, number: int) -> str:
    page = _page(opened, number)
    try:
        return str(page.get_text("text"))
    except Exception:
        raise BrokenEvidence(f"The text of page {number + 1} cannot be read.") from None


def search(opened: OpenDocument, query: str, max_hits: int) -> list[tuple[int, tuple[RectTuple,
                                                                                      ...]]]:
    if opened.texts is None:
        opened.texts = [PageText.from_words(_raw_words(_page(opened, n), opened, n))
                        for n in range(opened.doc.page_count)]
    hits: list[tuple[int, tuple[RectTuple, ...]]] = []
    for number, text in enumerate(opened.texts):
        if len(hits) >= max_hits:
            break
        found = list(text.find(query, max_hits - len(hits)))
        if found:
            matrix = opened.doc.load_page(number).rotation_matrix
            for rects in found:
                hits.append((number, tuple(_transform(r, matrix) for r in rects)))
    return hits


def _transform(rect: RectTuple, matrix: Any) -> RectTuple:
    moved = pymupdf.Rect(rect) * matrix
    return (moved.x0, moved.y0, moved.x1, moved.y1)


def _raw_words(page: Any, opened: OpenDocument, number: int) -> list[RawWord]:
    try:
        return [(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
                for w in page.get_text("words")]
    except MemoryError:
        raise
    except Exception:
        raise BrokenEvidence(f"The text of page {number + 1} cannot be read.") from None


def _page(opened: OpenDocument, number: int) -> Any:
    try:
        return opened.doc.load_page(number)
    except MemoryError:
        raise
    except Exception:
        raise BrokenEvidence(f"Page {number + 1} of this {opened.label} cannot be read.") \
            from None


def _disable_javascript(doc: Any) -> None:
    """MuPDF runs no JavaScript unless asked; make sure it is never asked."""
    if doc.is_pdf:
        pdf = pymupdf.mupdf.pdf_specifics(doc.this)
        if pdf.m_internal:
            pymupdf.mupdf.pdf_disable_js(pdf)


def javascript_enabled(doc: Any) -> bool:
    if not doc.is_pdf:
        return False
    pdf = pymupdf.mupdf.pdf_specifics(doc.this)
    return bool(pdf.m_internal) and bool(pymupdf.mupdf.pdf_js_supported(pdf))


_WARNING_TEXT = (
    (re.compile(r"repair|startxref|xref", re.I),
     "repaired: the file's cross-reference table was broken (the file may be truncated)"),
    (re.compile(r"non-page object|page tree", re.I), "repaired: the page list was damaged"),
    (re.compile(r"font", re.I), "a font could not be loaded; some text may look different"),
    (re.compile(r"image|jpeg|jpx|flate|decode", re.I),
     "a picture could not be decoded; parts of a page may be missing"),
    (re.compile(r"syntax error|unknown keyword|stream", re.I),
     "damaged page content; parts of a page may be missing"),
)


def _warnings(doc: Any) -> tuple[str, ...]:
    lines = [line.strip() for line in pymupdf.TOOLS.mupdf_warnings().splitlines()
             if line.strip()]
    found: list[str] = []
    if doc.is_pdf and doc.is_repaired:
        found.append(_WARNING_TEXT[0][1])
    for line in lines:
        for pattern, text in _WARNING_TEXT:
            if pattern.search(line):
                if text not in found:
                    found.append(text)
                break
    pymupdf.TOOLS.reset_mupdf_warnings()
    return tuple(found[:MAX_WARNINGS])


def _out_of_memory(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "malloc" in text or "out of memory" in text or "cannot allocate" in text


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]
