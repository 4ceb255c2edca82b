"""Mentor endorsements: signed EndorsementCredentials about a learner's achievement.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "endorsements",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("submission_pk", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.String(length=36), nullable=False),
        sa.Column("endorser", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.String(length=100), nullable=False),
        sa.Column("issued_at", sa.String(length=32), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["submission_pk"], ["submissions.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_endorsements_submission_pk"), ["submission_pk"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_endorsements_submission_pk"))
    op.drop_table("endorsements")
