"""The organisation's people, as an administrator manages them: listing, deactivating,
new passwords, mentors attached to learners. (Creating a user is
``assessor.hub.organisation.add_user``.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from assessor.hub.changes import record_change, record_removal
from assessor.hub.errors import HubError, bad_request, not_found
from assessor.hub.models import ROLES, EnrolmentCode, MentorLink, Submission, Token, User
from assessor.hub.passwords import hash_password

MIN_PASSWORD = 4
MAX_PASSWORD = 1000


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD:
        raise bad_request(f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
                          "bad_password")


def find_user(session: Session, who: str) -> User:
    """A user by id or user name."""
    user = session.scalar(select(User).where(or_(User.id == who, User.username == who))
                          .order_by((User.id == who).desc()).limit(1))
    if user is None:
        raise not_found(f"There is no user {who[:200]!r}.")
    return user


def find_user_with_role(session: Session, who: str, role: str) -> User:
    user = find_user(session, who)
    if user.role != role:
        raise bad_request(f"{user.username!r} is a {user.role}, not a {role}.", "wrong_role")
    return user


def list_users(session: Session, role: str | None = None) -> list[User]:
    query = select(User).order_by(User.role, User.username)
    if role is not None:
        if role not in ROLES:
            raise bad_request(f"{role!r} is not a role; the roles are {', '.join(ROLES)}.")
        query = query.where(User.role == role)
    return list(session.scalars(query))


def revoke_tokens(session: Session, user_id: str) -> None:
    session.execute(update(Token).where(Token.user_id == user_id, Token.revoked_at.is_(None))
                    .values(revoked_at=datetime.now(UTC)))


def deactivate_user(session: Session, who: str) -> User:
    """The user can no longer sign in; their tokens stop working at once and their unused
    enrolment codes are dropped (reactivating them does not bring those back)."""
    user = find_user(session, who)
    user.active = False
    revoke_tokens(session, user.id)
    session.execute(delete(EnrolmentCode).where(EnrolmentCode.user_id == user.id,
                                                EnrolmentCode.used_at.is_(None)))
    return user


def reactivate_user(session: Session, who: str) -> User:
    user = find_user(session, who)
    user.active = True
    return user


def reset_password(session: Session, who: str, password: str) -> User:
    """A new password; the user's devices must sign in again with it."""
    check_new_password(password)
    user = find_user(session, who)
    user.password_hash = hash_password(password)
    revoke_tokens(session, user.id)
    return user


def _submissions_of(session: Session, learner_id: str) -> list[Submission]:
    return list(session.scalars(select(Submission).where(Submission.learner_id == learner_id)
                                .order_by(Submission.submitted_at, Submission.id)))


def attach_mentor(session: Session, mentor: str, learner: str) -> tuple[User, User]:
    """The mentor sees the learner's submissions from now on: each is recorded as changed,
    so the mentor's next pull brings the ones submitted before, whatever its cursor."""
    mentor_user = find_user_with_role(session, mentor, "mentor")
    learner_user = find_user_with_role(session, learner, "learner")
    if session.get(MentorLink, (mentor_user.id, learner_user.id)) is None:
        session.add(MentorLink(mentor_id=mentor_user.id, learner_id=learner_user.id))
        session.flush()
        for submission in _submissions_of(session, learner_user.id):
            record_change(session, submission, "mentor_attached")
    return mentor_user, learner_user


def detach_mentor(session: Session, mentor: str, learner: str) -> None:
    """The mentor no longer sees the learner's submissions: their next pull lists each one
    as removed (other people's desktops hear nothing)."""
    mentor_user = find_user_with_role(session, mentor, "mentor")
    learner_user = find_user_with_role(session, learner, "learner")
    link = session.get(MentorLink, (mentor_user.id, learner_user.id))
    if link is None:
        raise HubError(404, "not_found", f"{mentor_user.username!r} is not a mentor of "
                                         f"{learner_user.username!r}.")
    session.delete(link)
    for submission in _submissions_of(session, learner_user.id):
        record_removal(session, submission.id, "mentor_detached", mentor_user.id)


def mentors_of(session: Session, learner_ids: list[str]) -> dict[str, list[str]]:
    """Learner id -> user names of their mentors."""
    rows = session.execute(select(MentorLink.learner_id, User.username)
                           .join(User, User.id == MentorLink.mentor_id)
                           .where(MentorLink.learner_id.in_(learner_ids))
                           .order_by(User.username)).all()
    found: dict[str, list[str]] = {}
    for learner_id, username in rows:
        found.setdefault(learner_id, []).append(username)
    return found


def user_json(user: User, mentors: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": user.id, "username": user.username,
                           "display_name": user.display_name, "email": user.email,
                           "role": user.role, "active": user.active,
                           "created_at": user.created_at.isoformat()}
    if user.role == "learner":
        out["mentors"] = mentors or []
    return out
