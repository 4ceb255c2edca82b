"""Finding a phrase in a page's words: case-insensitive, across line breaks, one rectangle
per line a hit spans. Pure Python: the worker feeds it PyMuPDF's words once per page and
keeps the compact ``PageText`` for every later search of the same document."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from assessor.evidence.render.models import RectTuple

RawWord = tuple[float, float, float, float, str, int, int, int]


@dataclass(frozen=True)
class PageText:
    """A page's words joined by single spaces, lower-cased, with where each word starts and
    its box (in the coordinates the words came in)."""

    text: str
    starts: array[int]
    boxes: array[float]  # x0, y0, x1, y1 per word
    lines: array[int]  # a number per (block, line): words of one line share it

    @classmethod
    def from_words(cls, words: Iterable[RawWord]) -> PageText:
        parts: list[str] = []
        starts: array[int] = array("q")
        boxes: array[float] = array("d")
        lines: array[int] = array("q")
        position = 0
        for x0, y0, x1, y1, text, block, line, _ in words:
            folded = _fold(text)
            starts.append(position)
            boxes.extend((x0, y0, x1, y1))
            lines.append(block * 1_000_000 + line)
            parts.append(folded)
            position += len(folded) + 1
        return cls(" ".join(parts), starts, boxes, lines)

    def find(self, query: str, limit: int) -> Iterator[tuple[RectTuple, ...]]:
        """Each hit of ``query`` (at most ``limit``) as its rectangles, one per line."""
        needle = normalise_query(query)
        if not needle or limit <= 0:
            return
        found = 0
        at = self.text.find(needle)
        while at >= 0 and found < limit:
            rects = self._rects(at, at + len(needle))
            if rects:
                found += 1
                yield rects
            at = self.text.find(needle, at + len(needle))

    def _rects(self, start: int, end: int) -> tuple[RectTuple, ...]:
        first = bisect.bisect_right(self.starts, start) - 1
        merged: dict[int, list[float]] = {}
        index = max(first, 0)
        while index < len(self.starts) and self.starts[index] < end:
            word_start = self.starts[index]
            word_end = (self.starts[index + 1] - 1 if index + 1 < len(self.starts)
                        else len(self.text))
            lo, hi = max(start, word_start), min(end, word_end)
            if hi > lo:
                x0, y0, x1, y1 = self.boxes[4 * index:4 * index + 4]
                length = max(word_end - word_start, 1)
                left = x0 + (x1 - x0) * (lo - word_start) / length
                right = x0 + (x1 - x0) * (hi - word_start) / length
                box = merged.get(self.lines[index])
                if box is None:
                    merged[self.lines[index]] = [left, y0, right, y1]
                else:
                    box[0], box[1] = min(box[0], left), min(box[1], y0)
                    box[2], box[3] = max(box[2], right), max(box[3], y1)
            index += 1
        return tuple((b[0], b[1], b[2], b[3]) for b in merged.values())


def normalise_query(query: str) -> str:
    return " ".join(_fold(word) for word in query.split())


def _fold(text: str) -> str:
    """Lower case that keeps the length, so positions in the folded text match the words."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
