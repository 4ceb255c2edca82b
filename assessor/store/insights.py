"""Insights: read-only questions over the local store, for the performance charts.

- ``learner_history``: one learner's results per credential and attempt, criterion by
  criterion (level, points, whether it met its pass level).
- ``credential_pass_rates``: per criterion of a credential's rubric, how many judged
  submissions met the pass level, out of how many (one assessor's cohort, or everyone's).
- ``agreement_report``: the assessor's judgments against a moderator's blind second marks.

Every query runs on its own read-only ``sqlite3`` connection (as the queue does): in WAL mode
a reader never blocks the writer, so the charts cannot hold up a judgment being saved.
A source is a ``Store`` (anything with a ``path``), a store file ``Path`` or an open
connection. Call these off the GUI thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from assessor.domain.agreement import Agreement, CriterionMark, agreement, paired_levels
from assessor.domain.rubric import Criterion, Rubric
from assessor.domain.states import State
from assessor.errors import NotFoundError
from assessor.store.database import read_only_connection

UNDECIDED = (State.PENDING.value, State.IN_REVIEW.value)


class HasStorePath(Protocol):
    """A ``Store``: all the insights need from it is the file it keeps."""

    @property
    def path(self) -> str: ...


Source = HasStorePath | Path | sqlite3.Connection


# -- values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of one attempt; ``level_key`` is ``None`` while it is not judged."""

    criterion_key: str
    title: str
    level_key: str | None
    level_name: str | None
    points: float | None
    """Weighted points of the chosen level."""
    max_points: float
    met: bool | None
    """At or above the criterion's pass level (``None`` while not judged)."""
    required: bool


@dataclass(frozen=True)
class AttemptResult:
    submission_id: str
    attempt: int
    submitted_at: datetime
    state: State
    results: tuple[CriterionResult, ...]
    total: float
    max_total: float
    mastered: bool

    def result(self, criterion_key: str) -> CriterionResult | None:
        for result in self.results:
            if result.criterion_key == criterion_key:
                return result
        return None


@dataclass(frozen=True)
class CriterionInfo:
    key: str
    title: str
    max_points: float


@dataclass(frozen=True)
class CredentialHistory:
    """A learner's attempts at one credential, in attempt order."""

    template_id: str
    credential_name: str
    criteria: tuple[CriterionInfo, ...]
    """Every criterion any attempt was judged against, in rubric order."""
    attempts: tuple[AttemptResult, ...]

    def points(self, criterion_key: str) -> list[float | None]:
        """The criterion's points at each attempt (``None`` where not judged)."""
        out: list[float | None] = []
        for attempt in self.attempts:
            result = attempt.result(criterion_key)
            out.append(None if result is None else result.points)
        return out


@dataclass(frozen=True)
class LearnerHistory:
    learner_id: str
    learner_name: str
    credentials: tuple[CredentialHistory, ...]

    @property
    def judged(self) -> bool:
        """Whether any criterion of any attempt has a level."""
        return any(r.level_key is not None for c in self.credentials for a in c.attempts
                   for r in a.results)


@dataclass(frozen=True)
class CriterionRate:
    criterion_key: str
    title: str
    met: int
    judged: int
    required: bool

    @property
    def rate(self) -> float | None:
        """Share of judged submissions that met the pass level (``None`` if none judged)."""
        return self.met / self.judged if self.judged else None


@dataclass(frozen=True)
class CriterionRates:
    template_id: str
    credential_name: str
    assessor_id: str | None
    submissions: int
    """Judged submissions in the cohort (at least one criterion with a level)."""
    criteria: tuple[CriterionRate, ...]


@dataclass(frozen=True)
class LearnerSummary:
    id: str
    name: str
    submissions: int


@dataclass(frozen=True)
class CredentialSummary:
    template_id: str
    name: str
    submissions: int


@dataclass(frozen=True)
class CriterionAgreement:
    criterion_key: str
    title: str
    agreement: Agreement


@dataclass(frozen=True)
class AgreementReport:
    criteria: tuple[CriterionAgreement, ...]
    overall: Agreement
    """All criteria pooled."""


# -- queries --------------------------------------------------------------------------


def learners(source: Source, text: str = "", *, limit: int = 200) -> list[LearnerSummary]:
    """Learners whose name or id contains ``text`` (all if empty), by name, at most
    ``limit`` of them."""
    with _connect(source) as db:
        where = ""
        params: tuple[str, ...] = ()
        if text.strip():
            pattern = _like(text.strip())
            where = "WHERE learner_name LIKE ? ESCAPE '\\' OR learner_id LIKE ? ESCAPE '\\'"
            params = (pattern, pattern)
        rows = db.execute(
            f"SELECT learner_id, max(learner_name), count(*) FROM submissions {where} "
            "GROUP BY learner_id ORDER BY max(learner_name) COLLATE NOCASE, learner_id "
            "LIMIT ?", (*params, limit))
        return [LearnerSummary(lid, name, int(n)) for lid, name, n in rows]


