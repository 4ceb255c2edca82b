"""The desktop's sync API: changes since a cursor, evidence by sha256, and pushes.

Every endpoint is for assessors, mentors and moderators (learners and admins get 403), and
each sees only its own slice (``assessor.hub.visibility``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from starlette.types import Message

from assessor.hub.blobs import blob_path, is_sha256
from assessor.hub.context import CallerDep, HubDep
from assessor.hub.errors import HubError, not_found
from assessor.hub.evidence_download import evidence_response
from assessor.hub.models import Blob, Evidence, Submission
from assessor.hub.push_models import Push, PushAnswer
from assessor.hub.pushes import apply_push
from assessor.hub.sync_feed import DEFAULT_LIMIT, MAX_LIMIT, changes_page
from assessor.hub.sync_schema import ChangesPage
from assessor.hub.visibility import require_sync_role, visible_to

log = logging.getLogger("assessor.hub.sync")

MAX_PUSH_BYTES = 1024 * 1024
MAX_CURSOR = 2**31 - 1
"""Change numbers are INTEGER (32-bit on PostgreSQL): a larger cursor is refused (422)
rather than passed to the database, which answered it with a 500 (SQLite overflowed past
2**63, PostgreSQL past 2**31)."""


class CappedBodyRoute(APIRoute):
    """Refuses a request body over ``MAX_PUSH_BYTES`` (413) before it is parsed, whether or
    not the client announced its length."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def capped(request: Request) -> Response:
            too_big = HubError(413, "too_large", f"A push is at most {MAX_PUSH_BYTES} bytes.")
            declared = request.headers.get("content-length")
            if declared is not None and (not declared.isdigit()
                                         or int(declared) > MAX_PUSH_BYTES):
                raise too_big
            chunks: list[bytes] = []
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_PUSH_BYTES:
                    raise too_big
                chunks.append(chunk)
            body = b"".join(chunks)
            sent = False
            receive = request.receive

            async def replay() -> Message:
                nonlocal sent
                if sent:
                    return await receive()  # e.g. the client going away
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            return await handler(Request(request.scope, replay))

        return capped


router = APIRouter(prefix="/api/v1", tags=["sync"])
push_router = APIRouter(route_class=CappedBodyRoute)


@router.get("/changes", response_model=ChangesPage,
            summary="What changed since a cursor, for this user")
def changes(caller: CallerDep, hub: HubDep,
            cursor: Annotated[int, Query(ge=0, le=MAX_CURSOR,
                                         description="The last `next_cursor` stored; "
                                         "0 to start")] = 0,
            limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT) -> Response:
    """The submissions this caller can see that changed after `cursor`, oldest change
    first, each whole (learner, template reference, evidence, judgments, the feedback this
    caller may read, decisions), with the template versions they use, and `removed`: the
    submissions that left the caller's view. Store `next_cursor` once a page is applied; a
    pull that stops part-way restarts from there and gets exactly the rest.

    An assessor sees their assigned submissions, a mentor their learners' submissions, a
    moderator the sampled ones (with their own blind second marks); learners and admins
    get 403. Every page carries the organisation's `moderation` rule, so a desktop knows
    before deciding whether an approval waits for a moderator."""
    require_sync_role(caller)
    with hub.db.transaction() as session:
        return JSONResponse(changes_page(session, caller, cursor, limit))


@router.head("/evidence/{sha256}", include_in_schema=False)
@router.get("/evidence/{sha256}", summary="Evidence bytes by sha256 (Range, ETag; HEAD too)",
            response_class=Response,
            responses={200: {"description": "The whole file"},
                       206: {"description": "The byte range asked for"},
                       304: {"description": "Not modified (If-None-Match matched)"},
                       404: {"description": "No evidence with this digest you can see"},
                       416: {"description": "The range lies outside the file"}})
def evidence(sha256: str, request: Request, caller: CallerDep, hub: HubDep) -> Response:
    """The evidence file whose sha256 is given, if a submission the caller can see holds
    it (otherwise 404, whether or not it exists). `ETag` is the quoted sha256;
    `Range: bytes=a-b`, `bytes=a-` and `bytes=-n` give 206 with `Content-Range` (416 past
    the end); `If-None-Match` gives 304; `If-Range` with the ETag resumes safely."""
    require_sync_role(caller)
    digest = sha256.lower()
    missing = not_found("There is no evidence with this digest that you can see.")
    if not is_sha256(digest):
        raise missing
    with hub.db.transaction() as session:
        allowed = session.scalar(select(exists().where(
            Evidence.sha256 == digest, Evidence.submission_id == Submission.id,
            visible_to(caller))))
        blob = session.get(Blob, digest) if allowed else None
        if blob is None:
            raise missing
        size, media_type = blob.size, blob.media_type
    path = blob_path(hub.config.blob_dir, digest)
    if not path.is_file():
        log.error("evidence %s is in the database but not on disk", digest[:12])
        raise not_found("This evidence file is missing on the hub; tell its administrator.")
    return evidence_response(path, digest, size, media_type,
                             {k.lower(): v for k, v in request.headers.items()},
                             head_only=request.method == "HEAD")


@push_router.post("/push", response_model=PushAnswer,
                  summary="Push one change from the desktop's outbox",
                  responses={403: {"description": "The role may not push this kind"},
                             404: {"description": "No such submission you can see"},
                             409: {"description": "stale_revision (with the hub's copy as "
                                   "`error.submission`), client_id_reused or duplicate_id"},
                             413: {"description": "The push is too large"},
                             422: {"description": "Invalid, or refused by the rubric or the "
                                   "workflow"}})
def push(body: Annotated[Push, Body()], caller: CallerDep, hub: HubDep) -> Response:
    """Apply one judgment, feedback note, decision, moderator's second mark or moderation
    outcome, in one transaction.

    * `client_id` makes it idempotent: the same push again answers what it answered the
      first time (header `Idempotent-Replay: true`) and applies nothing; the same id with a
      different push is 409 `client_id_reused`.
    * `base_revision` is the submission revision the change was made on; if the hub's
      moved on, the answer is 409 `stale_revision` with the hub's copy in
      `error.submission`, and nothing is written. The answer carries the new `revision`:
      base the next push to the same submission on it.
    * Roles: an assessor pushes judgments, feedback and decisions on their assigned
      submissions; a mentor only feedback on their learners' submissions; a moderator
      feedback, blind second marks (`second_mark`, while the decision awaits moderation)
      and moderation outcomes on sampled submissions, never on their own decisions.
    * A decision moves the state (approved, resubmission requested, or awaiting
      moderation when the organisation's sampling picks it: the assessor's first N
      approvals, a deterministic per-submission draw at the sampling rate, a submission
      sampled before, or a desktop that applied the same rule and sent `moderation: true`);
      a moderation outcome agrees (approved) or returns it (in review, with the comment
      added to the submission's internal notes for the assessor).
    """
    try:
        with hub.db.transaction() as session:
            answer, replayed = apply_push(session, caller, body)
    except IntegrityError:
        raise HubError(409, "client_id_reused", "This client id or note id was used by a "
                       "push that was applied at the same moment; nothing was written.") \
            from None
    headers = {"Idempotent-Replay": "true"} if replayed else {}
    return JSONResponse(answer, headers=headers)


router.include_router(push_router)
