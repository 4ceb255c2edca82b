"""Issue 9, kill tests: the hub (uvicorn in its own process, over SQLite and PostgreSQL) is
SIGKILLed at seeded random points while a learner uploads evidence and a desktop pushes
judgments. After each restart: the database opens at the right schema revision; every push
the desktop saw acknowledged is applied exactly once, and a retry of the push that was cut
off applies once too; every upload is either complete, with bytes that hash to their
address, or absent (never a half file served as a whole one).

Replay a run with ``ASSESSOR_KILL_SEED`` (the seed is printed).
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from assessor.hub.blob_store import INCOMING
from assessor.hub.blobs import blob_path, is_sha256
from assessor.hub.database import HUB_HEAD, HubDatabase, open_hub_database
from assessor.hub.hub_key import ENV_VAR
from assessor.hub.models import Blob, Change, Evidence, Judgment, PushReceipt, Submission
from assessor.hub.organisation import add_user, create_organisation
from assessor.hub.server import free_port
from tests.hardening.kill_harness import Zygote, kill_seed
from tests.hardening.kill_hub_load import Pushes, Traffic, Upload
from tests.hub import factory
from tests.hub.conftest import PASSWORD, _postgres_database

pytestmark = pytest.mark.slow

KILLS = {"sqlite": 10, "postgresql": 6}
LONGEST = 0.6
"""Longest delay (s) between the traffic starting and the kill."""
UPLOAD_SIZES = (200_000, 2_000_000)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "hub.sqlite3")
    else:
        yield from _postgres_database()


def seed_hub(database_url: str) -> dict[str, str]:
    """An organisation with one assessor (so every upload is assigned to ada), a learner
    and three submissions of ada's for the pushes."""
    database = open_hub_database(database_url)
    users: dict[str, str] = {}
    try:
        with database.transaction() as session:
            create_organisation(session, "Example Training Org",
                                "https://training.example.org", "http://127.0.0.1",
                                moderation_first_n=0)
            for username, role in {"ada": "assessor", "lena": "learner"}.items():
                users[username] = add_user(session, username, role, password=PASSWORD,
                                           display_name=username.title(),
                                           email=f"{username}@example.org").id
            factory.add_template(session)
    finally:
        database.dispose()
    return users


def plain_http(url: str) -> httpx.Client:
    """A client for the loopback hub (``verify=False``: plain HTTP needs no CA bundle, and
    loading one costs a fifth of a second on the shared machine)."""
    return httpx.Client(base_url=url, timeout=10, verify=False, trust_env=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: httpx.Client, username: str) -> str:
    answer = client.post("/api/v1/sessions", json={
        "username": username, "password": PASSWORD, "device": "kill test"})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def check_database(database: HubDatabase, url: str) -> None:
    """The database opens (the hub's own check: ``open_hub_database`` migrates or refuses)
    at this hub's head revision, and SQLite finds nothing damaged."""
    open_hub_database(url).dispose()
    with database.transaction() as s:
        assert list(s.scalars(text("SELECT version_num FROM alembic_version"))) == [HUB_HEAD]
        if database.engine.dialect.name == "sqlite":
            assert s.scalar(text("PRAGMA integrity_check")) == "ok"


def check_pushes(database: HubDatabase, pushes: Pushes) -> None:
    """Every acknowledged push is held, and each held push was applied once: a submission's
    revision, numbered changes and judgment revisions each count its receipts once."""
    with database.transaction() as s:
        receipts = {r.client_id: r.response["submission_id"]
                    for r in s.scalars(select(PushReceipt))}
        missing = set(pushes.acked) - set(receipts)
        assert not missing, f"acknowledged pushes the hub lost: {sorted(missing)[:3]}"
        per_submission = Counter(receipts.values())
        for sub in pushes.revisions:
            row = s.get(Submission, sub)
            assert row is not None
            assert row.revision == 1 + per_submission[sub], (sub, row.revision)
            changes = s.scalar(select(func.count()).select_from(Change)
                               .where(Change.submission_id == sub))
            assert changes == 1 + per_submission[sub], (sub, changes)
            judged = sum(j.revision for j in s.scalars(
                select(Judgment).where(Judgment.submission_id == sub)))
            assert judged == per_submission[sub], (sub, judged, per_submission[sub])


def retry_cut_off(client: httpx.Client, token: str, pushes: Pushes) -> int:
    """Send the pushes that got no answer again, as they were: each applies once."""
    retried = 0
    for envelope in list(pushes.unacked.values()):
        pushes.settle(envelope, client.post("/api/v1/push", json=envelope,
                                            headers=bearer(token)))
        retried += 1
    if pushes.acked:  # and an acknowledged one again: the stored answer, no new change
        envelope = next(iter(pushes.acked.values()))
        again = client.post("/api/v1/push", json=envelope, headers=bearer(token))
        assert again.status_code == 200, again.text
    return retried


