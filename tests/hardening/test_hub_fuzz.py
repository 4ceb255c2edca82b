"""Schemathesis against the hub's own OpenAPI document, on a real hub on a loopback port.

Every operation is fuzzed as each role (admin, assessor, mentor, moderator, learner) with a
real token from the hub's sign-in, and with no token; with valid (positive) data, with
invalid (negative) data where an operation takes a body or a query, and with the ids of
real submissions, evidence, users and templates swapped in so the fuzz gets past "not
found" into the workflow. Every answer must be:

* no 5xx (a 5xx is a bug: the hub answers client mistakes with 4xx);
* an error is a JSON body ``{"error": {"code", "message"}}``;
* conform to the document (status code, content type, body schema, headers).

Afterwards the hub's state is not corrupted: SQLite's integrity and foreign-key checks pass,
the change feed, push receipts, judgments and stored files keep their invariants, no token
is stored in the clear, and a normal round trip (a learner submits, the administrator
assigns, a desktop pulls, judges and pushes) still works.

Attack answered: a malicious or buggy client (or a compromised account of any role) sending
arbitrary requests to the hub. Bound: ``ASSESSOR_FUZZ_EXAMPLES`` (default 6 valid and 3
invalid examples per operation and caller); the run is derandomised so CI is reproducible.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.domain.judgment import JudgmentDraft
from assessor.domain.people import Actor, Role
from assessor.domain.states import State
from assessor.evidence.cache import EvidenceCache
from assessor.hub.app import create_app
from assessor.hub.blobs import blob_path
from assessor.hub.config import HubConfig
from assessor.hub.database import HubDatabase, open_hub_database
from assessor.hub.hub_key import ENV_VAR as HUB_KEY_ENV
from assessor.hub.models import (
    Blob,
    Change,
    Judgment,
    PushReceipt,
    Submission,
    TemplateVersion,
    Token,
)
from assessor.hub.organisation import add_user, create_organisation
from assessor.hub.server import BackgroundHub, free_port
from assessor.paths import AppPaths
from assessor.store.database import open_database
from assessor.store.store import Store
from assessor.sync.client import HubClient
from assessor.sync.engine import SyncEngine
from tests.hub import factory
from tests.hub.conftest import _postgres_database

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
PEOPLE = {"admin": "admin", "ada": "assessor", "mia": "mentor", "mo": "moderator",
          "lena": "learner", "vic": "learner", "leaver": "learner"}
"""``vic`` is the user the administrator's fuzz may deactivate or give a new password;
``leaver`` signs in afresh for every sign-out example. The others keep their tokens."""
CALLERS: tuple[str | None, ...] = ("admin", "ada", "mia", "mo", "lena", None)
EXAMPLES = int(os.environ.get("ASSESSOR_FUZZ_EXAMPLES", "6"))
NEGATIVE_EXAMPLES = max(1, EXAMPLES // 2)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
SIGN_OUT = "/api/v1/sessions/current"
PDF = b"%PDF-1.4\n% evidence for the fuzz\n" + b"x" * 2000
METHODS = ("get", "put", "post", "delete", "patch")


@dataclass
class FuzzHub:
    url: str
    config: HubConfig
    db: HubDatabase
    users: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)
    submissions: list[str] = field(default_factory=list)
    evidence_sha: str = ""

    def sign_in(self, username: str) -> str:
        answer = httpx.post(f"{self.url}/api/v1/sessions", json={
            "username": username, "password": PASSWORD, "device": "fuzz"}, timeout=30)
        assert answer.status_code == 201, answer.text
        token: str = answer.json()["token"]
        return token

    def revision(self, submission_id: str) -> int:
        with self.db.transaction() as session:
            row = session.get(Submission, submission_id)
            return row.revision if row is not None else 0


@pytest.fixture(params=["sqlite", "postgresql"])
def fuzz_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite, and PostgreSQL when the test command provides one (``bash dev.sh test``):
    the two refuse different values (PostgreSQL no NUL character in text)."""
    if request.param == "sqlite":
        yield str(tmp_path / "hub.sqlite3")
    else:
        yield from _postgres_database()


