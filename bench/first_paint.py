"""Child process for the start-up benchmark: print FIRST-PAINT when the screen is painted.

    python bench/first_paint.py bare            a bare QMainWindow
    python bench/first_paint.py assessor DIR    Assessor's main window over data dir DIR

The parent times from spawning this process to reading the marker, so Python's start,
imports, opening the store and the first paint are all inside the figure. The bare window
prints the marker when its first paint event arrives; Assessor's prints it once its queue
table has painted its first rows from the store (after that paint, not before it).
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def mark_painted() -> None:
    sys.stdout.write("FIRST-PAINT\n")
    sys.stdout.flush()
    os._exit(0)


def bare() -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow

    class PaintSpy(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                mark_painted()
            return False

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1400, 860)
    spy = PaintSpy()
    window.installEventFilter(spy)
    window.show()
    app.exec()


def assessor(data_dir: str) -> None:
    from ui.entry import load_core_before_qt  # the same import order as ``python main.py``

    load_core_before_qt()
    from assessor.paths import resolve_paths
    from ui.app import build_main_window, make_application

    app = make_application()
    window = build_main_window(resolve_paths(data_dir))
    model = window.queue.model

    def painted() -> None:
        if model.rowCount() > 0:  # real rows, read from the store
            mark_painted()

    # Not an event filter on table.viewport(): wrapping that plain QWidget makes PySide
    # load every QtWidgets class (63 enum classes, ~20 ms), for the benchmark's sake only.
    window.queue.table.first_painted.connect(painted)
    window.show()
    app.exec()


if sys.argv[1] == "bare":
    bare()
else:
    assessor(sys.argv[2])
