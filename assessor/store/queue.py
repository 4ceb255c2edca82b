"""The submission queue's read path: plain ``sqlite3`` on a read-only connection.

The queue must show its first screen about as fast as a bare window and stay quick with
100,000 submissions, so nothing here loads every row, or even every key. A ``QueueView``
is one filter in one order: it counts its rows with index-backed queries and fetches a
window of rows by offset when the table asks for it. Each order is a list of segments
(for example, "rows with a due date, by date" then "rows without one"), each of which an
index returns already sorted. Text search goes through an FTS5 trigram index. WAL mode
lets this read while the store writes.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from assessor.domain.states import State
from assessor.store.database import read_only_connection

OPEN_STATES = frozenset({State.PENDING, State.IN_REVIEW})
"""States in which a due date still matters: the work is not decided yet."""

_ROW_COLUMNS = ("s.pk, s.id, s.learner_name, s.template_id, s.attempt, s.due_at, s.state, "
                "s.updated_at")


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


class QueueFilter(NamedTuple):
    text: str = ""
    states: frozenset[State] = frozenset()
    template_id: str | None = None
    due: DueFilter = DueFilter.ANY


class QueueRow(NamedTuple):
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


class _SegmentSpec(NamedTuple):
    """Part of an order: the rows matching ``where``, in ``order``. A ``rest`` segment holds
    every row of the filter that the other segments do not (they must not overlap)."""

    where: str
    params: tuple[object, ...]
    order: str
    rest: bool = False


class _Segment(NamedTuple):
    where: str
    params: tuple[object, ...]
    order: str
    rows: int


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _marks(values: object) -> str:
    return ",".join("?" * len(values))  # type: ignore[arg-type]


class QueueView:
    """One filter in one order: a row count and windows of rows. Build with ``QueueReader.view``."""

    def __init__(self, db: sqlite3.Connection, names: dict[str, str], where: str,
                 params: tuple[object, ...], segments: list[_SegmentSpec]) -> None:
        self._db = db
        self._names = names
        counted: list[tuple[str, tuple[object, ...], str, int | None]] = []
        for spec in segments:
            clause = " AND ".join(c for c in (where, spec.where) if c)
            full_params = params + spec.params
            count = None if spec.rest else self._count(clause, full_params)
            counted.append((clause, full_params, spec.order, count))
        if any(count is None for *_, count in counted):
            # "The rest" is the filter's total less the other segments: one count of the
            # filter is much cheaper than walking an index over most of the rows.
            rest = self._count(where, params) - sum(c for *_, c in counted if c is not None)
            counted = [(c, p, o, rest if n is None else n) for c, p, o, n in counted]
        self._segments = [_Segment(c, p, o, n) for c, p, o, n in counted if n]
        self.total = sum(seg.rows for seg in self._segments)

    def _count(self, clause: str, params: tuple[object, ...]) -> int:
        return int(self._db.execute(f"SELECT count(*) FROM submissions s"
                                    f"{' WHERE ' + clause if clause else ''}",
                                    params).fetchone()[0])

    def rows(self, offset: int, limit: int) -> list[QueueRow]:
        """Rows ``offset`` to ``offset + limit`` (fewer at the end) in display order."""
        out: list[QueueRow] = []
        for seg in self._segments:
            if limit <= 0:
                break
            if offset >= seg.rows:
                offset -= seg.rows
                continue
            sql = (f"SELECT {_ROW_COLUMNS} FROM submissions s"
                   f"{' WHERE ' + seg.where if seg.where else ''} ORDER BY {seg.order} "
                   "LIMIT ? OFFSET ?")
            for pk, sid, learner, template, attempt, due, state, updated in self._db.execute(
                    sql, (*seg.params, limit, offset)):
                out.append(QueueRow(
                    pk=pk, id=sid, learner_name=learner,
                    credential_name=self._names.get(template, template), attempt=attempt,
                    due_at=datetime.fromisoformat(due) if due else None, state=State(state),
                    updated_at=datetime.fromisoformat(updated)))
            taken = min(limit, seg.rows - offset)
            limit -= taken
            offset = 0
        return out


_STATE_ORDER = (State.PENDING, State.IN_REVIEW, State.AWAITING_MODERATION, State.APPROVED,
                State.RESUBMISSION_REQUESTED, State.SIGNED, State.PUBLISHED)


class QueueReader:
    """Read-only queries behind the queue view. Use from one thread."""

    def __init__(self, path: Path) -> None:
        self._db: sqlite3.Connection = read_only_connection(path)
        self.closed = False

    def close(self) -> None:
        self.closed = True
        self._db.close()

    def view(
        self,
        flt: QueueFilter,
        sort: QueueSort = QueueSort.DUE,
        *,
        descending: bool = False,
        now: datetime | None = None,
    ) -> QueueView:
        names = dict(self.credentials())
        where, params = self._where(flt, now or datetime.now(UTC), names)
        return QueueView(self._db, names, where, params, self._segments(sort, descending, names))

    def pk_of(self, submission_id: str) -> int | None:
        row = self._db.execute("SELECT pk FROM submissions WHERE id = ?",
                               (submission_id,)).fetchone()
        return None if row is None else int(row[0])

    def total(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM submissions").fetchone()[0])

    def counts(self) -> dict[State, int]:
        found = dict(self._db.execute("SELECT state, count(*) FROM submissions GROUP BY state"))
        return {state: found.get(state.value, 0) for state in State}

    def overdue_count(self, now: datetime | None = None) -> int:
        row = self._db.execute(
            f"SELECT count(*) FROM submissions WHERE state IN ({_marks(OPEN_STATES)}) "
            "AND due_at < ?",
            [*sorted(OPEN_STATES), _iso(now or datetime.now(UTC))],
        ).fetchone()
        return int(row[0])

    def credentials(self) -> list[tuple[str, str]]:
        """``(template id, credential name)`` pairs, by name."""
        return list(self._db.execute("SELECT id, name FROM templates ORDER BY name COLLATE NOCASE"))

    def outbox_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    @staticmethod
    def _segments(sort: QueueSort, descending: bool, names: dict[str, str]
                  ) -> list[_SegmentSpec]:
        d = "DESC" if descending else "ASC"
        if sort is QueueSort.DUE:  # undated work last in both directions
            return [_SegmentSpec("s.due_at IS NOT NULL", (), f"s.due_at {d}, s.pk {d}",
                                 rest=True),
                    _SegmentSpec("s.due_at IS NULL", (), f"s.pk {d}")]
        if sort is QueueSort.UPDATED:
            return [_SegmentSpec("", (), f"s.updated_at {d}, s.pk {d}")]
        if sort is QueueSort.LEARNER:
            return [_SegmentSpec("", (), f"s.learner_name COLLATE NOCASE {d}, s.pk {d}")]
        if sort is QueueSort.ATTEMPT:
            return [_SegmentSpec("", (), f"s.attempt {d}, s.due_at, s.pk")]
        if sort is QueueSort.CREDENTIAL:
            ordered = sorted(names, key=lambda tid: names[tid].casefold(), reverse=descending)
            return [_SegmentSpec("s.template_id = ?", (tid,), "s.due_at, s.pk")
                    for tid in ordered]
        states = reversed(_STATE_ORDER) if descending else _STATE_ORDER
        return [_SegmentSpec("s.state = ?", (state.value,), "s.due_at, s.pk") for state in states]

    @staticmethod
    def _where(flt: QueueFilter, now: datetime, names: dict[str, str]
               ) -> tuple[str, tuple[object, ...]]:
        clauses: list[str] = []
        params: list[object] = []
        if flt.states:
            clauses.append(f"s.state IN ({_marks(flt.states)})")
            params.extend(sorted(flt.states))
        if flt.template_id is not None:
            clauses.append("s.template_id = ?")
            params.append(flt.template_id)
        if flt.due is not DueFilter.ANY:
            clauses.append(f"s.state IN ({_marks(OPEN_STATES)})")
            params.extend(sorted(OPEN_STATES))
            if flt.due is DueFilter.OVERDUE:
                clauses.append("s.due_at < ?")
                params.append(_iso(now))
            else:
                clauses.append("s.due_at >= ? AND s.due_at < ?")
                params.extend([_iso(now), _iso(now + timedelta(days=7))])
        text = flt.text.strip()
        if text:
            matching = [tid for tid, name in names.items() if text.casefold() in name.casefold()]
            by_credential = f"s.template_id IN ({_marks(matching)})" if matching else "0"
            if len(text) >= 3:  # the trigram index needs three characters
                phrase = '"' + text.replace('"', '""') + '"'
                clauses.append("(s.pk IN (SELECT rowid FROM submission_search WHERE "
                               f"submission_search MATCH ?) OR {by_credential})")
                params.append(phrase)
            else:
                pattern = _like(text)
                clauses.append("(s.learner_name LIKE ? ESCAPE '\\' OR "
                               f"s.learner_email LIKE ? ESCAPE '\\' OR {by_credential})")
                params.extend([pattern, pattern])
            params.extend(matching)
        return " AND ".join(clauses), tuple(params)
