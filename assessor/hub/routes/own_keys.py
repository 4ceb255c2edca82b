"""A desktop user's own signing keys: enrol the key made on first sign-in, list them.

Both answer with what the desktop needs to issue as the organisation (see
``assessor.hub.self_enrolment``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from assessor.hub.context import CallerDep, HubDep
from assessor.hub.errors import conflict
from assessor.hub.self_enrolment import enrol_own_keys, issuing_answer, own_keys

router = APIRouter(prefix="/api/v1/me", tags=["signing keys"])

ISSUING = ("`issuer` (id: the organisation's did:web, name, url), `verification_method` "
           "(as the hub's DID document lists the key), `status_list` (absolute URL of the "
           "status list credential) and `keys`.")


@router.post("/keys", summary="Enrol your own signing key (what `keys export-public` prints)",
             description="Allowed for assessors and mentors whose token came from an "
                         "enrolment code, or who have no active key yet. Answers " + ISSUING,
             responses={200: {"description": "every key sent was enrolled for you already"},
                        201: {"description": "enrolled"},
                        400: {"description": "not an Ed25519 public key document"},
                        403: {"description": "another key needs an enrolment code, or a role "
                                             "without signing keys"},
                        409: {"description": "the key is another user's, or was revoked"}})
def enrol_mine(caller: CallerDep, hub: HubDep,
               document: list[Any] | dict[str, Any] = Body(  # noqa: B008
                   description="The JSON printed by `python main.py keys export-public`")
               ) -> JSONResponse:
    try:
        with hub.db.transaction() as session:
            enrolled = enrol_own_keys(session, caller, document)
            answer = issuing_answer(session, caller, enrolled.keys)
    except IntegrityError:
        raise conflict("This key was enrolled meanwhile; ask for your keys again.") from None
    return JSONResponse(answer, status_code=201 if enrolled.created else 200)


@router.get("/keys", summary="Your enrolled signing keys and how to issue with them",
            description="Answers " + ISSUING + " Revoked keys are listed with `revoked_at`.")
def list_mine(caller: CallerDep, hub: HubDep) -> dict[str, Any]:
    with hub.db.transaction() as session:
        return issuing_answer(session, caller, own_keys(session, caller))
