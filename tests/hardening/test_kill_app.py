"""Issue 9, kill tests: the app is SIGKILLed at random points while it judges, signs and
syncs, and after every kill it starts again with nothing lost and nothing half-done.

A scripted session (``kill_app_session``, forked fresh for each run by ``kill_zygote``)
works on a real store, the real keychain and a real hub on loopback; it reports what the
UI would have shown as saved and which pushes the hub acknowledged. The parent kills it
after a seeded random delay and checks, before starting it again: the store opens and
its audit chain verifies; every judgment, decision and signature shown saved is there;
the evidence cache holds only files whose bytes hash to their name, and partial
downloads that can never pass for whole ones; every change made is either waiting in the
outbox or applied on the hub, and every push the hub holds was applied exactly once.

Replay a run with ``ASSESSOR_KILL_SEED`` (the seed is printed).
"""

from __future__ import annotations

import base64
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from assessor.evidence.cache import EvidenceCache
from assessor.evidence.cache_key import load_cache_key
from assessor.hub.config import HubConfig
from assessor.hub.database import HubDatabase, open_hub_database
from assessor.hub.hub_key import ENV_VAR, forget_cached_keys
from assessor.hub.server import BackgroundHub, free_port
from assessor.keys import KeychainSecrets, KeyCustody
from assessor.paths import AppPaths
from assessor.store.sync_store import SyncStore
from assessor.sync.account import sign_in, token_name
from tests.hardening.kill_app_checks import (
    CacheCheck,
    Ledger,
    cache_files,
    check_cache,
    check_hub_applied_once,
    check_outbox_covers,
    check_store,
    hub_view,
    local_view,
    open_store,
)
from tests.hardening.kill_harness import Run, Zygote, kill_seed
from tests.hub import factory
from tests.hub.conftest import PASSWORD, RunningHub, seed_organisation

pytestmark = pytest.mark.slow

PLAN = (("judge", 20, 0.25), ("sign", 12, 0.5), ("sync", 10, 0.8), ("evidence", 10, 0.25))
"""Phase, kills, longest delay (s) between the session being ready (in the evidence phase:
the downloads starting) and the kill."""
USERS = {"admin": "admin", "ada": "assessor", "lena": "learner"}


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningHub]:
    """A served hub (SQLite, on a thread of this process) with ada as its one assessor."""
    monkeypatch.setenv(ENV_VAR, base64.urlsafe_b64encode(os.urandom(32)).decode())
    forget_cached_keys()
    port = free_port()
    config = HubConfig(database_url=str(tmp_path / "hub.sqlite3"),
                       data_dir=tmp_path / "hub-data", public_url=f"http://127.0.0.1:{port}")
    users = seed_organisation(config, USERS, template=True)
    try:
        with BackgroundHub(config, port=port):
            yield RunningHub(f"http://127.0.0.1:{port}", config, users)
    finally:
        forget_cached_keys()


@pytest.fixture
def desk(tmp_path: Path, hub: RunningHub) -> Iterator[AppPaths]:
    """ada's laptop, signed in (token and signing key in the keychain, key enrolled)."""
    paths = AppPaths(tmp_path / "desk").ensure()
    signed_in = sign_in(paths.home, hub.url, "ada", password=PASSWORD)
    assert signed_in.key_enrolled, signed_in.note
    yield paths
    KeychainSecrets().delete(token_name(hub.url))
    KeyCustody(paths.home).delete_all()


def add_submissions(hub: RunningHub, rng: random.Random, count: int,
                    sizes: tuple[int, int], files: int) -> None:
    with hub.transaction() as session:
        for _ in range(count):
            evidence = [(f"evidence-{n}.bin", rng.randbytes(rng.randint(*sizes)),
                         "application/octet-stream") for n in range(files)]
            factory.add_submission(session, hub.config.blob_dir, hub.users["lena"],
                                   assessor_id=hub.users["ada"], files=evidence)


def at_kill(run: Run) -> str:
    """What the session was in the middle of when it died."""
    doing = "starting"
    open_try = open_send = open_sign = False
    for line in run.lines:
        kind = line[0]
        if kind == "doing":
            doing = line[1]
        open_try = (open_try or kind == "try") and kind != "saved"
        open_send = (open_send or kind == "sending") and kind != "acked"
        open_sign = (open_sign or kind == "try-sign") and kind != "signed"
    detail = ("mid-save" if open_try else "mid-push" if open_send
              else "mid-sign" if open_sign else "")
    return f"{doing}/{detail}" if detail else doing


def check_after_kill(desk: AppPaths, key: bytes, hub_db: HubDatabase, ledger: Ledger,
                     cache_seen: CacheCheck) -> int:
    """Everything that must hold before the app starts again; the outbox rows waiting."""
    store = open_store(desk)  # the store opens after the kill
    try:
        local = local_view(desk)
        check_store(store, local, ledger)
        known = {sha for sha, _, _ in SyncStore(store).evidence_wanted()}
        check_cache(desk, key, known, cache_seen)
        view = hub_view(hub_db)
        check_hub_applied_once(view, ledger)
        return check_outbox_covers(store, local, view)
    finally:
        store.close()


