"""The main window, driven as a user drives it: mouse, keyboard, and what they see."""

from __future__ import annotations

from PySide6.QtCore import Qt

from assessor.config import Settings, save_settings
from assessor.domain.states import State
from tests.core.helpers import open_store


def wait_for_review(qtbot, window, submission_id: str) -> None:
    qtbot.wait_until(lambda: window._snapshot is not None
                     and window._snapshot.submission.id == submission_id
                     and bool(window.rubric.cards), timeout=10_000)


def test_an_empty_store_explains_itself_and_offers_the_demo(open_window, qtbot) -> None:
    window = open_window()
    queue = window.queue
    assert queue.stack.currentWidget() is queue.empty_store
    assert queue.empty_store.isVisible()
    assert "No submissions yet" in queue.empty_store.findChildren(type(queue.counts))[0].text()
    assert window.sync_label.text() == "Offline — no hub configured — 0 changes waiting"
    assert "Select a submission" in window.review.header.text()

    qtbot.mouseClick(queue.empty_store.button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: queue.model.rowCount() == 60, timeout=15_000)
    assert queue.stack.currentWidget() is queue.table
    assert queue.counts.text().startswith("60 of 60 shown")


def test_the_menus_are_laid_out(open_window, qtbot) -> None:
    window = open_window()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Review", "&Tools", "&Help"]
    # the menus' actions arrive right after the first paint, with no help from the test
    qtbot.wait_until(lambda: bool(window.menus["file"].actions()), timeout=5_000)
    shortcuts = {a.shortcut().toString() for m in window.menuBar().actions()
                 for a in m.menu().actions() if not a.shortcut().isEmpty()}
    assert {"Ctrl+F", "Ctrl+Q", "F1", "Ctrl+Down", "Ctrl+Up", "J", "K", "F5"} <= shortcuts
    assert "Sign in" in window.sync_action.statusTip()  # no hub yet: Sync asks to sign in


def test_judging_by_keyboard_saves_and_updates_everything(open_window, seeded, qtbot) -> None:
    window = open_window()
    queue = window.queue
    assert queue.model.rowCount() == 30
    queue.table.setFocus()
    queue.select_row(0)
    submission_id = queue.selected_id()
    wait_for_review(qtbot, window, submission_id)
    assert window.review.header.text().count(window._snapshot.submission.learner.name) == 1

    qtbot.keyClick(window, Qt.Key.Key_3)  # level 3 of the first criterion
    card = window.rubric.cards[0]
    qtbot.wait_until(lambda: card.status.text() == "Saved", timeout=10_000)
    assert card.chosen_level() == card.criterion.levels[2].key

    qtbot.keyClick(window, Qt.Key.Key_J)  # next criterion
    qtbot.keyClick(window, Qt.Key.Key_4)
    second = window.rubric.cards[1]
    qtbot.wait_until(lambda: second.status.text() == "Saved", timeout=10_000)

    store = open_store(window.ws.paths)
    saved = store.judgments(submission_id)
    assert saved[card.criterion.key].level_key == card.criterion.levels[2].key
    assert saved[second.criterion.key].level_key == second.criterion.levels[3].key
    assert store.submission(submission_id).state is State.IN_REVIEW
    store.close()
    qtbot.wait_until(lambda: "2 changes waiting" in window.sync_label.text(), timeout=5_000)
    row = queue.model.row_of(window.ws.queue.pk_of(submission_id))
    assert queue.model.index(row, 4).data() == "In review"
    assert "Total" in window.rubric.outcome.text()


def test_a_comment_typed_just_before_quitting_is_saved(open_window, seeded, qtbot) -> None:
    window = open_window()
    window.queue.select_row(1)
    submission_id = window.queue.selected_id()
    wait_for_review(qtbot, window, submission_id)
    card = window.rubric.cards[0]
    card.comment.setFocus()
    qtbot.keyClicks(card.comment, "Clear hazard photos")
    window.close()  # before the autosave timer fires
    window.runner.wait()
    store = open_store(window.ws.paths)
    assert store.judgments(submission_id)[card.criterion.key].comment == "Clear hazard photos"
    store.close()


def test_search_filters_and_the_no_match_state(open_window, seeded, qtbot) -> None:
    window = open_window()
    queue = window.queue
    first = queue.model.row_at(0)
    family = first.learner_name.split()[-1]
    qtbot.keyClicks(queue.search, family)
    qtbot.wait_until(lambda: queue.model.rowCount() < 30, timeout=5_000)
    names = [queue.model.index(r, 0).data() for r in range(queue.model.rowCount())]
    assert names and all(family in n for n in names)

    queue.search.setText("zzzz-nobody")
    qtbot.wait_until(lambda: queue.stack.currentWidget() is queue.no_match, timeout=5_000)
    qtbot.mouseClick(queue.no_match.button, Qt.MouseButton.LeftButton)
    assert queue.model.rowCount() == 30 and queue.search.text() == ""


