"""The scene of the authorisation, XSS and verification-reject tests: a real hub on a
loopback port with one person of each role, their submissions, enrolled keys and a
published credential, plus a second organisation's hub (the hub serves one organisation,
so "another organisation" is another hub with its own DID and signing key).

Tokens are minted straight into a hub's database (as a sign-in would leave them), so a
test can have a fresh one per request, or an expired or revoked one, without a password.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from assessor.credentials.ed25519 import Ed25519Signer
from assessor.credentials.multiformats import ed25519_multikey
from assessor.hub import hub_key
from assessor.hub.config import HubConfig
from assessor.hub.database import HubDatabase, open_hub_database
from assessor.hub.hub_key import use_temporary_key
from assessor.hub.models import EnrolledKey, Feedback, Organisation, Submission, Token
from assessor.hub.organisation import add_user, create_organisation
from assessor.hub.routes.auth import issue_token
from assessor.hub.server import BackgroundHub, free_port
from tests.hub.factory import add_submission, add_template, link_mentor
from tests.hub.test_publication import new_signer, signed_credential

PASSWORD = "correct horse battery staple"
PEOPLE = {"admin": "admin", "ada": "assessor", "bo": "assessor", "mia": "mentor",
          "mo": "moderator", "lena": "learner", "leo": "learner",
          # targets of the administrators' calls, never callers themselves
          "tess": "assessor", "tess-off": "assessor", "max": "mentor", "lou": "learner"}
"""username -> role. ``mia`` mentors ``lena``; ``max`` mentors ``lou``."""

CALLER_OF_ROLE = {"admin": "admin", "assessor": "ada", "mentor": "mia", "moderator": "mo",
                  "learner": "lena"}


@dataclass
class Org:
    """One organisation's served hub and what was seeded into it."""

    url: str
    config: HubConfig
    did: str
    users: dict[str, str]
    """username -> user id"""
    submissions: dict[str, str] = field(default_factory=dict)
    """scene name -> submission id"""
    evidence: dict[str, str] = field(default_factory=dict)
    """scene name of the submission -> sha256 of its evidence file"""
    signers: dict[str, Ed25519Signer] = field(default_factory=dict)
    """username -> the signer whose public key is enrolled for them"""
    spare_key: str = ""
    """An enrolled key of ``tess``'s that an administrator may revoke."""
    published: dict[str, Any] = field(default_factory=dict)
    """The credential published for ``bo-published``."""

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    database: HubDatabase | None = None
    """The test's own connection to the hub's database (opened once)."""

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A transaction on the hub's database, from outside the server (as a test peeks)."""
        if self.database is None:
            self.database = open_hub_database(self.config.database_url)
        with self.database.transaction() as session:
            yield session

    def tokens(self, *usernames: str, expired: bool = False,
               revoked: bool = False) -> list[str]:
        """A fresh bearer token for each user name, as a sign-in leaves one."""
        out = []
        with self.transaction() as session:
            for username in usernames:
                token, _ = issue_token(session, self.users[username], "tests", 30)
                out.append(token)
            session.flush()
            if expired or revoked:
                from assessor.hub.context import token_hash

                for token in out:
                    row = session.get(Token, token_hash(token))
                    assert row is not None
                    if expired:
                        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
                    if revoked:
                        row.revoked_at = datetime.now(UTC) - timedelta(minutes=1)
        return out

    def token(self, username: str, **how: bool) -> str:
        return self.tokens(username, **how)[0]

    def revision(self, name: str) -> int:
        with self.transaction() as session:
            submission = session.get(Submission, self.submissions[name])
            assert submission is not None
            return submission.revision

    def credential(self, signer: Ed25519Signer, status_index: int, **options: Any
                   ) -> dict[str, Any]:
        return signed_credential(self.url, self.did, signer, status_index, **options)

    def status_index(self, name: str) -> int:
        with self.transaction() as session:
            submission = session.get(Submission, self.submissions[name])
            assert submission is not None
            return submission.status_index


def _enrol(session: Session, user_id: str, signer: Ed25519Signer) -> str:
    multikey = ed25519_multikey(signer.public_key)
    session.add(EnrolledKey(public_key_multibase=multikey, user_id=user_id,
                            enrolled_at=datetime.now(UTC)))
    return multikey


