"""Keychain custody of signing keys: the only importer of ``keyring``.

A signing key is an Ed25519 key pair made on this computer. Its private half lives only in
the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager), as base64 of
the 32-byte seed; it is never written to disk, the database, a log or an error message.
The public half is not secret: an index of public keys (which one is active, which are
retired) is kept in ``keys.json`` in the data directory, so that old credentials still
verify after a rotation and the hub can be told every key it should list.

Open Badges 2.0 signed assertions need RS256, so there is also an RSA key pair for them,
made the first time one is signed. It is kept the same way: the private key (PKCS#8 DER,
base64) only in the keychain, the public PEM in the index under ``ob2``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from assessor import APP_ID
from assessor.credentials import ed25519, rsa_key
from assessor.credentials.multiformats import (
    did_key,
    did_key_method,
    ed25519_multikey,
)
from assessor.errors import UserFacingError

INDEX_FILE = "keys.json"
KEY_PREFIX = "signing-key:"
OB2_KEY_PREFIX = "ob2-rsa-key:"

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


@dataclass(frozen=True)
class Ob2KeyInfo:
    """The public half of an RSA key for Open Badges 2.0 signed assertions."""

    id: str
    """RFC 7638 JWK thumbprint of the public key, also its name in the keychain."""
    created: str
    status: str
    public_key_pem: str

    def public_export(self) -> dict[str, Any]:
        """What the hub publishes as the issuer's ``CryptographicKey``: PEM and JWK forms."""
        public = rsa_key.load_public_pem(self.public_key_pem)
        return {
            "id": self.id,
            "status": self.status,
            "created": self.created,
            "type": "RsaKey",
            "algorithm": "RS256",
            "bits": public.key_size,
            "publicKeyPem": self.public_key_pem,
            "publicKeyJwk": rsa_key.public_jwk(public),
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

    def _index(self) -> tuple[list[KeyInfo], list[Ob2KeyInfo]]:
        if not self._index_path.exists():
            return [], []
        try:
            data = json.loads(self._index_path.read_text(encoding="utf-8"))
            return ([KeyInfo(**entry) for entry in data["keys"]],
                    [Ob2KeyInfo(**entry) for entry in data.get("ob2", [])])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UserFacingError(
                f"The key index {self._index_path} cannot be read ({type(exc).__name__}). "
                "It holds only public keys; restore it from a backup or remove it."
            ) from None

    def keys(self) -> list[KeyInfo]:
        return self._index()[0]

    def ob2_keys(self) -> list[Ob2KeyInfo]:
        """The Open Badges 2.0 RSA keys: the active one and any retired ones."""
        return self._index()[1]

    def ob2_active(self) -> Ob2KeyInfo | None:
        return next((k for k in self.ob2_keys() if k.status == "active"), None)

    def active(self) -> KeyInfo | None:
        return next((k for k in self.keys() if k.status == "active"), None)

    def _save(self, keys: list[KeyInfo] | None = None,
              ob2: list[Ob2KeyInfo] | None = None) -> None:
        """Write the index, keeping the part (signing or OB 2.0 keys) not given as it is."""
        current_keys, current_ob2 = self._index()
        data: dict[str, Any] = {"keys": [asdict(k) for k in (
            current_keys if keys is None else keys)]}
        ob2 = current_ob2 if ob2 is None else ob2
        if ob2:
            data["ob2"] = [asdict(k) for k in ob2]
        self._index_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self._index_path.with_suffix(".json.partial")
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
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
        self._put_private(backend, KEY_PREFIX + multikey, seed)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        info = KeyInfo(id=multikey, created=created, status="active")
        retired = [KeyInfo(k.id, k.created, "retired") for k in retire]
        try:
            self._save(keys=[*retired, info])
        except BaseException:
            # The index could not list the key: take it out of the keychain again, so no
            # private key is kept that nothing names (and the old key stays active).
            with contextlib.suppress(Exception):  # the index error is the one to report
                self._forget_private(backend, KEY_PREFIX + multikey)
            raise
        for old in retire:
            if old.status == "active":
                self._forget_private(backend, KEY_PREFIX + old.id)
        return info

    def _put_private(self, backend: Any, name: str, secret: bytes) -> None:
        """Store ``secret`` (base64) under ``name`` and make sure the keychain kept it."""
        encoded = base64.b64encode(secret).decode("ascii")
        _keychain_call(lambda: backend.set_password(self._service, name, encoded))
        if _keychain_call(lambda: backend.get_password(self._service, name)) is None:
            raise KeychainError("The OS keychain did not keep the new key; signing stays off.")

    def _forget_private(self, backend: Any, name: str) -> None:
        from keyring import errors

        try:
            backend.delete_password(self._service, name)
        except errors.PasswordDeleteError:
            pass  # already gone
        except Exception as exc:  # the new key is active either way; say what stayed behind
            raise KeychainError(
                f"The new key is active, but the retired key could not be removed from the "
                f"keychain ({type(exc).__name__}); remove '{name}' by hand."
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
            self._forget_private(backend, KEY_PREFIX + info.id)
        for ob2 in self.ob2_keys():
            self._forget_private(backend, OB2_KEY_PREFIX + ob2.id)
        self._index_path.unlink(missing_ok=True)

    # -- the Open Badges 2.0 RSA key ------------------------------------------------------

    def ob2_signer(self) -> rsa_key.RsaSigner:
        """The RS256 signer for OB 2.0 assertions; the key pair is made on first use."""
        info = self.ob2_active()
        if info is None:
            return self._new_ob2_key(retire=[])[1]
        backend = _backend()
        stored = _keychain_call(lambda: backend.get_password(self._service,
                                                             OB2_KEY_PREFIX + info.id))
        if stored is None:
            raise KeychainError(
                "The Open Badges 2.0 key is missing from the OS keychain (was it deleted, or "
                "is this another computer?). Make a new one with: python main.py keys rotate "
                "--ob2 (assertions signed before still verify with the published key)."
            )
        try:
            signer = rsa_key.RsaSigner(base64.b64decode(stored, validate=True), info.id)
        except (binascii.Error, ValueError, UserFacingError):
            raise KeychainError("The keychain entry for the Open Badges 2.0 key is damaged; "
                                "make a new one with: python main.py keys rotate --ob2"
                                ) from None
        finally:
            del stored
        if rsa_key.thumbprint(signer.public) != info.id:
            raise KeychainError("The keychain holds a different Open Badges 2.0 key than the "
                                "index names; make a new one with: python main.py keys "
                                "rotate --ob2")
        return signer

    def rotate_ob2(self) -> Ob2KeyInfo:
        """A new active OB 2.0 key; old ones stay listed (their public keys stay published)."""
        return self._new_ob2_key(retire=self.ob2_keys())[0]

    def _new_ob2_key(self, retire: list[Ob2KeyInfo]) -> tuple[Ob2KeyInfo, rsa_key.RsaSigner]:
        backend = _backend()
        self.keys()  # refuse to go on (and to lose it) when the index cannot be read
        private = rsa_key.new_private_der()
        try:
            signer = rsa_key.RsaSigner(private, "")
            key_id = rsa_key.thumbprint(signer.public)
            signer.key_id = key_id
            self._put_private(backend, OB2_KEY_PREFIX + key_id, private)
        finally:
            del private
        created = datetime.now(UTC).isoformat(timespec="seconds")
        info = Ob2KeyInfo(key_id, created, "active", signer.public_key_pem)
        retired = [Ob2KeyInfo(k.id, k.created, "retired", k.public_key_pem) for k in retire]
        self._save(ob2=[*retired, info])
        for old in retire:
            if old.status == "active":
                self._forget_private(backend, OB2_KEY_PREFIX + old.id)
        return info, signer


_SECRETS_NO_KEYCHAIN = (
    "No usable OS keychain was found, so Assessor cannot keep your hub sign-in or the key of "
    "its encrypted evidence cache (judging what is already here still works). Install and "
    "unlock one (GNOME Keyring or KWallet through the Secret Service on Linux, Keychain on "
    "macOS, Credential Manager on Windows) and try again; Assessor never keeps them in "
    "plain files."
)
_SECRETS_LOCKED = (
    "The OS keychain is locked, so Assessor cannot use your hub sign-in or open its "
    "encrypted evidence cache. Unlock it (log in again or open your keyring manager) and "
    "try again; judging still works meanwhile."
)


class KeychainSecrets:
    """Named secrets (sync tokens, the evidence cache's data key) in the OS keychain.

    Values are text; callers never log or echo them. Every failure is a ``KeychainError``
    that names the problem, never the secret.
    """

    def __init__(self, service: str = APP_ID) -> None:
        self._service = service

    def _call(self, action: Callable[[], T]) -> T:
        try:
            return _keychain_call(action)
        except KeychainError as exc:
            if str(exc) == _LOCKED:
                raise KeychainError(_SECRETS_LOCKED) from None
            if str(exc) == _NO_KEYCHAIN:
                raise KeychainError(_SECRETS_NO_KEYCHAIN) from None
            raise

    def get(self, name: str) -> str | None:
        value = self._call(lambda: _backend().get_password(self._service, name))
        return value if isinstance(value, str) else None

    def put(self, name: str, value: str) -> None:
        self._call(lambda: _backend().set_password(self._service, name, value))

    def delete(self, name: str) -> bool:
        """Forget a secret; False if there was none."""
        from keyring.errors import PasswordDeleteError

        def forget() -> bool:
            try:
                _backend().delete_password(self._service, name)
            except PasswordDeleteError:
                return False
            return True

        return self._call(forget)
