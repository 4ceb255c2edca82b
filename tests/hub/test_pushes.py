"""Pushing to the hub: judgments, feedback, decisions and moderation outcomes, each
idempotent by client id, checked against the revision it was based on, and refused
cleanly (nothing half-written) when it is wrong."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from assessor.hub.models import (
    Change,
    Decision,
    Feedback,
    Judgment,
    Organisation,
    PushReceipt,
    Submission,
)
from tests.hub import factory
from tests.hub.conftest import RunningHub


@pytest.fixture
def subs(hub: RunningHub) -> dict[str, str]:
    """ada assesses Lena's submission (with one evidence file) and Leo's; Mia mentors Lena."""
    u = hub.users
    with hub.transaction() as s:
        factory.add_template(s)
        lena = factory.add_submission(s, hub.config.blob_dir, u["lena"], assessor_id=u["ada"],
                                      files=[("report.pdf", b"%PDF-1.7 report", "application/pdf")])
        leo = factory.add_submission(s, hub.config.blob_dir, u["leo"], assessor_id=u["ada"])
        factory.link_mentor(s, u["mia"], u["lena"])
        return {"lena": lena.id, "leo": leo.id}


def push(client: httpx.Client, submission_id: str, kind: str, payload: dict[str, Any],
         base_revision: int, client_id: str | None = None) -> httpx.Response:
    return client.post("/api/v1/push", json={
        "client_id": client_id or str(uuid.uuid4()), "kind": kind,
        "submission_id": submission_id, "base_revision": base_revision, "payload": payload})


def judgment(criterion: str = "listening", level: str | None = "meets",
             **extra: Any) -> dict[str, Any]:
    return {"criterion": criterion, "level": level, "comment": "Clear", "pins": [], **extra}


def state_of(hub: RunningHub) -> dict[str, Any]:
    """Everything a push could write, to show a refused one wrote nothing."""
    with hub.transaction() as s:
        return {
            "subs": sorted(s.execute(select(Submission.id, Submission.revision, Submission.state,
                                            Submission.change_seq, Submission.sampled)).all()),
            "judgments": sorted(s.execute(select(Judgment.submission_id, Judgment.criterion_key,
                                                 Judgment.level_key, Judgment.revision)).all()),
            "feedback": s.scalar(select(func.count()).select_from(Feedback)),
            "decisions": s.scalar(select(func.count()).select_from(Decision)),
            "receipts": s.scalar(select(func.count()).select_from(PushReceipt)),
            "changes": s.scalar(select(func.count()).select_from(Change)),
        }


def revision(hub: RunningHub, submission_id: str) -> int:
    with hub.transaction() as s:
        sub = s.get(Submission, submission_id)
        assert sub is not None
        return sub.revision


def test_a_judgment_is_applied_once_however_often_it_is_sent(hub: RunningHub,
                                                             subs: dict[str, str]) -> None:
    with hub.client(hub.sign_in("ada")) as client:
        pin = {"evidence": f"{subs['lena']}-e0", "kind": "document", "page": 2,
               "rect": [0.1, 0.2, 0.3, 0.4], "note": "here"}
        first = push(client, subs["lena"], "judgment", judgment(pins=[pin], author="x",
                     at="2026-01-01T00:00:00Z", revision=1), 1, client_id="push-0001")
        assert first.status_code == 200, first.text
        answer = first.json()
        assert answer["revision"] == 2 and answer["state"] == "in_review"
        assert "idempotent-replay" not in first.headers
        before = state_of(hub)
        again = push(client, subs["lena"], "judgment", judgment(pins=[pin], author="x",
                     at="2026-01-01T00:00:00Z", revision=1), 1, client_id="push-0001")
        assert again.status_code == 200 and again.json() == answer
        assert again.headers["idempotent-replay"] == "true"
        assert state_of(hub) == before
        other = push(client, subs["lena"], "judgment", judgment(level="exceeds"), 1,
                     client_id="push-0001")
        assert other.status_code == 409
        assert other.json()["error"]["code"] == "client_id_reused"
        assert state_of(hub) == before
        feed = client.get("/api/v1/changes").json()["submissions"]
    lena = next(s for s in feed if s["id"] == subs["lena"])
    assert lena["revision"] == 2 and lena["state"] == "in_review"
    [stored] = lena["judgments"]
    assert stored["level"] == "meets" and stored["author"]["id"] == hub.users["ada"]
    assert stored["pins"] == [pin]
    with hub.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Change).where(
            Change.submission_id == subs["lena"], Change.what == "judgment")) == 1


def test_another_users_client_id_is_not_answered_with_their_receipt(
        hub: RunningHub, subs: dict[str, str]) -> None:
    with hub.client(hub.sign_in("ada")) as client:
        assert push(client, subs["lena"], "feedback", {"id": "note-1", "body": "Hi",
                    "visibility": "learner"}, 1, client_id="shared-id-1").status_code == 200
    with hub.client(hub.sign_in("mia")) as client:
        answer = push(client, subs["lena"], "feedback", {"id": "note-1", "body": "Hi",
                      "visibility": "learner"}, 2, client_id="shared-id-1")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "client_id_reused"
    assert "revision" not in answer.json()


def test_a_push_on_a_stale_revision_gets_409_with_the_hubs_copy(hub: RunningHub,
                                                                subs: dict[str, str]) -> None:
    with hub.client(hub.sign_in("ada")) as client:
        assert push(client, subs["lena"], "judgment", judgment(), 1).status_code == 200
        before = state_of(hub)
        stale = push(client, subs["lena"], "judgment", judgment(level="exceeds"), 1)
        assert stale.status_code == 409
        error = stale.json()["error"]
        assert error["code"] == "stale_revision" and error["current_revision"] == 2
        assert error["submission"]["id"] == subs["lena"]
        assert error["submission"]["judgments"][0]["level"] == "meets"
        assert state_of(hub) == before
        # Based on the revision the previous answer gave, it goes through.
        ok = push(client, subs["lena"], "judgment", judgment(level="exceeds"), 2)
        assert ok.status_code == 200 and ok.json()["revision"] == 3
    with hub.transaction() as s:
        row = s.get(Judgment, (subs["lena"], "listening"))
        assert row is not None and row.level_key == "exceeds" and row.revision == 2


def test_pushes_chain_on_the_revision_each_answer_gives(hub: RunningHub,
                                                       subs: dict[str, str]) -> None:
    with hub.client(hub.sign_in("ada")) as client:
        first = push(client, subs["leo"], "judgment", judgment(), 1)
        assert first.status_code == 200, first.text
        second = push(client, subs["leo"], "feedback", {"id": "n-chain", "body": "Good",
                      "visibility": "learner"}, first.json()["revision"])
        assert second.status_code == 200, second.text
        assert second.json()["revision"] == first.json()["revision"] + 1
        before = state_of(hub)
        stale = push(client, subs["leo"], "judgment", judgment(level="exceeds"),
                     first.json()["revision"])
    error = stale.json()["error"]
    assert stale.status_code == 409 and error["code"] == "stale_revision"
    assert error["current_revision"] == second.json()["revision"]
    assert error["submission"]["judgments"][0]["level"] == "meets"
    assert [n["id"] for n in error["submission"]["feedback"]] == ["n-chain"]
    assert state_of(hub) == before


def test_roles_decide_what_may_be_pushed(hub: RunningHub, subs: dict[str, str]) -> None:
    before = state_of(hub)
    with hub.client(hub.sign_in("mia")) as mentor:
        for kind, payload in (("judgment", judgment()),
                              ("decision", {"id": "d-1", "outcome": "approve"}),
                              ("moderation", {"agree": True})):
            answer = push(mentor, subs["lena"], kind, payload, 1)
            assert answer.status_code == 403, kind
            assert answer.json()["error"]["code"] == "forbidden"
        # Not her learner: as if it did not exist.
        answer = push(mentor, subs["leo"], "feedback",
                      {"id": "n-x", "body": "Hi", "visibility": "learner"}, 1)
        assert answer.status_code == 404
    with hub.client(hub.sign_in("bo")) as other_assessor:
        assert push(other_assessor, subs["lena"], "judgment", judgment(), 1).status_code == 404
    with hub.client(hub.sign_in("mo")) as moderator:  # not sampled
        assert push(moderator, subs["lena"], "moderation", {"agree": True}, 1).status_code == 404
    for username in ("lena", "admin"):
        with hub.client(hub.sign_in(username)) as client:
            assert push(client, subs["lena"], "judgment", judgment(), 1).status_code == 403
    assert state_of(hub) == before
    with hub.client(hub.sign_in("mia")) as mentor:
        answer = push(mentor, subs["lena"], "feedback", {"id": "n-mia", "body": "Well done",
                      "visibility": "learner", "criterion": "listening"}, 1)
        assert answer.status_code == 200, answer.text
    with hub.transaction() as s:
        note = s.get(Feedback, "n-mia")
        assert note is not None and note.author_id == hub.users["mia"]
        assert note.criterion_key == "listening"


def _valid(subs: dict[str, str]) -> dict[str, Any]:
    return {"client_id": str(uuid.uuid4()), "kind": "judgment", "submission_id": subs["lena"],
            "base_revision": 1, "payload": judgment()}


BAD_BODIES: list[tuple[str, Any, int, str]] = [
    ("malformed JSON", b'{"client_id": "abc', 422, "invalid_request"),
    ("not an object", b"[1, 2]", 422, "invalid_request"),
    ("base revision as text", {"base_revision": "one"}, 422, "invalid_request"),
    ("unknown kind", {"kind": "signature"}, 422, "invalid_request"),
    ("short client id", {"client_id": "x"}, 422, "invalid_request"),
    ("control characters in client id", {"client_id": "abc\ndefgh"}, 422, "invalid_request"),
    ("unknown field", {"extra": 1}, 422, "invalid_request"),
    ("level of wrong type", {"payload": {**judgment(), "level": 3}}, 422, "invalid_request"),
    ("pin without rect", {"payload": judgment(pins=[{"evidence": "e", "kind": "image"}])},
     422, "invalid_request"),
    ("unknown criterion", {"payload": judgment(criterion="charm")}, 422, "unknown_criterion"),
    ("unknown level", {"payload": judgment(level="legendary")}, 422, "unknown_level"),
    ("pin on other evidence", {"payload": judgment(pins=[{
        "evidence": "elsewhere", "kind": "media", "start_ms": 0, "end_ms": 5}])},
     422, "unknown_evidence"),
    ("unknown submission", {"submission_id": "no-such-submission"}, 404, "not_found"),
    ("comment too long", {"payload": judgment(comment="x" * 20_001)}, 422, "invalid_request"),
    ("oversized body", {"payload": judgment(comment="x" * 2_000_000)}, 413, "too_large"),
]


@pytest.mark.parametrize("what, change, status, code", BAD_BODIES,
                         ids=[b[0] for b in BAD_BODIES])
def test_bad_pushes_get_a_clear_4xx_and_write_nothing(hub: RunningHub, subs: dict[str, str],
                                                      what: str, change: Any, status: int,
                                                      code: str) -> None:
    before = state_of(hub)
    if isinstance(change, bytes):
        content = change
    else:
        import json
        content = json.dumps(_valid(subs) | change).encode()
    with hub.client(hub.sign_in("ada")) as client:
        answer = client.post("/api/v1/push", content=content,
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]
    assert state_of(hub) == before


def test_an_oversized_chunked_body_is_refused(hub: RunningHub, subs: dict[str, str]) -> None:
    def chunks() -> Any:
        yield b'{"client_id": "' + b"a" * 100
        for _ in range(40):
            yield b"b" * 65536
        yield b'"}'

    before = state_of(hub)
    with hub.client(hub.sign_in("ada")) as client:
        answer = client.post("/api/v1/push", content=chunks(),
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"
    assert state_of(hub) == before


def judge_all(client: httpx.Client, submission_id: str, level: str, rev: int) -> int:
    for criterion in factory.CRITERIA:
        answer = push(client, submission_id, "judgment", judgment(criterion, level), rev)
        assert answer.status_code == 200, answer.text
        rev = answer.json()["revision"]
    return rev


def test_approval_with_moderation_sampling_and_the_moderators_answer(
        hub: RunningHub, subs: dict[str, str]) -> None:
    with hub.transaction() as s:
        org = s.get(Organisation, 1)
        assert org is not None
        org.moderation_rate = 1.0
    mo = hub.sign_in("mo")
    with hub.client(mo) as moderator:
        assert moderator.get("/api/v1/changes").json()["submissions"] == []
    with hub.client(hub.sign_in("ada")) as client:
        # Deciding before every criterion is judged is refused.
        early = push(client, subs["lena"], "decision", {"id": "dec-0", "outcome": "approve"}, 1)
        assert early.status_code == 422
        assert early.json()["error"]["code"] == "refused_by_workflow"
        rev = judge_all(client, subs["lena"], "meets", 1)
        decided = push(client, subs["lena"], "decision",
                       {"id": "dec-1", "outcome": "approve", "total": 4, "mastered": True}, rev)
        assert decided.status_code == 200, decided.text
        assert decided.json()["state"] == "awaiting_moderation"
        rev = decided.json()["revision"]
        # Judgments are locked once decided.
        locked = push(client, subs["lena"], "judgment", judgment(level="exceeds"), rev)
        assert locked.status_code == 422
        assert push(client, subs["lena"], "moderation", {"agree": True}, rev).status_code == 403
    with hub.client(mo) as moderator:
        [seen] = moderator.get("/api/v1/changes").json()["submissions"]
        assert seen["id"] == subs["lena"] and seen["sampled"] is True
        assert [d["outcome"] for d in seen["decisions"]] == ["approve"]
        for criterion in factory.CRITERIA:  # blind second marks come first
            marked = push(moderator, subs["lena"], "second_mark",
                          {"criterion": criterion, "level": "meets"}, rev)
            assert marked.status_code == 200, marked.text
            rev = marked.json()["revision"]
        before = state_of(hub)
        no_note = push(moderator, subs["lena"], "moderation", {"agree": False}, rev)
        assert no_note.status_code == 422 and no_note.json()["error"]["code"] == "note_required"
        assert state_of(hub) == before
        returned = push(moderator, subs["lena"], "moderation",
                        {"agree": False, "note": "Check the listening evidence"}, rev)
        assert returned.status_code == 200 and returned.json()["state"] == "in_review"
        rev = returned.json()["revision"]
    with hub.client(hub.sign_in("ada")) as client:
        rev = judge_all(client, subs["lena"], "exceeds", rev)
        again = push(client, subs["lena"], "decision", {"id": "dec-2", "outcome": "approve"},
                     rev)
        assert again.json()["state"] == "awaiting_moderation"
        rev = again.json()["revision"]
    with hub.client(mo) as moderator:
        agreed = push(moderator, subs["lena"], "moderation", {"agree": True}, rev)
        assert agreed.status_code == 200 and agreed.json()["state"] == "approved"
    with hub.transaction() as s:
        outcomes = s.scalars(select(Decision.outcome).where(
            Decision.submission_id == subs["lena"]).order_by(Decision.decided_at)).all()
        assert outcomes == ["approve", "moderation_return", "approve", "moderation_agree"]


def test_without_sampling_an_approval_is_final(hub: RunningHub, subs: dict[str, str]) -> None:
    with hub.client(hub.sign_in("ada")) as client:
        rev = judge_all(client, subs["leo"], "meets", 1)
        decided = push(client, subs["leo"], "decision", {"id": "dec-9", "outcome": "approve"},
                       rev)
        assert decided.json()["state"] == "approved"
        duplicate = push(client, subs["leo"], "decision",
                         {"id": "dec-9", "outcome": "approve"}, decided.json()["revision"])
        assert duplicate.status_code == 409
        assert duplicate.json()["error"]["code"] == "duplicate_id"
    with hub.transaction() as s:
        sub = s.get(Submission, subs["leo"])
        assert sub is not None and sub.sampled is False and sub.state == "approved"


def test_a_resubmission_request_needs_learner_feedback_on_unmet_criteria(
        hub: RunningHub, subs: dict[str, str]) -> None:
    with hub.client(hub.sign_in("ada")) as client:
        rev = judge_all(client, subs["lena"], "not_yet", 1)
        before = state_of(hub)
        refused = push(client, subs["lena"], "decision",
                       {"id": "dec-r", "outcome": "resubmit"}, rev)
        assert refused.status_code == 422
        assert "listening" in refused.json()["error"]["message"]
        assert state_of(hub) == before
        cannot_approve = push(client, subs["lena"], "decision",
                              {"id": "dec-a", "outcome": "approve"}, rev)
        assert cannot_approve.status_code == 422
        for criterion in factory.CRITERIA:
            answer = push(client, subs["lena"], "feedback", {
                "id": f"fb-{criterion}", "body": "Show a real call", "visibility": "learner",
                "criterion": criterion}, rev)
            rev = answer.json()["revision"]
        decided = push(client, subs["lena"], "decision",
                       {"id": "dec-r", "outcome": "resubmit"}, rev)
        assert decided.status_code == 200
        assert decided.json()["state"] == "resubmission_requested"


def test_feedback_threads_check_their_parent_and_ids(hub: RunningHub,
                                                     subs: dict[str, str]) -> None:
    with hub.client(hub.sign_in("ada")) as client:
        first = push(client, subs["lena"], "feedback",
                     {"id": "t-1", "body": "Internal thought", "visibility": "internal"}, 1)
        assert first.status_code == 200
        rev = first.json()["revision"]
        before = state_of(hub)
        for payload, status, code in (
                ({"id": "t-2", "body": "Re", "visibility": "internal", "parent": "nope"},
                 422, "unknown_parent"),
                ({"id": "t-1", "body": "Again", "visibility": "internal"}, 409, "duplicate_id"),
                ({"id": "t-3", "body": "", "visibility": "internal"}, 422, "invalid_request"),
                ({"id": "t-4", "body": "x", "visibility": "public"}, 422, "invalid_request"),
                ({"id": "t-5", "body": "x", "visibility": "learner", "criterion": "charm"},
                 422, "unknown_criterion")):
            answer = push(client, subs["lena"], "feedback", payload, rev)
            assert answer.status_code == status, payload
            assert answer.json()["error"]["code"] == code
        assert state_of(hub) == before
        reply = push(client, subs["lena"], "feedback",
                     {"id": "t-2", "body": "Re", "visibility": "internal", "parent": "t-1"}, rev)
        assert reply.status_code == 200
    with hub.client(hub.sign_in("mia")) as mentor:
        # Ada's internal note is not the mentor's to see, nor to answer.
        hidden = push(mentor, subs["lena"], "feedback", {
            "id": "t-6", "body": "Re", "visibility": "learner", "parent": "t-1"},
            reply.json()["revision"])
        assert hidden.status_code == 422 and hidden.json()["error"]["code"] == "unknown_parent"


def test_concurrent_pushes_on_one_revision_apply_one(hub: RunningHub,
                                                     subs: dict[str, str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    token = hub.sign_in("ada")

    def send(level: str) -> int:
        with hub.client(token) as client:
            return push(client, subs["leo"], "judgment", judgment(level=level), 1).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(send, ["meets", "exceeds", "not_yet", "meets"]))
    assert codes == [200, 409, 409, 409]
    assert revision(hub, subs["leo"]) == 2
