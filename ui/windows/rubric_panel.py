"""RubricPanel: one card per criterion, levels chosen by click or number key, and the
evidence pins that back each judgment.

The panel does not save anything itself: it emits ``judgment_edited`` (also when a pin is
added or removed) and the main window records the judgment through the core, then calls
``mark_saved``. Each edit is also a step on the panel's undo stack (``undo``), and the
decision bar under the cards shows the draft or decided state and offers the decisions.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.review.decision_bar import DecisionBar
from ui.review.undo import JudgmentUndo
from ui.style import apply_style, colours

if TYPE_CHECKING:
    from assessor.domain.judgment import Judgment, JudgmentDraft, Pin
    from assessor.domain.review import ReviewSnapshot
    from assessor.domain.rubric import Criterion, MasteryOutcome

COMMENT_SAVE_DELAY_MS = 700
PIN_FLASH_MS = 1200

_PINS_STYLE = """
QPushButton#pinLink { border: none; background: transparent; color: @accent; text-align: left;
                      padding: 2px 4px; }
QPushButton#pinLink:hover { text-decoration: underline; }
QPushButton#pinLink[flash="true"] { background: @warn-bg; border-radius: 4px; }
QToolButton#pinRemove { border: none; color: @faint; padding: 0 4px; }
QToolButton#pinRemove:hover { color: @error; }
"""


class PinLink(QPushButton):
    """A flat button whose text is cut short with "…" to the width it gets (a long note
    never widens the card). ``full_text`` keeps the whole of it."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.full_text = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        room = max(0, self.width() - 12)
        self.setText(self.fontMetrics().elidedText(self.full_text,
                                                   Qt.TextElideMode.ElideRight, room))


