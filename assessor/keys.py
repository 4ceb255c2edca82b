"""Keychain custody of signing keys: the only importer of ``keyring``.

A signing key is an Ed25519 key pair made on this computer. Its private half lives only in
the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager), as base64 of
the 32-byte seed; it is never written to disk, the database, a log or an error message.
The public half is not secret: an index of public keys (which one is active, which are
retired) is kept in ``keys.json`` in the data directory, so that old credentials still
verify after a rotation and the hub can be told every key it should list.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from assessor import APP_ID
from assessor.credentials import ed25519
from assessor.credentials.multiformats import (
    did_key,
    did_key_method,
    ed25519_multikey,
)
from assessor.errors import UserFacingError

INDEX_FILE = "keys.json"
KEY_PREFIX = "signing-key:"

_NO_KEYCHAIN = (
    "No usable OS keychain was found, so signing is switched off (judging still works). "
    "Install and unlock one (GNOME Keyring or KWallet through the Secret Service on Linux, "
    "Keychain on macOS, Credential Manager on Windows) and try again. Assessor never keeps "
    "signing keys in plain files."
)
_LOCKED = (
    "The OS keychain is locked, so the signing key cannot be used. Unlock it (log in again "
    "or open your keyring manager) and try again; judging still works meanwhile."
)


class KeychainError(UserFacingError):
    """The keychain cannot be used; the message says why and how to fix it."""


class NoSigningKeyError(UserFacingError):
    """There is no active signing key yet."""


@dataclass(frozen=True)
class KeyInfo:
    id: str
    """The key's Multikey ``publicKeyMultibase`` (z6Mk…), also its name in the keychain."""
    created: str
    status: str
    """"active" signs; "retired" keys are listed so earlier credentials still verify."""

    @property
    def did(self) -> str:
        return did_key(self.id)

    @property
    def did_key_method(self) -> str:
        return did_key_method(self.id)

    def public_export(self) -> dict[str, Any]:
        """What the hub needs to enrol the key: Multikey and JWK forms."""
        from assessor.credentials.multiformats import ed25519_from_multikey

        raw = ed25519_from_multikey(self.id)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
        return {
            "id": self.id,
            "status": self.status,
            "created": self.created,
            "type": "Multikey",
            "publicKeyMultibase": self.id,
            "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": x},
            "didKey": self.did,
            "didKeyVerificationMethod": self.did_key_method,
        }


