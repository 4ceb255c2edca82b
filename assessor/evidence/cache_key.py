"""The evidence cache's data key: 256 random bits per installation, kept in the OS keychain.

The key is stored as base64 text under ``evidence-cache-key`` through
``assessor.keys.KeychainSecrets`` and made the first time it is needed. It never goes to a
file, a log or a message.
"""

from __future__ import annotations

import base64
import binascii

from assessor.evidence.cache_format import KEY_BYTES, new_key
from assessor.keys import KeychainError, KeychainSecrets

KEY_NAME = "evidence-cache-key"

_DAMAGED = (
    "The evidence cache key in the OS keychain is damaged, so cached evidence cannot be "
    f"opened. Remove the keychain entry '{KEY_NAME}' (Assessor makes a new one) and sync "
    "again: the evidence will be downloaded afresh."
)


def _decode(stored: str) -> bytes:
    try:
        key = base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError):
        raise KeychainError(_DAMAGED) from None
    if len(key) != KEY_BYTES:
        raise KeychainError(_DAMAGED)
    return key


def load_cache_key(secrets: KeychainSecrets | None = None) -> bytes:
    """This installation's cache key, made and stored in the keychain on first use."""
    secrets = secrets if secrets is not None else KeychainSecrets()
    try:
        stored = secrets.get(KEY_NAME)
        if stored is None:
            secrets.put(KEY_NAME, base64.b64encode(new_key()).decode("ascii"))
            # Read back what the keychain kept: if another process made a key at the same
            # moment, both go on with the one that stayed.
            stored = secrets.get(KEY_NAME)
    except KeychainError as exc:
        raise KeychainError(
            "Evidence cannot be downloaded or opened on this computer without its cache key "
            f"from the OS keychain. {exc}"
        ) from None
    if stored is None:
        raise KeychainError("The OS keychain did not keep the new evidence cache key, so "
                            "evidence cannot be cached. Check that the keychain is unlocked "
                            "and try again.")
    return _decode(stored)
