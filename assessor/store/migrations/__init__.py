"""Schema migrations (Alembic), from the first schema on.

``REVISIONS`` lists every schema this version of Assessor knows, oldest first; a store at
any of them can be upgraded, a store at any other revision was written by a newer
Assessor and is refused. Alembic itself is imported only when a migration has to run, so
opening a current store stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007",
                               "0008")
HEAD = REVISIONS[-1]
SCRIPT_LOCATION = Path(__file__).resolve().parent

UNMAPPED_PREFIXES = ("submission_search", "ix_submissions_learner_nocase",
                     "ix_submissions_template_due", "ix_submissions_attempt_due")
"""Schema objects that only migrations create (full-text search, expression indexes):
the ORM does not map them, so comparisons of the two leave them out."""


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: compare only what the ORM maps."""
    return not (name or "").startswith(UNMAPPED_PREFIXES)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


def upgrade(connection: Connection, target: str = "head") -> None:
    """Bring the schema on ``connection`` up to ``target`` (inside its transaction)."""
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, target)