class CriterionCard(QFrame):
    """Signals:
        edited(JudgmentDraft): the level, the comment or the pins changed.
        focused(): the user clicked into this card.
        pins_changed(): a pin was added or removed (or a failed save put them back).
        pin_activated(Pin): the user clicked a listed pin (to see it in its evidence).
    """

    edited = Signal(object)
    focused = Signal()
    pins_changed = Signal()
    pin_activated = Signal(object)

    def __init__(self, criterion: Criterion, judgment: Judgment | None, number: int,
                 parent: QWidget | None = None, *,
                 evidence_names: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        self.criterion = criterion
        self._judgment = judgment
        self._pins: tuple[Pin, ...] = judgment.pins if judgment else ()
        self._names = dict(evidence_names or {})
        self._locked = False
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

        self.pin_box = QWidget()
        self.pin_box.setObjectName("pinBox")
        apply_style(self.pin_box, template=_PINS_STYLE)
        self._pin_rows = QVBoxLayout(self.pin_box)
        self._pin_rows.setContentsMargins(0, 0, 0, 0)
        self._pin_rows.setSpacing(0)
        self.pin_links: list[PinLink] = []

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        if badges:
            layout.addWidget(badge)
        layout.addWidget(description)
        layout.addLayout(grid)
        layout.addWidget(self.comment)
        layout.addWidget(self.pin_box)
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
        self._locked = locked
        for button in self.levels.buttons():
            button.setEnabled(not locked)
        self.comment.setReadOnly(locked)
        self._show_pins()

    def mark_saved(self, judgment: Judgment) -> None:
        self._judgment = judgment
        self.status.setText("Saved")
        self.status.setToolTip(f"Saved {judgment.at.astimezone():%H:%M:%S}, "
                               f"revision {judgment.revision}")

    def apply_draft(self, draft: JudgmentDraft) -> None:
        """Show ``draft`` (an undone or redone edit) and emit it to be saved."""
        self._comment_timer.stop()
        for i, lv in enumerate(self.criterion.levels):
            self.levels.button(i).setChecked(lv.key == draft.level_key)
        self.comment.blockSignals(True)
        self.comment.setPlainText(draft.comment)
        self.comment.blockSignals(False)
        self._pins = draft.pins
        self._show_pins()
        self.pins_changed.emit()
        self._emit()

    def mark_failed(self) -> None:
        self.status.setText("Not saved")
        self._show(self._judgment)
        self.pins_changed.emit()

    # -- pins ---------------------------------------------------------------------------

    @property
    def pins(self) -> tuple[Pin, ...]:
        """The pins as the user last left them (saved, or being saved)."""
        return self._pins

    def add_pin(self, pin: Pin) -> None:
        """Add ``pin`` and save the judgment with it."""
        if self._locked:
            return
        self._pins = (*self._pins, pin)
        self._show_pins()
        self.pins_changed.emit()
        self._emit()

    def remove_pin(self, pin: Pin) -> None:
        """Take ``pin`` away and save the judgment without it."""
        if self._locked or pin not in self._pins:
            return
        index = self._pins.index(pin)
        self._pins = self._pins[:index] + self._pins[index + 1:]
        self._show_pins()
        self.pins_changed.emit()
        self._emit()

    def flash_pin(self, pin: Pin) -> None:
        """Mark the pin's row for a moment (after it was clicked in the evidence)."""
        if pin not in self._pins:
            return
        link = self.pin_links[self._pins.index(pin)]
        link.setProperty("flash", True)
        _repolish(link)

        def unflash() -> None:
            link.setProperty("flash", False)
            _repolish(link)

        QTimer.singleShot(PIN_FLASH_MS, link, unflash)

    def pin_text(self, pin: Pin) -> str:
        from ui.evidence.pin_text import describe

        name = self._names.get(pin.evidence_id, "")
        return f"{describe(pin)}  ·  {name}" if name else describe(pin)

    def _show_pins(self) -> None:
        while self._pin_rows.count():
            item = self._pin_rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.pin_links = []
        for pin in self._pins:
            text = self.pin_text(pin)
            link = PinLink(text)
            link.setObjectName("pinLink")
            link.setFlat(True)
            link.setCursor(Qt.CursorShape.PointingHandCursor)
            link.setToolTip(f"Show in the evidence: {text}")
            link.clicked.connect(lambda _=False, p=pin: self.pin_activated.emit(p))
            remove = QToolButton()
            remove.setObjectName("pinRemove")
            remove.setText("×")
            remove.setToolTip("Remove this pin")
            remove.setVisible(not self._locked)
            remove.clicked.connect(lambda _=False, p=pin: self.remove_pin(p))
            row = QWidget()
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            row_layout.setSpacing(2)
            row_layout.addWidget(link, 1)
            row_layout.addWidget(remove)
            self._pin_rows.addWidget(row)
            self.pin_links.append(link)
        self.pin_box.setVisible(bool(self._pins))

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
        self._pins = judgment.pins if judgment else ()
        self._show_pins()

    def _on_level_clicked(self, index: int) -> None:
        for i, button in enumerate(self.levels.buttons()):
            if i != index:
                button.setChecked(False)
        self.focused.emit()
        self._emit()

    def _emit(self) -> None:
        from assessor.domain.judgment import JudgmentDraft

        self.status.setText("Saving…")
        self.edited.emit(JudgmentDraft(self.criterion.key, self.chosen_level(),
                                       self.comment.toPlainText(), self._pins))


class RubricPanel(QWidget):
    """Signals:
        judgment_edited(JudgmentDraft): a criterion's level, comment or pins changed.
        pins_changed(): the pins of some criterion changed (added, removed, put back).
        pin_activated(Pin): the user clicked a listed pin.
    """

    judgment_edited = Signal(object)
    pins_changed = Signal()
    pin_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rubricPanel")
        self.title = QLabel("Rubric")
        self.title.setObjectName("paneTitle")
        self.title.setWordWrap(True)  # a long credential name must not widen the window
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
        self.decision_bar = DecisionBar()
        layout.addWidget(self.decision_bar)
        scroll.hide()
        self.cards: list[CriterionCard] = []
        self._current = 0
        self._snapshot: ReviewSnapshot | None = None
        self._locked_reason = ""
        self.undo = JudgmentUndo(self._apply_draft, self.flush, self)

    def _apply_draft(self, draft: JudgmentDraft) -> None:
        card = self.card_for(draft.criterion_key)
        if card is not None:
            self.set_current(self.cards.index(card))
            card.apply_draft(draft)

    def _on_card_edited(self, draft: JudgmentDraft) -> None:
        self.undo.record(draft)
        self.judgment_edited.emit(draft)

    def show_review(self, snapshot: ReviewSnapshot | None, locked_reason: str = "") -> None:
        self.flush()
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        previous = self._snapshot
        self._snapshot = snapshot
        self._locked_reason = locked_reason
        if snapshot is None:
            self.title.setText("Rubric")
            self.outcome.clear()
            self.lock_note.hide()
            self._scroll.hide()
            self.placeholder.show()
            self.undo.clear()
            self.decision_bar.show_nothing()
            return
        same = previous is not None and previous.submission.id == snapshot.submission.id
        self.undo.reset(snapshot.submission.id, snapshot.judgments,
                        {c.key: c.title for c in snapshot.rubric.criteria},
                        keep=same and not locked_reason)
        rubric = snapshot.rubric
        self.title.setText(f"{rubric.title}  <span style='color:gray'>v{rubric.version}</span>")
        names = {item.id: item.file_name for item in snapshot.submission.evidence}
        for number, criterion in enumerate(rubric.criteria, start=1):
            card = CriterionCard(criterion, snapshot.judgments.get(criterion.key), number,
                                 evidence_names=names)
            card.edited.connect(self._on_card_edited)
            card.pins_changed.connect(self.pins_changed)
            card.pin_activated.connect(self.pin_activated)
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
            verdict = f"<b style='color:{colours()['ok']}'>Mastery met</b>"
        elif outcome.unjudged:
            verdict = f"{len(outcome.unjudged)} of {len(self.cards)} criteria still to judge"
        else:
            verdict = f"<b style='color:{colours()['error']}'>Mastery not met</b>"
        unmet = [self._snapshot.rubric.criterion(k).title for k in outcome.unmet_required
                 if k not in outcome.unjudged]
        detail = f"<br>Below pass level: {', '.join(unmet)}" if unmet else ""
        self.outcome.setText(
            f"Total <b>{outcome.total:g}</b> of {outcome.max_total:g} "
            f"(cut score {outcome.cut_score:g}) — {verdict}{detail}")
        judged_any = any(card.chosen_level() is not None or card.comment.toPlainText().strip()
                         for card in self.cards)
        self.decision_bar.show_state(self._snapshot.submission.state, self._snapshot.rubric,
                                     outcome, self._locked_reason, judged_any=judged_any)
        return outcome

    def card_for(self, criterion_key: str) -> CriterionCard | None:
        return next((c for c in self.cards if c.criterion.key == criterion_key), None)

    @property
    def current_card(self) -> CriterionCard | None:
        return self.cards[self._current] if self.cards else None

    def all_pins(self) -> tuple[Pin, ...]:
        """Every pin of the open submission, criterion by criterion."""
        return tuple(pin for card in self.cards for pin in card.pins)

    def card_with_pin(self, pin: Pin) -> CriterionCard | None:
        return next((c for c in self.cards if pin in c.pins), None)

    def focus_pin(self, pin: Pin) -> None:
        """Make the card holding ``pin`` the current one and mark the pin in its list."""
        card = self.card_with_pin(pin)
        if card is not None:
            self.set_current(self.cards.index(card))
            card.flash_pin(pin)

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


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
