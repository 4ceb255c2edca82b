"""Icons, style sheets, JSON-LD contexts and demo data shipped with the app.

Found beside this file, which holds from a checkout, an installed package and a
PyInstaller bundle alike (the spec copies the folder as data).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def resource(*parts: str) -> Path:
    """A file under ``resources/``; refuses absolute paths and ``..``."""
    for part in parts:
        pieces = part.replace("\\", "/").split("/")
        if not part or part.startswith(("/", "\\")) or ".." in pieces or ":" in part:
            raise ValueError(f"not a resource path: {part!r}")
    return ROOT.joinpath(*parts)
