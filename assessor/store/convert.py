"""Between ORM records and frozen domain values (both directions)."""

from __future__ import annotations

from typing import Any

from assessor.domain.feedback import Decision, FeedbackNote, Outcome, Visibility
from assessor.domain.judgment import DocumentPin, ImagePin, Judgment, MediaPin, Pin, Rect
from assessor.domain.people import Learner, Role
from assessor.domain.rubric import Criterion, PerformanceLevel, Rubric
from assessor.domain.states import State
from assessor.domain.submission import EvidenceItem, Submission
from assessor.domain.template import Achievement, Alignment, CredentialTemplate
from assessor.store.records import (
    DecisionRecord,
    EvidenceRecord,
    FeedbackRecord,
    JudgmentRecord,
    PinRecord,
    RubricRecord,
    SubmissionRecord,
    TemplateRecord,
)


def criteria_to_json(rubric: Rubric) -> list[dict[str, Any]]:
    return [
        {
            "key": c.key,
            "title": c.title,
            "description": c.description,
            "weight": c.weight,
            "required": c.required,
            "pass_level": c.pass_level,
            "levels": [
                {"key": lv.key, "name": lv.name, "descriptor": lv.descriptor,
                 "points": lv.points}
                for lv in c.levels
            ],
        }
        for c in rubric.criteria
    ]


def criteria_from_json(data: list[dict[str, Any]]) -> tuple[Criterion, ...]:
    return tuple(
        Criterion(
            key=c["key"],
            title=c["title"],
            description=c.get("description", ""),
            weight=float(c.get("weight", 1.0)),
            required=bool(c.get("required", True)),
            pass_level=c["pass_level"],
            levels=tuple(
                PerformanceLevel(lv["key"], lv["name"], lv.get("descriptor", ""),
                                 float(lv["points"]))
                for lv in c["levels"]
            ),
        )
        for c in data
    )


def rubric_record(rubric: Rubric) -> RubricRecord:
    return RubricRecord(
        key=rubric.key, version=rubric.version, title=rubric.title,
        cut_score=rubric.cut_score, criteria=criteria_to_json(rubric), tags=list(rubric.tags),
    )


def rubric_value(record: RubricRecord) -> Rubric:
    return Rubric(
        key=record.key, version=record.version, title=record.title,
        criteria=criteria_from_json(record.criteria), cut_score=record.cut_score,
        tags=tuple(record.tags),
    )


def template_record(template: CredentialTemplate) -> TemplateRecord:
    a = template.achievement
    return TemplateRecord(
        id=template.id, name=a.name, description=a.description,
        criteria_narrative=a.criteria_narrative, image=a.image, tags=list(a.tags),
        alignments=[
            {"target_name": al.target_name, "target_url": al.target_url,
             "target_framework": al.target_framework, "target_code": al.target_code}
            for al in a.alignments
        ],
        rubric_key=template.rubric_key, rubric_version=template.rubric_version,
        validity_days=template.validity_days,
    )


def template_value(record: TemplateRecord) -> CredentialTemplate:
    return CredentialTemplate(
        id=record.id,
        achievement=Achievement(
            name=record.name, description=record.description,
            criteria_narrative=record.criteria_narrative, image=record.image,
            tags=tuple(record.tags),
            alignments=tuple(Alignment(**al) for al in record.alignments),
        ),
        rubric_key=record.rubric_key, rubric_version=record.rubric_version,
        validity_days=record.validity_days,
    )


def submission_row(sub: Submission) -> dict[str, Any]:
    """Column values of a submission, for ORM construction and bulk inserts alike."""
    return {
        "id": sub.id, "learner_id": sub.learner.id, "learner_name": sub.learner.name,
        "learner_email": sub.learner.email, "template_id": sub.template_id,
        "rubric_key": sub.rubric_key, "rubric_version": sub.rubric_version,
        "attempt": sub.attempt, "previous_attempt_id": sub.previous_attempt_id,
        "narrative": sub.narrative, "submitted_at": sub.submitted_at, "due_at": sub.due_at,
        "assigned_to": sub.assigned_to, "state": sub.state.value, "revision": sub.revision,
    }


