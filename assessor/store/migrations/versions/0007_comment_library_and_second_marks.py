"""Review workspace: each assessor's library of reusable comments, moderators' blind second
marks (one per submission, criterion and moderator), and an index for a learner's history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_snippets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("criterion_key", sa.String(length=200), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("comment_snippets", schema=None) as batch_op:
        batch_op.create_index("ix_comment_snippets_owner", ["owner", "title"], unique=False)
    op.create_table(
        "second_marks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("submission_pk", sa.Integer(), nullable=False),
        sa.Column("criterion_key", sa.String(length=200), nullable=False),
        sa.Column("level_key", sa.String(length=200), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("moderator", sa.String(length=200), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("remote_revision", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["submission_pk"], ["submissions.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_pk", "criterion_key", "moderator",
                            name="uq_second_marks_one_per_moderator"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_learner_attempt", ["learner_id", "attempt"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_learner_attempt")
    op.drop_table("second_marks")
    with op.batch_alter_table("comment_snippets", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_snippets_owner")
    op.drop_table("comment_snippets")
