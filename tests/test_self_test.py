"""``--self-test`` from source: every check passes with the test keychain, the throw-away
keychain entry is gone afterwards, and each failure is one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from assessor import APP_ID
from assessor.self_test import (
    SERVICE_PREFIX,
    SelfTestFailure,
    check_resources,
    check_signing,
    run_check,
    throwaway_service,
)
from ui.entry import main

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ("resources", "main window", "render", "signing", "hub database")


def keychain_services(prefix: str = SERVICE_PREFIX) -> list[str]:
    """The service names of every Secret Service item that starts with ``prefix``."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        return [item.get_attributes().get("service", "")
                for collection in secretstorage.get_all_collections(connection)
                for item in collection.get_all_items()
                if item.get_attributes().get("service", "").startswith(prefix)]
    finally:
        connection.close()


def self_test_lines(output: str) -> dict[str, str]:
    """``{check name: its line}`` from what --self-test printed."""
    lines = {}
    for line in output.splitlines():
        status, _, rest = line.partition(" ")
        name = rest.strip().partition(":")[0]
        if status in ("ok", "FAILED") and name in CHECKS:
            lines[name] = line
    return lines


@pytest.fixture
def no_keychain() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_the_self_test_passes_from_source_and_leaves_no_keychain_entry(tmp_path) -> None:
    before = keychain_services(APP_ID)  # the app's own entries too: the demo stays off
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ASSESSOR_HOME": str(tmp_path / "x")}
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-test"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=180, check=False)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    lines = self_test_lines(done.stdout)
    assert sorted(lines) == sorted(CHECKS), done.stdout
    assert all(line.startswith("ok ") for line in lines.values()), done.stdout
    assert "worker process" in lines["render"] and "offscreen" in lines["main window"]
    assert done.stdout.rstrip().endswith("self-test passed: 5 checks")
    assert "propagateSizeHints" not in done.stderr  # the offscreen platform's note on windows
    service = lines["signing"].split("keychain entry ")[1].split()[0]
    assert service.startswith(SERVICE_PREFIX)
    assert service not in keychain_services()
    assert keychain_services(APP_ID) == before
    assert not (tmp_path / "x").exists()  # no data directory but a throw-away one
    print(f"--self-test from source: {seconds:.1f} s")


def test_without_a_keychain_the_signing_check_fails_clearly(tmp_path, no_keychain) -> None:
    result = run_check("signing", lambda: check_signing(tmp_path))
    assert not result.ok
    assert result.line().startswith("FAILED signing: No usable OS keychain was found")
    assert "\n" not in result.line()


def test_a_failed_verification_still_removes_the_throw_away_key(tmp_path, monkeypatch) -> None:
    from assessor.credentials import verify

    real = verify.verify_credential

    def tampered_then_verified(credential, **kwargs):
        return real({**credential, "name": "Tampered"}, **kwargs)

    monkeypatch.setattr(verify, "verify_credential", tampered_then_verified)
    service = throwaway_service()
    result = run_check("signing", lambda: check_signing(tmp_path, service))
    assert not result.ok
    assert "the credential signed here did not verify: FAIL proof" in result.detail
    assert keychain_services(service) == []


def test_a_check_that_raises_or_hangs_is_one_failed_line() -> None:
    def broken() -> str:
        raise SelfTestFailure("the widget\nis missing")

    assert run_check("parts", broken).line() == "FAILED parts: the widget is missing"

    def bug() -> str:
        return str(1 / 0)

    assert run_check("maths", bug).line() == "FAILED maths: ZeroDivisionError: division by zero"
    def stuck() -> str:
        time.sleep(5)
        return "never seen"

    result = run_check("stuck", stuck, timeout=0.2)
    assert result.line() == "FAILED stuck: did not finish within 0.2 s"


def test_a_missing_resource_is_named(monkeypatch, tmp_path) -> None:
    import resources

    monkeypatch.setattr(resources, "ROOT", tmp_path)
    with pytest.raises(SelfTestFailure, match=r"missing: contexts/credentials-v2\.jsonld, "):
        check_resources()


def test_the_self_test_never_takes_a_data_directory(capsys, tmp_path) -> None:
    assert main(["--self-test", "--data-dir", str(tmp_path / "mine")]) == 2
    assert capsys.readouterr().err == (
        "assessor: --self-test always uses a throw-away data directory; leave out "
        "--data-dir\n")
    assert not (tmp_path / "mine").exists()


def test_the_help_lists_the_self_test(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--self-test" in capsys.readouterr().out
