"""Administration on a real hub, through the admin API and ``hub admin`` on the command
line: templates and their versions, people, mentors, assignments, keys, moderation rate."""

from __future__ import annotations

import base64
import copy
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from assessor.cli import main as cli_main
from assessor.credentials import ed25519
from assessor.credentials.multiformats import ed25519_multikey, multibase_b58
from assessor.hub.hub_key import ENV_VAR, forget_cached_keys
from assessor.hub.models import Change, EnrolledKey, Organisation, Submission, TemplateVersion
from assessor.hub.organisation import add_user
from assessor.keys import KeyInfo
from tests.hub.conftest import PASSWORD, RunningHub
from tests.hub.factory import add_submission
from tests.hub.intake_helpers import multipart, pdf_bytes, template_document


def admin(hub: RunningHub) -> httpx.Client:
    return hub.client(hub.sign_in("admin"))


def error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    found: dict[str, Any] = answer.json()["error"]
    assert found["message"]
    return found


def run_admin(hub: RunningHub, tmp_path: Path, capsys: pytest.CaptureFixture[str],
              *args: str, stdin: str = "") -> tuple[int, str]:
    """``python main.py hub admin ARGS`` in this process, on the test hub's database."""
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = cli_main(["--data-dir", str(tmp_path / "cli-home"), "hub", "admin", *args,
                         "--db", hub.config.database_url, "--data", str(hub.config.data_dir)])
    finally:
        sys.stdin = saved
    out = capsys.readouterr()
    return code, out.out + out.err


def submission_ids(hub: RunningHub, count: int, assessor: str | None = None) -> list[str]:
    with hub.transaction() as session:
        if session.get(TemplateVersion, ("customer-care", 1)) is None:
            from tests.hub.factory import add_template

            add_template(session)
        return [add_submission(session, hub.config.blob_dir, hub.users["lena"],
                               assessor_id=hub.users[assessor] if assessor else None).id
                for _ in range(count)]


def exported_key(seed: bytes | None = None) -> list[dict[str, Any]]:
    """What `python main.py keys export-public` prints for one active key."""
    public = ed25519.public_key(seed or ed25519.new_seed())
    return [KeyInfo(ed25519_multikey(public), "2025-01-01T00:00:00+00:00", "active")
            .public_export()]


# --- who may administer ----------------------------------------------------------------------

@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/v1/admin/organisation", None),
    ("POST", "/api/v1/admin/templates", template_document()),
    ("POST", "/api/v1/admin/users", {"username": "eve", "role": "admin", "password": "pw12"}),
    ("GET", "/api/v1/admin/users", None),
    ("POST", "/api/v1/admin/mentors", {"mentor": "mia", "learner": "leo"}),
    ("POST", "/api/v1/admin/assignments/round-robin", None),
    ("POST", "/api/v1/admin/users/ada/keys", exported_key()),
    ("PUT", "/api/v1/admin/organisation/moderation-rate", {"rate": 1}),
])
def test_only_administrators_administer(hub: RunningHub, method: str, path: str,
                                        body: Any) -> None:
    for username in ("ada", "mia", "mo", "lena"):
        with hub.client(hub.sign_in(username)) as client:
            answer = client.request(method, path, json=body)
        assert error(answer, 403)["code"] == "forbidden"
    with hub.transaction() as session:
        assert session.scalar(select(func.count()).select_from(TemplateVersion)) == 0
        assert session.scalar(select(func.count()).select_from(EnrolledKey)) == 0
        org = session.get(Organisation, 1)
        assert org is not None and org.moderation_rate == 0.0


# --- templates -----------------------------------------------------------------------------

