"""Test data written straight into the hub's database (as intake and admin would leave
it): a template version, submissions with evidence files under ``blobs/``, assignments,
mentor links."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessor.hub.blobs import blob_path
from assessor.hub.changes import record_change
from assessor.hub.models import Blob, Evidence, MentorLink, Submission, TemplateVersion

TEMPLATE = "customer-care"
LEVELS = [{"key": "not_yet", "name": "Not yet", "descriptor": "", "points": 0},
          {"key": "meets", "name": "Meets", "descriptor": "", "points": 2},
          {"key": "exceeds", "name": "Exceeds", "descriptor": "", "points": 3}]
CRITERIA = ("listening", "resolution")


def rubric(version: int = 1, criteria: tuple[str, ...] = CRITERIA) -> dict[str, Any]:
    return {"key": TEMPLATE, "version": version, "title": "Customer care",
            "cut_score": 4.0,
            "criteria": [{"key": key, "title": key.title(), "description": "",
                          "weight": 1.0, "required": True, "pass_level": "meets",
                          "levels": LEVELS} for key in criteria]}


def add_template(session: Session, version: int = 1,
                 criteria: tuple[str, ...] = CRITERIA) -> TemplateVersion:
    row = TemplateVersion(template_id=TEMPLATE, version=version,
                          achievement={"name": "Customer Care", "description": "Helps people"},
                          rubric=rubric(version, criteria))
    session.add(row)
    session.flush()
    return row


def store_file(session: Session, blob_dir: Path, data: bytes, media_type: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(blob_dir, sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, size=len(data), media_type=media_type))
        session.flush()
    return sha


def add_submission(session: Session, blob_dir: Path, learner_id: str, *,
                   assessor_id: str | None = None, version: int = 1,
                   files: list[tuple[str, bytes, str]] | None = None,
                   state: str = "pending", sampled: bool = False,
                   narrative: str = "What I did at work.") -> Submission:
    highest = session.scalar(select(func.max(Submission.status_index)))
    submission = Submission(id=str(uuid.uuid4()), learner_id=learner_id, template_id=TEMPLATE,
                            template_version=version, narrative=narrative,
                            assessor_id=assessor_id, state=state, sampled=sampled,
                            status_index=0 if highest is None else highest + 1)
    session.add(submission)
    session.flush()
    for position, (name, data, media_type) in enumerate(files or []):
        sha = store_file(session, blob_dir, data, media_type)
        session.add(Evidence(id=f"{submission.id}-e{position}", submission_id=submission.id,
                             position=position, file_name=name, media_type=media_type,
                             size=len(data), sha256=sha, description=f"about {name}"))
    record_change(session, submission, "received")
    return submission


def reassign(session: Session, submission_id: str, assessor_id: str | None) -> None:
    """What an assignment does: a new assessor, a new revision, a numbered change."""
    submission = session.get(Submission, submission_id)
    assert submission is not None
    submission.assessor_id = assessor_id
    submission.revision += 1
    record_change(session, submission, "assigned")


def link_mentor(session: Session, mentor_id: str, learner_id: str) -> None:
    session.add(MentorLink(mentor_id=mentor_id, learner_id=learner_id))
    session.flush()