def test_state_filter_and_header_sort(open_window, seeded, qtbot) -> None:
    window = open_window()
    queue = window.queue
    queue.state_filter.setCurrentIndex(queue.state_filter.findData(State.APPROVED.value))
    assert queue.stack.currentWidget() is queue.no_match
    queue.state_filter.setCurrentIndex(0)
    queue.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    names = [queue.model.index(r, 0).data() for r in range(queue.model.rowCount())]
    assert names == sorted(names, key=str.casefold)


def test_a_mentor_sees_the_rubric_locked_with_the_reason(open_window, seeded, qtbot) -> None:
    save_settings(seeded.home, Settings(user_id="mentor-1", user_name="Mere Mentor",
                                        role="mentor"))
    window = open_window()
    window.queue.select_row(0)
    wait_for_review(qtbot, window, window.queue.selected_id())
    assert window.rubric.lock_note.isVisible()
    assert "Mentors" in window.rubric.lock_note.text()
    assert not any(b.isEnabled() for c in window.rubric.cards for b in c.levels.buttons())
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.rubric.cards[0].chosen_level() is None


def test_the_layout_is_remembered(open_window, seeded, qtbot) -> None:
    window = open_window()
    window.resize(700, 560)
    window.split.setSizes([300, 150, 250])
    sizes, size = window.split.sizes(), window.size()
    window.queue.table.horizontalHeader().resizeSection(0, 222)
    window.close()
    again = open_window()
    assert again.size() == size
    assert again.split.sizes() == sizes
    assert again.queue.table.horizontalHeader().sectionSize(0) == 222


def test_verify_audit_log_from_the_menu(open_window, seeded, qtbot) -> None:
    window = open_window()
    window.verify_audit()
    qtbot.wait_until(lambda: "Audit log intact" in window.statusBar().currentMessage(),
                     timeout=10_000)


def test_a_foreign_store_stops_the_app_with_a_message(home, qtbot, no_error_windows,
                                                      capsys) -> None:
    from assessor.cli import parse
    from ui.app import run

    home.store.write_bytes(b"PK\x03\x04 not a database at all")
    assert run(parse(["--data-dir", str(home.home)])) == 2
    assert "not a SQLite database" in capsys.readouterr().err
    assert home.store.read_bytes() == b"PK\x03\x04 not a database at all"


def test_python_main_py_opens_over_assessor_home(home, qtbot, no_error_windows) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from assessor.cli import parse
    from ui.app import run

    seen: list[str] = []
    icons: list[bool] = []

    def close_all() -> None:
        icons.append(not QApplication.windowIcon().isNull())
        for widget in QApplication.topLevelWidgets():
            if widget.isWindow() and widget.isVisible():
                seen.append(widget.windowTitle())
                widget.close()

    QTimer.singleShot(800, close_all)
    assert run(parse([])) == 0  # ASSESSOR_HOME is set by the home fixture
    assert any(title.startswith("Assessor") for title in seen)
    assert icons == [True]  # the app icon arrives right after the first paint
    assert home.store.exists()
    assert (home.home / "ui-state.ini").exists()
    assert (home.home / "logs" / "assessor.log").exists()


def test_filter_menus_fill_in_counts_and_credentials_after_the_first_paint(
        open_window, seeded, qtbot) -> None:
    window = open_window()
    queue = window.queue
    qtbot.wait_until(lambda: queue.credential_filter.count() > 1, timeout=10_000)
    assert queue.state_filter.itemText(0) == "All states (30)"
    names = [queue.credential_filter.itemText(i) for i in range(queue.credential_filter.count())]
    assert names[0] == "All credentials" and len(names) > 1
    queue.credential_filter.setCurrentIndex(1)
    assert 0 < queue.model.rowCount() < 30
    assert queue.counts.text().endswith("of 30 shown") or "of 30 shown" in queue.counts.text()


def test_a_late_signal_after_the_workstation_closed_changes_nothing(open_window, seeded,
                                                                    qtbot) -> None:
    """A filter change or timer that arrives after the window closed and the store closed
    (while everything is torn down) must not raise "Cannot operate on a closed database"."""
    window = open_window()
    shown = window.queue.model.rowCount()
    window.close()
    window.runner.wait()
    window.ws.close()
    window.queue.reload()
    window.queue.refresh()
    window.queue.search.setText("anything")
    qtbot.wait(200)  # the search's debounce timer fires into a closed store
    assert window.queue.model.rowCount() == shown
