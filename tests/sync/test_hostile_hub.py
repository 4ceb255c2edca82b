"""A desktop against a hub that is down, broken or hostile (issue 5, items 5 and 8, "Bad input").

The answers come from a real HTTP server on loopback (the ``hostile`` fixture) that replays
what a real hub said (recorded once per module from a served hub) unless a test makes it
misbehave. Each test checks the message the user gets (the exception's type and words) and
that nothing was lost or half-applied: the outbox keeps the same rows with the same client
ids, the store holds the same submissions, judgments and cursor, and the evidence cache holds
no committed file and no partial of a file it refused.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from assessor.domain.feedback import Visibility
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.people import Actor, Role
from assessor.hub.config import HubConfig
from assessor.hub.database import open_hub_database
from assessor.hub.organisation import add_user, create_organisation
from assessor.hub.server import BackgroundHub, free_port
from assessor.store.sync_store import SyncStore
from assessor.sync import client as client_module
from assessor.sync.client import HubClient
from assessor.sync.downloads import Fetched, fetch_evidence
from assessor.sync.engine import SyncEngine, SyncReport
from assessor.sync.errors import HubProtocolError, HubUnreachable, SignInRequired, SyncError
from tests.hub import factory
from tests.hub.conftest import PASSWORD
from tests.sync.conftest import Desktop, HostileHub

TOKEN = "test-token-not-a-secret"
REPORT = b"%PDF-1.4\n% incident report\n" + bytes(range(256)) * 800  # ~200 KB
VIDEO = hashlib.sha256(b"seed").digest() * (3 * 1024 * 1024 // 32)  # 3 MiB
PHOTO = b"\xff\xd8\xff\xe0 site photo " + bytes(range(256)) * 200  # ~50 KB


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- what a real hub said, recorded once ------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    page: dict[str, Any]
    """The hub's first page of changes for ada: one submission with three files."""
    files: dict[str, bytes]
    ada: str


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    root = tmp_path_factory.mktemp("recorded-hub")
    port = free_port()
    config = HubConfig(database_url=str(root / "hub.sqlite3"), data_dir=root / "hub-data",
                       public_url=f"http://127.0.0.1:{port}")
    database = open_hub_database(config.database_url)
    with database.transaction() as session:
        create_organisation(session, "Example Training Org", "https://training.example.org",
                            config.public_url, moderation_first_n=0)
        ada = add_user(session, "ada", "assessor", password=PASSWORD, display_name="Ada").id
        lena = add_user(session, "lena", "learner", password=PASSWORD,
                        display_name="Lena").id
        factory.add_template(session)
        factory.add_submission(session, config.blob_dir, lena, assessor_id=ada, files=[
            ("report.pdf", REPORT, "application/pdf"), ("video.mp4", VIDEO, "video/mp4"),
            ("site.jpg", PHOTO, "image/jpeg")])
    database.dispose()
    with BackgroundHub(config, port=port) as hub:
        import httpx

        with httpx.Client(base_url=hub.url, timeout=30) as http:
            signed = http.post("/api/v1/sessions", json={"username": "ada",
                                                         "password": PASSWORD,
                                                         "device": "recording"})
            headers = {"Authorization": f"Bearer {signed.json()['token']}"}
            page = http.get("/api/v1/changes", params={"cursor": "0"}, headers=headers)
            assert page.status_code == 200, page.text
    data = page.json()
    assert len(data["submissions"]) == 1 and data["more"] is False
    return Recorded(data, {sha(b): b for b in (REPORT, VIDEO, PHOTO)}, ada)


# -- a hub whose answers the test scripts ----------------------------------------------

Handler = Callable[[BaseHTTPRequestHandler], None]


def reply(h: BaseHTTPRequestHandler, status: int, body: bytes = b"", *,
          content_type: str = "application/json",
          headers: tuple[tuple[str, str], ...] = ()) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)


def reply_json(h: BaseHTTPRequestHandler, data: Any, status: int = 200) -> None:
    reply(h, status, json.dumps(data).encode())


