"""What is at the store path decides whether Assessor may touch it.

Foreign, damaged and newer files are refused with a clear message and left byte for byte
as they were.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from assessor.errors import StoreError
from assessor.store.database import SchemaState, inspect_store, migrate, open_database
from assessor.store.migrations import HEAD
from assessor.workstation import Workstation
from tests.core.helpers import seeded_store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_store_is_created_at_head_in_wal_mode(home) -> None:
    assert inspect_store(home.store).state is SchemaState.MISSING
    status = migrate(home.store, home.backups)
    assert status.state is SchemaState.CURRENT and status.revision == HEAD
    db = sqlite3.connect(home.store)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_the_engine_commits_durably_with_foreign_keys_on(home) -> None:
    database = open_database(home.store, home.backups)
    with database.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n" + b"x" * 5000, "not a SQLite database"),
        (b"name,score\nada,4\n", "not a SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 4000, "damaged"),
    ],
    ids=["pdf", "csv", "truncated-sqlite"],
)
def test_a_foreign_or_damaged_file_is_refused_and_left_untouched(home, content, message) -> None:
    home.store.write_bytes(content)
    before = digest(home.store)
    with pytest.raises(StoreError, match=message) as caught:
        Workstation.open(home)
    assert "left untouched" in str(caught.value)
    assert digest(home.store) == before
    assert sorted(p.name for p in home.home.iterdir() if p.name.startswith("store")) == [
        "store.sqlite3"]


def test_another_programs_sqlite_database_is_refused(home) -> None:
    db = sqlite3.connect(home.store)
    db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    db.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    db.commit()
    db.close()
    before = digest(home.store)
    with pytest.raises(StoreError, match="not an Assessor store.*moz_places"):
        migrate(home.store, home.backups)
    assert digest(home.store) == before


def test_a_store_from_a_newer_assessor_is_refused_not_downgraded(home) -> None:
    seeded_store(home, count=3).close()
    db = sqlite3.connect(home.store)
    db.execute("UPDATE alembic_version SET version_num = '0099'")
    db.commit()
    db.close()
    before = digest(home.store)
    with pytest.raises(StoreError, match=r"newer version of Assessor \(schema 0099; this "
                       rf"version knows up to {HEAD}\)"):
        Workstation.open(home)
    assert digest(home.store) == before


def test_a_directory_at_the_store_path_is_refused(home) -> None:
    home.store.mkdir()
    with pytest.raises(StoreError, match="is not a file"):
        Workstation.open(home)
    assert home.store.is_dir()


def test_an_empty_file_becomes_a_new_store(home) -> None:
    home.store.write_bytes(b"")
    assert inspect_store(home.store).state is SchemaState.EMPTY
    assert migrate(home.store, home.backups).state is SchemaState.CURRENT


def test_the_store_and_its_companions_are_private_to_the_user(home) -> None:
    import stat

    store = seeded_store(home, count=2)  # open: the -wal and -shm files exist
    files = [home.store, *home.home.glob("store.sqlite3-*")]
    assert len(files) == 3
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(home.home.stat().st_mode) == 0o700
    store.close()
