"""AttemptsDialog: the earlier attempt beside the current one, and what changed between them.

Two tabs over one ``AttemptComparison``:

- What changed: evidence added, removed, changed or renamed (matched by sha256 and name),
  criteria whose level changed, and the narrative as a highlighted word diff;
- Side by side: per criterion, the earlier attempt's level and comment with what the
  learner was told, next to the current attempt's; then the earlier decision and the
  feedback the learner got on the submission as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assessor.domain.people import person_label
from ui.style import apply_style, colours

if TYPE_CHECKING:
    from assessor.domain.attempts import (
        AttemptComparison,
        CriterionChange,
        EvidenceChange,
        LevelView,
    )
    from assessor.domain.feedback import FeedbackNote

_TAGS = {  # kind: (label, background token, text token) of ui.style's colours
    "added": ("Added", "ok-bg", "ok"),
    "removed": ("Removed", "bad-bg", "bad"),
    "changed": ("Changed", "warn-bg", "warn-text"),
    "renamed": ("Renamed", "info-bg", "accent"),
    "unchanged": ("Unchanged", "neutral-bg", "muted"),
}


def _insert_style() -> str:
    c = colours()
    return f"background-color:{c['ok-bg']}; color:{c['ok']};"


def _delete_style() -> str:
    c = colours()
    return f"background-color:{c['bad-bg']}; color:{c['bad']}; text-decoration:line-through;"


def _table() -> str:
    return ("width='100%' cellspacing='0' cellpadding='6' border='1' "
            f"style='border-color:{colours()['border']}; border-style:solid; "
            "border-collapse:collapse;'")


def _head() -> str:
    c = colours()
    return f"style='background-color:{c['neutral-bg']}; color:{c['strong']};'"


def _changed_row() -> str:
    return f"style='background-color:{colours()['warn-bg']};'"


def _muted() -> str:
    return f"style='color:{colours()['muted']}'"


class AttemptsDialog(QDialog):
    def __init__(self, comparison: AttemptComparison, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison = comparison
        earlier, current = comparison.earlier.submission, comparison.current.submission
        self.setObjectName("attemptsDialog")
        self.setWindowTitle(f"{current.learner.name} — attempt {earlier.attempt} and "
                            f"attempt {current.attempt}")
        self.resize(1000, 700)
        heading = QLabel(
            f"<span style='font-size:14pt'><b>{_esc(current.learner.name)}</b></span> · "
            f"{_esc(comparison.current.template.achievement.name)}<br>"
            f"Attempt {earlier.attempt} submitted {earlier.submitted_at.astimezone():%d %b %Y}"
            f" ({earlier.state.label.lower()}) · attempt {current.attempt} submitted "
            f"{current.submitted_at.astimezone():%d %b %Y} ({current.state.label.lower()})")
        self.summary = QLabel(f"<b>What changed:</b> {_esc(comparison.summary())}")
        self.summary.setObjectName("attemptSummary")
        self.summary.setWordWrap(True)
        apply_style(self.summary, template="QLabel#attemptSummary { padding: 6px 8px; "
                                   "background: @info-bg; border-radius: 6px; }")
        self.changes = QTextBrowser()
        self.changes.setObjectName("attemptChanges")
        self.changes.setOpenLinks(False)
        self.changes.setHtml(changes_html(comparison))
        self.side_by_side = QTextBrowser()
        self.side_by_side.setObjectName("attemptSideBySide")
        self.side_by_side.setOpenLinks(False)
        self.side_by_side.setHtml(side_by_side_html(comparison))
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.changes, "What Changed")
        self.tabs.addTab(self.side_by_side,
                         f"Attempt {earlier.attempt} and {current.attempt} Side by Side")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)


def changes_html(c: AttemptComparison) -> str:
    earlier_n, current_n = c.earlier.submission.attempt, c.current.submission.attempt
    parts = [f"<h3>Evidence</h3><table {_table()}><tr {_head()}><th align='left'>Change</th>"
             f"<th align='left'>File</th><th align='left'>Attempt {earlier_n}</th>"
             f"<th align='left'>Attempt {current_n}</th></tr>"]
    for change in c.evidence:
        parts.append(_evidence_row(change))
    parts.append("</table>")

    parts.append("<h3>Levels</h3>")
    if c.levels_changed:
        parts.append(f"<table {_table()}><tr {_head()}><th align='left'>Criterion</th>"
                     f"<th align='left'>Attempt {earlier_n}</th>"
                     f"<th align='left'>Attempt {current_n}</th></tr>")
        for row in c.levels_changed:
            ink = colours()
            arrow = {1: f"&nbsp;<b style='color:{ink['ok']}'>▲ up</b>",
                     -1: f"&nbsp;<b style='color:{ink['bad']}'>▼ down</b>"}.get(row.direction, "")
            parts.append(f"<tr><td>{_esc(row.title)}</td><td>{_level(row.earlier)}</td>"
                         f"<td>{_level(row.current)}{arrow}</td></tr>")
        parts.append("</table>")
    else:
        parts.append(f"<p {_muted()}>Every criterion is at the level it had.</p>")

    parts.append("<h3>Narrative</h3>")
    if c.narrative_changed:
        parts.append(f"<p {_muted()}>Words added are "
                     f"<span style='{_insert_style()}'>&nbsp;marked green&nbsp;</span>, words "
                     f"removed are <span style='{_delete_style()}'>&nbsp;struck out&nbsp;</span>."
                     "</p>")
    else:
        parts.append(f"<p {_muted()}>The narrative is the same as before.</p>")
    parts.append(f"<p>{narrative_html(c)}</p>")
    return "".join(parts)


def narrative_html(c: AttemptComparison) -> str:
    spans = []
    for index, run in enumerate(c.narrative):
        text = _esc(run.text).replace("\n", "<br>")
        if run.kind.value == "insert":
            spans.append(f"<span style='{_insert_style()}'>{text}</span>")
        elif run.kind.value == "delete":
            spans.append(f"<span style='{_delete_style()}'>{text}</span>")
            following = c.narrative[index + 1] if index + 1 < len(c.narrative) else None
            if following is not None and following.kind.value == "insert":
                spans.append(" ")  # a gap between the words that went and those that came
        else:
            spans.append(text)
    return "".join(spans) or "<i>(no narrative)</i>"


def side_by_side_html(c: AttemptComparison) -> str:
    earlier_n, current_n = c.earlier.submission.attempt, c.current.submission.attempt
    parts = [f"<table {_table()}><tr {_head()}><th align='left' width='22%'>Criterion</th>"
             f"<th align='left' width='39%'>Attempt {earlier_n}: judgment and what the "
             f"learner was told</th><th align='left' width='39%'>Attempt {current_n}</th></tr>"]
    for row in c.criteria:
        parts.append(_criterion_row(row, c.earlier.people))
    parts.append("</table>")
    if c.decisions:
        parts.append(f"<h3>Decision on attempt {earlier_n}</h3>")
        for decision in c.decisions:
            outcome = decision.outcome.label
            note = f" — {_esc(decision.note)}" if decision.note else ""
            parts.append(f"<p><b>{outcome}</b> {decision.at.astimezone():%d %b %Y} · total "
                         f"{decision.total:g}{note}</p>")
    general = [n for n in c.learner_feedback if n.criterion_key is None]
    parts.append(f"<h3>Feedback the learner got on attempt {earlier_n}</h3>")
    if general or c.learner_feedback:
        parts.extend(_note(n, c.earlier.people) for n in general)
        if not general:
            parts.append(f"<p {_muted()}>Only on criteria (in the table above).</p>")
    else:
        parts.append(f"<p {_muted()}>None was visible to the learner.</p>")
    return "".join(parts)


def _evidence_row(change: EvidenceChange) -> str:
    label, background, colour = _TAGS[change.kind.value]
    c = colours()
    tag = (f"<span style='background-color:{c[background]}; color:{c[colour]};'>"
           f"<b>&nbsp;{label}&nbsp;</b></span>")
    name = _esc(change.name)
    if change.kind.value == "renamed" and change.earlier is not None:
        name = f"{_esc(change.earlier.file_name)} → {name}"
    before = _digest(change.earlier.sha256) if change.earlier else "—"
    after = _digest(change.current.sha256) if change.current else "—"
    return f"<tr><td>{tag}</td><td>{name}</td><td>{before}</td><td>{after}</td></tr>"


def _criterion_row(row: CriterionChange, people: Mapping[str, str]) -> str:
    told = "".join(_note(n, people, small=True) for n in row.earlier_feedback)
    earlier = f"{_level(row.earlier)}{_comment(row.earlier_comment)}{told}"
    current = _level(row.current) + _comment(row.current_comment)
    if row.level_changed:
        arrow = {1: f" <b style='color:{colours()['ok']}'>▲</b>",
                 -1: f" <b style='color:{colours()['bad']}'>▼</b>"}.get(row.direction, "")
        current = _level(row.current) + arrow + _comment(row.current_comment)
    style = _changed_row() if row.level_changed else ""
    return (f"<tr {style}><td><b>{_esc(row.title)}</b></td><td>{earlier}</td>"
            f"<td>{current}</td></tr>")


def _level(level: LevelView) -> str:
    if level.key is None:
        return f"<span style='color:{colours()['faint']}'><i>Not judged</i></span>"
    points = f" · {level.points:g}" if level.points is not None else ""
    return f"<b>{_esc(level.name)}</b>{points}"


def _comment(text: str) -> str:
    if not text:
        return ""
    return f"<br><span style='color:{colours()['strong']}'>{_esc(text)}</span>"


def _note(note: FeedbackNote, people: Mapping[str, str], *, small: bool = False) -> str:
    who = person_label(note.author, people)
    size = "font-size:9pt;" if small else ""
    return (f"<p style='{size} margin-top:4px; color:{colours()['ok']}'>"
            f"<b>Told the learner</b> ({_esc(who)}, {note.at.astimezone():%d %b}): "
            f"<span>{_esc(note.body)}</span></p>")


def _digest(sha256: str) -> str:
    return f"<code {_muted()}>{sha256[:12]}…</code>"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
