"""run(): the desktop app's start-up, from QApplication to the first painted window.

Start-up is measured against a bare ``QMainWindow`` (bench/queue_bench.py), so what runs
before the first paint is kept to Qt, ``sqlite3`` and a few small modules: the window
finishes building itself right after it is painted (see ``MainWindow``), and message
boxes, the style sheet and the app icon load then too.
"""

from __future__ import annotations

import argparse
import logging
import sys
from types import TracebackType

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from assessor import APP_ID, APP_NAME, __version__
from assessor.errors import UserFacingError
from assessor.logs import configure_logging
from assessor.paths import AppPaths, resolve_paths
from assessor.workstation import Workstation
from ui.tasks import TaskRunner
from ui.windows.main_window import MainWindow

log = logging.getLogger(__name__)


class _CrashRelay(QObject):
    """Moves uncaught exceptions from any thread onto the GUI thread's error dialog."""

    raised = Signal(object)


def make_application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    return app


def set_application_icon(app: QApplication) -> None:
    """Set once the first window is painted: loading the icon is not on the start-up path."""
    from PySide6.QtGui import QIcon

    from resources import resource

    app.setWindowIcon(QIcon(str(resource("icons", "app.svg"))))


def ui_state_for(paths: AppPaths) -> QSettings:
    """Window layout lives beside the data it belongs to, one file per data directory."""
    return QSettings(str(paths.home / "ui-state.ini"), QSettings.Format.IniFormat)


def build_main_window(paths: AppPaths) -> MainWindow:
    """Open the workstation over ``paths``; raises ``UserFacingError`` if the store is unusable."""
    workstation = Workstation.open(paths)
    runner = TaskRunner()
    window = MainWindow(workstation, runner, ui_state_for(paths))
    runner.setParent(window)
    return window


def run(args: argparse.Namespace) -> int:
    paths = resolve_paths(args.data_dir)
    try:
        paths.ensure()
    except OSError as exc:
        print(f"assessor: cannot use the data directory {paths.home}: {exc.strerror}",
              file=sys.stderr)
        return 2
    configure_logging(paths, verbose=args.verbose)
    app = make_application()
    relay = _CrashRelay()
    relay.raised.connect(lambda exc: _show_error(app.activeWindow(), exc))

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught exception", exc_info=(kind, exc, tb))
        relay.raised.emit(exc)

    previous_hook, sys.excepthook = sys.excepthook, hook
    try:
        try:
            window = build_main_window(paths)
        except UserFacingError as exc:
            log.error("cannot open the workstation: %s", exc)
            print(f"assessor: {exc}", file=sys.stderr)
            _show_error(None, exc, title="Cannot open Assessor")
            return 2
        window.show()
        QTimer.singleShot(0, app, lambda: set_application_icon(app))
        code = app.exec()
        window.ws.close()
        if window.failed is not None:
            print(f"assessor: {window.failed}", file=sys.stderr)
            return 2
        return code
    finally:
        sys.excepthook = previous_hook


def _show_error(parent: QWidget | None, exc: BaseException, *, title: str = "Assessor") -> None:
    from ui import messages

    messages.show_error(parent, exc, title=title)
