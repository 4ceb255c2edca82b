"""``assessor --self-test``: prove this installation works, one line per check.

Opens the real main window offscreen over a throw-away data directory (never the user's),
draws a page of a demo PDF through the window's own render service (worker processes),
signs and verifies an Open Badges 3.0 credential with a throw-away keychain entry that is
removed afterwards, and creates the demo organisation's hub database. Exit status 0 only
when every check passed. Used by the bundle test, and by support ("run --self-test and
send us what it prints").
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from assessor.paths import AppPaths
from assessor.self_test import (
    CheckResult,
    check_hub_database,
    check_render,
    check_resources,
    check_signing,
    run_check,
)

if TYPE_CHECKING:
    from assessor.evidence.render import RenderService
    from ui.windows.main_window import MainWindow

WINDOW_TIMEOUT = 30.0
OFFSCREEN_NOTES = frozenset({"This plugin does not support propagateSizeHints()"})
"""What Qt's offscreen platform says about every window: nothing wrong, not printed."""


def run(out: TextIO | None = None) -> int:
    """Run every check, print a line for each (and a summary); 0 only if all passed."""
    stream = out or sys.stdout
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # The embedded demo organisation would serve a hub and keep its sign-in in the
    # keychain under the app's own name: the self-test stays off both.
    from assessor.sync.demo_organisation import DEMO_ENV

    os.environ[DEMO_ENV] = "0"
    results: list[CheckResult] = []

    def report(result: CheckResult) -> None:
        results.append(result)
        print(result.line(), file=stream, flush=True)

    with tempfile.TemporaryDirectory(prefix="assessor-self-test-") as folder:
        scratch = Path(folder)
        paths = AppPaths(scratch / "home").ensure()
        report(run_check("resources", check_resources))
        window, result = _open_window(paths)
        report(result)
        try:
            service = window.viewer.service() if window is not None else _own_service()
            try:
                report(run_check("render", lambda: check_render(service)))
            finally:
                if window is None:
                    service.close()
        finally:
            if window is not None:
                _close(window)
        report(run_check("signing", lambda: check_signing(scratch)))
        report(run_check("hub database", lambda: check_hub_database(scratch)))
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(f"self-test FAILED: {len(failed)} of {len(results)} checks ({', '.join(failed)})",
              file=stream, flush=True)
        return 1
    print(f"self-test passed: {len(results)} checks", file=stream, flush=True)
    return 0


def _open_window(paths: AppPaths) -> tuple[MainWindow | None, CheckResult]:
    """The real main window over ``paths``, shown and fully loaded (on this thread: Qt's)."""
    from assessor.errors import UserFacingError

    started = time.monotonic()
    try:
        window = _show_window(paths)
    except UserFacingError as exc:
        return None, CheckResult("main window", False, " ".join(str(exc).split()))
    except Exception as exc:  # a broken install: say what, the other checks still run
        return None, CheckResult("main window", False, f"{type(exc).__name__}: {exc}")
    detail = _window_problem(window)
    elapsed = time.monotonic() - started
    if detail.startswith("FAILED "):
        return window, CheckResult("main window", False, detail.removeprefix("FAILED "),
                                   elapsed)
    return window, CheckResult("main window", True, detail, elapsed)


def _show_window(paths: AppPaths) -> MainWindow:
    from PySide6.QtCore import qInstallMessageHandler

    from ui.app import build_main_window, make_application, set_application_icon

    def print_qt_message(kind: object, context: object, message: str) -> None:
        if message not in OFFSCREEN_NOTES:
            print(message, file=sys.stderr, flush=True)

    qInstallMessageHandler(print_qt_message)
    app = make_application()
    window = build_main_window(paths)
    window.show()
    set_application_icon(app)
    return window


def _window_problem(window: MainWindow) -> str:
    """Wait for the first paint and the rest of the window; the "ok" detail, or "FAILED
    <why>"."""
    from PySide6.QtWidgets import QApplication

    from assessor.store.migrations import HEAD

    deadline = time.monotonic() + WINDOW_TIMEOUT
    # finish_loading runs right after the first paint; _loaded says it has run
    while not window._loaded and window.failed is None and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    if window.failed is not None:
        return f"FAILED {window.failed}"
    if not window._loaded:
        return f"FAILED the window was not painted within {WINDOW_TIMEOUT:g} s"
    picture = window.grab()
    if picture.isNull():
        return "FAILED the window could not be drawn"
    icon = QApplication.windowIcon()
    if icon.isNull() or not icon.availableSizes() and icon.pixmap(32, 32).isNull():
        return "FAILED the application icon (SVG) could not be loaded"
    platform = QApplication.platformName()
    return (f"opened on the {platform} platform over a new store (schema {HEAD}) and painted "
            f"{picture.width()}x{picture.height()} pixels")


def _own_service() -> RenderService:
    from assessor.evidence.render import RenderService

    return RenderService()


def _close(window: MainWindow) -> None:
    """Close as a user would: the render workers stop and the store is released."""
    from PySide6.QtWidgets import QApplication

    window.close()
    window.runner.wait()
    window.ws.close()
    window.deleteLater()
    QApplication.processEvents()
