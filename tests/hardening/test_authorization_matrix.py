"""Every hub route × every caller: the outcome is the one written in ``EXPECTED``.

Callers: no token, an expired token, a revoked token, a token of another organisation
(another hub: the hub serves one organisation), and a fresh token for each role. Each call
is a real request, with a plausible body, to a real hub on a loopback port. A route that
appears in the application without an entry here fails ``test_every_route_has_a_row``.

Then the allowed calls are checked for what they hand out: an assessor pulls only the
submissions assigned to them, a mentor only their mentees', a moderator only the sampled
ones, a learner only their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import routing
from sqlalchemy import select

from assessor.credentials.multiformats import ed25519_multikey
from assessor.hub.app import create_app
from assessor.hub.config import HubConfig
from assessor.hub.models import Feedback, MentorLink, Submission, User
from tests.hardening.conftest_authz import CALLER_OF_ROLE, PASSWORD, Org, served_org
from tests.hub.factory import TEMPLATE, rubric
from tests.hub.test_publication import new_signer

CALLERS = ("none", "expired", "revoked", "foreign",
           "admin", "assessor", "mentor", "moderator", "learner")
ROLES = CALLERS[4:]
UNAUTHENTICATED = (401, 401, 401, 401)

# The outcome of each call, one column per caller in the order of CALLERS:
#   none  expired  revoked  foreign | admin  assessor  mentor  moderator  learner
# 2xx: allowed; 401: who are you?; 403: your role may not; 404: not yours to see (answered
# as if it did not exist). 409 for the admin's "create the organisation": allowed, but the
# hub already has its one organisation.
EXPECTED: dict[tuple[str, str], tuple[int, ...]] = {
    # public documents: a token, good or bad, changes nothing
    ("GET", "/openapi.json"):                   (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/docs"):                           (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/docs/oauth2-redirect"):           (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/credentials/{credential_id}"):    (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/.well-known/did.json"):           (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/did.json"):                       (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/{prefix}/did.json"):              (404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/status/1"):                       (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/revocations"):                    (200, 200, 200, 200, 200, 200, 200, 200, 200),
    # sign-in needs no token (the body names who signs in)
    ("POST", "/api/v1/sessions"):               (201, 201, 201, 201, 201, 201, 201, 201, 201),
    # any signed-in person
    ("DELETE", "/api/v1/sessions/current"):     (*UNAUTHENTICATED, 204, 204, 204, 204, 204),
    ("GET", "/api/v1/me"):                      (*UNAUTHENTICATED, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/me/keys"):                 (*UNAUTHENTICATED, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/intake/templates"):        (*UNAUTHENTICATED, 200, 200, 200, 200, 200),
    # own signing keys, for assessors and mentors: mia enrols her first key; ada already
    # has one, so a new one needs an enrolment code (a stolen password must not add a key)
    ("POST", "/api/v1/me/keys"):                (*UNAUTHENTICATED, 403, 403, 201, 403, 403),
    # administration
    ("POST", "/api/v1/admin/organisation"):     (*UNAUTHENTICATED, 409, 403, 403, 403, 403),
    ("GET", "/api/v1/admin/organisation"):      (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("PUT", "/api/v1/admin/organisation/moderation-rate"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("PUT", "/api/v1/admin/organisation/moderation-first-n"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/templates"):        (*UNAUTHENTICATED, 201, 403, 403, 403, 403),
    ("GET", "/api/v1/admin/templates"):         (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("GET", "/api/v1/admin/templates/{template_id}"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/users"):            (*UNAUTHENTICATED, 201, 403, 403, 403, 403),
    ("GET", "/api/v1/admin/users"):             (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/users/{user}/deactivate"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/users/{user}/activate"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("PUT", "/api/v1/admin/users/{user}/password"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/users/{user}/enrolment-codes"):
                                                (*UNAUTHENTICATED, 201, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/mentors"):          (*UNAUTHENTICATED, 201, 403, 403, 403, 403),
    ("DELETE", "/api/v1/admin/mentors/{mentor}/learners/{learner}"):
                                                (*UNAUTHENTICATED, 204, 403, 403, 403, 403),
    ("GET", "/api/v1/admin/submissions"):       (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("PUT", "/api/v1/admin/submissions/{submission_id}/assessor"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/assignments/round-robin"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/users/{user}/keys"):
                                                (*UNAUTHENTICATED, 201, 403, 403, 403, 403),
    ("GET", "/api/v1/admin/keys"):              (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/keys/{multikey}/revoke"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    ("POST", "/api/v1/admin/credentials/{credential_id}/revoke"):
                                                (*UNAUTHENTICATED, 200, 403, 403, 403, 403),
    # learner intake
    ("POST", "/api/v1/intake/submissions"):     (*UNAUTHENTICATED, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/intake/submissions"):      (*UNAUTHENTICATED, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/intake/submissions/{submission_id}"):
                                                (*UNAUTHENTICATED, 403, 403, 403, 403, 200),
    # the desktop's sync API, on ada's submission of lena's work (mia mentors lena; it is
    # not sampled, so the moderator does not see it: 404 as for an unknown one)
    ("GET", "/api/v1/changes"):                 (*UNAUTHENTICATED, 403, 200, 200, 200, 403),
    ("GET", "/api/v1/evidence/{sha256}"):       (*UNAUTHENTICATED, 403, 200, 200, 404, 403),
    ("HEAD", "/api/v1/evidence/{sha256}"):      (*UNAUTHENTICATED, 403, 200, 200, 404, 403),
    ("POST", "/api/v1/push"):                   (*UNAUTHENTICATED, 403, 200, 200, 404, 403),
    # publication: ada publishes her approved submission's credential
    ("POST", "/api/v1/credentials"):            (*UNAUTHENTICATED, 403, 201, 403, 403, 403),
}

Request = dict[str, Any]


def _new_key() -> list[dict[str, Any]]:
    return [{"publicKeyMultibase": ed25519_multikey(new_signer().public_key)}]


def _feedback_push(org: Org) -> Request:
    name = "ada-open"
    return {"json": {"client_id": f"matrix-{uuid.uuid4()}", "kind": "feedback",
                     "submission_id": org.submissions[name],
                     "base_revision": org.revision(name),
                     "payload": {"id": f"matrix-note-{uuid.uuid4().hex}", "body": "Good progress.",
                                 "visibility": "learner"}}}


def _credential_push(org: Org) -> Request:
    name = "ada-approved"
    credential = org.credential(org.signers["ada"], org.status_index(name))
    return {"json": {"client_id": str(uuid.uuid4()), "submission_id": org.submissions[name],
                     "base_revision": org.revision(name), "credential": credential}}


def _template() -> Request:
    return {"json": {"id": f"template-{uuid.uuid4().hex[:8]}",
                     "achievement": {"name": "Safe lifting", "description": "Lifts safely",
                                     "criteria": {"narrative": "Shows safe lifting."}},
                     "rubric": {**rubric(), "key": "lifting"}, "validity_days": 365}}


def _intake() -> Request:
    return {"data": {"template_id": TEMPLATE, "narrative": "I handled a complaint."},
            "files": [("files", ("notes.txt", b"What I said and did.\n", "text/plain"))]}


def _requests(org: Org) -> dict[tuple[str, str], Callable[[], Request]]:
    """A plausible request for each route (called anew for every call)."""
    subs, users = org.submissions, org.users
    published = quote(org.published["id"], safe=":")
    evidence = org.evidence["ada-open"]
    return {
        ("GET", "/openapi.json"): lambda: {},
        ("GET", "/docs"): lambda: {},
        ("GET", "/docs/oauth2-redirect"): lambda: {},
        ("GET", "/credentials/{credential_id}"): lambda: {
            "url": f"/credentials/{published}", "headers": {"Accept": "text/html"}},
        ("GET", "/.well-known/did.json"): lambda: {},
        ("GET", "/did.json"): lambda: {},
        ("GET", "/{prefix}/did.json"): lambda: {"url": "/hub/did.json"},
        ("GET", "/status/1"): lambda: {},
        ("GET", "/revocations"): lambda: {},
        ("POST", "/api/v1/sessions"): lambda: {"json": {
            "username": "lena", "password": PASSWORD, "device": "lena's phone"}},
        ("DELETE", "/api/v1/sessions/current"): lambda: {},
        ("GET", "/api/v1/me"): lambda: {},
        ("GET", "/api/v1/me/keys"): lambda: {},
        ("GET", "/api/v1/intake/templates"): lambda: {},
        ("POST", "/api/v1/me/keys"): lambda: {"json": _new_key()},
        ("POST", "/api/v1/admin/organisation"): lambda: {"json": {
            "name": "Second Org", "url": "https://second.example.org"}},
        ("GET", "/api/v1/admin/organisation"): lambda: {},
        ("PUT", "/api/v1/admin/organisation/moderation-rate"): lambda: {"json": {"rate": 0.0}},
        ("PUT", "/api/v1/admin/organisation/moderation-first-n"): lambda: {
            "json": {"first_n": 0}},
        ("POST", "/api/v1/admin/templates"): _template,
        ("GET", "/api/v1/admin/templates"): lambda: {},
        ("GET", "/api/v1/admin/templates/{template_id}"): lambda: {
            "url": f"/api/v1/admin/templates/{TEMPLATE}"},
        ("POST", "/api/v1/admin/users"): lambda: {"json": {
            "username": f"new-{uuid.uuid4().hex[:8]}", "role": "learner",
            "display_name": "New Learner", "password": "a new password"}},
        ("GET", "/api/v1/admin/users"): lambda: {},
        ("POST", "/api/v1/admin/users/{user}/deactivate"): lambda: {
            "url": "/api/v1/admin/users/tess-off/deactivate"},
        ("POST", "/api/v1/admin/users/{user}/activate"): lambda: {
            "url": "/api/v1/admin/users/tess-off/activate"},
        ("PUT", "/api/v1/admin/users/{user}/password"): lambda: {
            "url": "/api/v1/admin/users/tess/password", "json": {"password": "new secret"}},
        ("POST", "/api/v1/admin/users/{user}/enrolment-codes"): lambda: {
            "url": "/api/v1/admin/users/tess/enrolment-codes", "json": {"days": 3}},
        ("POST", "/api/v1/admin/mentors"): lambda: {"json": {"mentor": "max",
                                                             "learner": "leo"}},
        ("DELETE", "/api/v1/admin/mentors/{mentor}/learners/{learner}"): lambda: {
            "url": "/api/v1/admin/mentors/max/learners/lou"},
        ("GET", "/api/v1/admin/submissions"): lambda: {},
        ("PUT", "/api/v1/admin/submissions/{submission_id}/assessor"): lambda: {
            "url": f"/api/v1/admin/submissions/{subs['spare']}/assessor",
            "json": {"assessor": users["bo"]}},
        ("POST", "/api/v1/admin/assignments/round-robin"): lambda: {},
        ("POST", "/api/v1/admin/users/{user}/keys"): lambda: {
            "url": "/api/v1/admin/users/tess/keys", "json": _new_key()},
        ("GET", "/api/v1/admin/keys"): lambda: {},
        ("POST", "/api/v1/admin/keys/{multikey}/revoke"): lambda: {
            "url": f"/api/v1/admin/keys/{org.spare_key}/revoke"},
        ("POST", "/api/v1/admin/credentials/{credential_id}/revoke"): lambda: {
            "url": f"/api/v1/admin/credentials/{published}/revoke",
            "json": {"reason": "Issued in error"}},
        ("POST", "/api/v1/intake/submissions"): _intake,
        ("GET", "/api/v1/intake/submissions"): lambda: {},
        ("GET", "/api/v1/intake/submissions/{submission_id}"): lambda: {
            "url": f"/api/v1/intake/submissions/{subs['ada-open']}"},
        ("GET", "/api/v1/changes"): lambda: {"params": {"cursor": 0}},
        ("GET", "/api/v1/evidence/{sha256}"): lambda: {"url": f"/api/v1/evidence/{evidence}"},
        ("HEAD", "/api/v1/evidence/{sha256}"): lambda: {
            "url": f"/api/v1/evidence/{evidence}"},
        ("POST", "/api/v1/push"): lambda: _feedback_push(org),
        ("POST", "/api/v1/credentials"): lambda: _credential_push(org),
    }


def app_routes(data_dir: Path) -> set[tuple[str, str]]:
    """Every (method, path) the hub application answers, from its routing table and its
    OpenAPI document (a HEAD that only shadows a GET of the same route is left out)."""
    app = create_app(HubConfig(database_url=str(data_dir / "hub.sqlite3"), data_dir=data_dir))
    found: set[tuple[str, str]] = set()
    for context in routing.iter_route_contexts(app.routes):
        methods = set(getattr(context, "methods", None) or ())
        if "GET" in methods:
            methods.discard("HEAD")
        path = str(context.path_format)
        found |= {(str(method), path) for method in methods}
    for path, operations in app.openapi()["paths"].items():
        found |= {(method.upper(), path) for method in operations}
    return found


@pytest.fixture(scope="module")
def orgs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Org, Org]]:
    """Ours, and another organisation's hub."""
    with served_org(tmp_path_factory.mktemp("ours")) as ours, \
            served_org(tmp_path_factory.mktemp("theirs"), "Other Org") as theirs:
        yield ours, theirs


