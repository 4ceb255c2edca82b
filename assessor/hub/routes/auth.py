"""Sign-in and sign-out: bearer tokens per user and device, stored hashed.

A desktop signs in with a password, or once with an enrolment code from the administrator
(its token may then enrol the user's signing key). ``GET /me`` tells a desktop who it is
and which organisation it issues for, so it can configure itself after signing in.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.hub.context import CallerDep, HubDep, token_hash
from assessor.hub.enrolment_codes import redeem_code
from assessor.hub.errors import HubError, unauthorised
from assessor.hub.models import Organisation, Token, User
from assessor.hub.passwords import check_password
from assessor.hub.publication import status_list_url
from assessor.hub.self_enrolment import organisation_info

router = APIRouter(prefix="/api/v1", tags=["sign-in"])


class SignIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=1, max_length=1000)
    enrolment_code: str | None = Field(
        default=None, min_length=1, max_length=100,
        description="A one-time code from the administrator, instead of the password: the "
                    "token it gives may enrol the user's signing key")
    device: str = Field(default="unnamed device", min_length=1, max_length=200)


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str


class OrganisationOut(BaseModel):
    name: str
    did: str = Field(description="The organisation's did:web: the issuer of its credentials")
    url: str = Field(description="The organisation's web site")


class MeOut(UserOut):
    organisation: OrganisationOut | None = Field(
        description="Who this hub issues for (null until the organisation is created)")
    status_list: str | None = Field(
        description="The absolute URL of the hub's Bitstring Status List credential")
    may_enrol_keys: bool = Field(
        description="This token came from an enrolment code and may enrol signing keys")


class SessionOut(BaseModel):
    token: str
    expires_at: datetime
    may_enrol_keys: bool = Field(
        description="True when signed in with an enrolment code: the token may enrol the "
                    "user's signing key (POST /api/v1/me/keys)")
    user: UserOut


def issue_token(session: Session, user_id: str, device: str, days: int, *,
                may_enrol_keys: bool = False) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days)
    session.add(Token(token_hash=token_hash(token), user_id=user_id, device=device,
                      expires_at=expires, may_enrol_keys=may_enrol_keys))
    return token, expires


def _password_user(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.password_hash \
            or not check_password(password, user.password_hash):
        raise unauthorised("The user name or password is wrong.")
    return user


@router.post("/sessions", response_model=SessionOut, status_code=201,
             summary="Sign in: a bearer token for this user on this device",
             description="Send `username` and exactly one of `password` or `enrolment_code`. "
                         "An enrolment code works once; its token may enrol the user's "
                         "signing key.",
             responses={401: {"description": "wrong user name or password, or an enrolment "
                                             "code that is wrong, used or expired"},
                        429: {"description": "too many failed sign-ins for this user name "
                                             "lately; Retry-After says when to try again"},
                        422: {"description": "neither or both of password and "
                                             "enrolment_code"}})
def sign_in(body: SignIn, hub: HubDep) -> SessionOut:
    if (body.password is None) == (body.enrolment_code is None):
        raise HubError(422, "invalid_request", "The request needs either password or "
                       "enrolment_code (exactly one) to sign in.")
    hub.sign_ins.check(body.username)
    with hub.db.transaction() as session:
        try:
            if body.enrolment_code is not None:
                user = redeem_code(session, body.username, body.enrolment_code)
            else:
                assert body.password is not None
                user = _password_user(session, body.username, body.password)
        except HubError as exc:
            if exc.status == 401:
                hub.sign_ins.failed(body.username)
            raise
        hub.sign_ins.succeeded(body.username)
        with_code = body.enrolment_code is not None
        token, expires = issue_token(session, user.id, body.device, hub.config.token_days,
                                     may_enrol_keys=with_code)
        return SessionOut(token=token, expires_at=expires, may_enrol_keys=with_code,
                          user=UserOut(id=user.id, username=user.username,
                                       display_name=user.display_name, role=user.role))


@router.delete("/sessions/current", status_code=204, summary="Sign out: revoke this token")
def sign_out(caller: CallerDep, hub: HubDep) -> Response:
    with hub.db.transaction() as session:
        token = session.get(Token, caller.token_hash)
        if token is not None and token.revoked_at is None:
            token.revoked_at = datetime.now(UTC)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut,
            summary="Who this token belongs to, and the organisation it issues for")
def me(caller: CallerDep, hub: HubDep) -> MeOut:
    with hub.db.transaction() as session:
        org = session.get(Organisation, 1)
        return MeOut(id=caller.user_id, username=caller.username,
                     display_name=caller.display_name, role=caller.role,
                     organisation=OrganisationOut(**organisation_info(org)) if org else None,
                     status_list=status_list_url(org.public_url) if org else None,
                     may_enrol_keys=caller.may_enrol_keys)