@pytest.fixture
def fuzz_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             fuzz_database_url: str) -> Iterator[FuzzHub]:
    monkeypatch.setenv(HUB_KEY_ENV, base64.urlsafe_b64encode(os.urandom(32)).decode())
    port = free_port()
    config = HubConfig(database_url=fuzz_database_url,
                       data_dir=tmp_path / "hub-data", public_url=f"http://127.0.0.1:{port}")
    db = open_hub_database(config.database_url)
    users: dict[str, str] = {}
    submissions: list[str] = []
    with db.transaction() as session:
        create_organisation(session, "Fuzzed Org", "https://fuzz.example.org",
                            config.public_url, moderation_first_n=0)
        for username, role in PEOPLE.items():
            users[username] = add_user(session, username, role, password=PASSWORD,
                                       display_name=username.title(),
                                       email=f"{username}@example.org").id
        factory.add_template(session)
        factory.link_mentor(session, users["mia"], users["lena"])
        for sampled in (False, True):
            submissions.append(factory.add_submission(
                session, config.blob_dir, users["lena"], assessor_id=users["ada"],
                files=[("report.pdf", PDF, "application/pdf")], sampled=sampled).id)
    with BackgroundHub(config, port=port):
        hub = FuzzHub(f"http://127.0.0.1:{port}", config, db, users,
                      submissions=submissions, evidence_sha=hashlib.sha256(PDF).hexdigest())
        hub.tokens = {name: hub.sign_in(name) for name in CALLERS if name is not None}
        yield hub
    db.dispose()


@dataclass
class Findings:
    problems: dict[tuple[str, str, str], str] = field(default_factory=dict)
    calls: int = 0

    def add(self, operation: str, caller: str | None, problem: str, detail: str) -> None:
        self.problems.setdefault((operation, str(caller), problem), detail[:1500])

    def report(self) -> str:
        return "\n\n".join(f"{op} as {who}: {what}\n{detail}"
                           for (op, who, what), detail in sorted(self.problems.items()))


def _error_body_problem(response: schemathesis.Response) -> str | None:
    """None when an error answer is the hub's JSON error body, else what is wrong."""
    if response.status_code < 400:
        return None
    if not any("json" in value for value in response.headers.get("content-type", [])):
        return f"error {response.status_code} is not JSON: {response.text[:200]!r}"
    try:
        error = response.json()["error"]
        if isinstance(error["code"], str) and isinstance(error["message"], str) \
                and error["message"]:
            return None
    except (ValueError, KeyError, TypeError):
        pass
    return f"error {response.status_code} lacks error.code/message: {response.text[:200]!r}"


def _known_path_values(hub: FuzzHub) -> dict[str, list[str]]:
    return {"submission_id": hub.submissions, "sha256": [hub.evidence_sha],
            "user": ["vic", hub.users["vic"]], "template_id": [factory.TEMPLATE],
            "mentor": ["mia"], "learner": ["lena"]}


def _takes_input(definition: dict[str, Any]) -> bool:
    return "requestBody" in definition or any(
        parameter.get("in") == "query" for parameter in definition.get("parameters", []))


def _cases(operation: Any, definition: dict[str, Any], hub: FuzzHub,
           mode: GenerationMode) -> st.SearchStrategy[Any]:
    """The operation's cases, and the same with real ids in its path (valid data only)."""
    plain: st.SearchStrategy[Any] = operation.as_strategy(generation_mode=mode)
    names = [p["name"] for p in definition.get("parameters", []) if p.get("in") == "path"]
    known = _known_path_values(hub)
    if mode is not GenerationMode.POSITIVE or not names \
            or not all(name in known for name in names):
        return plain
    choices = [dict(zip(names, values, strict=True)) for values in _product(
        [known[name] for name in names])]
    return st.one_of(plain, *[operation.as_strategy(generation_mode=mode, path_parameters=c)
                              for c in choices])


def _product(lists: list[list[str]]) -> list[tuple[str, ...]]:
    combos: list[tuple[str, ...]] = [()]
    for values in lists:
        combos = [(*combo, value) for combo in combos for value in values]
    return combos


