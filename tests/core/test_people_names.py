"""People's names on the desktop: the hub names each author, sync keeps the names
(migration 0008's ``people`` table), the review snapshot carries them, and anyone never
named is shown as "Someone (dae9e883)", never by the whole id."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from assessor.domain.people import person_label
from assessor.hub.demo.seed import achievement_json, rubric_json
from assessor.store.database import create_engine_for, inspect_store
from assessor.store.migrations import HEAD, upgrade
from assessor.store.sync_store import SyncStore
from assessor.sync.feed import parse_changes
from tests.core.helpers import care_id, open_store, seeded_store

UNNAMED = "dae9e883-325f-5cb9-943a-c36f571de97c"
MENTOR_ID = "6c958535-041c-5836-801f-3be03cce7528"


def page(store: Any, submission_id: str, *, mentor_name: str = "Mere Mentor",
         cursor: int = 7) -> dict[str, Any]:
    """A hub's changes page: two notes on the submission, one by a named mentor, one by
    someone the hub sends without a name."""
    sub = store.submission(submission_id)
    template = store.template(sub.template_id)
    rubric = store.rubric(sub.rubric_key, sub.rubric_version)
    now = datetime.now(UTC).isoformat()

    def note(n: int, author: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"note-{n}", "criterion": None, "parent_id": None,
                "visibility": "internal", "body": f"note {n}", "author": author,
                "created_at": now}

    return {
        "submissions": [{
            "id": sub.id,
            "learner": {"id": sub.learner.id, "display_name": sub.learner.name,
                        "email": sub.learner.email},
            "template": {"id": template.id, "version": rubric.version},
            "attempt": sub.attempt, "previous_id": None, "narrative": sub.narrative,
            "submitted_at": sub.submitted_at.isoformat(), "due_at": None,
            "assessor": {"id": sub.assigned_to, "display_name": "Dana Assessor",
                         "role": "assessor"},
            "state": "pending", "revision": sub.revision + 1, "status_index": 0,
            "evidence": [{"id": e.id, "file_name": e.file_name, "media_type": e.media_type,
                          "size": e.size, "sha256": e.sha256, "description": e.description}
                         for e in sub.evidence],
            "judgments": [],
            "feedback": [note(1, {"id": MENTOR_ID, "display_name": mentor_name,
                                  "role": "mentor"}),
                         note(2, {"id": UNNAMED, "display_name": "", "role": ""})],
            "decisions": [],
        }],
        "removed": [],
        "templates": [{"id": template.id, "version": rubric.version,
                       "achievement": achievement_json(template),
                       "rubric": rubric_json(rubric), "validity_days": None,
                       "published_at": now}],
        "next_cursor": cursor, "more": False,
    }


def test_sync_keeps_the_names_the_hub_sends_and_the_review_shows_them(home) -> None:
    store = seeded_store(home)
    try:
        sync = SyncStore(store)
        sync.apply_page(parse_changes(page(store, care_id(0)), 0), 0)
        review = store.review(care_id(0))
        assert review.people[MENTOR_ID] == "Mere Mentor"
        assert UNNAMED not in review.people
        labels = [person_label(n.author, review.people) for n in review.feedback]
        assert labels == ["Mere Mentor", "Someone (dae9e883)"]
        assert store.people_names([MENTOR_ID, UNNAMED, "demo-assessor"]) == {
            MENTOR_ID: "Mere Mentor", "demo-assessor": "Dana Assessor"}

        # a later page renames the mentor: the newest name wins
        sync.apply_page(parse_changes(page(store, care_id(0), mentor_name="Mere Kahu",
                                           cursor=9), 7), 7)
        assert store.people_names([MENTOR_ID]) == {MENTOR_ID: "Mere Kahu"}
    finally:
        store.close()


def test_a_name_too_long_refuses_the_page_with_a_clear_message(home) -> None:
    from assessor.sync.errors import HubProtocolError

    store = seeded_store(home)
    try:
        data = page(store, care_id(0), mentor_name="x" * 301)
        try:
            parse_changes(data, 0)
        except HubProtocolError as exc:
            assert "author.display_name is not a text of at most 300 characters" in str(exc)
        else:
            raise AssertionError("a 301-character name was accepted")
    finally:
        store.close()


def test_person_label_never_shows_a_whole_id() -> None:
    assert person_label(UNNAMED, {}) == "Someone (dae9e883)"
    assert person_label(UNNAMED, {UNNAMED: "  "}) == "Someone (dae9e883)"
    assert person_label(UNNAMED, {UNNAMED: "Sam Okoro"}) == "Sam Okoro"
    assert person_label("hub", {}) == "The hub"


def test_a_store_at_0007_upgrades_to_0008_and_keeps_names(home) -> None:
    """Migration 0008 adds the people table to a store written at 0007 (its rows stay)."""
    seeded_store(home).close()
    engine = create_engine_for(home.store)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE people")
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0007'")
    engine.dispose()
    assert inspect_store(home.store).revision == "0007"
    db = sqlite3.connect(home.store)
    before = db.execute("SELECT count(*) FROM submissions").fetchone()[0]
    db.close()

    store = open_store(home)  # upgrades
    try:
        assert inspect_store(home.store).revision == HEAD == "0008"
        db = sqlite3.connect(home.store)
        assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == before
        assert db.execute("SELECT count(*) FROM people").fetchone()[0] == 0
        db.close()
        SyncStore(store).apply_page(parse_changes(page(store, care_id(0)), 0), 0)
        assert store.people_names([MENTOR_ID]) == {MENTOR_ID: "Mere Mentor"}
    finally:
        store.close()


def test_0008_downgrades_cleanly(home) -> None:
    seeded_store(home).close()
    engine = create_engine_for(home.store)
    with engine.begin() as connection:
        from alembic import command

        from assessor.store.migrations import alembic_config

        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
        tables = {r[0] for r in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "people" not in tables
        upgrade(connection, "0008")
    engine.dispose()
