"""Per-criterion judgments and the evidence pins that back them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from assessor.errors import ValidationError


@dataclass(frozen=True)
class Rect:
    """A region as fractions (0..1) of the page or image, so it survives any zoom or DPI."""

    x: float
    y: float
    width: float
    height: float

    def __post_init__(self) -> None:
        values = (self.x, self.y, self.width, self.height)
        if not all(math.isfinite(v) for v in values):
            raise ValidationError("A pinned region must have finite coordinates.")
        if self.width <= 0 or self.height <= 0:
            raise ValidationError("A pinned region needs a width and a height.")
        eps = 1e-9
        if self.x < -eps or self.y < -eps or self.x + self.width > 1 + eps or (
            self.y + self.height > 1 + eps
        ):
            raise ValidationError("A pinned region must lie inside the page or image.")


@dataclass(frozen=True)
class DocumentPin:
    evidence_id: str
    page: int
    """Zero-based page index."""
    rect: Rect
    note: str = ""

    def __post_init__(self) -> None:
        if self.page < 0:
            raise ValidationError("Page numbers of pins start at 0.")


@dataclass(frozen=True)
class ImagePin:
    evidence_id: str
    rect: Rect
    note: str = ""


@dataclass(frozen=True)
class MediaPin:
    evidence_id: str
    start_ms: int
    end_ms: int
    note: str = ""

    def __post_init__(self) -> None:
        if self.start_ms < 0 or self.end_ms <= self.start_ms:
            raise ValidationError("A media pin needs a start before its end, from 0 on.")


Pin = DocumentPin | ImagePin | MediaPin


@dataclass(frozen=True)
class Judgment:
    submission_id: str
    criterion_key: str
    level_key: str | None
    author: str
    at: datetime
    comment: str = ""
    pins: tuple[Pin, ...] = field(default=())
    revision: int = 1
    """Local revision: 1 for the first save, +1 for every edit."""


@dataclass(frozen=True)
class JudgmentDraft:
    """What the assessor changes; the store stamps author, time and revision."""

    criterion_key: str
    level_key: str | None
    comment: str = ""
    pins: tuple[Pin, ...] = field(default=())
