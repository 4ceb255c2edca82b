"""The organisation and its people: created by ``hub admin`` and the demo."""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.domain.moderation_sampling import DEFAULT_FIRST_N
from assessor.hub.errors import HubError, bad_request
from assessor.hub.models import ROLES, Organisation, User
from assessor.hub.passwords import hash_password


def did_web_for(public_url: str) -> str:
    """``did:web`` of a hub reached at ``public_url`` (a port is percent-encoded, a path
    becomes colon-separated segments)."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request(f"{public_url!r} is not an http(s) URL.")
    host = parts.hostname + (f"%3A{parts.port}" if parts.port else "")
    segments = [quote(s, safe="") for s in parts.path.strip("/").split("/") if s]
    return ":".join(["did:web", host, *segments])


def get_organisation(session: Session) -> Organisation:
    org = session.get(Organisation, 1)
    if org is None:
        raise HubError(409, "no_organisation",
                       "This hub has no organisation yet: run `hub admin create-org` first.")
    return org


def create_organisation(session: Session, name: str, url: str, public_url: str, *,
                        moderation_first_n: int = DEFAULT_FIRST_N) -> Organisation:
    if session.get(Organisation, 1) is not None:
        raise HubError(409, "exists", "This hub already has its organisation.")
    if not name.strip():
        raise bad_request("The organisation needs a name.")
    org = Organisation(id=1, name=name.strip(), url=url, public_url=public_url.rstrip("/"),
                       did=did_web_for(public_url), moderation_rate=0.0,
                       moderation_first_n=moderation_first_n, next_assessor=0)
    session.add(org)
    return org


def add_user(session: Session, username: str, role: str, *, password: str = "",
             display_name: str = "", email: str = "", user_id: str | None = None) -> User:
    if role not in ROLES:
        raise bad_request(f"{role!r} is not a role; the roles are {', '.join(ROLES)}.")
    name = username.strip()
    if not name or len(name) > 200 or any(ord(ch) < 32 for ch in name):
        raise bad_request("A user name is 1 to 200 printable characters.")
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise HubError(409, "exists", f"There is already a user called {name!r}.")
    user = User(id=user_id or str(uuid.uuid4()), username=name, role=role,
                display_name=display_name.strip() or name, email=email.strip(),
                password_hash=hash_password(password) if password else "", active=True)
    session.add(user)
    return user
