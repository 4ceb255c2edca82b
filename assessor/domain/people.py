"""Who acts: the roles of DESIGN.md and the actor attached to every change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from assessor.errors import ValidationError


class Role(StrEnum):
    ASSESSOR = "assessor"
    MENTOR = "mentor"
    MODERATOR = "moderator"
    ADMIN = "admin"
    LEARNER = "learner"
    SYSTEM = "system"
    """The app itself: receiving synced submissions, recording publication."""


@dataclass(frozen=True)
class Actor:
    user_id: str
    name: str
    role: Role

    def __post_init__(self) -> None:
        if not self.user_id.strip():
            raise ValidationError("An actor needs a user id.")


SYSTEM_ACTOR = Actor("system", "Assessor", Role.SYSTEM)


@dataclass(frozen=True)
class Learner:
    id: str
    name: str
    email: str = ""


def person_label(user_id: str, names: Mapping[str, str]) -> str:
    """Who ``user_id`` is, for people to read: their name, or "Someone (dae9e883)" when
    this computer never learnt it (never the whole id)."""
    name = names.get(user_id, "").strip()
    if name:
        return name
    if not user_id or user_id == "hub":
        return "The hub"
    return f"Someone ({user_id[:8]})"