def test_every_route_has_a_row(tmp_path: Path) -> None:
    routes = app_routes(tmp_path)
    missing = sorted(routes - EXPECTED.keys())
    assert not missing, f"routes with no row in EXPECTED (add one): {missing}"
    gone = sorted(EXPECTED.keys() - routes)
    assert not gone, f"rows for routes the hub no longer has: {gone}"
    assert all(len(row) == len(CALLERS) for row in EXPECTED.values())


def _tokens(org: Org, foreign: str) -> dict[str, str | None]:
    """Fresh tokens for one route's calls (a sign-out spends one)."""
    names = [CALLER_OF_ROLE[role] for role in ROLES]
    fresh = dict(zip(ROLES, org.tokens(*names), strict=True))
    return {"none": None, "expired": org.token("admin", expired=True),
            "revoked": org.token("admin", revoked=True), "foreign": foreign, **fresh}


def _check_answer(answer: httpx.Response, expected: int, what: str) -> None:
    assert answer.status_code == expected, f"{what}: {answer.status_code} {answer.text[:300]}"
    if answer.status_code >= 400 and answer.request.method != "HEAD":
        error = answer.json()["error"]
        assert error["code"] and error["message"], what
    if expected == 401 and answer.request.method != "HEAD":
        assert answer.json()["error"]["code"] in ("unauthorised", "token_expired",
                                                  "token_revoked"), what


