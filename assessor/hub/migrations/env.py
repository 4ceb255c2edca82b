"""Alembic environment for the hub: runs on the connection ``migrate`` hands over."""

from __future__ import annotations

from alembic import context

from assessor.hub.models import HubBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - migrate() always passes one
    raise RuntimeError("Hub migrations run through assessor.hub.database.migrate().")

context.configure(connection=connection, target_metadata=HubBase.metadata,
                  render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
