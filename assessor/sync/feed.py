"""A page of ``GET /api/v1/changes``, checked and turned into domain values.

The hub is trusted to follow the protocol but not to be bug-free or uncompromised: every
field is checked here, and a page with anything wrong is refused whole
(``HubProtocolError``) before the store sees any of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from assessor.domain.judgment import DocumentPin, ImagePin, MediaPin, Pin, Rect
from assessor.domain.moderation_sampling import ModerationPolicy
from assessor.domain.people import Learner
from assessor.domain.rubric import Rubric
from assessor.domain.states import State
from assessor.domain.submission import EvidenceItem, Submission
from assessor.domain.template import Achievement, Alignment, CredentialTemplate
from assessor.errors import ValidationError
from assessor.store.convert import criteria_from_json
from assessor.sync.errors import HubProtocolError

MAX_TEXT = 100_000


@dataclass(frozen=True)
class RemoteJudgment:
    criterion: str
    level: str | None
    comment: str
    pins: tuple[Pin, ...]
    author_id: str
    at: datetime | None
    revision: int


@dataclass(frozen=True)
class RemoteNote:
    id: str
    criterion: str | None
    parent_id: str | None
    author_id: str
    author_role: str
    visibility: str
    body: str
    at: datetime | None


@dataclass(frozen=True)
class RemoteDecision:
    id: str
    outcome: str
    """``approve``, ``resubmit``, ``moderation_agree`` or ``moderation_return``."""
    note: str
    author_id: str
    at: datetime | None


@dataclass(frozen=True)
class RemoteSecondMark:
    """One of the caller's own blind second marks (moderators only)."""

    criterion: str
    moderator_id: str
    level: str | None
    comment: str
    at: datetime | None
    revision: int


@dataclass(frozen=True)
class RemotePerson:
    """A user the hub names on a page (an author or the assessor)."""

    id: str
    name: str
    role: str


@dataclass(frozen=True)
class RemoteSubmission:
    submission: Submission
    status_index: int
    sampled: bool
    judgments: tuple[RemoteJudgment, ...]
    feedback: tuple[RemoteNote, ...]
    decisions: tuple[RemoteDecision, ...]
    second_marks: tuple[RemoteSecondMark, ...] = ()
    people: tuple[RemotePerson, ...] = ()
    """Everyone named on this submission with a display name, once each."""


@dataclass(frozen=True)
class RemoteTemplate:
    template: CredentialTemplate
    rubric: Rubric


@dataclass(frozen=True)
class ChangesPage:
    submissions: tuple[RemoteSubmission, ...]
    removed: tuple[str, ...]
    templates: tuple[RemoteTemplate, ...]
    next_cursor: int
    more: bool
    moderation: ModerationPolicy | None = None
    """The organisation's sampling rule (``None`` from a hub that sends none)."""


class _Bad(Exception):
    pass


def parse_changes(data: dict[str, Any], cursor: int) -> ChangesPage:
    """The page, or ``HubProtocolError`` naming the first thing wrong with it."""
    try:
        templates = tuple(_template(t) for t in _list(data, "templates"))
        rubric_keys = {(t.template.id, t.rubric.version): t.rubric.key for t in templates}
        submissions = []
        for remote in (_submission(s) for s in _list(data, "submissions")):
            sub = remote.submission
            key = rubric_keys.get((sub.template_id, sub.rubric_version))
            if key is None:
                raise _Bad(f"submission {sub.id!r} uses template {sub.template_id!r} "
                           f"version {sub.rubric_version}, which the page does not carry")
            submissions.append(replace(remote, submission=replace(sub, rubric_key=key)))
        removed = tuple(_text(r, "removed id", limit=200) for r in _list(data, "removed"))
        next_cursor = _int(data.get("next_cursor"), "next_cursor")
        more = data.get("more")
        if not isinstance(more, bool):
            raise _Bad("more is not true or false")
        if next_cursor < cursor or (more and next_cursor == cursor):
            raise _Bad(f"the cursor went from {cursor} to {next_cursor}")
        moderation = _moderation(data.get("moderation"))
    except (_Bad, ValidationError) as exc:
        raise HubProtocolError(f"The hub sent a page of changes that does not follow the "
                               f"sync protocol ({str(exc)[:300]}); nothing from it was "
                               "applied.") from None
    return ChangesPage(tuple(submissions), removed, templates, next_cursor, more, moderation)


def _moderation(data: Any) -> ModerationPolicy | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise _Bad("moderation is not an object")
    rate = _number(data.get("rate"), "moderation rate")
    if not 0 <= rate <= 1:
        raise _Bad("the moderation rate is not between 0 and 1")
    return ModerationPolicy(rate=rate, first_n=_int(data.get("first_n"), "first_n",
                                                    high=1_000_000),
                            approvals=_int(data.get("approvals"), "approvals"))


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        raise _Bad(f"{key} is not a list")
    return value


def _optional_list(data: dict[str, Any], key: str) -> list[Any]:
    return [] if data.get(key) is None else _list(data, key)