@pytest.mark.slow  # about 450 real requests: 7-13 s on the shared 2-core machine
def test_every_route_answers_every_caller_as_the_table_says(orgs: tuple[Org, Org]) -> None:
    ours, theirs = orgs
    foreign = theirs.token("admin")  # a real, valid token: for the other organisation
    with theirs.client(foreign) as client:
        assert client.get("/api/v1/me").status_code == 200
    requests = _requests(ours)
    assert requests.keys() == EXPECTED.keys()
    failures = []
    with ours.client() as client:
        for (method, path), row in EXPECTED.items():
            tokens = _tokens(ours, foreign)
            for caller, expected in zip(CALLERS, row, strict=True):
                spec = requests[(method, path)]()
                url = spec.pop("url", path)
                headers = spec.pop("headers", {})
                token = tokens[caller]
                if token is not None:
                    headers["Authorization"] = f"Bearer {token}"
                answer = client.request(method, url, headers=headers, **spec)
                try:
                    _check_answer(answer, expected, f"{method} {path} as {caller}")
                except (AssertionError, ValueError) as exc:
                    failures.append(str(exc))
    assert not failures, "\n".join(failures)
    _refused_calls_changed_nothing(ours)


def _refused_calls_changed_nothing(ours: Org) -> None:
    """After the matrix, the state the refused writers aimed at is as only the allowed
    caller left it."""
    with ours.transaction() as session:
        active = {u.username: u.active for u in session.scalars(select(User))}
        assert active["tess-off"] is True  # the admin deactivated, then reactivated
        links = {(m, lr) for m, lr in session.execute(select(MentorLink.mentor_id,
                                                             MentorLink.learner_id))}
        users = ours.users
        assert (users["max"], users["lou"]) not in links  # the admin's detach
        assert (users["max"], users["leo"]) in links  # the admin's attach
        assert (users["mia"], users["lena"]) in links  # nobody else's detach went through
        learners = set(session.scalars(select(User.username).where(User.role == "learner")))
        assert len([n for n in learners if n.startswith("new-")]) == 1
        notes = list(session.scalars(select(Feedback.author_id).where(
            Feedback.submission_id == ours.submissions["ada-open"],
            Feedback.id.like("matrix-note-%"))))
        assert sorted(notes) == sorted([users["ada"], users["mia"]])


