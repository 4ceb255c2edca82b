"""The hub's own Ed25519 key: it signs the organisation's status list.

Where the key lives, in this order:

1. ``ASSESSOR_HUB_SIGNING_KEY``: the base64url 32-byte seed, for headless servers without
   a keychain (set it from the service manager's secret store). An explicit setting wins.
2. The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager), service
   ``assessor-hub``, user name the hub's ``did:web``. When the keychain is usable and holds
   no key yet, one is generated there on first need.

With neither, ``hub serve`` refuses to start (``check_hub_key``) and says how to provide
one: a hub that cannot sign its status list cannot publish revocations, and a key that
changed at every restart would leave verifiers with status lists they cannot check. The
demo instead falls back to a temporary key held in memory (``ensure_demo_key``) and says
so, since its credentials are for trying things out. The key is read once per process and
kept in memory only; it never reaches a file, a log or a response.
"""

from __future__ import annotations

import base64
import binascii
import os
import threading

from assessor.credentials import ed25519
from assessor.credentials.ed25519 import Ed25519Signer
from assessor.credentials.multiformats import ed25519_multikey
from assessor.errors import UserFacingError

ENV_VAR = "ASSESSOR_HUB_SIGNING_KEY"
KEYRING_SERVICE = "assessor-hub"

_cache: dict[tuple[str, str], Ed25519Signer] = {}
_lock = threading.Lock()


class HubKeyError(UserFacingError):
    """The hub has no signing key it can use; the message says how to give it one."""


def _missing(reason: str) -> HubKeyError:
    return HubKeyError(
        f"The hub has no signing key for its status list ({reason}). Either run it where an "
        f"OS keychain is available (the key is created there, service {KEYRING_SERVICE!r}), "
        f"or set {ENV_VAR} to a base64url 32-byte seed, made for example with: python -c "
        "\"import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())\""
    )


def seed_from_text(text: str) -> bytes:
    """A 32-byte seed from base64url (padding optional); refuses anything else."""
    cleaned = text.strip()
    try:
        seed = base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        raise HubKeyError(f"{ENV_VAR} is not base64url.") from None
    if len(seed) != ed25519.SEED_BYTES:
        raise HubKeyError(f"{ENV_VAR} must hold 32 bytes (base64url); it holds {len(seed)}.")
    return seed


def _from_keychain(did: str, service: str) -> bytes:
    from assessor.keys import KeychainError, _backend, _keychain_call

    try:
        backend = _backend()
        stored = _keychain_call(lambda: backend.get_password(service, did))
        if stored is None:
            fresh = base64.urlsafe_b64encode(ed25519.new_seed()).decode("ascii")
            _keychain_call(lambda: backend.set_password(service, did, fresh))
            stored = fresh
    except KeychainError as exc:
        raise _missing(f"no {ENV_VAR} and no usable keychain: {exc}") from None
    try:
        return seed_from_text(stored)
    except HubKeyError:
        raise HubKeyError(f"The keychain entry {service!r} / {did!r} is not a hub key; "
                          "remove it to have a new one made.") from None


def hub_signer(did: str, *, service: str = KEYRING_SERVICE) -> Ed25519Signer:
    """The hub's signer for ``did`` (read once, then kept in memory)."""
    with _lock:
        cached = _cache.get((service, did))
        if cached is not None:
            return cached
        text = os.environ.get(ENV_VAR, "")
        seed = seed_from_text(text) if text.strip() else _from_keychain(did, service)
        signer = Ed25519Signer(seed, "")
        signer.key_id = hub_method_id(did, ed25519_multikey(signer.public_key))
        del seed
        _cache[(service, did)] = signer
        return signer


def hub_method_id(did: str, multikey: str) -> str:
    """The verification method id of a key the hub's DID document lists."""
    return f"{did}#{multikey}"


def forget_cached_keys() -> None:
    """Drop keys held in memory (tests that change where the key comes from)."""
    with _lock:
        _cache.clear()


def use_temporary_key(did: str, *, service: str = KEYRING_SERVICE) -> Ed25519Signer:
    """A fresh key for ``did``, held in memory only until the process ends."""
    signer = Ed25519Signer(ed25519.new_seed(), "")
    signer.key_id = hub_method_id(did, ed25519_multikey(signer.public_key))
    with _lock:
        _cache[(service, did)] = signer
    return signer


def ensure_demo_key(did: str, *, service: str = KEYRING_SERVICE) -> str | None:
    """Make sure the demo hub ``did`` can sign its status list: from the environment, or
    the keychain (a key is created there if missing), or else a temporary key in memory.
    Returns a warning to show when it had to fall back; a malformed
    ``ASSESSOR_HUB_SIGNING_KEY`` is still refused (someone meant it)."""
    try:
        hub_signer(did, service=service)
        return None
    except HubKeyError:
        if os.environ.get(ENV_VAR, "").strip():
            raise
    use_temporary_key(did, service=service)
    return ("The demo hub could not keep its signing key in an OS keychain, so it signs its "
            "status list with a temporary key held in memory, made anew each time it starts. "
            f"To keep one key, unlock an OS keychain or set {ENV_VAR}.")


def check_hub_key(did: str | None) -> str:
    """Make sure the hub can sign (before serving); returns where its key came from."""
    if os.environ.get(ENV_VAR, "").strip():
        seed_from_text(os.environ[ENV_VAR])
        source = f"the {ENV_VAR} environment variable"
    else:
        source = f"the OS keychain (service {KEYRING_SERVICE!r})"
    if did is None:  # no organisation yet: its key is made when it is first needed
        from assessor.keys import KeychainError, _backend

        if source.startswith("the OS"):
            try:
                _backend()
            except KeychainError as exc:
                raise _missing(f"no {ENV_VAR} and no usable keychain: {exc}") from None
        return source
    hub_signer(did)
    return source
