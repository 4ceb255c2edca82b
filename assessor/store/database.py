"""Checking and opening the store file.

``inspect_store`` looks at a file without changing it: a foreign or damaged file, or one
written by a newer Assessor, raises ``StoreError`` and is left exactly as it was.
``open_database`` brings a new or older store up to the current schema (after a backup)
and returns the engine and session factory for it.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from assessor.errors import StoreError
from assessor.store.migrations import HEAD, REVISIONS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

SQLITE_HEADER = b"SQLite format 3\x00"
_LEAVE_IT = "It was left untouched: move it aside, or point Assessor at another data " \
    "directory with --data-dir or ASSESSOR_HOME."


class SchemaState(Enum):
    MISSING = "missing"
    EMPTY = "empty"
    BEHIND = "behind"
    CURRENT = "current"


class StoreStatus(NamedTuple):
    path: Path
    state: SchemaState
    revision: str | None = None


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot write (WAL readers never block the writer)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    connection.execute("PRAGMA query_only=ON")
    return connection


def inspect_store(path: Path) -> StoreStatus:
    """Tell what is at ``path`` without writing to it."""
    if not path.exists():
        return StoreStatus(path, SchemaState.MISSING)
    if not path.is_file():
        raise StoreError(f"The store path {path} is not a file. {_LEAVE_IT}")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"The store {path} cannot be read ({exc.strerror}).") from None
    if not header:
        return StoreStatus(path, SchemaState.EMPTY)
    if header != SQLITE_HEADER:
        raise StoreError(f"{path} is not an Assessor store: it is not a SQLite database. "
                         f"{_LEAVE_IT}")
    try:
        connection = read_only_connection(path)
        try:
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"The store {path} is damaged and cannot be opened ({exc}). "
                         f"{_LEAVE_IT}") from None
    if not tables:
        return StoreStatus(path, SchemaState.EMPTY)
    if revision is None:
        shown = ", ".join(sorted(tables)[:5])
        raise StoreError(f"{path} is a SQLite database but not an Assessor store (its tables: "
                         f"{shown}). {_LEAVE_IT}")
    if revision not in REVISIONS:
        raise StoreError(
            f"The store {path} was written by a newer version of Assessor (schema "
            f"{revision}; this version knows up to {HEAD}). It was left untouched: update "
            "Assessor to open it."
        )
    state = SchemaState.CURRENT if revision == HEAD else SchemaState.BEHIND
    return StoreStatus(path, state, revision)


def _create_private(path: Path) -> None:
    """Create an empty file only its owner can read: SQLite gives the -wal and -shm files
    the same permissions as the database."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def back_up(path: Path, backups: Path, revision: str) -> Path:
    """Copy the store (consistently, through SQLite) before a migration touches it."""
    backups.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backups / f"store-before-{revision}-to-{HEAD}-{stamp}.sqlite3"
    _create_private(target)
    source = sqlite3.connect(path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return target


BUSY_TIMEOUT_MS = 10_000


def store_error(exc: Exception) -> StoreError:
    """Say what a database error means for the user's work (nothing was saved)."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return StoreError("The store is busy: another program (perhaps a second Assessor "
                          "window) is writing to it. This change was not saved; try again.")
    if "full" in text:
        return StoreError("The disk is full, so this change was not saved. Free some space "
                          "and try again.")
    if "readonly" in text or "read-only" in text:
        return StoreError("The store is read-only (check the data folder's permissions); "
                          "this change was not saved.")
    return StoreError(f"The store could not be used ({text}). This change was not saved.")


def create_engine_for(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine whose every transaction is ``BEGIN IMMEDIATE`` on a WAL-mode file."""
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite+pysqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's BEGIN below, not pysqlite's
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # a returned commit survives power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Take the write lock up front: no two writers interleave read-then-write steps.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    def __init__(self, path: Path, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self.path = path
        self.engine = engine
        self.sessions = sessions

    def close(self) -> None:
        self.engine.dispose()


def migrate(path: Path, backups: Path) -> StoreStatus:
    """Create or upgrade the store at ``path``; refuse foreign, damaged or newer files."""
    status = inspect_store(path)
    if status.state is SchemaState.CURRENT:
        return status
    if status.state is SchemaState.BEHIND and status.revision is not None:
        back_up(path, backups, status.revision)
    from assessor.store.migrations import upgrade

    path.parent.mkdir(parents=True, exist_ok=True)
    if status.state is SchemaState.MISSING:
        _create_private(path)
    engine = create_engine_for(path)
    try:
        with engine.begin() as connection:
            upgrade(connection)
    finally:
        engine.dispose()
    return inspect_store(path)


def open_database(path: Path, backups: Path, *,
                  busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
    from sqlalchemy.orm import sessionmaker

    migrate(path, backups)
    engine = create_engine_for(path, busy_timeout_ms)
    return Database(path, engine, sessionmaker(engine, expire_on_commit=False))


__all__ = [
    "Database",
    "SchemaState",
    "StoreStatus",
    "back_up",
    "inspect_store",
    "migrate",
    "open_database",
    "read_only_connection",
]
