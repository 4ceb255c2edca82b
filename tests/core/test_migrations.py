"""Migrations: a store made by the first schema keeps everything when upgraded to head."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from assessor.demo import CARE_RUBRIC, CARE_TEMPLATE
from assessor.domain.feedback import Visibility
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.states import State
from assessor.store import convert
from assessor.store.database import SchemaState, create_engine_for, inspect_store, migrate
from assessor.store.migrations import HEAD, REVISIONS, alembic_config, include_name, upgrade
from assessor.store.queue import QueueFilter, QueueReader
from assessor.store.records import Base
from assessor.store.store import Store
from tests.core.helpers import ASSESSOR, open_store


def test_known_revisions_match_the_migration_scripts() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    chain = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert tuple(chain) == REVISIONS
    assert scripts.get_current_head() == HEAD


def test_the_head_schema_matches_the_orm_records(home) -> None:
    migrate(home.store, home.backups)
    engine = create_engine_for(home.store)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def _fill_at_first_revision(path) -> None:
    """Write data the way Assessor at schema 0001 did: plain SQL, no newer tables."""
    engine = create_engine_for(path)
    with engine.begin() as connection:
        upgrade(connection, "0001")
    engine.dispose()
    db = sqlite3.connect(path)
    now = datetime(2026, 10, 1, 8, 30, tzinfo=UTC).isoformat(timespec="microseconds")
    rubric = convert.rubric_record(CARE_RUBRIC)
    db.execute("INSERT INTO rubrics VALUES (?, ?, ?, ?, ?, ?)",
               (rubric.key, rubric.version, rubric.title, rubric.cut_score,
                json.dumps(rubric.criteria), json.dumps(rubric.tags)))
    db.execute("INSERT INTO templates VALUES (?, ?, ?, ?, ?, '[]', '[]', ?, ?, NULL)",
               (CARE_TEMPLATE.id, CARE_TEMPLATE.achievement.name, "desc", "narrative", "",
                CARE_RUBRIC.key, CARE_RUBRIC.version))
    db.execute(
        "INSERT INTO submissions (pk, id, learner_id, learner_name, learner_email, template_id,"
        " rubric_key, rubric_version, attempt, previous_attempt_id, narrative, submitted_at,"
        " due_at, assigned_to, state, revision, updated_at) VALUES"
        " (1, 'sub-1', 'l-1', 'Rāwiri Ngata', 'r@example.org', ?, ?, 1, 1, NULL,"
        " 'My reflection: ü, ß, 漢字.', ?, ?, ?, 'in_review', 4, ?)",
        (CARE_TEMPLATE.id, CARE_RUBRIC.key, now, now, ASSESSOR.user_id, now))
    db.execute("INSERT INTO evidence_items VALUES (1, 1, 'ev-1', 0, 'call.ogg', 'audio/ogg', "
               "1234, ?, 'the call')", ("ab" * 32,))
    db.execute("INSERT INTO judgments VALUES (1, 'listening', 'proficient', 'good', ?, ?, 3)",
               (ASSESSOR.user_id, now))
    db.execute("INSERT INTO pins VALUES (1, 1, 'listening', 0, 'media', 'ev-1', NULL, NULL, "
               "NULL, NULL, NULL, 1000, 5000, 'here')")
    db.execute("INSERT INTO feedback VALUES ('f-1', 1, NULL, NULL, ?, 'assessor', 'learner', "
               "'Well done', ?)", (ASSESSOR.user_id, now))
    db.commit()
    db.close()


def test_a_store_at_the_first_revision_upgrades_to_head_and_loses_nothing(home) -> None:
    _fill_at_first_revision(home.store)
    assert inspect_store(home.store).state is SchemaState.BEHIND

    store: Store = open_store(home)  # upgrades
    assert inspect_store(home.store).revision == HEAD
    assert list(home.backups.glob("store-before-0001-to-*.sqlite3")), "a backup was kept"

    sub = store.submission("sub-1")
    assert sub.learner.name == "Rāwiri Ngata"
    assert sub.narrative == "My reflection: ü, ß, 漢字."
    assert sub.state is State.IN_REVIEW and sub.revision == 4
    assert [e.file_name for e in sub.evidence] == ["call.ogg"]
    judgment = store.judgments("sub-1")["listening"]
    assert (judgment.level_key, judgment.comment, judgment.revision) == ("proficient", "good", 3)
    assert judgment.pins[0].note == "here"
    assert store.feedback("sub-1")[0].body == "Well done"
    assert store.rubric(CARE_RUBRIC.key, 1) == CARE_RUBRIC
    reader = QueueReader(home.store)  # 0003's search index covers rows from before it
    assert [r.id for r in reader.view(QueueFilter(text="Ngata")).rows(0, 5)] == ["sub-1"]
    reader.close()

    # The upgraded store works: the outbox of 0002 takes the next change.
    store.record_judgment("sub-1", JudgmentDraft("resolution", "exemplary"), ASSESSOR)
    store.add_feedback("sub-1", ASSESSOR, "Next time, summarise.", Visibility.LEARNER)
    assert store.outbox_count() == 2
    assert store.judgments("sub-1")["listening"].revision == 3
    store.close()
