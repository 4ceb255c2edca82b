"""Learner intake on a real hub: evidence received, hashed, sniffed and stored once; limits,
hostile names, unknown templates and resubmission rules refused with nothing written."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from assessor.hub.blobs import blob_path
from assessor.hub.models import Blob, Change, Evidence, Submission
from tests.hub.conftest import RunningHub
from tests.hub.intake_helpers import (
    multipart,
    pdf_bytes,
    png_bytes,
    publish,
    stored_files,
    template_document,
    wav_bytes,
)

SMALL = {"max_file_bytes": 10_000, "max_upload_bytes": 25_000, "max_files": 3}


def submit(hub: RunningHub, token: str, fields: list[tuple[str, str]],
           files: list[tuple[bytes, bytes, str]] | None = None) -> httpx.Response:
    body, content_type = multipart(fields, files)
    with hub.client(token) as client:
        return client.post("/api/v1/intake/submissions", content=body,
                           headers={"Content-Type": content_type})


def counts(hub: RunningHub) -> tuple[int, int, int]:
    with hub.transaction() as session:
        return (session.scalar(select(func.count()).select_from(Submission)) or 0,
                session.scalar(select(func.count()).select_from(Blob)) or 0,
                session.scalar(select(func.count()).select_from(Evidence)) or 0)


def assert_nothing_written(hub: RunningHub) -> None:
    assert counts(hub) == (0, 0, 0)
    assert stored_files(hub) == []


def error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    found: dict[str, Any] = answer.json()["error"]
    assert found["message"]
    return found


@pytest.fixture
def lena(hub: RunningHub) -> str:
    publish(hub)
    return hub.sign_in("lena")


def test_a_learner_submits_real_files_which_are_hashed_sniffed_and_stored(
        hub: RunningHub, lena: str) -> None:
    pdf, png, wav = pdf_bytes(), png_bytes(), wav_bytes()
    # Names and declared types lie: the hub goes by the bytes.
    answer = submit(hub, lena, [("template_id", "safe-lifting"),
                                ("narrative", "I planned and made the lift."),
                                ("due_at", "2030-06-30"),
                                ("descriptions", "My lifting plan"),
                                ("descriptions", "Photo of the bay")],
                    [(b"plan.pdf", pdf, "application/pdf"),
                     (b"photo.pdf", png, "application/pdf"),
                     (b"voice-note.txt", wav, "text/plain")])
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["attempt"] == 1 and created["previous_id"] is None
    assert created["template_id"] == "safe-lifting" and created["template_version"] == 1
    assert created["state"] == "pending" and created["due_at"].startswith("2030-06-30")
    assert created["assessor_id"] in (hub.users["ada"], hub.users["bo"])
    evidence = created["evidence"]
    assert [(e["file_name"], e["media_type"], e["description"]) for e in evidence] == [
        ("plan.pdf", "application/pdf", "My lifting plan"),
        ("photo.pdf", "image/png", "Photo of the bay"),
        ("voice-note.txt", "audio/wav", "")]
    for item, data in zip(evidence, (pdf, png, wav), strict=True):
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
        assert item["size"] == len(data)
        assert blob_path(hub.config.blob_dir, item["sha256"]).read_bytes() == data
    assert len(stored_files(hub)) == 3  # no temporary upload left behind
    with hub.transaction() as session:
        row = session.get(Submission, created["id"])
        assert row is not None and row.learner_id == hub.users["lena"]
        assert row.change_seq > 0
        assert session.scalar(select(Change.what).where(
            Change.submission_id == row.id)) == "submitted"
        assert session.get(Blob, evidence[1]["sha256"]).media_type == "image/png"  # type: ignore[union-attr]

    with hub.client(lena) as client:
        mine = client.get("/api/v1/intake/submissions").json()["submissions"]
        assert [s["id"] for s in mine] == [created["id"]]
        assert client.get(f"/api/v1/intake/submissions/{created['id']}").json() == created
    with hub.client(hub.sign_in("leo")) as client:
        assert client.get("/api/v1/intake/submissions").json()["submissions"] == []
        other = client.get(f"/api/v1/intake/submissions/{created['id']}")
        assert other.status_code == 404


def test_the_assigned_assessor_pulls_the_new_submission(hub: RunningHub, lena: str) -> None:
    created = submit(hub, lena, [("template_id", "safe-lifting"), ("narrative", "Done.")],
                     [(b"plan.pdf", pdf_bytes(), "application/pdf")]).json()
    assessor = "ada" if created["assessor_id"] == hub.users["ada"] else "bo"
    with hub.client(hub.sign_in(assessor)) as client:
        pulled = client.get("/api/v1/changes", params={"cursor": 0}).json()
    assert created["id"] in str(pulled)


def test_text_and_documents_are_told_apart_by_content(hub: RunningHub, lena: str) -> None:
    files = [(b"notes.bin", b"# Reflection\n\nWhat I learnt: *lots*.\n", "x/y"),
             (b"plain.md", "Just words, caf\u00e9.\n".encode(), "text/markdown"),
             (b"image.png", b"\x00\x01binary junk\xff", "image/png")]
    answer = submit(hub, lena, [("template_id", "safe-lifting")], files)
    assert answer.status_code == 201, answer.text
    assert [e["media_type"] for e in answer.json()["evidence"]] == [
        "text/markdown", "text/plain", "application/octet-stream"]


def test_the_same_bytes_twice_are_stored_once(hub: RunningHub, lena: str) -> None:
    pdf = pdf_bytes()
    first = submit(hub, lena, [("template_id", "safe-lifting")],
                   [(b"plan.pdf", pdf, "application/pdf"),
                    (b"copy-of-plan.pdf", pdf, "application/pdf")])
    second = submit(hub, hub.sign_in("leo"), [("template_id", "safe-lifting")],
                    [(b"my-plan.pdf", pdf, "application/pdf")])
    assert first.status_code == second.status_code == 201
    digest = hashlib.sha256(pdf).hexdigest()
    assert {e["sha256"] for e in first.json()["evidence"] + second.json()["evidence"]} \
        == {digest}
    assert stored_files(hub) == [blob_path(hub.config.blob_dir, digest)]
    assert counts(hub) == (2, 1, 3)
    assert first.json()["id"] != second.json()["id"]
    with hub.transaction() as session:
        indices = session.scalars(select(Submission.status_index)).all()
    assert len(set(indices)) == 2


@pytest.mark.parametrize("hub_settings", [SMALL])
@pytest.mark.parametrize("files, code", [
    ([(b"big.bin", b"x" * 10_001, "application/octet-stream")], "file_too_large"),
    ([(f"part{n}.bin".encode(), bytes([n]) * 9_000, "application/octet-stream")
      for n in range(3)], "upload_too_large"),
    ([(f"n{n}.txt".encode(), b"note", "text/plain") for n in range(4)], "too_many_files"),
])
def test_uploads_over_the_limits_are_refused_with_nothing_stored(
        hub: RunningHub, lena: str, files: list[tuple[bytes, bytes, str]], code: str) -> None:
    answer = submit(hub, lena, [("template_id", "safe-lifting")], files)
    assert error(answer, 413)["code"] == code
    assert_nothing_written(hub)


@pytest.mark.parametrize("hub_settings", [SMALL])
def test_a_huge_declared_upload_is_refused_before_it_is_read(hub: RunningHub,
                                                              lena: str) -> None:
    body, content_type = multipart([("template_id", "safe-lifting")],
                                   [(b"a.bin", b"x" * 5_000_000, "application/pdf")])
    with hub.client(lena) as client:
        try:
            answer = client.post("/api/v1/intake/submissions", content=body,
                                 headers={"Content-Type": content_type})
        except httpx.TransportError:
            answer = None  # the hub may close before the client finished sending
    if answer is not None:
        assert error(answer, 413)["code"] == "upload_too_large"
    assert_nothing_written(hub)


@pytest.mark.parametrize("raw, kept", [
    (b"../../etc/passwd", "passwd"),
    (b"..\\..\\Windows\\system.ini", "system.ini"),
    (b"/absolute/path/report.pdf", "report.pdf"),
    (b"re\x00port.pdf", "report.pdf"),
    (b"line\tbreak\x1b[31m.pdf", "linebreak[31m.pdf"),
    ("evil\u202egpj.exe".encode(), "evilgpj.exe"),
    (b"..hidden", "hidden"),
    (b"a" * 1000 + b".pdf", "a" * 251 + ".pdf"),
])
def test_file_names_lose_directories_and_control_characters(hub: RunningHub, lena: str,
                                                            raw: bytes, kept: str) -> None:
    answer = submit(hub, lena, [("template_id", "safe-lifting")],
                    [(raw, pdf_bytes(), "application/pdf")])
    assert answer.status_code == 201, answer.text
    assert answer.json()["evidence"][0]["file_name"] == kept
    assert all(p.parent.parent.parent == hub.config.blob_dir for p in stored_files(hub))


@pytest.mark.parametrize("raw", [b"", b"..", b"../", b"\x00\x01", b"a/b/"])
def test_a_name_that_leaves_nothing_is_refused(hub: RunningHub, lena: str, raw: bytes) -> None:
    answer = submit(hub, lena, [("template_id", "safe-lifting")],
                    [(raw, pdf_bytes(), "application/pdf")])
    assert error(answer, 400)["code"] == "bad_file_name"
    assert_nothing_written(hub)


def test_a_raw_new_line_in_the_part_header_is_dropped_from_the_name(hub: RunningHub,
                                                                     lena: str) -> None:
    broken = submit(hub, lena, [("template_id", "safe-lifting")],
                    [(b"two\r\nlines.pdf", pdf_bytes(), "application/pdf")])
    assert error(broken, 400)["code"] == "invalid_request"  # it ends the header early
    assert_nothing_written(hub)
    answer = submit(hub, lena, [("template_id", "safe-lifting")],
                    [(b"two\nlines.pdf", pdf_bytes(), "application/pdf")])
    assert answer.status_code == 201, answer.text
    assert answer.json()["evidence"][0]["file_name"] == "twolines.pdf"


@pytest.mark.parametrize("fields, status, code", [
    ([("template_id", "no-such-template")], 404, "unknown_template"),
    ([("narrative", "no template")], 400, "invalid_request"),
    ([("template_id", "safe-lifting"), ("due_at", "next tuesday")], 400, "invalid_request"),
    ([("template_id", "safe-lifting"), ("narrative", "bad\x00text")], 400, "invalid_request"),
    ([("template_id", "safe-lifting"), ("descriptions", "a"), ("descriptions", "b")], 400,
     "invalid_request"),
    ([("template_id", "safe-lifting"), ("narrative", "x" * 100_001)], 413,
     "field_too_large"),
])
def test_bad_forms_get_a_clear_error_and_store_nothing(
        hub: RunningHub, lena: str, fields: list[tuple[str, str]], status: int,
        code: str) -> None:
    answer = submit(hub, lena, fields, [(b"plan.pdf", pdf_bytes(), "application/pdf")])
    assert error(answer, status)["code"] == code
    assert_nothing_written(hub)


def test_only_learners_submit_and_only_multipart(hub: RunningHub, lena: str) -> None:
    answer = submit(hub, hub.sign_in("ada"), [("template_id", "safe-lifting")],
                    [(b"plan.pdf", pdf_bytes(), "application/pdf")])
    assert error(answer, 403)["code"] == "forbidden"
    with hub.client(lena) as client:
        as_json = client.post("/api/v1/intake/submissions", json={"template_id": "x"})
        truncated = client.post("/api/v1/intake/submissions",
                                content=b"--abc\r\nContent-Disposition: form-data; name=\"f",
                                headers={"Content-Type": "multipart/form-data; boundary=abc"})
        anonymous = httpx.post(f"{hub.url}/api/v1/intake/submissions", content=b"")
    assert error(as_json, 415)["code"] == "unsupported_media_type"
    assert error(truncated, 400)["code"] == "invalid_request"
    assert error(anonymous, 401)["code"] == "unauthorised"
    assert_nothing_written(hub)


def _request_resubmission(hub: RunningHub, submission_id: str) -> None:
    with hub.transaction() as session:
        session.execute(update(Submission).where(Submission.id == submission_id)
                        .values(state="resubmission_requested"))


def test_a_resubmission_is_a_new_attempt_with_the_same_assessor(hub: RunningHub,
                                                                lena: str) -> None:
    first = submit(hub, lena, [("template_id", "safe-lifting"), ("narrative", "v1")],
                   [(b"plan.pdf", pdf_bytes("first"), "application/pdf")]).json()
    early = submit(hub, lena, [("previous_submission_id", first["id"]),
                               ("narrative", "v2")])
    assert error(early, 409)["code"] == "not_resubmittable"

    _request_resubmission(hub, first["id"])
    publish(hub, template_document(criteria=("plan", "lift", "review")))  # version 2
    by_leo = submit(hub, hub.sign_in("leo"), [("previous_submission_id", first["id"]),
                                              ("narrative", "not mine")])
    assert error(by_leo, 404)["code"] == "not_found"
    publish(hub, template_document("other-template"))
    wrong = submit(hub, lena, [("template_id", "other-template"),
                               ("previous_submission_id", first["id"]), ("narrative", "v2")])
    assert error(wrong, 400)["code"] == "wrong_template"
    assert counts(hub)[0] == 1

    second = submit(hub, lena, [("template_id", "safe-lifting"),
                                ("previous_submission_id", first["id"]),
                                ("narrative", "v2 with the plan fixed")],
                    [(b"plan-v2.pdf", pdf_bytes("second"), "application/pdf")])
    assert second.status_code == 201, second.text
    again = second.json()
    assert again["attempt"] == 2 and again["previous_id"] == first["id"]
    assert again["assessor_id"] == first["assessor_id"]
    assert again["template_version"] == 1  # the attempt keeps its rubric version
    twice = submit(hub, lena, [("previous_submission_id", first["id"]), ("narrative", "v3")])
    assert error(twice, 409)["code"] == "already_resubmitted"
    assert counts(hub)[0] == 2


def test_new_submissions_are_dealt_round_robin_to_active_assessors(hub: RunningHub,
                                                                   lena: str) -> None:
    assessors = [submit(hub, lena, [("template_id", "safe-lifting"), ("narrative", str(n))]
                        ).json()["assessor_id"] for n in range(6)]
    assert sorted(assessors) == sorted([hub.users["ada"], hub.users["bo"]] * 3)
    assert all(a != b for a, b in zip(assessors, assessors[1:], strict=False))


def test_uploads_cut_off_by_a_crash_are_removed_when_the_hub_starts(tmp_path) -> None:
    import os
    import time

    from assessor.hub.app import create_app
    from assessor.hub.blob_store import INCOMING, STALE_INCOMING_SECONDS
    from assessor.hub.config import HubConfig

    config = HubConfig(database_url=str(tmp_path / "hub.sqlite3"), data_dir=tmp_path / "data")
    incoming = config.blob_dir / INCOMING
    incoming.mkdir(parents=True)
    cut_off = incoming / "upload-dead.partial"
    cut_off.write_bytes(b"a learner's half-sent evidence")
    long_ago = time.time() - STALE_INCOMING_SECONDS - 60
    os.utime(cut_off, (long_ago, long_ago))
    streaming = incoming / "upload-live.partial"  # another hub process is receiving it
    streaming.write_bytes(b"still arriving")
    app = create_app(config)
    app.state.hub.db.dispose()
    assert not cut_off.exists()
    assert streaming.read_bytes() == b"still arriving"
