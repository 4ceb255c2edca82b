"""Evidence by sha256 over HTTP: ETag, conditional requests and single byte ranges.

The entity tag is the quoted sha256 (the bytes can never change under it). Supported:
``Range: bytes=a-b``, ``bytes=a-`` and ``bytes=-n`` (206 with ``Content-Range``), 416 for a
range that starts past the end, ``If-None-Match`` (304) and ``If-Range`` (the range is
honoured only while the tag still matches). A Range the hub does not understand, or one
asking for several ranges, is ignored and the whole file is sent (as RFC 9110 allows).
The body is read in large chunks off the event loop.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from starlette.responses import Response, StreamingResponse

CHUNK = 4 * 1024 * 1024
"""Bytes read per step of a download: large enough to keep up with the loopback, small enough
that a hub serving many downloads at once holds only this much of each in memory."""
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int
    """Inclusive, as in ``Content-Range``."""

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Unsatisfiable(Exception):
    """The range asked for lies wholly outside the file."""


def parse_range(header: str, size: int) -> ByteRange | None:
    """The one range ``header`` asks for, ``None`` to send the whole file, or raise
    ``Unsatisfiable``."""
    match = _RANGE.fullmatch(header.strip().replace(" ", ""))
    if match is None:
        return None  # several ranges, another unit, or nonsense: send it all
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # bytes=-n: the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid: ignored
    if start >= size:
        raise Unsatisfiable
    end = int(last) if last else size - 1
    return ByteRange(start, min(end, size - 1))


def etag_for(sha256: str) -> str:
    return f'"{sha256}"'


def _matches(header: str, etag: str) -> bool:
    """``If-None-Match`` (weak comparison): any listed tag, or ``*``."""
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def _read_at(path: Path, offset: int, size: int) -> bytes:
    with open(path, "rb") as file:
        file.seek(offset)
        return file.read(size)


async def _chunks(path: Path, start: int, length: int) -> AsyncIterator[bytes]:
    """The file's bytes in chunks. No file stays open between chunks, so a client that
    goes away mid-download (the generator is then dropped, not finished) leaks nothing."""
    offset, end = start, start + length
    while offset < end:
        chunk = await anyio.to_thread.run_sync(_read_at, path, offset, min(CHUNK, end - offset))
        if not chunk:
            return
        offset += len(chunk)
        yield chunk


def evidence_response(path: Path, sha256: str, size: int, media_type: str,
                      headers: dict[str, str], head_only: bool = False) -> Response:
    """The answer to a GET (or HEAD) for the file at ``path``; ``headers`` are the
    request's, lower-cased."""
    etag = etag_for(sha256)
    common = {"ETag": etag, "Accept-Ranges": "bytes",
              "Cache-Control": "private, max-age=31536000, immutable"}
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None and _matches(if_none_match, etag):
        return Response(status_code=304, headers=common)
    wanted: ByteRange | None = None
    range_header = headers.get("range")
    if_range = headers.get("if-range")
    if range_header is not None and (if_range is None or if_range.strip() == etag):
        try:
            wanted = parse_range(range_header, size)
        except Unsatisfiable:
            return Response(status_code=416, headers=common | {
                "Content-Range": f"bytes */{size}"})
    status, start, length = 200, 0, size
    if wanted is not None:
        status, start, length = 206, wanted.start, wanted.length
        common["Content-Range"] = f"bytes {wanted.start}-{wanted.end}/{size}"
    common["Content-Length"] = str(length)
    if head_only:
        return Response(status_code=status, headers=common, media_type=media_type)
    return StreamingResponse(_chunks(path, start, length), status_code=status, headers=common,
                             media_type=media_type)
