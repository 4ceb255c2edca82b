"""Moderation on the hub: an assessor's first N approvals and a deterministic sample at the
organisation's rate wait for a moderator; the desktop is told the rule; moderators push
blind second marks (revision-checked, idempotent, only theirs to push) and return
decisions with a comment the assessor reads."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from assessor.domain.moderation_sampling import ModerationPolicy, sampled_at_rate
from assessor.hub.models import Organisation, SecondMark, Submission, TemplateVersion
from tests.hub import factory
from tests.hub.conftest import RunningHub
from tests.hub.test_admin import run_admin
from tests.hub.test_pushes import judge_all, push, state_of


def _org(hub: RunningHub, *, rate: float | None = None, first_n: int | None = None) -> None:
    with hub.transaction() as s:
        org = s.get(Organisation, 1)
        assert org is not None
        if rate is not None:
            org.moderation_rate = rate
        if first_n is not None:
            org.moderation_first_n = first_n


def _submissions(hub: RunningHub, count: int, assessor: str = "ada") -> list[str]:
    with hub.transaction() as s:
        if s.get(TemplateVersion, (factory.TEMPLATE, 1)) is None:
            factory.add_template(s)
        return [factory.add_submission(s, hub.config.blob_dir, hub.users["lena"],
                                       assessor_id=hub.users[assessor]).id
                for _ in range(count)]


def _approve(client: httpx.Client, submission_id: str, *, rev: int = 1,
             **extra: Any) -> dict[str, Any]:
    rev = judge_all(client, submission_id, "meets", rev)
    answer = push(client, submission_id, "decision",
                  {"id": f"dec-{uuid.uuid4().hex[:12]}", "outcome": "approve", **extra}, rev)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _awaiting(hub: RunningHub) -> tuple[str, int]:
    """One of ada's approvals waiting for the moderator: (submission id, revision)."""
    _org(hub, first_n=1)
    [sub] = _submissions(hub, 1)
    with hub.client(hub.sign_in("ada")) as ada:
        answer = _approve(ada, sub)
    assert answer["state"] == "awaiting_moderation"
    return sub, answer["revision"]


def test_a_new_assessors_first_n_approvals_always_go_to_moderation(hub: RunningHub) -> None:
    _org(hub, rate=0.0, first_n=3)
    subs = _submissions(hub, 5)
    with hub.client(hub.sign_in("ada")) as ada:
        page = ada.get("/api/v1/changes").json()
        assert page["moderation"] == {"rate": 0.0, "first_n": 3, "approvals": 0}
        states = [_approve(ada, sub)["state"] for sub in subs]
        assert ada.get("/api/v1/changes").json()["moderation"]["approvals"] == 5
    assert states == ["awaiting_moderation"] * 3 + ["approved"] * 2
    with hub.client(hub.sign_in("bo")) as bo:  # another assessor starts from zero
        [theirs] = _submissions(hub, 1, assessor="bo")
        assert bo.get("/api/v1/changes").json()["moderation"]["approvals"] == 0
        assert _approve(bo, theirs)["state"] == "awaiting_moderation"
    with hub.client(hub.sign_in("mo")) as moderator:
        page = moderator.get("/api/v1/changes").json()
        assert {s["id"] for s in page["submissions"]} == {*subs[:3], theirs}
        assert page["moderation"]["approvals"] == 0


def test_rate_sampling_is_a_deterministic_draw_per_submission(hub: RunningHub) -> None:
    ids = [f"submission-{n}" for n in range(2000)]
    drawn = [i for i in ids if sampled_at_rate(0.25, i)]
    assert drawn == [i for i in ids if sampled_at_rate(0.25, i)]  # reproducible
    assert 0.21 < len(drawn) / len(ids) < 0.29
    assert set(drawn) <= {i for i in ids if sampled_at_rate(0.5, i)}  # a higher rate adds
    assert not any(sampled_at_rate(0.0, i) for i in ids[:50])
    assert all(sampled_at_rate(1.0, i) for i in ids[:50])

    _org(hub, rate=0.5, first_n=0)
    subs = _submissions(hub, 12)
    expected = ["awaiting_moderation" if sampled_at_rate(0.5, s) else "approved" for s in subs]
    assert len(set(expected)) == 2  # both outcomes occur among twelve at one half
    with hub.client(hub.sign_in("ada")) as ada:
        assert [_approve(ada, s)["state"] for s in subs] == expected
    policy = ModerationPolicy(rate=0.5, first_n=0, approvals=12)
    assert [policy.needs_moderation(s) for s in subs] == [
        e == "awaiting_moderation" for e in expected]


