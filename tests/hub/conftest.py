"""A real hub on a loopback port, over SQLite and (when the test command provides one)
PostgreSQL. ``hub`` is parametrised over both back ends; PostgreSQL tests skip with the
reason when ``ASSESSOR_TEST_POSTGRES_URL`` is not set (``bash dev.sh test`` sets it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from assessor.hub.config import HubConfig
from assessor.hub.database import open_hub_database
from assessor.hub.organisation import add_user, create_organisation
from assessor.hub.server import BackgroundHub, free_port

POSTGRES_ENV = "ASSESSOR_TEST_POSTGRES_URL"
PASSWORD = "correct horse battery staple"


def _postgres_database() -> Iterator[str]:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} (bash dev.sh test does)")
    import psycopg

    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "hub.sqlite3")
    else:
        yield from _postgres_database()


@dataclass
class RunningHub:
    url: str
    config: HubConfig
    users: dict[str, str]
    """username -> user id for the seeded people."""

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def sign_in(self, username: str, password: str = PASSWORD, device: str = "tests") -> str:
        with self.client() as client:
            answer = client.post("/api/v1/sessions", json={
                "username": username, "password": password, "device": device})
            assert answer.status_code == 201, answer.text
            token: str = answer.json()["token"]
            return token

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A transaction on the hub's database, from outside the server (as a test peeks)."""
        database = open_hub_database(self.config.database_url)
        try:
            with database.transaction() as session:
                yield session
        finally:
            database.dispose()


SEEDED = {"admin": "admin", "ada": "assessor", "bo": "assessor", "mia": "mentor",
          "mo": "moderator", "lena": "learner", "leo": "learner"}


def seed_organisation(config: HubConfig, people: dict[str, str], *,
                      template: bool = False) -> dict[str, str]:
    """Create the organisation and ``people`` (user name → role, password PASSWORD) in
    ``config``'s database, and the factory's template if asked; returns user name → id."""
    from tests.hub import factory

    database = open_hub_database(config.database_url)
    users: dict[str, str] = {}
    try:
        with database.transaction() as session:
            create_organisation(session, "Example Training Org",
                                "https://training.example.org", config.public_url,
                                moderation_first_n=0)
            for username, role in people.items():
                users[username] = add_user(session, username, role, password=PASSWORD,
                                           display_name=username.title(),
                                           email=f"{username}@example.org").id
            if template:
                factory.add_template(session)
    finally:
        database.dispose()
    return users


@pytest.fixture
def hub_settings() -> dict[str, Any]:
    """Extra ``HubConfig`` settings for the ``hub`` fixture (e.g. small upload limits):
    ``@pytest.mark.parametrize("hub_settings", [{"max_files": 2}])``."""
    return {}


@pytest.fixture
def hub(database_url: str, tmp_path: Path, hub_settings: dict[str, Any]
        ) -> Iterator[RunningHub]:
    """A served hub with an organisation and one user of each role (password PASSWORD)."""
    port = free_port()
    config = HubConfig(database_url=database_url, data_dir=tmp_path / "hub-data",
                       public_url=f"http://127.0.0.1:{port}", **hub_settings)
    users = seed_organisation(config, SEEDED)
    with BackgroundHub(config, port=port):
        yield RunningHub(f"http://127.0.0.1:{port}", config, users)
