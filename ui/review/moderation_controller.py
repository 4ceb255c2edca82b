"""ModerationController: moderation in the main window.

- For a moderator, the queue opens on "Awaiting moderation", and a submission in that
  state shows the ``ModerationPanel`` in the rubric's place (the rubric comes back for any
  other submission). Marks, agree and return go through ``SecondMarks`` on the store lane.
- For everyone, a message bar under the menus says why a decision waits (signing waits
  for the moderator) or shows the moderator's comment on a returned decision.
- ``second_marks_source`` feeds View → Insights' Agreement tab for moderators.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QAction, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QWidget

from assessor.domain.agreement import CriterionMark
from assessor.domain.people import Role
from assessor.domain.review import ReviewSnapshot
from assessor.domain.states import State
from assessor.errors import UserFacingError
from ui.review.moderation_panel import ModerationPanel
from ui.style import apply_style

if TYPE_CHECKING:  # the store's modules load on the store lane, after the first paint
    from assessor.store.insights import AgreementReport
    from assessor.store.second_marks import SecondMark, SecondMarks
    from assessor.store.store import Store
    from ui.windows.main_window import MainWindow

_BAR_STYLE = """
QToolBar#moderationBar { background: @warn-bg; border: none;
                         border-bottom: 1px solid @warn-border; padding: 2px 8px; }
QToolBar#moderationBar[tone="returned"] { background: @bad-bg;
                                          border-bottom: 1px solid @bad-border; }