def test_a_changed_rubric_is_a_new_version_and_submissions_keep_theirs(hub: RunningHub) -> None:
    document = template_document()
    with admin(hub) as client:
        first = client.post("/api/v1/admin/templates", json=document)
        again = client.post("/api/v1/admin/templates", json=document)
        assert first.status_code == 201 and again.status_code == 200
        assert first.json()["version"] == again.json()["version"] == 1
        assert again.json()["created"] is False
        assert first.json()["rubric"]["version"] == 1
        assert first.json()["achievement"]["alignments"][0]["target_code"] == "MH1"

    body, content_type = multipart([("template_id", "safe-lifting"), ("narrative", "v1")],
                                   [(b"plan.pdf", pdf_bytes(), "application/pdf")])
    with hub.client(hub.sign_in("lena")) as client:
        made = client.post("/api/v1/intake/submissions", content=body,
                           headers={"Content-Type": content_type}).json()

    changed = copy.deepcopy(document)
    changed["rubric"]["criteria"][0]["levels"][1]["points"] = 2.5
    renamed = copy.deepcopy(changed)
    renamed["achievement"]["name"] = "Safe Manual Handling (2025)"
    with admin(hub) as client:
        second = client.post("/api/v1/admin/templates", json=changed)
        third = client.post("/api/v1/admin/templates", json=renamed)
        history = client.get("/api/v1/admin/templates/safe-lifting").json()["versions"]
        latest = client.get("/api/v1/admin/templates").json()["templates"]
        missing = client.get("/api/v1/admin/templates/nothing")
    assert second.status_code == third.status_code == 201
    assert second.json()["version"] == 2 and second.json()["rubric"]["version"] == 2
    assert third.json()["version"] == 3
    assert [v["version"] for v in history] == [1, 2, 3]
    assert history[0]["rubric"]["criteria"][0]["levels"][1]["points"] == 2
    assert [(t["id"], t["version"]) for t in latest] == [("safe-lifting", 3)]
    assert error(missing, 404)["code"] == "not_found"
    with hub.transaction() as session:
        kept = session.get(Submission, made["id"])
        assert kept is not None and kept.template_version == 1


def _broken(change: Any) -> dict[str, Any]:
    document = template_document()
    change(document)
    return document


@pytest.mark.parametrize("document, hint", [
    (_broken(lambda d: d["rubric"]["criteria"][0].update(pass_level="excellent")),
     "pass level 'excellent' is not one of its levels"),
    (_broken(lambda d: d["rubric"].update(criteria=[])), "has no criteria"),
    (_broken(lambda d: d["rubric"].update(cut_score=99)), "cut score 99"),
    (_broken(lambda d: d["rubric"]["criteria"][1]["levels"][0].update(points=-1)),
     "negative points"),
    (_broken(lambda d: d["rubric"]["criteria"][0]["levels"][0].pop("points")),
     "lacks 'points'"),
    (_broken(lambda d: d["rubric"]["criteria"][0].update(weight=0)), "positive weight"),
    (_broken(lambda d: d["rubric"]["criteria"][1].update(key="plan")),
     "repeats a criterion key"),
    (_broken(lambda d: d["rubric"]["criteria"][0].update(levels="three")),
     "must be a list of levels"),
    (_broken(lambda d: d["rubric"]["criteria"][0]["levels"][0].update(points="lots")),
     "not valid"),
    (_broken(lambda d: d.update(rubric=[1, 2])), "rubric must be an object"),
    (_broken(lambda d: d["achievement"].pop("name")), "achievement.name is required"),
    (_broken(lambda d: d["achievement"].update(tags="safety")), "tags must be a list"),
    (_broken(lambda d: d.update(id="../escape")), "needs an id"),
    (_broken(lambda d: d.update(validity_days=-3)), "validity_days"),
])
def test_a_broken_template_is_refused_with_the_reason(hub: RunningHub, document: Any,
                                                     hint: str) -> None:
    with admin(hub) as client:
        answer = client.post("/api/v1/admin/templates", json=document)
    found = error(answer, 400)
    assert found["code"] == "invalid_template" and hint in found["message"]
    with hub.transaction() as session:
        assert session.scalar(select(func.count()).select_from(TemplateVersion)) == 0