def _aim_at_real_submission(case: Any, hub: FuzzHub, data: st.DataObject) -> None:
    """A push aimed at a real submission at its current revision reaches the workflow."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("submission_id"), str) \
            and data.draw(st.booleans(), label="real submission"):
        submission_id = data.draw(st.sampled_from(hub.submissions), label="submission")
        body["submission_id"] = submission_id
        body["base_revision"] = hub.revision(submission_id)


def _fuzz_operation(hub: FuzzHub, schema: Any, path: str, method: str,
                    definition: dict[str, Any], session: requests.Session,
                    findings: Findings) -> None:
    operation = schema[path][method.upper()]
    label = f"{method.upper()} {path}"
    modes = [(GenerationMode.POSITIVE, EXAMPLES)]
    if _takes_input(definition):
        modes.append((GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES))
    callers: tuple[str | None, ...] = ("leaver",) if path == SIGN_OUT else CALLERS
    for caller in callers:
        for mode, examples in modes:
            run = _runner(hub, session, findings, label, caller,
                          _cases(operation, definition, hub, mode),
                          examples if path != SIGN_OUT else 3)
            try:
                run()
            except Unsatisfiable:
                pass  # nothing invalid can be made for this operation (e.g. no parameters)


def _runner(hub: FuzzHub, session: requests.Session, findings: Findings, label: str,
            caller: str | None, cases: st.SearchStrategy[Any], examples: int) -> Any:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=cases, data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        findings.calls += 1
        if caller == "leaver":
            token: str | None = hub.sign_in("leaver")
        else:
            token = hub.tokens.get(caller) if caller else None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        _aim_at_real_submission(case, hub, data)
        response = case.call(base_url=hub.url, session=session, headers=headers, timeout=30)
        problem = _error_body_problem(response)
        if problem:
            findings.add(label, caller, "error body", f"{problem}\n{case.as_curl_command()}")
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseException as group:  # schemathesis' FailureGroup
            for failure in getattr(group, "exceptions", [group]):
                findings.add(label, caller, type(failure).__name__,
                             f"{failure}\nstatus {response.status_code}: "
                             f"{response.text[:300]}\n{case.as_curl_command()}")

    return run


def _integrity_problems(database_url: str) -> list[str]:
    """SQLite's own checks (PostgreSQL enforces its constraints on every write)."""
    if database_url.startswith("postgresql"):
        return []
    connection = sqlite3.connect(database_url)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")
                    if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in
                     connection.execute("PRAGMA foreign_key_check")]
    finally:
        connection.close()
    return problems


def _feed_problems(session: Session, submissions: dict[str, Submission]) -> list[str]:
    problems: list[str] = []
    states = {state.value for state in State}
    changes = {row.seq: row for row in session.scalars(select(Change))}
    for sub in submissions.values():
        if sub.state not in states:
            problems.append(f"submission {sub.id} in unknown state {sub.state!r}")
        if sub.revision < 1:
            problems.append(f"submission {sub.id} has revision {sub.revision}")
        stamp = changes.get(sub.change_seq)
        if sub.change_seq and (stamp is None or stamp.submission_id != sub.id):
            problems.append(f"submission {sub.id}: change_seq {sub.change_seq} names no "
                            "change of it")
    problems += [f"change {change.seq} of a missing submission"
                 for change in changes.values() if change.submission_id not in submissions]
    return problems


def _receipt_problems(session: Session, submissions: dict[str, Submission]) -> list[str]:
    problems: list[str] = []
    for receipt in session.scalars(select(PushReceipt)):
        answer = receipt.response or {}
        if answer.get("client_id") not in (None, receipt.client_id):
            problems.append(f"receipt {receipt.client_id} answers another client id")
        if answer.get("submission_id") not in (None, *submissions):
            problems.append(f"receipt {receipt.client_id} of a missing submission")
    return problems


