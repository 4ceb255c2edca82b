"""A mentor's feedback as a signed Open Badges 3.0 ``EndorsementCredential``.

The endorsement is about the learner's issued achievement credential (its ``id`` is the
subject), says what the mentor wrote to the learner, and is issued by the mentor: signed
with the mentor's own keychain key, so its issuer is the mentor's ``did:key``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from assessor.credentials.contexts import OB_V3P0, VC_V2
from assessor.domain.feedback import FeedbackNote
from assessor.errors import ValidationError

MAX_COMMENT = 10_000


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_endorsement(
    achievement_credential: dict[str, Any],
    note: FeedbackNote,
    endorser_name: str,
    *,
    issued_at: datetime | None = None,
) -> dict[str, Any]:
    """The unsigned endorsement of ``achievement_credential`` in the words of ``note``."""
    subject_id = achievement_credential.get("id")
    if not isinstance(subject_id, str) or not subject_id:
        raise ValidationError("The achievement credential has no id to endorse.")
    comment = note.body.strip()
    if not comment:
        raise ValidationError("An endorsement needs something said: the note is empty.")
    if len(comment) > MAX_COMMENT:
        raise ValidationError(f"An endorsement comment is at most {MAX_COMMENT:,} characters.")
    name = ""
    subject = achievement_credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("achievement"), dict):
        name = str(subject["achievement"].get("name", ""))
    return {
        "@context": [VC_V2, OB_V3P0],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"Endorsement of {name}" if name else "Endorsement",
        "issuer": {"type": ["Profile"], "name": endorser_name},
        "validFrom": _iso(issued_at or datetime.now(UTC)),
        "credentialSubject": {
            "id": subject_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    }
