"""RSA key pairs for Open Badges 2.0 signed assertions (RS256), through ``cryptography``.

The private key travels only as PKCS#8 DER bytes between here and the keychain; the public
key is published as a PEM ``SubjectPublicKeyInfo`` and named by its RFC 7638 JWK
thumbprint. Nothing in this module prints, logs or raises with private key material.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from assessor.errors import ValidationError

KEY_BITS = 3072
PUBLIC_EXPONENT = 65537
MIN_VERIFY_BITS = 2048


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")


def new_private_der() -> bytes:
    """A fresh RSA private key as unencrypted PKCS#8 DER (for the keychain only)."""
    key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_BITS)
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _load_private(der: bytes) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValidationError("The stored RSA private key cannot be read.") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValidationError("The stored private key is not an RSA key.")
    return key


def public_pem(public: rsa.RSAPublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_public_pem(pem: str) -> rsa.RSAPublicKey:
    """An RSA public key from PEM, or a ``ValidationError`` (never a crypto traceback)."""
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm):
        raise ValidationError("The publicKeyPem is not a readable PEM public key.") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValidationError("The publicKeyPem is not an RSA key, which RS256 needs.")
    if key.key_size < MIN_VERIFY_BITS:
        raise ValidationError(f"The RSA key has {key.key_size} bits; at least "
                              f"{MIN_VERIFY_BITS} are needed.")
    return key


def public_jwk(public: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public.public_numbers()
    return {"kty": "RSA", "n": _b64url(_int_bytes(numbers.n)),
            "e": _b64url(_int_bytes(numbers.e))}


def thumbprint(public: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): the key's short, stable name."""
    jwk = public_jwk(public)
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]},
                           separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


class RsaSigner:
    """Holds one RSA private key in memory and signs RS256. ``repr`` never shows the key."""

    def __init__(self, private_der: bytes, key_id: str) -> None:
        self._key = _load_private(private_der)
        self.key_id = key_id
        self.public = self._key.public_key()
        self.public_key_pem = public_pem(self.public)

    def sign(self, data: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 with SHA-256 (JWS ``RS256``)."""
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def __repr__(self) -> str:
        return f"RsaSigner(key_id={self.key_id!r})"


def verify_rs256(public: rsa.RSAPublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
