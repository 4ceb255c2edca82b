"""Pulling from the hub: changes since a cursor (roles, paging, removals) and evidence by
sha256 (Range, ETag, conditional requests)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import update

from assessor.hub.models import Decision, Feedback, Judgment, Organisation, Submission
from assessor.hub.sync_schema import ChangesPage
from tests.hub import factory
from tests.hub.conftest import RunningHub

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PHOTO = b"\xff\xd8\xff\xe0" + b"photo" * 300


def pull(hub: RunningHub, token: str, cursor: int = 0, limit: int | None = None
         ) -> dict[str, Any]:
    params: dict[str, int] = {"cursor": cursor}
    if limit is not None:
        params["limit"] = limit
    with hub.client(token) as client:
        answer = client.get("/api/v1/changes", params=params)
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    ChangesPage.model_validate(page)  # the OpenAPI document describes what is sent
    return page


def pull_all(hub: RunningHub, token: str, cursor: int = 0, limit: int = 200
             ) -> tuple[list[dict[str, Any]], list[str], int]:
    subs: list[dict[str, Any]] = []
    removed: list[str] = []
    while True:
        page = pull(hub, token, cursor, limit)
        removed += page["removed"]
        subs += page["submissions"]
        cursor = page["next_cursor"]
        if not page["more"]:
            return subs, removed, cursor


@pytest.fixture
def seeded(hub: RunningHub) -> dict[str, str]:
    """ada has two submissions (Lena's with a PDF and a photo, Leo's), bo one of Leo's;
    Mia mentors Lena; one of bo's is sampled."""
    u = hub.users
    with hub.transaction() as s:
        factory.add_template(s)
        lena = factory.add_submission(s, hub.config.blob_dir, u["lena"], assessor_id=u["ada"],
                                      files=[("report.pdf", PDF, "application/pdf"),
                                             ("site.jpg", PHOTO, "image/jpeg")])
        leo = factory.add_submission(s, hub.config.blob_dir, u["leo"], assessor_id=u["ada"])
        other = factory.add_submission(
            s, hub.config.blob_dir, u["leo"], assessor_id=u["bo"], sampled=True,
            state="awaiting_moderation",
            files=[("secret.pdf", PDF + b"other", "application/pdf")])
        factory.link_mentor(s, u["mia"], u["lena"])
        return {"lena": lena.id, "leo": leo.id, "other": other.id}


def ids(subs: list[dict[str, Any]]) -> set[str]:
    return {s["id"] for s in subs}


def test_each_role_sees_only_its_own_slice(hub: RunningHub, seeded: dict[str, str]) -> None:
    assert ids(pull(hub, hub.sign_in("ada"))["submissions"]) == {seeded["lena"], seeded["leo"]}
    assert ids(pull(hub, hub.sign_in("bo"))["submissions"]) == {seeded["other"]}
    assert ids(pull(hub, hub.sign_in("mia"))["submissions"]) == {seeded["lena"]}
    assert ids(pull(hub, hub.sign_in("mo"))["submissions"]) == {seeded["other"]}
    for username in ("lena", "admin"):
        with hub.client(hub.sign_in(username)) as client:
            answer = client.get("/api/v1/changes")
            assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
            sha = hashlib.sha256(PDF).hexdigest()
            assert client.get(f"/api/v1/evidence/{sha}").status_code == 403
    with hub.client() as client:
        assert client.get("/api/v1/changes").status_code == 401


