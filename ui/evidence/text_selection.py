"""Selecting text with the mouse: words in reading order, from one point to another."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assessor.evidence.render import Word


@dataclass(frozen=True, order=True)
class TextPoint:
    """A word in the document: page, then its index in that page's words (reading order)."""

    page: int
    index: int


def word_at(words: Sequence[Word], x: float, y: float) -> int | None:
    """The word under (x, y) in page points, else the nearest one (a line above or below
    counts as farther than a word to the side), or None on a page without words."""
    best: int | None = None
    best_distance = float("inf")
    for i, w in enumerate(words):
        dx = max(w.x0 - x, 0.0, x - w.x1)
        dy = max(w.y0 - y, 0.0, y - w.y1)
        if dx == 0.0 and dy == 0.0:
            return i
        distance = dx * dx + 9 * dy * dy
        if distance < best_distance:
            best, best_distance = i, distance
    return best


def word_range(
    start: TextPoint, end: TextPoint, page: int, count: int
) -> tuple[int, int] | None:
    """The selected words of ``page`` (first, last index inclusive), or None."""
    a, b = min(start, end), max(start, end)
    if not a.page <= page <= b.page or count == 0:
        return None
    first = a.index if page == a.page else 0
    last = b.index if page == b.page else count - 1
    return first, min(last, count - 1)


def selected_text(
    words: Mapping[int, Sequence[Word]], start: TextPoint, end: TextPoint
) -> str:
    """The selected words as text: spaces within a line, a new line between lines and pages.
    Pages whose words are not loaded are left out."""
    a, b = min(start, end), max(start, end)
    lines: list[str] = []
    for page in range(a.page, b.page + 1):
        page_words = words.get(page)
        if not page_words:
            continue
        span = word_range(a, b, page, len(page_words))
        if span is None:
            continue
        current: list[str] = []
        last_line: tuple[int, int] | None = None
        for w in page_words[span[0] : span[1] + 1]:
            line = (w.block, w.line)
            if last_line is not None and line != last_line:
                lines.append(" ".join(current))
                current = []
            current.append(w.text)
            last_line = line
        if current:
            lines.append(" ".join(current))
    return "\n".join(lines)
