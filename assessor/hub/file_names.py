"""File names as learners' browsers send them, made safe to keep and show.

A name is only a label on the hub (bytes are stored by sha256), but desktops show it and
may save files under it: directories are dropped, control and formatting characters
(``\\x00``, new lines, right-to-left overrides) removed, and long names shortened with
their extension kept.
"""

from __future__ import annotations

import unicodedata

from assessor.hub.errors import bad_request

MAX_NAME = 255
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


def clean_file_name(raw: str) -> str:
    """The last path segment of ``raw``, without control characters, at most 255
    characters; refuses a name that leaves nothing."""
    text = "".join(ch for ch in unicodedata.normalize("NFC", raw)
                   if unicodedata.category(ch) not in _DROPPED)
    name = text.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".").strip()
    if not name:
        shown = raw.encode("unicode_escape").decode("ascii")[:60]
        raise bad_request(f"The file name {shown!r} leaves no name once directories and "
                          "control characters are removed; rename the file.",
                          "bad_file_name")
    if len(name) <= MAX_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and 0 < len(extension) <= 16:
        return stem[:MAX_NAME - len(extension) - 1].rstrip() + "." + extension
    return name[:MAX_NAME].rstrip()
