"""The hub's database: SQLite by default, PostgreSQL (psycopg 3) for an organisation.

``open_hub_database`` creates or upgrades the schema through Alembic and refuses a
database written by a newer hub, as the desktop store does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assessor.errors import StoreError

HUB_REVISIONS: tuple[str, ...] = ("h0001", "h0002")
HUB_HEAD = HUB_REVISIONS[-1]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3; a bare path means a SQLite file."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def describe_url(url: str) -> str:
    """The URL without its password, for logs and messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as "the database"
        return "the database"


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])


def migrate(engine: Engine) -> None:
    """Create the schema or upgrade it to this hub's head; refuse a newer one."""
    from alembic import command
    from alembic.config import Config

    try:
        revision = _current_revision(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"Cannot open the hub database: {type(exc).__name__}: "
                         f"{str(exc.orig if hasattr(exc, 'orig') else exc)[:200]}") from None
    if revision == HUB_HEAD:
        return
    if revision is not None and revision not in HUB_REVISIONS:
        raise StoreError(
            f"The hub database is at schema {revision!r}, written by a newer Assessor hub; "
            "this version will not downgrade it."
        )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class HubDatabase:
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_hub_database(url: str) -> HubDatabase:
    engine = make_engine(url)
    migrate(engine)
    return HubDatabase(engine, sessionmaker(engine, expire_on_commit=False))