def check_uploads(database: HubDatabase, blob_dir: Path, client: httpx.Client, token: str,
                  uploads: list[Upload], fetched: set[str],
                  hashed: set[tuple[str, int]]) -> int:
    """Every stored blob is whole and hashes to its address; every acknowledged upload is
    there and served whole; every cut-off upload is all there or not there at all.
    Returns the number of leftover files in the intake's temporary folder."""
    with database.transaction() as s:
        blobs = {b.sha256: b.size for b in s.scalars(select(Blob))}
        evidence: dict[str, set[str]] = {}
        for row in s.scalars(select(Evidence)):
            evidence.setdefault(row.submission_id, set()).add(row.sha256)
    for sha, size in blobs.items():
        path = blob_path(blob_dir, sha)
        assert path.stat().st_size == size, sha[:12]
    for path in blob_dir.glob("*/*/*"):
        assert is_sha256(path.name), path
        stamp = (path.name, path.stat().st_mtime_ns)
        if stamp not in hashed:  # a file kept before a commit the kill prevented: whole too
            assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path.name[:12]
            hashed.add(stamp)
    held = {digest for digests in evidence.values() for digest in digests}
    for upload in uploads:
        if upload.submission_id is not None:
            assert evidence.get(upload.submission_id) == set(upload.digests), upload
        else:  # cut off: all of it in one submission, or none of it anywhere
            whole = any(found == set(upload.digests) for found in evidence.values())
            assert whole or not (set(upload.digests) & held), upload
        for digest in upload.digests:
            if digest in held and digest not in fetched:
                answer = client.get(f"/api/v1/evidence/{digest}", headers=bearer(token))
                assert answer.status_code == 200, answer.text
                assert hashlib.sha256(answer.content).hexdigest() == digest
                fetched.add(digest)
    incoming = blob_dir / INCOMING
    return len(list(incoming.iterdir())) if incoming.exists() else 0


def test_the_hub_killed_during_uploads_and_pushes_keeps_its_word(
        database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["database_url"]
    seed = kill_seed(f"test_kill_hub[{backend}]")
    rng = random.Random(seed)
    users = seed_hub(database_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data_dir = tmp_path / "hub-data"
    blob_dir = data_dir / "blobs"
    database = open_hub_database(database_url)
    with database.transaction() as session:
        mine = [factory.add_submission(session, blob_dir, users["lena"],
                                       assessor_id=users["ada"]).id for _ in range(3)]
    pushes = Pushes({sub: 1 for sub in mine})
    uploads: list[Upload] = []
    fetched: set[str] = set()
    hashed: set[tuple[str, int]] = set()
    env = os.environ | {ENV_VAR: base64.urlsafe_b64encode(os.urandom(32)).decode()}
    zygote = Zygote("hub", tmp_path / "hub-zygote.log", env=env)
    kills = retried = 0
    leftovers: list[int] = []
    started = time.monotonic()
    tokens: dict[str, str] = {}
    timing: dict[str, float] = defaultdict(float)
    client = plain_http(url)
    try:
        for _ in range(KILLS[backend] + 1):
            lap = time.monotonic()
            run = zygote.start(database_url, data_dir, port)
            wait_until_up(port)
            timing["start"] += time.monotonic() - lap
            lap = time.monotonic()
            tokens = tokens or {name: sign_in(client, name) for name in ("ada", "lena")}
            check_database(database, database_url)
            retried += retry_cut_off(client, tokens["ada"], pushes)
            check_pushes(database, pushes)
            leftovers.append(check_uploads(database, blob_dir, client, tokens["ada"], uploads,
                                           fetched, hashed))
            timing["checks"] += time.monotonic() - lap
            if kills == KILLS[backend]:
                zygote.kill(run)  # the end of the test, not one of the kills counted
                break
            traffic = Traffic(url, tokens["lena"], tokens["ada"], rng, pushes, uploads,
                              UPLOAD_SIZES)
            lap = time.monotonic()
            traffic.start()
            time.sleep(rng.uniform(0.05, LONGEST))
            zygote.kill(run)
            kills += 1
            traffic.stop()
            timing["traffic"] += time.monotonic() - lap
    finally:
        client.close()
        zygote.close()
        database.dispose()

    done = sum(u.submission_id is not None for u in uploads)
    print(f"hub kills ({backend}): {kills} in {time.monotonic() - started:.1f} s; "
          f"pushes acknowledged {len(pushes.acked)}, cut off and retried {retried}; "
          f"uploads acknowledged {done}, cut off {len(uploads) - done}; evidence fetched "
          f"whole {len(fetched)}; files left in blobs/{INCOMING}: {leftovers[-1]}")
    print("seconds spent: " + ", ".join(f"{k} {v:.1f}" for k, v in timing.items()))
    assert kills == KILLS[backend]
    assert pushes.acked and uploads
