"""Insights over a real store: learner history, pass rates per criterion, agreement."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from assessor.demo import SAFETY_RUBRIC, SAFETY_TEMPLATE
from assessor.domain.agreement import Agreement
from assessor.domain.rubric import Criterion, PerformanceLevel
from assessor.domain.states import State
from assessor.errors import NotFoundError
from assessor.store.insights import (
    agreement_report,
    credential_pass_rates,
    credentials,
    judged_marks,
    learner_history,
    learners,
)
from tests.core.helpers import ASSESSOR, OTHER_ASSESSOR
from tests.core.insights_data import (
    AROHA,
    SECOND_MARKS,
    insights_store,
    judge,
    submission,
)


@pytest.fixture
def store(home, clock):
    store = insights_store(home, clock)
    yield store
    store.close()


def rates_of(found) -> dict[str, tuple[int, int]]:
    return {c.criterion_key: (c.met, c.judged) for c in found.criteria}


def test_learner_history_per_credential_and_attempt(store) -> None:
    history = learner_history(store, AROHA.id)
    assert history.learner_name == "Aroha Abara"
    assert [c.credential_name for c in history.credentials] == [
        "Customer Communication", "Site Safety Practitioner"]
    safety = history.credentials[1]
    assert [c.key for c in safety.criteria] == ["hazard-id", "controls", "reporting"]
    assert [(a.attempt, a.submission_id, a.state) for a in safety.attempts] == [
        (1, "ins-safety-a1", State.RESUBMISSION_REQUESTED), (2, "ins-safety-a2", State.APPROVED)]
    first, second = safety.attempts
    assert [(r.level_key, r.points, r.met) for r in first.results] == [
        ("developing", 1.0, False), ("proficient", 3.0, True), ("not-yet", 0.0, False)]
    assert [(r.level_name, r.points, r.met) for r in second.results] == [
        ("Proficient", 2.0, True), ("Exemplary", 4.5, True), ("Developing", 1.0, True)]
    assert (first.total, first.mastered) == (4.0, False)
    assert (second.total, second.max_total, second.mastered) == (7.5, 10.5, True)
    assert safety.points("controls") == [3.0, 4.5]
    care = history.credentials[0]
    assert [(r.criterion_key, r.points, r.met) for r in care.attempts[0].results] == [
        ("listening", 3.0, True), ("resolution", 2.0, True)]
    assert history.judged


def test_an_unjudged_attempt_shows_no_levels(store) -> None:
    history = learner_history(store, "learner-efua")
    attempt = history.credentials[0].attempts[0]
    assert attempt.state is State.PENDING
    assert all(r.level_key is None and r.points is None and r.met is None
               for r in attempt.results)
    assert history.credentials[0].points("hazard-id") == [None]
    assert not history.judged


def test_an_unknown_learner_is_a_clear_error(store) -> None:
    with pytest.raises(NotFoundError, match="No submissions of learner 'nobody'"):
        learner_history(store, "nobody")


def test_pass_rates_over_everyone_one_assessor_and_decided_work(store) -> None:
    everyone = credential_pass_rates(store, SAFETY_TEMPLATE.id)
    assert everyone.credential_name == "Site Safety Practitioner"
    assert everyone.submissions == 5
    assert rates_of(everyone) == {"hazard-id": (3, 5), "controls": (3, 5), "reporting": (2, 5)}
    assert [c.required for c in everyone.criteria] == [True, True, False]
    assert everyone.criteria[0].rate == pytest.approx(0.6)

    mine = credential_pass_rates(store, SAFETY_TEMPLATE.id, assessor_id=ASSESSOR.user_id)
    assert mine.submissions == 4 and mine.assessor_id == ASSESSOR.user_id
    assert rates_of(mine) == {"hazard-id": (3, 4), "controls": (3, 4), "reporting": (2, 4)}

    omar = credential_pass_rates(store, SAFETY_TEMPLATE.id, assessor_id=OTHER_ASSESSOR.user_id)
    assert rates_of(omar) == {"hazard-id": (0, 1), "controls": (0, 1), "reporting": (0, 1)}

    decided = credential_pass_rates(store, SAFETY_TEMPLATE.id, decided_only=True)
    assert decided.submissions == 2
    assert rates_of(decided) == {"hazard-id": (1, 2), "controls": (2, 2), "reporting": (1, 2)}


def test_a_cohort_with_nothing_judged_has_no_rates(store) -> None:
    nobody = credential_pass_rates(store, SAFETY_TEMPLATE.id, assessor_id="someone-else")
    assert nobody.submissions == 0
    assert [(c.met, c.judged, c.rate) for c in nobody.criteria] == [(0, 0, None)] * 3


def test_an_unknown_credential_is_a_clear_error(store) -> None:
    with pytest.raises(NotFoundError, match="Credential template 'no-such' is not in the store"):
        credential_pass_rates(store, "no-such")


def test_a_new_rubric_version_adds_its_criteria_and_keeps_old_attempts_readable(store) -> None:
    induction = Criterion(
        "induction", "Completes the site induction", "Signs in and completes the induction.",
        tuple(PerformanceLevel(k, k.title(), "", float(p))
              for p, k in enumerate(("no", "partly", "yes"))), pass_level="yes")
    v2 = dataclasses.replace(SAFETY_RUBRIC, version=2, criteria=(induction,
                                                                 *SAFETY_RUBRIC.criteria))
    store.put_rubric(v2)
    template = dataclasses.replace(SAFETY_TEMPLATE, rubric_version=2)
    store.put_template(template)
    store.receive([submission("ins-safety-a3", AROHA, template, attempt=3,
                              previous="ins-safety-a2", days_ago=1)])
    judge(store, "ins-safety-a3", {"induction": "partly", "hazard-id": "exemplary"})

    safety = learner_history(store, AROHA.id).credentials[1]
    assert [c.key for c in safety.criteria] == ["induction", "hazard-id", "controls",
                                                "reporting"]
    assert safety.points("induction") == [None, None, 1.0]
    assert safety.points("hazard-id") == [1.0, 2.0, 3.0]
    assert safety.attempts[0].result("induction") is None  # not in the rubric of attempt 1

    rates = rates_of(credential_pass_rates(store, SAFETY_TEMPLATE.id))
    assert rates["induction"] == (0, 1)
    assert rates["hazard-id"] == (4, 6)


def test_lists_of_learners_and_credentials(store) -> None:
    assert [(s.name, s.submissions) for s in learners(store)] == [
        ("Aroha Abara", 3), ("Ben Brennan", 1), ("Chiara Castillo", 1), ("Dmitri Dubois", 1),
        ("Efua Eriksen", 1)]
    assert [s.id for s in learners(store, "CAST")] == ["learner-chiara"]
    assert [s.id for s in learners(store, "learner-b")] == ["learner-ben"]
    assert learners(store, "100%_") == []
    assert len(learners(store, limit=2)) == 2
    assert [(c.template_id, c.submissions) for c in credentials(store)] == [
        ("customer-communication", 1), ("site-safety-practitioner", 6)]


def test_agreement_report_pairs_judgments_with_second_marks(store) -> None:
    firsts = judged_marks(store, ["ins-safety-a2", "ins-safety-e1"])
    assert {(m.criterion_key, m.level_key) for m in firsts} == {
        ("hazard-id", "proficient"), ("controls", "exemplary"), ("reporting", "developing")}

    report = agreement_report(store, SECOND_MARKS)
    rows = {r.criterion_key: r for r in report.criteria}
    assert [r.criterion_key for r in report.criteria] == ["hazard-id", "controls", "reporting"]
    assert rows["hazard-id"].title == "Identifies hazards"
    assert rows["hazard-id"].agreement.n == 4
    assert rows["hazard-id"].agreement.exact == pytest.approx(0.75)
    assert rows["hazard-id"].agreement.kappa == pytest.approx(2 / 3)
    assert rows["controls"].agreement == Agreement(4, 1.0, 1.0)
    assert rows["reporting"].agreement.exact == 0
    assert rows["reporting"].agreement.kappa == pytest.approx(-1 / 3)
    assert report.overall.n == 12
    assert report.overall.exact == pytest.approx(7 / 12)
    assert report.overall.kappa == pytest.approx(50 / 110)

    empty = agreement_report(store, [])
    assert empty.criteria == () and empty.overall == Agreement(0, None, None)


def test_every_kind_of_source_reads_the_same(store) -> None:
    path = Path(store.path)
    connection = sqlite3.connect(path)
    try:
        expected = learner_history(store, AROHA.id)
        assert learner_history(path, AROHA.id) == expected
        assert learner_history(connection, AROHA.id) == expected
    finally:
        connection.close()


def test_a_missing_store_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(NotFoundError, match="does not exist yet"):
        learners(tmp_path / "nowhere.sqlite3")


def test_reading_insights_never_blocks_a_judgment_being_saved(store) -> None:
    """A long read (held open here mid-transaction) leaves the writer free: WAL readers
    take no write lock, unlike the store's own sessions (BEGIN IMMEDIATE)."""
    from assessor.store.database import read_only_connection

    reader = read_only_connection(Path(store.path))
    try:
        reader.execute("BEGIN")
        assert learners(reader)  # a snapshot is now held open
        judge(store, "ins-safety-e1", {"hazard-id": "proficient"})
        assert learner_history(reader, "learner-efua").credentials[0].points("hazard-id") == [
            None]  # the reader still sees its snapshot
    finally:
        reader.close()
    assert learner_history(store, "learner-efua").credentials[0].points("hazard-id") == [2.0]
