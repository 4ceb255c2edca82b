"""MainWindow: queue on the left, the submission in the middle, the rubric on the right.

The window is built in two steps so the first screen paints about as fast as a bare
``QMainWindow``:

1. ``__init__`` builds only what the first screen shows: the queue with its first rows
   from the store, the splitter with placeholders for the review and rubric panes, the
   menu bar's titles and an empty status bar (so nothing moves when the rest arrives).
2. ``finish_loading`` runs right after the first paint (or the first time code asks for a
   part it builds): the review and rubric panes, the style sheet, the menus' actions
   (``_build_menus``: add new menus and actions there), the status text, the window
   title with the user's name, sorting and the filter counts, and it warms up the store.
   It touches Qt's ``Qt`` namespace, which PySide builds (93 enum classes) on first use.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent, QTextCursor
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QSplitter, QWidget

from assessor import APP_NAME, __version__
from assessor.errors import UserFacingError
from assessor.store.queue import QueueSort
from ui.tasks import TaskRunner
from ui.windows.queue_pane import QueuePane

if TYPE_CHECKING:  # the domain and the other panes load after the window is painted
    from assessor.credentials.service import SigningPreview
    from assessor.domain.audit import ChainReport
    from assessor.domain.judgment import Judgment, JudgmentDraft, Pin
    from assessor.domain.review import ReviewSnapshot
    from assessor.domain.submission import EvidenceItem
    from assessor.workstation import Workstation
    from ui.evidence.source import EvidenceSource
    from ui.evidence.viewer import EvidenceViewer
    from ui.review.decision_flow import DecisionController
    from ui.sync.controller import SyncController
    from ui.windows.review_pane import ReviewPane
    from ui.windows.rubric_panel import RubricPanel

log = logging.getLogger(__name__)

STORE_WARMUP_DELAY_MS = 400
RENDER_WARMUP_DELAY_MS = 2000
SAVE_REFRESH_MS = 60
"""After a judgment is saved, the queue row and the count of changes waiting refresh this
long after the last save of a burst (the card says "Saved" at once)."""
"""The render workers (a process each, PyMuPDF loaded) start this long after the first
paint, so the first document opens at once without slowing the start."""

QUEUE_SHARE, REVIEW_SHARE = 35, 38
"""The default layout, in percent of the window's width (the rubric has the rest)."""

MENU_TITLES: tuple[tuple[str, str], ...] = (
    ("file", "&File"), ("edit", "&Edit"), ("view", "&View"), ("review", "&Review"),
    ("tools", "&Tools"), ("help", "&Help"),
)
"""The menu bar's menus (key, title), in order; ``_build_menus`` fills them."""

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+F", "Search the queue"),
    ("Ctrl+1 / Ctrl+2 / Ctrl+3", "Focus the queue, the submission, the rubric"),
    ("Ctrl+Down / Ctrl+Up", "Next / previous submission"),
    ("J / K", "Next / previous criterion"),
    ("1 … 9", "Choose that level for the current criterion"),
    ("C", "Write in the current criterion's comment box (Tab leaves it)"),
    ("P", "Pin mode on / off: pin part of a page, an image or a recording to a criterion"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo the last judgment change (level, comment, pins)"),
    ("Ctrl+Return", "Approve the submission, then preview and sign its credential"),
    ("Ctrl+Shift+R", "Request resubmission, with feedback to the learner on each unmet "
                     "criterion"),
    ("Ctrl+Shift+S", "Sign the approved submission's credential"),
    ("Ctrl+Shift+V", "Verify the audit log"),
    ("Ctrl+Shift+N", "Write a feedback note (on the current criterion)"),
    ("Ctrl+Shift+L", "Insert a snippet from your comment library into the comment box"),
    ("Ctrl+Shift+E", "Compare with the learner's earlier attempt"),
    ("Ctrl+I", "Insights: progress, pass rates and agreement as charts"),
    ("F1", "This list"),
    ("Ctrl+Q", "Quit (everything is already saved)"),
)


