"""The demo organisation: what it seeds, the evidence files it makes (real formats, stored
by sha256), idempotent restarts, the demo accounts, and the in-process demo hub."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import struct
import subprocess
import sys
import time
import wave
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import keyring
import keyring.backends.fail
import keyring.errors
import pymupdf
import pytest
from sqlalchemy import func, select

from assessor.credentials import ed25519
from assessor.credentials.multiformats import ed25519_multikey
from assessor.credentials.verify import verify_credential
from assessor.domain.feedback import Outcome, Visibility
from assessor.domain.rubric import Rubric
from assessor.domain.template import Achievement, Alignment, CredentialTemplate
from assessor.errors import UserFacingError
from assessor.hub.blobs import blob_path
from assessor.hub.config import HubConfig
from assessor.hub.database import open_hub_database
from assessor.hub.demo import organisation as demo
from assessor.hub.demo.evidence import EVIDENCE_KINDS, Context, make_evidence
from assessor.hub.demo.media import mjpeg_avi
from assessor.hub.demo.run import demo_config, prepare_demo, start_demo_hub, welcome
from assessor.hub.demo.seed import seed_demo
from assessor.hub.hub_key import ENV_VAR, KEYRING_SERVICE, forget_cached_keys
from assessor.hub.models import (
    Blob,
    Change,
    Decision,
    Evidence,
    Feedback,
    Judgment,
    MentorLink,
    Organisation,
    Submission,
    TemplateVersion,
    User,
)
from assessor.hub.organisation import create_organisation
from assessor.hub.server import BackgroundHub, free_port
from assessor.keys import KeyInfo
from assessor.store.convert import criteria_from_json

FIXED_NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def _config(tmp_path: Path, database_url: str) -> HubConfig:
    return demo_config(tmp_path / "demo", port=free_port(), database_url=database_url)


def _seed(config: HubConfig, now: datetime | None = None) -> None:
    database = open_hub_database(config.database_url)
    try:
        with database.transaction() as session:
            seed_demo(session, config, now)
    finally:
        database.dispose()


# --- the evidence formats ---------------------------------------------------------------


def parse_avi(data: bytes) -> tuple[dict[str, int], list[bytes]]:
    """A strict reading of a RIFF AVI: the main header and the video frames, checked
    against the ``idx1`` index."""
    assert data[:4] == b"RIFF" and data[8:12] == b"AVI "
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    header: dict[str, int] = {}
    frames: list[bytes] = []
    index: list[tuple[bytes, int, int, int]] = []
    movi_start = -1

    def walk(start: int, end: int) -> None:
        nonlocal movi_start
        at = start
        while at < end:
            fourcc, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
            body = at + 8
            assert body + size <= end, f"chunk {fourcc!r} runs past its parent"
            if fourcc == b"LIST":
                kind = data[body:body + 4]
                if kind == b"movi":
                    movi_start = body
                walk(body + 4, body + size)
            elif fourcc == b"avih":
                values = struct.unpack("<14I", data[body:body + 56])
                header.update(usec_per_frame=values[0], flags=values[3], frames=values[4],
                              streams=values[6], width=values[8], height=values[9])
            elif fourcc == b"strh":
                assert data[body:body + 8] == b"vidsMJPG"
            elif fourcc == b"strf":
                assert data[body + 16:body + 20] == b"MJPG"
            elif fourcc == b"00dc":
                frames.append(data[body:body + size])
            elif fourcc == b"idx1":
                for i in range(0, size, 16):
                    entry = struct.unpack("<4sIII", data[body + i:body + i + 16])
                    index.append(entry)
            at = body + size + (size % 2)
        assert at == end

    walk(12, len(data))
    assert header["frames"] == len(frames) == len(index)
    for (ckid, flags, offset, size), frame in zip(index, frames, strict=True):
        assert ckid == b"00dc" and flags & 0x10 and size == len(frame)
        at = movi_start + offset
        assert data[at:at + 4] == b"00dc" and data[at + 8:at + 8 + size] == frame
    return header, frames


def check_format(media_type: str, data: bytes) -> None:
    """Each evidence file is a valid file of its media type."""
    if media_type == "application/pdf":
        document = pymupdf.open(stream=data, filetype="pdf")
        assert document.page_count > 1
        pages = [document[n] for n in range(document.page_count)]
        assert sum(len(page.get_images()) for page in pages) >= 1
        assert sum(len(page.get_text()) for page in pages) > 1000
    elif media_type in ("image/jpeg", "image/png"):
        assert data[:3] == b"\xff\xd8\xff" if media_type == "image/jpeg" \
            else data[:8] == b"\x89PNG\r\n\x1a\n"
        picture = pymupdf.Pixmap(data)
        assert picture.width >= 300 and picture.height >= 200
        assert len(set(picture.samples[::997])) > 10, "the picture is not blank"
    elif media_type == "audio/wav":
        with wave.open(io.BytesIO(data)) as clip:
            assert clip.getnchannels() == 1 and clip.getsampwidth() == 2
            seconds = clip.getnframes() / clip.getframerate()
            assert 2 <= seconds <= 10
            assert max(clip.readframes(clip.getnframes())) > 0
    elif media_type == "video/x-msvideo":
        header, frames = parse_avi(data)
        assert 1.5 <= header["frames"] * header["usec_per_frame"] / 1e6 <= 5
        for frame in frames:
            assert pymupdf.Pixmap(frame).width == header["width"]
    elif media_type == "text/markdown":
        text = data.decode("utf-8")
        assert text.startswith("# ") and len(text) > 300
    else:
        raise AssertionError(f"unexpected media type {media_type}")


@pytest.mark.parametrize("kind", sorted(EVIDENCE_KINDS))
def test_every_kind_of_evidence_is_a_valid_file_of_its_type(kind: str) -> None:
    for template_id in (demo.SOCIAL_TEMPLATE.id, demo.STAKEHOLDER_TEMPLATE.id,
                        demo.CULTURAL_TEMPLATE.id):
        if kind == "reflection" or template_id == demo.SOCIAL_TEMPLATE.id:
            item = make_evidence(kind, Context(11, "Dmitri Petrović", template_id, FIXED_NOW))
            check_format(item.media_type, item.data)
            assert item.description and "/" not in item.file_name


def test_evidence_is_the_same_for_the_same_seed_and_moment() -> None:
    for kind in EVIDENCE_KINDS:
        first = make_evidence(kind, Context(3, "Aroha Ngata", demo.SOCIAL_TEMPLATE.id,
                                            FIXED_NOW))
        again = make_evidence(kind, Context(3, "Aroha Ngata", demo.SOCIAL_TEMPLATE.id,
                                            FIXED_NOW))
        assert first == again, kind


def test_all_the_demo_evidence_is_made_quickly_and_stays_small() -> None:
    started = time.perf_counter()
    total = 0
    for n, plan in enumerate(demo.SUBMISSIONS):
        for position, kind in enumerate(plan.evidence):
            total += len(make_evidence(kind, Context(n * 20 + position, "Efua Mensah",
                                                     plan.template_id, FIXED_NOW,
                                                     plan.attempt)).data)
    elapsed = time.perf_counter() - started
    assert elapsed < 6, f"{elapsed:.1f} s (about 1.5 s on a developer laptop)"
    assert 1_000_000 < total < 8_000_000


def test_a_pdf_report_reads_like_a_report_with_the_learners_name() -> None:
    item = make_evidence("campaign-report", Context(5, "Dmitri Petrović",
                                                    demo.SOCIAL_TEMPLATE.id, FIXED_NOW))
    document = pymupdf.open(stream=item.data, filetype="pdf")
    text = "".join(document[n].get_text() for n in range(document.page_count))
    assert "Dmitri Petrović" in text
    for heading in ("Objectives and audience", "Results", "Compliance"):
        assert heading in text


def test_the_avi_writer_refuses_no_frames_and_pads_odd_frames() -> None:
    with pytest.raises(ValueError):
        mjpeg_avi([], 320, 240, 5)
    frame = make_evidence("campaign-reel", Context(1, "A B", demo.SOCIAL_TEMPLATE.id,
                                                   FIXED_NOW))
    _header, frames = parse_avi(frame.data)
    odd = [f + b"\0" if len(f) % 2 == 0 else f for f in frames[:3]]
    header, parsed = parse_avi(mjpeg_avi(odd, 320, 240, 5))
    assert parsed == odd and header["width"] == 320 and header["height"] == 240


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="no ffprobe on this machine")
def test_ffprobe_reads_the_video(tmp_path: Path) -> None:
    item = make_evidence("briefing-video", Context(2, "A B", demo.STAKEHOLDER_TEMPLATE.id,
                                                   FIXED_NOW))
    path = tmp_path / item.file_name
    path.write_bytes(item.data)
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                          "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "mjpeg"


# --- the templates ----------------------------------------------------------------------


def test_templates_are_valid_workplace_credentials_with_rich_rubrics() -> None:
    assert 2 <= len(demo.TEMPLATES) <= 3
    for template, rubric in demo.TEMPLATES:
        assert template.rubric_key == rubric.key
        assert 4 <= len(rubric.criteria) <= 6
        assert all(3 <= len(c.levels) <= 4 for c in rubric.criteria)
        assert any(c.required for c in rubric.criteria)
        assert 0 < rubric.cut_score < rubric.max_total
        assert template.achievement.image.startswith("data:image/svg+xml;base64,")
        assert template.achievement.tags and template.achievement.alignments
        for alignment in template.achievement.alignments:
            assert alignment.target_url.startswith("https://")
    assert sum(1 for t, _ in demo.TEMPLATES if t.validity_days) >= 1


# --- seeding ----------------------------------------------------------------------------


def test_seeding_gives_the_promised_organisation(tmp_path: Path, database_url: str) -> None:
    config = _config(tmp_path, database_url)
    started = time.perf_counter()
    summary = prepare_demo(config)
    assert time.perf_counter() - started < 15
    assert summary.created and summary.submissions == len(demo.SUBMISSIONS) == 20
    assert summary.evidence_bytes < 8_000_000
    database = open_hub_database(config.database_url)
    now = datetime.now(UTC)
    try:
        with database.transaction() as session:
            org = session.get(Organisation, 1)
            assert org is not None and org.name == demo.DEMO_ORGANISATION
            assert org.did.startswith("did:web:127.0.0.1")

            roles = Counter(session.scalars(select(User.role)))
            assert roles["assessor"] == roles["mentor"] == roles["moderator"] == 1
            assert roles["admin"] == 1 and roles["learner"] >= 5
            learners = session.scalars(select(User).where(User.role == "learner")).all()
            assert all(not user.password_hash for user in learners)
            mentor = session.scalar(select(User).where(User.username == "mentor"))
            assert mentor is not None
            links = session.scalars(select(MentorLink)).all()
            assert len(links) >= 2 and {link.mentor_id for link in links} == {mentor.id}

            for version in session.scalars(select(TemplateVersion)):
                rubric = Rubric(version.rubric["key"], version.rubric["version"],
                                version.rubric["title"],
                                criteria_from_json(version.rubric["criteria"]),
                                version.rubric["cut_score"])
                a = version.achievement
                CredentialTemplate(version.template_id, Achievement(
                    a["name"], a["description"], a["criteria_narrative"], a["image"],
                    tuple(a["tags"]), tuple(Alignment(**al) for al in a["alignments"])),
                    rubric.key, rubric.version, version.validity_days)
                assert a["criteria_narrative"] and a["alignments"]
            assert session.scalar(select(func.count()).select_from(TemplateVersion)) == 3

            subs = session.scalars(select(Submission)).all()
            assessor = session.scalar(select(User).where(User.username == "assessor"))
            assert assessor is not None
            assert all(s.assessor_id == assessor.id for s in subs)
            states = Counter(s.state for s in subs)
            assert states["pending"] > len(subs) / 2
            assert states["in_review"] >= 2 and states["resubmission_requested"] == 1
            assert len({s.learner_id for s in subs}) >= 5
            assert len({s.template_id for s in subs}) == 3
            assert len({s.status_index for s in subs}) == len(subs)
            due = [s.due_at for s in subs if s.due_at is not None]
            assert len(due) == len(subs)
            assert sum(d < now for d in due) >= 3, "some submissions are overdue"
            assert sum(d > now + timedelta(days=3) for d in due) >= 5

            changes = {c.submission_id for c in session.scalars(select(Change))}
            assert changes == {s.id for s in subs}
            assert all(s.change_seq > 0 for s in subs)
    finally:
        database.dispose()


def test_the_resubmission_links_its_first_attempt_with_feedback(tmp_path: Path,
                                                                database_url: str) -> None:
    config = _config(tmp_path, database_url)
    prepare_demo(config)
    database = open_hub_database(config.database_url)
    try:
        with database.transaction() as session:
            second = session.scalar(select(Submission).where(Submission.attempt == 2))
            assert second is not None and second.previous_id and second.state == "pending"
            first = session.get(Submission, second.previous_id)
            assert first is not None and first.attempt == 1
            assert first.state == "resubmission_requested"
            assert (first.learner_id, first.template_id) == (second.learner_id,
                                                             second.template_id)
            decision = session.scalar(select(Decision).where(
                Decision.submission_id == first.id))
            assert decision is not None and decision.outcome == Outcome.RESUBMIT.value
            notes = session.scalars(select(Feedback).where(
                Feedback.submission_id == first.id)).all()
            assert notes and notes[0].visibility == Visibility.LEARNER.value
            judgments = {j.criterion_key: j.level_key for j in session.scalars(
                select(Judgment).where(Judgment.submission_id == first.id))}
            rubric = demo.STAKEHOLDER_RUBRIC
            assert set(judgments) == {c.key for c in rubric.criteria}
            outcome = rubric.evaluate(judgments)
            assert outcome.complete and not outcome.mastered
            assert "second attempt" in second.narrative
    finally:
        database.dispose()


def test_every_evidence_file_is_stored_by_its_sha256_in_a_valid_format(
        tmp_path: Path, database_url: str) -> None:
    config = _config(tmp_path, database_url)
    prepare_demo(config)
    database = open_hub_database(config.database_url)
    try:
        with database.transaction() as session:
            items = session.scalars(select(Evidence)).all()
            blobs = {b.sha256: b for b in session.scalars(select(Blob))}
            submissions = session.scalar(select(func.count()).select_from(Submission))
    finally:
        database.dispose()
    assert submissions and all(1 <= n <= 4 for n in Counter(
        item.submission_id for item in items).values())
    assert {item.media_type for item in items} == {
        "application/pdf", "image/jpeg", "image/png", "audio/wav", "video/x-msvideo",
        "text/markdown"}
    for item in items:
        path = blob_path(config.blob_dir, item.sha256)
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == item.sha256
        assert len(data) == item.size == blobs[item.sha256].size
        check_format(item.media_type, data)
    assert sum(p.stat().st_size for p in config.blob_dir.rglob("*") if p.is_file()) < 8e6


def test_restarting_the_demo_changes_nothing(tmp_path: Path, database_url: str) -> None:
    config = _config(tmp_path, database_url)
    prepare_demo(config)
    database = open_hub_database(config.database_url)
    try:
        with database.transaction() as session:
            before = (session.scalar(select(func.count()).select_from(Submission)),
                      session.scalar(select(func.max(Change.seq))),
                      session.scalar(select(func.count()).select_from(User)))
        files = sorted(config.blob_dir.rglob("*"))
        moved = HubConfig(config.database_url, config.data_dir, "http://127.0.0.1:9999")
        again = prepare_demo(moved)
        assert not again.created and again.submissions == before[0]
        with database.transaction() as session:
            after = (session.scalar(select(func.count()).select_from(Submission)),
                     session.scalar(select(func.max(Change.seq))),
                     session.scalar(select(func.count()).select_from(User)))
            org = session.get(Organisation, 1)
            assert org is not None and org.did == "did:web:127.0.0.1%3A9999"
        assert after == before and sorted(config.blob_dir.rglob("*")) == files
    finally:
        database.dispose()


def test_the_demo_never_seeds_into_another_organisations_hub(tmp_path: Path,
                                                              database_url: str) -> None:
    config = _config(tmp_path, database_url)
    database = open_hub_database(config.database_url)
    try:
        with database.transaction() as session:
            create_organisation(session, "Real Org", "https://real.example.org",
                                config.public_url)
        with pytest.raises(UserFacingError, match="Real Org"):
            prepare_demo(config)
        with database.transaction() as session:
            assert session.scalar(select(func.count()).select_from(User)) == 0
            assert session.scalar(select(func.count()).select_from(Submission)) == 0
    finally:
        database.dispose()


def test_seeding_is_deterministic_for_a_moment(tmp_path: Path) -> None:
    first = demo_config(tmp_path / "a", port=8765)
    second = demo_config(tmp_path / "b", port=8765)
    _seed(first, FIXED_NOW)
    _seed(second, FIXED_NOW)
    names = sorted(p.name for p in first.blob_dir.rglob("*") if p.is_file())
    assert names == sorted(p.name for p in second.blob_dir.rglob("*") if p.is_file())


# --- serving ----------------------------------------------------------------------------


def test_demo_accounts_sign_in_and_learners_cannot(tmp_path: Path, database_url: str) -> None:
    config = _config(tmp_path, database_url)
    prepare_demo(config)
    port = int(config.public_url.rsplit(":", 1)[1])
    with BackgroundHub(config, port=port) as hub, httpx.Client(base_url=hub.url) as client:
        for person in demo.DEMO_ACCOUNTS:
            answer = client.post("/api/v1/sessions", json={
                "username": person.username, "password": demo.DEMO_PASSWORD})
            assert answer.status_code == 201, answer.text
            assert answer.json()["user"]["role"] == person.role
        for username, password in ((demo.LEARNERS[0].username, demo.DEMO_PASSWORD),
                                   (demo.LEARNERS[0].username, ""),
                                   ("assessor", "wrong")):
            answer = client.post("/api/v1/sessions",
                                 json={"username": username, "password": password})
            assert 400 <= answer.status_code < 500


def test_the_welcome_names_the_url_and_the_demo_accounts(tmp_path: Path) -> None:
    config = demo_config(tmp_path / "demo", port=free_port())
    text = welcome(config.base_url, prepare_demo(config))
    assert config.base_url in text and "'demo'" in text
    for person in demo.DEMO_ACCOUNTS:
        assert person.username in text


@pytest.fixture
def hub_key_in_keychain(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The demo hub's key comes from the real keychain; the DIDs it was made for (append
    them) are removed from it afterwards."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    forget_cached_keys()
    made: list[str] = []
    yield made
    forget_cached_keys()
    for did in made:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(KEYRING_SERVICE, did)


def test_start_demo_hub_serves_the_demo_in_process(tmp_path: Path,
                                                   hub_key_in_keychain: list[str]) -> None:
    hub = start_demo_hub(tmp_path / "desktop-demo")
    try:
        did = "did:web:127.0.0.1%3A" + str(hub.port)
        hub_key_in_keychain.append(did)
        assert hub.warning is None
        assert keyring.get_password(KEYRING_SERVICE, did)  # made there on first start
        assert hub.username == "assessor" and hub.password == demo.DEMO_PASSWORD
        with httpx.Client(base_url=hub.url, timeout=30) as client:
            assert client.get("/openapi.json").json()["info"]["title"] == "Assessor hub"
            # The desktop signs in with the code it was handed: no password prompt.
            answer = client.post("/api/v1/sessions", json={
                "username": hub.username, "enrolment_code": hub.enrolment_code,
                "device": "desktop"})
            assert answer.status_code == 201 and answer.json()["may_enrol_keys"] is True
            auth = {"Authorization": f"Bearer {answer.json()['token']}"}
            me = client.get("/api/v1/me", headers=auth).json()
            assert me["username"] == "assessor"
            assert me["organisation"]["name"] == demo.DEMO_ORGANISATION
            assert me["organisation"]["did"] == did
            enrolled = client.post("/api/v1/me/keys", headers=auth, json=[
                KeyInfo(ed25519_multikey(ed25519.public_key(ed25519.new_seed())),
                        "2026-01-01T00:00:00+00:00", "active").public_export()])
            assert enrolled.status_code == 201, enrolled.text
            document = client.get("/.well-known/did.json").json()
            assert enrolled.json()["verification_method"] in document["assertionMethod"]
            status_list = client.get(enrolled.json()["status_list"])
            assert status_list.status_code == 200
            assert verify_credential(status_list.json(), documents=[document],
                                     check_status=False).ok
    finally:
        hub.stop()
    port, code = hub.port, hub.enrolment_code
    with start_demo_hub(tmp_path / "desktop-demo") as hub:  # reuses the port and data
        assert hub.port == port and hub.enrolment_code != code
        with httpx.Client(base_url=hub.url, timeout=30) as client:
            assert client.post("/api/v1/sessions", json={
                "username": "mentor", "password": "demo"}).status_code == 201
            assert client.post("/api/v1/sessions", json={
                "username": "assessor", "enrolment_code": code}).status_code == 401


def test_without_a_keychain_the_demo_signs_with_a_temporary_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    saved = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    forget_cached_keys()
    try:
        with caplog.at_level(logging.WARNING, logger="assessor.hub"), \
                start_demo_hub(tmp_path / "no-keychain", port=free_port()) as hub, \
                httpx.Client(base_url=hub.url, timeout=30) as client:
            assert hub.warning is not None and "temporary key" in hub.warning
            assert ENV_VAR in hub.warning
            assert hub.warning in caplog.text
            status_list = client.get("/status/1")
            assert status_list.status_code == 200, status_list.text
            document = client.get("/.well-known/did.json").json()
            assert verify_credential(status_list.json(), documents=[document],
                                     check_status=False).ok
        # A key someone set on purpose but got wrong is still refused.
        monkeypatch.setenv(ENV_VAR, "c2hvcnQ")
        forget_cached_keys()
        with pytest.raises(UserFacingError, match="must hold 32 bytes"):
            start_demo_hub(tmp_path / "no-keychain", port=free_port())
    finally:
        keyring.set_keyring(saved)
        forget_cached_keys()


def test_the_hub_demo_command_prints_the_accounts_and_serves(tmp_path: Path) -> None:
    port = free_port()
    main = Path(__file__).resolve().parents[2] / "main.py"
    no_keychain = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    no_keychain.pop(ENV_VAR, None)
    process = subprocess.Popen(
        [sys.executable, str(main), "--data-dir", str(tmp_path / "home"), "hub", "demo",
         "--port", str(port), "--data", str(tmp_path / "demo-data")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=no_keychain)
    try:
        assert process.stdout is not None
        printed = [process.stdout.readline() for _ in range(7)]
        assert f"http://127.0.0.1:{port}" in printed[0]
        assert any("assessor" in line and "Sam Okoro" in line for line in printed)
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.post(f"http://127.0.0.1:{port}/api/v1/sessions", json={
                    "username": "admin", "password": "demo"})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert answer.status_code == 201 and answer.json()["user"]["role"] == "admin"
        # No keychain here: the demo still signs its status list (with a temporary key).
        assert httpx.get(f"http://127.0.0.1:{port}/status/1").status_code == 200
    finally:
        process.terminate()
        _out, errors = process.communicate(timeout=20)
    assert "warning: The demo hub could not keep its signing key" in errors
    assert "POST /api/v1/sessions 201" in errors
    assert "password" not in errors.lower() and "'demo'" not in errors
