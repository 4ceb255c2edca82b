"""What every request can reach (the database, the configuration) and who is calling."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from assessor.hub.config import HubConfig
from assessor.hub.database import HubDatabase
from assessor.hub.errors import HubError, forbidden, unauthorised
from assessor.hub.models import Token, User
from assessor.hub.sign_in_throttle import SignInThrottle


@dataclass
class Hub:
    config: HubConfig
    db: HubDatabase
    sign_ins: SignInThrottle = field(init=False)

    def __post_init__(self) -> None:
        self.sign_ins = SignInThrottle(self.config.sign_in_attempts,
                                       self.config.sign_in_window_seconds)


@dataclass(frozen=True)
class Caller:
    """The signed-in user behind a request."""

    user_id: str
    username: str
    display_name: str
    role: str
    token_hash: str
    may_enrol_keys: bool = False
    """The token came from an enrolment code: it may enrol the user's signing keys."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


HubDep = Annotated[Hub, Depends(get_hub)]


def get_caller(request: Request, hub: HubDep) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorised()
    digest = token_hash(token.strip())
    with hub.db.transaction() as session:
        row = session.execute(
            select(Token, User).join(User, User.id == Token.user_id)
            .where(Token.token_hash == digest)
        ).first()
        if row is None:
            raise unauthorised("This token is not known to the hub; sign in again.")
        token_row, user = row
        if token_row.revoked_at is not None:
            raise HubError(401, "token_revoked", "This token was revoked; sign in again.")
        if token_row.expires_at.astimezone(UTC) <= datetime.now(UTC):
            raise HubError(401, "token_expired", "This token has expired; sign in again.")
        if not user.active:
            raise HubError(401, "account_disabled", "This account is disabled.")
        return Caller(user.id, user.username, user.display_name, user.role, digest,
                      may_enrol_keys=token_row.may_enrol_keys)


CallerDep = Annotated[Caller, Depends(get_caller)]


def require_role(caller: Caller, *roles: str) -> None:
    if caller.role not in roles:
        raise forbidden(f"A {caller.role} cannot do this; it needs the role "
                        f"{' or '.join(roles)}.")