QLabel#moderationBarText { color: @warn-text; padding: 4px; }
QToolBar#moderationBar[tone="returned"] QLabel#moderationBarText { color: @bad; }
"""


class _ElidedLabel(QLabel):
    """One line that ends in "…" when it does not fit; the whole text is its tooltip."""

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                              rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter), shown)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(100, super().minimumSizeHint().height())


class ModerationController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._snapshot: ReviewSnapshot | None = None
        self._marks: dict[str, str | None] = {}
        self._message_after_reload = ""
        self.panel = ModerationPanel()
        self.panel.hide()
        self.panel.mark_chosen.connect(self._on_mark_chosen)
        self.panel.agree_requested.connect(lambda: self._moderate(True, ""))
        self.panel.return_requested.connect(lambda note: self._moderate(False, note))
        self.panel.change_marks_requested.connect(self._back_to_marking)
        self.bar = QToolBar("Moderation", window)
        self.bar.setObjectName("moderationBar")
        self.bar.setMovable(False)
        self.bar.setFloatable(False)
        apply_style(self.bar, template=_BAR_STYLE)
        self.bar.toggleViewAction().setVisible(False)
        self.bar_text = _ElidedLabel()
        self.bar_text.setObjectName("moderationBarText")
        self.bar_text.setTextFormat(Qt.TextFormat.PlainText)
        self.bar_text.setAccessibleName("Moderation status")
        self.bar_text.setSizePolicy(QSizePolicy.Policy.Expanding,
                                    QSizePolicy.Policy.Preferred)
        self.bar.addWidget(self.bar_text)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.bar)
        self.bar.hide()
        self._keys_shared = False
        if self.is_moderator:
            self._open_queue_on_awaiting()

    # -- who and what ------------------------------------------------------------------

    @property
    def is_moderator(self) -> bool:
        try:
            return self._window.ws.actor.role is Role.MODERATOR
        except UserFacingError:  # broken settings: the window says so and closes
            return False

    @property
    def showing_panel(self) -> bool:
        return self._window.split.widget(2) is self.panel

    def second_marks_source(self) -> Callable[[], Sequence[CriterionMark]] | None:
        """For the Agreement tab: this moderator's second marks (None for others)."""
        if not self.is_moderator:
            return None
        ws, me = self._window.ws, self._window.ws.actor.user_id
        return lambda: _marks_of(ws.store).agreement_inputs(me)

    def _share_keys(self) -> None:
        """Levels 1–9 and J / K work in the moderation panel as they do in the rubric (the
        window's actions also reach the hidden rubric, which is locked for a moderator)."""
        for action in self._window.findChildren(QAction):
            key = action.shortcut().toString()
            if key.isdigit() and len(key) == 1 and key != "0":
                action.triggered.connect(lambda _=False, i=int(key) - 1: self._key_level(i))
            elif key in ("J", "K"):
                action.triggered.connect(lambda _=False, d=1 if key == "J" else -1:
                                         self._key_step(d))

    def _key_level(self, index: int) -> None:
        if self.showing_panel:
            self.panel.choose_level(index)

    def _key_step(self, delta: int) -> None:
        if self.showing_panel:
            self.panel.step_criterion(delta)

    def user_changed(self) -> None:
        """A different user or role signed in: a moderator's queue opens on "Awaiting
        moderation" as it does at start-up."""
        if self.is_moderator:
            self._open_queue_on_awaiting()

    def _open_queue_on_awaiting(self) -> None:
        combo = self._window.queue.state_filter
        found = combo.findData(State.AWAITING_MODERATION.value)
        if found >= 0:
            combo.setCurrentIndex(found)

    # -- showing a submission ----------------------------------------------------------

    def show(self, snapshot: ReviewSnapshot | None) -> None:
        """Called by the window for every submission it shows (``None``: none)."""
        self._snapshot = snapshot
        if not self._keys_shared and self.is_moderator:
            self._keys_shared = True  # the menus exist by the time a submission shows
            self._share_keys()
        self._show_bar(snapshot)
        if self._message_after_reload:  # loading the submission cleared it
            self._window.statusBar().showMessage(self._message_after_reload, 8000)
            self._message_after_reload = ""
        if (snapshot is None or not self.is_moderator
                or snapshot.submission.state is not State.AWAITING_MODERATION):
            self._blind(False)
            self._use(self._window.rubric)
            return
        self._blind(True)
        submission_id, me = snapshot.submission.id, self._window.ws.actor.user_id
        ws = self._window.ws
        self._window.runner.run(lambda: _marks_of(ws.store).of(submission_id, me),
                                lambda marks: self._marks_loaded(submission_id, marks),
                                self._window._on_error, store=True)

    def _marks_loaded(self, submission_id: str, marks: dict[str, SecondMark]) -> None:
        snapshot = self._snapshot
        if snapshot is None or snapshot.submission.id != submission_id:
            return
        self._marks = {key: mark.level_key for key, mark in marks.items()}
        if self._complete(snapshot):
            self._compare(snapshot)
        else:
            self.panel.show_blind(snapshot, self._marks)
        self._use(self.panel)

    def _complete(self, snapshot: ReviewSnapshot) -> bool:
        """Every criterion has a saved second mark (what is on disk, not what is clicked)."""
        return all(self._marks.get(c.key) for c in snapshot.rubric.criteria)

    def _blind(self, blind: bool) -> None:
        """While marking blind, nothing of the assessor's judgment shows anywhere: not the
        pins on the evidence, not the notes (the assessor's feedback names levels)."""
        window = self._window
        window.review.viewer.set_pins(() if blind else window.rubric.all_pins())
        tabs, notes = window.review.tabs, getattr(window.review, "feedback", None)
        index = tabs.indexOf(notes) if notes is not None else -1
        if index >= 0:
            if blind and tabs.currentIndex() == index:
                tabs.setCurrentIndex(0)
            tabs.setTabEnabled(index, not blind)
            tabs.setTabToolTip(index, "Hidden while you second-mark blind" if blind else "")

    def _compare(self, snapshot: ReviewSnapshot) -> None:
        self._blind(False)
        self.panel.show_comparison(snapshot, self._marks)
        ws, me = self._window.ws, self._window.ws.actor.user_id

        def report() -> AgreementReport:
            from pathlib import Path

            from assessor.store.insights import agreement_report

            return agreement_report(Path(ws.store.path),
                                    _marks_of(ws.store).agreement_inputs(me))

        self._window.runner.run(report, self.panel.show_agreement, self._window._on_error,
                                store=True)

    def _back_to_marking(self) -> None:
        if self._snapshot is not None:
            self._blind(True)
            self.panel.show_blind(self._snapshot, self._marks)

    def _use(self, widget: QWidget) -> None:
        split = self._window.split
        if split.widget(2) is widget:
            return
        sizes = split.sizes()
        split.replaceWidget(2, widget)
        widget.show()
        split.setSizes(sizes)

    # -- actions -----------------------------------------------------------------------

    def _on_mark_chosen(self, criterion_key: str, level_key: str) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        submission_id, actor, ws = snapshot.submission.id, self._window.ws.actor, self._window.ws

        def saved(mark: SecondMark) -> None:
            if self._snapshot is None or self._snapshot.submission.id != submission_id:
                return
            self._marks[mark.criterion_key] = mark.level_key
            self.panel.update_progress(self._marks)
            self._window.refresh_status()
            self._window.statusBar().showMessage("Second mark saved", 2000)
            if self._complete(self._snapshot):
                self._compare(self._snapshot)

        def failed(exc: Exception) -> None:
            if self._snapshot is not None and self._snapshot.submission.id == submission_id:
                self.panel.show_blind(self._snapshot, self._marks)  # back to what is saved
            self._window._on_error(exc)

        self._window.runner.run(
            lambda: _marks_of(ws.store).record(submission_id, criterion_key, level_key,
                                                 actor),
            saved, failed, store=True)

    def _moderate(self, agree: bool, note: str) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        submission_id, actor, ws = snapshot.submission.id, self._window.ws.actor, self._window.ws
        window = self._window

        def done(state: State) -> None:
            message = ("Agreed: the assessor can sign once this reaches the hub at the next "
                       "sync" if agree else
                       "Returned to the assessor with your comment (sent at the next sync)")
            window.queue.refresh()
            window.refresh_status()
            window.statusBar().showMessage(message, 8000)
            if window._wanted_id == submission_id:  # show it as it is now
                self._message_after_reload = message
                getattr(window, "reload_submission", window._on_submission_selected)(
                    submission_id)

        window.statusBar().showMessage("Saving the moderation…")
        window.runner.run(
            lambda: _marks_of(ws.store).moderate(submission_id, actor, agree=agree,
                                                   note=note),
            done, window._on_error, store=True)

    # -- the message bar ---------------------------------------------------------------

    def _show_bar(self, snapshot: ReviewSnapshot | None) -> None:
        text, tone = self.bar_message(snapshot)
        self.bar_text.setText(text)
        self.bar.setProperty("tone", tone)
        self.bar.style().unpolish(self.bar)
        self.bar.style().polish(self.bar)
        self.bar.setVisible(bool(text))

    def bar_message(self, snapshot: ReviewSnapshot | None) -> tuple[str, str]:
        """(text, tone) for the message bar; ("", "") hides it."""
        if snapshot is None:
            return "", ""
        state = snapshot.submission.state
        role = self._window.ws.actor.role
        if state is State.AWAITING_MODERATION:
            if role is Role.MODERATOR:
                return ("Moderation: mark every criterion blind, then compare with the "
                        "assessor's judgments and agree or return the decision.", "waiting")
            return ("Awaiting moderation: signing waits until a moderator agrees. Only a "
                    "moderator can moderate; they mark it blind, then agree or return it.",
                    "waiting")
        from assessor.store.second_marks import return_comment

        note = return_comment(snapshot.feedback, state)
        if note is not None and role is not Role.MODERATOR:
            return (f"Returned by the moderator ({note.at:%d %b %H:%M}): “{note.body}” "
                    "Review the judgments, then decide again.", "returned")
        return "", ""


def _marks_of(store: Store) -> SecondMarks:
    from assessor.store.second_marks import SecondMarks

    return SecondMarks(store)
