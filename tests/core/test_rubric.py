"""Rubrics and the mastery rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessor.demo import CARE_RUBRIC, SAFETY_RUBRIC
from assessor.domain.rubric import Criterion, PerformanceLevel, Rubric
from assessor.errors import ValidationError

LEVELS = (
    PerformanceLevel("low", "Low", "Not there yet", 0),
    PerformanceLevel("mid", "Mid", "Getting there", 1),
    PerformanceLevel("high", "High", "There", 2),
)


def test_mastery_needs_required_criteria_at_pass_level_and_the_cut_score() -> None:
    everything_proficient = {c.key: "proficient" for c in SAFETY_RUBRIC.criteria}
    outcome = SAFETY_RUBRIC.evaluate(everything_proficient)
    # 2 points each, weights 1 + 1.5 + 1 => 7.0, exactly the cut score
    assert outcome.total == 7.0
    assert outcome.mastered

    one_below = everything_proficient | {"controls": "developing"}
    outcome = SAFETY_RUBRIC.evaluate(one_below)
    assert not outcome.mastered
    assert outcome.unmet_required == ("controls",)


def test_optional_criterion_below_pass_does_not_block_but_its_points_count() -> None:
    chosen = {"hazard-id": "exemplary", "controls": "exemplary", "reporting": "not-yet"}
    outcome = SAFETY_RUBRIC.evaluate(chosen)
    assert outcome.unmet_required == ()
    assert outcome.total == 3 + 4.5 + 0
    assert outcome.mastered


def test_cut_score_can_fail_even_when_every_required_criterion_passes() -> None:
    rubric = Rubric("r", 1, "R", criteria=(
        Criterion("a", "A", "", LEVELS, pass_level="mid"),
        Criterion("b", "B", "", LEVELS, pass_level="mid"),
    ), cut_score=3)
    outcome = rubric.evaluate({"a": "mid", "b": "mid"})
    assert outcome.unmet_required == ()
    assert outcome.below_cut and not outcome.mastered


def test_unjudged_criteria_are_named_and_block_mastery() -> None:
    outcome = CARE_RUBRIC.evaluate({"listening": "exemplary"})
    assert outcome.unjudged == ("resolution",)
    assert "resolution" in outcome.unmet_required
    assert not outcome.complete and not outcome.mastered


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Criterion("c", "C", "", (), pass_level="x"), "no performance levels"),
        (lambda: Criterion("c", "C", "", LEVELS, pass_level="top"), "pass level 'top'"),
        (lambda: Criterion("c", "C", "", LEVELS + LEVELS[:1], pass_level="mid"), "repeats"),
        (lambda: Criterion("c", "C", "", LEVELS, pass_level="mid", weight=0), "positive weight"),
        (lambda: Rubric("r", 1, "R", criteria=()), "no criteria"),
        (lambda: Rubric("r", 0, "R", criteria=SAFETY_RUBRIC.criteria), "versions start at 1"),
        (lambda: Rubric("r", 1, "R", criteria=SAFETY_RUBRIC.criteria, cut_score=99),
         "cut score 99"),
        (lambda: PerformanceLevel("k", "K", "", -1), "negative points"),
    ],
)
def test_malformed_rubrics_are_refused_with_a_clear_message(build, message) -> None:
    with pytest.raises(ValidationError, match=message):
        build()


def test_unknown_criterion_or_level_is_refused() -> None:
    with pytest.raises(ValidationError, match="Not criteria of this rubric: nope"):
        CARE_RUBRIC.evaluate({"nope": "proficient"})
    with pytest.raises(ValidationError, match="has no level 'legendary'"):
        CARE_RUBRIC.evaluate({"listening": "legendary"})


level_choice = st.sampled_from([None, "not-yet", "developing", "proficient", "exemplary"])


@given(st.fixed_dictionaries({c.key: level_choice for c in SAFETY_RUBRIC.criteria}))
def test_total_stays_within_bounds_and_raising_a_level_never_loses_mastery(chosen) -> None:
    outcome = SAFETY_RUBRIC.evaluate(chosen)
    assert 0 <= outcome.total <= outcome.max_total
    if outcome.mastered:
        for criterion in SAFETY_RUBRIC.criteria:
            current = criterion.rank(chosen[criterion.key])
            for better in criterion.levels[current:]:
                assert SAFETY_RUBRIC.evaluate(chosen | {criterion.key: better.key}).mastered