# --- people --------------------------------------------------------------------------------

def test_users_are_created_listed_deactivated_and_given_new_passwords(hub: RunningHub) -> None:
    with admin(hub) as client:
        made = client.post("/api/v1/admin/users", json={
            "username": "cy", "role": "assessor", "password": "first password",
            "display_name": "Cy Assessor", "email": "cy@example.org"})
        assert made.status_code == 201 and made.json()["role"] == "assessor"
        assert "password" not in made.text
        assert error(client.post("/api/v1/admin/users", json={
            "username": "cy", "role": "mentor", "password": "xxxxx"}), 409)["code"] == "exists"
        assert error(client.post("/api/v1/admin/users", json={
            "username": "zed", "role": "wizard", "password": "xxxxx"}), 400)
        assessors = client.get("/api/v1/admin/users", params={"role": "assessor"}).json()
        assert [u["username"] for u in assessors["users"]] == ["ada", "bo", "cy"]

    token = hub.sign_in("cy", "first password")
    with admin(hub) as client:
        reset = client.put("/api/v1/admin/users/cy/password",
                           json={"password": "second password"})
        assert reset.status_code == 200 and "second password" not in reset.text
    with hub.client(token) as client:
        assert error(client.get("/api/v1/me"), 401)["code"] == "token_revoked"
    with hub.client() as client:
        old = client.post("/api/v1/sessions", json={"username": "cy",
                                                    "password": "first password"})
    assert old.status_code == 401
    token = hub.sign_in("cy", "second password")

    with admin(hub) as client:
        gone = client.post("/api/v1/admin/users/cy/deactivate")
        assert gone.status_code == 200 and gone.json()["active"] is False
        assert error(client.post("/api/v1/admin/users/admin/deactivate"), 409)["code"] == "self"
        assert error(client.post("/api/v1/admin/users/nobody/deactivate"), 404)
    with hub.client(token) as client:
        assert client.get("/api/v1/me").status_code == 401
    with hub.client() as client:
        assert client.post("/api/v1/sessions", json={
            "username": "cy", "password": "second password"}).status_code == 401


def test_mentors_are_attached_to_learners_and_then_see_their_work(hub: RunningHub) -> None:
    submission_ids(hub, 1)
    with hub.client(hub.sign_in("mia")) as client:
        before = client.get("/api/v1/changes", params={"cursor": 0}).json()
    with admin(hub) as client:
        attached = client.post("/api/v1/admin/mentors", json={"mentor": "mia",
                                                              "learner": "lena"})
        assert attached.status_code == 201
        assert client.post("/api/v1/admin/mentors", json={
            "mentor": "mia", "learner": "lena"}).status_code == 201  # idempotent
        wrong = client.post("/api/v1/admin/mentors", json={"mentor": "ada", "learner": "lena"})
        assert error(wrong, 400)["code"] == "wrong_role"
        learners = client.get("/api/v1/admin/users", params={"role": "learner"}).json()
        assert {u["username"]: u["mentors"] for u in learners["users"]} == {
            "lena": ["mia"], "leo": []}
    with hub.client(hub.sign_in("mia")) as client:
        after = client.get("/api/v1/changes", params={"cursor": 0}).json()
    assert hub.users["lena"] not in json.dumps(before)
    assert hub.users["lena"] in json.dumps(after)


