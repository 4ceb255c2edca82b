"""The bytes of one cached evidence file on disk, and the AES-256-GCM that makes them.

A cache file is a header followed by records, one record per chunk of plaintext::

    header  = magic "AEVC" | version (1 byte) | 3 zero bytes | chunk size (u32) |
              announced plaintext size (u64)                       -- big-endian, 20 bytes
    record  = nonce (12 random bytes) | ciphertext of the chunk | GCM tag (16 bytes)

Every record but the last holds exactly ``chunk size`` bytes of plaintext; the last holds
0 to ``chunk size`` bytes. So the place of any plaintext byte is arithmetic, and a reader
can decrypt just the chunk it needs. Each record's associated data binds the header, the
file's sha256, the chunk's index and whether it is the final chunk: records cannot be
reordered, moved to another file or cut off without the tag check failing, and the header
cannot be edited either. The last record of a finished file is sealed as final, and only
after the whole download's sha256 matched; a partial lives under its own name and becomes
the file by an atomic rename. A crash between sealing and the rename can leave a partial
whose last record is final: a resume drops that record and fetches it again, and a partial
is never read as a finished file.

This is the evidence package's only importer of ``cryptography``.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"AEVC"
VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
OVERHEAD = NONCE_BYTES + TAG_BYTES
DEFAULT_CHUNK_SIZE = 64 * 1024
MIN_CHUNK_SIZE = 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024

_HEADER = struct.Struct(">4sB3xIQ")
HEADER_BYTES = _HEADER.size
_POSITION = struct.Struct(">QB")


class FormatError(Exception):
    """The bytes are not a cache file this version can read (internal; callers translate)."""


class ChunkAuthError(Exception):
    """A record failed its GCM tag check (internal; callers translate)."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


@dataclass(frozen=True)
class Header:
    chunk_size: int
    size: int
    """The plaintext size announced when the download began."""

    def pack(self) -> bytes:
        return _HEADER.pack(MAGIC, VERSION, self.chunk_size, self.size)

    @classmethod
    def unpack(cls, data: bytes) -> Header:
        if len(data) != HEADER_BYTES:
            raise FormatError("short header")
        magic, version, chunk_size, size = _HEADER.unpack(data)
        if magic != MAGIC or version != VERSION:
            raise FormatError("not a cache file of this version")
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise FormatError("chunk size out of range")
        header = cls(chunk_size, size)
        if header.pack() != data:
            raise FormatError("reserved bytes are not zero")
        return header

    @property
    def record_size(self) -> int:
        """The on-disk size of a full record."""
        return self.chunk_size + OVERHEAD

    def record_offset(self, index: int) -> int:
        return HEADER_BYTES + index * self.record_size

    def chunk_count(self, plaintext_size: int) -> int:
        """How many records a finished file of this size has (an empty file has one)."""
        return max(1, -(-plaintext_size // self.chunk_size))

    def file_size(self, plaintext_size: int) -> int:
        """The on-disk size of a finished file holding ``plaintext_size`` bytes."""
        return HEADER_BYTES + plaintext_size + self.chunk_count(plaintext_size) * OVERHEAD


class ChunkCipher:
    """Seals and opens the records of one file (one digest, one header)."""

    def __init__(self, key: bytes, sha256: str, header: Header) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("the evidence cache key must be 32 bytes")
        self._aead = AESGCM(key)
        self._prefix = header.pack() + bytes.fromhex(sha256)

    def _aad(self, index: int, final: bool) -> bytes:
        return self._prefix + _POSITION.pack(index, 1 if final else 0)

    def seal(self, index: int, final: bool, plaintext: bytes | bytearray | memoryview) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, self._aad(index, final))

    def open(self, index: int, final: bool, record: bytes) -> bytes:
        if len(record) < OVERHEAD:
            raise ChunkAuthError
        try:
            return self._aead.decrypt(record[:NONCE_BYTES], record[NONCE_BYTES:],
                                      self._aad(index, final))
        except InvalidTag:
            raise ChunkAuthError from None
