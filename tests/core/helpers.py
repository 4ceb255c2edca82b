"""Builders for core tests: a store with the demo rubrics and a few submissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assessor.demo import RUBRICS, TEMPLATES, generate_submissions
from assessor.domain.people import Actor, Role
from assessor.paths import AppPaths
from assessor.store.database import open_database
from assessor.store.store import Clock, Store, utc_now

ASSESSOR = Actor("demo-assessor", "Dana Assessor", Role.ASSESSOR)
OTHER_ASSESSOR = Actor("other-assessor", "Omar Other", Role.ASSESSOR)
MENTOR = Actor("mentor-1", "Mere Mentor", Role.MENTOR)
MODERATOR = Actor("moderator-1", "Moana Moderator", Role.MODERATOR)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def open_store(paths: AppPaths, clock: Clock = utc_now) -> Store:
    return Store(open_database(paths.store, paths.backups), clock=clock)


def seeded_store(paths: AppPaths, count: int = 6, clock: Clock = utc_now) -> Store:
    store = open_store(paths, clock)
    for rubric in RUBRICS:
        store.put_rubric(rubric)
    for template in TEMPLATES:
        store.put_template(template)
    store.receive(generate_submissions(count, assessor_id=ASSESSOR.user_id, now=NOW))
    return store


def safety_id(n: int = 0) -> str:
    """Id of the n-th demo submission for the Site Safety credential (even numbers)."""
    return f"demo-7-{2 * n:06d}"


def care_id(n: int = 0) -> str:
    return f"demo-7-{2 * n + 1:06d}"


def due_in(days: int) -> datetime:
    return NOW + timedelta(days=days)