class MainWindow(QMainWindow):
    def __init__(self, workstation: Workstation, runner: TaskRunner,
                 ui_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = workstation
        self.runner = runner
        self.ui_state = ui_state
        self._wanted_id = ""
        self._snapshot: ReviewSnapshot | None = None
        self._loaded = False
        self._loading_scheduled = False
        self._refresh_after_save: QTimer | None = None
        self.failed: UserFacingError | None = None
        """Set when the rest of the window could not be loaded (e.g. broken settings)."""
        self.setWindowTitle(APP_NAME)

        sort, descending = self._remembered_sort()
        self.queue = QueuePane(workstation.queue, sort=sort, descending=descending)
        self.split = QSplitter()  # horizontal
        self.split.setObjectName("mainSplitter")
        self.split.setChildrenCollapsible(False)
        for pane in (self.queue, QWidget(), QWidget()):  # review and rubric come later
            self.split.addWidget(pane)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 3)
        self.split.setStretchFactor(2, 4)
        self.setCentralWidget(self.split)

        bar = self.menuBar()
        self.menus: dict[str, QMenu] = {key: bar.addMenu(title) for key, title in MENU_TITLES}
        self._sync_label = QLabel()
        self._sync_label.setObjectName("syncStatus")
        self.statusBar().addPermanentWidget(self._sync_label)

        self.queue.submission_selected.connect(self._on_submission_selected)
        self.queue.demo_requested.connect(self.load_demo)
        self._default_size()
        self._restore_layout()

    # -- the rest of the window, after the first paint -------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._loading_scheduled:
            self._loading_scheduled = True
            QTimer.singleShot(0, self, self.finish_loading)

    def finish_loading(self) -> None:
        """Build what the first screen did not need. Runs once; safe to call any time."""
        if self._loaded or self.ws.queue.closed:
            return  # built already, or the window closed before its first paint finished
        self._loaded = True
        from ui.evidence.source import EvidenceSource
        from ui.style import apply_style
        from ui.windows.review_pane import ReviewPane
        from ui.windows.rubric_panel import RubricPanel

        self._review = ReviewPane(runner=self.runner)
        self._rubric = RubricPanel()
        self._evidence = EvidenceSource(self.ws.paths.evidence)
        sizes = self.split.sizes()
        for index, pane in ((1, self._review), (2, self._rubric)):
            placeholder = self.split.replaceWidget(index, pane)
            if placeholder is not None:
                placeholder.deleteLater()
        self.split.setSizes(sizes)
        self._restore_review_layout()
        apply_style(self._review, self._rubric)
        self._rubric.judgment_edited.connect(self._on_judgment_edited)
        try:
            title = f"{APP_NAME} — {self.ws.actor.name}"
        except UserFacingError as exc:  # the settings file is broken: say so and stop
            self.failed = exc
            log.error("cannot open the workstation: %s", exc)
            from ui import messages

            messages.show_error(self, exc, title="Cannot open Assessor")
            QTimer.singleShot(0, self, self.close)
            return
        from ui.review.moderation_controller import ModerationController

        self.moderation = ModerationController(self)
        self._connect_evidence()
        from ui.review.feedback_controller import FeedbackController

        self.feedback = FeedbackController(self)
        self.queue.finish_loading()
        self.setWindowTitle(title)
        self._build_menus(hub_configured=self.ws.settings.hub_configured)
        self.refresh_status()
        self._sync_controller.start()
        # Build the read-write store (and import the ORM) once the first screen is painted:
        # that import holds the GIL for a while and must not compete with the first paint.
        QTimer.singleShot(STORE_WARMUP_DELAY_MS, self, self._warm_up_store)
        QTimer.singleShot(RENDER_WARMUP_DELAY_MS, self, self._warm_up_renderer)

    @property
    def review(self) -> ReviewPane:
        self.finish_loading()
        return self._review

    @property
    def rubric(self) -> RubricPanel:
        self.finish_loading()
        return self._rubric

    @property
    def viewer(self) -> EvidenceViewer:
        self.finish_loading()
        return self._review.viewer

    @property
    def evidence_source(self) -> EvidenceSource:
        """Where the viewer reads evidence bytes from (this computer's encrypted cache)."""
        self.finish_loading()
        return self._evidence

    def use_evidence_source(self, source: EvidenceSource) -> None:
        """Read evidence from ``source`` from now on (tests pass one with its own key)."""
        self.finish_loading()
        self._evidence = source

    @property
    def sync_label(self) -> QLabel:
        self.finish_loading()
        return self._sync_label

    @property
    def sync_action(self) -> QAction:
        self.finish_loading()
        return self._sync_action

    @property
    def sync_controller(self) -> SyncController:
        self.finish_loading()
        return self._sync_controller

    @property
    def sign_action(self) -> QAction:
        self.finish_loading()
        return self._sign_action

    @property
    def decisions(self) -> DecisionController:
        """Approve, request resubmission, sign all approved (ui/review/decision_flow.py)."""
        self.finish_loading()
        return self._decisions

    def _warm_up_store(self) -> None:
        if self.isVisible():
            self.runner.run(lambda: self.ws.store, store=True)

    def _warm_up_renderer(self) -> None:
        if self.isVisible() and not self.ws.queue.closed:
            self._review.viewer.service().start()  # returns at once; workers start behind

    # -- menus and shortcuts ----------------------------------------------------------

    def _action(self, menu: Any, text: str, slot: Any, shortcut: str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self, *, hub_configured: bool) -> None:
        """Fill the menus (after the first paint); new menus go in ``MENU_TITLES``."""
        file = self.menus["file"]
        from ui.sync.controller import SyncController

        self._sync_controller = SyncController(self.ws, self.runner, self, self._sync_label)
        self._sync_controller.add_to(file, self.statusBar())
        self._sync_controller.synced.connect(self._after_sync)
        self._sync_controller.signed_in.connect(self._after_sign_in)
        self._sync_action = self._sync_controller.sync_action
        file.addSeparator()
        self._action(file, "Load &Demo Submissions", self.load_demo,
                     tip="Add the demo organisation's sample submissions to try things out")
        self._action(file, "Open Data &Folder", self._open_data_folder,
                     tip=str(self.ws.paths.home))
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")

        edit = self.menus["edit"]
        edit.addAction(self._rubric.undo.undo_action)
        edit.addAction(self._rubric.undo.redo_action)
        edit.addSeparator()
        self._find_action = self._action(edit, "&Find in Queue", self._focus_search, "Ctrl+F")
        self._action(edit, "&Clear Filters", self.queue.clear_filters, "Ctrl+Shift+F")

        view = self.menus["view"]
        self._action(view, "&Queue", self.queue.table.setFocus, "Ctrl+1")
        self._action(view, "&Submission", self._review.narrative.setFocus, "Ctrl+2")
        self._action(view, "&Rubric", self._focus_rubric, "Ctrl+3")
        view.addSeparator()
        self._action(view, "&Insights…", self.show_insights, "Ctrl+I",
                     "Charts of learners' progress, pass rates per criterion and agreement")
        view.addSeparator()
        self._action(view, "&Reset Layout", self._reset_layout)

        review = self.menus["review"]
        self._action(review, "&Next Submission", lambda: self.queue.step(1), "Ctrl+Down")
        self._action(review, "&Previous Submission", lambda: self.queue.step(-1), "Ctrl+Up")
        review.addSeparator()
        self._action(review, "Next &Criterion", lambda: self._rubric.step_criterion(1), "J")
        self._action(review, "Previous C&riterion", lambda: self._rubric.step_criterion(-1),
                     "K")
        levels = review.addMenu("Choose &Level")
        for n in range(1, 10):
            self._action(levels, f"Level {n}", lambda _=False, i=n - 1:
                         self._rubric.choose_level(i), str(n))
        self._action(review, "Co&mment on Criterion", self.focus_comment, "C",
                     "Write in the current criterion's comment box")
        review.addSeparator()
        review.addAction(self._review.viewer.pin_action)
        review.addAction(self._review.viewer.save_action)

        from ui.review.decision_flow import DecisionController

        self._decisions = DecisionController(self)
        review.addSeparator()
        self._action(review, "&Approve…", self._decisions.approve, "Ctrl+Return",
                     "Approve the submission, then preview and sign its credential")
        self._action(review, "Request Re&submission…", self._decisions.request_resubmission,
                     "Ctrl+Shift+R", "Send the submission back with feedback to the learner")
        self._sign_action = self._action(
            review, "&Sign Credential…", lambda _=False: self.sign_current(), "Ctrl+Shift+S",
            "Preview and sign the Open Badges credential of the approved submission")
        self._sign_action.setEnabled(False)
        self._action(review, "Sign All &Approved…", self._decisions.sign_all_approved,
                     tip="Sign every approved submission that is not signed yet")
        from ui.windows.credential_actions import CredentialActions

        self.credentials = CredentialActions(self)
        review.addSeparator()
        review.addActions(list(self.credentials.actions))
        self._rubric.decision_bar.add_credential_actions(
            list(zip(self.credentials.actions, ("Copy Link", "Open Page", "Save…"), strict=True)))

        tools = self.menus["tools"]
        self._action(tools, "&Verify Audit Log", self.verify_audit, "Ctrl+Shift+V",
                     "Check the hash chain of every recorded change")
        self._action(tools, "Copy &Public Key", self.copy_public_key,
                     tip="Copy this computer's public signing key (Multikey, JWK, did:key) "
                     "for enrolment with the hub")
        self.feedback.add_actions(review, tools)

        help_menu = self.menus["help"]
        self._action(help_menu, "&Keyboard Shortcuts", self.show_shortcuts, "F1")
        self._action(help_menu, f"&About {APP_NAME}", self._about)

    def show_insights(self) -> None:
        from ui.insights import open_insights  # ~80 ms of imports: only when asked for

        open_insights(self, self.ws, runner=self.runner,
                      second_marks=self.moderation.second_marks_source())

    # -- review -----------------------------------------------------------------------

    def _on_submission_selected(self, submission_id: str) -> None:
        if submission_id and submission_id == self._wanted_id and self._snapshot is not None \
                and self._snapshot.submission.id == submission_id:
            return  # the queue re-selected the open submission (its row moved on a refresh):
            # reloading it would race the edits still being saved and show older values
        self.reload_submission(submission_id)

    def reload_submission(self, submission_id: str) -> None:
        """Read ``submission_id`` from the store and show it (or nothing for "")."""
        self.rubric.flush()
        self._wanted_id = submission_id
        if not submission_id:
            self._show_snapshot(None)
            return
        self.statusBar().showMessage("Opening…")
        self.runner.run(lambda: self.ws.store.review(submission_id),
                        self._on_review_loaded, self._on_error, store=True)

    def _on_review_loaded(self, snapshot: ReviewSnapshot) -> None:
        if snapshot.submission.id != self._wanted_id:
            return  # the user has moved on
        self.statusBar().clearMessage()
        self._show_snapshot(snapshot)

    def _show_snapshot(self, snapshot: ReviewSnapshot | None) -> None:
        self._snapshot = snapshot
        reason = snapshot.why_locked(self.ws.actor) if snapshot else ""
        self.rubric.show_review(snapshot, reason)
        viewer = self.review.viewer
        viewer.set_pins_allowed(not reason, f"You cannot add pins here. {reason}")
        viewer.set_pins(self.rubric.all_pins())
        self.review.show_review(snapshot)
        self.sign_action.setEnabled(
            snapshot is not None and snapshot.submission.state.value == "approved"
            and self.ws.actor.role.value == "assessor")
        self.moderation.show(snapshot)  # a moderator's panel in the rubric's place
        credentials = getattr(self, "credentials", None)
        if credentials is not None:
            credentials.show(snapshot)

    # -- evidence and pins -------------------------------------------------------------

    def _connect_evidence(self) -> None:
        viewer = self._review.viewer
        self._review.evidence_selected.connect(self._on_evidence_selected)
        viewer.pin_requested.connect(self._on_pin_requested)
        viewer.pin_clicked.connect(self._rubric.focus_pin)
        viewer.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._rubric.pins_changed.connect(
            lambda: self._review.viewer.set_pins(self._rubric.all_pins()))
        self._rubric.pin_activated.connect(self.show_pin)
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Inside an evidence view, Ctrl+F finds in the evidence: the window's Find in Queue
        steps aside there (two Ctrl+F shortcuts at once would make Qt run neither)."""
        action = getattr(self, "_find_action", None)
        if action is None:
            return
        inside = new is not None and self._review.viewer.stack.isAncestorOf(new)
        action.setShortcut(QKeySequence() if inside else QKeySequence("Ctrl+F"))

    def _on_evidence_selected(self, item: EvidenceItem | None) -> None:
        viewer = self.review.viewer
        if item is None:
            viewer.clear()
            return
        source = self._evidence
        viewer.open_item(item, lambda: source.read(item))

    def show_pin(self, pin: Pin) -> None:
        """Open the pin's evidence (if another is on show) and bring the pin into view."""
        viewer = self.review.viewer
        viewer.show_pin(pin)
        current = viewer.item
        if current is None or current.id != pin.evidence_id:
            self.review.select_evidence(pin.evidence_id)

    def _on_pin_requested(self, pin: Pin) -> None:
        """The user drew or marked a pin: ask which criterion it backs, then save it."""
        snapshot = self._snapshot
        if snapshot is None:
            return
        names = {item.id: item.file_name for item in snapshot.submission.evidence}
        if pin.evidence_id not in names:
            return
        reason = snapshot.why_locked(self.ws.actor)
        if reason:
            self.statusBar().showMessage(f"You cannot add pins here. {reason}", 6000)
            return
        from ui.evidence.pin_dialog import PinDialog
        from ui.evidence.pin_text import where

        current = self.rubric.current_card
        criteria = [(c.key, c.title) for c in snapshot.rubric.criteria]
        dialog = PinDialog(criteria, current.criterion.key if current else None,
                           f"{names[pin.evidence_id]}, {where(pin)}", self)
        submission_id = snapshot.submission.id
        dialog.accepted.connect(lambda: self._save_pin(submission_id, pin, *dialog.choice()))
        dialog.finished.connect(dialog.deleteLater)
        self.pin_dialog = dialog
        dialog.open()

    def _save_pin(self, submission_id: str, pin: Pin, criterion_key: str, note: str) -> None:
        """Add the pin to the criterion's judgment: the card saves it the way it saves a
        level or a comment (``judgment_edited`` → ``Store.record_judgment``)."""
        import dataclasses

        if self._wanted_id != submission_id:
            return
        card = self.rubric.card_for(criterion_key)
        if card is None:
            return
        card.add_pin(dataclasses.replace(pin, note=note))
        self.rubric.set_current(self.rubric.cards.index(card))
        self.statusBar().showMessage(f"Pinned to “{card.criterion.title}”", 4000)

    # -- signing ----------------------------------------------------------------------

    def sign_current(self, intro: str = "") -> None:
        """Preview the credential of the open approved submission, then sign on accept
        (``intro`` heads the dialog, e.g. after approving)."""
        snapshot = self._snapshot
        if snapshot is None or snapshot.submission.state.value != "approved":
            self.statusBar().showMessage("Open an approved submission to sign it.", 4000)
            return
        submission_id, actor = snapshot.submission.id, self.ws.actor

        def prepare() -> tuple[SigningPreview, bool]:
            preview = self.ws.signing().preview(submission_id, actor)
            return preview, self.ws.keys.active() is not None

        self.statusBar().showMessage("Preparing the credential…")
        self.runner.run(prepare, lambda prepared: self._show_signing_dialog(prepared, intro),
                        self._on_error, store=True)

    def _show_signing_dialog(self, prepared: tuple[SigningPreview, bool],
                             intro: str = "") -> None:
        from ui.windows.signing_dialog import SigningDialog

        self.statusBar().clearMessage()
        preview, has_key = prepared
        dialog = SigningDialog(preview, has_key, self, intro=intro)
        dialog.accepted.connect(lambda: self._sign(preview, has_key))
        dialog.finished.connect(dialog.deleteLater)
        self.signing_dialog = dialog
        dialog.open()

    def _sign(self, preview: SigningPreview, has_key: bool) -> None:
        actor = self.ws.actor

        def sign() -> dict[str, Any]:
            if not has_key and self.ws.keys.active() is None:
                self.ws.keys.create()
            return self.ws.signing().sign(preview, actor)

        def signed(credential: dict[str, Any]) -> None:
            message = f"Signed {credential['name']} — it goes to the hub at the next sync"
            self.statusBar().showMessage(message, 8000)
            self.queue.refresh()
            self.refresh_status()
            if self._wanted_id == preview.submission_id:
                self.runner.run(lambda: self.ws.store.review(preview.submission_id),
                                lambda snapshot: self._after_signing(snapshot, message),
                                self._on_error, store=True)

        self.statusBar().showMessage("Signing…")
        self.runner.run(sign, signed, self._on_error, store=True)

    def _after_signing(self, snapshot: ReviewSnapshot, message: str) -> None:
        if snapshot.submission.id == self._wanted_id:
            self._show_snapshot(snapshot)
        self.statusBar().showMessage(message, 8000)

    def copy_public_key(self) -> None:
        def export() -> str:
            import json

            active = self.ws.keys.active()
            if active is None:
                return ""
            return json.dumps(active.public_export(), indent=2)

        def copied(text: str) -> None:
            from PySide6.QtGui import QGuiApplication

            if not text:
                self.statusBar().showMessage(
                    "No signing key yet: one is made when you first sign a credential.", 6000)
                return
            QGuiApplication.clipboard().setText(text)
            self.statusBar().showMessage("Public key copied: send it to your hub's "
                                         "administrator for enrolment", 6000)

        self.runner.run(export, copied, self._on_error)

    def _on_judgment_edited(self, draft: JudgmentDraft) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        submission_id = snapshot.submission.id
        actor = self.ws.actor
        self.rubric.update_outcome()

        def saved(judgment: Judgment) -> None:
            self._after_save(judgment)

        def failed(exc: Exception) -> None:
            card = self.rubric.card_for(draft.criterion_key)
            if card is not None and self._wanted_id == submission_id:
                card.mark_failed()
                self.rubric.update_outcome()
            self._on_error(exc)

        self.runner.run(lambda: self.ws.store.record_judgment(submission_id, draft, actor),
                        saved, failed, store=True)

    def _after_save(self, judgment: Judgment) -> None:
        if self._snapshot is not None and self._snapshot.submission.id == judgment.submission_id:
            card = self.rubric.card_for(judgment.criterion_key)
            if card is not None:
                card.mark_saved(judgment)
        self.statusBar().showMessage("Judgment saved", 2000)
        # The card shows "Saved" first; the queue row and the status bar's count follow a
        # moment later, once for a burst of key presses rather than once per press.
        if self._refresh_after_save is None:
            self._refresh_after_save = QTimer(self, singleShot=True, interval=SAVE_REFRESH_MS)
            self._refresh_after_save.timeout.connect(self._refresh_after_saves)
        self._refresh_after_save.start()

    def _refresh_after_saves(self) -> None:
        self.queue.refresh()
        self.refresh_status()

    # -- other actions ----------------------------------------------------------------

    def load_demo(self) -> None:
        """Open the demo organisation (served in process, then synced); where the embedded
        demo is switched off, add generated demo submissions to the store instead."""
        if self.sync_controller.open_demo():
            return
        from assessor.demo import RUBRICS, TEMPLATES, generate_submissions

        user_id = self.ws.actor.user_id

        def seed() -> int:
            store = self.ws.store
            for rubric in RUBRICS:
                store.put_rubric(rubric)
            for template in TEMPLATES:
                store.put_template(template)
            return store.receive(generate_submissions(60, assessor_id=user_id))

        def done(added: int) -> None:
            self.queue.refresh()
            self.statusBar().showMessage(f"Added {added} demo submissions", 4000)

        self.runner.run(seed, done, self._on_error, store=True)

    def verify_audit(self) -> None:
        from ui import messages

        def done(report: ChainReport) -> None:
            self.statusBar().showMessage(str(report), 6000)
            if not messages.NO_ERROR_WINDOWS:
                from PySide6.QtWidgets import QMessageBox

                box = QMessageBox.information if report.ok else QMessageBox.critical
                box(self, "Audit log", str(report))

        self.runner.run(self.ws.store.verify_audit, done, self._on_error, store=True)

    def show_shortcuts(self) -> None:
        from ui import messages
        from ui.windows.shortcuts_dialog import ShortcutsDialog

        previous = getattr(self, "shortcuts_dialog", None)
        if previous is not None:
            previous.deleteLater()
        dialog = ShortcutsDialog(SHORTCUTS, self)
        self.shortcuts_dialog = dialog
        if messages.NO_ERROR_WINDOWS:
            dialog.show()
            dialog.close()
        else:
            dialog.exec()

    def refresh_status(self) -> None:
        controller = getattr(self, "_sync_controller", None)
        if controller is not None:
            controller.refresh()
        else:
            self._sync_label.setText(self.ws.sync_status().describe())

    def _after_sync(self, report: object) -> None:
        """New or changed submissions arrived: show them, and the open one as it is now."""
        self.queue.refresh()
        if self._snapshot is not None:
            self.reload_submission(self._snapshot.submission.id)

    def _after_sign_in(self) -> None:
        """Someone (perhaps another user or role) signed in: the title, the queue's opening
        filter and the open submission's controls follow who is working now."""
        try:
            self.setWindowTitle(f"{APP_NAME} — {self.ws.actor.name}")
        except UserFacingError:
            return
        self.moderation.user_changed()
        self.queue.refresh()
        if self._snapshot is not None:
            self.reload_submission(self._snapshot.submission.id)

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, f"About {APP_NAME}",
                          f"<b>{APP_NAME} {__version__}</b><br>Judge workplace evidence "
                          "against rubrics, offline, and sign the results as Open Badges 3.0 "
                          f"credentials.<br><br>Data folder: {self.ws.paths.home}")

    def _open_data_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ws.paths.home)))

    def _focus_search(self) -> None:
        self.queue.search.setFocus()
        self.queue.search.selectAll()

    def focus_comment(self) -> None:
        """Put the cursor at the end of the current criterion's comment."""
        card = self.rubric.current_card
        if card is None:
            return
        card.comment.setFocus()
        card.comment.moveCursor(QTextCursor.MoveOperation.End)

    def _focus_rubric(self) -> None:
        if self.rubric.cards:
            self.rubric.cards[0].levels.buttons()[0].setFocus()

    def _on_error(self, exc: Exception) -> None:
        from ui import messages

        self.statusBar().clearMessage()
        messages.show_error(self, exc)

    # -- layout memory and shutdown ---------------------------------------------------

    def _default_size(self) -> None:
        """1400×860, or nine tenths of a smaller screen."""
        screen = self.screen().availableGeometry()
        self.resize(min(1400, screen.width() * 9 // 10), min(860, screen.height() * 9 // 10))

    def _remembered_sort(self) -> tuple[QueueSort, bool]:
        """The queue's order when the window was last closed (due date first otherwise)."""
        sort, _, direction = str(self.ui_state.value("queueSort", "")).partition(":")
        try:
            return QueueSort(sort), direction == "desc"
        except ValueError:
            return QueueSort.DUE, False

    def _restore_review_layout(self) -> None:
        """The review pane's own splitters, as they were left (or the default)."""
        review = self._review
        restored = True
        for key, splitter in (("reviewSplit", review.split),
                              ("reviewTopSplit", review.top_split)):
            value = self.ui_state.value(key)
            restored = restored and isinstance(value, QByteArray) \
                and splitter.restoreState(value)
        if not restored:
            QTimer.singleShot(0, self, self._reset_review_layout)

    def _reset_review_layout(self) -> None:
        """The evidence viewer takes about three quarters of the review pane's height."""
        split, top = self._review.split, self._review.top_split
        height, width = sum(split.sizes()), sum(top.sizes())
        split.setSizes([height * 26 // 100, height - height * 26 // 100])
        top.setSizes([width * 58 // 100, width - width * 58 // 100])

    def _restore_layout(self) -> None:
        if not isinstance(self.ui_state.value("split"), QByteArray):
            QTimer.singleShot(0, self, self._reset_layout)
        for key, restore in (("geometry", self.restoreGeometry),
                             ("split", self.split.restoreState),
                             ("queueHeader", self.queue.table.horizontalHeader().restoreState)):
            value = self.ui_state.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def _save_layout(self) -> None:
        self.ui_state.setValue("geometry", self.saveGeometry())
        self.ui_state.setValue("split", self.split.saveState())
        self.ui_state.setValue("queueHeader", self.queue.table.horizontalHeader().saveState())
        if self._loaded:
            self.ui_state.setValue("reviewSplit", self._review.split.saveState())
            self.ui_state.setValue("reviewTopSplit", self._review.top_split.saveState())
        sort, descending = self.queue.sort_order()
        self.ui_state.setValue("queueSort", f"{sort.value}:{'desc' if descending else 'asc'}")
        self.ui_state.sync()

    def _reset_layout(self) -> None:
        """The queue gets room for learner, credential, attempt, due date and state."""
        total = sum(self.split.sizes())
        queue, review = total * QUEUE_SHARE // 100, total * REVIEW_SHARE // 100
        self.split.setSizes([queue, review, total - queue - review])
        if self._loaded:
            self._reset_review_layout()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._loaded:
            self._rubric.flush()  # a comment typed in the last moment is saved, not dropped
        controller = getattr(self, "_sync_controller", None)
        if controller is not None:
            controller.shutdown()  # a running sync stops at its next step; nothing is lost
        if self._loaded:
            self._review.viewer.shutdown()  # stops the render workers; pending opens end
        self.runner.wait()
        if controller is not None:
            controller.stop_demo()
        self._save_layout()
        super().closeEvent(event)
