"""Moderation on the desktop: blind second marks (audited, queued for the hub, moderators
only), agree / return once every criterion is marked, the sampling rule applied before
deciding, agreement inputs, and a whole round trip through a real hub: the assessor's
approval waits for moderation at once, the moderator's marks and return reach the hub,
and the assessor reads the return comment after the next sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from assessor.domain.feedback import Outcome
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.people import Actor, Role
from assessor.domain.states import State
from assessor.errors import NotFoundError, ValidationError, WorkflowError
from assessor.hub.config import HubConfig
from assessor.hub.database import open_hub_database
from assessor.hub.models import Organisation, SecondMark
from assessor.hub.organisation import add_user, create_organisation
from assessor.hub.server import BackgroundHub, free_port
from assessor.paths import AppPaths
from assessor.store.insights import agreement_report
from assessor.store.second_marks import (
    POLICY_KEY,
    SecondMarks,
    return_comment,
)
from assessor.store.store import Store
from assessor.store.sync_store import SyncStore
from assessor.sync.client import HubClient
from assessor.sync.engine import SyncEngine
from tests.core.helpers import ASSESSOR, MENTOR, MODERATOR, care_id, open_store, seeded_store
from tests.hub import factory
from tests.hub.conftest import PASSWORD, RunningHub

CARE = {"listening": "proficient", "resolution": "exemplary"}


@pytest.fixture
def store(home, clock) -> Iterator[Store]:
    opened = seeded_store(home, count=6, clock=clock)
    yield opened
    opened.close()


def awaiting(store: Store, n: int = 0, levels: dict[str, str] = CARE) -> str:
    sub = care_id(n)
    for key, level in levels.items():
        store.record_judgment(sub, JudgmentDraft(key, level), ASSESSOR)
    store.decide(sub, ASSESSOR, Outcome.APPROVE, needs_moderation=True)
    return sub


def outbox(store: Store) -> list[tuple[str, dict[str, Any]]]:
    return [(e.kind, e.payload) for e in SyncStore(store).outbox()]


def test_a_second_mark_is_saved_audited_and_queued_once_per_criterion(store) -> None:
    sub = awaiting(store)
    marks = SecondMarks(store)
    marks.record(sub, "listening", "developing", MODERATOR)
    marks.record(sub, "listening", "proficient", MODERATOR, comment="On reflection")
    mine = marks.of(sub, MODERATOR.user_id)
    assert {k: (m.level_key, m.comment) for k, m in mine.items()} == {
        "listening": ("proficient", "On reflection")}
    queued = [p for kind, p in outbox(store) if kind == "second_mark"]
    assert [(p["criterion"], p["level"]) for p in queued] == [("listening", "proficient")]
    events = [e for e in store.audit_events() if e.action == "second_mark"]
    assert [e.details["level"] for e in events] == ["developing", "proficient"]
    assert store.verify_audit().ok
    [missing] = marks.missing(sub, MODERATOR.user_id)
    assert missing == store.rubric("customer-care", 1).criterion("resolution").title


@pytest.mark.parametrize(("who", "message"), [
    (ASSESSOR, "only a moderator can second-mark"),
    (MENTOR, "only a moderator can second-mark"),
    (Actor(ASSESSOR.user_id, "Dana as moderator", Role.MODERATOR), "their own decision"),
])
def test_only_another_moderator_second_marks(store, who, message) -> None:
    sub = awaiting(store)
    with pytest.raises(WorkflowError, match=message):
        SecondMarks(store).record(sub, "listening", "proficient", who)
    assert [k for k, _ in outbox(store)].count("second_mark") == 0


def test_second_marks_need_a_decision_awaiting_moderation_and_a_real_level(store) -> None:
    marks = SecondMarks(store)
    with pytest.raises(WorkflowError, match="awaiting moderation"):
        marks.record(care_id(1), "listening", "proficient", MODERATOR)
    sub = awaiting(store)
    with pytest.raises(ValidationError, match="has no level 'superb'"):
        marks.record(sub, "listening", "superb", MODERATOR)
    with pytest.raises((ValidationError, NotFoundError), match="tact"):
        marks.record(sub, "tact", "proficient", MODERATOR)


def test_agree_and_return_wait_for_every_criterion_and_a_return_needs_a_comment(
        store) -> None:
    sub = awaiting(store)
    marks = SecondMarks(store)
    marks.record(sub, "listening", "proficient", MODERATOR)
    with pytest.raises(WorkflowError, match="Second-mark every criterion"):
        marks.moderate(sub, MODERATOR, agree=True)
    marks.record(sub, "resolution", "proficient", MODERATOR)
    with pytest.raises(ValidationError, match="needs a comment"):
        marks.moderate(sub, MODERATOR, agree=False, note="   ")
    with pytest.raises(WorkflowError, match="waits for the moderator"):
        store.check_can_sign(sub, ASSESSOR)
    assert marks.moderate(sub, MODERATOR, agree=True) is State.APPROVED
    store.check_can_sign(sub, ASSESSOR)  # signing may proceed now
    kind, payload = outbox(store)[-1]
    [decision] = [d for d in store.decisions(sub) if d.outcome is Outcome.MODERATION_AGREE]
    assert (kind, payload) == ("moderation", {"id": decision.id, "agree": True, "note": "",
                                              "author": MODERATOR.user_id})
    assert decision.author == MODERATOR.user_id and decision.outcome.label == \
        "Moderator agreed"


def test_agreement_inputs_feed_the_agreement_report(store, home) -> None:
    first = awaiting(store, 0, {"listening": "proficient", "resolution": "exemplary"})
    second = awaiting(store, 1, {"listening": "exemplary", "resolution": "proficient"})
    marks = SecondMarks(store)
    for sub, levels in ((first, ("proficient", "proficient")),
                        (second, ("exemplary", "proficient"))):
        marks.record(sub, "listening", levels[0], MODERATOR)
        marks.record(sub, "resolution", levels[1], MODERATOR)
    inputs = marks.agreement_inputs(MODERATOR.user_id)
    assert len(inputs) == 4
    assert marks.agreement_inputs("someone-else") == []
    report = agreement_report(Path(store.path), inputs)
    by_key = {row.criterion_key: row.agreement for row in report.criteria}
    assert by_key["listening"].exact == 1.0 and by_key["listening"].n == 2
    assert by_key["resolution"].exact == 0.5
    assert report.overall.n == 4 and report.overall.exact == 0.75


def test_without_a_rule_from_a_hub_nothing_is_moderated(store) -> None:
    for key, level in CARE.items():
        store.record_judgment(care_id(0), JudgmentDraft(key, level), ASSESSOR)
    assert not SecondMarks(store).needs_moderation(care_id(0))
    store.decide(care_id(0), ASSESSOR, Outcome.APPROVE)
    assert store.submission(care_id(0)).state is State.APPROVED


def test_the_rule_counts_approvals_not_yet_sent(store) -> None:
    SyncStore(store).put(POLICY_KEY, '{"rate": 0.0, "first_n": 2, "approvals": 1}')
    states = []
    for n in range(3):
        for key, level in CARE.items():
            store.record_judgment(care_id(n), JudgmentDraft(key, level), ASSESSOR)
        store.decide(care_id(n), ASSESSOR, Outcome.APPROVE)
        states.append(store.submission(care_id(n)).state)
    # One approval on the hub already: the next one is the second of the first two.
    assert states == [State.AWAITING_MODERATION, State.APPROVED, State.APPROVED]
    payloads = [p for kind, p in outbox(store) if kind == "decision"]
    assert [p["moderation"] for p in payloads] == [True, False, False]


def test_a_broken_rule_in_the_store_moderates_nothing(store) -> None:
    SyncStore(store).put(POLICY_KEY, "not json")
    assert SecondMarks(store).policy() is None
    assert not SecondMarks(store).needs_moderation(care_id(0))


# -- through a real hub -------------------------------------------------------------------


@pytest.fixture
def moderated_hub(tmp_path: Path) -> Iterator[RunningHub]:
    """A served hub whose assessors' first approval is moderated."""
    port = free_port()
    config = HubConfig(database_url=str(tmp_path / "hub.sqlite3"),
                       data_dir=tmp_path / "hub-data", public_url=f"http://127.0.0.1:{port}")
    database = open_hub_database(config.database_url)
    users = {}
    with database.transaction() as session:
        create_organisation(session, "Example Training Org", "https://training.example.org",
                            config.public_url, moderation_first_n=1)
        for username, role in (("ada", "assessor"), ("mo", "moderator"), ("lena", "learner")):
            users[username] = add_user(session, username, role, password=PASSWORD,
                                       display_name=username.title()).id
        factory.add_template(session)
        for _ in range(2):
            factory.add_submission(session, config.blob_dir, users["lena"],
                                   assessor_id=users["ada"])
    database.dispose()
    with BackgroundHub(config, port=port):
        yield RunningHub(f"http://127.0.0.1:{port}", config, users)


