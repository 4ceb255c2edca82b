"""Administration: the organisation, credential templates, people, mentors, assignments,
assessors' keys and the moderation sampling rate. Administrators only (403 for anyone
else); ``python main.py hub admin ...`` does the same on the database directly.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assessor.hub import accounts, assignment, enrolment_codes, key_enrolment
from assessor.hub.context import Caller, CallerDep, HubDep, require_role
from assessor.hub.errors import HubError, conflict
from assessor.hub.models import ROLES, Submission
from assessor.hub.organisation import add_user, create_organisation, get_organisation
from assessor.hub.submission_intake import evidence_of, submission_json
from assessor.hub.templates import publish_template, template_json, template_versions

router = APIRouter(prefix="/api/v1/admin", tags=["administration"])


def _admin(caller: Caller) -> None:
    require_role(caller, "admin")


class OrganisationIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    url: str = Field(min_length=1, max_length=1000)
    public_url: str | None = Field(default=None, max_length=1000,
                                   description="Default: the hub's configured public URL")


class ModerationIn(BaseModel):
    rate: float = Field(ge=0.0, le=1.0, description="Share of decisions sampled (0..1)")


class FirstDecisionsIn(BaseModel):
    first_n: int = Field(ge=0, le=10_000, description="Every assessor's first N approvals "
                         "are moderated (0: none)")


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    role: str = Field(description=f"One of {', '.join(ROLES)}")
    password: str = Field(default="", max_length=accounts.MAX_PASSWORD)
    display_name: str = Field(default="", max_length=300)
    email: str = Field(default="", max_length=320)


class PasswordIn(BaseModel):
    password: str = Field(min_length=1, max_length=accounts.MAX_PASSWORD)


class EnrolmentCodeIn(BaseModel):
    days: int = Field(default=enrolment_codes.DEFAULT_DAYS, ge=1, le=enrolment_codes.MAX_DAYS,
                      description="How long the code works")


class MentorIn(BaseModel):
    mentor: str = Field(min_length=1, max_length=200, description="Mentor id or user name")
    learner: str = Field(min_length=1, max_length=200, description="Learner id or user name")


class AssignIn(BaseModel):
    assessor: str | None = Field(default=None, max_length=200,
                                 description="Assessor id or user name; null unassigns")


def organisation_json(org: Any) -> dict[str, Any]:
    return {"name": org.name, "url": org.url, "public_url": org.public_url, "did": org.did,
            "moderation_rate": org.moderation_rate,
            "moderation_first_n": org.moderation_first_n}


@router.post("/organisation", status_code=201, summary="Create the hub's organisation")
def create_org(body: OrganisationIn, caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        org = create_organisation(session, body.name, body.url,
                                  body.public_url or hub.config.public_url)
        return organisation_json(org)


@router.get("/organisation", summary="The organisation")
def show_org(caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        return organisation_json(get_organisation(session))


@router.put("/organisation/moderation-rate", summary="Set the moderation sampling rate")
def set_moderation_rate(body: ModerationIn, caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        org = get_organisation(session)
        org.moderation_rate = body.rate
        return organisation_json(org)


@router.put("/organisation/moderation-first-n",
            summary="Set how many first approvals of every assessor are moderated")
def set_moderation_first_n(body: FirstDecisionsIn, caller: CallerDep,
                           hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        org = get_organisation(session)
        org.moderation_first_n = body.first_n
        return organisation_json(org)


@router.post("/templates", summary="Publish a credential template and its rubric",
             responses={200: {"description": "the same content was already published"},
                        201: {"description": "a new version"},
                        400: {"description": "the template or its rubric is not valid"}})
def publish(caller: CallerDep, hub: HubDep,
            document: dict[str, Any] = Body(description="id, achievement, rubric, "  # noqa: B008
                                                        "validity_days")) -> JSONResponse:
    _admin(caller)
    try:
        with hub.db.transaction() as session:
            published = publish_template(session, document)
            answer = {**template_json(published.version), "created": published.created}
    except IntegrityError:
        raise conflict("Another version of this template was published meanwhile; "
                       "publish again.") from None
    return JSONResponse(answer, status_code=201 if published.created else 200)


@router.get("/templates", summary="The latest version of every template")
def list_templates(caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        return {"templates": [template_json(row) for row in template_versions(session)]}


@router.get("/templates/{template_id}", summary="Every version of one template")
def template_history(template_id: str, caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        return {"versions": [template_json(row)
                             for row in template_versions(session, template_id)]}


@router.post("/users", status_code=201, summary="Create a user with a role")
def create_user(body: UserIn, caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    if body.password:
        accounts.check_new_password(body.password)
    try:
        with hub.db.transaction() as session:
            user = add_user(session, body.username, body.role, password=body.password,
                            display_name=body.display_name, email=body.email)
            session.flush()
            return accounts.user_json(user)
    except IntegrityError:
        raise HubError(409, "exists", f"There is already a user called "
                                      f"{body.username!r}.") from None


@router.get("/users", summary="The organisation's people")
def list_users(caller: CallerDep, hub: HubDep,
               role: str | None = Query(default=None, max_length=20)) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        users = accounts.list_users(session, role)
        mentors = accounts.mentors_of(session, [u.id for u in users if u.role == "learner"])
        return {"users": [accounts.user_json(u, mentors.get(u.id)) for u in users]}


@router.post("/users/{user}/deactivate", summary="Deactivate a user (their tokens stop)")
def deactivate(user: str, caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    if user in (caller.user_id, caller.username):
        raise HubError(409, "self", "You cannot deactivate yourself.")
    with hub.db.transaction() as session:
        return accounts.user_json(accounts.deactivate_user(session, user))


@router.post("/users/{user}/activate", summary="Reactivate a user")
def activate(user: str, caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        return accounts.user_json(accounts.reactivate_user(session, user))


@router.put("/users/{user}/password", summary="Set a new password (devices sign in again)")
def new_password(user: str, body: PasswordIn, caller: CallerDep,
                 hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        return accounts.user_json(accounts.reset_password(session, user, body.password))


@router.post("/users/{user}/enrolment-codes", status_code=201,
             summary="A one-time enrolment code for a user's new desktop",
             description="The user signs in with it once (`POST /api/v1/sessions` with "
                         "`enrolment_code`) and may then enrol their signing key. Only its "
                         "hash is kept: hand the code over now. It replaces the user's "
                         "unused codes.",
             responses={409: {"description": "the user is deactivated"}})
def enrolment_code(user: str, caller: CallerDep, hub: HubDep,
                   body: EnrolmentCodeIn | None = None) -> dict[str, Any]:
    _admin(caller)
    days = body.days if body is not None else enrolment_codes.DEFAULT_DAYS
    with hub.db.transaction() as session:
        owner, code, expires = enrolment_codes.issue_code(session, user, days)
        return {"code": code, "expires_at": expires.isoformat(),
                "user": {"id": owner.id, "username": owner.username}}


@router.post("/mentors", status_code=201, summary="Attach a mentor to a learner")
def attach(body: MentorIn, caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        mentor, learner = accounts.attach_mentor(session, body.mentor, body.learner)
        return {"mentor": mentor.username, "learner": learner.username}


@router.delete("/mentors/{mentor}/learners/{learner}", status_code=204,
               summary="Detach a mentor from a learner")
def detach(mentor: str, learner: str, caller: CallerDep, hub: HubDep) -> Response:
    _admin(caller)
    with hub.db.transaction() as session:
        accounts.detach_mentor(session, mentor, learner)
    return Response(status_code=204)


@router.get("/submissions", summary="Submissions, optionally only the unassigned ones")
def list_submissions(caller: CallerDep, hub: HubDep, unassigned: bool = False,
                     limit: int = Query(default=200, ge=1, le=1000)) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        query = select(Submission).order_by(Submission.submitted_at.desc(), Submission.id)
        if unassigned:
            query = query.where(Submission.assessor_id.is_(None))
        rows = list(session.scalars(query.limit(limit)))
        evidence = evidence_of(session, [row.id for row in rows])
        return {"submissions": [submission_json(row, evidence[row.id]) for row in rows]}


@router.put("/submissions/{submission_id}/assessor",
            summary="Assign a submission to an assessor (or unassign it)")
def assign(submission_id: str, body: AssignIn, caller: CallerDep,
           hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        submission = assignment.assign_to(session, submission_id, body.assessor)
        return submission_json(submission, evidence_of(session, [submission.id])[submission.id])


@router.post("/assignments/round-robin",
             summary="Assign every unassigned submission round-robin over active assessors")
def round_robin(caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        assigned = assignment.assign_round_robin(session)
        return {"assigned": [{"submission_id": s.id, "assessor_id": s.assessor_id}
                             for s in assigned]}


@router.post("/users/{user}/keys", status_code=201,
             summary="Enrol an assessor's (or mentor's) public key(s), as `keys export-public` "
                     "prints them")
def enrol(user: str, caller: CallerDep, hub: HubDep,
          document: list[Any] | dict[str, Any] = Body(  # noqa: B008
              description="The JSON printed by `python main.py keys export-public`")
          ) -> dict[str, Any]:
    _admin(caller)
    try:
        with hub.db.transaction() as session:
            keys = key_enrolment.enrol_keys(session, user, document)
            owner = accounts.find_user(session, user)
            return {"keys": [key_enrolment.key_json(key, owner) for key in keys]}
    except IntegrityError:
        raise conflict("This key was enrolled meanwhile; look at the key list.") from None


@router.get("/keys", summary="Enrolled keys (revoked ones included)")
def keys(caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        return {"keys": [key_enrolment.key_json(key, user)
                         for key, user in key_enrolment.list_keys(session)]}


@router.post("/keys/{multikey}/revoke", summary="Revoke an enrolled key")
def revoke_key(multikey: str, caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    _admin(caller)
    with hub.db.transaction() as session:
        key = key_enrolment.revoke_key(session, multikey)
        owner = accounts.find_user(session, key.user_id)
        return key_enrolment.key_json(key, owner)
