"""Icons, style sheets, JSON-LD contexts and demo data, found through importlib.resources."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    """A file under ``resources/``; refuses absolute paths and ``..``."""
    for part in parts:
        if not part or part.startswith(("/", "\\")) or ".." in part.replace("\\", "/").split("/"):
            raise ValueError(f"not a resource path: {part!r}")
    node = files(__name__)
    for part in parts:
        node = node / part
    return node
