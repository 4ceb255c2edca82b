"""Grab the real main window to a PNG (for the README), over a throwaway demo store.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot.py docs/screenshots/main-window.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from assessor.demo import RUBRICS, TEMPLATES, generate_submissions  # noqa: E402
from assessor.domain.judgment import JudgmentDraft  # noqa: E402
from assessor.paths import AppPaths  # noqa: E402
from assessor.store.database import open_database  # noqa: E402
from assessor.store.store import Store  # noqa: E402
from ui.app import build_main_window, make_application  # noqa: E402


def settle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = AppPaths(Path(tmp)).ensure()
        store = Store(open_database(paths.store, paths.backups))
        for rubric in RUBRICS:
            store.put_rubric(rubric)
        for template in TEMPLATES:
            store.put_template(template)
        store.receive(generate_submissions(240, assessor_id="demo-assessor"))
        app = make_application()
        window = build_main_window(paths)
        window.resize(1440, 880)
        window.show()
        settle(300)
        window.queue.select_row(2)
        settle(1200)
        submission = window.queue.selected_id()
        snapshot = store.review(submission)
        first, second = snapshot.rubric.criteria[:2]
        store.record_judgment(submission, JudgmentDraft(
            first.key, first.levels[2].key, "Register covers every bay; photos dated."),
            window.ws.actor)
        store.record_judgment(submission, JudgmentDraft(second.key, second.levels[1].key),
                              window.ws.actor)
        store.close()
        window.queue.refresh()
        window.refresh_status()
        window.queue.select_row(3)
        settle(600)
        window.queue.select_row(2)
        settle(1200)
        window.grab().save(str(out))
        window.close()
        window.runner.wait()
        window.ws.close()
        del app


if __name__ == "__main__":
    main(Path(sys.argv[1]))
