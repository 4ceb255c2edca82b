"""Working offline for days (issue 5, item 5): with the hub down, everything recorded across
several app restarts waits in the outbox; when the hub is back, one sync sends it all, in
order, once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from assessor.domain.feedback import Outcome, Visibility
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.people import Actor, Role
from assessor.errors import Cancelled
from assessor.hub.config import HubConfig
from assessor.hub.database import open_hub_database
from assessor.hub.models import Decision, Feedback, Judgment, PushReceipt, Submission
from assessor.hub.organisation import add_user, create_organisation
from assessor.hub.server import BackgroundHub, free_port
from assessor.keys import KeychainSecrets
from assessor.store.sync_store import SyncStore
from assessor.sync.account import token_name
from assessor.sync.backoff import Backoff
from assessor.sync.errors import HubUnreachable
from tests.hub import factory
from tests.hub.conftest import PASSWORD, SEEDED, RunningHub
from tests.sync.conftest import Desktop


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


REPORT = b"%PDF-1.4\n% a learner's report\n" + b"r" * 50_000


@dataclass
class HubThatComesAndGoes:
    """A real hub on a fixed loopback port that a test stops and starts again (a new
    server each time, on the same database, as a restarted hub is)."""

    hub: RunningHub
    port: int
    server: BackgroundHub | None = None

    def start(self) -> None:
        self.server = BackgroundHub(self.hub.config, port=self.port).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def flaky_hub(tmp_path: Path) -> Iterator[HubThatComesAndGoes]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = HubConfig(database_url=str(tmp_path / "hub.sqlite3"),
                       data_dir=tmp_path / "hub-data", public_url=url)
    database = open_hub_database(config.database_url)
    users: dict[str, str] = {}
    with database.transaction() as session:
        create_organisation(session, "Example Training Org", "https://training.example.org",
                            url, moderation_first_n=0)
        for username, role in SEEDED.items():
            users[username] = add_user(session, username, role, password=PASSWORD,
                                       display_name=username.title()).id
        factory.add_template(session)
    database.dispose()
    hub = HubThatComesAndGoes(RunningHub(url, config, users), port)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()
        KeychainSecrets().delete(token_name(url))


def test_work_done_offline_across_restarts_reaches_the_hub_once_in_order(
        flaky_hub: HubThatComesAndGoes, desktops) -> None:
    hub = flaky_hub.hub
    with hub.transaction() as session:
        first = factory.add_submission(session, hub.config.blob_dir, hub.users["lena"],
                                       assessor_id=hub.users["ada"],
                                       files=[("report.pdf", REPORT, "application/pdf")]).id
        second = factory.add_submission(session, hub.config.blob_dir, hub.users["leo"],
                                        assessor_id=hub.users["ada"]).id
    desk: Desktop = desktops("ada")
    desk.sign_in(hub.url, "ada")
    assert desk.sync().added == 2
    ada = Actor(hub.users["ada"], "Ada", Role.ASSESSOR)

    flaky_hub.stop()  # the train enters the tunnel
    backoff = Backoff(random=lambda: 0.0)
    delays: list[float] = []

    def try_to_sync() -> None:
        with pytest.raises(HubUnreachable, match="cannot be reached") as caught:
            desk.sync()
        assert "your work is kept" in str(caught.value).lower()
        delays.append(backoff.next_delay(caught.value.retry_after))

    # Day one: judge the first submission, then the app is closed.
    desk.store.record_judgment(first, JudgmentDraft("listening", "not_yet", "Rushed"), ada)
    try_to_sync()
    desk.store.record_judgment(first, JudgmentDraft("resolution", "meets", "Sorted it"), ada)
    desk.restart()
    # Day two: a second look changes the first judgment; feedback for the learner.
    desk.store.record_judgment(first, JudgmentDraft("listening", "meets", "On reflection, "
                                                    "calm and clear"), ada)
    desk.store.add_feedback(first, ada, "Well handled.", Visibility.LEARNER)
    try_to_sync()
    desk.restart()
    # Day three: the decision, and the second submission judged.
    desk.store.decide(first, ada, Outcome.APPROVE, note="Meets the standard")
    desk.store.record_judgment(second, JudgmentDraft("listening", "exceeds", "Excellent"), ada)
    desk.restart()
    try_to_sync()
    desk.restart()

    waiting = SyncStore(desk.store).outbox()
    assert [(e.kind, e.submission_id) for e in waiting] == [
        ("judgment", first),  # the first try counted it as sent, so the edit queued anew
        ("judgment", first), ("judgment", first), ("feedback", first),
        ("decision", first), ("judgment", second)]
    assert [e.payload.get("comment") for e in waiting if e.kind == "judgment"] == [
        "Rushed", "Sorted it", "On reflection, calm and clear", "Excellent"]
    assert delays == [5, 10, 20]
    assert desk.store.judgments(first)["listening"].comment == "On reflection, calm and clear"

    flaky_hub.start()  # back in range
    report = desk.sync()
    backoff.reset()
    assert report.pushed == 6 and report.conflicts == 0 and report.refused == 0
    assert desk.store.outbox_count() == 0
    assert desk.cache.read(sha(REPORT)) == REPORT

    with hub.transaction() as session:
        receipts = session.scalars(select(PushReceipt).order_by(PushReceipt.received_at))
        assert [r.client_id for r in receipts] == [e.client_id for e in waiting]
        judged = {(j.submission_id, j.criterion_key): (j.level_key, j.comment)
                  for j in session.scalars(select(Judgment))}
        assert judged == {(first, "listening"): ("meets", "On reflection, calm and clear"),
                          (first, "resolution"): ("meets", "Sorted it"),
                          (second, "listening"): ("exceeds", "Excellent")}
        notes = session.scalars(select(Feedback).where(Feedback.submission_id == first))
        assert [n.body for n in notes] == ["Well handled."]
        decisions = session.scalars(select(Decision).where(Decision.submission_id == first))
        assert [d.outcome for d in decisions] == ["approve"]
        sub = session.get(Submission, first)
        assert sub is not None and sub.state == "approved"

    again = desk.sync()  # nothing is sent twice
    assert again.pushed == 0
    with hub.transaction() as session:
        assert len(session.scalars(select(PushReceipt)).all()) == 6
    assert desk.store.verify_audit().ok


def test_a_download_interrupted_then_offline_over_a_restart_resumes_when_the_hub_returns(
        flaky_hub: HubThatComesAndGoes, desktops) -> None:
    hub = flaky_hub.hub
    big = bytes(range(256)) * (6 * 1024 * 1024 // 256)
    with hub.transaction() as session:
        factory.add_submission(session, hub.config.blob_dir, hub.users["lena"],
                               assessor_id=hub.users["ada"],
                               files=[("video.mp4", big, "video/mp4")])
    desk: Desktop = desktops("ada")
    desk.sign_in(hub.url, "ada")
    desk.sync(evidence=False)
    checks = {"n": 0}

    def closed_midway() -> bool:  # push, pull and evidence checks, then a few chunks
        checks["n"] += 1
        return checks["n"] > 6

    with pytest.raises(Cancelled):
        desk.sync(cancelled=closed_midway)  # the laptop lid closes mid-download
    flaky_hub.stop()
    digest = sha(big)
    assert not desk.cache.has(digest)
    partial = desk.paths.evidence / "partial" / digest
    kept = partial.stat().st_size
    desk.restart()
    with pytest.raises(HubUnreachable, match="cannot be reached"):
        desk.sync()
    assert partial.stat().st_size == kept  # the failed try took nothing away
    flaky_hub.start()
    report = desk.sync()
    assert desk.cache.read(digest) == big
    assert 0 < report.bytes < len(big) and not report.problems
