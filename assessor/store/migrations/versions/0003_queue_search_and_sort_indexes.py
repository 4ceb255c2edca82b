"""Queue at scale: trigram full-text search over learners, and indexes for every sort.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS = "learner_name, learner_email, id"


def upgrade() -> None:
    # External-content FTS5 index over the submissions table, kept current by triggers.
    op.execute(
        f"CREATE VIRTUAL TABLE submission_search USING fts5({_COLUMNS}, "
        "content='submissions', content_rowid='pk', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER submission_search_insert AFTER INSERT ON submissions BEGIN "
        f"INSERT INTO submission_search(rowid, {_COLUMNS}) "
        "VALUES (new.pk, new.learner_name, new.learner_email, new.id); END"
    )
    op.execute(
        "CREATE TRIGGER submission_search_delete AFTER DELETE ON submissions BEGIN "
        f"INSERT INTO submission_search(submission_search, rowid, {_COLUMNS}) "
        "VALUES ('delete', old.pk, old.learner_name, old.learner_email, old.id); END"
    )
    op.execute(
        "CREATE TRIGGER submission_search_update AFTER UPDATE OF learner_name, learner_email, "
        "id ON submissions BEGIN "
        f"INSERT INTO submission_search(submission_search, rowid, {_COLUMNS}) "
        "VALUES ('delete', old.pk, old.learner_name, old.learner_email, old.id); "
        f"INSERT INTO submission_search(rowid, {_COLUMNS}) "
        "VALUES (new.pk, new.learner_name, new.learner_email, new.id); END"
    )
    op.execute("INSERT INTO submission_search(submission_search) VALUES ('rebuild')")
    # Sorts walk an index instead of sorting 100,000 rows on every page.
    op.execute("CREATE INDEX ix_submissions_learner_nocase "
               "ON submissions (learner_name COLLATE NOCASE)")
    op.execute("CREATE INDEX ix_submissions_template_due ON submissions (template_id, due_at)")
    op.execute("CREATE INDEX ix_submissions_attempt_due ON submissions (attempt, due_at)")


def downgrade() -> None:
    for index in ("ix_submissions_attempt_due", "ix_submissions_template_due",
                  "ix_submissions_learner_nocase"):
        op.execute(f"DROP INDEX IF EXISTS {index}")
    for trigger in ("submission_search_update", "submission_search_delete",
                    "submission_search_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS submission_search")
