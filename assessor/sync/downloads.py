"""Evidence downloads into the encrypted cache: resumed from the last byte kept, streamed
(hash and encrypt chunk by chunk, never the whole file in memory), accepted only when the
bytes hash to the digest they were asked for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assessor.errors import Cancelled
from assessor.evidence.cache import EvidenceCache
from assessor.evidence.cache_writer import EvidenceWriter
from assessor.evidence.errors import EvidenceTooLargeError
from assessor.sync.client import EvidenceStream, HubClient
from assessor.sync.errors import HubProtocolError


@dataclass(frozen=True)
class Fetched:
    sha256: str
    received: int
    """Bytes that came over the network in this call (0 when it was already cached)."""
    resumed_from: int


def fetch_evidence(client: HubClient, cache: EvidenceCache, sha256: str, size: int, *,
                   on_bytes: Callable[[int], None] = lambda n: None,
                   cancelled: Callable[[], bool] = lambda: False) -> Fetched:
    """Download one evidence file into ``cache`` unless it is there already.

    An interrupted call (network trouble, cancel, the app closing) keeps what arrived, and
    the next call asks only for the rest. A hub that sends more than announced, a range
    that does not fit, or bytes with another hash: ``HubProtocolError`` or
    ``EvidenceIntegrityError``, and the cache holds nothing of that file.
    """
    if cache.has(sha256):
        return Fetched(sha256, 0, size)
    writer = cache.begin(sha256, size)
    try:
        start = writer.offset
        received = 0
        if start < size:
            with client.evidence(sha256, start) as stream:
                if stream.start != start:
                    # The hub ignored the range (If-Range failed, or no Range support) and
                    # is sending the whole file: what is kept cannot be trusted to fit, so
                    # start again, from this answer.
                    writer.close()
                    cache.discard_partial(sha256)
                    writer = cache.begin(sha256, size)
                    start = writer.offset
                received = _receive(cache, writer, stream, size, on_bytes, cancelled)
            if writer.offset < size:
                raise HubProtocolError(
                    f"The hub's answer for evidence {sha256[:12]}… ended after "
                    f"{writer.offset} of {size} bytes; the download resumes next sync.")
        writer.commit()  # EvidenceIntegrityError (and nothing kept) on a wrong hash
    finally:
        writer.close()  # keeps what arrived for a resume (a no-op after commit)
    return Fetched(sha256, received, start)


def _receive(cache: EvidenceCache, writer: EvidenceWriter, stream: EvidenceStream,
             size: int, on_bytes: Callable[[int], None],
             cancelled: Callable[[], bool]) -> int:
    """Write the answer's bytes after what ``writer`` holds; the count received."""
    sha256 = writer.sha256
    if stream.total >= 0 and stream.total != size:
        raise _discard(cache, writer, sha256, HubProtocolError(
            f"The hub says evidence {sha256[:12]}… is {stream.total} bytes, but "
            f"the submission announced {size}; it was not kept."))
    if stream.length is not None and writer.offset + stream.length > size:
        raise _discard(cache, writer, sha256, HubProtocolError(
            f"The hub is sending more bytes of evidence {sha256[:12]}… than "
            "announced; it was not kept."))
    received = 0
    for chunk in stream.chunks:
        if cancelled():
            raise Cancelled()
        try:
            writer.write(chunk)
        except EvidenceTooLargeError:
            raise _discard(cache, writer, sha256, HubProtocolError(
                f"The hub sent more bytes of evidence {sha256[:12]}… than the "
                f"{size} announced; it was not kept.")) from None
        received += len(chunk)
        on_bytes(len(chunk))
    return received


def _discard(cache: EvidenceCache, writer: EvidenceWriter, sha256: str,
             error: Exception) -> Exception:
    """Drop what was received of a file the hub sent wrongly, and return ``error``."""
    writer.close()
    cache.discard_partial(sha256)
    return error
