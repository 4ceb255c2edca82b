"""Start-up: what the first screen shows, and what arrives right after it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from PySide6.QtCore import Qt

from assessor.cli import parse
from assessor.store.database import SchemaState, create_engine_for, inspect_store
from assessor.store.migrations import HEAD, REVISIONS, upgrade
from tests.core.test_migrations import _fill_at_first_revision
from ui.entry import gui_options

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv", [
    [], ["--verbose"], ["--data-dir", "/tmp/x"], ["--data-dir=/tmp/y", "--verbose"],
    ["--verbose", "--data-dir", "rel/dir"],
])
def test_the_apps_own_options_read_as_the_cli_reads_them(argv) -> None:
    fast = gui_options(argv)
    assert fast is not None
    full = parse(argv)
    assert (fast.data_dir, fast.verbose, fast.command) == (full.data_dir, full.verbose, None)


@pytest.mark.parametrize("argv", [
    ["store", "info"], ["--help"], ["--version"], ["--data-dir"], ["--data-dir", "--verbose"],
    ["--verb"], ["-x"], ["--data-dir=", "demo"],
])
def test_anything_else_goes_to_the_cli_parser(argv) -> None:
    assert gui_options(argv) is None


def test_an_old_store_is_migrated_when_the_app_opens(open_window, home) -> None:
    _fill_at_first_revision(home.store)
    assert inspect_store(home.store).state is SchemaState.BEHIND
    window = open_window()
    assert inspect_store(home.store).revision == HEAD
    assert list(home.backups.glob("store-before-0001-to-*.sqlite3")), "a backup was kept"
    assert window.queue.model.index(0, 0).data() == "Rāwiri Ngata"


def test_a_store_one_revision_behind_is_migrated_too(open_window, home) -> None:
    engine = create_engine_for(home.store)
    with engine.begin() as connection:
        upgrade(connection, REVISIONS[-2])
    engine.dispose()
    assert inspect_store(home.store).revision == REVISIONS[-2]
    window = open_window()
    assert inspect_store(home.store).revision == HEAD
    assert window.queue.stack.currentWidget() is window.queue.empty_store


def test_the_rest_of_the_window_arrives_after_the_first_paint(open_window, seeded,
                                                              qtbot) -> None:
    window = open_window()
    assert window.queue.model.rowCount() == 30  # real rows on the first screen
    qtbot.wait_until(lambda: window._loaded, timeout=5_000)  # no test code asked for it
    assert window.windowTitle() == "Assessor — Demo Assessor"
    assert window.sync_label.text().endswith("0 changes waiting")
    assert window.split.widget(1) is window.review and window.split.widget(2) is window.rubric
    assert window.queue.table.isSortingEnabled()
    assert window.queue.table.horizontalHeader().sortIndicatorSection() == 3  # Due
    assert window.queue.model.fetches == 1  # enabling sorting did not read the rows again


def test_the_queue_opens_in_the_order_it_was_left(open_window, seeded, qtbot) -> None:
    window = open_window()
    window.finish_loading()
    window.queue.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    names = [window.queue.model.index(r, 0).data() for r in range(30)]
    assert names == sorted(names, key=str.casefold, reverse=True)
    window.close()

    again = open_window()
    assert [again.queue.model.index(r, 0).data() for r in range(30)] == names  # first screen
    again.finish_loading()
    header = again.queue.table.horizontalHeader()
    assert header.sortIndicatorSection() == 0
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert [again.queue.model.index(r, 0).data() for r in range(30)] == names


def test_a_broken_settings_file_stops_the_app_with_a_message(seeded, qtbot, no_error_windows,
                                                             capsys) -> None:
    from ui.app import run

    settings = seeded.home / "settings.json"
    settings.write_text("{not json")
    assert run(parse(["--data-dir", str(seeded.home)])) == 2
    assert "settings file" in capsys.readouterr().err
    assert settings.read_text() == "{not json"


def test_the_first_screen_builds_no_qt_enum_classes(seeded) -> None:
    """PySide builds all 93 enum classes of ``Qt`` (or every QtWidgets class) the first time
    they are needed: about a fifth of a bare window's start-up. The first screen needs none."""
    script = textwrap.dedent(f"""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        sys.path.insert(0, {str(ROOT)!r})
        from ui.entry import load_core_before_qt
        load_core_before_qt()
        from pathlib import Path
        from assessor.paths import AppPaths
        from ui.app import build_main_window, make_application
        app = make_application()
        built = []
        def count(frame, event, arg):
            if event == "call" and frame.f_code.co_name == "_create_":
                built.append(frame.f_locals.get("class_name"))
        sys.setprofile(count)
        window = build_main_window(AppPaths(Path({str(seeded.home)!r})))
        def painted():
            sys.setprofile(None)
            print("rows", window.queue.model.rowCount(), "enums", sorted(set(built)))
            sys.stdout.flush()
            os._exit(0)
        window.queue.table.first_painted.connect(painted)
        window.show()
        app.exec()
    """)
    done = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert done.stdout.strip() == "rows 30 enums []", done.stderr