def print_timeline(phase: str, run: Run) -> None:
    """What a killed run said and when (``KILL_DEBUG=1``), to see where kills land."""
    start = run.times[0]
    print(phase, [(f"{at - start:.3f}", *line)
                  for at, line in zip(run.times, run.lines, strict=True)])


def test_the_app_killed_at_random_points_loses_nothing(
        hub: RunningHub, desk: AppPaths, tmp_path: Path) -> None:
    seed = kill_seed("test_kill_app")
    rng = random.Random(seed)
    add_submissions(hub, rng, 6, (10_000, 40_000), 1)
    key = load_cache_key()
    hub_db = open_hub_database(hub.config.database_url)
    ledger = Ledger()
    cache_seen = CacheCheck()
    kills: Counter[str] = Counter()
    moments: Counter[str] = Counter()
    timing: dict[str, float] = defaultdict(float)
    waiting_after: list[int] = []
    started = time.monotonic()
    zygote = Zygote("app", tmp_path / "app-zygote.log")
    try:
        first = zygote.start(desk.home, "final", seed)  # a first sync, not killed
        zygote.wait_for(first, "final-done", timeout=120)
        assert zygote.wait_exit(first, 30) == 0
        for phase, count, longest in PLAN:
            for n in range(count):
                if phase == "evidence":
                    add_submissions(hub, rng, 1, (1_000_000, 3_000_000), 2)
                elif phase == "sync":
                    add_submissions(hub, rng, 1, (100_000, 500_000), 1)
                elif n % 3 == 0:
                    add_submissions(hub, rng, 2, (5_000, 20_000), 1)
                lap = time.monotonic()
                run = zygote.start(desk.home, phase, rng.randrange(1, 2**31))
                ready = zygote.wait_for(run, "ready", timeout=60)
                timing["start"] += time.monotonic() - lap
                for name, spent in ready[1].items():
                    timing[f"(child {name})"] += spent
                lap = time.monotonic()
                if phase == "evidence":  # the delay starts when the downloads do
                    zygote.wait_for(run, "progress", timeout=60,
                                    match=lambda m: m[1] == "evidence")
                zygote.collect(run, rng.uniform(0.0, longest))
                zygote.kill(run)
                timing["run"] += time.monotonic() - lap
                kills[phase] += 1
                if os.environ.get("KILL_DEBUG"):
                    print_timeline(phase, run)
                moments[f"{phase}: {at_kill(run)}"] += 1
                ledger.take(run.lines)

                lap = time.monotonic()
                waiting_after.append(check_after_kill(desk, key, hub_db, ledger, cache_seen))
                timing["checks"] += time.monotonic() - lap

        final = zygote.start(desk.home, "final", seed)
        zygote.wait_for(final, "final-done", timeout=120)
        assert zygote.wait_exit(final, 30) == 0
        ledger.take(final.lines)
    finally:
        zygote.close()

    store = open_store(desk)
    try:
        local = local_view(desk)
        checked = check_store(store, local, ledger)
        wanted = SyncStore(store).evidence_wanted()
        check_cache(desk, key, {sha for sha, _, _ in wanted}, CacheCheck())
        view = hub_view(hub_db)
        check_hub_applied_once(view, ledger)
        assert check_outbox_covers(store, local, view) == 0
        cache = EvidenceCache(desk.evidence, key)
        assert all(cache.has(sha) for sha, _, _ in wanted), "evidence missing at the end"
        for sub in ledger.signed:
            assert view.credentials[sub] == 1
            assert local.states[sub] == "published"
    finally:
        store.close()
        hub_db.dispose()
    assert sum(kills.values()) >= 50

    print(f"kills per phase: {dict(kills)}; total {sum(kills.values())} in "
          f"{time.monotonic() - started:.1f} s")
    print("seconds spent: " + ", ".join(f"{k} {v:.1f}" for k, v in timing.items()))
    print("what the session was doing at each kill:")
    for moment, number in sorted(moments.items()):
        print(f"  {moment}: {number}")
    print(f"judgments shown saved: {ledger.saves}; decisions: {len(ledger.decided)}; "
          f"signed: {len(ledger.signed)}; pushes acknowledged: {len(ledger.acked)}; "
          f"hub receipts: {len(view.receipts)}; audit events verified: {checked}")
    print(f"evidence files cached: {cache_files(desk)} of {len(wanted)}; kills that left a "
          f"partial download: {cache_seen.kills_leaving_partials} (sealed, not yet renamed: "
          f"{cache_seen.sealed_unrenamed}); outbox rows waiting after a kill: "
          f"max {max(waiting_after)}")
    print(f"messages the user would have seen: {len(ledger.refused)} "
          f"{[line[1:] for line in ledger.refused[:3]]}")
