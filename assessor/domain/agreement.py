"""Inter-rater agreement between an assessor and a moderator's blind second marking.

Both measures take pairs ``(level chosen by rater A, level chosen by rater B)`` for the same
submission and criterion. *Exact agreement* is the share of pairs where both chose the same
level. *Cohen's kappa* (unweighted) corrects that share for the agreement two raters would
reach by chance with the same level frequencies::

    kappa = (p_o - p_e) / (1 - p_e)

where ``p_o`` is the observed agreement and ``p_e = sum_k (a_k / n) * (b_k / n)``. Both are
computed from integer counts, so equal inputs give exactly equal results in either rater
order. A measure that is undefined (no pairs; for kappa also ``p_e = 1``, which happens when
both raters used one and the same level throughout) is ``None``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

Pair = tuple[Hashable, Hashable]

KAPPA_GUIDE = ("κ below 0.4: weak agreement · 0.4–0.6 moderate · 0.6–0.8 substantial · "
               "above 0.8 almost perfect (κ is exact agreement corrected for chance).")
"""One line that helps a moderator read kappa (after Landis & Koch, 1977)."""


@dataclass(frozen=True)
class CriterionMark:
    """One rater's level for one criterion of one submission (``None``: not judged)."""

    submission_id: str
    criterion_key: str
    level_key: str | None


@dataclass(frozen=True)
class Agreement:
    """Agreement over ``n`` paired marks; ``exact`` is a share from 0 to 1."""

    n: int
    exact: float | None
    kappa: float | None

    @property
    def reading(self) -> str:
        return kappa_reading(self.kappa)


def exact_agreement(pairs: Iterable[Pair]) -> float | None:
    """Share of pairs where both raters chose the same level; ``None`` without pairs."""
    n = agree = 0
    for a, b in pairs:
        n += 1
        agree += a == b
    return agree / n if n else None


def cohens_kappa(pairs: Iterable[Pair]) -> float | None:
    """Unweighted Cohen's kappa, in [-1, 1]; ``None`` when it is undefined."""
    n = agree = 0
    first: Counter[Hashable] = Counter()
    second: Counter[Hashable] = Counter()
    for a, b in pairs:
        n += 1
        agree += a == b
        first[a] += 1
        second[b] += 1
    if n == 0:
        return None
    # p_o = agree / n and p_e = chance / n**2, so kappa = (n*agree - chance) / (n**2 - chance).
    chance = sum(count * second[level] for level, count in first.items())
    denominator = n * n - chance
    if denominator == 0:
        return None
    return (n * agree - chance) / denominator


def agreement(pairs: Iterable[Pair]) -> Agreement:
    listed = list(pairs)
    return Agreement(len(listed), exact_agreement(listed), cohens_kappa(listed))


def paired_levels(first_marks: Iterable[CriterionMark],
                  second_marks: Iterable[CriterionMark]) -> dict[str, list[Pair]]:
    """``{criterion key: [(first level, second level), ...]}`` for every submission and
    criterion that both raters judged (marks without a level, or without a partner, are
    left out; a repeated mark replaces the earlier one)."""
    firsts = {(m.submission_id, m.criterion_key): m.level_key for m in first_marks
              if m.level_key is not None}
    pairs: dict[str, list[Pair]] = defaultdict(list)
    seconds = {(m.submission_id, m.criterion_key): m.level_key for m in second_marks
               if m.level_key is not None}
    for (submission_id, criterion_key), level in seconds.items():
        mine = firsts.get((submission_id, criterion_key))
        if mine is not None:
            pairs[criterion_key].append((mine, level))
    return dict(pairs)


def agreement_by_criterion(first_marks: Iterable[CriterionMark],
                           second_marks: Iterable[CriterionMark]) -> dict[str, Agreement]:
    """Exact agreement and kappa per criterion between the assessor's marks (``first``)
    and the moderator's blind second marks of the same submissions, keyed by criterion."""
    return {key: agreement(pairs)
            for key, pairs in paired_levels(first_marks, second_marks).items()}


def kappa_reading(kappa: float | None) -> str:
    """A word for a kappa value, for labels and tooltips."""
    if kappa is None:
        return "not defined"
    if kappa < 0:
        return "worse than chance"
    if kappa < 0.4:
        return "weak"
    if kappa < 0.6:
        return "moderate"
    if kappa < 0.8:
        return "substantial"
    return "almost perfect"