# --- what the allowed calls hand out --------------------------------------------------------


def _pull(org: Org, username: str) -> dict[str, Any]:
    with org.client(org.token(username)) as client:
        answer = client.get("/api/v1/changes", params={"cursor": 0, "limit": 1000})
        assert answer.status_code == 200, answer.text
        page: dict[str, Any] = answer.json()
        return page


def _ids_where(org: Org, *conditions: Any) -> set[str]:
    with org.transaction() as session:
        return set(session.scalars(select(Submission.id).where(*conditions)))


def test_an_assessor_pulls_only_what_is_assigned_to_them(orgs: tuple[Org, Org]) -> None:
    ours, _ = orgs
    page = _pull(ours, "ada")
    pulled = {s["id"] for s in page["submissions"]}
    assert pulled == _ids_where(ours, Submission.assessor_id == ours.users["ada"])
    assert ours.submissions["bo-open"] not in pulled
    assert all(s["assessor"]["id"] == ours.users["ada"] for s in page["submissions"])
    token = ours.token("ada")
    with ours.client(token) as client:
        others = client.get(f"/api/v1/evidence/{ours.evidence['bo-open']}")
        unknown = client.get(f"/api/v1/evidence/{'0' * 64}")
        assert others.status_code == unknown.status_code == 404
        assert others.json() == unknown.json()  # existence does not leak
        push = {"client_id": f"leak-{uuid.uuid4()}", "kind": "judgment",
                "submission_id": ours.submissions["bo-open"],
                "base_revision": ours.revision("bo-open"),
                "payload": {"criterion": "listening", "level": "meets"}}
        assert client.post("/api/v1/push", json=push).status_code == 404
    assert ours.revision("bo-open") == push["base_revision"]


