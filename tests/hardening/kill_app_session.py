"""The scripted app session that the kill test starts (forked by ``kill_zygote``) and kills.

It works through the desktop's own services, as the window does: ``Store.record_judgment``
(what a level key press calls), ``Store.decide``, the ``SigningService`` (the keychain's
signing key) and ``SyncEngine`` (push the outbox, pull, download evidence into the
encrypted cache). It tells the parent, one line at a time, what the UI would have shown:

``["try", sub, criterion, level, comment]``   a save is about to be asked for
``["saved", sub, criterion, level, comment]`` the store call returned ("Saved" shown)
``["decided", sub, decision_id]`` / ``["signed", sub, credential_id]``  likewise
``["sending", client_id]`` / ``["acked", client_id]``  a push left / the hub answered 2xx
``["doing", step]``   what it starts next (judge, sign or sync)

Usage (the zygote passes the arguments): ``HOME PHASE SEED``. PHASE weighs the steps:
``judge``, ``sign``, ``sync`` (syncs while judging goes on), ``evidence`` (syncs only), or
is ``final`` (sync until nothing is waiting, then exit).
"""

from __future__ import annotations

import random
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy.orm import configure_mappers

import assessor.credentials.service  # noqa: F401 - imported once in the zygote
import assessor.store.sync_store  # noqa: F401
from assessor.domain.feedback import Outcome
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.people import Actor
from assessor.domain.states import State
from assessor.errors import UserFacingError
from assessor.evidence.cache import EvidenceCache
from assessor.evidence.cache_key import load_cache_key
from assessor.paths import AppPaths
from assessor.store.database import read_only_connection
from assessor.store.store import Store
from assessor.sync.account import token_for
from assessor.sync.client import HubClient
from assessor.sync.engine import Progress, SyncEngine
from assessor.workstation import Workstation
from tests.hardening.kill_zygote import say


def _import_keyring_backends() -> None:
    """Import the keyring backends now, in the zygote (what ``keyring`` does on its first
    call, and the slowest part of a start); connecting to the keychain stays for each run."""
    for entry_point in metadata.entry_points(group="keyring.backends"):
        entry_point.load()


_import_keyring_backends()
configure_mappers()  # the ORM's first-query set-up, done once in the zygote

STEPS = ("judge", "sign", "sync")
WEIGHTS = {"judge": (20, 1, 1), "sign": (2, 6, 1), "sync": (0, 1, 6), "evidence": (0, 0, 1)}
PASSING = ("meets", "exceeds")
JUDGEABLE = (State.PENDING.value, State.IN_REVIEW.value)


class ReportingClient(HubClient):
    """The real client; it also says which pushes left and which the hub acknowledged."""

    def push(self, envelope: dict[str, Any]) -> dict[str, Any]:
        say("sending", envelope["client_id"])
        answer = super().push(envelope)
        say("acked", envelope["client_id"])
        return answer

    def push_credential(self, envelope: dict[str, Any]) -> dict[str, Any]:
        say("sending", envelope["client_id"])
        answer = super().push_credential(envelope)
        say("acked", envelope["client_id"])
        return answer


