"""Zoom steps shared by the document and image views."""

from __future__ import annotations

MIN_ZOOM = 0.1
MAX_ZOOM = 4.0
PRESETS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
"""The levels offered in the zoom box (50-400 %)."""
STEPS = (0.1, 0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
"""The levels zoom in / zoom out walk through."""


def next_zoom(current: float, direction: int, *, low: float = MIN_ZOOM,
              high: float = MAX_ZOOM) -> float:
    """The next step above (direction > 0) or below the current zoom, within [low, high]."""
    if direction > 0:
        bigger = [s for s in STEPS if s > current * 1.001]
        return min(high, bigger[0] if bigger else current * 1.25)
    smaller = [s for s in STEPS if s < current * 0.999]
    return max(low, smaller[-1] if smaller else current / 1.25)


def percent(zoom: float) -> str:
    return f"{round(zoom * 100)}%"


def parse_percent(text: str) -> float | None:
    """'150', '150%', ' 75 % ' -> 1.5, 0.75; anything else -> None."""
    cleaned = text.strip().rstrip("%").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value / 100 if value > 0 else None