def credentials(source: Source) -> list[CredentialSummary]:
    """Every credential template in the store, by name, with its number of submissions."""
    with _connect(source) as db:
        rows = db.execute(
            "SELECT t.id, t.name, (SELECT count(*) FROM submissions s "
            "WHERE s.template_id = t.id) FROM templates t ORDER BY t.name COLLATE NOCASE, t.id")
        return [CredentialSummary(tid, name, int(n)) for tid, name, n in rows]


def learner_history(source: Source, learner_id: str) -> LearnerHistory:
    """Every attempt of ``learner_id`` at every credential, criterion by criterion.

    Each attempt is read against the rubric version it was submitted under. Raises
    ``NotFoundError`` when the store holds no submission of that learner.
    """
    with _connect(source) as db:
        subs = db.execute(
            "SELECT s.pk, s.id, s.template_id, t.name, s.rubric_key, s.rubric_version, "
            "s.attempt, s.submitted_at, s.state, s.learner_name FROM submissions s "
            "JOIN templates t ON t.id = s.template_id WHERE s.learner_id = ? "
            "ORDER BY t.name COLLATE NOCASE, s.template_id, s.attempt, s.submitted_at",
            (learner_id,)).fetchall()
        if not subs:
            raise NotFoundError(f"No submissions of learner {learner_id!r} are in the store.")
        chosen: dict[int, dict[str, str | None]] = defaultdict(dict)
        pks = [row[0] for row in subs]
        for start in range(0, len(pks), 500):
            part = pks[start:start + 500]
            for pk, key, level in db.execute(
                    "SELECT submission_pk, criterion_key, level_key FROM judgments "
                    f"WHERE submission_pk IN ({','.join('?' * len(part))})", part):
                chosen[pk][key] = level
        rubrics = _Rubrics(db)
        grouped: dict[str, list[AttemptResult]] = defaultdict(list)
        names: dict[str, str] = {}
        seen: dict[str, list[Rubric]] = defaultdict(list)
        for pk, sid, template_id, name, rkey, rversion, attempt, submitted, state, _ in subs:
            rubric = rubrics.get(rkey, rversion)
            names[template_id] = name
            if rubric not in seen[template_id]:
                seen[template_id].append(rubric)
            grouped[template_id].append(_attempt(sid, attempt, submitted, state, rubric,
                                                 chosen.get(pk, {})))
        histories = tuple(
            CredentialHistory(template_id, names[template_id], _criteria_of(seen[template_id]),
                              tuple(attempts))
            for template_id, attempts in grouped.items())
        return LearnerHistory(learner_id, subs[-1][9], histories)


def credential_pass_rates(source: Source, template_id: str, *, assessor_id: str | None = None,
                          decided_only: bool = False) -> CriterionRates:
    """Per criterion of the template's rubric: judged submissions that met the pass level.

    Every attempt counts as one submission, each read against its own rubric version.
    ``assessor_id`` narrows the cohort to the judgments that assessor made; otherwise every
    judgment in the store counts. ``decided_only`` leaves out submissions still pending or
    in review (whose judgments may yet change).
    """
    with _connect(source) as db:
        template = db.execute("SELECT name, rubric_key, rubric_version FROM templates "
                              "WHERE id = ?", (template_id,)).fetchone()
        if template is None:
            raise NotFoundError(f"Credential template {template_id!r} is not in the store.")
        name, rubric_key, rubric_version = template
        where = ["s.template_id = ?", "j.level_key IS NOT NULL"]
        params: list[object] = [template_id]
        if assessor_id is not None:
            where.append("j.author = ?")
            params.append(assessor_id)
        if decided_only:
            where.append(f"s.state NOT IN ({','.join('?' * len(UNDECIDED))})")
            params.extend(UNDECIDED)
        clause = " AND ".join(where)
        counts = db.execute(
            "SELECT s.rubric_key, s.rubric_version, j.criterion_key, j.level_key, count(*) "
            f"FROM judgments j JOIN submissions s ON s.pk = j.submission_pk WHERE {clause} "
            "GROUP BY 1, 2, 3, 4", params).fetchall()
        judged_subs = db.execute(
            "SELECT count(DISTINCT j.submission_pk) FROM judgments j "
            f"JOIN submissions s ON s.pk = j.submission_pk WHERE {clause}",
            params).fetchone()[0]
        rubrics = _Rubrics(db)
        current = rubrics.get(rubric_key, rubric_version)
        met: dict[str, int] = defaultdict(int)
        judged: dict[str, int] = defaultdict(int)
        versions = [current]
        for rkey, rversion, criterion_key, level_key, n in counts:
            rubric = rubrics.get(rkey, rversion)
            if rubric not in versions:
                versions.append(rubric)
            criterion = _criterion_in(rubric, criterion_key)
            if criterion is None or not _has_level(criterion, level_key):
                continue  # a judgment the rubric no longer explains: not counted
            judged[criterion_key] += n
            if criterion.meets_pass(level_key):
                met[criterion_key] += n
        rates = tuple(
            CriterionRate(info.key, info.title, met[info.key], judged[info.key],
                          _required(versions, info.key))
            for info in _criteria_of(versions))
        return CriterionRates(template_id, name, assessor_id, int(judged_subs), rates)


