"""The hub's tables. Times are timezone-aware UTC; ids are text (UUIDs or given keys).

Every change a desktop must hear about writes a row in ``changes`` and stamps the
submission with that row's ``seq``: "changes since cursor" is then one indexed range
query, and a cursor is just the last ``seq`` a client has seen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ROLES = ("assessor", "mentor", "moderator", "admin", "learner")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the hub database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class HubBase(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Organisation(HubBase):
    """The one organisation a hub serves (row id 1)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000))
    public_url: Mapped[str] = mapped_column(String(1000))
    """Where the hub is reached from outside; its ``did:web`` derives from it."""
    did: Mapped[str] = mapped_column(String(1000))
    moderation_rate: Mapped[float] = mapped_column(Float, default=0.0)
    moderation_first_n: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    """Every assessor's first N approvals go to a moderator, whatever the rate."""
    next_assessor: Mapped[int] = mapped_column(Integer, default=0)
    """Round-robin position among active assessors."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(HubBase):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320), default="")
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentorLink(HubBase):
    __tablename__ = "mentor_links"

    mentor_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True,
                                            index=True)


class Token(HubBase):
    """A bearer token for one user on one device; only its sha256 is kept."""

    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    device: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    may_enrol_keys: Mapped[bool] = mapped_column(Boolean, default=False)
    """Signed in with an enrolment code: this token may enrol the user's signing keys."""


class EnrolmentCode(HubBase):
    """A one-time code an administrator gives a user to sign in on a new desktop and enrol
    its signing key; only its sha256 is kept."""

    __tablename__ = "enrolment_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class TemplateVersion(HubBase):
    """A published credential template; a changed rubric is a new version."""

    __tablename__ = "template_versions"

    template_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    achievement: Mapped[dict[str, Any]] = mapped_column(JSON)
    rubric: Mapped[dict[str, Any]] = mapped_column(JSON)
    """key, version, title, cut_score, criteria (as ``assessor.store.convert`` writes)."""
    validity_days: Mapped[int | None] = mapped_column(Integer, default=None)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class Blob(HubBase):
    """Evidence bytes, stored once per sha256 under the data directory."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(200))
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(HubBase):
    __tablename__ = "submissions"
    __table_args__ = (
        ForeignKeyConstraint(["template_id", "template_version"],
                             ["template_versions.template_id", "template_versions.version"]),
        Index("ix_hub_submissions_assessor_seq", "assessor_id", "change_seq"),
        Index("ix_hub_submissions_learner_seq", "learner_id", "change_seq"),
        Index("ix_hub_submissions_sampled_seq", "sampled", "change_seq"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    template_id: Mapped[str] = mapped_column(String(200))
    template_version: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("submissions.id"), default=None)
    narrative: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    assessor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    state: Mapped[str] = mapped_column(String(40), default="pending")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status_index: Mapped[int] = mapped_column(Integer, unique=True)
    """This submission's bit in the hub's status list, should its credential be revoked."""
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)
    """Chosen for moderation (at the organisation's sampling rate) when decided."""
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, index=True)


class Evidence(HubBase):
    __tablename__ = "evidence"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Change(HubBase):
    """One numbered change to a submission (or what hangs off it)."""

    __tablename__ = "changes"

    __table_args__ = (Index("ix_hub_changes_removed_for_seq", "removed_for_user_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(String(64), index=True)
    what: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_for_user_id: Mapped[str | None] = mapped_column(String(64), default=None)
    """Who can no longer see the submission after this change (the previous assessor on a
    reassignment): their "changes since cursor" lists it as removed."""


class Judgment(HubBase):
    __tablename__ = "judgments"

    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    criterion_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    level_key: Mapped[str | None] = mapped_column(String(200), default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    pins: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    judged_at: Mapped[datetime] = mapped_column(default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)


class Feedback(HubBase):
    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    criterion_key: Mapped[str | None] = mapped_column(String(200), default=None)
    parent_id: Mapped[str | None] = mapped_column(String(64), default=None)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    visibility: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(HubBase):
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_hub_decisions_author_outcome", "author_id", "outcome"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class SecondMark(HubBase):
    """A moderator's blind second mark of one criterion of a sampled submission."""

    __tablename__ = "second_marks"

    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    criterion_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    moderator_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    level_key: Mapped[str | None] = mapped_column(String(200), default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)


class PushReceipt(HubBase):
    """What a push with this client id answered: sending it again answers the same."""

    __tablename__ = "push_receipts"

    client_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    request_sha256: Mapped[str] = mapped_column(String(64), default="")
    """Digest of the push as sent: the same client id with another body is refused."""
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class EnrolledKey(HubBase):
    """An assessor's Ed25519 public key, listed in the hub's DID document while active."""

    __tablename__ = "enrolled_keys"

    public_key_multibase: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class IssuedCredential(HubBase):
    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("status_index"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    status_index: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
