"""The hub's Alembic migration and its SQLAlchemy models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assessor.hub.database import open_hub_database
from assessor.hub.models import HubBase


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    database = open_hub_database(database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            diff = [d for d in compare_metadata(context, HubBase.metadata)
                    if not (d[0] == "remove_table" and d[1].name == "alembic_version")]
    finally:
        database.dispose()
    assert diff == []

