"""ORM records: the tables of the local store.

Records stay inside ``assessor.store``; everything leaving it is a frozen domain value.
Times are stored as UTC ISO 8601 text, which sorts in time order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, ISO text on disk."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value)


class Base(DeclarativeBase):
    pass


class RubricRecord(Base):
    __tablename__ = "rubrics"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    cut_score: Mapped[float] = mapped_column(Float)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)


class TemplateRecord(Base):
    __tablename__ = "templates"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    criteria_narrative: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    alignments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    rubric_key: Mapped[str] = mapped_column(String(200))
    rubric_version: Mapped[int] = mapped_column(Integer)
    validity_days: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["rubric_key", "rubric_version"], ["rubrics.key", "rubrics.version"]
        ),
    )


class SubmissionRecord(Base):
    __tablename__ = "submissions"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(200), unique=True)
    learner_id: Mapped[str] = mapped_column(String(200))
    learner_name: Mapped[str] = mapped_column(Text)
    learner_email: Mapped[str] = mapped_column(Text, default="")
    template_id: Mapped[str] = mapped_column(ForeignKey("templates.id"))
    rubric_key: Mapped[str] = mapped_column(String(200))
    rubric_version: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    previous_attempt_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    narrative: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assigned_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    state: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The submission's bit in the hub's status list (None until synced from a hub)."""

    evidence: Mapped[list[EvidenceRecord]] = relationship(
        order_by="EvidenceRecord.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        ForeignKeyConstraint(
            ["rubric_key", "rubric_version"], ["rubrics.key", "rubrics.version"]
        ),
        Index("ix_submissions_state_due", "state", "due_at"),
        Index("ix_submissions_due", "due_at"),
        Index("ix_submissions_updated", "updated_at"),
        Index("ix_submissions_learner", "learner_name"),
        Index("ix_submissions_template", "template_id"),
        Index("ix_submissions_learner_attempt", "learner_id", "attempt"),
    )


class EvidenceRecord(Base):
    __tablename__ = "evidence_items"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_pk: Mapped[int] = mapped_column(
        ForeignKey("submissions.pk", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text, default="")


class JudgmentRecord(Base):
    __tablename__ = "judgments"

    submission_pk: Mapped[int] = mapped_column(
        ForeignKey("submissions.pk", ondelete="CASCADE"), primary_key=True
    )
    criterion_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    level_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    remote_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The hub's revision of this judgment when last synced (None: the hub has none)."""

    pins: Mapped[list[PinRecord]] = relationship(
        order_by="PinRecord.position", cascade="all, delete-orphan"
    )


class PinRecord(Base):
    __tablename__ = "pins"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_pk: Mapped[int] = mapped_column(Integer)
    criterion_key: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    evidence_id: Mapped[str] = mapped_column(String(200))
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    x: Mapped[float | None] = mapped_column(Float, nullable=True)
    y: Mapped[float | None] = mapped_column(Float, nullable=True)
    width: Mapped[float | None] = mapped_column(Float, nullable=True)
    height: Mapped[float | None] = mapped_column(Float, nullable=True)
    start_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        ForeignKeyConstraint(
            ["submission_pk", "criterion_key"],
            ["judgments.submission_pk", "judgments.criterion_key"],
            ondelete="CASCADE",
        ),
        Index("ix_pins_judgment", "submission_pk", "criterion_key"),
    )


class FeedbackRecord(Base):
    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_pk: Mapped[int] = mapped_column(
        ForeignKey("submissions.pk", ondelete="CASCADE"), index=True
    )
    criterion_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("feedback.id"), nullable=True)
    author: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    visibility: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class DecisionRecord(Base):
    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_pk: Mapped[int] = mapped_column(
        ForeignKey("submissions.pk", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    total: Mapped[float] = mapped_column(Float)
    mastered: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")


class AuditRecord(Base):
    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    submission_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    from_state: Mapped[str | None] = mapped_column(String(40), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(40), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class PersonRecord(Base):
    """A name the hub gave a user id (an author of judgments, notes or decisions, or an
    assessor), so the desktop shows people by name and never by id."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    display_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20), default="")


class SignedCredentialRecord(Base):
    """A signed credential as issued: the exact JSON text that was signed and sent."""

    __tablename__ = "signed_credentials"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    submission_pk: Mapped[int] = mapped_column(
        ForeignKey("submissions.pk", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document: Mapped[str] = mapped_column(Text)


class EndorsementRecord(Base):
    """A mentor's signed EndorsementCredential, made from one of their feedback notes."""

    __tablename__ = "endorsements"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    submission_pk: Mapped[int] = mapped_column(
        ForeignKey("submissions.pk", ondelete="CASCADE"), index=True
    )
    note_id: Mapped[str] = mapped_column(String(36))
    endorser: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document: Mapped[str] = mapped_column(Text)


class OutboxRecord(Base):
    """A local change waiting to be pushed to the hub (written with the change itself)."""

    __tablename__ = "outbox"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    submission_id: Mapped[str] = mapped_column(String(200), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class SyncStateRecord(Base):
    """Small facts of sync: the pull cursor, the last good sync time, the hub's identity."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ConflictRecord(Base):
    """A local change the hub refused because someone else changed the same thing: both
    versions, kept until the user chooses."""

    __tablename__ = "conflicts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    """The outbox kind of "mine": judgment, decision, moderation, credential…"""
    subject: Mapped[str] = mapped_column(String(200))
    """What both sides changed: a criterion key, or the submission's state."""
    mine: Mapped[dict[str, Any]] = mapped_column(JSON)
    theirs: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    theirs_author: Mapped[str] = mapped_column(Text, default="")
    hub_revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution: Mapped[str] = mapped_column(String(20), default="")

    __table_args__ = (Index("ix_conflicts_open", "resolved_at", "submission_id"),)


class CommentSnippetRecord(Base):
    """One reusable comment in an assessor's library (searchable, per owner)."""

    __tablename__ = "comment_snippets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    criterion_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """A criterion the snippet was written for, or ``None`` for any."""
    uses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_comment_snippets_owner", "owner", "title"),)


class SecondMarkRecord(Base):
    """A moderator's blind second marking of one criterion of a submission."""

    __tablename__ = "second_marks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_pk: Mapped[int] = mapped_column(
        ForeignKey("submissions.pk", ondelete="CASCADE")
    )
    criterion_key: Mapped[str] = mapped_column(String(200))
    level_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    moderator: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    remote_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        UniqueConstraint("submission_pk", "criterion_key", "moderator",
                         name="uq_second_marks_one_per_moderator"),
    )
