"""Desktops against a real hub on loopback: sign-in, pull, evidence, push, conflicts."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assessor.domain.feedback import Visibility
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.people import Actor, Role
from assessor.keys import KeychainSecrets
from assessor.store.sync_store import SyncStore
from assessor.sync.account import sign_out, token_name
from assessor.sync.errors import SignInRequired
from tests.hub import factory
from tests.hub.conftest import PASSWORD, RunningHub
from tests.sync.conftest import Desktop

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n% learner evidence: incident report MARKER-7f3a\n" + b"x" * 300_000
PHOTO = b"\xff\xd8\xff\xe0 photo of the site MARKER-c01d" + bytes(range(256)) * 2000


def add_for(hub: RunningHub, assessor: str, files: list[tuple[str, bytes, str]] | None = None,
            count: int = 1) -> list[str]:
    ids = []
    with hub.transaction() as session:
        for _ in range(count):
            sub = factory.add_submission(session, hub.config.blob_dir, hub.users["lena"],
                                         assessor_id=hub.users[assessor], files=files)
            ids.append(sub.id)
    return ids


def actor(hub: RunningHub, username: str) -> Actor:
    return Actor(hub.users[username], username.title(), Role.ASSESSOR)


def hub_judgment(hub: RunningHub, submission_id: str,
                 criterion: str) -> tuple[str | None, str]:
    from assessor.hub.models import Judgment

    with hub.transaction() as session:
        row = session.get(Judgment, (submission_id, criterion))
        assert row is not None
        return row.level_key, row.comment


def cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(home),
                           *args], input=stdin, capture_output=True, text=True, timeout=120,
                          cwd=ROOT, check=False)


def test_login_from_the_command_line_keeps_the_token_only_in_the_keychain(
        sync_hub: RunningHub, desktops) -> None:
    desk: Desktop = desktops("ada")
    wrong = cli(desk.paths.home, "sync", "login", sync_hub.url, "--user", "ada",
                "--password-stdin", stdin="not the password\n")
    assert wrong.returncode == 2
    assert "wrong" in wrong.stderr.lower()
    assert KeychainSecrets().get(token_name(sync_hub.url)) is None

    done = cli(desk.paths.home, "sync", "login", sync_hub.url, "--user", "ada",
               "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "signed in" in done.stdout
    token = KeychainSecrets().get(token_name(sync_hub.url))
    assert token
    for file in desk.paths.home.rglob("*"):
        if file.is_file():
            assert token.encode() not in file.read_bytes(), file
            assert PASSWORD.encode() not in file.read_bytes(), file
    assert desk.settings.user_id == sync_hub.users["ada"]

    status = cli(desk.paths.home, "sync", "status")
    assert status.returncode == 0
    assert sync_hub.url in status.stdout and "waiting:   0 changes" in status.stdout

    assert sign_out(desk.paths.home)
    assert KeychainSecrets().get(token_name(sync_hub.url)) is None
    with pytest.raises(SignInRequired):
        desk.sync()


def test_pull_brings_submissions_and_encrypted_evidence(sync_hub: RunningHub, desktops) -> None:
    ids = add_for(sync_hub, "ada", files=[("report.pdf", PDF, "application/pdf"),
                                          ("site.jpg", PHOTO, "image/jpeg")], count=3)
    add_for(sync_hub, "bo", count=2)  # not ada's: must not arrive
    desk: Desktop = desktops("ada")
    desk.sign_in(sync_hub.url, "ada")
    report = desk.sync()
    assert report.added == 3 and report.files == 2 and not report.problems
    for sub_id in ids:
        review = desk.store.review(sub_id)
        assert review.submission.assigned_to == sync_hub.users["ada"]
        assert [e.file_name for e in review.submission.evidence] == ["report.pdf", "site.jpg"]
    cache = desk.cache
    assert cache.read(hashlib.sha256(PDF).hexdigest()) == PDF
    assert cache.read(hashlib.sha256(PHOTO).hexdigest()) == PHOTO
    for file in desk.paths.home.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert b"MARKER-7f3a" not in data and b"MARKER-c01d" not in data, file

    again = desk.sync()
    assert again.added == 0 and again.updated == 0 and again.files == 0 and again.bytes == 0


def test_local_judgments_reach_the_hub_and_leave_the_outbox(sync_hub: RunningHub,
                                                            desktops) -> None:
    [sub_id] = add_for(sync_hub, "ada")
    desk: Desktop = desktops("ada")
    desk.sign_in(sync_hub.url, "ada")
    desk.sync()
    ada = actor(sync_hub, "ada")
    desk.store.record_judgment(sub_id, JudgmentDraft("listening", "meets", "Calm and clear"),
                               ada)
    desk.store.record_judgment(sub_id, JudgmentDraft("resolution", "exceeds", "Fixed it"), ada)
    assert desk.store.outbox_count() == 2
    desk.restart()  # the app closed before it could sync: nothing is lost
    report = desk.sync()
    assert report.pushed == 2 and report.conflicts == 0
    assert desk.store.outbox_count() == 0
    assert hub_judgment(sync_hub, sub_id, "listening") == ("meets", "Calm and clear")
    assert hub_judgment(sync_hub, sub_id, "resolution") == ("exceeds", "Fixed it")
    # A later edit of the same criterion is based on the hub's new revision.
    desk.store.record_judgment(sub_id, JudgmentDraft("listening", "exceeds", "Better"), ada)
    assert desk.sync().pushed == 1
    assert hub_judgment(sync_hub, sub_id, "listening") == ("exceeds", "Better")


def test_a_duplicate_push_applies_once(sync_hub: RunningHub, desktops) -> None:
    [sub_id] = add_for(sync_hub, "ada")
    desk: Desktop = desktops("ada")
    desk.sign_in(sync_hub.url, "ada")
    desk.sync()
    desk.store.add_feedback(sub_id, actor(sync_hub, "ada"), "Good start", Visibility.LEARNER)
    [entry] = SyncStore(desk.store).outbox()
    token = KeychainSecrets().get(token_name(sync_hub.url))
    envelope = {"client_id": entry.client_id, "kind": entry.kind,
                "submission_id": entry.submission_id, "base_revision": entry.base_revision,
                "payload": entry.payload}
    with sync_hub.client(token) as client:
        first = client.post("/api/v1/push", json=envelope)
        assert first.status_code == 200, first.text
    # The answer was "lost": the desktop sends the same row again.
    report = desk.sync()
    assert report.pushed == 1 and desk.store.outbox_count() == 0
    from assessor.hub.models import Feedback

    with sync_hub.transaction() as session:
        notes = session.query(Feedback).filter_by(submission_id=sub_id).all()
        assert [n.body for n in notes] == ["Good start"]


def test_two_desktops_editing_one_judgment_make_a_visible_conflict(
        sync_hub: RunningHub, desktops) -> None:
    [sub_id] = add_for(sync_hub, "ada")
    laptop: Desktop = desktops("laptop")
    office: Desktop = desktops("office")
    for desk in (laptop, office):
        desk.sign_in(sync_hub.url, "ada")
        desk.sync()
    ada = actor(sync_hub, "ada")
    office.store.record_judgment(sub_id, JudgmentDraft("listening", "exceeds", "Office view"),
                                 ada)
    assert office.sync().pushed == 1
    laptop.store.record_judgment(sub_id, JudgmentDraft("listening", "not_yet", "Laptop view"),
                                 ada)
    # An unrelated criterion edited on the laptop is not a conflict: it is rebased.
    laptop.store.record_judgment(sub_id, JudgmentDraft("resolution", "meets", "Fine"), ada)
    report = laptop.sync()
    assert report.conflicts == 1 and report.pushed == 1
    assert hub_judgment(sync_hub, sub_id, "listening") == ("exceeds", "Office view")
    assert hub_judgment(sync_hub, sub_id, "resolution") == ("meets", "Fine")
    # Both versions are kept: mine in the store, theirs in the conflict.
    assert laptop.store.judgments(sub_id)["listening"].comment == "Laptop view"
    [conflict] = SyncStore(laptop.store).conflicts()
    assert conflict.subject == "listening"
    assert conflict.mine["comment"] == "Laptop view"
    assert conflict.theirs is not None and conflict.theirs["comment"] == "Office view"
    status = cli(laptop.paths.home, "sync", "status")
    assert "conflicts: 1" in status.stdout and conflict.id[:8] in status.stdout

    merged = cli(laptop.paths.home, "sync", "resolve", conflict.id[:8], "merge",
                 "--comment", "Office view. Laptop view.", "--level", "meets")
    assert merged.returncode == 0, merged.stderr
    laptop.restart()
    assert laptop.sync().pushed == 1
    assert hub_judgment(sync_hub, sub_id, "listening") == ("meets", "Office view. Laptop view.")
    assert SyncStore(laptop.store).conflicts() == []
    office.sync()
    assert office.store.judgments(sub_id)["listening"].comment == "Office view. Laptop view."


def test_taking_theirs_replaces_mine_locally_and_sends_nothing(sync_hub: RunningHub,
                                                               desktops) -> None:
    [sub_id] = add_for(sync_hub, "ada")
    laptop: Desktop = desktops("laptop")
    office: Desktop = desktops("office")
    for desk in (laptop, office):
        desk.sign_in(sync_hub.url, "ada")
        desk.sync()
    ada = actor(sync_hub, "ada")
    office.store.record_judgment(sub_id, JudgmentDraft("listening", "exceeds", "Theirs"), ada)
    office.sync()
    laptop.store.record_judgment(sub_id, JudgmentDraft("listening", "not_yet", "Mine"), ada)
    laptop.sync()
    [conflict] = SyncStore(laptop.store).conflicts()
    SyncStore(laptop.store).resolve(conflict.id, "theirs", ada)
    assert laptop.store.judgments(sub_id)["listening"].comment == "Theirs"
    assert laptop.store.outbox_count() == 0
    assert laptop.store.verify_audit().ok


def test_a_submission_reassigned_away_leaves_unless_it_holds_unsent_work(
        sync_hub: RunningHub, desktops) -> None:
    first, second = add_for(sync_hub, "ada", count=2)
    desk: Desktop = desktops("ada")
    desk.sign_in(sync_hub.url, "ada")
    desk.sync()
    desk.store.record_judgment(second, JudgmentDraft("listening", "meets", "Unsent"),
                               actor(sync_hub, "ada"))
    with sync_hub.transaction() as session:
        factory.reassign(session, first, sync_hub.users["bo"])
        factory.reassign(session, second, sync_hub.users["bo"])
    report = desk.sync()
    from assessor.errors import NotFoundError

    with pytest.raises(NotFoundError):
        desk.store.submission(first)
    # The unsent judgment is not lost: the hub refused it, and it waits as a conflict.
    assert desk.store.judgments(second)["listening"].comment == "Unsent"
    conflicts = SyncStore(desk.store).conflicts()
    assert report.refused == 1 and len(conflicts) == 1
    assert "refused" in conflicts[0].summary


def test_cancelled_download_resumes_without_fetching_kept_bytes_again(
        sync_hub: RunningHub, desktops) -> None:
    big = bytes(range(256)) * (12 * 1024 * 1024 // 256)  # 12 MB
    add_for(sync_hub, "ada", files=[("video.mp4", big, "video/mp4")])
    desk: Desktop = desktops("ada")
    desk.sign_in(sync_hub.url, "ada")
    desk.sync(evidence=False)
    calls = {"n": 0}

    def cancel_midway() -> bool:
        calls["n"] += 1
        return calls["n"] > 4  # a few chunks in

    from assessor.errors import Cancelled

    with pytest.raises(Cancelled):
        desk.sync(cancelled=cancel_midway)
    sha = hashlib.sha256(big).hexdigest()
    assert not desk.cache.has(sha)
    desk.restart()
    report = desk.sync()
    assert desk.cache.read(sha) == big
    assert 0 < report.bytes < len(big)  # only the rest came over the network
    assert json.dumps(report.problems) == "[]"


def test_a_new_desktop_receives_judgments_notes_and_decisions_made_elsewhere(
        sync_hub: RunningHub, desktops) -> None:
    from assessor.domain.feedback import Outcome
    from assessor.domain.states import State

    [sub_id] = add_for(sync_hub, "ada")
    first: Desktop = desktops("first")
    first.sign_in(sync_hub.url, "ada")
    first.sync()
    ada = actor(sync_hub, "ada")
    first.store.record_judgment(sub_id, JudgmentDraft("listening", "meets", "Heard them"), ada)
    first.store.record_judgment(sub_id, JudgmentDraft("resolution", "exceeds", "Solved"), ada)
    first.store.add_feedback(sub_id, ada, "Well done", Visibility.LEARNER,
                             criterion_key="listening")
    first.store.decide(sub_id, ada, Outcome.APPROVE, note="Meets the standard")
    assert first.sync().pushed == 4

    second: Desktop = desktops("second")
    second.sign_in(sync_hub.url, "ada")
    assert second.sync().added == 1
    review = second.store.review(sub_id)
    assert review.submission.state is State.APPROVED
    assert {k: (j.level_key, j.comment) for k, j in review.judgments.items()} == {
        "listening": ("meets", "Heard them"), "resolution": ("exceeds", "Solved")}
    assert [(n.body, n.criterion_key) for n in review.feedback] == [("Well done", "listening")]
    [decision] = review.decisions
    assert decision.outcome is Outcome.APPROVE and decision.note == "Meets the standard"
    assert decision.mastered and decision.total == 5
    assert second.store.verify_audit().ok


def test_a_locked_sign_in_says_so_and_keeps_nothing(sync_hub, desktops) -> None:
    from assessor.errors import UserFacingError
    from assessor.keys import KeychainSecrets
    from assessor.sync.account import token_name

    desk = desktops("guesser")
    for n in range(10):
        with pytest.raises(UserFacingError):
            desk.sign_in(sync_hub.url, "ada", password=f"guess {n}")
    with pytest.raises(UserFacingError, match="Too many failed sign-ins") as refused:
        desk.sign_in(sync_hub.url, "ada")  # the right password, while the name is held up
    assert "sync will try again" not in str(refused.value)
    assert KeychainSecrets().get(token_name(sync_hub.url)) is None