def _dict(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise _Bad(f"{key} is not an object")
    return value


def _text(value: Any, what: str, *, limit: int = MAX_TEXT, optional: bool = False) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, str) or len(value) > limit or "\0" in value:
        raise _Bad(f"{what} is not a text of at most {limit} characters")
    return value


def _maybe_text(value: Any, what: str, limit: int = 200) -> str | None:
    return None if value is None else _text(value, what, limit=limit)


def _int(value: Any, what: str, *, low: int = 0, high: int = 2**62) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Bad(f"{what} is not a whole number from {low} to {high}")
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value):
        raise _Bad(f"{what} is not a number")
    return float(value)


def _time(value: Any, what: str, *, optional: bool = True) -> datetime | None:
    if value is None and optional:
        return None
    try:
        stamp = datetime.fromisoformat(_text(value, what, limit=40))
    except ValueError:
        raise _Bad(f"{what} is not an ISO 8601 time") from None
    if stamp.tzinfo is None:
        raise _Bad(f"{what} carries no time zone")
    return stamp


def _person_id(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, dict):
        raise _Bad(f"{what} is not a person")
    return _text(value.get("id"), f"{what}.id", limit=200)


def _named(value: Any, what: str) -> RemotePerson | None:
    """The person with their display name, or None when the hub sent no name."""
    if not isinstance(value, dict):
        return None
    name = _text(value.get("display_name"), f"{what}.display_name", limit=300, optional=True)
    if not name.strip():
        return None
    return RemotePerson(_text(value.get("id"), f"{what}.id", limit=200), name.strip(),
                        _text(value.get("role"), f"{what}.role", limit=20, optional=True))


def _people(data: dict[str, Any]) -> tuple[RemotePerson, ...]:
    found = [_named(data.get("assessor"), "assessor")]
    for key in ("judgments", "feedback", "decisions"):
        found.extend(_named(item.get("author"), "author") for item in _list(data, key)
                     if isinstance(item, dict))
    return tuple({p.id: p for p in found if p is not None}.values())


def _template(data: Any) -> RemoteTemplate:
    if not isinstance(data, dict):
        raise _Bad("a template is not an object")
    template_id = _text(data.get("id"), "template id", limit=200)
    version = _int(data.get("version"), "template version", low=1)
    achievement = _dict(data, "achievement")
    rubric_data = _dict(data, "rubric")
    criteria = _list(rubric_data, "criteria")
    try:
        parsed = criteria_from_json(criteria)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _Bad(f"template {template_id!r} has a broken rubric ({type(exc).__name__})") \
            from None
    rubric = Rubric(key=_text(rubric_data.get("key"), "rubric key", limit=200),
                    version=version,
                    title=_text(rubric_data.get("title"), "rubric title", limit=300),
                    criteria=parsed,
                    cut_score=_number(rubric_data.get("cut_score", 0), "cut_score"))
    alignments = tuple(
        Alignment(_text(a.get("target_name"), "alignment name", limit=500),
                  _text(a.get("target_url"), "alignment url", limit=1000),
                  _text(a.get("target_framework"), "framework", limit=500, optional=True),
                  _text(a.get("target_code"), "code", limit=200, optional=True))
        for a in _optional_list(achievement, "alignments") if isinstance(a, dict))
    validity = data.get("validity_days")
    template = CredentialTemplate(
        id=template_id,
        achievement=Achievement(
            name=_text(achievement.get("name"), "achievement name", limit=300),
            description=_text(achievement.get("description"), "description", optional=True),
            criteria_narrative=_text(achievement.get("criteria_narrative"), "criteria",
                                     optional=True),
            image=_text(achievement.get("image"), "image", limit=2000, optional=True),
            tags=tuple(_text(t, "tag", limit=100) for t in _optional_list(achievement, "tags")),
            alignments=alignments),
        rubric_key=rubric.key, rubric_version=version,
        validity_days=None if validity is None else _int(validity, "validity_days", low=1))
    return RemoteTemplate(template, rubric)


def _pin(data: Any) -> Pin:
    if not isinstance(data, dict):
        raise _Bad("a pin is not an object")
    evidence = _text(data.get("evidence"), "pin evidence", limit=200)
    note = _text(data.get("note"), "pin note", optional=True)
    kind = data.get("kind")
    if kind == "media":
        return MediaPin(evidence, _int(data.get("start_ms"), "start_ms"),
                        _int(data.get("end_ms"), "end_ms"), note)
    rect_data = data.get("rect")
    if not isinstance(rect_data, list) or len(rect_data) != 4:
        raise _Bad("a pin's rect is not [x, y, width, height]")
    rect = Rect(*(_number(v, "rect") for v in rect_data))
    if kind == "document":
        return DocumentPin(evidence, _int(data.get("page"), "page"), rect, note)
    if kind == "image":
        return ImagePin(evidence, rect, note)
    raise _Bad(f"a pin has an unknown kind {str(kind)[:40]!r}")


def parse_pins(data: Any) -> tuple[Pin, ...]:
    """Pins as the hub and the outbox write them; ``ValidationError`` if malformed."""
    try:
        return tuple(_pin(p) for p in (data or []))
    except (_Bad, TypeError) as exc:
        raise ValidationError(f"A pin is malformed ({exc}).") from None