def raw(h: BaseHTTPRequestHandler, data: bytes) -> None:
    """Write bytes as they are, then hang up."""
    h.close_connection = True
    try:
        h.wfile.write(data)
        h.wfile.flush()
    except OSError:
        pass  # the client gave up first


def error(status: int, message: str = "") -> Handler:
    body = json.dumps({"error": {"code": "x", "message": message}}).encode()
    return lambda h: reply(h, status, body)


@dataclass
class Scripted:
    """Answers like a hub (the recorded page, evidence with Range, pushes) until told
    otherwise through ``server.routes``."""

    server: HostileHub
    recorded: Recorded
    page: dict[str, Any] = field(init=False)
    served: list[tuple[str, int, int]] = field(default_factory=list)
    """Evidence answers: (sha256, first byte, bytes sent)."""
    pushes: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    """Set at the end of a test: handlers that hang stop hanging."""

    def __post_init__(self) -> None:
        self.page = copy.deepcopy(self.recorded.page)
        self.server.routes["/api/v1/changes"] = lambda h: reply_json(h, self.page)
        self.server.routes["/api/v1/evidence/"] = self.evidence
        self.server.routes["/api/v1/push"] = self.push

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, **kwargs: Any) -> HubClient:
        return HubClient(self.url, TOKEN, **kwargs)

    def evidence(self, h: BaseHTTPRequestHandler, data: bytes | None = None) -> None:
        digest = h.path.split("?")[0].rsplit("/", 1)[-1]
        body = self.recorded.files[digest] if data is None else data
        asked = re.fullmatch(r"bytes=(\d+)-", h.headers.get("Range", ""))
        start = int(asked.group(1)) if asked else 0
        headers: tuple[tuple[str, str], ...] = ()
        if asked:
            headers = (("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}"),)
        self.served.append((digest, start, len(body) - start))
        reply(h, 206 if asked else 200, body[start:], content_type="application/octet-stream",
              headers=headers)

    def push(self, h: BaseHTTPRequestHandler) -> None:
        self.pushes.append({"path": h.path})
        reply_json(h, {"revision": 1 + len(self.pushes)})

    def hang(self, h: BaseHTTPRequestHandler) -> None:
        """Accept the request and never answer."""
        self.release.wait(30)
        h.close_connection = True


@pytest.fixture
def hub(hostile: HostileHub, recorded: Recorded) -> Iterator[Scripted]:
    scripted = Scripted(hostile, recorded)
    yield scripted
    scripted.release.set()


# -- a desktop with local work, and what "nothing changed" means -------------------------


@pytest.fixture
def desk(desktops: Callable[[str], Desktop], hub: Scripted) -> Desktop:
    """Ada's laptop after one good sync (submission received, no evidence yet), holding
    three unsent changes: two judgments and a feedback note."""
    desktop = desktops("ada")
    desktop.sync(evidence=False, client=hub.client())
    [sub] = hub.page["submissions"]
    ada = Actor(hub.recorded.ada, "Ada", Role.ASSESSOR)
    desktop.store.record_judgment(sub["id"], JudgmentDraft("listening", "meets", "Calm"), ada)
    desktop.store.record_judgment(sub["id"], JudgmentDraft("resolution", "exceeds", "Fixed"),
                                  ada)
    desktop.store.add_feedback(sub["id"], ada, "Good start", Visibility.LEARNER)
    assert desktop.store.outbox_count() == 3
    return desktop


TABLES = ("submissions", "evidence_items", "judgments", "pins", "feedback", "decisions",
          "audit_events", "conflicts", "sync_state", "templates", "rubrics")


def snapshot(desk: Desktop) -> dict[str, Any]:
    """Everything the store and the cache hold, outbox rows without their attempt count."""
    with sqlite3.connect(f"file:{desk.store.path}?mode=ro", uri=True) as db:
        state: dict[str, Any] = {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                                 for t in TABLES}
        state["outbox"] = db.execute("SELECT client_id, kind, submission_id, payload, "
                                     "base_revision FROM outbox ORDER BY pk").fetchall()
    db.close()
    state["cache"] = cache_files(desk)
    return state