class Session:
    def __init__(self, paths: AppPaths, seed: int) -> None:
        self.paths = paths
        self.rng = random.Random(seed)
        self.tag = f"s{seed}"
        self.count = 0
        self.timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            self.timings[name] = round(now - clock, 4)
            clock = now

        workstation = Workstation.open(paths)
        self.settings = workstation.settings
        self.actor: Actor = self.settings.actor
        lap("open")
        self.store: Store = workstation.store
        lap("store")
        self.signing = workstation.signing()
        lap("signing")
        self.cache = EvidenceCache(paths.evidence, load_cache_key())
        lap("cache key")
        self.token = token_for(self.settings)
        lap("token")
        self.client: ReportingClient | None = None
        self._count_lock = threading.Lock()

    # -- what is there --------------------------------------------------------------------

    def submissions(self, states: tuple[str, ...]) -> list[str]:
        db = read_only_connection(self.paths.store)
        try:
            marks = ",".join("?" * len(states))
            return [row[0] for row in db.execute(
                f"SELECT id FROM submissions WHERE state IN ({marks}) ORDER BY id", states)]
        finally:
            db.close()

    def criteria(self, submission_id: str) -> list[tuple[str, list[str]]]:
        review = self.store.review(submission_id)
        return [(c.key, [level.key for level in c.levels]) for c in review.rubric.criteria]

    # -- the steps ------------------------------------------------------------------------

    def judge(self, submission_id: str, criterion: str, level: str) -> None:
        with self._count_lock:
            self.count += 1
            comment = f"{self.tag}-{self.count}"
        say("try", submission_id, criterion, level, comment)
        self.store.record_judgment(submission_id, JudgmentDraft(criterion, level, comment),
                                   self.actor)
        say("saved", submission_id, criterion, level, comment)

    def judge_one(self) -> None:
        open_ = self.submissions(JUDGEABLE)
        if not open_:
            return
        submission_id = self.rng.choice(open_)
        criterion, levels = self.rng.choice(self.criteria(submission_id))
        current = self.store.judgments(submission_id).get(criterion)
        choices = [lv for lv in levels if current is None or lv != current.level_key]
        self.judge(submission_id, criterion, self.rng.choice(choices))

    def sign_one(self) -> None:
        approved = self.submissions((State.APPROVED.value,))
        if approved:
            self.sign(approved[0])
            return
        open_ = self.submissions(JUDGEABLE)
        if not open_:
            return
        submission_id = self.rng.choice(open_)
        judgments = self.store.judgments(submission_id)
        for criterion, _ in self.criteria(submission_id):
            current = judgments.get(criterion)
            if current is None or current.level_key not in PASSING:
                self.judge(submission_id, criterion, self.rng.choice(PASSING))
        say("try-decide", submission_id)
        decision = self.store.decide(submission_id, self.actor, Outcome.APPROVE)
        say("decided", submission_id, decision.id)
        self.sign(submission_id)

    def sign(self, submission_id: str) -> None:
        preview = self.signing.preview(submission_id, self.actor)
        say("try-sign", submission_id, preview.credential["id"])
        signed = self.signing.sign(preview, self.actor)
        say("signed", submission_id, signed["id"])

    def sync(self) -> None:
        if self.client is None:  # one client per session (each costs a CA bundle load)
            self.client = ReportingClient(self.settings.hub_url, self.token)
        client = self.client
        shown: list[str] = []

        def progress(p: Progress) -> None:
            if p.phase == "evidence" and p.bytes_done or p.phase not in shown:
                shown.append(p.phase)
                say("progress", p.phase, p.done, p.total, p.bytes_done)

        report = SyncEngine(self.store, client, self.cache, on_progress=progress).run()
        say("synced", report.pushed, report.files, report.conflicts, report.refused,
            report.problems)

    def step(self, weights: tuple[int, ...]) -> None:
        step = self.rng.choices(STEPS, weights)[0]
        say("doing", step)
        try:
            if step == "judge":
                self.judge_one()
            elif step == "sign":
                self.sign_one()
            else:
                self.sync()
        except UserFacingError as exc:  # shown to the user; the parent lists them
            say("refused", step, str(exc)[:300])

    # -- the phases -----------------------------------------------------------------------

    def keypresses(self, stop: threading.Event) -> None:
        """The assessor keeps judging while a sync runs (the store lane of the window)."""
        while not stop.is_set():
            try:
                self.judge_one()
            except UserFacingError as exc:  # e.g. the pull just took the submission away
                say("refused", "judge", str(exc)[:300])
            time.sleep(self.rng.uniform(0.03, 0.15))

    def run(self, phase: str) -> None:
        if phase == "final":
            for _ in range(5):
                self.sync()
                if self.store.outbox_count() == 0:
                    break
            if self.client is not None:
                self.client.close()
            say("final-done")
            return
        if phase == "sync":
            stop = threading.Event()
            threading.Thread(target=self.keypresses, args=(stop,), daemon=True).start()
        while True:
            self.step(WEIGHTS[phase])


def main(args: list[str]) -> None:
    home, phase, seed = args
    session = Session(AppPaths(Path(home)), int(seed))
    say("ready", session.timings)
    session.run(phase)
