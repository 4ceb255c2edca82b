"""Evidence file names as the hub sends them, made safe to show and to suggest for saving.

A name is only a label (files are kept by sha256), but a hub that is buggy or hostile may
send ``../../x``, ``/etc/passwd``, control characters, a right-to-left override that makes
``invoice\\u202efdp.exe`` look like ``invoiceexe.pdf``, or 1,000 characters. The viewer shows
and offers ``safe_file_name``: the last path segment, without control and formatting
characters, at most 255 bytes with the extension kept. Never raises: a name that leaves
nothing becomes ``fallback``.
"""

from __future__ import annotations

import unicodedata

MAX_NAME_BYTES = 255
"""What file systems allow for one name (bytes of UTF-8)."""
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Cn"}
_RESERVED = set('<>:"|?*')  # not allowed in names on Windows


def safe_file_name(name: str, fallback: str = "evidence") -> str:
    """``name`` cut to its last segment and cleaned (see the module docstring)."""
    text = "".join("_" if ch in _RESERVED else ch
                   for ch in unicodedata.normalize("NFC", str(name))
                   if unicodedata.category(ch) not in _DROPPED)
    segment = text.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".").strip()
    if not segment:
        return fallback
    if len(segment.encode("utf-8")) <= MAX_NAME_BYTES:
        return segment
    stem, dot, extension = segment.rpartition(".")
    if dot and stem and 0 < len(extension.encode("utf-8")) <= 16:
        room = MAX_NAME_BYTES - len(extension.encode("utf-8")) - 1
        return _cut(stem, room).rstrip() + "." + extension
    return _cut(segment, MAX_NAME_BYTES).rstrip()


def _cut(text: str, limit: int) -> str:
    """The longest start of ``text`` whose UTF-8 fits in ``limit`` bytes."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")
