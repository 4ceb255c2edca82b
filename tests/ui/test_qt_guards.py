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
    model = SubmissionTableModel()
    model.set_view(reader.view(QueueFilter()))
    qtmodeltester.check(model)
    assert model.rowCount() == 30
    reader.close()


def test_the_model_fetches_only_the_pages_that_are_shown(home) -> None:
    from tests.core.helpers import seeded_store

    seeded_store(home, count=1000).close()
    reader = QueueReader(home.store)
    model = SubmissionTableModel()
    model.set_view(reader.view(QueueFilter()))
    assert model.rowCount() == 1000 and model.fetches == 0
    last = model.index(999, 0).data()
    assert model.fetches == 1 and last
    model.index(998, 1).data()
    model.index(0, 0).data()
    assert model.fetches == 2  # the last page was cached; the first page is one more
    reader.close()
