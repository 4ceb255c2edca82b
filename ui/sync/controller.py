"""SyncController: the Sync action, the background timer, progress, sign-in and conflicts.

A sync runs on a worker thread with its own store connection, so the assessor keeps
judging while it runs; progress arrives through a queued signal and the GUI thread only
paints it. With the hub unreachable the controller retries with exponential backoff and
jitter; an expired sign-in stops the timer and asks once to sign in again (no error
loop); conflicts are announced in the status bar and opened side by side on request.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QProgressBar, QPushButton, QWidget

from assessor.errors import Cancelled, UserFacingError

if TYPE_CHECKING:
    from assessor.store.sync_store import Conflict
    from assessor.sync.backoff import Backoff
    from assessor.sync.demo_organisation import DemoOrganisation
    from assessor.sync.engine import Progress, SyncReport
    from assessor.workstation import Workstation
    from ui.sync.conflict_dialog import ConflictContext, ConflictDialog
    from ui.sync.sign_in_dialog import SignInDialog
    from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

FIRST_SYNC_DELAY_MS = 1500


@dataclass(frozen=True)
class _Outcome:
    report: SyncReport
    conflicts: int


class _ProgressRelay(QObject):
    """Lives on the GUI thread; the worker emits, the GUI thread receives (queued)."""

    progressed = Signal(object)


class SyncController(QObject):
    synced = Signal(object)
    """A sync finished (its ``SyncReport``): the queue and the open submission may have
    changed."""
    signed_in = Signal()

    def __init__(self, workstation: Workstation, runner: TaskRunner, window: QWidget,
                 label: QLabel) -> None:
        super().__init__(window)
        self.ws = workstation
        self.runner = runner
        self.window = window
        self.label = label
        self.running = False
        self.closed = False
        self.last_sync: datetime | None = None
        self.last_problem = ""
        self.conflict_count = 0
        self.needs_sign_in = False
        self._cancel = threading.Event()
        self._backoff: Backoff | None = None
        self._retry_at: datetime | None = None
        self._sign_in_dialog: SignInDialog | None = None
        self._conflict_dialog: ConflictDialog | None = None
        self.demo: DemoOrganisation | None = None
        self._opening_demo = False

        self.progress = QProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("syncCancel")
        self.cancel_button.setFlat(True)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self._relay = _ProgressRelay(self)
        self._relay.progressed.connect(self._show_progress)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self.sync_now(quiet=True))

        self.sync_action = QAction("&Sync Now", self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(lambda: self.sync_now(quiet=False))
        self.sign_in_action = QAction("Sign &In to Hub…", self)
        self.sign_in_action.triggered.connect(lambda _=False: self.ask_sign_in(""))
        self.sign_out_action = QAction("Sign &Out", self)
        self.sign_out_action.triggered.connect(self.sign_out)
        self.conflicts_action = QAction("Resolve &Conflicts…", self)
        self.conflicts_action.triggered.connect(self.show_conflicts)
        self._update_actions()

    # -- wiring ---------------------------------------------------------------------

    def add_to(self, menu: QMenu, status_widgets: Any) -> None:
        """Put the sync actions in ``menu`` and the progress bar in the status bar."""
        for action in (self.sync_action, self.sign_in_action, self.sign_out_action,
                       self.conflicts_action):
            menu.addAction(action)
        status_widgets.addPermanentWidget(self.progress)
        status_widgets.addPermanentWidget(self.cancel_button)

    def start(self) -> None:
        """After the first paint: read when the last sync was; serve the demo organisation
        when no hub is configured (or the demo is the hub); sync soon."""
        from assessor.sync.demo_organisation import wants_demo

        self.runner.run(self._read_state, self._state_read, lambda exc: None, store=True)
        if wants_demo(self.ws.paths):
            self.open_demo()
        elif self.ws.settings.hub_configured:
            self.timer.start(FIRST_SYNC_DELAY_MS)
        self.refresh()

    def open_demo(self) -> bool:
        """Serve the demo organisation in this process and sync it; False when the embedded
        demo is switched off here."""
        from assessor.sync.demo_organisation import demo_enabled, open_demo_organisation

        if not demo_enabled():
            return False
        if self.demo is not None or self._opening_demo:
            self.sync_now(quiet=False)
            return True
        self._opening_demo = True
        paths = self.ws.paths
        self.label.setText("Opening the demo organisation…")

        def work() -> Any:
            demo = open_demo_organisation(paths)
            if demo.signed_in is not None and demo.signed_in.switched_user:
                from assessor.store.sync_store import SyncStore

                SyncStore(self.ws.store).reset_cursor()
            return demo

        def done(demo: Any) -> None:
            from assessor.config import load_settings

            self._opening_demo = False
            self.demo = demo
            self.ws.use_settings(load_settings(paths.home))
            if demo.warning:
                self.label.setToolTip(demo.warning)
            self.signed_in.emit()
            self._update_actions()
            self.sync_now(quiet=True)

        def failed(exc: Exception) -> None:
            self._opening_demo = False
            self.last_problem = f"The demo organisation could not be opened: {exc}"
            log.warning("%s", self.last_problem)
            self.refresh()

        self.runner.run(work, done, failed)
        return True

    def stop_demo(self) -> None:
        if self.demo is not None:
            self.demo.stop()
            self.demo = None

    def _read_state(self) -> tuple[str, int]:
        from assessor.store.sync_store import LAST_SYNC, SyncStore

        sync = SyncStore(self.ws.store)
        return sync.get(LAST_SYNC), sync.open_conflict_count()

    def _state_read(self, state: tuple[str, int]) -> None:
        last, conflicts = state
        if last and self.last_sync is None:
            try:
                self.last_sync = datetime.fromisoformat(last)
            except ValueError:
                pass
        self.conflict_count = conflicts
        self._update_actions()
        self.refresh()

    def shutdown(self) -> None:
        """The window is closing: stop the timer, stop a running sync at its next step, and
        ignore what arrives afterwards."""
        self.closed = True
        self.timer.stop()
        self._cancel.set()

    # -- the status bar -------------------------------------------------------------

    def status_text(self) -> str:
        waiting = self.ws.queue.outbox_count()
        changes = f"{waiting} change{'s' if waiting != 1 else ''} waiting"
        conflicts = (f" — {self.conflict_count} conflict"
                     f"{'s' if self.conflict_count != 1 else ''} to resolve"
                     if self.conflict_count else "")
        if not self._configured():
            if self._opening_demo:
                return f"Opening the demo organisation… — {changes}"
            if self.last_problem:
                return f"Offline — the demo organisation could not open — {changes}"
            return f"Offline — no hub configured — {changes}"
        if self.running:
            return f"Syncing — {changes}{conflicts}"
        if self.needs_sign_in:
            return f"Sign in needed — {changes}{conflicts}"
        if self.last_problem:
            retry = (f" (retrying at {self._retry_at.astimezone():%H:%M})"
                     if self._retry_at else "")
            return f"Offline — {changes}{retry}{conflicts}"
        if self.last_sync is None:
            return f"Never synced — {changes}{conflicts}"
        return (f"Last sync {self.last_sync.astimezone():%H:%M} — {changes}{conflicts}")

    def refresh(self) -> None:
        if self.closed or self.ws.queue.closed:
            return
        self.label.setText(self.status_text())
        self.label.setToolTip(self.last_problem)

    def _configured(self) -> bool:
        try:
            return self.ws.settings.hub_configured
        except UserFacingError:  # broken settings: the window says so and closes
            return False

    def _update_actions(self) -> None:
        configured = self._configured()
        self.sync_action.setEnabled(not self.running)
        self.sync_action.setStatusTip(
            "Send your changes to the hub and fetch new submissions and evidence"
            if configured else "Sign in to your organisation's hub to sync")
        self.sign_out_action.setEnabled(configured and not self.running)
        self.conflicts_action.setEnabled(self.conflict_count > 0)

    # -- syncing --------------------------------------------------------------------

    def sync_now(self, *, quiet: bool = False) -> None:
        """Start a sync unless one runs. Without a hub (or a sign-in) ask to sign in,
        unless this is the timer (``quiet``)."""
        if self.running:
            return
        if not self._configured():
            if not quiet:
                self.ask_sign_in()
            return
        if self.needs_sign_in and quiet:
            return
        self.timer.stop()
        self.running = True
        self._cancel.clear()
        self.progress.setRange(0, 0)
        self.progress.setFormat("Syncing…")
        self.progress.show()
        self.cancel_button.show()
        self._update_actions()
        self.refresh()
        paths, cancel, relay = self.ws.paths, self._cancel, self._relay

        def work() -> _Outcome:
            from assessor.store.sync_store import SyncStore
            from assessor.sync.run import sync_once

            report = sync_once(paths, on_progress=relay.progressed.emit,
                               cancelled=cancel.is_set)
            return _Outcome(report, SyncStore(self.ws.store).open_conflict_count())

        self.runner.run(work, self._finished, lambda exc: self._failed(exc, quiet))

    def cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")

    def _show_progress(self, progress: Progress) -> None:
        if not self.running:
            return
        if progress.phase == "evidence" and progress.bytes_total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * progress.bytes_done / progress.bytes_total))
        elif progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
        else:
            self.progress.setRange(0, 0)
        text = progress.describe()
        self.progress.setFormat(text.split(":")[0] + "…")
        self.progress.setToolTip(text)

    def _done_running(self) -> None:
        self.running = False
        self.progress.hide()
        self.cancel_button.hide()
        self.cancel_button.setEnabled(True)

    def _finished(self, outcome: _Outcome) -> None:
        self._done_running()
        if self.closed:
            return
        report = outcome.report
        self.last_sync = report.finished_at or datetime.now(UTC)
        self.last_problem = ""
        self.needs_sign_in = False
        self._retry_at = None
        if self._backoff is not None:
            self._backoff.reset()
        self.conflict_count = outcome.conflicts
        self._update_actions()
        self.refresh()
        self._schedule(self.ws.settings.sync_interval_seconds)
        log.info("sync finished: %s", report.describe())
        self.synced.emit(report)
        if report.conflicts and self.window.isVisible():
            self.show_conflicts()

    def _failed(self, exc: Exception, quiet: bool) -> None:
        from assessor.sync.errors import HubUnreachable, SignInRequired

        self._done_running()
        if self.closed:
            return
        self._update_actions()
        if isinstance(exc, Cancelled):
            self.last_problem = ""
            self.refresh()
            self.label.setText(self.status_text() + " — sync cancelled")
            self._schedule(self.ws.settings.sync_interval_seconds)
            return
        if isinstance(exc, SignInRequired):
            self.needs_sign_in = True
            self.refresh()
            self.ask_sign_in(str(exc))
            return
        if not isinstance(exc, UserFacingError):
            from ui import messages

            messages.show_error(self.window, exc)
            return
        self.last_problem = str(exc)
        delay = self._next_delay(getattr(exc, "retry_after", None))
        self._retry_at = datetime.now(UTC) + timedelta(seconds=delay)
        self._schedule(delay)
        self.refresh()
        log.info("sync did not finish (%s); retrying in %.0f s", type(exc).__name__, delay)
        if not quiet and not isinstance(exc, HubUnreachable):
            from ui import messages

            messages.show_error(self.window, exc, title="Sync")

    def _next_delay(self, retry_after: float | None) -> float:
        if self._backoff is None:
            from assessor.sync.backoff import Backoff

            self._backoff = Backoff()
        return float(self._backoff.next_delay(retry_after))

    def _schedule(self, seconds: float) -> None:
        if not self.closed and self._configured() and seconds > 0:
            self.timer.start(int(seconds * 1000))

    # -- sign-in and out -------------------------------------------------------------

    def ask_sign_in(self, reason: str = "") -> None:
        """Open the sign-in dialog (one at a time)."""
        if self._sign_in_dialog is not None:
            self._sign_in_dialog.raise_()
            return
        from ui.sync.sign_in_dialog import SignInDialog

        settings = self.ws.settings
        dialog = SignInDialog(settings.hub_url, settings.hub_username, reason, self.window)
        self._sign_in_dialog = dialog
        dialog.submitted.connect(lambda: self._sign_in(dialog))
        dialog.finished.connect(lambda _: self._dialog_closed())
        dialog.open()

    def _dialog_closed(self) -> None:
        if self._sign_in_dialog is not None:
            self._sign_in_dialog.deleteLater()
        self._sign_in_dialog = None

    def _sign_in(self, dialog: SignInDialog) -> None:
        url, user, password, code = dialog.values()
        dialog.set_busy(True)
        home = self.ws.paths.home

        def work() -> Any:
            from assessor.sync.account import sign_in

            result = sign_in(home, url, user, password=password, enrolment_code=code)
            if result.switched_user:
                from assessor.store.sync_store import SyncStore

                SyncStore(self.ws.store).reset_cursor()
            return result

        def done(result: Any) -> None:
            dialog.set_busy(False)
            self.ws.use_settings(result.settings)
            self.needs_sign_in = False
            self.last_problem = ""
            dialog.accept()
            if result.note:
                self.label.setToolTip(result.note)
            self._update_actions()
            self.refresh()
            self.signed_in.emit()
            self.sync_now(quiet=True)

        def failed(exc: Exception) -> None:
            dialog.set_busy(False)
            if isinstance(exc, UserFacingError):
                dialog.show_problem(str(exc))
            else:
                from ui import messages

                messages.show_error(dialog, exc)

        self.runner.run(work, done, failed)

    def sign_out(self) -> None:
        home = self.ws.paths.home

        def work() -> bool:
            from assessor.sync.account import sign_out

            return sign_out(home)

        def done(_: bool) -> None:
            self.needs_sign_in = True
            self.timer.stop()
            self._update_actions()
            self.refresh()

        self.runner.run(work, done, lambda exc: self._failed(exc, False))

    # -- conflicts -------------------------------------------------------------------

    def show_conflicts(self) -> None:
        if self._conflict_dialog is not None:
            self._conflict_dialog.raise_()
            return

        actor = self.ws.actor

        def load() -> tuple[list[Conflict], dict[str, dict[str, str]], ConflictContext]:
            from assessor.store.sync_store import SyncStore
            from ui.sync.conflict_dialog import ConflictContext

            store = self.ws.store
            conflicts = SyncStore(store).conflicts()
            names: dict[str, dict[str, str]] = {}
            learners: dict[str, str] = {}
            titles: dict[str, dict[str, str]] = {}
            for conflict in conflicts:
                if conflict.submission_id in learners:
                    continue
                try:
                    review = store.review(conflict.submission_id)
                except UserFacingError:
                    continue
                learners[conflict.submission_id] = review.submission.learner.name
                titles[conflict.submission_id] = {c.key: c.title for c in review.rubric.criteria}
                if conflict.kind == "judgment":
                    try:
                        criterion = review.rubric.criterion(conflict.subject)
                    except UserFacingError:
                        continue
                    names[conflict.submission_id] = {lv.key: lv.name
                                                     for lv in criterion.levels}
            authors = {c.theirs_author for c in conflicts} | {
                str((c.theirs or {}).get("author") or "") for c in conflicts}
            people = store.people_names(a for a in authors if a)
            people[actor.user_id] = \
                f"{people.get(actor.user_id) or actor.name} (you, on another computer)"
            return conflicts, names, ConflictContext(learners, titles, people)

        self.runner.run(load, self._open_conflicts, store=True)

    def _open_conflicts(self, loaded: tuple[list[Conflict], dict[str, dict[str, str]],
                                            ConflictContext]) -> None:
        from ui.sync.conflict_dialog import ConflictDialog

        conflicts, names, context = loaded
        self.conflict_count = len(conflicts)
        self._update_actions()
        self.refresh()
        if not conflicts:
            return
        dialog = ConflictDialog(conflicts, names, self.window, context=context)
        self._conflict_dialog = dialog
        dialog.resolve_requested.connect(self._resolve)
        dialog.finished.connect(lambda _: self._conflicts_closed())
        dialog.open()

    def _conflicts_closed(self) -> None:
        if self._conflict_dialog is not None:
            self._conflict_dialog.deleteLater()
        self._conflict_dialog = None

    def _resolve(self, conflict_id: str, choice: str, comment: object, level: object) -> None:
        actor = self.ws.actor

        def work() -> str:
            from assessor.store.sync_store import SyncStore

            SyncStore(self.ws.store).resolve(
                conflict_id, choice, actor,
                comment=comment if isinstance(comment, str) else None,
                level=level if isinstance(level, str) else None)
            return conflict_id

        def done(resolved: str) -> None:
            self.conflict_count = max(0, self.conflict_count - 1)
            self._update_actions()
            self.refresh()
            if self._conflict_dialog is not None:
                self._conflict_dialog.remove(resolved)
            self.synced.emit(None)
            if self.ws.queue.outbox_count():
                self.timer.start(0)

        from ui import messages

        self.runner.run(work, done, lambda exc: messages.show_error(self.window, exc),
                        store=True)
