"""Versioned rubrics and the mastery decision.

A rubric is immutable: a changed rubric is a new version, and a submission keeps the
version it was submitted under. Criteria and levels are ordered; levels run from the
lowest performance to the highest, so "at or above the pass level" is an index compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assessor.errors import ValidationError


@dataclass(frozen=True)
class PerformanceLevel:
    key: str
    name: str
    descriptor: str
    points: float

    def __post_init__(self) -> None:
        if not self.key.strip():
            raise ValidationError("A performance level needs a key.")
        if self.points < 0:
            raise ValidationError(f"Level {self.key!r} has negative points ({self.points}).")


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    description: str
    levels: tuple[PerformanceLevel, ...]
    pass_level: str
    weight: float = 1.0
    required: bool = True

    def __post_init__(self) -> None:
        if not self.key.strip():
            raise ValidationError("A criterion needs a key.")
        if not self.levels:
            raise ValidationError(f"Criterion {self.key!r} has no performance levels.")
        keys = [level.key for level in self.levels]
        if len(set(keys)) != len(keys):
            raise ValidationError(f"Criterion {self.key!r} repeats a level key.")
        if self.pass_level not in keys:
            raise ValidationError(
                f"Criterion {self.key!r}: pass level {self.pass_level!r} is not one of its "
                f"levels ({', '.join(keys)})."
            )
        if self.weight <= 0:
            raise ValidationError(f"Criterion {self.key!r} needs a positive weight.")

    def level(self, key: str) -> PerformanceLevel:
        for level in self.levels:
            if level.key == key:
                return level
        raise ValidationError(f"Criterion {self.key!r} has no level {key!r}.")

    def rank(self, level_key: str) -> int:
        """Position of a level, 0 for the lowest."""
        return self.levels.index(self.level(level_key))

    def meets_pass(self, level_key: str) -> bool:
        return self.rank(level_key) >= self.rank(self.pass_level)

    @property
    def max_points(self) -> float:
        return self.weight * max(level.points for level in self.levels)

    def points_for(self, level_key: str) -> float:
        return self.weight * self.level(level_key).points


@dataclass(frozen=True)
class MasteryOutcome:
    """What the rubric says about a set of chosen levels."""

    total: float
    max_total: float
    cut_score: float
    unjudged: tuple[str, ...]
    unmet_required: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Every criterion has a level."""
        return not self.unjudged

    @property
    def mastered(self) -> bool:
        return (
            self.complete and not self.unmet_required and self.total >= self.cut_score
        )

    @property
    def below_cut(self) -> bool:
        return self.total < self.cut_score


@dataclass(frozen=True)
class Rubric:
    key: str
    version: int
    title: str
    criteria: tuple[Criterion, ...]
    cut_score: float = 0.0
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.version < 1:
            raise ValidationError(f"Rubric {self.key!r}: versions start at 1.")
        if not self.criteria:
            raise ValidationError(f"Rubric {self.key!r} has no criteria.")
        keys = [c.key for c in self.criteria]
        if len(set(keys)) != len(keys):
            raise ValidationError(f"Rubric {self.key!r} repeats a criterion key.")
        if not 0 <= self.cut_score <= self.max_total:
            raise ValidationError(
                f"Rubric {self.key!r}: cut score {self.cut_score:g} must lie between 0 and "
                f"the most points available ({self.max_total:g})."
            )

    @property
    def max_total(self) -> float:
        return sum(c.max_points for c in self.criteria)

    def criterion(self, key: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise ValidationError(f"Rubric {self.key!r} v{self.version} has no criterion {key!r}.")

    def evaluate(self, chosen: Mapping[str, str | None]) -> MasteryOutcome:
        """Apply the mastery rule to ``{criterion key: level key or None}``.

        Every required criterion must be at or above its pass level, and the weighted
        total at or above the cut score. An unjudged criterion scores nothing.
        """
        unknown = set(chosen) - {c.key for c in self.criteria}
        if unknown:
            raise ValidationError(f"Not criteria of this rubric: {', '.join(sorted(unknown))}.")
        total = 0.0
        unjudged: list[str] = []
        unmet: list[str] = []
        for criterion in self.criteria:
            level_key = chosen.get(criterion.key)
            if level_key is None:
                unjudged.append(criterion.key)
                if criterion.required:
                    unmet.append(criterion.key)
                continue
            total += criterion.points_for(level_key)
            if criterion.required and not criterion.meets_pass(level_key):
                unmet.append(criterion.key)
        return MasteryOutcome(
            total=round(total, 6),
            max_total=round(self.max_total, 6),
            cut_score=self.cut_score,
            unjudged=tuple(unjudged),
            unmet_required=tuple(unmet),
        )