def test_a_detached_mentor_hears_the_submissions_are_gone_and_others_hear_nothing(
        hub: RunningHub) -> None:
    [sid] = submission_ids(hub, 1, assessor="ada")
    with admin(hub) as client:
        assert client.post("/api/v1/admin/mentors", json={
            "mentor": "mia", "learner": "lena"}).status_code == 201
    with hub.client(hub.sign_in("mia")) as mentor, hub.client(hub.sign_in("ada")) as ada:
        seen = mentor.get("/api/v1/changes").json()
        assert [s["id"] for s in seen["submissions"]] == [sid]
        ada_cursor = ada.get("/api/v1/changes").json()["next_cursor"]
        with admin(hub) as client:
            assert client.delete("/api/v1/admin/mentors/mia/learners/lena").status_code == 204
            missing = client.delete("/api/v1/admin/mentors/mia/learners/lena")
            assert error(missing, 404)["code"] == "not_found"
        gone = mentor.get("/api/v1/changes", params={"cursor": seen["next_cursor"]}).json()
        assert gone["removed"] == [sid] and gone["submissions"] == []
        # The assessor's view did not change: nothing to pull.
        unchanged = ada.get("/api/v1/changes", params={"cursor": ada_cursor}).json()
        assert unchanged["submissions"] == [] and unchanged["removed"] == []
        # Attached again, the mentor's next pull brings it back.
        with admin(hub) as client:
            assert client.post("/api/v1/admin/mentors", json={
                "mentor": "mia", "learner": "lena"}).status_code == 201
        back = mentor.get("/api/v1/changes", params={"cursor": gone["next_cursor"]}).json()
        assert [s["id"] for s in back["submissions"]] == [sid] and back["removed"] == []


# --- assignment ----------------------------------------------------------------------------

def test_manual_reassignment_tells_both_assessors(hub: RunningHub) -> None:
    [sid] = submission_ids(hub, 1, assessor="ada")
    with hub.transaction() as session:
        before = session.get(Submission, sid)
        assert before is not None
        revision, seq = before.revision, before.change_seq
    with admin(hub) as client:
        moved = client.put(f"/api/v1/admin/submissions/{sid}/assessor", json={"assessor": "bo"})
        assert moved.status_code == 200 and moved.json()["assessor_id"] == hub.users["bo"]
        same = client.put(f"/api/v1/admin/submissions/{sid}/assessor", json={"assessor": "bo"})
        assert same.status_code == 200
        assert error(client.put(f"/api/v1/admin/submissions/{sid}/assessor",
                                json={"assessor": "lena"}), 400)["code"] == "wrong_role"
        assert error(client.put("/api/v1/admin/submissions/nothing/assessor",
                                json={"assessor": "bo"}), 404)
    with hub.transaction() as session:
        after = session.get(Submission, sid)
        assert after is not None and after.revision == revision + 1
        assert after.change_seq > seq
        change = session.get(Change, after.change_seq)
        assert change is not None and change.what == "assigned"
        assert change.removed_for_user_id == hub.users["ada"]
    with hub.client(hub.sign_in("bo")) as client:
        assert sid in json.dumps(client.get("/api/v1/changes", params={"cursor": 0}).json())
    with hub.client(hub.sign_in("ada")) as client:
        pulled = client.get("/api/v1/changes", params={"cursor": seq}).json()
    assert sid in json.dumps(pulled)  # listed as removed for ada


def test_round_robin_deals_fairly_over_active_assessors_only(hub: RunningHub) -> None:
    with hub.transaction() as session:
        for name in ("cy", "di"):
            hub.users[name] = add_user(session, name, "assessor", password=PASSWORD).id
    with admin(hub) as client:
        client.post("/api/v1/admin/users/di/deactivate")
    waiting = submission_ids(hub, 10)
    with admin(hub) as client:
        dealt = client.post("/api/v1/admin/assignments/round-robin").json()["assigned"]
        again = client.post("/api/v1/admin/assignments/round-robin").json()["assigned"]
    assert sorted(d["submission_id"] for d in dealt) == sorted(waiting)
    assert again == []
    tally: dict[str, int] = {}
    for item in dealt:
        tally[item["assessor_id"]] = tally.get(item["assessor_id"], 0) + 1
    assert set(tally) == {hub.users["ada"], hub.users["bo"], hub.users["cy"]}
    assert max(tally.values()) - min(tally.values()) <= 1
    order = [d["assessor_id"] for d in dealt]
    assert all(a != b for a, b in zip(order, order[1:], strict=False))