def test_a_desktop_that_applied_the_rule_is_honoured(hub: RunningHub) -> None:
    _org(hub, rate=0.0, first_n=0)
    [asked, plain] = _submissions(hub, 2)
    with hub.client(hub.sign_in("ada")) as ada:
        assert _approve(ada, asked, moderation=True)["state"] == "awaiting_moderation"
        assert _approve(ada, plain, moderation=False)["state"] == "approved"
        # A resubmission request is never moderated, whatever the rule says.
        _org(hub, rate=1.0, first_n=10)
        [resubmit] = _submissions(hub, 1)
        rev = judge_all(ada, resubmit, "meets", 1)
        answer = push(ada, resubmit, "decision", {"id": "dec-resub", "outcome": "resubmit"},
                      rev)
        assert answer.json()["state"] == "resubmission_requested"


def test_second_marks_are_for_moderators_only_and_never_their_own(hub: RunningHub) -> None:
    sub, rev = _awaiting(hub)
    mark = {"criterion": "listening", "level": "meets", "comment": "Fine"}
    before = state_of(hub)
    for name in ("ada", "mia", "bo"):
        with hub.client(hub.sign_in(name)) as client:
            answer = push(client, sub, "second_mark", mark, rev)
            # ada may see it but not second-mark (403); mia and bo cannot see it (404).
            assert answer.status_code == (403 if name == "ada" else 404), answer.text
    with hub.client(hub.sign_in("mo")) as moderator:
        for bad, code in (({**mark, "level": "superb"}, "unknown_level"),
                          ({**mark, "criterion": "tact"}, "unknown_criterion")):
            answer = push(moderator, sub, "second_mark", bad, rev)
            assert answer.status_code == 422 and answer.json()["error"]["code"] == code
        missing = push(moderator, sub, "second_mark", {"criterion": "listening"}, rev)
        assert missing.status_code == 422
    assert state_of(hub) == before
    # A moderator who was made this submission's assessor cannot mark their own decision.
    with hub.transaction() as s:
        row = s.get(Submission, sub)
        assert row is not None
        row.assessor_id = hub.users["mo"]
    with hub.client(hub.sign_in("mo")) as moderator:
        own = push(moderator, sub, "second_mark", mark, rev)
        assert own.status_code == 403 and "own decision" in own.json()["error"]["message"]


def test_second_marks_are_revision_checked_idempotent_and_blind(hub: RunningHub) -> None:
    sub, rev = _awaiting(hub)
    mark = {"criterion": "listening", "level": "exceeds", "comment": "Strong"}
    with hub.client(hub.sign_in("mo")) as moderator:
        first = push(moderator, sub, "second_mark", mark, rev, client_id="mark-000001")
        assert first.status_code == 200, first.text
        assert first.json()["state"] == "awaiting_moderation"
        assert first.json()["revision"] == rev + 1
        before = state_of(hub)
        replay = push(moderator, sub, "second_mark", mark, rev, client_id="mark-000001")
        assert replay.json() == first.json()
        assert replay.headers["idempotent-replay"] == "true"
        assert state_of(hub) == before
        stale = push(moderator, sub, "second_mark", {**mark, "level": "meets"}, rev)
        assert stale.status_code == 409
        error = stale.json()["error"]
        assert error["code"] == "stale_revision"
        assert error["submission"]["second_marks"][0]["level"] == "exceeds"
        assert state_of(hub) == before
        rev = first.json()["revision"]
        again = push(moderator, sub, "second_mark", {**mark, "level": "meets"}, rev)
        assert again.status_code == 200
        rev = again.json()["revision"]
        assert push(moderator, sub, "second_mark",
                    {"criterion": "resolution", "level": "meets"}, rev).status_code == 200
        [seen] = moderator.get("/api/v1/changes").json()["submissions"]
    assert [(m["criterion"], m["level"], m["revision"]) for m in seen["second_marks"]] == [
        ("listening", "meets", 2), ("resolution", "meets", 1)]
    with hub.client(hub.sign_in("ada")) as ada:  # the assessor never reads them
        [theirs] = ada.get("/api/v1/changes").json()["submissions"]
        assert theirs["second_marks"] == []
    with hub.transaction() as s:
        assert len(s.scalars(select(SecondMark)).all()) == 2


def _mark_all(moderator: Any, sub: str, rev: int) -> int:
    """Second-mark both criteria; returns the submission's revision after."""
    for criterion in ("listening", "resolution"):
        answer = push(moderator, sub, "second_mark",
                      {"criterion": criterion, "level": "meets"}, rev)
        assert answer.status_code == 200, answer.text
        rev = answer.json()["revision"]
    return rev