def test_a_mentor_pulls_only_their_mentees_and_no_internal_notes(
        orgs: tuple[Org, Org]) -> None:
    ours, _ = orgs
    page = _pull(ours, "mia")
    pulled = {s["id"] for s in page["submissions"]}
    assert pulled == _ids_where(ours, Submission.learner_id == ours.users["lena"])
    assert all(s["learner"]["id"] == ours.users["lena"] for s in page["submissions"])
    notes = [n for s in page["submissions"] for n in s["feedback"]]
    assert "note-for-lena" in {n["id"] for n in notes}
    assert all(n["visibility"] == "learner" or n["author"]["id"] == ours.users["mia"]
               for n in notes)
    with ours.client(ours.token("mia")) as client:
        assert client.get(f"/api/v1/evidence/{ours.evidence['bo-open']}").status_code == 404


def test_a_moderator_pulls_only_sampled_submissions(orgs: tuple[Org, Org]) -> None:
    ours, _ = orgs
    pulled = {s["id"] for s in _pull(ours, "mo")["submissions"]}
    assert pulled == _ids_where(ours, Submission.sampled.is_(True))
    assert ours.submissions["bo-sampled"] in pulled and ours.submissions["ada-open"] \
        not in pulled


def test_a_learner_reads_only_their_own_submissions(orgs: tuple[Org, Org]) -> None:
    ours, _ = orgs
    with ours.client(ours.token("lena")) as client:
        mine = client.get("/api/v1/intake/submissions").json()["submissions"]
        assert {s["id"] for s in mine} == _ids_where(
            ours, Submission.learner_id == ours.users["lena"])
        leos = client.get(f"/api/v1/intake/submissions/{ours.submissions['bo-open']}")
        assert leos.status_code == 404
        resubmit = client.post("/api/v1/intake/submissions", data={
            "previous_submission_id": ours.submissions["bo-open"], "narrative": "mine now"},
            files=[("files", ("again.txt", b"my second attempt", "text/plain"))])
        assert resubmit.status_code == 404


