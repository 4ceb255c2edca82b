"""Outbox for changes waiting to be pushed, and indexes behind the submission queue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("submission_id", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("base_revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("client_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_submission_id"), ["submission_id"], unique=False
        )

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_due", ["due_at"], unique=False)
        batch_op.create_index("ix_submissions_learner", ["learner_name"], unique=False)
        batch_op.create_index("ix_submissions_state_due", ["state", "due_at"], unique=False)
        batch_op.create_index("ix_submissions_template", ["template_id"], unique=False)
        batch_op.create_index("ix_submissions_updated", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        for name in (
            "ix_submissions_updated",
            "ix_submissions_template",
            "ix_submissions_state_due",
            "ix_submissions_learner",
            "ix_submissions_due",
        ):
            batch_op.drop_index(name)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_submission_id"))
    op.drop_table("outbox")
