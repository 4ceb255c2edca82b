"""Publication: an assessor pushes a signed credential, the hub checks it against its own DID
document and publishes it (JSON and a verification page), serves its DID document and a
signed status list, and an administrator's revocation flips the bit that verifiers read.

Real parts: a uvicorn hub on a loopback port (SQLite and PostgreSQL), the real OS keychain
for the hub's own key, real Ed25519 keys for the assessors, ``main.py`` as a user runs it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import keyring
import pytest
from sqlalchemy import func, select

from assessor.credentials import ed25519
from assessor.credentials.ed25519 import Ed25519Signer
from assessor.credentials.multiformats import ed25519_multikey
from assessor.credentials.ob3 import IssuerProfile, StatusEntry, build_credential
from assessor.credentials.signing import sign_credential
from assessor.credentials.status import StatusList
from assessor.credentials.verify import verify_credential
from assessor.domain.judgment import Judgment
from assessor.domain.people import Learner
from assessor.domain.review import ReviewSnapshot
from assessor.domain.rubric import Criterion, PerformanceLevel, Rubric
from assessor.domain.states import State
from assessor.domain.submission import EvidenceItem, Submission
from assessor.domain.template import Achievement, CredentialTemplate
from assessor.hub.hub_key import ENV_VAR, KEYRING_SERVICE, forget_cached_keys
from assessor.hub.models import (
    Change,
    EnrolledKey,
    IssuedCredential,
    Organisation,
    PushReceipt,
    TemplateVersion,
)
from assessor.hub.models import Submission as HubSubmission
from assessor.hub.organisation import did_web_for
from assessor.hub.publication import revocation_list_url, status_list_url
from assessor.hub.server import free_port
from assessor.paths import AppPaths
from tests.hub.conftest import RunningHub

ROOT = Path(__file__).resolve().parents[2]
NASTY = '<script>alert("x")</script> & \'quotes\''
LEVELS = (("not-yet", "Not yet"), ("developing", "Developing"), ("proficient", "Proficient"))


@dataclass
class Scene:
    """A served hub with an approved submission assigned to ``ada`` and her enrolled key."""

    hub: RunningHub
    did: str
    signer: Ed25519Signer
    token: str
    submission_id: str
    status_index: int

    def post(self, body: dict[str, Any], token: str | None = None) -> Any:
        with self.hub.client(token or self.token) as client:
            return client.post("/api/v1/credentials", json=body)

    def push_body(self, credential: dict[str, Any], *, client_id: str | None = None,
                  base_revision: int = 1, submission_id: str | None = None) -> dict[str, Any]:
        return {"client_id": client_id or str(uuid.uuid4()),
                "submission_id": submission_id or self.submission_id,
                "base_revision": base_revision, "credential": credential}

    def credential(self, signer: Ed25519Signer | None = None, **options: Any) -> dict[str, Any]:
        return signed_credential(self.hub.url, self.did, signer or self.signer,
                                 options.pop("status_index", self.status_index), **options)


def new_signer() -> Ed25519Signer:
    seed = ed25519.new_seed()
    return Ed25519Signer(seed, ed25519_multikey(ed25519.public_key(seed)))


def review(text: str = "Engaging stakeholders", image: str = "") -> ReviewSnapshot:
    criteria = tuple(
        Criterion(key=f"c{n}", title=f"{text} criterion {n}", description=text,
                  levels=tuple(PerformanceLevel(key, f"{name} {text}" if n == 1 else name,
                                                f"{name} descriptor", points)
                               for points, (key, name) in enumerate(LEVELS)),
                  pass_level="developing")
        for n in (1, 2, 3))
    rubric = Rubric("stakeholders", 1, f"{text} rubric", criteria, cut_score=3)
    template = CredentialTemplate(
        "stakeholders", Achievement(text, f"Description: {text}", f"Narrative: {text}",
                                    image=image),
        "stakeholders", 1, validity_days=365)
    learner = Learner("lena", "Lena Learner", "lena@example.org")
    file_name = f"report {text.replace('/', '')}.pdf"
    evidence = (EvidenceItem("e1", file_name, "application/pdf", 10, "ab" * 32,
                             f"Evidence: {text}"),)
    submission = Submission("sub-1", learner, "stakeholders", "stakeholders", 1, 1,
                            datetime.now(UTC) - timedelta(days=3), evidence=evidence,
                            state=State.APPROVED)
    now = datetime.now(UTC)
    judgments = {c.key: Judgment("sub-1", c.key, "proficient", "ada", now) for c in criteria}
    return ReviewSnapshot(submission, template, rubric, judgments, (), ())


def signed_credential(hub_url: str, did: str, signer: Ed25519Signer, status_index: int, *,
                      text: str = "Engaging stakeholders", issuer_name: str = "Example Org",
                      issuer_id: str | None = None, image: str = "",
                      list_url: str | None = None) -> dict[str, Any]:
    issuer = IssuerProfile(issuer_name, "https://training.example.org",
                           id=did if issuer_id is None else issuer_id)
    unsigned = build_credential(
        review(text, image), issuer, hub_url=hub_url,
        issued_at=datetime.now(UTC) - timedelta(minutes=1),
        status=StatusEntry(list_url or status_list_url(hub_url), status_index),
        revocation_list=revocation_list_url(hub_url))
    return sign_credential(unsigned, signer)


def add_submission(hub: RunningHub, submission_id: str, status_index: int, *,
                   state: str = "approved", assessor: str = "ada") -> None:
    with hub.transaction() as session:
        if session.get(TemplateVersion, ("stakeholders", 1)) is None:
            session.add(TemplateVersion(template_id="stakeholders", version=1,
                                        achievement={"name": "Engaging stakeholders"},
                                        rubric={"key": "stakeholders", "version": 1}))
            session.flush()
        session.add(HubSubmission(id=submission_id, learner_id=hub.users["lena"],
                                  template_id="stakeholders", template_version=1,
                                  assessor_id=hub.users[assessor], state=state, revision=1,
                                  status_index=status_index))


def enrol(hub: RunningHub, signer: Ed25519Signer, username: str = "ada",
          revoked: bool = False) -> None:
    with hub.transaction() as session:
        session.add(EnrolledKey(public_key_multibase=ed25519_multikey(signer.public_key),
                                user_id=hub.users[username],
                                revoked_at=datetime.now(UTC) if revoked else None))


@pytest.fixture(autouse=True)
def _private_home(home: AppPaths) -> AppPaths:
    """``main.py`` run from these tests writes its logs into a throwaway data directory."""
    return home


@pytest.fixture
def scene(hub: RunningHub) -> Iterator[Scene]:
    with hub.transaction() as session:
        org = session.get(Organisation, 1)
        assert org is not None
        did = org.did
    add_submission(hub, "sub-1", 4242)
    signer = new_signer()
    enrol(hub, signer)
    forget_cached_keys()
    yield Scene(hub, did, signer, hub.sign_in("ada"), "sub-1", 4242)
    forget_cached_keys()
    try:
        keyring.delete_password(KEYRING_SERVICE, did)
    except keyring.errors.PasswordDeleteError:
        pass


def counts(hub: RunningHub) -> tuple[int, int, str, int]:
    with hub.transaction() as session:
        submission = session.get(HubSubmission, "sub-1")
        assert submission is not None
        return (session.scalar(select(func.count()).select_from(IssuedCredential)) or 0,
                session.scalar(select(func.count()).select_from(PushReceipt)) or 0,
                submission.state, submission.revision)


def fetch_json(hub: RunningHub, path: str) -> dict[str, Any]:
    with hub.client() as client:
        answer = client.get(path)
        assert answer.status_code == 200, answer.text
        document: dict[str, Any] = answer.json()
        return document


# --- pushing and publishing ----------------------------------------------------------------


def test_a_signed_credential_is_published_once_and_served_as_json_and_a_page(
        scene: Scene) -> None:
    hub = scene.hub
    credential = scene.credential()
    body = scene.push_body(credential)
    answer = scene.post(body)
    assert answer.status_code == 201, answer.text
    published = answer.json()
    assert published["credential_id"] == credential["id"]
    assert published["submission"] == {"id": "sub-1", "state": "published", "revision": 2}
    assert published["url"] == f"{hub.url}/credentials/{credential['id']}"

    # Sent again (a desktop that lost the answer): the same answer, nothing applied twice.
    again = scene.post(body)
    assert again.status_code == 201 and again.json() == published
    assert counts(hub) == (1, 1, "published", 2)
    with hub.transaction() as session:
        whats = session.scalars(select(Change.what).where(Change.submission_id == "sub-1"))
        assert list(whats) == ["credential"]
    # The same client id with another body is refused; so is a second credential.
    other = scene.credential()
    assert scene.post(scene.push_body(other, client_id=body["client_id"])).status_code == 409
    late = scene.post(scene.push_body(other, base_revision=2))
    assert late.status_code == 409 and "already published" in late.json()["error"]["message"]
    assert counts(hub) == (1, 1, "published", 2)

    with hub.client() as client:  # public: no token
        as_json = client.get(f"/credentials/{quote(credential['id'])}")
        assert as_json.status_code == 200
        assert as_json.headers["content-type"].startswith("application/json")
        assert as_json.json() == credential
        ld = client.get(f"/credentials/{credential['id']}",
                        headers={"Accept": "application/ld+json"})
        assert ld.headers["content-type"].startswith("application/ld+json")
        assert ld.json() == credential
        page = client.get(f"/credentials/{credential['id']}", headers={
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "script-src" not in page.headers["content-security-policy"]
        html = page.text
        for shown in ("Engaging stakeholders", "Description: Engaging stakeholders",
                      "Narrative: Engaging stakeholders", "Engaging stakeholders criterion 2",
                      "Proficient", "Developing", "Example Org", scene.did, "Verified",
                      "salted hash", "report Engaging stakeholders.pdf"):
            assert shown in html, shown
        assert "lena@example.org" not in html and "Lena Learner" not in html
        missing = client.get("/credentials/urn:uuid:00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def refused(scene: Scene, body: dict[str, Any], status: int, code: str, words: str,
            token: str | None = None) -> None:
    answer = scene.post(body, token)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code, error
    assert words in error["message"], error["message"]
    assert counts(scene.hub) == (0, 0, "approved", 1)  # nothing half-written


def test_credentials_the_hub_must_not_publish_are_refused_with_the_reason(
        scene: Scene) -> None:
    hub = scene.hub
    stranger = new_signer()  # never enrolled
    refused(scene, scene.push_body(scene.credential(stranger)), 403, "forbidden",
            "not enrolled for you")
    bos_key = new_signer()
    enrol(hub, bos_key, "bo")
    refused(scene, scene.push_body(scene.credential(bos_key)), 403, "forbidden",
            "not enrolled for you")
    old_key = new_signer()
    enrol(hub, old_key, revoked=True)
    refused(scene, scene.push_body(scene.credential(old_key)), 403, "forbidden", "revoked")

    tampered = scene.credential()
    tampered["credentialSubject"]["result"][0]["achievedLevel"] = \
        tampered["credentialSubject"]["result"][0]["achievedLevel"].replace("proficient",
                                                                            "developing")
    refused(scene, scene.push_body(tampered), 422, "not_verified",
            "signature does not match")
    unsigned = {k: v for k, v in scene.credential().items() if k != "proof"}
    refused(scene, scene.push_body(unsigned), 422, "bad_proof", "no proof")

    elsewhere = scene.credential(issuer_id="did:web:evil.example")
    refused(scene, scene.push_body(elsewhere), 422, "wrong_issuer", "did:web:evil.example")
    refused(scene, scene.push_body(scene.credential(status_index=7)), 422, "bad_status",
            "4242")
    refused(scene, scene.push_body(scene.credential(list_url="https://other.example/s/1")),
            422, "bad_status", "this hub's is")
    refused(scene, scene.push_body(scene.credential(), base_revision=0), 409, "conflict",
            "sync first")
    stale = scene.post(scene.push_body(scene.credential(), base_revision=0)).json()["error"]
    assert stale["server"] == {"id": "sub-1", "state": "approved", "revision": 1}

    add_submission(hub, "sub-2", 77, state="in_review")
    refused(scene, scene.push_body(scene.credential(status_index=77), submission_id="sub-2"),
            409, "conflict", "in review")
    add_submission(hub, "sub-3", 78, assessor="bo")
    refused(scene, scene.push_body(scene.credential(status_index=78), submission_id="sub-3"),
            404, "not_found", "no submission")  # as a missing one: no hint that it exists
    refused(scene, scene.push_body(scene.credential(), submission_id="nope"), 404,
            "not_found", "no submission")
    refused(scene, scene.push_body(scene.credential()), 403, "forbidden", "assessor",
            token=hub.sign_in("mia"))
    refused(scene, {"client_id": "x", "submission_id": "sub-1", "base_revision": "one",
                    "credential": []}, 422, "invalid_request", "not valid")
    with hub.client(scene.token) as client:
        garbage = client.post("/api/v1/credentials", content=b"{not json",
                              headers={"Content-Type": "application/json"})
        assert garbage.status_code == 422
    assert counts(hub) == (0, 0, "approved", 1)

    # After all that, the good credential still goes through.
    assert scene.post(scene.push_body(scene.credential())).status_code == 201


def test_the_page_escapes_every_value_from_the_credential(scene: Scene) -> None:
    credential = scene.credential(text=NASTY, issuer_name=NASTY)
    credential_id = credential["id"]
    assert scene.post(scene.push_body(credential)).status_code == 201
    with scene.hub.client() as client:
        page = client.get(f"/credentials/{credential_id}", headers={"Accept": "text/html"})
    html = page.text
    assert page.status_code == 200
    assert "<script" not in html.lower()
    assert 'alert("x")' not in html and "'quotes'" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in html
    assert html.count("&lt;script&gt;") >= 6  # name, description, narrative, criteria, issuer
    assert "javascript:" not in html


def test_an_image_with_a_script_address_is_not_shown(scene: Scene) -> None:
    unsigned = {k: v for k, v in scene.credential().items() if k != "proof"}
    unsigned["credentialSubject"]["achievement"]["image"] = {
        "id": "javascript:alert(1)", "type": "Image"}
    credential = sign_credential(unsigned, scene.signer)
    assert scene.post(scene.push_body(credential)).status_code == 201
    with scene.hub.client() as client:
        html = client.get(f"/credentials/{credential['id']}",
                          headers={"Accept": "text/html"}).text
    assert "javascript:" not in html and "<img" not in html


# --- the DID document ----------------------------------------------------------------------


def test_the_did_document_lists_active_keys_for_issuing_and_keeps_revoked_ones_out(
        scene: Scene) -> None:
    hub = scene.hub
    revoked = new_signer()
    enrol(hub, revoked, "bo", revoked=True)
    document = fetch_json(hub, "/.well-known/did.json")
    assert document["@context"] == ["https://www.w3.org/ns/did/v1",
                                    "https://w3id.org/security/multikey/v1"]
    assert document["id"] == scene.did == did_web_for(hub.url)
    methods = {m["id"]: m for m in document["verificationMethod"]}
    ada = f"{scene.did}#{ed25519_multikey(scene.signer.public_key)}"
    bo = f"{scene.did}#{ed25519_multikey(revoked.public_key)}"
    assert methods[ada] == {"id": ada, "type": "Multikey", "controller": scene.did,
                            "publicKeyMultibase": ed25519_multikey(scene.signer.public_key)}
    assert bo in methods and bo not in document["assertionMethod"]
    assert ada in document["assertionMethod"]
    assert len(methods) == 3 and len(document["assertionMethod"]) == 2  # + the hub's key
    hub_method = next(m for m in methods if m not in (ada, bo))
    # The hub's key lives in the keychain under the hub's DID, and is the same every time.
    stored = keyring.get_password(KEYRING_SERVICE, scene.did)
    assert stored is not None and stored not in json.dumps(document)
    forget_cached_keys()
    assert fetch_json(hub, "/.well-known/did.json")["assertionMethod"][0] == hub_method

    # A credential signed with a revoked key does not verify against the document.
    report = verify_credential(scene.credential(revoked), documents=[document])
    assert not report.ok
    assert any("does not list the key for issuing" in c.detail for c in report.checks)

    # A hub whose public URL has a path: did:web:host:hub, document at /hub/did.json.
    with hub.transaction() as session:
        org = session.get(Organisation, 1)
        assert org is not None
        org.public_url, org.did = f"{hub.url}/hub", did_web_for(f"{hub.url}/hub")
    document = fetch_json(hub, "/hub/did.json")
    assert document["id"] == did_web_for(hub.url) + ":hub"
    assert fetch_json(hub, "/did.json")["id"] == document["id"]
    with hub.client() as client:
        assert client.get("/elsewhere/did.json").status_code == 404
    try:
        keyring.delete_password(KEYRING_SERVICE, document["id"])
    except keyring.errors.PasswordDeleteError:
        pass


# --- status list and revocation ------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ})


def download(hub: RunningHub, folder: Path) -> list[str]:
    """The DID document and both revocation lists, saved as a verifier would."""
    options = []
    for name, path, flag in (("did.json", "/.well-known/did.json", "--did-document"),
                             ("status.json", "/status/1", "--status-list"),
                             ("revocations.json", "/revocations", "--status-list")):
        (folder / name).write_text(json.dumps(fetch_json(hub, path)), encoding="utf-8")
        options += [flag, str(folder / name)]
    return options


def test_revocation_flips_the_bit_that_the_verify_command_reads(
        scene: Scene, tmp_path: Path) -> None:
    hub = scene.hub
    credential = scene.credential()
    assert scene.post(scene.push_body(credential)).status_code == 201
    served = fetch_json(hub, f"/credentials/{credential['id']}")
    saved = tmp_path / "credential.json"
    saved.write_text(json.dumps(served), encoding="utf-8")

    status_list = fetch_json(hub, "/status/1")
    assert status_list["id"] == status_list_url(hub.url)
    assert status_list["issuer"] == scene.did
    did_document = fetch_json(hub, "/.well-known/did.json")
    assert verify_credential(status_list, documents=[did_document], check_status=False).ok
    assert not StatusList.decode(status_list["credentialSubject"]["encodedList"]).get(4242)
    assert fetch_json(hub, "/status/1") == status_list  # cached: not re-signed

    before = run_cli("credential", "verify", str(saved), *download(hub, tmp_path),
                     "--require-status")
    assert before.returncode == 0, before.stdout + before.stderr
    assert "VERIFIED" in before.stdout and "not revoked" in before.stdout

    admin = hub.sign_in("admin")
    path = f"/api/v1/admin/credentials/{quote(credential['id'])}/revoke"
    with hub.client(scene.token) as client:
        denied = client.post(path, json={"reason": "nope"})
        assert denied.status_code == 403
    with hub.client(admin) as client:
        assert client.post("/api/v1/admin/credentials/urn:uuid:nobody/revoke",
                           json={}).status_code == 404
        assert client.post(path, json={"reason": "x" * 1001}).status_code == 422
        answer = client.post(path, json={"reason": "Evidence was not the learner's own"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["status_index"] == 4242
        twice = client.post(path, json={"reason": "again"})
        assert twice.status_code == 409 and "already revoked" in twice.json()["error"]["message"]
    with hub.transaction() as session:
        whats = list(session.scalars(select(Change.what).where(Change.submission_id == "sub-1")
                                     .order_by(Change.seq)))
        assert whats == ["credential", "credential_revoked"]

    flipped = fetch_json(hub, "/status/1")
    assert verify_credential(flipped, documents=[did_document], check_status=False).ok
    assert StatusList.decode(flipped["credentialSubject"]["encodedList"]).set_indices() == [4242]
    revocations = fetch_json(hub, "/revocations")
    assert revocations["revokedCredentials"] == [
        {"id": credential["id"], "revocationReason": "Evidence was not the learner's own"}]

    after = run_cli("credential", "verify", str(saved), *download(hub, tmp_path))
    assert after.returncode != 0
    assert "revoked" in after.stdout and "NOT VERIFIED" in after.stdout
    with hub.client() as client:
        html = client.get(f"/credentials/{credential['id']}",
                          headers={"Accept": "text/html"}).text
    assert "Revoked" in html and "Evidence was not the learner&#x27;s own" in html


def test_hub_admin_revoke_on_the_command_line(scene: Scene) -> None:
    hub = scene.hub
    credential = scene.credential()
    assert scene.post(scene.push_body(credential)).status_code == 201
    database = ["--db", hub.config.database_url, "--data", str(hub.config.data_dir)]
    unknown = run_cli("hub", "admin", "revoke", "urn:uuid:nobody", "--reason", "x", *database)
    assert unknown.returncode != 0 and "No credential" in unknown.stderr + unknown.stdout
    done = run_cli("hub", "admin", "revoke", credential["id"], "--reason", "Issued in error",
                   *database)
    assert done.returncode == 0, done.stdout + done.stderr
    assert credential["id"] in done.stdout
    flipped = fetch_json(hub, "/status/1")
    assert StatusList.decode(flipped["credentialSubject"]["encodedList"]).get(4242)


# --- hostile input --------------------------------------------------------------------------


def test_hostile_credentials_get_a_clear_4xx_and_nothing_is_written(scene: Scene) -> None:
    good = scene.credential()
    method = good["proof"]["verificationMethod"]
    hostile: list[dict[str, Any]] = [
        {},
        {"id": 5, "type": "OpenBadgeCredential"},
        {**good, "id": "urn:uuid:" + "x" * 300},
        {**good, "type": "VerifiableCredential"},
        {**good, "issuer": ["did:web:a", "did:web:b"]},
        {**good, "credentialStatus": "revoked-never"},
        {**good, "credentialStatus": [{"type": "BitstringStatusListEntry"}]},
        {**good, "proof": "zSignature"},
        {**good, "proof": {**good["proof"], "verificationMethod": method + "#x" * 2}},
        {**good, "proof": {**good["proof"], "proofValue": "not-base58!"}},
        {**good, "proof": {**good["proof"], "cryptosuite": "ecdsa-rdfc-2019"}},
        {**good, "@context": ["https://www.w3.org/ns/credentials/v2", {"@vocab": None}]},
        {**good, "@context": "https://evil.example/context.json"},
        {**good, "validFrom": "yesterday"},
        {**good, "credentialSubject": {"@id": "javascript:x", "deep": [[[[[[[[[]]]]]]]]]}},
    ]
    for credential in hostile:
        answer = scene.post(scene.push_body(credential))
        assert 400 <= answer.status_code < 500, (credential.keys(), answer.text)
        assert answer.json()["error"]["message"]
        assert counts(scene.hub) == (0, 0, "approved", 1)
    huge = {**good, "padding": "x" * 1_100_000}
    assert scene.post(scene.push_body(huge)).status_code == 413


# --- where the hub's key comes from ---------------------------------------------------------


def test_the_hub_key_can_come_from_the_environment(scene: Scene,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seed = ed25519.new_seed()
    monkeypatch.setenv(ENV_VAR, base64.urlsafe_b64encode(seed).decode().rstrip("="))
    forget_cached_keys()
    document = fetch_json(scene.hub, "/.well-known/did.json")
    expected = f"{scene.did}#{ed25519_multikey(ed25519.public_key(seed))}"
    assert document["assertionMethod"][0] == expected
    status_list = fetch_json(scene.hub, "/status/1")
    assert status_list["proof"]["verificationMethod"] == expected
    assert verify_credential(status_list, documents=[document], check_status=False).ok
    assert keyring.get_password(KEYRING_SERVICE, scene.did) is None  # keychain untouched


def test_hub_serve_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    port = str(free_port())
    data = ["--data", str(tmp_path / "hub"), "--port", port]
    no_keychain = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    no_keychain.pop(ENV_VAR, None)
    started = subprocess.run([sys.executable, str(ROOT / "main.py"), "hub", "serve", *data],
                             cwd=ROOT, capture_output=True, text=True, timeout=60,
                             check=False, env=no_keychain)
    assert started.returncode == 2, started.stdout + started.stderr
    assert ENV_VAR in started.stderr and "no signing key" in started.stderr
    bad = {**no_keychain, ENV_VAR: "c2hvcnQ"}
    started = subprocess.run([sys.executable, str(ROOT / "main.py"), "hub", "serve", *data],
                             cwd=ROOT, capture_output=True, text=True, timeout=60,
                             check=False, env=bad)
    assert started.returncode == 2 and "must hold 32 bytes" in started.stderr
    assert "c2hvcnQ" not in started.stderr


def test_the_same_push_sent_at_once_from_several_threads_applies_once(scene: Scene) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = scene.push_body(scene.credential())
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: scene.post(body), range(4)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1
    assert counts(scene.hub) == (1, 1, "published", 2)
