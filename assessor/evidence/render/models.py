"""The plain values the rendering service hands out: frozen, safe to pass between threads.

Page space: points (1/72 inch), origin at the top left of the page as it is displayed at
rotation 0 (the document's own page rotation applied, none of the viewer's), y down. A page
rendered at ``scale`` with ``rotation=0`` maps point (x, y) to pixel (x * scale, y * scale).
"""

from __future__ import annotations

from dataclasses import dataclass

RectTuple = tuple[float, float, float, float]


@dataclass(frozen=True)
class DocumentInfo:
    page_count: int
    page_sizes: tuple[tuple[float, float], ...]  # (width, height) in points, rotation 0
    format: str  # "PDF 1.7", "EPUB", "XPS"...
    title: str
    encrypted: bool  # it was encrypted (and has been opened with the right password)
    warnings: tuple[str, ...]  # e.g. "repaired: broken cross-reference table"


@dataclass(frozen=True)
class ImageInfo:
    width: int  # after EXIF orientation
    height: int
    format: str  # "JPEG", "PNG", ...
    frames: int
    metadata: tuple[tuple[str, str], ...]  # human-readable (camera, date taken, DPI, ...)


@dataclass(frozen=True)
class PageImage:
    """Pixels ready for ``QImage(samples, width, height, stride, Format_RGB888)``."""

    width: int
    height: int
    stride: int
    samples: bytes  # RGB888, rows ``stride`` bytes apart; alpha flattened on white
    scale: float  # device pixels per point (documents) / per image pixel (images)


@dataclass(frozen=True)
class Word:
    """A word on a page, in page space (see the module's docstring)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    block: int
    line: int
    word: int


@dataclass(frozen=True)
class SearchHit:
    page: int
    rects: tuple[RectTuple, ...]  # points, page space: one per line the hit spans
