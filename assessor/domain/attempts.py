"""What changed between two attempts of a submission: evidence, narrative and judgments.

``compare_attempts(earlier, current)`` takes the two review snapshots and returns plain
values the UI draws:

- evidence matched by content (sha256) first, then by file name: unchanged, renamed,
  changed (same name, new content), added or removed;
- the narrative as a word-level diff (``difflib``): equal, inserted and deleted runs;
- per criterion of the current rubric, the earlier and current level and comment, and
  whether the level went up, down, or changed at all;
- the feedback the learner was shown on the earlier attempt, and its decisions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from assessor.domain.feedback import Decision, FeedbackNote, Visibility
from assessor.domain.review import ReviewSnapshot
from assessor.domain.rubric import Rubric
from assessor.domain.submission import EvidenceItem
from assessor.errors import ValidationError


class EvidenceChangeKind(StrEnum):
    UNCHANGED = "unchanged"
    RENAMED = "renamed"
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class EvidenceChange:
    kind: EvidenceChangeKind
    earlier: EvidenceItem | None
    current: EvidenceItem | None

    @property
    def name(self) -> str:
        item = self.current or self.earlier
        assert item is not None
        return item.file_name


class DiffKind(StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True)
class DiffRun:
    kind: DiffKind
    text: str


@dataclass(frozen=True)
class LevelView:
    """A chosen level as shown: its name and points, or nothing chosen."""

    key: str | None
    name: str
    points: float | None


@dataclass(frozen=True)
class CriterionChange:
    key: str
    title: str
    earlier: LevelView
    current: LevelView
    earlier_comment: str
    current_comment: str
    earlier_feedback: tuple[FeedbackNote, ...]
    """What the learner was told about this criterion on the earlier attempt."""

    @property
    def level_changed(self) -> bool:
        return self.earlier.key != self.current.key

    @property
    def direction(self) -> int:
        """+1 when the level rose, -1 when it fell, 0 when equal or not comparable."""
        if self.earlier.points is None or self.current.points is None:
            return 0
        return (self.current.points > self.earlier.points) - \
            (self.current.points < self.earlier.points)


@dataclass(frozen=True)
class AttemptComparison:
    earlier: ReviewSnapshot
    current: ReviewSnapshot
    evidence: tuple[EvidenceChange, ...]
    narrative: tuple[DiffRun, ...]
    criteria: tuple[CriterionChange, ...]
    learner_feedback: tuple[FeedbackNote, ...]
    """Every note the learner could see on the earlier attempt (submission and criteria)."""
    decisions: tuple[Decision, ...]

    @property
    def evidence_changed(self) -> tuple[EvidenceChange, ...]:
        return tuple(c for c in self.evidence if c.kind is not EvidenceChangeKind.UNCHANGED)

    @property
    def narrative_changed(self) -> bool:
        return any(run.kind is not DiffKind.EQUAL for run in self.narrative)

    @property
    def levels_changed(self) -> tuple[CriterionChange, ...]:
        return tuple(c for c in self.criteria if c.level_changed)

    def summary(self) -> str:
        """One line: how much changed."""
        parts = []
        counts: dict[EvidenceChangeKind, int] = {}
        for change in self.evidence_changed:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        for kind in (EvidenceChangeKind.ADDED, EvidenceChangeKind.CHANGED,
                     EvidenceChangeKind.RENAMED, EvidenceChangeKind.REMOVED):
            if counts.get(kind):
                parts.append(f"{counts[kind]} evidence file{_s(counts[kind])} {kind.value}")
        if not counts:
            parts.append("evidence unchanged")
        parts.append("narrative revised" if self.narrative_changed else "narrative unchanged")
        changed = sum(1 for c in self.levels_changed if c.current.key is not None)
        waiting = len(self.levels_changed) - changed
        parts.append(f"{changed} criteri{'on' if changed == 1 else 'a'} at a different level"
                     if changed else "no level changed")
        if waiting:
            parts.append(f"{waiting} judged before, not yet now")
        return "; ".join(parts)


def compare_attempts(earlier: ReviewSnapshot, current: ReviewSnapshot) -> AttemptComparison:
    learner_notes = tuple(n for n in earlier.feedback if n.visibility is Visibility.LEARNER)
    return AttemptComparison(
        earlier=earlier,
        current=current,
        evidence=compare_evidence(earlier.submission.evidence, current.submission.evidence),
        narrative=diff_text(earlier.submission.narrative, current.submission.narrative),
        criteria=_criteria(earlier, current, learner_notes),
        learner_feedback=learner_notes,
        decisions=earlier.decisions,
    )


def compare_evidence(earlier: tuple[EvidenceItem, ...],
                     current: tuple[EvidenceItem, ...]) -> tuple[EvidenceChange, ...]:
    """Current items in their order (each unchanged, renamed, changed or added), then the
    earlier items that are gone."""
    left = list(earlier)
    changes: list[EvidenceChange] = []
    pending: list[EvidenceItem] = []
    for item in current:  # the same bytes: unchanged or renamed
        twin = next((old for old in left if old.sha256 == item.sha256), None)
        if twin is None:
            pending.append(item)
            changes.append(EvidenceChange(EvidenceChangeKind.ADDED, None, item))
            continue
        left.remove(twin)
        kind = EvidenceChangeKind.UNCHANGED if twin.file_name == item.file_name \
            else EvidenceChangeKind.RENAMED
        changes.append(EvidenceChange(kind, twin, item))
    for index, change in enumerate(changes):  # new bytes under an old name: changed
        if change.kind is not EvidenceChangeKind.ADDED or change.current is None:
            continue
        name = change.current.file_name.casefold()
        twin = next((old for old in left if old.file_name.casefold() == name), None)
        if twin is not None:
            left.remove(twin)
            changes[index] = EvidenceChange(EvidenceChangeKind.CHANGED, twin, change.current)
    changes.extend(EvidenceChange(EvidenceChangeKind.REMOVED, old, None) for old in left)
    return tuple(changes)


_TOKENS = re.compile(r"\s+|[^\s]+")


def diff_text(earlier: str, current: str) -> tuple[DiffRun, ...]:
    """A word-level diff of two texts: runs of equal, inserted and deleted text that,
    read without the deletions, give ``current`` exactly (and without the insertions,
    ``earlier``)."""
    a, b = _TOKENS.findall(earlier), _TOKENS.findall(current)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    runs: list[DiffRun] = []

    def add(kind: DiffKind, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if runs and runs[-1].kind is kind:
            runs[-1] = DiffRun(kind, runs[-1].text + text)
        else:
            runs.append(DiffRun(kind, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add(DiffKind.EQUAL, a[i1:i2])
        else:
            add(DiffKind.DELETE, a[i1:i2])
            add(DiffKind.INSERT, b[j1:j2])
    return tuple(runs)


def _criteria(earlier: ReviewSnapshot, current: ReviewSnapshot,
              learner_notes: tuple[FeedbackNote, ...]) -> tuple[CriterionChange, ...]:
    rows = []
    for criterion in current.rubric.criteria:
        before, now = earlier.judgments.get(criterion.key), current.judgments.get(criterion.key)
        rows.append(CriterionChange(
            key=criterion.key,
            title=criterion.title,
            earlier=_level(earlier.rubric, criterion.key, before.level_key if before else None),
            current=_level(current.rubric, criterion.key, now.level_key if now else None),
            earlier_comment=before.comment if before else "",
            current_comment=now.comment if now else "",
            earlier_feedback=tuple(n for n in learner_notes if n.criterion_key == criterion.key),
        ))
    return tuple(rows)


def _level(rubric: Rubric, criterion_key: str, level_key: str | None) -> LevelView:
    if level_key is None:
        return LevelView(None, "Not judged", None)
    try:
        criterion = rubric.criterion(criterion_key)
        level = criterion.level(level_key)
    except ValidationError:  # a rubric version without this criterion or level
        return LevelView(level_key, level_key, None)
    return LevelView(level_key, level.name, level.points)


def _s(n: int) -> str:
    return "" if n == 1 else "s"
