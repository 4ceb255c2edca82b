"""Taking in a learner's submission: checks, rows, and the evidence moved into the store.

Everything happens in the caller's transaction: if any check fails nothing is written, and
evidence bytes are moved to their content address only after every row is in place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessor.hub.assignment import next_assessor
from assessor.hub.blob_store import IncomingFile, record_blob
from assessor.hub.changes import record_change
from assessor.hub.errors import HubError, bad_request, not_found
from assessor.hub.models import Evidence, Submission, TemplateVersion, User
from assessor.hub.templates import latest_version

MAX_NARRATIVE = 100_000
MAX_DESCRIPTION = 2_000
RESUBMITTABLE = "resubmission_requested"


@dataclass(frozen=True)
class EvidenceUpload:
    file_name: str
    description: str
    incoming: IncomingFile


@dataclass(frozen=True)
class IntakeRequest:
    template_id: str
    narrative: str
    due_at: datetime | None
    previous_id: str | None
    files: list[EvidenceUpload]


def parse_due(text: str | None) -> datetime | None:
    """An ISO date (end of that day, UTC) or date-time (UTC if no zone given)."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(23, 59, 59), UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise bad_request(f"due_at {value[:40]!r} is not an ISO date (2025-06-30) or "
                          "date-time.", "invalid_request") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_texts(narrative: str, descriptions: list[str]) -> None:
    if len(narrative) > MAX_NARRATIVE:
        raise HubError(413, "field_too_large",
                       f"The narrative is longer than {MAX_NARRATIVE:,} characters.")
    for text in descriptions:
        if len(text) > MAX_DESCRIPTION:
            raise bad_request(f"A file description is longer than {MAX_DESCRIPTION:,} "
                              "characters.", "invalid_request")


def _template(session: Session, template_id: str, previous: Submission | None
              ) -> TemplateVersion:
    if previous is not None:
        kept = session.get(TemplateVersion, (previous.template_id, previous.template_version))
        assert kept is not None
        return kept
    current = latest_version(session, template_id) if template_id else None
    if current is None:
        raise HubError(404, "unknown_template",
                       f"There is no credential template {template_id[:200]!r}; ask your "
                       "organisation which templates you can submit for.")
    return current


def _previous(session: Session, learner_id: str, previous_id: str, template_id: str
              ) -> Submission:
    previous = session.get(Submission, previous_id)
    if previous is None or previous.learner_id != learner_id:
        raise not_found(f"You have no submission {previous_id[:100]!r} to resubmit.")
    if template_id and template_id != previous.template_id:
        raise bad_request(f"A resubmission is for the same template as the attempt it "
                          f"follows ({previous.template_id!r}).", "wrong_template")
    if previous.state != RESUBMITTABLE:
        raise HubError(409, "not_resubmittable",
                       f"Submission {previous.id} is {previous.state}; you can resubmit "
                       "only when your assessor asks for it.")
    later = session.scalar(select(Submission.id).where(Submission.previous_id == previous.id)
                           .limit(1))
    if later is not None:
        raise HubError(409, "already_resubmitted",
                       f"Submission {previous.id} was already resubmitted as {later}.")
    return previous


def _assessor_for(session: Session, previous: Submission | None) -> str | None:
    """The assessor of the attempt this one follows (when still active), else the next in
    turn, or nobody while the organisation has no assessor."""
    if previous is not None and previous.assessor_id is not None:
        kept = session.get(User, previous.assessor_id)
        if kept is not None and kept.active:
            return kept.id
    chosen = next_assessor(session)
    return chosen.id if chosen is not None else None


def next_status_index(session: Session) -> int:
    """The next free bit in the hub's status list, for a new submission."""
    highest = session.scalar(select(func.max(Submission.status_index)))
    return 0 if highest is None else highest + 1


def take_in(session: Session, learner_id: str, request: IntakeRequest) -> Submission:
    """Record the submission and its evidence; moves the files into the blob store last."""
    previous = None
    if request.previous_id:
        previous = _previous(session, learner_id, request.previous_id, request.template_id)
    template = _template(session, request.template_id, previous)
    submission = Submission(
        id=str(uuid.uuid4()), learner_id=learner_id, template_id=template.template_id,
        template_version=template.version,
        attempt=1 if previous is None else previous.attempt + 1,
        previous_id=previous.id if previous is not None else None,
        narrative=request.narrative, submitted_at=datetime.now(UTC), due_at=request.due_at,
        assessor_id=_assessor_for(session, previous), state="pending", revision=1,
        status_index=next_status_index(session), sampled=False)
    session.add(submission)
    received = [upload.incoming.close() for upload in request.files]
    for item in received:
        record_blob(session, item)
    session.flush()
    for position, (upload, item) in enumerate(zip(request.files, received, strict=True)):
        session.add(Evidence(id=str(uuid.uuid4()), submission_id=submission.id,
                             position=position, file_name=upload.file_name,
                             media_type=item.media_type, size=item.size, sha256=item.sha256,
                             description=upload.description))
    record_change(session, submission, "submitted")
    session.flush()
    for upload in request.files:
        upload.incoming.keep()
    return submission


def submission_json(submission: Submission, evidence: list[Evidence]) -> dict[str, Any]:
    return {
        "id": submission.id, "template_id": submission.template_id,
        "template_version": submission.template_version, "attempt": submission.attempt,
        "previous_id": submission.previous_id, "narrative": submission.narrative,
        "submitted_at": submission.submitted_at.isoformat(),
        "due_at": submission.due_at.isoformat() if submission.due_at else None,
        "state": submission.state, "assessor_id": submission.assessor_id,
        "evidence": [{"id": e.id, "file_name": e.file_name, "media_type": e.media_type,
                      "size": e.size, "sha256": e.sha256, "description": e.description}
                     for e in sorted(evidence, key=lambda e: e.position)],
    }


def evidence_of(session: Session, submission_ids: list[str]) -> dict[str, list[Evidence]]:
    found: dict[str, list[Evidence]] = {sid: [] for sid in submission_ids}
    if submission_ids:
        for row in session.scalars(select(Evidence)
                                   .where(Evidence.submission_id.in_(submission_ids))):
            found[row.submission_id].append(row)
    return found