def _seed(org: Org, session: Session) -> None:
    blobs = org.config.blob_dir
    users = org.users
    add_template(session)
    link_mentor(session, users["mia"], users["lena"])
    link_mentor(session, users["max"], users["lou"])
    plans = {  # name: (learner, assessor, state, sampled, evidence file)
        "ada-open": ("lena", "ada", "in_review", False, True),
        "ada-approved": ("lena", "ada", "approved", False, False),
        "bo-open": ("leo", "bo", "in_review", False, True),
        "bo-sampled": ("leo", "bo", "awaiting_moderation", True, True),
        "bo-published": ("leo", "bo", "approved", False, False),
        "spare": ("lou", "tess", "pending", False, False),
    }
    for name, (learner, assessor, state, sampled, with_file) in plans.items():
        data = f"evidence of {name} {uuid.uuid4()}".encode()
        files = [(f"{name}.txt", data, "text/plain")] if with_file else []
        submission = add_submission(session, blobs, users[learner],
                                    assessor_id=users[assessor], state=state,
                                    sampled=sampled, files=files,
                                    narrative=f"What {learner} did ({name}).")
        org.submissions[name] = submission.id
        if with_file:
            org.evidence[name] = hashlib.sha256(data).hexdigest()
    ada_open = org.submissions["ada-open"]
    session.add(Feedback(id="internal-note-by-ada", submission_id=ada_open,
                         author_id=users["ada"], visibility="internal",
                         body="Internal: for assessors only.", created_at=datetime.now(UTC)))
    session.add(Feedback(id="note-for-lena", submission_id=ada_open,
                         author_id=users["ada"], visibility="learner",
                         body="Well argued, Lena.", created_at=datetime.now(UTC)))
    for username in ("ada", "bo"):
        org.signers[username] = new_signer()
        _enrol(session, users[username], org.signers[username])
    org.spare_key = _enrol(session, users["tess"], new_signer())


def _publish(org: Org) -> None:
    """bo publishes the credential of ``bo-published`` through the API."""
    name = "bo-published"
    credential = org.credential(org.signers["bo"], org.status_index(name),
                                text="Published for the scene")
    with org.client(org.token("bo")) as client:
        answer = client.post("/api/v1/credentials", json={
            "client_id": str(uuid.uuid4()), "submission_id": org.submissions[name],
            "base_revision": org.revision(name), "credential": credential})
        assert answer.status_code == 201, answer.text
    org.published = credential


@contextmanager
def served_org(data_dir: Path, name: str = "Example Training Org") -> Iterator[Org]:
    """A served hub for one organisation, seeded as the module text says. Its signing key
    is a temporary one held in memory (no keychain needed)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = HubConfig(database_url=str(data_dir / "hub.sqlite3"), data_dir=data_dir / "data",
                       public_url=f"http://127.0.0.1:{port}")
    database = open_hub_database(config.database_url)
    users: dict[str, str] = {}
    try:
        with database.transaction() as session:
            organisation = create_organisation(session, name, "https://training.example.org",
                                               config.public_url, moderation_first_n=0)
            did = organisation.did
            for username, role in PEOPLE.items():
                users[username] = add_user(
                    session, username, role, display_name=username.title(),
                    email=f"{username}@example.org",
                    password=PASSWORD if username == "lena" else "").id
        org = Org(config.public_url, config, did, users)
        with database.transaction() as session:
            _seed(org, session)
    finally:
        database.dispose()
    use_temporary_key(did)
    try:
        with BackgroundHub(config, port=port):
            _publish(org)
            yield org
    finally:
        forget_key(did)
        if org.database is not None:
            org.database.dispose()


def forget_key(did: str) -> None:
    """Drop this hub's temporary key only (another served hub keeps its own)."""
    with hub_key._lock:
        hub_key._cache.pop((hub_key.KEYRING_SERVICE, did), None)


def organisation_row(org: Org) -> Organisation:
    with org.transaction() as session:
        row = session.get(Organisation, 1)
        assert row is not None
        session.expunge(row)
        return row
