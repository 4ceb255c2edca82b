"""What to ask the renderer for: a whole page, or tiles of a page too large to render whole.

At 400 % on a high-DPI screen an A4 page is ~57 million pixels; rendering it whole would
take seconds and most of the memory budget. Such pages are cut into tiles and only the
tiles near the viewport are rendered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ui.evidence.page_layout import FRect, rect_from_view_fraction

WHOLE_PAGE_PIXELS = 8_000_000
TILE = 1024
"""Tile edge in device pixels."""


@dataclass(frozen=True)
class RenderKey:
    page: int
    scale: int
    """Device pixels per point, in thousandths (so equal zooms give equal keys)."""
    rotation: int
    tile: tuple[int, int] | None = None
    """(column, row) of the tile, or None for the whole page."""

    @property
    def scale_factor(self) -> float:
        return self.scale / 1000


def scale_key(scale: float) -> int:
    return max(1, round(scale * 1000))


def is_tiled(device_width: int, device_height: int) -> bool:
    return device_width * device_height > WHOLE_PAGE_PIXELS


def tile_grid(device_width: int, device_height: int) -> tuple[int, int]:
    return math.ceil(device_width / TILE), math.ceil(device_height / TILE)


def tile_device_rect(tile: tuple[int, int], device_width: int, device_height: int) -> FRect:
    """The tile's rectangle in device pixels of the page as shown (rotated)."""
    col, row = tile
    x0, y0 = col * TILE, row * TILE
    return x0, y0, min(device_width, x0 + TILE), min(device_height, y0 + TILE)


def tiles_in(
    visible: FRect, device_width: int, device_height: int
) -> list[tuple[int, int]]:
    """Tiles intersecting ``visible`` (device pixels of the shown page), nearest rows first."""
    cols, rows = tile_grid(device_width, device_height)
    c0 = max(0, int(visible[0] // TILE))
    c1 = min(cols - 1, int(math.ceil(visible[2] / TILE)) - 1)
    r0 = max(0, int(visible[1] // TILE))
    r1 = min(rows - 1, int(math.ceil(visible[3] / TILE)) - 1)
    return [(c, r) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


def tile_clip(
    page_size: tuple[float, float],
    rotation: int,
    tile: tuple[int, int],
    device_width: int,
    device_height: int,
) -> FRect:
    """The tile as a clip rectangle in unrotated page points (what render_page takes)."""
    x0, y0, x1, y1 = tile_device_rect(tile, device_width, device_height)
    fx0, fy0, fx1, fy1 = rect_from_view_fraction(
        (x0 / device_width, y0 / device_height, x1 / device_width, y1 / device_height),
        rotation,
    )
    w, h = page_size
    return fx0 * w, fy0 * h, fx1 * w, fy1 * h