# --- keys ----------------------------------------------------------------------------------

def test_an_exported_key_is_enrolled_listed_in_the_did_document_and_revoked(
        hub: RunningHub, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = ed25519.new_seed()
    monkeypatch.setenv(ENV_VAR, base64.urlsafe_b64encode(ed25519.new_seed()).decode()
                       .rstrip("="))
    forget_cached_keys()
    export = exported_key(seed)
    multikey = export[0]["publicKeyMultibase"]
    with admin(hub) as client:
        enrolled = client.post("/api/v1/admin/users/ada/keys", json=export)
        assert enrolled.status_code == 201, enrolled.text
        assert enrolled.json()["keys"][0]["publicKeyMultibase"] == multikey
        assert client.post("/api/v1/admin/users/ada/keys", json=export).status_code == 201
        taken = client.post("/api/v1/admin/users/bo/keys", json=export)
        assert error(taken, 409)["code"] == "key_taken"
        document = client.get("/.well-known/did.json").json()
        assert any(m.endswith("#" + multikey) for m in document["assertionMethod"])
        revoked = client.post(f"/api/v1/admin/keys/{multikey}/revoke")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"]
        document = client.get("/.well-known/did.json").json()
        assert not any(m.endswith("#" + multikey) for m in document["assertionMethod"])
        again = client.post("/api/v1/admin/users/ada/keys", json=export)
        assert error(again, 409)["code"] == "key_revoked"
        assert error(client.post("/api/v1/admin/keys/z6MkNothing/revoke"), 404)
    forget_cached_keys()


def _export_with(**changes: Any) -> list[dict[str, Any]]:
    export = exported_key()
    export[0].update(changes)
    return export


SECP256K1 = multibase_b58(b"\xe7\x01" + bytes(33))


@pytest.mark.parametrize("document, hint", [
    (_export_with(publicKeyMultibase="not-a-key"), "not an Ed25519 Multikey"),
    (_export_with(publicKeyMultibase=SECP256K1), "not an Ed25519 Multikey"),
    (_export_with(publicKeyMultibase=multibase_b58(b"\xed\x01" + bytes(31))),
     "not an Ed25519 Multikey"),
    (_export_with(publicKeyMultibase=None), "needs publicKeyMultibase"),
    (_export_with(publicKeyJwk=exported_key()[0]["publicKeyJwk"]), "different keys"),
    (_export_with(publicKeyJwk={"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "d": "SECRET"}),
     "holds a private key"),
    (_export_with(privateKeyMultibase="zSECRET"), "holds a private key"),
    (_export_with(status="retired"), "no active key"),
    ([], "1 to 20 keys"),
    (["z6Mk"], "JSON object"),
])
def test_a_key_that_is_not_an_ed25519_public_key_is_refused(hub: RunningHub, document: Any,
                                                            hint: str) -> None:
    with admin(hub) as client:
        answer = client.post("/api/v1/admin/users/ada/keys", json=document)
    found = error(answer, 400)
    assert found["code"] == "invalid_key" and hint in found["message"]
    assert "SECRET" not in answer.text
    with hub.transaction() as session:
        assert session.scalar(select(func.count()).select_from(EnrolledKey)) == 0


def test_keys_are_enrolled_only_for_assessors_and_mentors(hub: RunningHub) -> None:
    with admin(hub) as client:
        answer = client.post("/api/v1/admin/users/lena/keys", json=exported_key())
        assert error(answer, 400)["code"] == "wrong_role"
        assert client.post("/api/v1/admin/users/mia/keys", json=exported_key()).status_code == 201


# --- organisation --------------------------------------------------------------------------

def test_the_moderation_rate_is_a_share_between_0_and_1(hub: RunningHub) -> None:
    with admin(hub) as client:
        assert client.put("/api/v1/admin/organisation/moderation-rate",
                          json={"rate": 0.25}).json()["moderation_rate"] == 0.25
        for bad in (1.5, -0.1, "half"):
            answer = client.put("/api/v1/admin/organisation/moderation-rate",
                                json={"rate": bad})
            assert error(answer, 422)["code"] == "invalid_request"
        shown = client.get("/api/v1/admin/organisation").json()
        exists = client.post("/api/v1/admin/organisation", json={"name": "x", "url": "y"})
    assert shown["moderation_rate"] == 0.25 and shown["did"].startswith("did:web:127.0.0.1")
    assert error(exists, 409)["code"] == "exists"


# --- the command line ----------------------------------------------------------------------

def test_hub_admin_on_the_command_line(hub: RunningHub, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    def run(*args: str, stdin: str = "") -> tuple[int, str]:
        return run_admin(hub, tmp_path, capsys, *args, stdin=stdin)

    code, out = run("show-org")
    assert code == 0 and "Example Training Org" in out
    code, out = run("create-org", "--name", "Second", "--url", "https://x.example",
                    "--public-url", "https://hub.x.example")
    assert code == 2 and "already has its organisation" in out

    template = tmp_path / "template.json"
    template.write_text(json.dumps(template_document()), encoding="utf-8")
    assert run("publish-template", str(template)) == (0, "published safe-lifting version 1\n")
    code, out = run("publish-template", str(template))
    assert code == 0 and "unchanged" in out and "version 1" in out
    broken = template_document()
    broken["rubric"]["cut_score"] = 100
    template.write_text(json.dumps(broken), encoding="utf-8")
    code, out = run("publish-template", str(template))
    assert code == 2 and "cut score 100" in out
    template.write_text("{not json", encoding="utf-8")
    code, out = run("publish-template", str(template))
    assert code == 2 and "not valid JSON" in out

    code, out = run("add-user", "cy", "--role", "assessor", "--password-stdin",
                    stdin="a good password\n")
    assert code == 0 and "created assessor cy" in out and "a good password" not in out
    hub.sign_in("cy", "a good password")
    assert run("add-user", "lee", "--role", "learner", "--no-password")[0] == 0
    code, out = run("attach-mentor", "mia", "lee")
    assert code == 0 and "mia now mentors lee" in out
    code, out = run("users", "--role", "learner")
    assert "lee" in out and "mentors: mia" in out

    waiting = submission_ids(hub, 3)
    code, out = run("assign", waiting[0], "--to", "bo")
    assert code == 0 and f"{waiting[0]} -> bo" in out
    code, out = run("assign", "--round-robin")
    assert code == 0 and out.count(" -> ") == 2
    code, out = run("assign", waiting[0], "--to", "lena")
    assert code == 2 and "not a assessor" in out.replace("not an", "not a")
    code, out = run("submissions", "--unassigned")
    assert code == 0 and out == ""

    key_file = tmp_path / "key.json"
    export = exported_key()
    key_file.write_text(json.dumps(export), encoding="utf-8")
    code, out = run("enrol-key", "cy", str(key_file))
    assert code == 0 and export[0]["publicKeyMultibase"] in out
    code, out = run("revoke-key", export[0]["publicKeyMultibase"])
    assert code == 0 and "revoked" in out
    code, out = run("keys")
    assert "cy" in out and "revoked" in out

    assert run("moderation-rate", "0.1")[0] == 0
    assert run("moderation-rate", "3")[0] == 2
    code, out = run("reset-password", "cy", "--password-stdin", stdin="newer password\n")
    assert code == 0 and "newer password" not in out
    hub.sign_in("cy", "newer password")
    assert run("deactivate", "cy")[0] == 0
    with hub.client() as client:
        assert client.post("/api/v1/sessions", json={
            "username": "cy", "password": "newer password"}).status_code == 401
    with hub.transaction() as session:
        org = session.get(Organisation, 1)
        assert org is not None and org.moderation_rate == 0.1
