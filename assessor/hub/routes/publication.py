"""Hub routes: publication.

* ``POST /api/v1/credentials``: an assessor pushes a signed credential; the hub checks it and
  publishes it.
* ``GET /credentials/{id}``: the credential as JSON, or a verification page for a browser.
* ``GET /.well-known/did.json`` (and ``/<path>/did.json`` for a hub at a path): the hub's
  DID document.
* ``GET /status/1``: the signed Bitstring Status List; ``GET /revocations``: the 1EdTech
  Revocation List.
* ``POST /api/v1/admin/credentials/{id}/revoke``: an administrator revokes a credential.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessor.credentials.verify import verify_credential
from assessor.hub.context import CallerDep, HubDep, require_role
from assessor.hub.did_document import did_document, public_path
from assessor.hub.errors import HubError, conflict, not_found
from assessor.hub.hub_key import HubKeyError
from assessor.hub.models import Organisation, PushReceipt, Submission
from assessor.hub.organisation import get_organisation
from assessor.hub.publication import (
    REVOCATION_LIST_PATH,
    STATUS_LIST_PATH,
    check_credential,
    credential_url,
    find_credential,
    publish_credential,
    revocation_list_url,
    revoke_credential,
    status_list_url,
)
from assessor.hub.status_publisher import publisher, revocation_list
from assessor.hub.verification_page import (
    CONTENT_SECURITY_POLICY,
    Revocation,
    render_verification_page,
)

log = logging.getLogger("assessor.hub")
router = APIRouter(tags=["publication"])
PUSH_KIND = "credential"
JSON_TYPES = ("application/ld+json", "application/vc+ld+json", "application/json")
DID_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/did+json": {"schema": {"type": "object"}}}}}
"""The media type the DID document is served with, as the OpenAPI document says."""


class CredentialPush(BaseModel):
    client_id: str = Field(min_length=1, max_length=100,
                           description="Client-generated id: the same push twice applies once")
    submission_id: str = Field(min_length=1, max_length=64)
    base_revision: int = Field(ge=0, description="The submission revision the push is based on")
    credential: dict[str, Any] = Field(description="The signed OpenBadgeCredential")


class SubmissionState(BaseModel):
    id: str
    state: str
    revision: int


class PublishedOut(BaseModel):
    credential_id: str
    url: str
    submission: SubmissionState


class RevokeIn(BaseModel):
    reason: str = Field(default="", max_length=1000)


class RevokedOut(BaseModel):
    credential_id: str
    revoked_at: datetime
    reason: str
    status_index: int


@contextmanager
def _hub_key_needed() -> Iterator[None]:
    """A hub without a usable key is misconfigured, which is no fault of the caller."""
    try:
        yield
    except HubKeyError as exc:
        log.error("hub signing key unavailable: %s", type(exc).__name__)
        raise HubError(503, "hub_key_unavailable", str(exc)) from None


def _state(submission: Submission) -> SubmissionState:
    return SubmissionState(id=submission.id, state=submission.state,
                           revision=submission.revision)


def push_digest(body: CredentialPush) -> str:
    """The push as sent, hashed: a replay must be byte-for-byte the same push."""
    text = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _replayed(session: Session, body: CredentialPush, user_id: str) -> dict[str, Any] | None:
    receipt = session.get(PushReceipt, body.client_id)
    if receipt is None:
        return None
    if receipt.user_id != user_id or receipt.kind != PUSH_KIND \
            or receipt.request_sha256 != push_digest(body):
        raise conflict("This client_id was already used for another push; make a new one.")
    return receipt.response


@router.post("/api/v1/credentials", status_code=201, response_model=PublishedOut,
             summary="Push a signed credential: the hub verifies it and publishes it",
             responses={403: {"description": "a key not enrolled for you (or revoked)"},
                        404: {"description": "no such submission, or not one assigned to "
                                             "you (the two answer alike)"},
                        409: {"description": "stale base_revision (with the server's copy), "
                                             "or the submission is not approved"},
                        422: {"description": "the credential does not verify, names another "
                                             "issuer, or another status list entry"}})
def push_credential(body: CredentialPush, caller: CallerDep, hub: HubDep) -> JSONResponse:
    require_role(caller, "assessor")
    try:
        with hub.db.transaction() as session:
            replay = _replayed(session, body, caller.user_id)
            if replay is not None:
                return JSONResponse(replay, status_code=201)
            org = get_organisation(session)
            submission = session.get(Submission, body.submission_id)
            if submission is None or submission.assessor_id != caller.user_id:
                # Someone else's submission answers as a missing one, as in sync: a caller
                # learns nothing about ids that are not theirs.
                raise not_found("There is no submission with this id.")
            if body.base_revision != submission.revision:
                raise conflict("The submission changed on the hub since this push was "
                               "made; sync first.",
                               {"server": _state(submission).model_dump()})
            with _hub_key_needed():
                check_credential(session, org, submission, body.credential, caller.user_id,
                                 org.public_url)
            issued = publish_credential(session, submission, body.credential)
            answer = PublishedOut(credential_id=issued.id,
                                  url=credential_url(org.public_url, issued.id),
                                  submission=_state(submission)).model_dump(mode="json")
            session.add(PushReceipt(client_id=body.client_id, user_id=caller.user_id,
                                    kind=PUSH_KIND, request_sha256=push_digest(body),
                                    response=answer))
            session.flush()
    except (IntegrityError, HubError) as exc:
        if isinstance(exc, HubError) and exc.status != 409:
            raise
        # The same push may have committed meanwhile (a retry racing the first send): then
        # its answer is this push's answer too.
        with hub.db.transaction() as session:
            replay = _replayed(session, body, caller.user_id)
        if replay is not None:
            return JSONResponse(replay, status_code=201)
        if isinstance(exc, HubError):
            raise
        raise conflict("This credential was published meanwhile by another push.") from None
    return JSONResponse(answer, status_code=201)


def _quality(accept: str, wanted: tuple[str, ...], *, wildcard: bool) -> float:
    best = 0.0
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
        major = media.split("/", 1)[0]
        if media in wanted or (media.endswith("/*") and any(w.startswith(major + "/")
                                                            for w in wanted)) \
                or (wildcard and media == "*/*"):
            best = max(best, q)
    return best


def _wants_html(request: Request) -> bool:
    if request.query_params.get("format") == "json":
        return False
    accept = request.headers.get("accept", "")
    html = _quality(accept, ("text/html", "application/xhtml+xml"), wildcard=False)
    json_q = _quality(accept, JSON_TYPES, wildcard=True) if accept else 1.0
    return html > 0 and html > json_q


def _json_type(request: Request) -> str:
    accept = request.headers.get("accept", "").lower()
    for media in JSON_TYPES:
        if media in accept:
            return media
    return "application/json"


def _status_documents(session: Session, org: Organisation) -> list[dict[str, Any]]:
    return [publisher.status_list(session, org.did, status_list_url(org.public_url)),
            revocation_list(session, org.did, revocation_list_url(org.public_url))]


@router.get("/credentials/{credential_id:path}",
            summary="A published credential: JSON, or a verification page for a browser",
            responses={200: {"content": {"application/json": {}, "text/html": {}}}})
def get_credential(credential_id: str, request: Request, hub: HubDep) -> Response:
    with hub.db.transaction() as session:
        issued = find_credential(session, credential_id)
        document = issued.document
        if not _wants_html(request):
            return JSONResponse(document, media_type=_json_type(request),
                                headers={"Vary": "Accept"})
        org = get_organisation(session)
        revocation = Revocation(issued.revoked_at, issued.revoked_reason) \
            if issued.revoked_at is not None else None
        try:
            report = verify_credential(document, documents=[did_document(session, org.did)],
                                       status_documents=_status_documents(session, org))
        except HubKeyError:
            report = None
        page = render_verification_page(
            document, report=report, revocation=revocation,
            json_url=credential_url(org.public_url, issued.id) + "?format=json")
    return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY,
                                       "X-Content-Type-Options": "nosniff",
                                       "Vary": "Accept"})


def _did_response(hub: Any, path: str | None) -> JSONResponse:
    with hub.db.transaction() as session:
        org = get_organisation(session)
        if path is not None and path.rstrip("/") != public_path(org.public_url):
            raise not_found("There is no DID document at this address.")
        with _hub_key_needed():
            document = did_document(session, org.did)
    return JSONResponse(document, media_type="application/did+json",
                        headers={"Cache-Control": "no-cache"})


@router.get("/.well-known/did.json", summary="The hub's DID document (did:web)",
            responses=DID_CONTENT)
def well_known_did(hub: HubDep) -> JSONResponse:
    return _did_response(hub, None)


@router.get("/did.json", include_in_schema=False)
def root_did(hub: HubDep) -> JSONResponse:
    """A hub at https://host/path whose proxy strips the path gets ``/did.json``."""
    return _did_response(hub, None)