def test_a_page_holds_everything_the_desktop_keeps(hub: RunningHub,
                                                   seeded: dict[str, str]) -> None:
    u = hub.users
    with hub.transaction() as s:
        s.add(Judgment(submission_id=seeded["lena"], criterion_key="listening",
                       level_key="meets", comment="Good", author_id=u["ada"],
                       pins=[{"evidence": f"{seeded['lena']}-e0", "kind": "document",
                              "page": 1, "rect": [0.1, 0.1, 0.5, 0.2], "note": ""}]))
        s.add(Decision(id="d1", submission_id=seeded["leo"], outcome="approve",
                       author_id=u["ada"]))
    page = pull(hub, hub.sign_in("ada"))
    assert page["removed"] == [] and page["more"] is False
    assert page["next_cursor"] == max(s["change_seq"] for s in page["submissions"])
    assert [t["id"] for t in page["templates"]] == [factory.TEMPLATE]  # once for both
    assert [c["key"] for c in page["templates"][0]["rubric"]["criteria"]] == \
        list(factory.CRITERIA)
    lena = next(s for s in page["submissions"] if s["id"] == seeded["lena"])
    assert lena["learner"] == {"id": u["lena"], "display_name": "Lena",
                               "email": "lena@example.org"}
    assert lena["template"] == {"id": factory.TEMPLATE, "version": 1}
    assert lena["assessor"]["id"] == u["ada"] and lena["state"] == "pending"
    assert lena["narrative"] == "What I did at work." and lena["attempt"] == 1
    assert lena["evidence"][0] == {
        "id": f"{seeded['lena']}-e0", "file_name": "report.pdf",
        "media_type": "application/pdf", "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(), "description": "about report.pdf"}
    assert [e["file_name"] for e in lena["evidence"]] == ["report.pdf", "site.jpg"]
    assert lena["judgments"][0]["level"] == "meets"
    assert lena["judgments"][0]["pins"][0]["page"] == 1
    leo = next(s for s in page["submissions"] if s["id"] == seeded["leo"])
    assert [d["outcome"] for d in leo["decisions"]] == ["approve"]


def test_a_mentor_reads_learner_notes_and_their_own_but_not_internal_ones(
        hub: RunningHub, seeded: dict[str, str]) -> None:
    u = hub.users
    with hub.transaction() as s:
        for note_id, author, visibility in [("n1", "ada", "internal"), ("n2", "ada", "learner"),
                                            ("n3", "mia", "internal")]:
            s.add(Feedback(id=note_id, submission_id=seeded["lena"], author_id=u[author],
                           visibility=visibility, body=f"note {note_id}"))
    for username, expected in (("mia", ["n2", "n3"]), ("ada", ["n1", "n2", "n3"])):
        lena = next(s for s in pull(hub, hub.sign_in(username))["submissions"]
                    if s["id"] == seeded["lena"])
        assert sorted(n["id"] for n in lena["feedback"]) == expected


def test_paging_is_restartable_and_gives_exactly_the_rest(hub: RunningHub) -> None:
    u = hub.users
    with hub.transaction() as s:
        factory.add_template(s)
        made = [factory.add_submission(s, hub.config.blob_dir, u["lena"],
                                       assessor_id=u["ada"]).id for _ in range(7)]
    token = hub.sign_in("ada")
    first = pull(hub, token, 0, 3)
    assert len(first["submissions"]) == 3 and first["more"] is True
    second = pull(hub, token, first["next_cursor"], 3)
    # A client that stopped after the first page asks again with its stored cursor.
    again = pull(hub, token, first["next_cursor"], 3)
    assert again == second
    third = pull(hub, token, second["next_cursor"], 3)
    assert len(third["submissions"]) == 1 and third["more"] is False
    seen = [s["id"] for p in (first, second, third) for s in p["submissions"]]
    assert seen == made  # each once, in the order they changed
    assert pull(hub, token, third["next_cursor"])["submissions"] == []
    # A later change to one already pulled comes again, after the cursor.
    with hub.transaction() as s:
        s.execute(update(Submission).where(Submission.id == made[0])
                  .values(narrative="Edited"))
        sub = s.get(Submission, made[0])
        assert sub is not None
        from assessor.hub.changes import record_change
        record_change(s, sub, "edited")
    rest = pull(hub, token, third["next_cursor"])
    assert [s["narrative"] for s in rest["submissions"]] == ["Edited"]


def test_a_reassigned_submission_is_removed_from_the_old_assessors_feed(
        hub: RunningHub, seeded: dict[str, str]) -> None:
    ada, bo = hub.sign_in("ada"), hub.sign_in("bo")
    _, _, ada_cursor = pull_all(hub, ada)
    _, _, bo_cursor = pull_all(hub, bo)
    with hub.transaction() as s:
        factory.reassign(s, seeded["lena"], hub.users["bo"])
    subs, removed, ada_after = pull_all(hub, ada, ada_cursor)
    assert subs == [] and removed == [seeded["lena"]]
    subs, removed, _ = pull_all(hub, bo, bo_cursor)
    assert ids(subs) == {seeded["lena"]} and removed == []
    # Back to ada: from her old cursor she hears it left and came back (apply removals
    # first); from her new one, only that it came back.
    with hub.transaction() as s:
        factory.reassign(s, seeded["lena"], hub.users["ada"])
    subs, removed, _ = pull_all(hub, ada, ada_cursor)
    assert removed == [seeded["lena"]] and ids(subs) == {seeded["lena"]}
    subs, removed, _ = pull_all(hub, ada, ada_after)
    assert removed == [] and ids(subs) == {seeded["lena"]}
    assert ids(pull_all(hub, ada)[0]) == {seeded["lena"], seeded["leo"]}


def test_removals_page_in_order_with_submissions(hub: RunningHub) -> None:
    u = hub.users
    with hub.transaction() as s:
        factory.add_template(s)
        made = [factory.add_submission(s, hub.config.blob_dir, u["lena"],
                                       assessor_id=u["ada"]).id for _ in range(5)]
    token = hub.sign_in("ada")
    _, _, cursor = pull_all(hub, token)
    with hub.transaction() as s:
        for sub_id in made[:4]:
            factory.reassign(s, sub_id, u["bo"])
    pages = []
    while True:
        page = pull(hub, token, cursor, 2)
        pages.append(page["removed"])
        cursor = page["next_cursor"]
        if not page["more"]:
            break
    assert pages == [made[0:2], made[2:4]]


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "cursor=-1", "cursor=abc",
                                   "limit=1e3"])