def _sync(hub: RunningHub, store: Store, username: str) -> None:
    client = HubClient(hub.url, hub.sign_in(username))
    try:
        report = SyncEngine(store, client, None).run(evidence=False)
    finally:
        client.close()
    assert report.conflicts == 0 and report.refused == 0, report.describe()


def test_a_round_trip_through_the_hub(moderated_hub: RunningHub, tmp_path: Path) -> None:
    hub = moderated_hub
    ada = Actor(hub.users["ada"], "Ada", Role.ASSESSOR)
    mo = Actor(hub.users["mo"], "Mo", Role.MODERATOR)
    assessor = open_store(AppPaths(tmp_path / "ada").ensure())
    moderator = open_store(AppPaths(tmp_path / "mo").ensure())
    try:
        _sync(hub, assessor, "ada")
        first, second = _ids(assessor)
        # The rule arrived with the page: ada's first approval waits for moderation at once,
        # offline, so it can never be signed before the moderator agrees.
        for sub in (first, second):
            for criterion in factory.CRITERIA:
                assessor.record_judgment(sub, JudgmentDraft(criterion, "meets"), ada)
        assessor.decide(first, ada, Outcome.APPROVE)
        assessor.decide(second, ada, Outcome.APPROVE)
        assert assessor.submission(first).state is State.AWAITING_MODERATION
        assert assessor.submission(second).state is State.APPROVED
        with pytest.raises(WorkflowError, match="waits for the moderator"):
            assessor.check_can_sign(first, ada)
        _sync(hub, assessor, "ada")
        assert assessor.submission(first).state is State.AWAITING_MODERATION
        assert assessor.submission(second).state is State.APPROVED

        _sync(hub, moderator, "mo")
        assert _ids(moderator) == [first]
        marks = SecondMarks(moderator)
        marks.record(first, "listening", "meets", mo)
        marks.record(first, "resolution", "not_yet", mo)
        _sync(hub, moderator, "mo")
        with hub.transaction() as session:
            stored = {m.criterion_key: m.level_key for m in session.scalars(select(SecondMark))}
        assert stored == {"listening": "meets", "resolution": "not_yet"}

        # A fresh desktop of the moderator gets their own marks back from the hub.
        again = open_store(AppPaths(tmp_path / "mo-2").ensure())
        try:
            _sync(hub, again, "mo")
            assert {k: m.level_key for k, m in SecondMarks(again).of(first, mo.user_id)
                    .items()} == stored
        finally:
            again.close()

        marks.moderate(first, mo, agree=False, note="Resolution is not shown yet.")
        _sync(hub, moderator, "mo")
        _sync(hub, assessor, "ada")
        review = assessor.review(first)
        assert review.submission.state is State.IN_REVIEW
        note = return_comment(review.feedback, review.submission.state)
        assert note is not None and note.body == "Resolution is not shown yet."
        assert note.role is Role.MODERATOR
        # The re-decision goes back to the moderator (sampled before), not approved.
        assessor.decide(first, ada, Outcome.APPROVE)
        assert assessor.submission(first).state is State.AWAITING_MODERATION
        _sync(hub, assessor, "ada")
        assert assessor.submission(first).state is State.AWAITING_MODERATION
        with hub.transaction() as session:
            org = session.get(Organisation, 1)
            assert org is not None and org.moderation_first_n == 1
    finally:
        assessor.close()
        moderator.close()


def _ids(store: Store) -> list[str]:
    from assessor.store.records import SubmissionRecord

    with store._reading() as s:
        return sorted(s.scalars(select(SubmissionRecord.id)))