def test_another_organisations_people_get_nothing_here(orgs: tuple[Org, Org]) -> None:
    """Each role's valid token of the other hub is unknown here (and the reverse)."""
    ours, theirs = orgs
    for username in CALLER_OF_ROLE.values():
        with ours.client(theirs.token(username)) as client:
            for path in ("/api/v1/me", "/api/v1/changes", "/api/v1/admin/users",
                         "/api/v1/intake/submissions"):
                answer = client.get(path)
                assert answer.status_code == 401, (username, path, answer.text)


def test_a_mentor_does_not_read_a_moderators_return_note(orgs: tuple[Org, Org]) -> None:
    """A moderator's return comment is for the assessor (an internal note); the decision
    that records it reaches a mentor without it."""
    ours, _ = orgs
    name, users = "bo-sampled", ours.users
    with ours.transaction() as session:
        if session.get(MentorLink, (users["max"], users["leo"])) is None:
            session.add(MentorLink(mentor_id=users["max"], learner_id=users["leo"]))
    secret = "Internal: bo's levels look too generous here."
    with ours.client(ours.token("mo")) as client:
        for criterion in ("listening", "resolution"):
            marked = client.post("/api/v1/push", json={
                "client_id": f"mark-{uuid.uuid4()}", "kind": "second_mark",
                "submission_id": ours.submissions[name], "base_revision": ours.revision(name),
                "payload": {"criterion": criterion, "level": "not_yet"}})
            assert marked.status_code == 200, marked.text
        answer = client.post("/api/v1/push", json={
            "client_id": f"return-{uuid.uuid4()}", "kind": "moderation",
            "submission_id": ours.submissions[name], "base_revision": ours.revision(name),
            "payload": {"agree": False, "note": secret}})
        assert answer.status_code == 200, answer.text
    for reader, sees in (("bo", True), ("mo", True), ("max", False)):
        page = _pull(ours, reader)
        submission = next(s for s in page["submissions"] if s["id"] == ours.submissions[name])
        returned = [d for d in submission["decisions"] if d["outcome"] == "moderation_return"]
        assert len(returned) == 1, reader
        assert (returned[0]["note"] == secret) is sees, reader
        notes = [n["body"] for n in submission["feedback"]]
        assert (secret in notes) is sees, reader
