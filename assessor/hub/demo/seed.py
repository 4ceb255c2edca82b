"""Write the demo organisation into a hub's database and blob store, once.

Seeding is idempotent: a hub that already holds the demo organisation is left as it is
(only its public URL follows the address it is served on), and a hub that holds another
organisation is refused, so the demo never mixes into real data.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessor.domain.feedback import Outcome, Visibility
from assessor.domain.rubric import Rubric
from assessor.domain.template import CredentialTemplate
from assessor.errors import UserFacingError
from assessor.hub.blobs import blob_path
from assessor.hub.changes import record_change
from assessor.hub.config import HubConfig
from assessor.hub.demo import organisation as demo
from assessor.hub.demo.evidence import Context, EvidenceFile, make_evidence
from assessor.hub.models import (
    Blob,
    Decision,
    Evidence,
    Feedback,
    Judgment,
    MentorLink,
    Organisation,
    Submission,
    TemplateVersion,
    User,
)
from assessor.hub.organisation import add_user, create_organisation, did_web_for
from assessor.hub.submission_intake import next_status_index
from assessor.store.convert import criteria_to_json

NAMESPACE = uuid.UUID("6f1d3c52-8f0e-4d5b-9a57-3e2b1c0d9e41")
SEED = 2024


def demo_id(kind: str, key: str) -> str:
    """A stable UUID for a demo row, so every demo hub has the same ids."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    """False when the hub already held the demo organisation."""
    submissions: int
    evidence_files: int
    evidence_bytes: int


def achievement_json(template: CredentialTemplate) -> dict[str, Any]:
    a = template.achievement
    return {"name": a.name, "description": a.description,
            "criteria_narrative": a.criteria_narrative, "image": a.image,
            "tags": list(a.tags),
            "alignments": [{"target_name": al.target_name, "target_url": al.target_url,
                            "target_framework": al.target_framework,
                            "target_code": al.target_code} for al in a.alignments]}


def rubric_json(rubric: Rubric) -> dict[str, Any]:
    return {"key": rubric.key, "version": rubric.version, "title": rubric.title,
            "cut_score": rubric.cut_score, "criteria": criteria_to_json(rubric)}


def store_blob(session: Session, blob_dir: Path, data: bytes, media_type: str) -> str:
    """Keep ``data`` content-addressed (``blobs/ab/cd/abcd…``) once; returns its sha256."""
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(blob_dir, sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{sha}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
    if session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, size=len(data), media_type=media_type))
        session.flush()
    return sha


def _refresh_address(org: Organisation, public_url: str) -> None:
    url = public_url.rstrip("/")
    if org.public_url != url:
        org.public_url = url
        org.did = did_web_for(url)


def seed_demo(session: Session, config: HubConfig, now: datetime | None = None) -> DemoSummary:
    """Seed the demo organisation into an empty hub (in the caller's transaction)."""
    org = session.get(Organisation, 1)
    if org is not None:
        if org.name != demo.DEMO_ORGANISATION:
            raise UserFacingError(
                f"This hub already holds the organisation {org.name!r}; the demo seeds only "
                "an empty hub. Give `hub demo` its own --data folder and --db.")
        _refresh_address(org, config.public_url)
        count = session.scalar(select(func.count()).select_from(Submission)) or 0
        return DemoSummary(False, count, 0, 0)

    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    create_organisation(session, demo.DEMO_ORGANISATION, demo.DEMO_ORGANISATION_URL,
                        config.public_url, moderation_first_n=0)
    users: dict[str, User] = {}
    for person in demo.DEMO_ACCOUNTS:
        users[person.username] = add_user(
            session, person.username, person.role, password=demo.DEMO_PASSWORD,
            display_name=person.display_name, email=person.email,
            user_id=demo_id("user", person.username))
    for person in demo.LEARNERS:
        users[person.username] = add_user(
            session, person.username, "learner", display_name=person.display_name,
            email=person.email, user_id=demo_id("user", person.username))
    session.flush()
    for username in demo.MENTORED:
        session.add(MentorLink(mentor_id=users["mentor"].id, learner_id=users[username].id))
    for template, rubric in demo.TEMPLATES:
        session.add(TemplateVersion(
            template_id=template.id, version=rubric.version,
            achievement=achievement_json(template), rubric=rubric_json(rubric),
            validity_days=template.validity_days, published_at=moment - timedelta(days=60)))
    session.flush()

    files = total = 0
    rows: list[Submission] = []
    status_index = next_status_index(session)
    for n, plan in enumerate(demo.SUBMISSIONS):
        learner = users[plan.learner]
        submitted = moment - timedelta(days=plan.submitted_days_ago)
        row = Submission(
            id=demo_id("submission", str(n)), learner_id=learner.id,
            template_id=plan.template_id, template_version=1, attempt=plan.attempt,
            previous_id=rows[plan.previous].id if plan.previous is not None else None,
            narrative=narrative(plan, learner.display_name), submitted_at=submitted,
            due_at=moment + timedelta(days=plan.due_in_days),
            assessor_id=users["assessor"].id, state=plan.state,
            revision=2 if plan.state == "resubmission_requested" else 1,
            status_index=status_index + n, sampled=False)
        session.add(row)
        session.flush()
        record_change(session, row, "submitted")
        for position, kind in enumerate(plan.evidence):
            ctx = Context(SEED * 1000 + n * 20 + position, learner.display_name,
                          plan.template_id, submitted, plan.attempt)
            item = make_evidence(kind, ctx)
            _attach(session, config, row, position, item, n)
            files += 1
            total += len(item.data)
        rows.append(row)
    _review_history(session, rows, users, moment)
    return DemoSummary(True, len(rows), files, total)


def _attach(session: Session, config: HubConfig, row: Submission, position: int,
            item: EvidenceFile, n: int) -> None:
    sha = store_blob(session, config.blob_dir, item.data, item.media_type)
    session.add(Evidence(id=demo_id("evidence", f"{n}:{position}"), submission_id=row.id,
                         position=position, file_name=item.file_name,
                         media_type=item.media_type, size=len(item.data), sha256=sha,
                         description=item.description))


def _review_history(session: Session, rows: list[Submission], users: dict[str, User],
                    moment: datetime) -> None:
    """What already happened on the hub: the decision and feedback behind the resubmission,
    a mentor's note, and judgments started on another device."""
    assessor = users["assessor"].id
    for n, plan in enumerate(demo.SUBMISSIONS):
        row = rows[n]
        if plan.state == "resubmission_requested":
            decided = row.submitted_at + timedelta(days=5)
            for key, (level, comment) in demo.RESUBMISSION_JUDGMENTS.items():
                session.add(Judgment(submission_id=row.id, criterion_key=key, level_key=level,
                                     comment=comment, pins=[], author_id=assessor,
                                     judged_at=decided - timedelta(hours=1)))
            session.add(Feedback(id=demo_id("feedback", f"{n}"), submission_id=row.id,
                                 author_id=assessor, visibility=Visibility.LEARNER.value,
                                 body=demo.RESUBMISSION_FEEDBACK, created_at=decided))
            session.add(Decision(id=demo_id("decision", f"{n}"), submission_id=row.id,
                                 outcome=Outcome.RESUBMIT.value, note=demo.RESUBMISSION_NOTE,
                                 author_id=assessor, decided_at=decided))
            session.flush()
            record_change(session, row, "decision")
        elif plan.learner == "aroha.ngata" and plan.template_id == demo.CULTURAL_TEMPLATE.id:
            session.add(Feedback(id=demo_id("feedback", f"{n}"), submission_id=row.id,
                                 author_id=users["mentor"].id,
                                 visibility=Visibility.LEARNER.value, body=demo.MENTOR_NOTE,
                                 created_at=moment - timedelta(days=1)))
            session.flush()
            record_change(session, row, "feedback")
        elif plan.state == "in_review" and plan.template_id == demo.STAKEHOLDER_TEMPLATE.id \
                and plan.learner == "dmitri.petrovic":
            for key, (level, comment) in demo.IN_REVIEW_JUDGMENTS.items():
                session.add(Judgment(submission_id=row.id, criterion_key=key, level_key=level,
                                     comment=comment, pins=[], author_id=assessor,
                                     judged_at=moment - timedelta(days=2)))
            session.flush()
            record_change(session, row, "judgment")


NARRATIVES = {
    demo.SOCIAL_TEMPLATE.id: (
        "I planned and ran a four-week social media campaign for a local business as part of "
        "my role in the marketing team. The attached report sets out the objectives I agreed "
        "with the owner, the content plan, how I handled comments and messages, and the "
        "results against each objective. I have included the post that performed best."),
    demo.CULTURAL_TEMPLATE.id: (
        "My evidence is a reflection on a team meeting where I realised our way of working "
        "left a new colleague out, and on what I changed afterwards. The photo is from the "
        "session where I presented the changes to the team."),
    demo.STAKEHOLDER_TEMPLATE.id: (
        "I led communication for the depot refurbishment, which affects about 140 people on "
        "three shifts. The plan shows how I mapped stakeholders and chose what each group "
        "needed to hear and how; the notes and recording show a check-in I chaired."),
}
RESUBMISSION_NARRATIVE = (
    " This is my second attempt. Following the feedback I added the tenants' association to "
    "the map and plan, wrote a separate schedule update for the site teams, and recorded the "
    "next briefing, where I confirmed the concerns raised at the previous one.")


def narrative(plan: demo.PlannedSubmission, name: str) -> str:
    text = NARRATIVES[plan.template_id]
    if plan.attempt > 1:
        text += RESUBMISSION_NARRATIVE
    return f"{text}\n\n- {name}"
