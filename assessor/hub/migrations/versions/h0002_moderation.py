"""Moderation: the organisation's "first N approvals of every assessor" setting, the
moderators' blind second marks (one per submission, criterion and moderator), and an index
to count an assessor's approvals.

Revision ID: h0002
Revises: h0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "h0002"
down_revision = "h0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moderation_first_n", sa.Integer(), nullable=False,
                                      server_default="5"))
    op.create_table(
        "second_marks",
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("criterion_key", sa.String(length=200), nullable=False),
        sa.Column("moderator_id", sa.String(length=64), nullable=False),
        sa.Column("level_key", sa.String(length=200), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["moderator_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"]),
        sa.PrimaryKeyConstraint("submission_id", "criterion_key", "moderator_id"),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index("ix_hub_decisions_author_outcome", ["author_id", "outcome"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_hub_decisions_author_outcome")
    op.drop_table("second_marks")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("moderation_first_n")
