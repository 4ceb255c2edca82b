"""Shared fixtures: throwaway data directories, and Qt offscreen for the GUI tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from assessor.paths import HOME_ENV, AppPaths  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    from tests.worker_keychain import start_for_worker

    start_for_worker()


def pytest_unconfigure(config: pytest.Config) -> None:
    from tests.worker_keychain import stop_for_worker

    stop_for_worker()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    """A fresh data directory, also exported as ASSESSOR_HOME for child processes."""
    paths = AppPaths(tmp_path / "home").ensure()
    monkeypatch.setenv(HOME_ENV, str(paths.home))
    return paths


class FakeClock:
    """A clock the test moves by hand (only where time itself is under test)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def no_error_windows() -> Iterator[None]:
    from ui import messages

    messages.NO_ERROR_WINDOWS = True
    yield
    messages.NO_ERROR_WINDOWS = False
