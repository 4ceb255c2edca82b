"""Alembic environment: run against the connection the store hands over."""

from __future__ import annotations

from alembic import context

from assessor.store.migrations import include_name
from assessor.store.records import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes one
    raise RuntimeError("Assessor migrations run through assessor.store.migrations.upgrade().")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