def cache_files(desk: Desktop) -> dict[str, str | int]:
    """Committed files by content; partials by size (a resumed writer re-seals its last
    chunk with a fresh nonce, so the same plaintext prefix has other ciphertext)."""
    root = desk.paths.evidence
    files: dict[str, str | int] = {}
    for folder in ("objects", "partial"):
        for path in sorted((root / folder).iterdir()) if (root / folder).is_dir() else ():
            files[f"{folder}/{path.name}"] = (sha(path.read_bytes()) if folder == "objects"
                                              else path.stat().st_size)
    return files


def client_ids(desk: Desktop) -> list[str]:
    return [e.client_id for e in SyncStore(desk.store).outbox()]


def pull(desk: Desktop, client: HubClient) -> SyncReport:
    """The pull phase of a sync on its own (the outbox stays as it is)."""
    report = SyncReport()
    try:
        SyncEngine(desk.store, client, desk.cache).pull(report)
    finally:
        client.close()
    return report


def unchanged_after(desk: Desktop, action: Callable[[], object], error: type[Exception],
                    *words: str) -> SyncError:
    """Run ``action``; it must raise ``error`` whose message holds every one of ``words``
    (case-insensitive), and leave the store, the outbox and the cache as they were."""
    before = snapshot(desk)
    ids = client_ids(desk)
    with pytest.raises(error) as caught:
        action()
    message = str(caught.value).lower()
    for word in words:
        assert word.lower() in message, (word, message)
    assert TOKEN not in str(caught.value)
    assert client_ids(desk) == ids
    assert snapshot(desk) == before
    assert isinstance(caught.value, SyncError)
    return caught.value


# -- no hub, a dead hub, a slow hub, a failing hub -----------------------------------------


def test_hub_down_keeps_every_change(desk: Desktop) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = HubClient(f"http://127.0.0.1:{port}", TOKEN, connect_timeout=2)
    unchanged_after(desk, lambda: desk.sync(client=dead), HubUnreachable,
                    "cannot be reached", "your work is kept")
    [first, *_] = SyncStore(desk.store).outbox()
    assert first.attempts == 1 and "cannot be reached" in first.last_error


def test_connection_refused_mid_sync_keeps_what_was_not_acknowledged(
        desk: Desktop, hub: Scripted) -> None:
    ids = client_ids(desk)

    def first_push_then_gone(h: BaseHTTPRequestHandler) -> None:
        hub.pushes.append({})
        h.close_connection = True
        reply_json(h, {"revision": 2}, 200)
        threading.Thread(target=hub.server.server.shutdown).start()
        hub.server.server.socket.close()  # the next connection is refused

    hub.server.routes["/api/v1/push"] = first_push_then_gone
    with pytest.raises(HubUnreachable, match="cannot be reached"):
        desk.sync(client=hub.client())
    assert len(hub.pushes) == 1
    assert client_ids(desk) == ids[1:]  # the acknowledged one left; the rest wait, same ids


def test_a_hub_that_never_answers_times_out_with_the_outbox_intact(
        desk: Desktop, hub: Scripted) -> None:
    hub.server.routes["/api/v1/push"] = hub.hang
    slow = hub.client(timeout=0.5)
    unchanged_after(desk, lambda: desk.sync(client=slow), HubUnreachable,
                    "did not answer in time", "your work is kept")


def test_a_changes_page_that_never_comes_times_out(desk: Desktop, hub: Scripted) -> None:
    hub.server.routes["/api/v1/changes"] = hub.hang
    unchanged_after(desk, lambda: pull(desk, hub.client(timeout=0.5)), HubUnreachable,
                    "did not answer in time")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_on_push_keep_the_outbox(desk: Desktop, hub: Scripted,
                                               status: int) -> None:
    hub.server.routes["/api/v1/push"] = error(status, "database is on fire")
    unchanged_after(desk, lambda: desk.sync(client=hub.client()), HubUnreachable,
                    f"HTTP {status}", "your work is kept")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_on_changes_apply_nothing(desk: Desktop, hub: Scripted,
                                               status: int) -> None:
    hub.server.routes["/api/v1/changes"] = error(status)
    unchanged_after(desk, lambda: pull(desk, hub.client()), HubUnreachable,
                    f"HTTP {status}", "try again")