def evidence_row(item: EvidenceItem, position: int) -> dict[str, Any]:
    return {
        "item_id": item.id, "position": position, "file_name": item.file_name,
        "media_type": item.media_type, "size": item.size, "sha256": item.sha256,
        "description": item.description,
    }


def submission_value(record: SubmissionRecord) -> Submission:
    return Submission(
        id=record.id,
        learner=Learner(record.learner_id, record.learner_name, record.learner_email),
        template_id=record.template_id, rubric_key=record.rubric_key,
        rubric_version=record.rubric_version, attempt=record.attempt,
        submitted_at=record.submitted_at, narrative=record.narrative,
        evidence=tuple(evidence_value(e) for e in record.evidence),
        due_at=record.due_at, assigned_to=record.assigned_to,
        previous_attempt_id=record.previous_attempt_id, state=State(record.state),
        revision=record.revision,
    )


def evidence_value(record: EvidenceRecord) -> EvidenceItem:
    return EvidenceItem(
        id=record.item_id, file_name=record.file_name, media_type=record.media_type,
        size=record.size, sha256=record.sha256, description=record.description,
    )


def pin_row(pin: Pin, position: int) -> dict[str, Any]:
    """Column values of a pin (without the judgment it belongs to)."""
    row: dict[str, Any] = {"position": position, "evidence_id": pin.evidence_id,
                           "note": pin.note, "page": None, "x": None, "y": None,
                           "width": None, "height": None, "start_ms": None, "end_ms": None}
    if isinstance(pin, MediaPin):
        return row | {"kind": "media", "start_ms": pin.start_ms, "end_ms": pin.end_ms}
    row |= {"x": pin.rect.x, "y": pin.rect.y, "width": pin.rect.width,
            "height": pin.rect.height}
    if isinstance(pin, DocumentPin):
        return row | {"kind": "document", "page": pin.page}
    return row | {"kind": "image"}


def pin_value(record: PinRecord) -> Pin:
    if record.kind == "media":
        return MediaPin(record.evidence_id, record.start_ms or 0, record.end_ms or 0,
                        record.note)
    rect = Rect(record.x or 0.0, record.y or 0.0, record.width or 0.0, record.height or 0.0)
    if record.kind == "document":
        return DocumentPin(record.evidence_id, record.page or 0, rect, record.note)
    return ImagePin(record.evidence_id, rect, record.note)


def pin_json(pin: Pin) -> dict[str, Any]:
    """The pin as the outbox sends it to the hub."""
    data: dict[str, Any] = {"evidence": pin.evidence_id, "note": pin.note}
    if isinstance(pin, MediaPin):
        data.update(kind="media", start_ms=pin.start_ms, end_ms=pin.end_ms)
        return data
    data["kind"] = "document" if isinstance(pin, DocumentPin) else "image"
    if isinstance(pin, DocumentPin):
        data["page"] = pin.page
    data["rect"] = [pin.rect.x, pin.rect.y, pin.rect.width, pin.rect.height]
    return data


def judgment_value(record: JudgmentRecord, submission_id: str) -> Judgment:
    return Judgment(
        submission_id=submission_id, criterion_key=record.criterion_key,
        level_key=record.level_key, author=record.author, at=record.at,
        comment=record.comment, pins=tuple(pin_value(p) for p in record.pins),
        revision=record.revision,
    )


def feedback_value(record: FeedbackRecord, submission_id: str) -> FeedbackNote:
    return FeedbackNote(
        id=record.id, submission_id=submission_id, author=record.author,
        role=Role(record.role), visibility=Visibility(record.visibility), body=record.body,
        at=record.at, criterion_key=record.criterion_key, parent_id=record.parent_id,
    )


def decision_value(record: DecisionRecord, submission_id: str) -> Decision:
    return Decision(
        id=record.id, submission_id=submission_id, outcome=Outcome(record.outcome),
        author=record.author, at=record.at, total=record.total, mastered=record.mastered,
        note=record.note,
    )
