"""The submission queue's read path: plain ``sqlite3`` on a read-only connection.

The queue must show its first screen as fast as a bare window, with 100,000 submissions
in the store. So this module avoids the ORM (and its import cost): it returns the ordered
primary keys matching a filter (an index-backed query) and fetches full rows only for the
keys a view asks for. WAL mode lets it read while the store writes.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from assessor.domain.submission import State
from assessor.store.database import read_only_connection

OPEN_STATES = frozenset({State.PENDING, State.IN_REVIEW})
"""States in which a due date still matters: the work is not decided yet."""


class DueFilter(StrEnum):
    ANY = "any"
    OVERDUE = "overdue"
    DUE_THIS_WEEK = "due_this_week"


class QueueSort(StrEnum):
    DUE = "due"
    UPDATED = "updated"
    LEARNER = "learner"
    CREDENTIAL = "credential"
    STATE = "state"
    ATTEMPT = "attempt"


_ORDER = {
    QueueSort.DUE: "s.due_at IS NULL, s.due_at {dir}, s.pk",
    QueueSort.UPDATED: "s.updated_at {dir}, s.pk",
    QueueSort.LEARNER: "s.learner_name COLLATE NOCASE {dir}, s.pk",
    QueueSort.CREDENTIAL: "t.name COLLATE NOCASE {dir}, s.due_at, s.pk",
    QueueSort.STATE: "s.state {dir}, s.due_at, s.pk",
    QueueSort.ATTEMPT: "s.attempt {dir}, s.due_at, s.pk",
}


@dataclass(frozen=True)
class QueueFilter:
    text: str = ""
    states: frozenset[State] = field(default_factory=frozenset)
    template_id: str | None = None
    due: DueFilter = DueFilter.ANY


@dataclass(frozen=True)
class QueueRow:
    pk: int
    id: str
    learner_name: str
    credential_name: str
    attempt: int
    due_at: datetime | None
    state: State
    updated_at: datetime

    def overdue(self, now: datetime) -> bool:
        return self.state in OPEN_STATES and self.due_at is not None and self.due_at < now


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class QueueReader:
    """Read-only queries behind the queue view. Use from one thread."""

    def __init__(self, path: Path) -> None:
        self._db: sqlite3.Connection = read_only_connection(path)

    def close(self) -> None:
        self._db.close()

    def keys(
        self,
        flt: QueueFilter,
        sort: QueueSort = QueueSort.DUE,
        *,
        descending: bool = False,
        now: datetime | None = None,
    ) -> array[int]:
        """Primary keys of the matching submissions, in display order."""
        where, params = self._where(flt, now or datetime.now(UTC))
        join = " JOIN templates t ON t.id = s.template_id" if (
            sort is QueueSort.CREDENTIAL or flt.text.strip()) else ""
        order = _ORDER[sort].format(dir="DESC" if descending else "ASC")
        sql = f"SELECT s.pk FROM submissions s{join}{where} ORDER BY {order}"
        result: array[int] = array("q")
        cursor = self._db.execute(sql, params)
        while chunk := cursor.fetchmany(8192):
            result.extend(row[0] for row in chunk)
        return result

    def rows(self, pks: Sequence[int]) -> dict[int, QueueRow]:
        if not pks:
            return {}
        marks = ",".join("?" * len(pks))
        sql = (
            "SELECT s.pk, s.id, s.learner_name, t.name, s.attempt, s.due_at, s.state, "
            "s.updated_at FROM submissions s JOIN templates t ON t.id = s.template_id "
            f"WHERE s.pk IN ({marks})"
        )
        out: dict[int, QueueRow] = {}
        for pk, sid, learner, credential, attempt, due, state, updated in self._db.execute(
                sql, list(pks)):
            out[pk] = QueueRow(
                pk=pk, id=sid, learner_name=learner, credential_name=credential,
                attempt=attempt, due_at=datetime.fromisoformat(due) if due else None,
                state=State(state), updated_at=datetime.fromisoformat(updated),
            )
        return out

    def pk_of(self, submission_id: str) -> int | None:
        row = self._db.execute("SELECT pk FROM submissions WHERE id = ?",
                               (submission_id,)).fetchone()
        return None if row is None else int(row[0])

    def counts(self) -> dict[State, int]:
        found = dict(self._db.execute("SELECT state, count(*) FROM submissions GROUP BY state"))
        return {state: found.get(state.value, 0) for state in State}

    def overdue_count(self, now: datetime | None = None) -> int:
        marks = ",".join("?" * len(OPEN_STATES))
        row = self._db.execute(
            f"SELECT count(*) FROM submissions WHERE state IN ({marks}) AND due_at < ?",
            [*sorted(OPEN_STATES), _iso(now or datetime.now(UTC))],
        ).fetchone()
        return int(row[0])

    def credentials(self) -> list[tuple[str, str]]:
        """``(template id, credential name)`` pairs, by name."""
        return list(self._db.execute("SELECT id, name FROM templates ORDER BY name COLLATE NOCASE"))

    def outbox_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def _where(self, flt: QueueFilter, now: datetime) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if flt.states:
            clauses.append(f"s.state IN ({','.join('?' * len(flt.states))})")
            params.extend(sorted(flt.states))
        if flt.template_id is not None:
            clauses.append("s.template_id = ?")
            params.append(flt.template_id)
        if flt.due is not DueFilter.ANY:
            open_states = sorted(OPEN_STATES)
            clauses.append(f"s.state IN ({','.join('?' * len(open_states))})")
            params.extend(open_states)
            if flt.due is DueFilter.OVERDUE:
                clauses.append("s.due_at < ?")
                params.append(_iso(now))
            else:
                clauses.append("s.due_at >= ? AND s.due_at < ?")
                params.extend([_iso(now), _iso(now + timedelta(days=7))])
        text = flt.text.strip()
        if text:
            pattern = _like(text)
            clauses.append("(s.learner_name LIKE ? ESCAPE '\\' OR t.name LIKE ? ESCAPE '\\' "
                           "OR s.learner_email LIKE ? ESCAPE '\\' OR s.id = ?)")
            params.extend([pattern, pattern, pattern, text])
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params
