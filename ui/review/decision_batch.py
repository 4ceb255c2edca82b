"""BatchSignDialog: sign many approved submissions, one at a time, without blocking.

The dialog lists the approved submissions that are not signed yet, each with a check box.
Signing reads the key from the keychain once (on the io lane), then signs one submission
per job on the store lane, so judgments saved meanwhile are never held up for the whole
batch, the window keeps painting, and "Stop" takes effect between two submissions. Each
row says how its signing went; one failure never stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assessor.errors import UserFacingError

if TYPE_CHECKING:
    from assessor.credentials.service import SigningService
    from assessor.workstation import Workstation
    from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

LIST_LIMIT = 5_000
"""At most this many approved submissions are listed (and signed) at once."""


@dataclass(frozen=True)
class Approved:
    submission_id: str
    label: str


@dataclass
class _Prepared:
    service: SigningService
    signer: Any
    created_key: bool


def approved_unsigned(ws: Workstation) -> list[Approved]:
    """The approved submissions waiting for a signature (quick: the queue's read-only
    connection and its indexes)."""
    from assessor.domain.states import State
    from assessor.store.queue import QueueFilter, QueueSort

    view = ws.queue.view(QueueFilter(states=frozenset({State.APPROVED})), QueueSort.LEARNER)
    return [Approved(row.id, f"{row.learner_name} — {row.credential_name} · attempt "
                             f"{row.attempt}")
            for row in view.rows(0, LIST_LIMIT)]


class BatchSignDialog(QDialog):
    """Signals:
        item_signed(str): a submission was signed (its id).
        batch_finished(): the batch ended (done, stopped or failed to start).
    """

    item_signed = Signal(str)
    batch_finished = Signal()

    def __init__(self, ws: Workstation, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.setObjectName("batchSignDialog")
        self.setWindowTitle("Sign All Approved")
        self.resize(620, 460)
        self.items = approved_unsigned(ws)
        self.results: dict[str, str] = {}
        """Submission id → "" when signed, else the reason it was not."""
        self.running = False
        self.cancel_requested = False
        self._queue: list[tuple[int, Approved]] = []
        self._prepared: _Prepared | None = None

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("approvedList")
        self.list.setAccessibleName("Approved submissions to sign")
        self.list.setAlternatingRowColors(True)
        for entry in self.items:
            row = QListWidgetItem(entry.label)
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked)
            row.setData(Qt.ItemDataRole.UserRole, entry.submission_id)
            self.list.addItem(row)
        self.list.itemChanged.connect(self._update_buttons)
        self.select_all = QPushButton("Select All")
        self.select_none = QPushButton("Select None")
        self.select_all.clicked.connect(lambda: self._check_all(Qt.CheckState.Checked))
        self.select_none.clicked.connect(lambda: self._check_all(Qt.CheckState.Unchecked))
        picks = QHBoxLayout()
        picks.addWidget(self.select_all)
        picks.addWidget(self.select_none)
        picks.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Signing progress")
        self.progress.setFormat("%v of %m")
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("batchStatus")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.sign_button = self.buttons.addButton("Sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.stop_button = self.buttons.addButton("Stop", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.sign_button.setDefault(True)
        self.stop_button.hide()
        self.sign_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addLayout(picks)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        if self.items:
            self.heading.setText(
                f"<b>{len(self.items)} approved submission{'s' if len(self.items) != 1 else ''}"
                "</b> waiting for your signature. Each is signed with this computer's key "
                "and sent to the hub at the next sync.")
        else:
            self.heading.setText("<b>Nothing to sign.</b> Approved submissions appear here "
                                 "until they are signed.")
            self.list.hide()
            self.select_all.hide()
            self.select_none.hide()
        self._update_buttons()

    # -- choosing ---------------------------------------------------------------------

    def checked_ids(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def _check_all(self, state: Qt.CheckState) -> None:
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(state)

    def _update_buttons(self, *_args: object) -> None:
        n = len(self.checked_ids())
        self.sign_button.setText(f"Sign {n} Selected" if n else "Sign")
        self.sign_button.setEnabled(n > 0 and not self.running)

    # -- signing ----------------------------------------------------------------------

    def start(self) -> None:
        """Sign the checked submissions, one job per submission."""
        chosen = set(self.checked_ids())
        if self.running or not chosen:
            return
        self.running = True
        self.cancel_requested = False
        self._queue = [(i, entry) for i, entry in enumerate(self.items)
                       if entry.submission_id in chosen]
        self.list.setEnabled(False)
        for button in (self.select_all, self.select_none, self.sign_button):
            button.setEnabled(False)
        self.stop_button.show()
        self.stop_button.setEnabled(True)
        self.progress.setRange(0, len(self._queue))
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText("Reading the signing key from the keychain…")
        ws = self.ws

        def prepare() -> _Prepared:  # io lane: the keychain's D-Bus round trip
            created = False
            if ws.keys.active() is None:
                ws.keys.create()
                created = True
            return _Prepared(ws.signing(), ws.keys.signer(), created)

        self.runner.run(prepare, self._on_prepared, self._on_prepare_failed)

    def cancel(self) -> None:
        """Stop after the submission being signed now (nothing is cut off midway)."""
        if self.running:
            self.cancel_requested = True
            self.stop_button.setEnabled(False)
            self.status.setText("Stopping after the current submission…")

    def _on_prepared(self, prepared: _Prepared) -> None:
        self._prepared = prepared
        if prepared.created_key:
            self.status.setText("Created this computer's signing key in the OS keychain.")
        self._next()

    def _on_prepare_failed(self, exc: Exception) -> None:
        reason = str(exc) if isinstance(exc, UserFacingError) else f"Unexpected error: {exc}"
        if not isinstance(exc, UserFacingError):
            log.error("batch signing could not start", exc_info=exc)
        self._finish(f"Nothing was signed. {reason}")

    def _next(self) -> None:
        if self.cancel_requested or not self._queue:
            self._finish()
            return
        prepared = self._prepared
        assert prepared is not None
        row, entry = self._queue.pop(0)
        actor = self.ws.actor
        item = self.list.item(row)
        item.setText(f"{entry.label}    — signing…")
        self.list.scrollToItem(item)
        done = self.progress.value()
        self.status.setText(f"Signing {done + 1} of {self.progress.maximum()}: {entry.label}")

        def sign_one() -> dict[str, Any]:  # store lane
            service = prepared.service
            return service.sign(service.preview(entry.submission_id, actor), actor,
                                prepared.signer)

        self.runner.run(sign_one, lambda _signed: self._item_done(row, entry, ""),
                        lambda exc: self._item_failed(row, entry, exc), store=True)

    def _item_failed(self, row: int, entry: Approved, exc: Exception) -> None:
        if isinstance(exc, UserFacingError):
            reason = str(exc)
        else:
            log.error("signing %s failed", entry.submission_id, exc_info=exc)
            reason = f"Unexpected error ({type(exc).__name__}): {exc}"
        self._item_done(row, entry, reason)

    def _item_done(self, row: int, entry: Approved, reason: str) -> None:
        self.results[entry.submission_id] = reason
        item = self.list.item(row)
        if reason:
            item.setText(f"{entry.label}    ✗ not signed: {reason}")
            item.setForeground(Qt.GlobalColor.darkRed)
            item.setToolTip(reason)
        else:
            item.setText(f"{entry.label}    ✓ signed")
            item.setForeground(Qt.GlobalColor.darkGreen)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.item_signed.emit(entry.submission_id)
        self.progress.setValue(self.progress.value() + 1)
        self._next()

    def _finish(self, message: str = "") -> None:
        self.running = False
        self.stop_button.hide()
        signed = sum(1 for reason in self.results.values() if not reason)
        failed = len(self.results) - signed
        left = len(self._queue)
        self._queue = []
        if not message:
            parts = [f"Signed {signed} of {self.progress.maximum()}."]
            if failed:
                parts.append(f"{failed} could not be signed (see the list).")
            if left:
                parts.append(f"Stopped: {left} not signed.")
            if signed:
                parts.append("They go to the hub at the next sync.")
            message = " ".join(parts)
        self.status.setText(message)
        self.list.setEnabled(True)
        self.select_all.setEnabled(True)
        self.select_none.setEnabled(True)
        self._update_buttons()
        self.batch_finished.emit()

    # -- closing ----------------------------------------------------------------------

    def reject(self) -> None:
        if self.running:  # closing while signing stops after the current one
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.running:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
