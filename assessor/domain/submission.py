"""Submissions and their evidence items, as the desktop holds them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from assessor.domain.people import Learner
from assessor.domain.states import State
from assessor.errors import ValidationError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")




@dataclass(frozen=True)
class EvidenceItem:
    id: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    description: str = ""

    def __post_init__(self) -> None:
        if not _SHA256.match(self.sha256):
            raise ValidationError(
                f"Evidence {self.file_name!r}: sha256 must be 64 lowercase hex digits."
            )
        if self.size < 0:
            raise ValidationError(f"Evidence {self.file_name!r}: size cannot be negative.")
        if not _MEDIA_TYPE.match(self.media_type):
            raise ValidationError(
                f"Evidence {self.file_name!r}: {self.media_type!r} is not a media type."
            )
        if not self.file_name.strip() or any(ch in self.file_name for ch in "/\\\x00"):
            raise ValidationError(f"Evidence file name {self.file_name!r} is not a plain name.")


@dataclass(frozen=True)
class Submission:
    id: str
    learner: Learner
    template_id: str
    rubric_key: str
    rubric_version: int
    attempt: int
    submitted_at: datetime
    narrative: str = ""
    evidence: tuple[EvidenceItem, ...] = field(default=())
    due_at: datetime | None = None
    assigned_to: str | None = None
    previous_attempt_id: str | None = None
    state: State = State.PENDING
    revision: int = 0
    """The hub's revision of this submission when it was last synced."""

    def __post_init__(self) -> None:
        if self.attempt < 1:
            raise ValidationError(f"Submission {self.id!r}: attempts are numbered from 1.")
        if self.attempt > 1 and not self.previous_attempt_id:
            raise ValidationError(
                f"Submission {self.id!r} is attempt {self.attempt} but names no earlier attempt."
            )
        for stamp in (self.submitted_at, self.due_at):
            if stamp is not None and stamp.tzinfo is None:
                raise ValidationError(f"Submission {self.id!r}: times must carry a time zone.")
        ids = [item.id for item in self.evidence]
        if len(set(ids)) != len(ids):
            raise ValidationError(f"Submission {self.id!r} lists an evidence item twice.")
