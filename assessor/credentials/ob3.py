"""Building an Open Badges 3.0 ``OpenBadgeCredential`` from an approved submission.

The credential carries the achievement (with one ``ResultDescription`` per rubric
criterion, its levels and the level required), the learner's result on every criterion,
the evidence with digests of the files, validity dates and a revocation status entry. The
learner is named only by a salted hash of their e-mail address.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from assessor.credentials.contexts import OB_EXTENSIONS, OB_V3P0, VC_V2
from assessor.credentials.multiformats import multibase_b58
from assessor.domain.judgment import Judgment
from assessor.domain.review import ReviewSnapshot
from assessor.domain.states import State
from assessor.errors import ValidationError

ACHIEVEMENT_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


@dataclass(frozen=True)
class IssuerProfile:
    """The organisation that issues (its hub's did:web, or none for did:key issuance)."""

    name: str
    url: str
    id: str = ""
    email: str = ""

    def as_json(self) -> dict[str, Any]:
        profile: dict[str, Any] = {"type": ["Profile"], "name": self.name, "url": self.url}
        if self.id:
            profile = {"id": self.id, **profile}
        if self.email:
            profile["email"] = self.email
        return profile


@dataclass(frozen=True)
class StatusEntry:
    """Where the credential's revocation bit lives (W3C Bitstring Status List)."""

    list_credential: str
    index: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": f"{self.list_credential}#{self.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_credential,
        }


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 ``identityHash``: "sha256$" and the hex SHA-256 of the address plus salt."""
    normalised = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalised + salt).encode("utf-8")).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_credential(
    review: ReviewSnapshot,
    issuer: IssuerProfile,
    *,
    hub_url: str,
    issued_at: datetime | None = None,
    status: StatusEntry | None = None,
    revocation_list: str = "",
    credential_id: str | None = None,
    salt: str | None = None,
) -> dict[str, Any]:
    """The unsigned credential for an approved submission (or one being previewed).

    ``status`` places it in a W3C Bitstring Status List; ``revocation_list`` names the
    issuer's 1EdTech Revocation List (which the OB conformance suite checks) as well.
    """
    submission = review.submission
    if submission.state not in (State.APPROVED, State.AWAITING_MODERATION):
        raise ValidationError(
            f"Only an approved submission becomes a credential; this one is "
            f"{submission.state.label.lower()}."
        )
    if not submission.learner.email:
        raise ValidationError("The learner has no e-mail address to identify them by.")
    outcome = review.mastery
    if not outcome.mastered:
        raise ValidationError("The judgments do not meet the mastery rule.")
    base = hub_url.rstrip("/")
    template, rubric = review.template, review.rubric
    achievement_id = f"{base}/achievements/{template.id}"
    moment = issued_at or datetime.now(UTC)

    descriptions = []
    results = []
    for criterion in rubric.criteria:
        rd_id = f"{achievement_id}/rubric/{rubric.key}/v{rubric.version}/{criterion.key}"
        levels = [{
            "id": f"{rd_id}/{level.key}",
            "type": ["RubricCriterionLevel"],
            "name": level.name,
            "description": level.descriptor,
            "points": f"{level.points * criterion.weight:g}",
        } for level in criterion.levels]
        descriptions.append({
            "id": rd_id,
            "type": ["ResultDescription"],
            "name": criterion.title,
            "resultType": "RubricCriterionLevel",
            "requiredLevel": f"{rd_id}/{criterion.pass_level}",
            "rubricCriterionLevel": levels,
        })
        judgment: Judgment | None = review.judgments.get(criterion.key)
        if judgment is None or judgment.level_key is None:
            raise ValidationError(f"Criterion {criterion.title!r} has no judgment.")
        results.append({
            "type": ["Result"],
            "resultDescription": rd_id,
            "achievedLevel": f"{rd_id}/{judgment.level_key}",
        })

    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "name": template.achievement.name,
        "description": template.achievement.description,
        "criteria": {"narrative": template.achievement.criteria_narrative},
        "version": f"{rubric.key} v{rubric.version}",
        "resultDescription": descriptions,
    }
    if template.achievement.image:
        achievement["image"] = {"id": _absolute(base, template.achievement.image),
                                "type": "Image"}
    if template.achievement.tags:
        achievement["tag"] = list(template.achievement.tags)
    if template.achievement.alignments:
        achievement["alignment"] = [_alignment(a.__dict__) for a in template.achievement.alignments]

    salt = salt or secrets.token_hex(16)
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [{
            "type": "IdentityObject",
            "identityHash": identity_hash(submission.learner.email, salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": salt,
        }],
        "achievement": achievement,
        "result": results,
    }
    credential: dict[str, Any] = {
        "@context": [VC_V2, OB_V3P0, OB_EXTENSIONS],
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer.as_json(),
        "validFrom": _iso(moment),
        "name": template.achievement.name,
        "credentialSubject": subject,
        "credentialSchema": [{"id": ACHIEVEMENT_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if template.validity_days:
        credential["validUntil"] = _iso(moment + timedelta(days=template.validity_days))
    if submission.evidence:
        credential["evidence"] = [{
            "id": f"{base}/api/v1/evidence/{item.sha256}",
            "type": ["Evidence"],
            "name": item.file_name,
            "description": item.description or item.file_name,
            "genre": _genre(item.media_type),
            "digestMultibase": multibase_b58(bytes.fromhex("1220" + item.sha256)),
        } for item in submission.evidence]
    entries = [status.as_json()] if status is not None else []
    if revocation_list:
        entries.append({"id": revocation_list, "type": "1EdTechRevocationList"})
    if entries:
        credential["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    return credential


def _absolute(base: str, url: str) -> str:
    return url if "://" in url or url.startswith(("urn:", "did:", "data:")) else f"{base}/{url}"


def _alignment(data: Mapping[str, str]) -> dict[str, Any]:
    alignment: dict[str, Any] = {"type": ["Alignment"], "targetName": data["target_name"],
                                 "targetUrl": data["target_url"]}
    if data.get("target_framework"):
        alignment["targetFramework"] = data["target_framework"]
    if data.get("target_code"):
        alignment["targetCode"] = data["target_code"]
    return alignment


def _genre(media_type: str) -> str:
    major = media_type.split("/", 1)[0]
    return {"image": "Photograph", "video": "Video recording", "audio": "Audio recording",
            "text": "Written work"}.get(major, "Document")
