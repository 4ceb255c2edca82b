"""Where each page of a document sits in one continuous vertical scroll (plain geometry).

Pages are laid out from ``DocumentInfo.page_sizes`` alone, in a few lists of floats, so a
500-page document lays out as fast as a one-page one. Sizes are rounded to whole device
pixels the same way the renderer rounds them, so a rendered page is drawn 1:1, never blurred.

Coordinates used by the document view:
- *page points*: unrotated page space, as the core reports words, hits and page sizes;
- *page fractions*: page points divided by the page size (what pins store, 0..1);
- *view fractions*: fractions of the page as shown, after the view rotation (clockwise).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

ROTATIONS = (0, 90, 180, 270)
POINTS_TO_PIXELS = 96 / 72
"""At 100 % a page is shown at its printed size on a 96-dpi screen."""
PAGE_GAP = 12.0
MARGIN = 16.0

FRect = tuple[float, float, float, float]
"""x0, y0, x1, y1."""


def rotated_size(width: float, height: float, rotation: int) -> tuple[float, float]:
    return (height, width) if rotation in (90, 270) else (width, height)


def to_view_fraction(x: float, y: float, rotation: int) -> tuple[float, float]:
    """A point in page fractions -> the same point in fractions of the rotated page."""
    if rotation == 90:
        return 1.0 - y, x
    if rotation == 180:
        return 1.0 - x, 1.0 - y
    if rotation == 270:
        return y, 1.0 - x
    return x, y


def from_view_fraction(u: float, v: float, rotation: int) -> tuple[float, float]:
    """The inverse of ``to_view_fraction``."""
    if rotation == 90:
        return v, 1.0 - u
    if rotation == 180:
        return 1.0 - u, 1.0 - v
    if rotation == 270:
        return 1.0 - v, u
    return u, v


def rect_to_view_fraction(rect: FRect, rotation: int) -> FRect:
    ax, ay = to_view_fraction(rect[0], rect[1], rotation)
    bx, by = to_view_fraction(rect[2], rect[3], rotation)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def rect_from_view_fraction(rect: FRect, rotation: int) -> FRect:
    ax, ay = from_view_fraction(rect[0], rect[1], rotation)
    bx, by = from_view_fraction(rect[2], rect[3], rotation)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def fit_width_zoom(
    page_sizes: Sequence[tuple[float, float]], rotation: int, viewport_width: float
) -> float:
    widest = max((rotated_size(w, h, rotation)[0] for w, h in page_sizes), default=612.0)
    return max(0.05, (viewport_width - 2 * MARGIN) / (widest * POINTS_TO_PIXELS))


def fit_page_zoom(
    size: tuple[float, float], rotation: int, viewport_width: float, viewport_height: float
) -> float:
    w, h = rotated_size(size[0], size[1], rotation)
    return max(
        0.05,
        min(
            (viewport_width - 2 * MARGIN) / (w * POINTS_TO_PIXELS),
            (viewport_height - 2 * MARGIN) / (h * POINTS_TO_PIXELS),
        ),
    )


class PageLayout:
    """The pages' rectangles in logical pixels of the scrolled content, for one zoom,
    rotation and device pixel ratio."""

    def __init__(
        self,
        page_sizes: Sequence[tuple[float, float]],
        *,
        zoom: float,
        rotation: int,
        dpr: float,
        viewport_width: float,
    ) -> None:
        self.page_sizes = page_sizes
        self.zoom = zoom
        self.rotation = rotation
        self.dpr = dpr
        self.scale = zoom * POINTS_TO_PIXELS * dpr
        """Device pixels per point: what the renderer is asked for."""
        widths: list[float] = []
        heights: list[float] = []
        tops: list[float] = []
        y = MARGIN
        scale = self.scale
        for w, h in page_sizes:
            rw, rh = rotated_size(w, h, rotation)
            pw = max(1, round(rw * scale)) / dpr
            ph = max(1, round(rh * scale)) / dpr
            widths.append(pw)
            heights.append(ph)
            tops.append(y)
            y += ph + PAGE_GAP
        self._widths = widths
        self._heights = heights
        self._tops = tops
        self.content_width = max(widths, default=0.0) + 2 * MARGIN
        self.width = max(self.content_width, viewport_width)
        self.height = (y - PAGE_GAP + MARGIN) if page_sizes else 0.0

    def __len__(self) -> int:
        return len(self._tops)

    def page_rect(self, page: int) -> FRect:
        """x0, y0, x1, y1 of the page in content coordinates (whole device pixels)."""
        w = self._widths[page]
        x0 = math.floor((self.width - w) / 2 * self.dpr) / self.dpr
        y0 = math.floor(self._tops[page] * self.dpr) / self.dpr
        return x0, y0, x0 + w, y0 + self._heights[page]

    def device_size(self, page: int) -> tuple[int, int]:
        return round(self._widths[page] * self.dpr), round(self._heights[page] * self.dpr)

    def pages_between(self, top: float, bottom: float) -> range:
        """Pages that intersect the band [top, bottom) of the content."""
        if not self._tops:
            return range(0)
        first = max(0, bisect.bisect_right(self._tops, top) - 1)
        if self._tops[first] + self._heights[first] < top:
            first += 1
        last = bisect.bisect_left(self._tops, bottom)
        return range(first, max(first, min(last, len(self._tops))))

    def page_at(self, y: float) -> int:
        """The page at height y, or the nearest one (in the gap: the one below)."""
        if not self._tops:
            return 0
        i = max(0, bisect.bisect_right(self._tops, y) - 1)
        if y > self._tops[i] + self._heights[i] and i + 1 < len(self._tops):
            return i + 1
        return i

    def page_top(self, page: int) -> float:
        return self._tops[page]
