"""ModerationPanel: a moderator's two steps on a decision awaiting moderation.

1. *Blind second marking*: the rubric's criteria with every level descriptor, and nothing
   of the assessor's judgment. The panel is not even given the assessor's levels or
   comments until the moderator has marked every criterion (``show_comparison``), so
   nothing can leak through a tooltip, an accessible name or a hidden widget.
2. *Compare and decide*: the assessor's level and the moderator's, side by side per
   criterion (differences highlighted), the assessor's comments, the moderator's
   agreement with assessors so far (exact agreement and Cohen's kappa per criterion),
   and Agree / Return to assessor… (a return needs a comment).

Signals:
    mark_chosen(str, str): the moderator chose a level (criterion key, level key).
    agree_requested(): the moderator agrees with the decision.
    return_requested(str): the moderator returns the decision with this comment.
    change_marks_requested(): back to step 1 to change a mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPalette,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assessor.domain.agreement import KAPPA_GUIDE
from assessor.domain.judgment import Judgment
from assessor.domain.review import ReviewSnapshot
from assessor.domain.rubric import Criterion
from ui.review.moderation_return import ReturnDialog
from ui.style import apply_style, colours, workstation_template

if TYPE_CHECKING:
    from assessor.store.insights import AgreementReport

_EXTRA_STYLE = """
QLabel#stepOn { font-weight: 600; color: @on-accent; background: @accent; border-radius: 10px;
                padding: 3px 8px; }
QLabel#stepOff { color: @muted; background: @neutral-bg; border-radius: 10px; padding: 3px 8px; }
QLabel#moderationNote { padding: 6px 8px; background: @info-bg; border: 1px solid @info-border;
                        border-radius: 6px; color: @accent; }
QLabel#assessorComments { padding: 6px 8px; background: @subtle; border-radius: 6px; }
QPushButton#agreeButton { padding: 6px 12px; background: @ok; color: @on-accent;
                          border: 1px solid @ok; border-radius: 6px; font-weight: 600; }
QPushButton#agreeButton:disabled { background: @disabled-bg; border-color: @disabled-bg;
                                   color: @faint; }
QPushButton#returnButton { padding: 6px 10px; border: 1px solid @bad; color: @bad;
                           border-radius: 6px; background: palette(base); }
"""

SAME_ROLE = Qt.ItemDataRole.UserRole + 1
"""Whether a comparison row's two levels are the same (its colours follow the palette)."""


def row_colours(same: bool) -> tuple[QColor, QColor]:
    """Background and text of a comparison row in the palette now: a green wash where
    the moderator's level is the assessor's, a red wash where they differ."""
    palette = colours()
    return (QColor(palette["ok-bg"] if same else palette["bad-bg"]),
            QColor(QGuiApplication.palette().color(QPalette.ColorRole.Text)))