@pytest.mark.parametrize("route", ["/api/v1/push", "/api/v1/changes"])
def test_too_many_requests_means_later(desk: Desktop, hub: Scripted, route: str) -> None:
    hub.server.routes[route] = lambda h: reply(h, 429, b"{}", headers=(("Retry-After", "30"),))
    run = (lambda: desk.sync(client=hub.client())) if route.endswith("push") \
        else (lambda: pull(desk, hub.client()))
    error_ = unchanged_after(desk, run, HubUnreachable, "slow down", "try again later")
    assert isinstance(error_, HubUnreachable) and error_.retry_after == 30


def test_a_huge_server_error_page_is_still_a_server_error(desk: Desktop,
                                                           hub: Scripted, monkeypatch) -> None:
    monkeypatch.setattr(client_module, "MAX_ERROR_BYTES", 1000)
    hub.server.routes["/api/v1/push"] = lambda h: reply(h, 502, b"<html>" + b"x" * 50_000,
                                                        content_type="text/html")
    unchanged_after(desk, lambda: desk.sync(client=hub.client()), HubUnreachable, "HTTP 502")


def test_signed_out_by_the_hub_mid_sync_asks_for_sign_in(desk: Desktop, hub: Scripted) -> None:
    ids = client_ids(desk)

    def first_then_401(h: BaseHTTPRequestHandler) -> None:
        hub.pushes.append({})
        if len(hub.pushes) == 1:
            reply_json(h, {"revision": 2})
        else:
            reply_json(h, {"error": {"code": "unauthorised",
                                     "message": "Your sign-in has expired."}}, 401)

    hub.server.routes["/api/v1/push"] = first_then_401
    with pytest.raises(SignInRequired, match="expired"):
        desk.sync(client=hub.client())
    assert client_ids(desk) == ids[1:]
    before = snapshot(desk)
    unchanged_after(desk, lambda: desk.sync(client=hub.client()), SignInRequired, "expired")
    assert snapshot(desk) == before


# -- garbage where JSON should be ---------------------------------------------------------


@pytest.mark.parametrize(("body", "words"), [
    (b'{"submissions": [', ("not json",)),
    (b"<html>502 Bad Gateway</html>", ("not json",)),
    (b"\xff\xfe\x00garbage", ("not json",)),
    (b'{"next_cursor": NaN}', ("not json",)),
    (b"[1, 2, 3]", ("not an object",)),
    (b'"a string"', ("not an object",)),
    (b"[" * 100_000, ("not json",)),
])
def test_garbage_instead_of_a_page_applies_nothing(desk: Desktop, hub: Scripted,
                                                   body: bytes, words: tuple[str, ...]) -> None:
    hub.server.routes["/api/v1/changes"] = lambda h: reply(h, 200, body)
    unchanged_after(desk, lambda: pull(desk, hub.client()), HubProtocolError,
                    "/api/v1/changes", "nothing from it was applied", *words)


def test_garbage_answer_to_a_push_keeps_the_row(desk: Desktop, hub: Scripted) -> None:
    hub.server.routes["/api/v1/push"] = lambda h: reply(h, 200, b"OK")
    unchanged_after(desk, lambda: desk.sync(client=hub.client()), HubProtocolError,
                    "not json")
    hub.server.routes["/api/v1/push"] = lambda h: reply_json(h, {"revision": "seven"})
    unchanged_after(desk, lambda: desk.sync(client=hub.client()), HubProtocolError,
                    "carries no revision")