def _judgment_problems(session: Session, submissions: dict[str, Submission]) -> list[str]:
    problems: list[str] = []
    rubrics = {(t.template_id, t.version): t.rubric
               for t in session.scalars(select(TemplateVersion))}
    for judgment in session.scalars(select(Judgment)):
        sub = submissions[judgment.submission_id]
        rubric = rubrics[(sub.template_id, sub.template_version)]
        levels = {c["key"]: {level["key"] for level in c["levels"]} for c in rubric["criteria"]}
        allowed = levels.get(judgment.criterion_key)
        if allowed is None or (judgment.level_key is not None
                               and judgment.level_key not in allowed):
            problems.append(f"judgment {judgment.submission_id}/{judgment.criterion_key}="
                            f"{judgment.level_key} is not in the rubric")
    return problems


def _storage_problems(session: Session, blob_dir: Path, tokens: list[str]) -> list[str]:
    problems: list[str] = []
    for blob in session.scalars(select(Blob)):
        path = blob_path(blob_dir, blob.sha256)
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != blob.sha256:
            problems.append(f"blob {blob.sha256[:12]} missing or changed on disk")
    stored = {row.token_hash for row in session.scalars(select(Token))}
    if any(token in stored for token in tokens):
        problems.append("a token is stored in the clear")
    return problems


def _invariant_problems(hub: FuzzHub, tokens: list[str]) -> list[str]:
    """The hub's own invariants: the change feed names real changes of real submissions in
    known states, receipts answer for their own push, judgments use the rubric's levels,
    stored files match their digests, tokens are kept only as hashes."""
    with hub.db.transaction() as session:
        submissions = {row.id: row for row in session.scalars(select(Submission))}
        return (_feed_problems(session, submissions) + _receipt_problems(session, submissions)
                + _judgment_problems(session, submissions)
                + _storage_problems(session, hub.config.blob_dir, tokens))


def _normal_round_trip(hub: FuzzHub, home: Path) -> None:
    """A learner submits, the administrator assigns, ada's desktop pulls, judges, pushes."""
    lena = httpx.Client(base_url=hub.url, timeout=30,
                        headers={"Authorization": f"Bearer {hub.sign_in('lena')}"})
    admin = httpx.Client(base_url=hub.url, timeout=30,
                         headers={"Authorization": f"Bearer {hub.sign_in('admin')}"})
    with lena, admin:
        sent = lena.post("/api/v1/intake/submissions",
                         data={"template_id": factory.TEMPLATE, "narrative": "After the fuzz"},
                         files=[("files", ("after.pdf", PDF + b"after", "application/pdf"))])
        assert sent.status_code == 201, sent.text
        submission_id = sent.json()["id"]
        assigned = admin.put(f"/api/v1/admin/submissions/{submission_id}/assessor",
                             json={"assessor": "ada"})
        assert assigned.status_code == 200, assigned.text
    paths = AppPaths(home).ensure()
    store = Store(open_database(paths.store, paths.backups))
    client = HubClient(hub.url, hub.sign_in("ada"))
    try:
        cache = EvidenceCache(paths.evidence, os.urandom(32))
        report = SyncEngine(store, client, cache).run(evidence=True)
        assert not report.problems, report.problems
        assert store.submission(submission_id).narrative == "After the fuzz"
        ada = Actor(hub.users["ada"], "Ada", Role.ASSESSOR)
        store.record_judgment(submission_id, JudgmentDraft("listening", "meets", "Fine"), ada)
        pushed = SyncEngine(store, client, cache).run(evidence=False)
        assert pushed.pushed >= 1 and pushed.conflicts == 0, pushed
        assert store.outbox_count() == 0
    finally:
        client.close()
        store.close()
    with hub.db.transaction() as session:
        row = session.get(Judgment, (submission_id, "listening"))
        assert row is not None and (row.level_key, row.comment) == ("meets", "Fine")