def _submission(data: Any) -> RemoteSubmission:
    if not isinstance(data, dict):
        raise _Bad("a submission is not an object")
    sub_id = _text(data.get("id"), "submission id", limit=200)
    learner = _dict(data, "learner")
    template = _dict(data, "template")
    try:
        state = State(_text(data.get("state"), "state", limit=40))
    except ValueError:
        raise _Bad(f"submission {sub_id!r} has an unknown state") from None
    submitted = _time(data.get("submitted_at"), "submitted_at", optional=False)
    assert submitted is not None
    evidence = tuple(
        EvidenceItem(id=_text(e.get("id"), "evidence id", limit=200),
                     file_name=_text(e.get("file_name"), "file name", limit=1000),
                     media_type=_text(e.get("media_type"), "media type", limit=255),
                     size=_int(e.get("size"), "evidence size"),
                     sha256=_text(e.get("sha256"), "sha256", limit=64),
                     description=_text(e.get("description"), "evidence description",
                                       optional=True))
        if isinstance(e, dict) else _raise("an evidence item is not an object")
        for e in _list(data, "evidence"))
    assessor = data.get("assessor")
    submission = Submission(
        id=sub_id,
        learner=Learner(_text(learner.get("id"), "learner id", limit=200),
                        _text(learner.get("display_name"), "learner name", limit=300),
                        _text(learner.get("email"), "learner email", limit=300,
                              optional=True)),
        template_id=_text(template.get("id"), "template id", limit=200),
        rubric_key="",  # filled from the template by the store
        rubric_version=_int(template.get("version"), "template version", low=1),
        attempt=_int(data.get("attempt"), "attempt", low=1),
        submitted_at=submitted,
        narrative=_text(data.get("narrative"), "narrative", optional=True),
        evidence=evidence,
        due_at=_time(data.get("due_at"), "due_at"),
        assigned_to=_person_id(assessor, "assessor") or None,
        previous_attempt_id=_maybe_text(data.get("previous_id"), "previous_id"),
        state=state,
        revision=_int(data.get("revision"), "revision"),
    )
    judgments = tuple(
        RemoteJudgment(
            criterion=_text(j.get("criterion"), "criterion", limit=200),
            level=_maybe_text(j.get("level"), "level"),
            comment=_text(j.get("comment"), "comment", optional=True),
            pins=tuple(_pin(p) for p in _list(j, "pins")),
            author_id=_person_id(j.get("author"), "judgment author"),
            at=_time(j.get("judged_at"), "judged_at"),
            revision=_int(j.get("revision"), "judgment revision"))
        if isinstance(j, dict) else _raise("a judgment is not an object")
        for j in _list(data, "judgments"))
    feedback = tuple(
        RemoteNote(
            id=_text(n.get("id"), "note id", limit=64),
            criterion=_maybe_text(n.get("criterion"), "note criterion"),
            parent_id=_maybe_text(n.get("parent_id"), "note parent", limit=64),
            author_id=_person_id(n.get("author"), "note author"),
            author_role=_text((n.get("author") or {}).get("role", ""), "role", limit=20,
                              optional=True),
            visibility=_choice(n.get("visibility"), ("internal", "learner"), "visibility"),
            body=_text(n.get("body"), "note body"),
            at=_time(n.get("created_at"), "created_at"))
        if isinstance(n, dict) else _raise("a note is not an object")
        for n in _list(data, "feedback"))
    decisions = tuple(
        RemoteDecision(
            id=_text(d.get("id"), "decision id", limit=64),
            outcome=_choice(d.get("outcome"), ("approve", "resubmit", "moderation_agree",
                                               "moderation_return"), "outcome"),
            note=_text(d.get("note"), "decision note", optional=True),
            author_id=_person_id(d.get("author"), "decision author"),
            at=_time(d.get("decided_at"), "decided_at"))
        if isinstance(d, dict) else _raise("a decision is not an object")
        for d in _list(data, "decisions"))
    second_marks = tuple(
        RemoteSecondMark(
            criterion=_text(m.get("criterion"), "second mark criterion", limit=200),
            moderator_id=_text(m.get("moderator_id"), "second mark moderator", limit=200),
            level=_maybe_text(m.get("level"), "second mark level"),
            comment=_text(m.get("comment"), "second mark comment", optional=True),
            at=_time(m.get("marked_at"), "marked_at"),
            revision=_int(m.get("revision"), "second mark revision"))
        if isinstance(m, dict) else _raise("a second mark is not an object")
        for m in _optional_list(data, "second_marks"))
    sampled = data.get("sampled", False)
    return RemoteSubmission(submission, _int(data.get("status_index", 0), "status_index"),
                            bool(sampled), judgments, feedback, decisions, second_marks,
                            _people(data))


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise _Bad(f"{what} is not one of {', '.join(allowed)}")
    assert isinstance(value, str)
    return value


def _raise(message: str) -> Any:
    raise _Bad(message)
