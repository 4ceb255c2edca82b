"""The traffic the hub kill test sends while it waits to kill the hub: a learner uploading
evidence (intake) and a desktop pushing judgments, each on its own thread, each keeping a
record of what the hub acknowledged and what was cut off."""

from __future__ import annotations

import hashlib
import random
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.hub import factory

PUSH_LEVELS = ("not_yet", "meets", "exceeds")


@dataclass
class Upload:
    digests: tuple[str, ...]
    submission_id: str | None = None
    """Set when the hub answered 201."""


@dataclass
class Pushes:
    """The desktop's view of its pushes: acknowledged ones and the one cut off."""

    revisions: dict[str, int]
    """submission id -> the revision the hub last answered."""
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)
    """client id -> envelope, for every push the hub answered 200."""
    unacked: dict[str, dict[str, Any]] = field(default_factory=dict)
    """client id -> envelope, for pushes sent without an answer (to retry as they are)."""

    def settle(self, envelope: dict[str, Any], answer: httpx.Response) -> None:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["client_id"] == envelope["client_id"]
        self.revisions[envelope["submission_id"]] = body["revision"]
        self.acked[envelope["client_id"]] = envelope
        self.unacked.pop(envelope["client_id"], None)


class Traffic:
    """``start()`` two threads against the hub at ``url``; ``stop()`` after the kill."""

    def __init__(self, url: str, learner_token: str, assessor_token: str,
                 rng: random.Random, pushes: Pushes, uploads: list[Upload],
                 sizes: tuple[int, int]) -> None:
        self._url = url
        self._learner = learner_token
        self._assessor = assessor_token
        self._upload_rng = random.Random(rng.random())
        self._push_rng = random.Random(rng.random())
        self._sizes = sizes
        self.pushes = pushes
        self.uploads = uploads
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._uploading, daemon=True),
                         threading.Thread(target=self._pushing, daemon=True)]
        self.failures: list[str] = []

    def _client(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self._url, timeout=10, verify=False, trust_env=False,
                            headers={"Authorization": f"Bearer {token}"})

    def _uploading(self) -> None:
        rng = self._upload_rng
        with self._client(self._learner) as client:
            while not self._stop.is_set():
                files = [rng.randbytes(rng.randint(*self._sizes)) for _ in range(2)]
                upload = Upload(tuple(hashlib.sha256(f).hexdigest() for f in files))
                self.uploads.append(upload)
                try:
                    answer = client.post(
                        "/api/v1/intake/submissions",
                        data={"template_id": factory.TEMPLATE, "narrative": "At work."},
                        files=[("files", (f"part-{n}.bin", data, "application/octet-stream"))
                               for n, data in enumerate(files)])
                except httpx.TransportError:
                    return  # the hub is gone: this upload was not acknowledged
                if answer.status_code != 201:
                    self.failures.append(f"upload: {answer.status_code} {answer.text[:200]}")
                    return
                upload.submission_id = answer.json()["id"]

    def _pushing(self) -> None:
        rng = self._push_rng
        with self._client(self._assessor) as client:
            while not self._stop.is_set():
                submission_id = rng.choice(sorted(self.pushes.revisions))
                envelope: dict[str, Any] = {
                    "client_id": str(uuid.uuid4()), "kind": "judgment",
                    "submission_id": submission_id,
                    "base_revision": self.pushes.revisions[submission_id],
                    "payload": {"criterion": rng.choice(factory.CRITERIA),
                                "level": rng.choice(PUSH_LEVELS),
                                "comment": f"push {uuid.uuid4().hex[:8]}"}}
                self.pushes.unacked[envelope["client_id"]] = envelope
                try:
                    answer = client.post("/api/v1/push", json=envelope)
                except httpx.TransportError:
                    return  # cut off: retried after the restart, exactly as it was
                if answer.status_code != 200:
                    self.failures.append(f"push: {answer.status_code} {answer.text[:200]}")
                    return
                self.pushes.settle(envelope, answer)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        assert not self.failures, self.failures
