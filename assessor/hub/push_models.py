"""What a desktop pushes: one outbox row per request (``POST /api/v1/push``).

The envelope mirrors the desktop's outbox row: ``client_id`` (generated on the desktop;
the same id again is answered from the receipt and applied once), ``kind``,
``submission_id``, ``base_revision`` (the submission revision the change was made on) and
the ``payload`` for that kind. Fields the desktop adds for its own records (``author``,
``at``, ``role``, ``total``, ``mastered``, ``revision``) are accepted and ignored: the hub
takes the author from the token, the time from its clock, and recomputes totals.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Text = Annotated[str, Field(max_length=20_000)]
Key = Annotated[str, Field(min_length=1, max_length=200)]
NoteId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pin(_Strict):
    """Where in the evidence a judgment points: a document page region, an image region or
    a media time range. ``rect`` is ``[x, y, width, height]`` as fractions of the page or
    image."""

    evidence: Key
    kind: Literal["document", "image", "media"]
    note: Text = ""
    page: int | None = Field(default=None, ge=0, le=1_000_000)
    rect: list[float] | None = Field(default=None, min_length=4, max_length=4)
    start_ms: int | None = Field(default=None, ge=0)
    end_ms: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _complete(self) -> Pin:
        if self.kind == "media":
            if self.start_ms is None or self.end_ms is None or self.end_ms < self.start_ms:
                raise ValueError("a media pin needs start_ms <= end_ms")
        else:
            if self.rect is None:
                raise ValueError(f"a {self.kind} pin needs rect [x, y, width, height]")
            if self.kind == "document" and self.page is None:
                raise ValueError("a document pin needs a page")
        return self


class JudgmentPayload(_Strict):
    """The chosen level for one criterion (``null`` clears it), with comment and pins."""

    criterion: Key
    level: Key | None
    comment: Text = ""
    pins: list[Pin] = Field(default_factory=list, max_length=200)
    author: str | None = None
    at: str | None = None
    revision: int | None = None


class FeedbackPayload(_Strict):
    """A note on the submission, or on one criterion; ``parent`` answers another note."""

    id: NoteId
    body: Annotated[str, Field(min_length=1, max_length=20_000)]
    visibility: Literal["internal", "learner"]
    criterion: Key | None = None
    parent: NoteId | None = None
    author: str | None = None
    role: str | None = None
    at: str | None = None


class DecisionPayload(_Strict):
    """Approve, or request a resubmission (``resubmit``)."""

    id: NoteId
    outcome: Literal["approve", "resubmit"]
    note: Text = ""
    total: float | None = None
    mastered: bool | None = None
    moderation: bool | None = None
    """The desktop applied the organisation's sampling rule and found that this approval
    waits for a moderator; the hub then routes it to moderation too (it also routes
    approvals its own rule picks)."""
    author: str | None = None
    at: str | None = None


class SecondMarkPayload(_Strict):
    """A moderator's blind second mark of one criterion of a decision awaiting
    moderation (sending a criterion again replaces the moderator's earlier mark)."""

    criterion: Key
    level: Key
    comment: Text = ""
    author: str | None = None
    at: str | None = None


class ModerationPayload(_Strict):
    """A moderator agrees with a sampled decision, or returns it (with a note) to the
    assessor."""

    agree: bool
    note: Text = ""
    id: NoteId | None = None
    """The desktop's id for the moderation decision (the hub makes one when absent)."""
    author: str | None = None


class _Envelope(_Strict):
    client_id: Annotated[str, Field(min_length=8, max_length=100,
                                    pattern=r"^[A-Za-z0-9._:-]+$")]
    submission_id: Key
    base_revision: int = Field(ge=0)


class JudgmentPush(_Envelope):
    kind: Literal["judgment"]
    payload: JudgmentPayload


class FeedbackPush(_Envelope):
    kind: Literal["feedback"]
    payload: FeedbackPayload


class DecisionPush(_Envelope):
    kind: Literal["decision"]
    payload: DecisionPayload


class ModerationPush(_Envelope):
    kind: Literal["moderation"]
    payload: ModerationPayload


class SecondMarkPush(_Envelope):
    kind: Literal["second_mark"]
    payload: SecondMarkPayload


Push = Annotated[JudgmentPush | FeedbackPush | DecisionPush | ModerationPush | SecondMarkPush,
                 Field(discriminator="kind")]


class PushAnswer(BaseModel):
    """What an applied push answers (and what a replay of it answers again). A client that
    pushes several changes to one submission bases the next on ``revision``."""

    client_id: str
    kind: str
    submission_id: str
    applied: bool = True
    revision: int
    state: str
    change_seq: int
