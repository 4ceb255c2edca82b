"""Multibase (base58btc) and multicodec encodings used by Multikey and did:key."""

from __future__ import annotations

from assessor.errors import ValidationError

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
ED25519_PUB_PREFIX = b"\xed\x01"
"""Multicodec varint for ed25519-pub."""


def b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_ALPHABET[rest])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        try:
            number = number * 58 + _INDEX[char]
        except KeyError:
            raise ValidationError(f"{char!r} is not a base58btc character.") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_b58(data: bytes) -> str:
    return "z" + b58encode(data)


def from_multibase_b58(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValidationError("Only base58btc multibase values (starting with 'z') are accepted.")
    return b58decode(text[1:])


def ed25519_multikey(public_key: bytes) -> str:
    """The Multikey ``publicKeyMultibase`` of a raw 32-byte Ed25519 public key."""
    if len(public_key) != 32:
        raise ValidationError("An Ed25519 public key has 32 bytes.")
    return multibase_b58(ED25519_PUB_PREFIX + public_key)


def ed25519_from_multikey(multikey: str) -> bytes:
    raw = from_multibase_b58(multikey)
    if len(raw) != 34 or not raw.startswith(ED25519_PUB_PREFIX):
        raise ValidationError(f"{multikey[:16]}… is not an Ed25519 Multikey.")
    return raw[2:]


def did_key(multikey: str) -> str:
    return f"did:key:{multikey}"


def did_key_method(multikey: str) -> str:
    """The verification method id of a did:key: the DID and the key as fragment."""
    return f"did:key:{multikey}#{multikey}"
