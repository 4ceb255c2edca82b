"""Guards around Qt itself: the model contract, and the PySide6 6.12 refcount bug."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel

from assessor.store.queue import QueueFilter, QueueReader
from ui.models.submission_table import SubmissionTableModel


def test_twenty_thousand_void_calls_do_not_abort_python(qtbot) -> None:
    # PySide6 6.12.0 drops a reference to None on every void call and aborts Python 3.11
    # after ~5,000 of them. If an upgrade brings that back, this test dies.
    label = QLabel()
    qtbot.add_widget(label)
    for n in range(20_000):
        label.setText(str(n))
        if n % 1000 == 0:
            QApplication.processEvents()
    assert label.text() == "19999"


def test_the_queue_model_keeps_the_qt_model_contract(seeded, qtmodeltester) -> None:
    reader = QueueReader(seeded.store)
    model = SubmissionTableModel(reader.rows)
    model.set_keys(reader.keys(QueueFilter()))
    qtmodeltester.check(model)
    assert model.rowCount() == 30
    reader.close()


def test_the_model_fetches_only_what_is_shown(seeded) -> None:
    reader = QueueReader(seeded.store)
    asked: list[int] = []

    def fetch(pks):
        asked.extend(pks)
        return reader.rows(pks)

    model = SubmissionTableModel(fetch)
    model.set_keys(reader.keys(QueueFilter()))
    assert asked == []
    model.index(29, 0).data()
    assert len(asked) == 30  # one page (the store has only 30)
    model.index(3, 1).data()
    assert len(asked) == 30  # served from the cache
    reader.close()
