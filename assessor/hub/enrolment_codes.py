"""One-time enrolment codes: how a user signs in on a new desktop and enrols its key.

An administrator makes a code for a user (``hub admin enrolment-code USER`` or the admin
API) and hands it over out of band. The code is four groups of four characters from an
alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B): about 74 bits, so it is kept
as a plain sha256 like a bearer token. Signing in with it consumes it and gives a token
that may enrol the user's signing key. A new code replaces the user's unused ones, and
deactivating a user drops them.

Every failure to use a code reads the same (wrong, used, expired, another user's, a
deactivated user's), so a guess learns nothing about which users or codes exist.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from assessor.hub.accounts import find_user
from assessor.hub.errors import HubError, bad_request, unauthorised
from assessor.hub.models import EnrolmentCode, User

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
GROUPS = 4
GROUP_LENGTH = 4
DEFAULT_DAYS = 7
MAX_DAYS = 90
CODE_REFUSED = ("This enrolment code is not valid: it was already used or has expired (or "
                "was mistyped). Ask your administrator for a new one.")


def new_code() -> str:
    """A fresh code, e.g. ``K7QF-MX3A-RD9T-WCH4``."""
    chars = [secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH)]
    return "-".join("".join(chars[i:i + GROUP_LENGTH])
                    for i in range(0, len(chars), GROUP_LENGTH))


def normalise(code: str) -> str:
    """The code as typed, without case, spaces or dashes (so ``k7qf mx3a…`` works too)."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("utf-8")).hexdigest()


def issue_code(session: Session, who: str, days: int = DEFAULT_DAYS,
               now: datetime | None = None) -> tuple[User, str, datetime]:
    """A new code for the active user ``who`` (id or user name), valid for ``days``; the
    user's earlier unused codes stop working. Returns the user, the code and its expiry."""
    if not 1 <= days <= MAX_DAYS:
        raise bad_request(f"An enrolment code lasts 1 to {MAX_DAYS} days.", "bad_days")
    user = find_user(session, who)
    if not user.active:
        raise HubError(409, "account_disabled", f"{user.username!r} is deactivated; "
                       "reactivate the account before giving it an enrolment code.")
    moment = now or datetime.now(UTC)
    drop_unused_codes(session, user.id)
    code = new_code()
    expires = moment + timedelta(days=days)
    session.add(EnrolmentCode(code_hash=code_hash(code), user_id=user.id, created_at=moment,
                              expires_at=expires))
    session.flush()
    return user, code, expires


def drop_unused_codes(session: Session, user_id: str) -> None:
    session.execute(delete(EnrolmentCode).where(EnrolmentCode.user_id == user_id,
                                                EnrolmentCode.used_at.is_(None)))


def redeem_code(session: Session, username: str, code: str) -> User:
    """The active user ``username`` whose unused, unexpired code this is; the code is used
    up. Anything else is one and the same 401, and leaves the code as it was."""
    refused = unauthorised(CODE_REFUSED)
    if len(normalise(code)) != GROUPS * GROUP_LENGTH:
        raise refused
    digest = code_hash(code)
    moment = datetime.now(UTC)
    row = session.execute(select(EnrolmentCode, User).join(User, User.id == EnrolmentCode.user_id)
                          .where(EnrolmentCode.code_hash == digest)).first()
    if row is None:
        raise refused
    stored, user = row
    if user.username != username or not user.active or stored.used_at is not None \
            or stored.expires_at <= moment:
        raise refused
    # Used up only if still unused now: of two sign-ins racing with one code, one wins.
    taken = session.execute(update(EnrolmentCode)
                            .where(EnrolmentCode.code_hash == digest,
                                   EnrolmentCode.used_at.is_(None))
                            .values(used_at=moment)
                            .execution_options(synchronize_session=False))
    if getattr(taken, "rowcount", 0) != 1:
        raise refused
    return user
