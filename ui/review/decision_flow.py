"""DecisionController: approve (then sign), request resubmission, and sign all approved.

The controller asks and shows; the core decides. Every decision is one store call on the
store lane (``Store.decide`` or ``Store.request_resubmission``), so it is audited and queued
for sync in the same transaction, and it runs after any judgment edit still being saved
(the lane is serial). After a decision the undo history of the submission is cleared.

Approving records the decision, then opens the signing dialog with the credential the
signing service will sign. Where the organisation moderates the decision (its sampling
rule as the hub last sent it, applied by ``Store.decide``), nothing is signed: the window
says the decision went to moderation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from assessor.domain.feedback import Decision
    from assessor.domain.review import ReviewSnapshot
    from ui.review.decision_batch import BatchSignDialog
    from ui.review.decision_resubmit import ResubmissionDialog
    from ui.windows.main_window import MainWindow

SENT_TO_MODERATION = "Sent to moderation — signing waits for the moderator"

ModerationPolicy = Callable[[str], bool | None]
"""Whether the approval of this submission (id) waits for a moderator; None lets the store
apply the organisation's sampling rule (the default)."""


def organisation_rule(_submission_id: str) -> bool | None:
    return None


class DecisionController(QObject):
    def __init__(self, window: MainWindow, *,
                 needs_moderation: ModerationPolicy | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.needs_moderation: ModerationPolicy = needs_moderation or organisation_rule
        self.resubmit_dialog: ResubmissionDialog | None = None
        self.batch_dialog: BatchSignDialog | None = None
        window.rubric.decision_bar.approve_requested.connect(self.approve)
        window.rubric.decision_bar.resubmission_requested.connect(self.request_resubmission)

    # -- approve ----------------------------------------------------------------------

    def approve(self) -> None:
        """Record the approval, then preview and sign (or report moderation)."""
        window = self.window
        snapshot = window._snapshot
        bar = window.rubric.decision_bar
        if snapshot is None:
            return
        window.rubric.flush()  # a comment being typed is saved before the decision
        window.rubric.update_outcome()
        if not bar.approve_button.isEnabled():
            window.statusBar().showMessage(f"Cannot approve yet. {bar.approve_reason}", 8000)
            return
        submission_id, actor = snapshot.submission.id, window.ws.actor
        ws, policy = window.ws, self.needs_moderation

        def decide() -> tuple[Decision, ReviewSnapshot]:
            from assessor.domain.feedback import Outcome

            decision = ws.store.decide(submission_id, actor, Outcome.APPROVE,
                                       needs_moderation=policy(submission_id))
            return decision, ws.store.review(submission_id)

        window.statusBar().showMessage("Recording the approval…")
        window.runner.run(decide, self._after_approval, window._on_error, store=True)

    def _after_approval(self, result: tuple[Decision, ReviewSnapshot]) -> None:
        _decision, snapshot = result
        window = self.window
        window.rubric.undo.clear()
        self._show_if_open(snapshot)
        window.queue.refresh()
        window.refresh_status()
        if snapshot.submission.state.value == "awaiting_moderation":
            window.statusBar().showMessage(SENT_TO_MODERATION, 10_000)
            return
        if window._wanted_id == snapshot.submission.id:
            window.sign_current(intro=f"<b>Approved.</b> {snapshot.template.achievement.name} "
                                      f"for {snapshot.submission.learner.name} — total "
                                      f"{snapshot.mastery.total:g} of "
                                      f"{snapshot.mastery.max_total:g}. Sign it now, or "
                                      "later (Review ▸ Sign All Approved…).")

    # -- request resubmission ---------------------------------------------------------

    def request_resubmission(self) -> None:
        """Ask for feedback on every unmet criterion, then save it with the decision."""
        from ui.review.decision_resubmit import ResubmissionDialog

        window = self.window
        snapshot = window._snapshot
        bar = window.rubric.decision_bar
        if snapshot is None:
            return
        window.rubric.flush()
        window.rubric.update_outcome()
        if not bar.resubmit_button.isEnabled():
            window.statusBar().showMessage(bar.resubmit_reason, 8000)
            return
        rubric = window.rubric
        comments = {card.criterion.key: card.comment.toPlainText() for card in rubric.cards}
        dialog = ResubmissionDialog(snapshot.rubric, rubric.chosen_levels(), comments,
                                    snapshot.submission.learner.name, window)
        submission_id = snapshot.submission.id
        dialog.accepted.connect(lambda: self._save_resubmission(
            submission_id, dialog.feedback(), dialog.overall_note()))
        dialog.finished.connect(dialog.deleteLater)
        self.resubmit_dialog = dialog
        dialog.open()

    def _save_resubmission(self, submission_id: str, feedback: dict[str, str],
                           note: str) -> None:
        window = self.window
        ws, actor = window.ws, window.ws.actor

        def save() -> ReviewSnapshot:
            ws.store.request_resubmission(submission_id, actor, feedback, note=note)
            return ws.store.review(submission_id)

        def saved(snapshot: ReviewSnapshot) -> None:
            window.rubric.undo.clear()
            self._show_if_open(snapshot)
            window.queue.refresh()
            window.refresh_status()
            window.statusBar().showMessage(
                "Resubmission requested — the learner gets your feedback at the next sync",
                8000)

        window.statusBar().showMessage("Saving the feedback and the decision…")
        window.runner.run(save, saved, window._on_error, store=True)

    # -- batch signing ----------------------------------------------------------------

    def sign_all_approved(self) -> None:
        from ui.review.decision_batch import BatchSignDialog

        window = self.window
        dialog = BatchSignDialog(window.ws, window.runner, window)
        dialog.batch_finished.connect(self._after_batch)
        dialog.finished.connect(dialog.deleteLater)
        self.batch_dialog = dialog
        dialog.open()

    def _after_batch(self) -> None:
        window = self.window
        window.queue.refresh()
        window.refresh_status()
        snapshot = window._snapshot
        if snapshot is not None:  # the open submission may have been signed
            window.reload_submission(snapshot.submission.id)

    # -- helpers ----------------------------------------------------------------------

    def _show_if_open(self, snapshot: ReviewSnapshot) -> None:
        if self.window._wanted_id == snapshot.submission.id:
            self.window._show_snapshot(snapshot)

