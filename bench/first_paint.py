"""Child process for the start-up benchmark: print FIRST-PAINT when the screen is painted.

    python bench/first_paint.py bare            a bare QMainWindow
    python bench/first_paint.py assessor DIR    Assessor's main window over data dir DIR

The parent times from spawning this process to reading the marker, so Python's start,
imports, opening the store and the first paint are all inside the figure.
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    if sys.argv[1] != "bare":  # the same import order as ``python main.py``
        from ui.entry import load_core_before_qt

        load_core_before_qt()
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    class PaintSpy(QObject):
        def __init__(self, ready) -> None:
            super().__init__()
            self._ready = ready

        def eventFilter(self, watched, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint and self._ready():
                sys.stdout.write("FIRST-PAINT\n")
                sys.stdout.flush()
                os._exit(0)
            return False

    if sys.argv[1] == "bare":
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.resize(1400, 860)
        target: QWidget = window
        ready = lambda: True  # noqa: E731
    else:
        from assessor.paths import resolve_paths
        from ui.app import build_main_window, make_application

        app = make_application()
        window = build_main_window(resolve_paths(sys.argv[2]))
        target = window.queue.table.viewport()
        model = window.queue.model
        ready = lambda: model.rowCount() > 0  # noqa: E731
    spy = PaintSpy(ready)
    target.installEventFilter(spy)
    window.show()
    app.exec()


main()