def judged_marks(source: Source, submission_ids: Iterable[str]) -> list[CriterionMark]:
    """The judgments (first marks) recorded for these submissions, one mark per criterion."""
    ids = sorted(set(submission_ids))
    out: list[CriterionMark] = []
    with _connect(source) as db:
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows = db.execute(
                "SELECT s.id, j.criterion_key, j.level_key FROM judgments j "
                "JOIN submissions s ON s.pk = j.submission_pk "
                f"WHERE s.id IN ({','.join('?' * len(part))})", part)
            out.extend(CriterionMark(sid, key, level) for sid, key, level in rows)
    return out


def agreement_report(source: Source, second_marks: Sequence[CriterionMark]) -> AgreementReport:
    """The store's judgments against a moderator's blind second marks of the same
    submissions: exact agreement and kappa per criterion (in rubric order) and pooled."""
    firsts = judged_marks(source, (m.submission_id for m in second_marks))
    pairs = paired_levels(firsts, second_marks)
    titles = criterion_titles(source)
    order = {key: i for i, key in enumerate(titles)}
    rows = tuple(
        CriterionAgreement(key, titles.get(key, key), agreement(found))
        for key, found in sorted(pairs.items(), key=lambda kv: (order.get(kv[0], len(order)),
                                                                 kv[0])))
    pooled = [pair for found in pairs.values() for pair in found]
    return AgreementReport(rows, agreement(pooled))


def criterion_titles(source: Source) -> dict[str, str]:
    """``{criterion key: title}`` over every rubric (newest version wins), in rubric order."""
    with _connect(source) as db:
        titles: dict[str, str] = {}
        for (criteria,) in db.execute("SELECT criteria FROM rubrics ORDER BY key, version"):
            for criterion in _json(criteria):
                titles[criterion["key"]] = criterion["title"]
        return titles


# -- helpers --------------------------------------------------------------------------


@contextmanager
def _connect(source: Source) -> Iterator[sqlite3.Connection]:
    if isinstance(source, sqlite3.Connection):
        yield source
        return
    path = source if isinstance(source, Path) else Path(source.path)
    if not path.is_file():
        raise NotFoundError(f"The store {path} does not exist yet: sync or seed it first.")
    db = read_only_connection(path)
    try:
        yield db
    finally:
        db.close()


class _Rubrics:
    """Rubric versions read once per query."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._cache: dict[tuple[str, int], Rubric] = {}

    def get(self, key: str, version: int) -> Rubric:
        found = self._cache.get((key, version))
        if found is None:
            row = self._db.execute("SELECT title, cut_score, criteria, tags FROM rubrics "
                                   "WHERE key = ? AND version = ?", (key, version)).fetchone()
            if row is None:
                raise NotFoundError(f"Rubric {key!r} version {version} is not in the store.")
            from assessor.store.convert import criteria_from_json  # the ORM loads on first use

            title, cut, criteria, tags = row
            found = Rubric(key, version, title, criteria_from_json(_json(criteria)), cut,
                           tuple(_json(tags) or ()))
            self._cache[(key, version)] = found
        return found


def _json(text: str | None) -> Any:
    return json.loads(text) if text else []


def _attempt(submission_id: str, attempt: int, submitted: str, state: str, rubric: Rubric,
             chosen: dict[str, str | None]) -> AttemptResult:
    results = []
    known: dict[str, str | None] = {}
    for criterion in rubric.criteria:
        level_key = chosen.get(criterion.key)
        if level_key is not None and not _has_level(criterion, level_key):
            level_key = None
        known[criterion.key] = level_key
        level = None if level_key is None else criterion.level(level_key)
        results.append(CriterionResult(
            criterion_key=criterion.key, title=criterion.title, level_key=level_key,
            level_name=None if level is None else level.name,
            points=None if level_key is None else criterion.points_for(level_key),
            max_points=criterion.max_points,
            met=None if level_key is None else criterion.meets_pass(level_key),
            required=criterion.required))
    mastery = rubric.evaluate(known)
    return AttemptResult(submission_id, attempt, datetime.fromisoformat(submitted),
                         State(state), tuple(results), mastery.total, mastery.max_total,
                         mastery.mastered)


def _criteria_of(rubrics: Sequence[Rubric]) -> tuple[CriterionInfo, ...]:
    """Criteria of several versions, the latest version's order first, then older extras."""
    infos: dict[str, CriterionInfo] = {}
    for rubric in sorted(rubrics, key=lambda r: -r.version):
        for criterion in rubric.criteria:
            infos.setdefault(criterion.key, CriterionInfo(criterion.key, criterion.title,
                                                          criterion.max_points))
    return tuple(infos.values())


def _criterion_in(rubric: Rubric, key: str) -> Criterion | None:
    return next((c for c in rubric.criteria if c.key == key), None)


def _has_level(criterion: Criterion, level_key: str) -> bool:
    return any(level.key == level_key for level in criterion.levels)


def _required(rubrics: Sequence[Rubric], key: str) -> bool:
    for rubric in sorted(rubrics, key=lambda r: -r.version):
        criterion = _criterion_in(rubric, key)
        if criterion is not None:
            return criterion.required
    return False


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
