"""Grab the real main window to a PNG (for the README and docs), the way a newcomer first
sees it: a fresh data directory, the embedded demo organisation synced (submissions and
their evidence), a submission open with its PDF beside the rubric, two criteria judged.

Needs an unlocked OS keychain (the demo keeps its sign-in there), e.g.

    dbus-run-session -- bash -c 'echo -n x | gnome-keyring-daemon --unlock \\
        --components=secrets >/dev/null; QT_QPA_PLATFORM=offscreen \\
        .venv/bin/python scripts/screenshot.py docs/screenshots/main-window.png'
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["ASSESSOR_DEMO"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from assessor.domain.states import State  # noqa: E402
from assessor.paths import AppPaths  # noqa: E402
from ui.app import build_main_window, make_application  # noqa: E402

if TYPE_CHECKING:
    from ui.windows.main_window import MainWindow


def settle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshot: gave up waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.02)


def pdf_row(window: MainWindow) -> int:
    """A queue row whose submission's first evidence is a PDF."""
    store = window.ws.store
    for row in range(window.queue.model.rowCount()):
        window.queue.select_row(row)
        snapshot = store.review(window.queue.selected_id())
        evidence = snapshot.submission.evidence
        if evidence and evidence[0].media_type == "application/pdf" \
                and len(snapshot.rubric.criteria) >= 4 \
                and snapshot.submission.state in (State.PENDING, State.IN_REVIEW):
            return row
    return 0


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = AppPaths(Path(tmp)).ensure()
        app = make_application()
        window = build_main_window(paths)
        window.resize(1440, 880)
        window.show()
        wait_for(lambda: window.queue.model.rowCount() >= 10, 120, "the demo's submissions")
        controller = window.sync_controller
        wait_for(lambda: not controller.running and controller.last_sync is not None, 300,
                 "the demo's evidence")
        row = pdf_row(window)
        window.queue.select_row(row)
        viewer = window.viewer
        wait_for(lambda: viewer.shown, 60, "the evidence to show")
        settle(1500)
        rubric = window.rubric
        rubric.choose_level(2)
        rubric.step_criterion(1)
        rubric.choose_level(1)
        rubric.step_criterion(1)
        settle(1500)
        window.grab().save(str(out))
        window.close()
        window.runner.wait()
        window.ws.close()
        del app


if __name__ == "__main__":
    main(Path(sys.argv[1]))
