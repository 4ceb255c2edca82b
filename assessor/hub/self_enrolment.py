"""A desktop user enrols their own signing key, and learns how to issue as the organisation.

An assessor (credentials) or a mentor (endorsements) sends what ``keys export-public``
prints. It is enrolled when the token came from an enrolment code, or when the user has
no active key yet (their first sign-in, with a password). Any other new key needs an
enrolment code from the administrator: a stolen password alone must not add a key that
speaks for the organisation. Sending a key the user already holds changes nothing.

The answer carries what the desktop puts into the credentials it signs: the issuer (the
organisation's ``did:web``, name and web site), the verification method of the key (as the
hub's DID document lists it) and the status list URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.hub.context import Caller
from assessor.hub.errors import forbidden
from assessor.hub.hub_key import hub_method_id
from assessor.hub.key_enrolment import (
    KEY_ROLES,
    enrol_multikeys,
    key_json,
    public_multikeys,
)
from assessor.hub.models import EnrolledKey, Organisation, User
from assessor.hub.organisation import get_organisation
from assessor.hub.publication import status_list_url

NEEDS_CODE = ("Your account already has a signing key enrolled, so a new one needs an "
              "enrolment code: ask your administrator for one (hub admin enrolment-code), "
              "sign in with it, and enrol the key again.")


@dataclass(frozen=True)
class OwnKeys:
    keys: list[EnrolledKey]
    """The caller's keys: all of them (listing) or the ones just sent (enrolling)."""
    created: bool
    """Whether enrolling added a key (False: every key sent was enrolled already)."""


def organisation_info(org: Organisation) -> dict[str, Any]:
    """The organisation as a desktop configures itself from it."""
    return {"name": org.name, "did": org.did, "url": org.url}


def _locked_user(session: Session, user_id: str) -> User:
    """The caller's row, locked on PostgreSQL so two first enrolments take turns."""
    query = select(User).where(User.id == user_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    user = session.scalar(query)
    assert user is not None  # the caller's token was just checked
    return user


def _active_keys(session: Session, user_id: str) -> list[EnrolledKey]:
    return list(session.scalars(select(EnrolledKey).where(EnrolledKey.user_id == user_id,
                                                          EnrolledKey.revoked_at.is_(None))))


def own_keys(session: Session, caller: Caller) -> list[EnrolledKey]:
    """Every key enrolled for the caller, oldest first (revoked ones included)."""
    return list(session.scalars(select(EnrolledKey).where(EnrolledKey.user_id == caller.user_id)
                                .order_by(EnrolledKey.enrolled_at,
                                          EnrolledKey.public_key_multibase)))


def enrol_own_keys(session: Session, caller: Caller, document: Any) -> OwnKeys:
    """Enrol the active keys of ``document`` for the caller (see the module text)."""
    if caller.role not in KEY_ROLES:
        raise forbidden(f"A {caller.role} has no signing key to enrol; only an assessor or a "
                        "mentor does.")
    multikeys = public_multikeys(document)
    get_organisation(session)  # nothing to issue for without one: 409 before any write
    user = _locked_user(session, caller.user_id)
    active = {key.public_key_multibase: key for key in _active_keys(session, user.id)}
    if all(multikey in active for multikey in multikeys):
        return OwnKeys([active[multikey] for multikey in multikeys], created=False)
    if active and not caller.may_enrol_keys:
        raise forbidden(NEEDS_CODE)
    return OwnKeys(enrol_multikeys(session, user, multikeys), created=True)


def issuing_answer(session: Session, caller: Caller, keys: list[EnrolledKey]) -> dict[str, Any]:
    """What a desktop needs to issue as the organisation with ``keys``: the issuer, the
    verification method of the newest active key among them, the status list, the keys."""
    org = get_organisation(session)
    user = session.get(User, caller.user_id)
    assert user is not None
    active = [key for key in keys if key.revoked_at is None]
    newest = max(active, key=lambda key: key.enrolled_at, default=None)
    return {
        "issuer": {"id": org.did, "name": org.name, "url": org.url},
        "verification_method": (hub_method_id(org.did, newest.public_key_multibase)
                                if newest is not None else None),
        "status_list": status_list_url(org.public_url),
        "keys": [{**key_json(key, user),
                  "verification_method": hub_method_id(org.did, key.public_key_multibase)}
                 for key in keys],
    }