def test_agreeing_or_returning_waits_for_every_second_mark(hub: RunningHub) -> None:
    sub, rev = _awaiting(hub)
    with hub.client(hub.sign_in("mo")) as moderator:
        before = state_of(hub)
        for body in ({"agree": True}, {"agree": False, "note": "Look again"}):
            early = push(moderator, sub, "moderation", body, rev)
            assert early.status_code == 422
            error = early.json()["error"]
            assert error["code"] == "second_marks_missing"
            assert "Not yet marked:" in error["message"]
            assert state_of(hub) == before
        answer = push(moderator, sub, "second_mark",
                      {"criterion": "listening", "level": "meets"}, rev)
        rev = answer.json()["revision"]
        half = push(moderator, sub, "moderation", {"agree": True}, rev)
        assert half.status_code == 422 and "listening" not in half.json()["error"]["message"]
        rev = _mark_all(moderator, sub, rev)
        agreed = push(moderator, sub, "moderation",
                      {"agree": True, "id": "desktop-decision-1"}, rev)
        assert agreed.status_code == 200, agreed.text
        [seen] = moderator.get("/api/v1/changes").json()["submissions"]
    assert [d["id"] for d in seen["decisions"]
            if d["outcome"] == "moderation_agree"] == ["desktop-decision-1"]


def test_second_marking_waits_for_a_decision_awaiting_moderation(hub: RunningHub) -> None:
    sub, rev = _awaiting(hub)
    with hub.client(hub.sign_in("mo")) as moderator:
        rev = _mark_all(moderator, sub, rev)
        agreed = push(moderator, sub, "moderation", {"agree": True}, rev)
        assert agreed.json()["state"] == "approved"
        late = push(moderator, sub, "second_mark", {"criterion": "listening",
                                                    "level": "meets"},
                    agreed.json()["revision"])
        assert late.status_code == 422
        assert "awaiting moderation" in late.json()["error"]["message"]


def test_a_returned_decision_carries_the_comment_to_the_assessor(hub: RunningHub) -> None:
    sub, rev = _awaiting(hub)
    with hub.client(hub.sign_in("mo")) as moderator:
        rev = _mark_all(moderator, sub, rev)
        returned = push(moderator, sub, "moderation",
                        {"agree": False, "note": "Listening was only partly shown."}, rev)
        assert returned.json()["state"] == "in_review"
    with hub.client(hub.sign_in("ada")) as ada:
        [seen] = ada.get("/api/v1/changes").json()["submissions"]
        [note] = [n for n in seen["feedback"] if n["id"].startswith("moderation-return-")]
        assert note["body"] == "Listening was only partly shown."
        assert note["visibility"] == "internal" and note["author"]["role"] == "moderator"
        assert [d["outcome"] for d in seen["decisions"]][-1] == "moderation_return"
        # The re-decision goes back to the moderator, though ada's first N are used up.
        _org(hub, first_n=0)
        again = _approve(ada, sub, rev=returned.json()["revision"])
        assert again["state"] == "awaiting_moderation"


def test_the_first_n_setting_through_the_admin_api_and_the_command_line(
        hub: RunningHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with hub.client(hub.sign_in("admin")) as admin:
        answer = admin.put("/api/v1/admin/organisation/moderation-first-n",
                           json={"first_n": 7})
        assert answer.status_code == 200 and answer.json()["moderation_first_n"] == 7
        bad = admin.put("/api/v1/admin/organisation/moderation-first-n", json={"first_n": -1})
        assert bad.status_code == 422
        assert admin.get("/api/v1/admin/organisation").json()["moderation_first_n"] == 7
    with hub.client(hub.sign_in("ada")) as ada:
        refused = ada.put("/api/v1/admin/organisation/moderation-first-n", json={"first_n": 0})
        assert refused.status_code == 403
    assert run_admin(hub, tmp_path, capsys, "moderation-first", "2")[0] == 0
    code, out = run_admin(hub, tmp_path, capsys, "moderation-first", "-3")
    assert code == 2 and "between 0 and 10000" in out
    code, out = run_admin(hub, tmp_path, capsys, "show-org")
    assert code == 0 and "first: 2 approvals" in out
    with hub.transaction() as s:
        org = s.get(Organisation, 1)
        assert org is not None and org.moderation_first_n == 2


def test_a_new_organisation_moderates_five_first_approvals_by_default(
        tmp_path: Path) -> None:
    from assessor.hub.database import open_hub_database
    from assessor.hub.organisation import create_organisation

    database = open_hub_database(str(tmp_path / "fresh.db"))
    try:
        with database.transaction() as s:
            org = create_organisation(s, "Fresh", "https://fresh.example",
                                      "https://hub.fresh.example")
            s.flush()
            assert org.moderation_first_n == 5
    finally:
        database.dispose()


def test_the_openapi_document_describes_second_marks_and_the_rule(hub: RunningHub) -> None:
    with hub.client() as client:
        document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "SecondMarkPush" in schemas and "SecondMarkPayload" in schemas
    assert set(schemas["SecondMarkPayload"]["required"]) == {"criterion", "level"}
    assert "moderation" in schemas["DecisionPayload"]["properties"]
