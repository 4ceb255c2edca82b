"""RubricPanel: one card per criterion, levels chosen by click or number key.

The panel does not save anything itself: it emits ``judgment_edited`` and the main window
records the judgment through the core, then calls ``mark_saved``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from assessor.domain.judgment import Judgment
    from assessor.domain.review import ReviewSnapshot
    from assessor.domain.rubric import Criterion, MasteryOutcome

COMMENT_SAVE_DELAY_MS = 700


class CriterionCard(QFrame):
    """Signals:
        edited(JudgmentDraft): the level or the comment changed.
        focused(): the user clicked into this card.
    """

    edited = Signal(object)
    focused = Signal()

    def __init__(self, criterion: Criterion, judgment: Judgment | None, number: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.criterion = criterion
        self._judgment = judgment
        self.setObjectName("criterionCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setProperty("current", False)

        title = QLabel(f"<b>{number}. {criterion.title}</b>")
        title.setTextFormat(Qt.TextFormat.RichText)
        badges = []
        if criterion.required:
            badges.append(f"required · pass at {criterion.level(criterion.pass_level).name}")
        if criterion.weight != 1:
            badges.append(f"weight ×{criterion.weight:g}")
        badge = QLabel(" · ".join(badges))
        badge.setObjectName("criterionBadge")
        badge.setWordWrap(True)
        title.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("saveStatus")
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(self.status)

        description = QLabel(criterion.description)
        description.setWordWrap(True)
        description.setObjectName("criterionDescription")

        self.levels = QButtonGroup(self)
        self.levels.setExclusive(False)  # allows un-choosing by clicking the chosen level
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        for i, level in enumerate(criterion.levels):
            button = QPushButton(f"{i + 1}   {level.name} · {level.points:g}")
            button.setCheckable(True)
            button.setObjectName("levelButton")
            button.setToolTip(f"Press {i + 1} to choose")
            button.setProperty("passing", criterion.meets_pass(level.key))
            button.setMinimumWidth(140)
            descriptor = QLabel(level.descriptor)
            descriptor.setWordWrap(True)
            descriptor.setObjectName("levelDescriptor")
            descriptor.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.levels.addButton(button, i)
            grid.addWidget(button, i, 0)
            grid.addWidget(descriptor, i, 1)
        self.levels.idClicked.connect(self._on_level_clicked)

        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("Comment on this criterion (saved as you type)")
        self.comment.setFixedHeight(56)
        self.comment.setTabChangesFocus(True)
        self._comment_timer = QTimer(self, singleShot=True, interval=COMMENT_SAVE_DELAY_MS)
        self._comment_timer.timeout.connect(self._emit)
        self.comment.textChanged.connect(self._comment_timer.start)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        if badges:
            layout.addWidget(badge)
        layout.addWidget(description)
        layout.addLayout(grid)
        layout.addWidget(self.comment)
        self._show(judgment)

    # -- state ------------------------------------------------------------------------

    def chosen_level(self) -> str | None:
        checked = self.levels.checkedId()
        return None if checked < 0 else self.criterion.levels[checked].key

    def choose(self, index: int) -> None:
        """Choose the level at ``index`` (as the number keys do)."""
        if 0 <= index < len(self.criterion.levels) and self.isEnabled():
            button = self.levels.button(index)
            if not button.isChecked():
                button.click()

    def set_locked(self, locked: bool) -> None:
        for button in self.levels.buttons():
            button.setEnabled(not locked)
        self.comment.setReadOnly(locked)

    def mark_saved(self, judgment: Judgment) -> None:
        self._judgment = judgment
        self.status.setText("Saved")
        self.status.setToolTip(f"Saved {judgment.at.astimezone():%H:%M:%S}, "
                               f"revision {judgment.revision}")

    def mark_failed(self) -> None:
        self.status.setText("Not saved")
        self._show(self._judgment)

    def flush(self) -> None:
        """Save a pending comment edit now (before switching submission or quitting)."""
        if self._comment_timer.isActive():
            self._comment_timer.stop()
            self._emit()

    def set_current(self, current: bool) -> None:
        self.setProperty("current", current)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.focused.emit()
        super().mousePressEvent(event)

    def _show(self, judgment: Judgment | None) -> None:
        level = judgment.level_key if judgment else None
        for i, lv in enumerate(self.criterion.levels):
            self.levels.button(i).setChecked(lv.key == level)
        self.comment.blockSignals(True)
        self.comment.setPlainText(judgment.comment if judgment else "")
        self.comment.blockSignals(False)
        if judgment:
            self.status.setText("Saved")

    def _on_level_clicked(self, index: int) -> None:
        for i, button in enumerate(self.levels.buttons()):
            if i != index:
                button.setChecked(False)
        self.focused.emit()
        self._emit()

    def _emit(self) -> None:
        from assessor.domain.judgment import JudgmentDraft

        pins = self._judgment.pins if self._judgment else ()
        self.status.setText("Saving…")
        self.edited.emit(JudgmentDraft(self.criterion.key, self.chosen_level(),
                                       self.comment.toPlainText(), pins))


class RubricPanel(QWidget):
    """Signals:
        judgment_edited(JudgmentDraft): a criterion's level or comment changed.
    """

    judgment_edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rubricPanel")
        self.title = QLabel("Rubric")
        self.title.setObjectName("paneTitle")
        self.outcome = QLabel()
        self.outcome.setObjectName("mastery")
        self.outcome.setWordWrap(True)
        self.lock_note = QLabel()
        self.lock_note.setObjectName("lockNote")
        self.lock_note.setWordWrap(True)
        self.lock_note.hide()
        self._cards_host = QWidget()
        self._cards = QVBoxLayout(self._cards_host)
        self._cards.setContentsMargins(0, 0, 0, 0)
        self._cards.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._cards_host)
        self._scroll = scroll
        self.placeholder = QLabel("The rubric of the selected submission appears here.")
        self.placeholder.setObjectName("emptyBody")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 8, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.outcome)
        layout.addWidget(self.lock_note)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.placeholder, 1)
        scroll.hide()
        self.cards: list[CriterionCard] = []
        self._current = 0
        self._snapshot: ReviewSnapshot | None = None

    def show_review(self, snapshot: ReviewSnapshot | None, locked_reason: str = "") -> None:
        self.flush()
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        self._snapshot = snapshot
        if snapshot is None:
            self.title.setText("Rubric")
            self.outcome.clear()
            self.lock_note.hide()
            self._scroll.hide()
            self.placeholder.show()
            return
        rubric = snapshot.rubric
        self.title.setText(f"{rubric.title}  <span style='color:gray'>v{rubric.version}</span>")
        for number, criterion in enumerate(rubric.criteria, start=1):
            card = CriterionCard(criterion, snapshot.judgments.get(criterion.key), number)
            card.edited.connect(self.judgment_edited)
            card.focused.connect(lambda c=card: self.set_current(self.cards.index(c)))
            card.set_locked(bool(locked_reason))
            self._cards.insertWidget(self._cards.count() - 1, card)
            self.cards.append(card)
        self.lock_note.setText(locked_reason)
        self.lock_note.setVisible(bool(locked_reason))
        self.placeholder.hide()
        self._scroll.show()
        self.set_current(0)
        self.update_outcome()

    def chosen_levels(self) -> dict[str, str | None]:
        return {card.criterion.key: card.chosen_level() for card in self.cards}

    def update_outcome(self) -> MasteryOutcome | None:
        if self._snapshot is None:
            return None
        outcome = self._snapshot.rubric.evaluate(self.chosen_levels())
        if outcome.mastered:
            verdict = "<b style='color:#1b6e3a'>Mastery met</b>"
        elif outcome.unjudged:
            verdict = f"{len(outcome.unjudged)} of {len(self.cards)} criteria still to judge"
        else:
            verdict = "<b style='color:#b3261e'>Mastery not met</b>"
        unmet = [self._snapshot.rubric.criterion(k).title for k in outcome.unmet_required
                 if k not in outcome.unjudged]
        detail = f"<br>Below pass level: {', '.join(unmet)}" if unmet else ""
        self.outcome.setText(
            f"Total <b>{outcome.total:g}</b> of {outcome.max_total:g} "
            f"(cut score {outcome.cut_score:g}) — {verdict}{detail}")
        return outcome

    def card_for(self, criterion_key: str) -> CriterionCard | None:
        return next((c for c in self.cards if c.criterion.key == criterion_key), None)

    def set_current(self, index: int) -> None:
        if not self.cards:
            return
        self._current = max(0, min(index, len(self.cards) - 1))
        for i, card in enumerate(self.cards):
            card.set_current(i == self._current)
        self._scroll.ensureWidgetVisible(self.cards[self._current])

    def step_criterion(self, delta: int) -> None:
        self.set_current(self._current + delta)

    def choose_level(self, index: int) -> None:
        if self.cards:
            self.cards[self._current].choose(index)

    def flush(self) -> None:
        for card in self.cards:
            card.flush()
