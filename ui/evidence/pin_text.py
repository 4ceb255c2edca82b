"""How a pin reads in lists and dialogs: "p. 3 — note", "0:12–0:20", "image region"."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assessor.domain.judgment import Pin


def clock(ms: int) -> str:
    """A media time as m:ss (h:mm:ss from an hour on)."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def where(pin: Pin) -> str:
    """Where in its evidence the pin points, without the note."""
    from assessor.domain.judgment import DocumentPin, MediaPin

    if isinstance(pin, DocumentPin):
        return f"p. {pin.page + 1}"
    if isinstance(pin, MediaPin):
        return f"{clock(pin.start_ms)}–{clock(pin.end_ms)}"
    return "image region"


def describe(pin: Pin) -> str:
    """The pin's place and its note: "p. 3 — the signed risk assessment"."""
    note = " ".join(pin.note.split())
    return f"{where(pin)} — {note}" if note else where(pin)
