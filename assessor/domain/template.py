"""Credential templates: what an approved submission earns."""

from __future__ import annotations

from dataclasses import dataclass, field

from assessor.errors import ValidationError


@dataclass(frozen=True)
class Alignment:
    """A link from the achievement to an external framework (a skill, a standard)."""

    target_name: str
    target_url: str
    target_framework: str = ""
    target_code: str = ""


@dataclass(frozen=True)
class Achievement:
    name: str
    description: str
    criteria_narrative: str
    image: str = ""
    tags: tuple[str, ...] = field(default=())
    alignments: tuple[Alignment, ...] = field(default=())


@dataclass(frozen=True)
class CredentialTemplate:
    id: str
    achievement: Achievement
    rubric_key: str
    rubric_version: int
    validity_days: int | None = None
    """Days a signed credential stays valid; ``None`` for credentials that never expire."""

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise ValidationError("A credential template needs an id.")
        if not self.achievement.name.strip():
            raise ValidationError(f"Template {self.id!r} needs an achievement name.")
        if self.validity_days is not None and self.validity_days <= 0:
            raise ValidationError(
                f"Template {self.id!r}: validity must be a positive number of days."
            )
