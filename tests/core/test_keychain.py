"""The test environment talks to the real OS keychain (Secret Service via gnome-keyring).

Signing keys and tokens arrive with later issues; this proves the ground they stand on:
the README's test command gives keyring a working, unlocked Secret Service.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import keyring
import pytest


@pytest.fixture
def service() -> Iterator[str]:
    name = f"assessor-test-{uuid.uuid4()}"
    yield name
    for user in ("probe",):
        try:
            keyring.delete_password(name, user)
        except keyring.errors.KeyringError:
            pass


def test_keyring_uses_the_secret_service(service) -> None:
    backend = keyring.get_keyring()
    assert "SecretService" in type(backend).__module__ + type(backend).__name__, backend
    keyring.set_password(service, "probe", "s3cret-value")
    assert keyring.get_password(service, "probe") == "s3cret-value"
    keyring.delete_password(service, "probe")
    assert keyring.get_password(service, "probe") is None
