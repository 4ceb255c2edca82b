"""GUI fixtures: the real main window over a throwaway data directory, offscreen."""

from __future__ import annotations

import pytest

from tests.core.helpers import seeded_store


@pytest.fixture
def open_window(home, qtbot, no_error_windows, monkeypatch):
    """Open the real main window over ``home``; closes every window it opened. The
    embedded demo organisation stays off unless a test turns it on (ASSESSOR_DEMO=1)."""
    from ui.app import build_main_window, make_application

    monkeypatch.setenv("ASSESSOR_DEMO", "0")
    make_application()
    opened = []

    def factory():
        window = build_main_window(home)
        qtbot.add_widget(window)
        window.show()
        qtbot.wait_exposed(window)
        opened.append(window)
        return window

    yield factory
    for window in opened:
        window.close()
        window.runner.wait()
        window.ws.close()


@pytest.fixture
def seeded(home):
    seeded_store(home, count=30).close()
    return home
