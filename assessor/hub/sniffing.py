"""Media types from the content of a file, never from its name or what a client claims.

``ContentProbe`` watches the bytes as they stream past (it keeps the first few kilobytes and
checks whether the whole stream is UTF-8 text without NULs); ``media_type`` then decides
from magic numbers, looks inside ZIP containers for Office and OpenDocument files, and
falls back to text or ``application/octet-stream``.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

HEAD_BYTES = 8192
OCTET_STREAM = "application/octet-stream"
_MARKDOWN = re.compile(r"^(#{1,6} \S|```)|\[[^\]\n]+\]\(https?://", re.MULTILINE)
"""Headings, fenced code or links: text written as Markdown."""

_ODF_PREFIX = "application/vnd.oasis.opendocument."
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_HEIF_BRANDS = {b"heic": "image/heic", b"heix": "image/heic", b"heim": "image/heic",
                b"heis": "image/heic", b"mif1": "image/heif", b"msf1": "image/heif",
                b"avif": "image/avif", b"avis": "image/avif"}
_MP4_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"F4A ")


class ContentProbe:
    """Sees a file's bytes once, in order, as they are received."""

    def __init__(self) -> None:
        self.head = b""
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._text = True
        self._markdown = False
        self._tail = ""

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[:HEAD_BYTES - len(self.head)]
        if not self._text:
            return
        if b"\0" in chunk:
            self._text = False
            return
        try:
            decoded = self._decoder.decode(chunk)
        except UnicodeDecodeError:
            self._text = False
            return
        if not self._markdown:
            window = self._tail + decoded
            self._markdown = _MARKDOWN.search(window) is not None
            self._tail = window[-200:]

    def is_text(self) -> bool:
        if not self._text:
            return False
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True

    def media_type(self, path: Path) -> str:
        """The media type of the complete file (now at ``path``)."""
        found = media_type_of_head(self.head)
        if found == "application/zip":
            return _zip_media_type(path)
        if found is not None:
            return found
        if self.head and self.is_text():
            return "text/markdown" if self._markdown else "text/plain"
        return OCTET_STREAM


def _riff(head: bytes) -> str | None:
    kind = head[8:12]
    return {b"WAVE": "audio/wav", b"WEBP": "image/webp",
            b"AVI ": "video/x-msvideo"}.get(kind)


def _iso_media(head: bytes) -> str | None:
    """ISO base media files (MP4, QuickTime, HEIF): an ``ftyp`` box first."""
    if head[4:8] != b"ftyp":
        return None
    size = int.from_bytes(head[:4], "big")
    brands = [head[8:12]] + [head[i:i + 4] for i in range(16, min(size, len(head), 64), 4)]
    for brand in brands:
        if brand in _HEIF_BRANDS:
            return _HEIF_BRANDS[brand]
    major = head[8:12]
    if major == b"qt  ":
        return "video/quicktime"
    if major in _MP4_AUDIO_BRANDS:
        return "audio/mp4"
    if major.startswith(b"3g"):
        return "video/3gpp"
    return "video/mp4"


def _mpeg_audio(head: bytes) -> str | None:
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0b11
        if layer == 0 and head[1] & 0xF6 == 0xF0:
            return "audio/aac"
        if layer != 0 and (head[1] >> 3) & 0b11 != 0b01:
            return "audio/mpeg"
    return None


def media_type_of_head(head: bytes) -> str | None:
    """The type the first bytes announce, ``application/zip`` for any ZIP container, or
    None when they announce none."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith((b"II*\0", b"MM\0*")):
        return "image/tiff"
    if head.startswith(b"RIFF") and len(head) >= 12:
        return _riff(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if head.startswith(b"OggS"):
        return "video/ogg" if b"\x80theora" in head[:512] else "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "application/zip"
    if head.startswith(b"{\\rtf"):
        return "application/rtf"
    return _iso_media(head) or _mpeg_audio(head)


def _zip_media_type(path: Path) -> str:
    """Office Open XML and OpenDocument files are ZIP files with telling entries."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                if declared.startswith(_ODF_PREFIX) and declared.isprintable():
                    return declared
            if "[Content_Types].xml" in names:
                for prefix, media_type in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return media_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError,
            NotImplementedError, RuntimeError, EOFError):
        return OCTET_STREAM
    return "application/zip"