def test_bad_cursor_or_limit_is_a_clear_422(hub: RunningHub, query: str) -> None:
    with hub.client(hub.sign_in("ada")) as client:
        answer = client.get(f"/api/v1/changes?{query}")
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"


# -- evidence ---------------------------------------------------------------------------------

def test_evidence_downloads_whole_and_by_range(hub: RunningHub, seeded: dict[str, str]) -> None:
    sha = hashlib.sha256(PDF).hexdigest()
    size = len(PDF)
    with hub.client(hub.sign_in("ada")) as client:
        url = f"/api/v1/evidence/{sha}"
        whole = client.get(url)
        assert whole.status_code == 200 and whole.content == PDF
        assert whole.headers["etag"] == f'"{sha}"'
        assert whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["content-length"] == str(size)
        assert whole.headers["content-type"] == "application/pdf"
        for header, start, end in (("bytes=10-99", 10, 99), ("bytes=100-", 100, size - 1),
                                   ("bytes=-50", size - 50, size - 1),
                                   (f"bytes=5-{size + 100}", 5, size - 1),
                                   ("bytes=0-0", 0, 0)):
            part = client.get(url, headers={"Range": header})
            assert part.status_code == 206, header
            assert part.content == PDF[start:end + 1]
            assert part.headers["content-range"] == f"bytes {start}-{end}/{size}"
            assert part.headers["content-length"] == str(end - start + 1)
        for header in (f"bytes={size}-", f"bytes={size + 5}-{size + 10}", "bytes=-0"):
            refused = client.get(url, headers={"Range": header})
            assert refused.status_code == 416, header
            assert refused.headers["content-range"] == f"bytes */{size}"
        # A range the hub does not understand (or several) is ignored: the whole file.
        for header in ("bytes=0-1,5-6", "lines=1-2", "bytes=9-3"):
            ignored = client.get(url, headers={"Range": header})
            assert ignored.status_code == 200 and ignored.content == PDF
        assert client.get(url, headers={"If-None-Match": f'"{sha}"'}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        resumed = client.get(url, headers={"Range": "bytes=100-", "If-Range": f'"{sha}"'})
        assert resumed.status_code == 206 and resumed.content == PDF[100:]
        changed = client.get(url, headers={"Range": "bytes=100-", "If-Range": '"other"'})
        assert changed.status_code == 200 and changed.content == PDF
        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(size)


def test_evidence_outside_your_view_is_not_found_like_unknown_evidence(
        hub: RunningHub, seeded: dict[str, str]) -> None:
    secret = hashlib.sha256(PDF + b"other").hexdigest()
    unknown = hashlib.sha256(b"nothing").hexdigest()
    photo = hashlib.sha256(PHOTO).hexdigest()
    with hub.client(hub.sign_in("ada")) as client:
        answers = [client.get(f"/api/v1/evidence/{sha}") for sha in
                   (secret, unknown, "../../etc/passwd", "x" * 64, secret.upper()[:63])]
    assert [a.status_code for a in answers] == [404] * 5
    assert len({a.json()["error"]["message"] for a in answers[:2]}) == 1
    with hub.client(hub.sign_in("mia")) as client:  # Lena's mentor
        assert client.get(f"/api/v1/evidence/{photo}").content == PHOTO
        assert client.get(f"/api/v1/evidence/{secret}").status_code == 404
    with hub.client(hub.sign_in("mo")) as client:  # the sampled one
        assert client.get(f"/api/v1/evidence/{secret}").status_code == 200
        assert client.get(f"/api/v1/evidence/{photo}").status_code == 404


def test_the_openapi_document_lists_the_sync_endpoints(hub: RunningHub) -> None:
    with hub.client() as client:
        spec = client.get("/openapi.json").json()
    for path in ("/api/v1/changes", "/api/v1/evidence/{sha256}", "/api/v1/push"):
        assert path in spec["paths"]
    kinds = spec["paths"]["/api/v1/push"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["discriminator"]["mapping"]
    assert set(kinds) == {"judgment", "feedback", "decision", "moderation", "second_mark"}
    assert Organisation.__tablename__  # the models module is importable alongside