def _backend() -> Any:
    """The keyring backend, refusing the ones that are no keychain at all."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        raise KeychainError(_NO_KEYCHAIN) from None
    backend = keyring.get_keyring()
    candidates = getattr(backend, "backends", None) or [backend]
    for candidate in candidates:
        module = type(candidate).__module__
        name = type(candidate).__name__
        if isinstance(candidate, fail.Keyring) or module.startswith("keyrings.alt") or (
                "plaintext" in name.lower() or "null" in module.lower()):
            raise KeychainError(_NO_KEYCHAIN)
    return backend


T = TypeVar("T")


def _keychain_call(action: Callable[[], T]) -> T:
    """Run a keyring call; turn every failure into a KeychainError without the secret."""
    from keyring import errors

    try:
        return action()
    except KeychainError:
        raise
    except errors.KeyringLocked:
        raise KeychainError(_LOCKED) from None
    except (errors.NoKeyringError, errors.InitError):
        raise KeychainError(_NO_KEYCHAIN) from None
    except Exception as exc:  # secretstorage / D-Bus / platform errors: name them only
        kind = type(exc).__name__
        if "lock" in kind.lower() or "dismiss" in kind.lower():
            raise KeychainError(_LOCKED) from None
        raise KeychainError(
            f"The OS keychain refused the request ({kind}). Allow Assessor to use it, or "
            "unlock it, and try again; judging still works meanwhile."
        ) from None


class KeyCustody:
    """Create, list, rotate and use signing keys held in the OS keychain."""

    def __init__(self, home: Path, *, service: str = APP_ID) -> None:
        self._index_path = home / INDEX_FILE
        self._service = service

    # -- the public index ---------------------------------------------------------------

    def keys(self) -> list[KeyInfo]:
        if not self._index_path.exists():
            return []
        try:
            data = json.loads(self._index_path.read_text(encoding="utf-8"))
            return [KeyInfo(**entry) for entry in data["keys"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UserFacingError(
                f"The key index {self._index_path} cannot be read ({type(exc).__name__}). "
                "It holds only public keys; restore it from a backup or remove it."
            ) from None

    def active(self) -> KeyInfo | None:
        return next((k for k in self.keys() if k.status == "active"), None)

    def _save(self, keys: list[KeyInfo]) -> None:
        self._index_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self._index_path.with_suffix(".json.partial")
        with partial.open("w", encoding="utf-8") as handle:
            json.dump({"keys": [asdict(k) for k in keys]}, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self._index_path)

    # -- keys -------------------------------------------------------------------------

    def create(self) -> KeyInfo:
        """Make a new key pair, store the private key in the keychain, make it active.

        Refused when a key is already active: use ``rotate`` to replace it.
        """
        if self.active() is not None:
            raise UserFacingError("A signing key is already active; rotate it to replace it.")
        return self._new_active_key(retire=[])

    def rotate(self) -> KeyInfo:
        """Make a new active key; the old ones stay listed as retired and can no longer sign."""
        keys = self.keys()
        if not any(k.status == "active" for k in keys):
            raise NoSigningKeyError("There is no active signing key to rotate; create one.")
        return self._new_active_key(retire=keys)

    def _new_active_key(self, retire: list[KeyInfo]) -> KeyInfo:
        backend = _backend()
        seed = ed25519.new_seed()
        multikey = ed25519_multikey(ed25519.public_key(seed))
        name = KEY_PREFIX + multikey
        _keychain_call(lambda: backend.set_password(
            self._service, name, base64.b64encode(seed).decode("ascii")))
        if _keychain_call(lambda: backend.get_password(self._service, name)) is None:
            raise KeychainError("The OS keychain did not keep the new key; signing stays off.")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        info = KeyInfo(id=multikey, created=created, status="active")
        retired = [KeyInfo(k.id, k.created, "retired") for k in retire]
        self._save([*retired, info])
        for old in retire:
            if old.status == "active":
                self._forget_private(backend, old.id)
        return info

    def _forget_private(self, backend: Any, key_id: str) -> None:
        from keyring import errors

        try:
            backend.delete_password(self._service, KEY_PREFIX + key_id)
        except errors.PasswordDeleteError:
            pass  # already gone
        except Exception as exc:  # the new key is active either way; say what stayed behind
            raise KeychainError(
                f"The new key is active, but the retired key could not be removed from the "
                f"keychain ({type(exc).__name__}); remove '{KEY_PREFIX}{key_id}' by hand."
            ) from None

    def signer(self) -> ed25519.Ed25519Signer:
        """Load the active private key from the keychain (one D-Bus round trip)."""
        info = self.active()
        if info is None:
            raise NoSigningKeyError(
                "There is no signing key yet. Create one (python main.py keys create, or "
                "the first time you sign in the app)."
            )
        backend = _backend()
        stored = _keychain_call(lambda: backend.get_password(self._service,
                                                             KEY_PREFIX + info.id))
        if stored is None:
            raise KeychainError(
                "The active signing key is missing from the OS keychain (was it deleted, or "
                "is this another computer?). Rotate to a new key and enrol it with the hub."
            )
        try:
            seed = base64.b64decode(stored, validate=True)
            signer = ed25519.Ed25519Signer(seed, info.id)
        except (binascii.Error, ValueError, UserFacingError):
            raise KeychainError("The keychain entry for the active signing key is damaged; "
                                "rotate to a new key.") from None
        finally:
            del stored
        if ed25519_multikey(signer.public_key) != info.id:
            raise KeychainError("The keychain holds a different key than the index names; "
                                "rotate to a new key.")
        return signer

    def delete_all(self) -> None:
        """Remove every private key this custody holds, and the index (tests, reset)."""
        backend = _backend()
        for info in self.keys():
            self._forget_private(backend, info.id)
        self._index_path.unlink(missing_ok=True)