def test_every_operation_as_every_role_answers_within_the_document(
        fuzz_hub: FuzzHub, tmp_path: Path) -> None:
    document = requests.get(f"{fuzz_hub.url}/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_url(f"{fuzz_hub.url}/openapi.json")
    findings = Findings()
    with requests.Session() as session:
        for path, item in document["paths"].items():
            for method, definition in item.items():
                if method in METHODS:
                    _fuzz_operation(fuzz_hub, schema, path, method, definition, session,
                                    findings)
    assert not findings.problems, findings.report()
    assert findings.calls > 1000

    assert _integrity_problems(fuzz_hub.config.database_url) == []
    assert _invariant_problems(fuzz_hub, list(fuzz_hub.tokens.values())) == []
    _normal_round_trip(fuzz_hub, tmp_path / "desktop")
    assert _integrity_problems(fuzz_hub.config.database_url) == []


def test_a_cursor_past_the_database_integer_range_is_refused_not_a_crash(
        fuzz_hub: FuzzHub) -> None:
    """Found by the fuzz: a cursor above 2**63 - 1 overflowed SQLite's integer, and one
    above 2**31 - 1 PostgreSQL's INTEGER change numbers (500)."""
    for caller in ("ada", "mia", "mo"):
        for cursor in (10**30, 2**31):
            answer = httpx.get(f"{fuzz_hub.url}/api/v1/changes",
                               params={"cursor": str(cursor)}, timeout=30,
                               headers={"Authorization": f"Bearer {fuzz_hub.tokens[caller]}"})
            assert answer.status_code == 422, answer.text
            assert "cursor" in answer.json()["error"]["message"]
    biggest = httpx.get(f"{fuzz_hub.url}/api/v1/changes", params={"cursor": str(2**31 - 1)},
                        headers={"Authorization": f"Bearer {fuzz_hub.tokens['ada']}"},
                        timeout=30)
    assert biggest.status_code == 200 and biggest.json()["submissions"] == []


def test_a_nul_character_is_a_clear_refusal_on_every_back_end(fuzz_hub: FuzzHub) -> None:
    """Found by the fuzz on PostgreSQL (text cannot hold NUL): sign-in, a path and a push
    with a NUL character were 500s; SQLite stores NUL, so there they are plain misses."""
    admin = {"Authorization": f"Bearer {fuzz_hub.tokens['admin']}"}
    ada = {"Authorization": f"Bearer {fuzz_hub.tokens['ada']}"}
    requests_ = [
        ("POST", "/api/v1/sessions", {}, {"username": "a\x00b", "password": "x"}),
        ("POST", "/api/v1/admin/users/a%00b/deactivate", admin, None),
        ("POST", "/api/v1/credentials", ada, {"client_id": "c1", "submission_id": "s\x00",
                                               "base_revision": 0, "credential": {}}),
        ("POST", "/api/v1/push", ada, {"client_id": "client-1", "kind": "judgment",
                                       "submission_id": "s\x00", "base_revision": 0,
                                       "payload": {"criterion": "listening", "level": None}}),
    ]
    with httpx.Client(base_url=fuzz_hub.url, timeout=30) as client:
        for method, path, headers, body in requests_:
            answer = client.request(method, path, json=body, headers=headers)
            assert answer.status_code in (401, 404, 422), (path, answer.text)
            assert answer.json()["error"]["message"]


def test_the_document_describes_the_error_body_the_hub_sends(tmp_path: Path) -> None:
    """Found by the fuzz: the document promised FastAPI's ``{"detail": ...}`` for 422 and no
    other error, while the hub sends ``{"error": {"code", "message"}}`` for all of them; and
    it named application/json for the DID document and status list, served as
    application/did+json and application/vc+ld+json."""
    config = HubConfig(database_url=str(tmp_path / "hub.sqlite3"), data_dir=tmp_path / "data")
    document = create_app(config).openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    error = {"$ref": "#/components/schemas/Error"}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            assert operation["responses"]["default"]["content"]["application/json"][
                "schema"] == error
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert response["content"]["application/json"]["schema"] == error
    did = document["paths"]["/.well-known/did.json"]["get"]["responses"]["200"]["content"]
    assert "application/did+json" in did
    status = document["paths"]["/status/1"]["get"]["responses"]["200"]["content"]
    assert "application/vc+ld+json" in status
