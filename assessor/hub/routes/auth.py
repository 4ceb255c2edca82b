"""Sign-in and sign-out: bearer tokens per user and device, stored hashed."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from assessor.hub.context import CallerDep, HubDep
from assessor.hub.errors import unauthorised
from assessor.hub.models import Token, User
from assessor.hub.passwords import check_password

router = APIRouter(prefix="/api/v1", tags=["sign-in"])


class SignIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    device: str = Field(default="unnamed device", min_length=1, max_length=200)


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str


class SessionOut(BaseModel):
    token: str
    expires_at: datetime
    user: UserOut


def issue_token(session: object, user_id: str, device: str, days: int) -> tuple[str, datetime]:
    from sqlalchemy.orm import Session

    from assessor.hub.context import token_hash

    assert isinstance(session, Session)
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days)
    session.add(Token(token_hash=token_hash(token), user_id=user_id, device=device,
                      expires_at=expires))
    return token, expires


@router.post("/sessions", response_model=SessionOut, status_code=201,
             summary="Sign in: a bearer token for this user on this device")
def sign_in(body: SignIn, hub: HubDep) -> SessionOut:
    with hub.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == body.username))
        if user is None or not user.active or not user.password_hash \
                or not check_password(body.password, user.password_hash):
            raise unauthorised("The user name or password is wrong.")
        token, expires = issue_token(session, user.id, body.device, hub.config.token_days)
        return SessionOut(token=token, expires_at=expires,
                          user=UserOut(id=user.id, username=user.username,
                                       display_name=user.display_name, role=user.role))


@router.delete("/sessions/current", status_code=204, summary="Sign out: revoke this token")
def sign_out(caller: CallerDep, hub: HubDep) -> Response:
    with hub.db.transaction() as session:
        token = session.get(Token, caller.token_hash)
        if token is not None and token.revoked_at is None:
            token.revoked_at = datetime.now(UTC)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut, summary="Who this token belongs to")
def me(caller: CallerDep) -> UserOut:
    return UserOut(id=caller.user_id, username=caller.username,
                   display_name=caller.display_name, role=caller.role)
