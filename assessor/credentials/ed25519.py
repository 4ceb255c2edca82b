"""Ed25519 through ``cryptography``: generate, derive, sign, verify. Raw bytes in and out."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from assessor.errors import ValidationError

SEED_BYTES = 32


def new_seed() -> bytes:
    """A fresh private key as its 32-byte seed."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    key = Ed25519PrivateKey.generate()
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _private(seed: bytes) -> Ed25519PrivateKey:
    if len(seed) != SEED_BYTES:
        raise ValidationError("An Ed25519 private key has 32 bytes.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key(seed: bytes) -> bytes:
    return _private(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


class Ed25519Signer:
    """Holds one private key in memory and signs with it. ``repr`` never shows the key."""

    def __init__(self, seed: bytes, key_id: str) -> None:
        self._key = _private(seed)
        self.key_id = key_id
        self.public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def __repr__(self) -> str:
        return f"Ed25519Signer(key_id={self.key_id!r})"


def verify(public: bytes, signature: bytes, data: bytes) -> bool:
    if len(public) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except InvalidSignature:
        return False
    return True
