"""Inter-rater agreement: exact agreement and Cohen's kappa against hand-computed values."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessor.domain.agreement import (
    Agreement,
    CriterionMark,
    agreement_by_criterion,
    cohens_kappa,
    exact_agreement,
    kappa_reading,
)


def table(cells: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """Pairs from a contingency table ``{(rater A, rater B): count}``."""
    return [pair for pair, count in cells.items() for _ in range(count)]


def test_the_classic_two_by_two_example_has_kappa_0_4() -> None:
    # 50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    # p_o = 35/50 = 0.7; A says yes 25/50, B says yes 30/50:
    # p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    pairs = table({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    assert exact_agreement(pairs) == pytest.approx(0.7)
    assert cohens_kappa(pairs) == pytest.approx(0.4)


def test_a_three_category_example() -> None:
    # Rows rater A, columns rater B (levels low, mid, high):
    #          low mid high | A
    #   low     10   2    3 | 15
    #   mid      1  12    2 | 15
    #   high     2   1   17 | 20
    #   B       13  15   22 | n = 50
    # p_o = 39/50 = 0.78; p_e = (15*13 + 15*15 + 20*22) / 2500 = 860/2500 = 0.344;
    # kappa = (0.78 - 0.344) / (1 - 0.344) = 0.436 / 0.656 = 109/164 ≈ 0.6646.
    pairs = table({
        ("low", "low"): 10, ("low", "mid"): 2, ("low", "high"): 3,
        ("mid", "low"): 1, ("mid", "mid"): 12, ("mid", "high"): 2,
        ("high", "low"): 2, ("high", "mid"): 1, ("high", "high"): 17,
    })
    assert exact_agreement(pairs) == pytest.approx(0.78)
    assert cohens_kappa(pairs) == pytest.approx(float(Fraction(109, 164)))


def test_systematic_disagreement_reaches_minus_one() -> None:
    pairs = table({("a", "b"): 5, ("b", "a"): 5})
    assert exact_agreement(pairs) == 0
    assert cohens_kappa(pairs) == -1


def test_undefined_cases_are_none() -> None:
    assert exact_agreement([]) is None
    assert cohens_kappa([]) is None
    # One category used by both raters throughout: p_e = 1, kappa is undefined, but the
    # raters do agree exactly.
    same = [("proficient", "proficient")] * 4
    assert exact_agreement(same) == 1
    assert cohens_kappa(same) is None
    # One rater used a single category, the other two: defined (and zero here).
    assert cohens_kappa([("p", "p"), ("p", "d")]) == 0


def test_agreement_pairs_marks_by_submission_and_criterion() -> None:
    first = [
        CriterionMark("s1", "hazard", "proficient"), CriterionMark("s1", "controls", "developing"),
        CriterionMark("s2", "hazard", "developing"), CriterionMark("s2", "controls", None),
        CriterionMark("s3", "hazard", "exemplary"),  # not second-marked: left out
    ]
    second = [
        CriterionMark("s1", "hazard", "proficient"), CriterionMark("s1", "controls", "proficient"),
        CriterionMark("s2", "hazard", "proficient"), CriterionMark("s2", "controls", "developing"),
        CriterionMark("s9", "hazard", "proficient"),  # no first mark: left out
    ]
    found = agreement_by_criterion(first, second)
    assert set(found) == {"hazard", "controls"}
    assert found["hazard"] == Agreement(2, 0.5, 0.0)
    assert found["controls"] == Agreement(1, 0.0, 0.0)  # p_e = 0: kappa = p_o
    assert agreement_by_criterion([], second) == {}


def test_kappa_readings() -> None:
    assert [kappa_reading(k) for k in (None, -0.2, 0.1, 0.39, 0.4, 0.65, 0.8, 1.0)] == [
        "not defined", "worse than chance", "weak", "weak", "moderate", "substantial",
        "almost perfect", "almost perfect"]
    assert Agreement(3, 1.0, 0.5).reading == "moderate"


levels = st.sampled_from(["not-yet", "developing", "proficient", "exemplary"])
pair_lists = st.lists(st.tuples(levels, levels), max_size=60)


@given(st.lists(levels, min_size=2, max_size=60).filter(lambda xs: len(set(xs)) >= 2))
def test_perfect_agreement_over_two_or_more_levels_is_kappa_one(marks: list[str]) -> None:
    pairs = [(m, m) for m in marks]
    assert cohens_kappa(pairs) == 1
    assert exact_agreement(pairs) == 1


@given(pair_lists)
def test_kappa_is_symmetric_in_the_raters(pairs: list[tuple[str, str]]) -> None:
    swapped = [(b, a) for a, b in pairs]
    assert cohens_kappa(pairs) == cohens_kappa(swapped)
    assert exact_agreement(pairs) == exact_agreement(swapped)


@given(pair_lists)
def test_kappa_and_exact_agreement_stay_in_range(pairs: list[tuple[str, str]]) -> None:
    kappa = cohens_kappa(pairs)
    exact = exact_agreement(pairs)
    if not pairs:
        assert kappa is None and exact is None
        return
    assert exact is not None and 0 <= exact <= 1
    if kappa is not None:
        assert -1 <= kappa <= 1
        assert kappa <= exact + 1e-12  # chance correction never raises agreement


@given(pair_lists)
def test_kappa_does_not_depend_on_level_names_or_order(pairs: list[tuple[str, str]]) -> None:
    renamed = [(a.upper(), b.upper()) for a, b in reversed(pairs)]
    assert cohens_kappa(pairs) == cohens_kappa(renamed)