@router.get("/{prefix:path}/did.json",
            summary="The hub's DID document when its public URL has a path (did:web)",
            responses=DID_CONTENT)
def path_did(prefix: str, hub: HubDep) -> JSONResponse:
    return _did_response(hub, "/" + prefix.strip("/"))


@router.get(STATUS_LIST_PATH, summary="The signed Bitstring Status List (revocation)",
            responses={200: {"content": {"application/vc+ld+json": {
                "schema": {"type": "object"}}}}})
def status_list(hub: HubDep) -> JSONResponse:
    with hub.db.transaction() as session:
        org = get_organisation(session)
        with _hub_key_needed():
            document = publisher.status_list(session, org.did, status_list_url(org.public_url))
    return JSONResponse(document, media_type="application/vc+ld+json",
                        headers={"Cache-Control": "no-cache"})


@router.get(REVOCATION_LIST_PATH, summary="The 1EdTech Revocation List")
def edtech_revocation_list(hub: HubDep) -> JSONResponse:
    with hub.db.transaction() as session:
        org = get_organisation(session)
        document = revocation_list(session, org.did, revocation_list_url(org.public_url))
    return JSONResponse(document, headers={"Cache-Control": "no-cache"})


@router.post("/api/v1/admin/credentials/{credential_id:path}/revoke",
             response_model=RevokedOut, tags=["administration"],
             summary="Revoke a published credential (flips its status list bit)")
def revoke(credential_id: str, body: RevokeIn, caller: CallerDep, hub: HubDep) -> RevokedOut:
    require_role(caller, "admin")
    with hub.db.transaction() as session:
        issued = revoke_credential(session, credential_id, body.reason)
        assert issued.revoked_at is not None
        return RevokedOut(credential_id=issued.id, revoked_at=issued.revoked_at,
                          reason=issued.revoked_reason, status_index=issued.status_index)
