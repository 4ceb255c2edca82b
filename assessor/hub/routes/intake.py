"""Learner intake: submit evidence for a credential template, resubmit, see your own
submissions.

``POST /api/v1/intake/submissions`` takes ``multipart/form-data``: ``template_id``,
``narrative``, optional ``due_at`` (ISO date) and ``previous_submission_id`` (a
resubmission), and ``files`` (repeated) with optional ``descriptions`` (repeated, in the
same order). Limits are enforced while the upload streams (413); the media type of each
file is sniffed from its bytes; files are stored once per sha256.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assessor.hub.context import CallerDep, Hub, HubDep, require_role
from assessor.hub.errors import bad_request, not_found
from assessor.hub.models import Submission
from assessor.hub.submission_intake import (
    EvidenceUpload,
    IntakeRequest,
    check_texts,
    evidence_of,
    parse_due,
    submission_json,
    take_in,
)
from assessor.hub.templates import template_json, template_versions
from assessor.hub.upload_form import UploadForm, UploadLimits, read_upload_form

router = APIRouter(prefix="/api/v1/intake", tags=["learner intake"])
ATTEMPTS = 3
"""Concurrent intakes may race for a status index or a new blob row: try again."""

INTAKE_FORM = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["template_id"],
        "properties": {
            "template_id": {"type": "string"},
            "narrative": {"type": "string", "description": "What the learner did"},
            "due_at": {"type": "string", "description": "ISO date or date-time"},
            "previous_submission_id": {"type": "string",
                                       "description": "Resubmit after this attempt"},
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
            "descriptions": {"type": "array", "items": {"type": "string"},
                             "description": "One per file, in the same order"},
        }}}}},
}


def _intake_request(form: UploadForm) -> IntakeRequest:
    descriptions = form.fields.get("descriptions", []) + form.fields.get("description", [])
    if len(descriptions) > len(form.files):
        raise bad_request("There are more descriptions than files.", "invalid_request")
    narrative = (form.first("narrative") or "").strip()
    check_texts(narrative, descriptions)
    template_id = (form.first("template_id") or "").strip()
    previous = (form.first("previous_submission_id") or "").strip() or None
    if not template_id and previous is None:
        raise bad_request("Say which credential template this is for (template_id).",
                          "invalid_request")
    if not form.files and not narrative:
        raise bad_request("A submission needs a narrative or at least one file.",
                          "invalid_request")
    return IntakeRequest(
        template_id=template_id, narrative=narrative, due_at=parse_due(form.first("due_at")),
        previous_id=previous,
        files=[EvidenceUpload(upload.file_name,
                              descriptions[n].strip() if n < len(descriptions) else "",
                              upload.incoming)
               for n, upload in enumerate(form.files)])


def _store(hub: Hub, learner_id: str, request: IntakeRequest) -> dict[str, Any]:
    for attempt in range(ATTEMPTS):
        try:
            with hub.db.transaction() as session:
                submission = take_in(session, learner_id, request)
                evidence = evidence_of(session, [submission.id])[submission.id]
                return submission_json(submission, evidence)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@router.post("/submissions", status_code=201, openapi_extra=INTAKE_FORM,
             summary="Submit evidence for a credential template (or resubmit)",
             responses={404: {"description": "unknown template or previous submission"},
                        409: {"description": "the previous attempt is not awaiting a "
                                             "resubmission, or was already resubmitted"},
                        413: {"description": "a file, the upload or a field is too large, "
                                             "or there are too many files"},
                        415: {"description": "not multipart/form-data"}})
async def submit(request: Request, caller: CallerDep, hub: HubDep) -> JSONResponse:
    require_role(caller, "learner")
    limits = UploadLimits(max_file_bytes=hub.config.max_file_bytes,
                          max_upload_bytes=hub.config.max_upload_bytes,
                          max_files=hub.config.max_files)
    form = await read_upload_form(request, hub.config.blob_dir, limits)
    try:
        intake = _intake_request(form)
        answer = await run_in_threadpool(_store, hub, caller.user_id, intake)
    finally:
        form.discard()
    return JSONResponse(answer, status_code=201)


@router.get("/submissions", summary="Your own submissions, newest first")
def my_submissions(caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    require_role(caller, "learner")
    with hub.db.transaction() as session:
        rows = list(session.scalars(select(Submission)
                                    .where(Submission.learner_id == caller.user_id)
                                    .order_by(Submission.submitted_at.desc(),
                                              Submission.id)))
        evidence = evidence_of(session, [row.id for row in rows])
        return {"submissions": [submission_json(row, evidence[row.id]) for row in rows]}


@router.get("/submissions/{submission_id}", summary="One of your submissions")
def my_submission(submission_id: str, caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    require_role(caller, "learner")
    with hub.db.transaction() as session:
        row = session.get(Submission, submission_id)
        if row is None or row.learner_id != caller.user_id:
            raise not_found("You have no submission with this id.")
        return submission_json(row, evidence_of(session, [row.id])[row.id])


@router.get("/templates", summary="The credential templates you can submit for")
def templates(caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    with hub.db.transaction() as session:
        return {"templates": [template_json(row) for row in template_versions(session)]}