class BlindCard(QFrame):
    """One criterion to second-mark: title, description and level buttons; no judgment."""

    def __init__(self, criterion: Criterion, number: int, chosen: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.criterion = criterion
        self.setObjectName("criterionCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel(f"<b>{number}. {criterion.title}</b>")
        title.setTextFormat(Qt.TextFormat.RichText)
        title.setWordWrap(True)
        description = QLabel(criterion.description)
        description.setWordWrap(True)
        description.setObjectName("criterionDescription")
        self.levels = QButtonGroup(self)
        self.levels.setExclusive(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        for i, level in enumerate(criterion.levels):
            button = QPushButton(f"{i + 1}   {level.name} · {level.points:g}")
            button.setCheckable(True)
            button.setChecked(level.key == chosen)
            button.setObjectName("levelButton")
            button.setProperty("passing", criterion.meets_pass(level.key))
            button.setMinimumWidth(140)
            button.setAccessibleName(f"{criterion.title}: {level.name}")
            button.setAccessibleDescription(level.descriptor)
            descriptor = QLabel(level.descriptor)
            descriptor.setWordWrap(True)
            descriptor.setObjectName("levelDescriptor")
            descriptor.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.levels.addButton(button, i)
            grid.addWidget(button, i, 0)
            grid.addWidget(descriptor, i, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.addWidget(title)
        layout.addWidget(description)
        layout.addLayout(grid)

    @property
    def chosen(self) -> str | None:
        index = self.levels.checkedId()
        return None if index < 0 else self.criterion.levels[index].key

    def button(self, level_key: str) -> QPushButton:
        index = [lv.key for lv in self.criterion.levels].index(level_key)
        button = self.levels.button(index)
        assert isinstance(button, QPushButton)
        return button


class ModerationPanel(QWidget):
    mark_chosen = Signal(str, str)
    agree_requested = Signal()
    return_requested = Signal(str)
    change_marks_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moderationPanel")
        apply_style(self, template=workstation_template() + _EXTRA_STYLE)
        self.setAccessibleName("Moderation")
        self.setMinimumWidth(340)  # about as narrow as the rubric it stands in for
        self.title = QLabel("Moderation")
        self.title.setObjectName("paneTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("criterionBadge")
        self.subtitle.setWordWrap(True)
        self.step_blind = QLabel("1  Blind second marking")
        self.step_compare = QLabel("2  Compare and decide")
        for step in (self.step_blind, self.step_compare):
            step.setObjectName("stepOff")
        steps = QHBoxLayout()
        steps.addWidget(self.step_blind)
        steps.addWidget(self.step_compare)
        steps.addStretch(1)
        self.note = QLabel()
        self.note.setObjectName("moderationNote")
        self.note.setWordWrap(True)

        # Step 1: blind cards.
        self._cards_host = QWidget()
        self._cards_layout = QVBoxLayout(self._cards_host)
        self._cards_layout.setContentsMargins(0, 0, 0, 0)
        self._cards_layout.addStretch(1)
        blind_scroll = QScrollArea()
        blind_scroll.setWidgetResizable(True)
        blind_scroll.setFrameShape(QFrame.Shape.NoFrame)
        blind_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        blind_scroll.setWidget(self._cards_host)
        self.cards: list[BlindCard] = []

        # Step 2: comparison, comments, agreement, decision.
        self.comparison_model = QStandardItemModel(0, 4, self)
        self.comparison_model.setHorizontalHeaderLabels(
            ["Criterion", "Assessor", "You (blind)", ""])
        self.comparison = _table(self.comparison_model, "Assessor and moderator levels")
        self.comments = QLabel()
        self.comments.setObjectName("assessorComments")
        self.comments.setWordWrap(True)
        self.comments.setTextFormat(Qt.TextFormat.RichText)
        self.comments.setAccessibleName("The assessor's comments")
        self.agreement_model = QStandardItemModel(0, 4, self)
        self.agreement_model.setHorizontalHeaderLabels(["Criterion", "Pairs", "Exact", "κ"])
        self.agreement = _table(self.agreement_model, "Your agreement with assessors")
        self.agreement_caption = QLabel("Your agreement with assessors so far")
        self.agreement_caption.setObjectName("caption")
        self.agreement_guide = QLabel(KAPPA_GUIDE)
        self.agreement_guide.setObjectName("levelDescriptor")
        self.agreement_guide.setWordWrap(True)
        self.change_button = QPushButton("Change Marks")
        self.change_button.setAccessibleDescription("Go back to the blind marking step")
        self.return_button = QPushButton("Return to Assessor…")
        self.return_button.setObjectName("returnButton")
        self.return_button.setAccessibleDescription(
            "Send the decision back to the assessor with a comment")
        self.agree_button = QPushButton("Agree")
        self.agree_button.setObjectName("agreeButton")
        self.agree_button.setAccessibleDescription(
            "Agree with the decision: the assessor may then sign the credential")
        buttons = QHBoxLayout()
        buttons.addWidget(self.change_button)
        buttons.addStretch(1)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.agree_button)
        compare_page = QWidget()
        compare = QVBoxLayout(compare_page)
        compare.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Assessor and you, criterion by criterion")
        caption.setObjectName("caption")
        compare.addWidget(caption)
        compare.addWidget(self.comparison)
        comments_caption = QLabel("The assessor's comments")
        comments_caption.setObjectName("caption")
        compare.addWidget(comments_caption)
        compare.addWidget(self.comments)
        compare.addWidget(self.agreement_caption)
        compare.addWidget(self.agreement)
        compare.addWidget(self.agreement_guide)
        compare.addStretch(1)
        compare_scroll = QScrollArea()
        compare_scroll.setWidgetResizable(True)
        compare_scroll.setFrameShape(QFrame.Shape.NoFrame)
        compare_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        compare_scroll.setWidget(compare_page)
        compare_host = QWidget()
        host_layout = QVBoxLayout(compare_host)
        host_layout.setContentsMargins(0, 0, 0, 0)
        host_layout.addWidget(compare_scroll, 1)
        host_layout.addLayout(buttons)

        self.stack = QStackedWidget()
        self.stack.addWidget(blind_scroll)
        self.stack.addWidget(compare_host)
        self._blind_page, self._compare_page = blind_scroll, compare_host

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 8, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(steps)
        layout.addWidget(self.note)
        layout.addWidget(self.stack, 1)

        self.agree_button.clicked.connect(self.agree_requested)
        self.return_button.clicked.connect(self._ask_return)
        self.change_button.clicked.connect(self.change_marks_requested)
        self.snapshot: ReviewSnapshot | None = None
        self.judgments_shown: Mapping[str, Judgment] | None = None
        self._current = 0

    # -- step 1 ------------------------------------------------------------------------

    def show_blind(self, snapshot: ReviewSnapshot, marks: Mapping[str, str | None]) -> None:
        """The blind step. ``snapshot`` is used for its rubric and header only: the
        assessor's judgments are never read here."""
        self.snapshot = snapshot
        self.judgments_shown = None
        self._clear_comparison()
        self._header(snapshot)
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        for number, criterion in enumerate(snapshot.rubric.criteria, 1):
            card = BlindCard(criterion, number, marks.get(criterion.key), self._cards_host)
            card.levels.idClicked.connect(
                lambda index, c=criterion, n=number - 1: self._on_clicked(n, c, index))
            self._cards_layout.insertWidget(self._cards_layout.count() - 1, card)
            self.cards.append(card)
        self._set_step(1)
        self.update_progress(marks)
        self.set_current(next((i for i, card in enumerate(self.cards)
                               if not marks.get(card.criterion.key)), 0))

    def _on_clicked(self, number: int, criterion: Criterion, index: int) -> None:
        self.mark_chosen.emit(criterion.key, criterion.levels[index].key)
        if number + 1 < len(self.cards):
            self.set_current(number + 1)  # on to the next criterion, as the rubric does

    def update_progress(self, saved: Mapping[str, str | None]) -> None:
        """Say how many criteria have a saved second mark."""
        done = sum(1 for card in self.cards if saved.get(card.criterion.key))
        total = len(self.cards)
        self.note.setText(
            f"Mark each criterion as you judge the evidence yourself: {done} of {total} "
            "marked. The assessor's levels and comments stay hidden until every criterion "
            "is marked.")

    def set_current(self, index: int) -> None:
        """Make card ``index`` the one the keyboard marks (highlighted)."""
        if not self.cards:
            return
        self._current = max(0, min(index, len(self.cards) - 1))
        for i, card in enumerate(self.cards):
            card.setProperty("current", i == self._current)
            card.style().unpolish(card)
            card.style().polish(card)

    def step_criterion(self, delta: int) -> None:
        self.set_current(self._current + delta)

    def choose_level(self, index: int) -> None:
        """Number keys: mark the current criterion with its level ``index`` (0-based)."""
        if not self.cards or self.stack.currentIndex() != 0:
            return
        card = self.cards[self._current]
        if 0 <= index < len(card.criterion.levels):
            button = card.levels.button(index)
            if button is not None:
                button.click()

    def card_for(self, criterion_key: str) -> BlindCard | None:
        return next((c for c in self.cards if c.criterion.key == criterion_key), None)

    # -- step 2 ------------------------------------------------------------------------

    def show_comparison(self, snapshot: ReviewSnapshot, marks: Mapping[str, str | None],
                        *, can_decide: bool = True, reason: str = "") -> None:
        """Side by side: the assessor's judgments (now shown) and the moderator's marks."""
        self.snapshot = snapshot
        self.judgments_shown = snapshot.judgments
        self._header(snapshot)
        model = self.comparison_model
        model.removeRows(0, model.rowCount())
        differences = 0
        bold = QFont()
        bold.setBold(True)
        comments = []
        for criterion in snapshot.rubric.criteria:
            judgment = snapshot.judgments.get(criterion.key)
            theirs = judgment.level_key if judgment else None
            mine = marks.get(criterion.key)
            same = theirs == mine
            differences += not same
            row = [QStandardItem(criterion.title), QStandardItem(_level(criterion, theirs)),
                   QStandardItem(_level(criterion, mine)),
                   QStandardItem("✓ same" if same else "✗ differs")]
            for item in row:
                item.setEditable(False)
                item.setData(same, SAME_ROLE)
                if not same:
                    item.setFont(bold)
            row[3].setAccessibleText("Same level" if same else "Different levels")
            model.appendRow(row)
            if judgment and judgment.comment.strip():
                comments.append(f"<b>{_escape(criterion.title)}</b>: "
                                f"{_escape(judgment.comment.strip())}")
        self._colour_comparison()
        _fit(self.comparison)
        self.comments.setText("<br>".join(comments) if comments
                              else "<i>The assessor left no comments.</i>")
        total = len(snapshot.rubric.criteria)
        if differences:
            summary = (f"You and the assessor differ on {differences} of {total} criteria "
                       "(highlighted). Agree if the decision stands, or return it with a "
                       "comment.")
        else:
            summary = f"You and the assessor chose the same level on all {total} criteria."
        self.note.setText(summary if can_decide else f"{summary} {reason}")
        for button in (self.agree_button, self.return_button):
            button.setEnabled(can_decide)
            button.setToolTip("" if can_decide else reason)
        self._set_step(2)

    def show_agreement(self, report: AgreementReport) -> None:
        model = self.agreement_model
        model.removeRows(0, model.rowCount())
        rows = [(r.title, r.agreement) for r in report.criteria]
        if report.criteria:
            rows.append(("All criteria", report.overall))
        for title, found in rows:
            items = [QStandardItem(title), QStandardItem(str(found.n)),
                     QStandardItem("—" if found.exact is None else f"{found.exact:.0%}"),
                     QStandardItem("—" if found.kappa is None else f"{found.kappa:.2f}")]
            for item in items:
                item.setEditable(False)
                item.setToolTip(f"{title}: {found.n} pairs; Cohen's κ "
                                f"{found.reading}")
            model.appendRow(items)
        _fit(self.agreement)

    def _ask_return(self) -> None:
        comment = ReturnDialog.ask(self)
        if comment is not None:
            self.return_requested.emit(comment)

    # -- helpers -----------------------------------------------------------------------

    def _header(self, snapshot: ReviewSnapshot) -> None:
        sub = snapshot.submission
        self.subtitle.setText(f"{sub.learner.name} · {snapshot.template.achievement.name} · "
                              f"attempt {sub.attempt} · approved by the assessor, awaiting "
                              "your moderation")

    def _set_step(self, step: int) -> None:
        self.step_blind.setObjectName("stepOn" if step == 1 else "stepOff")
        self.step_compare.setObjectName("stepOn" if step == 2 else "stepOff")
        for label in (self.step_blind, self.step_compare):
            label.style().unpolish(label)
            label.style().polish(label)
        self.stack.setCurrentWidget(self._blind_page if step == 1 else self._compare_page)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self._colour_comparison()  # the style sheet follows through apply_style

    def _colour_comparison(self) -> None:
        """Paint the comparison rows in the palette now (same: green wash, differs: red)."""
        model = self.comparison_model
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                item = model.item(row, column)
                background, text = row_colours(bool(item.data(SAME_ROLE)))
                item.setBackground(background)
                item.setForeground(text)

    def _clear_comparison(self) -> None:
        self.comparison_model.removeRows(0, self.comparison_model.rowCount())
        self.comments.clear()


def _table(model: QStandardItemModel, name: str) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(26)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setWordWrap(False)  # one line a row (full text in the tooltip): a stable height
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setShowGrid(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, model.columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return table


def _fit(table: QTableView) -> None:
    """Show every row without an inner scroll bar (the page scrolls instead)."""
    model = table.model()
    assert isinstance(model, QStandardItemModel)
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            item = model.item(row, column)
            if item is not None and not item.toolTip():
                item.setToolTip(item.text())
    for column in range(1, model.columnCount()):  # the first column takes the rest
        table.resizeColumnToContents(column)
        table.setColumnWidth(column, table.columnWidth(column) + 8)
    height = table.horizontalHeader().height() + 4
    height += sum(table.rowHeight(r) for r in range(table.model().rowCount()))
    table.setFixedHeight(height)


def _level(criterion: Criterion, key: str | None) -> str:
    if key is None:
        return "not judged"
    level = criterion.level(key)
    return f"{level.name} ({level.points:g})"


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "<br>"))

