""""Changes since cursor": one page of what a desktop user must hear about.

A page merges two streams in sequence order, each one indexed range query:

- the submissions the caller can see whose ``change_seq`` is past the cursor, each with
  everything the desktop keeps (learner, template reference, evidence, judgments, the
  feedback this caller may read, decisions);
- the changes that took a submission out of the caller's view (a reassignment away from
  an assessor), listed as ``removed`` ids.

The page's ``next_cursor`` is the sequence number of the last entry it holds, so a
client that stores it after applying a page and asks again gets exactly the rest. A
client applies ``removed`` before ``submissions``: when both name one id, the submission
came back into view later than it left.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from assessor.hub.context import Caller
from assessor.hub.models import (
    Change,
    Decision,
    Evidence,
    Feedback,
    Judgment,
    Submission,
    TemplateVersion,
    User,
)
from assessor.hub.moderation import policy_json, second_marks_for
from assessor.hub.visibility import feedback_visible_to, visible_to

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _people(session: Session, ids: Iterable[str | None]) -> dict[str, User]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def _person(users: dict[str, User], user_id: str | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    user = users.get(user_id)
    return {"id": user_id, "display_name": user.display_name if user else "",
            "role": user.role if user else ""}


MODERATION_OUTCOMES = ("moderation_agree", "moderation_return")


def decision_note_for(caller: Caller, decision: Decision) -> str:
    """A moderator's note is for the assessor (a return also lands in the internal notes);
    a mentor reads the outcome without it."""
    if caller.role == "mentor" and decision.outcome in MODERATION_OUTCOMES:
        return ""
    return decision.note


def render_submissions(session: Session, caller: Caller,
                       submissions: list[Submission]) -> list[dict[str, Any]]:
    """Each submission as the desktop keeps it (a few batched queries for the lot)."""
    if not submissions:
        return []
    ids = [s.id for s in submissions]
    evidence: dict[str, list[Evidence]] = {i: [] for i in ids}
    for item in session.scalars(select(Evidence).where(Evidence.submission_id.in_(ids))
                                .order_by(Evidence.submission_id, Evidence.position)):
        evidence[item.submission_id].append(item)
    judgments: dict[str, list[Judgment]] = {i: [] for i in ids}
    for judgment in session.scalars(select(Judgment).where(Judgment.submission_id.in_(ids))
                                    .order_by(Judgment.criterion_key)):
        judgments[judgment.submission_id].append(judgment)
    feedback: dict[str, list[Feedback]] = {i: [] for i in ids}
    for note in session.scalars(select(Feedback).where(Feedback.submission_id.in_(ids),
                                                       feedback_visible_to(caller))
                                .order_by(Feedback.created_at, Feedback.id)):
        feedback[note.submission_id].append(note)
    decisions: dict[str, list[Decision]] = {i: [] for i in ids}
    for decision in session.scalars(select(Decision).where(Decision.submission_id.in_(ids))
                                    .order_by(Decision.decided_at, Decision.id)):
        decisions[decision.submission_id].append(decision)
    marks = second_marks_for(session, caller, ids)
    users = _people(session, [s.learner_id for s in submissions]
                    + [s.assessor_id for s in submissions]
                    + [j.author_id for js in judgments.values() for j in js]
                    + [n.author_id for ns in feedback.values() for n in ns]
                    + [d.author_id for ds in decisions.values() for d in ds])
    out = []
    for s in submissions:
        learner = users.get(s.learner_id)
        out.append({
            "id": s.id,
            "learner": {"id": s.learner_id,
                        "display_name": learner.display_name if learner else "",
                        "email": learner.email if learner else ""},
            "template": {"id": s.template_id, "version": s.template_version},
            "attempt": s.attempt,
            "previous_id": s.previous_id,
            "narrative": s.narrative,
            "submitted_at": _when(s.submitted_at),
            "due_at": _when(s.due_at),
            "assessor": _person(users, s.assessor_id),
            "state": s.state,
            "revision": s.revision,
            "status_index": s.status_index,
            "sampled": s.sampled,
            "change_seq": s.change_seq,
            "evidence": [{"id": e.id, "file_name": e.file_name, "media_type": e.media_type,
                          "size": e.size, "sha256": e.sha256, "description": e.description}
                         for e in evidence[s.id]],
            "judgments": [{"criterion": j.criterion_key, "level": j.level_key,
                           "comment": j.comment, "pins": j.pins,
                           "author": _person(users, j.author_id),
                           "judged_at": _when(j.judged_at), "revision": j.revision}
                          for j in judgments[s.id]],
            "feedback": [{"id": n.id, "criterion": n.criterion_key, "parent_id": n.parent_id,
                          "author": _person(users, n.author_id), "visibility": n.visibility,
                          "body": n.body, "created_at": _when(n.created_at)}
                         for n in feedback[s.id]],
            "decisions": [{"id": d.id, "outcome": d.outcome,
                           "note": decision_note_for(caller, d),
                           "author": _person(users, d.author_id),
                           "decided_at": _when(d.decided_at)}
                          for d in decisions[s.id]],
            "second_marks": [{"criterion": m.criterion_key, "moderator_id": m.moderator_id,
                              "level": m.level_key,
                              "comment": m.comment, "marked_at": _when(m.marked_at),
                              "revision": m.revision}
                             for m in marks[s.id]],
        })
    return out


def _templates(session: Session, submissions: list[Submission]) -> list[dict[str, Any]]:
    keys = sorted({(s.template_id, s.template_version) for s in submissions})
    if not keys:
        return []
    rows = session.scalars(select(TemplateVersion).where(
        tuple_(TemplateVersion.template_id, TemplateVersion.version).in_(keys))
        .order_by(TemplateVersion.template_id, TemplateVersion.version))
    return [{"id": t.template_id, "version": t.version, "achievement": t.achievement,
             "rubric": t.rubric, "validity_days": t.validity_days,
             "published_at": _when(t.published_at)} for t in rows]


def changes_page(session: Session, caller: Caller, cursor: int,
                 limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The next ``limit`` entries after ``cursor`` for ``caller`` (see the module text)."""
    changed = list(session.scalars(
        select(Submission).where(visible_to(caller), Submission.change_seq > cursor)
        .order_by(Submission.change_seq).limit(limit + 1)))
    removals = list(session.execute(
        select(Change.seq, Change.submission_id)
        .where(Change.removed_for_user_id == caller.user_id, Change.seq > cursor)
        .order_by(Change.seq).limit(limit + 1)))
    # Merge by sequence number and keep the first ``limit`` entries.
    entries: list[tuple[int, Submission | str]] = sorted(
        [(s.change_seq, s) for s in changed] + [(seq, sid) for seq, sid in removals],
        key=lambda entry: entry[0])
    page, rest = entries[:limit], entries[limit:]
    kept = [e for _, e in page if isinstance(e, Submission)]
    removed = list(dict.fromkeys(e for _, e in page if isinstance(e, str)))
    return {
        "submissions": render_submissions(session, caller, kept),
        "removed": removed,
        "templates": _templates(session, kept),
        "next_cursor": page[-1][0] if page else cursor,
        "more": bool(rest),
        "moderation": policy_json(session, caller),
    }