def changed_page(hub: Scripted) -> dict[str, Any]:
    """A next page that would change things: the submission moved on with a hub judgment,
    and a second submission arrived. A test then breaks one field of it."""
    page = copy.deepcopy(hub.page)
    [sub] = page["submissions"]
    sub["revision"] = 5
    sub["judgments"] = [{"criterion": "listening", "level": "not_yet", "comment": "Hub",
                         "pins": [], "author": {"id": "mo"}, "revision": 3,
                         "judged_at": "2026-01-02T03:04:05+00:00"}]
    second = copy.deepcopy(sub)
    second["id"] = "second-submission"
    second["judgments"] = []
    page["submissions"].append(second)
    page["next_cursor"] = page["next_cursor"] + 1
    return page


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(page: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = page
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return apply


@pytest.mark.parametrize(("breakage", "words"), [
    (_set("submissions.1.revision", "6"), "revision is not a whole number"),
    (_set("submissions.1.evidence.0.size", -1), "evidence size"),
    (_set("submissions.1.submitted_at", "yesterday"), "submitted_at"),
    (_set("submissions.1.state", "exploded"), "unknown state"),
    (_set("submissions.1.template.version", 9), "does not carry"),
    (_set("submissions.1.template.id", "another-template"), "does not carry"),
    (_set("submissions.1.judgments", [{"criterion": "x", "pins": [{"kind": "laser"}]}]),
     "pin"),
    (_set("submissions", {"not": "a list"}), "submissions is not a list"),
    (_set("next_cursor", 0), "cursor went from 1 to 0"),
    (_set("next_cursor", True), "next_cursor"),
    (_set("more", "yes"), "more is not true or false"),
    (_set("templates.0.rubric.criteria", [{"key": "k"}]), "broken rubric"),
    (_set("submissions.1.narrative", "a\0b"), "narrative"),
])
def test_a_broken_page_is_refused_whole(desk: Desktop, hub: Scripted,
                                        breakage: Callable[[dict[str, Any]], None],
                                        words: str) -> None:
    page = changed_page(hub)
    breakage(page)
    hub.server.routes["/api/v1/changes"] = lambda h: reply_json(h, page)
    unchanged_after(desk, lambda: pull(desk, hub.client()), HubProtocolError,
                    "does not follow the sync protocol", "nothing from it was applied", words)
    # The same page, unbroken, is applied (so the test above refused for its breakage).
    good = changed_page(hub)
    hub.server.routes["/api/v1/changes"] = lambda h: reply_json(h, good)
    assert pull(desk, hub.client()).added == 1


def test_a_page_that_says_more_without_moving_on_is_refused(desk: Desktop,
                                                            hub: Scripted) -> None:
    page = changed_page(hub)
    page["next_cursor"], page["more"] = 1, True
    hub.server.routes["/api/v1/changes"] = lambda h: reply_json(h, page)
    unchanged_after(desk, lambda: pull(desk, hub.client()), HubProtocolError,
                    "cursor went from 1 to 1")


@pytest.mark.parametrize("announced", [True, False])
def test_an_answer_over_the_size_cap_is_refused(desk: Desktop, hub: Scripted, monkeypatch,
                                                announced: bool) -> None:
    monkeypatch.setattr(client_module, "MAX_JSON_BYTES", 64 * 1024)
    page = changed_page(hub)
    page["submissions"][1]["narrative"] = "words " * 20_000
    body = json.dumps(page).encode()

    def huge(h: BaseHTTPRequestHandler) -> None:
        if announced:
            reply(h, 200, body)
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for i in range(0, len(body), 8192):
                piece = body[i:i + 8192]
                h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            h.close_connection = True

    hub.server.routes["/api/v1/changes"] = huge
    unchanged_after(desk, lambda: pull(desk, hub.client()), HubProtocolError,
                    "larger than" if not announced else "bytes, more than")


# -- wrong lengths ---------------------------------------------------------------------


def test_an_answer_cut_short_of_its_content_length(desk: Desktop, hub: Scripted) -> None:
    body = json.dumps(changed_page(hub)).encode()
    hub.server.routes["/api/v1/changes"] = lambda h: raw(h, (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body) + 500}\r\n\r\n".encode() + body))
    unchanged_after(desk, lambda: pull(desk, hub.client()), HubUnreachable,
                    "broke off mid-answer", "nothing from it was applied")


def test_an_answer_longer_than_its_content_length(desk: Desktop, hub: Scripted) -> None:
    body = json.dumps(changed_page(hub)).encode()
    hub.server.routes["/api/v1/changes"] = lambda h: raw(h, (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body) - 40}\r\n\r\n".encode() + body))
    unchanged_after(desk, lambda: pull(desk, hub.client()), HubProtocolError, "not json")


@pytest.mark.parametrize("value", ["lots", "-5", "12, 13", "1e3", "\xb2"])
def test_an_invalid_content_length(desk: Desktop, hub: Scripted, value: str) -> None:
    body = json.dumps(changed_page(hub)).encode()
    hub.server.routes["/api/v1/changes"] = lambda h: raw(h, (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {value}\r\n\r\n".encode("latin-1") + body))
    unchanged_after(desk, lambda: pull(desk, hub.client()), SyncError,
                    "not valid http", "nothing from it was applied")


def test_no_http_at_all(desk: Desktop, hub: Scripted) -> None:
    hub.server.routes["/api/v1/changes"] = lambda h: raw(h, b"SSH-2.0-OpenSSH_9.2\r\n")
    unchanged_after(desk, lambda: pull(desk, hub.client()), SyncError, "not valid http")


# -- redirects ---------------------------------------------------------------------------


def test_a_redirect_to_another_host_is_not_followed(desk: Desktop, hub: Scripted) -> None:
    other = HostileHub()
    try:
        other.routes["/"] = lambda h: reply_json(h, hub.page)
        def away(h: BaseHTTPRequestHandler) -> None:
            reply(h, 307, headers=(("Location", f"{other.url}{h.path}"),))

        hub.server.routes["/api/v1/push"] = away
        hub.server.routes["/api/v1/changes"] = away
        unchanged_after(desk, lambda: desk.sync(client=hub.client()), HubProtocolError,
                        "redirected to another host", "were not sent there")
        unchanged_after(desk, lambda: pull(desk, hub.client()), HubProtocolError,
                        "another host")
        assert other.requests == []
        assert all(headers.get("Authorization") == f"Bearer {TOKEN}"
                   for _, _, headers in hub.server.requests)
    finally:
        other.close()


def test_a_redirect_on_the_same_hub_is_followed(desk: Desktop, hub: Scripted) -> None:
    page = changed_page(hub)
    hub.server.routes["/api/v1/changes"] = lambda h: reply(
        h, 308, headers=(("Location", "/api/v1/moved-changes?cursor=1"),))
    hub.server.routes["/api/v1/moved-changes"] = lambda h: reply_json(h, page)
    report = pull(desk, hub.client())
    assert report.added == 1 and report.updated == 1
    moved = [r for r in hub.server.requests if r[1].startswith("/api/v1/moved-changes")]
    assert moved and moved[0][2].get("Authorization") == f"Bearer {TOKEN}"
    assert SyncStore(desk.store).cursor() == page["next_cursor"]


def test_endless_redirects_stop(desk: Desktop, hub: Scripted) -> None:
    hub.server.routes["/api/v1/changes"] = lambda h: reply(
        h, 302, headers=(("Location", "/api/v1/changes?cursor=1"),))
    unchanged_after(desk, lambda: pull(desk, hub.client()), HubProtocolError,
                    "redirected more than")


# -- evidence ------------------------------------------------------------------------------


def evidence_of(hub: Scripted, name: str) -> tuple[str, int]:
    [sub] = hub.page["submissions"]
    item = next(e for e in sub["evidence"] if e["file_name"] == name)
    return item["sha256"], item["size"]


def partial_of(desk: Desktop, digest: str) -> Path:
    return desk.paths.evidence / "partial" / digest


def fetch(hub: Scripted, desk: Desktop, digest: str, size: int) -> Fetched:
    with hub.client() as client:
        return fetch_evidence(client, desk.cache, digest, size)


def keep_part(desk: Desktop, hub: Scripted, digest: str, size: int, upto: int) -> None:
    """Leave a partial download of the first ``upto`` bytes (as an interrupted sync does)."""
    with desk.cache.begin(digest, size) as writer:
        writer.write(hub.recorded.files[digest][:upto])


def test_a_range_answer_from_the_wrong_byte_adds_nothing(desk: Desktop, hub: Scripted) -> None:
    digest, size = evidence_of(hub, "report.pdf")
    keep_part(desk, hub, digest, size, 100_000)
    data = hub.recorded.files[digest]

    def elsewhere(h: BaseHTTPRequestHandler) -> None:
        reply(h, 206, data[50_000:], content_type="application/octet-stream",
              headers=(("Content-Range", f"bytes 50000-{size - 1}/{size}"),))

    hub.server.routes["/api/v1/evidence/"] = elsewhere
    unchanged_after(desk, lambda: fetch(hub, desk, digest, size),
                    HubProtocolError, "from byte 50000", "byte 100000 was asked for")
    assert not desk.cache.has(digest)
    hub.server.routes["/api/v1/evidence/"] = hub.evidence  # the hub is mended
    fetched = fetch(hub, desk, digest, size)
    assert fetched.resumed_from == 100_000 and desk.cache.read(digest) == data


@pytest.mark.parametrize("content_range", [
    "bytes */*", "bytes 100000-5/x", "pages 1-2/3", "", "bytes 100000-99999/204828",
    "bytes 100000-300000/204828", "bytes \xb9\xb2-5/10"])
def test_a_range_answer_with_a_nonsense_content_range(desk: Desktop, hub: Scripted,
                                                      content_range: str) -> None:
    digest, size = evidence_of(hub, "report.pdf")
    keep_part(desk, hub, digest, size, 100_000)
    hub.server.routes["/api/v1/evidence/"] = lambda h: reply(
        h, 206, hub.recorded.files[digest][100_000:],
        headers=(("Content-Range", content_range),) if content_range else ())
    unchanged_after(desk, lambda: fetch(hub, desk, digest, size),
                    HubProtocolError, "content-range")


def test_a_whole_file_answer_to_a_range_request_starts_over_cleanly(
        desk: Desktop, hub: Scripted) -> None:
    digest, size = evidence_of(hub, "report.pdf")
    keep_part(desk, hub, digest, size, 100_000)
    whole: list[str] = []

    def ignores_range(h: BaseHTTPRequestHandler) -> None:
        whole.append(h.headers.get("Range", ""))
        reply(h, 200, hub.recorded.files[digest], content_type="application/octet-stream")

    hub.server.routes["/api/v1/evidence/"] = ignores_range
    fetched = fetch(hub, desk, digest, size)
    assert whole[0] == "bytes=100000-"
    assert desk.cache.read(digest) == hub.recorded.files[digest]
    assert fetched.received == size and not partial_of(desk, digest).exists()
    assert len(whole) == 1  # the whole file that came was used, not asked for again


def test_a_file_announced_larger_than_the_submission_says(desk: Desktop, hub: Scripted) -> None:
    digest, size = evidence_of(hub, "report.pdf")
    bigger = hub.recorded.files[digest] + b"appended by someone"
    hub.server.routes["/api/v1/evidence/"] = lambda h: hub.evidence(h, bigger)
    unchanged_after(desk, lambda: fetch(hub, desk, digest, size),
                    HubProtocolError, f"{len(bigger)} bytes", f"announced {size}",
                    "not kept")
    assert not partial_of(desk, digest).exists()


def test_a_file_that_keeps_coming_past_its_size_is_dropped(desk: Desktop, hub: Scripted) -> None:
    digest, size = evidence_of(hub, "video.mp4")
    endless = hub.recorded.files[digest] + bytes(4 * 1024 * 1024)
    sent = {"bytes": 0}

    def chunked_no_length(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        h.close_connection = True
        try:
            for i in range(0, len(endless), 65536):
                piece = endless[i:i + 65536]
                h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent["bytes"] += len(piece)
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the desktop hung up, as it should

    hub.server.routes["/api/v1/evidence/"] = chunked_no_length
    unchanged_after(desk, lambda: fetch(hub, desk, digest, size),
                    HubProtocolError, "more bytes", "than the", "not kept")
    assert not partial_of(desk, digest).exists() and not desk.cache.has(digest)


def test_a_tampered_file_is_refused_and_the_others_still_arrive(desk: Desktop,
                                                                hub: Scripted) -> None:
    digest, size = evidence_of(hub, "report.pdf")
    tampered = bytearray(hub.recorded.files[digest])
    tampered[1000] ^= 0xFF

    def evidence(h: BaseHTTPRequestHandler) -> None:
        asked = h.path.split("?")[0].rsplit("/", 1)[-1]
        hub.evidence(h, bytes(tampered) if asked == digest else None)

    hub.server.routes["/api/v1/evidence/"] = evidence
    hub.server.routes["/api/v1/push"] = error(503)  # pushes wait; evidence is pulled anyway
    report = SyncReport()
    with hub.client() as client:
        engine = SyncEngine(desk.store, client, desk.cache)
        engine.pull(report)
        engine.fetch_evidence(report)
    assert report.files == 2
    [problem] = report.problems
    assert problem.startswith("report.pdf:") and "did not match its sha256" in problem
    assert not desk.cache.has(digest) and not partial_of(desk, digest).exists()
    for other in ("video.mp4", "site.jpg"):
        other_digest, _ = evidence_of(hub, other)
        assert desk.cache.read(other_digest) == hub.recorded.files[other_digest]
    assert desk.store.outbox_count() == 3


def test_a_download_killed_midway_resumes_from_the_bytes_kept(desk: Desktop,
                                                              hub: Scripted) -> None:
    digest, size = evidence_of(hub, "video.mp4")
    data = hub.recorded.files[digest]
    cut = size // 2 + 12_345

    def killed(h: BaseHTTPRequestHandler) -> None:
        hub.served.append((digest, 0, cut))
        raw(h, b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            + f"Content-Length: {size}\r\n\r\n".encode() + data[:cut])

    hub.server.routes["/api/v1/evidence/"] = killed
    with pytest.raises(HubUnreachable, match="broke off"):
        fetch(hub, desk, digest, size)
    assert not desk.cache.has(digest) and partial_of(desk, digest).exists()

    hub.server.routes["/api/v1/evidence/"] = hub.evidence
    fetched = fetch(hub, desk, digest, size)
    kept = fetched.resumed_from
    assert 0 < kept <= cut
    [_, (again, start, served)] = hub.served
    ranges = [h.get("Range") for m, p, h in hub.server.requests if "/evidence/" in p]
    assert ranges == [None, f"bytes={kept}-"]
    assert again == digest and start == kept and served == size - kept == fetched.received
    assert desk.cache.read(digest) == data


def test_evidence_behind_a_foreign_redirect_is_not_fetched(desk: Desktop,
                                                           hub: Scripted) -> None:
    other = HostileHub()
    try:
        digest, size = evidence_of(hub, "site.jpg")
        other.routes["/"] = hub.evidence
        hub.server.routes["/api/v1/evidence/"] = lambda h: reply(
            h, 302, headers=(("Location", f"{other.url}/blobs/{digest}"),))
        unchanged_after(desk, lambda: fetch(hub, desk, digest, size),
                        HubProtocolError, "another host")
        assert other.requests == []
    finally:
        other.close()


def test_a_file_shorter_than_announced_is_not_kept(desk: Desktop, hub: Scripted) -> None:
    digest, size = evidence_of(hub, "site.jpg")
    hub.server.routes["/api/v1/evidence/"] = lambda h: reply(h, 200, b"short")
    unchanged_after(desk, lambda: fetch(hub, desk, digest, size), HubProtocolError,
                    "is 5 bytes", f"announced {size}", "not kept")
    assert not desk.cache.has(digest) and not partial_of(desk, digest).exists()
