"""The signing service the app calls: preview, sign one, sign a batch.

What the preview shows is exactly what gets signed: ``sign`` takes the preview itself.
Each signed credential is stored, the submission marked signed and the push queued in one
transaction (``Store.record_signed``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assessor.credentials.ob3 import IssuerProfile, StatusEntry, build_credential
from assessor.credentials.signing import sign_credential
from assessor.domain.people import Actor
from assessor.errors import Cancelled, UserFacingError
from assessor.keys import KeyCustody
from assessor.store.store import Store


@dataclass(frozen=True)
class SigningPreview:
    submission_id: str
    credential: dict[str, Any]
    summary: tuple[str, ...]


@dataclass
class BatchResult:
    signed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False


Progress = Callable[[int, int, str], None]
"""(done, total, submission id just finished)."""

StatusAllocator = Callable[[str], StatusEntry | None]
"""Gives the status list position for a submission's credential (the hub hands these out;
None for a submission that never came from a hub)."""


class SigningService:
    def __init__(self, store: Store, custody: KeyCustody, issuer: IssuerProfile, hub_url: str,
                 *, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 status: StatusAllocator | None = None, revocation_list: str = "") -> None:
        self._status = status
        self._revocation_list = revocation_list
        self._store = store
        self._custody = custody
        self._issuer = issuer
        self._hub_url = hub_url
        self._clock = clock

    def preview(self, submission_id: str, actor: Actor) -> SigningPreview:
        self._store.check_can_sign(submission_id, actor)
        review = self._store.review(submission_id)
        credential = build_credential(
            review, self._issuer, hub_url=self._hub_url, issued_at=self._clock(),
            status=self._status(submission_id) if self._status else None,
            revocation_list=self._revocation_list)
        lines = [
            f"Learner: {review.submission.learner.name} (identified by a salted hash of "
            "their e-mail address)",
            f"Credential: {review.template.achievement.name}",
            f"Issuer: {self._issuer.name}",
            f"Rubric: {review.rubric.title} v{review.rubric.version}",
        ]
        for criterion in review.rubric.criteria:
            level = criterion.level(review.judgments[criterion.key].level_key or "")
            met = "meets" if criterion.meets_pass(level.key) else "below"
            lines.append(f"  {criterion.title}: {level.name} "
                         f"({criterion.points_for(level.key):g} of {criterion.max_points:g}; "
                         f"{met} the pass level)")
        outcome = review.mastery
        lines.append(f"Total: {outcome.total:g} of {outcome.max_total:g} "
                     f"(cut score {outcome.cut_score:g})")
        lines.append(f"Valid from {credential['validFrom']}"
                     + (f" until {credential['validUntil']}" if "validUntil" in credential
                        else ", no expiry"))
        return SigningPreview(submission_id, credential, tuple(lines))

    def sign(self, preview: SigningPreview, actor: Actor, signer: Any = None) -> dict[str, Any]:
        """Sign exactly the previewed credential and record it."""
        signer = signer or self._custody.signer()
        self._store.check_can_sign(preview.submission_id, actor)
        signed = sign_credential(preview.credential, signer, created=self._clock())
        self._store.record_signed(preview.submission_id, actor, signed, signer.key_id)
        return signed

    def endorse(self, submission_id: str, note_id: str, actor: Actor,
                signer: Any = None) -> dict[str, Any]:
        """Issue the mentor's note as an EndorsementCredential signed with their own key."""
        from assessor.credentials.endorsement import build_endorsement

        note = self._store.check_can_endorse(submission_id, note_id, actor)
        issued = self._store.signed_credentials(submission_id)
        if not issued:
            raise UserFacingError("The learner's credential has not reached this computer "
                                  "yet; sync, then endorse it.")
        unsigned = build_endorsement(issued[-1], note, actor.name, issued_at=self._clock())
        signer = signer or self._custody.signer()
        signed = sign_credential(unsigned, signer, created=self._clock())
        self._store.record_endorsement(submission_id, note_id, actor, signed, signer.key_id)
        return signed

    def sign_batch(self, submission_ids: Sequence[str], actor: Actor, *,
                   on_progress: Progress | None = None,
                   cancelled: Callable[[], bool] = lambda: False) -> BatchResult:
        """Sign many approved submissions with one keychain read; stops when cancelled."""
        result = BatchResult()
        signer = self._custody.signer()
        total = len(submission_ids)
        for done, submission_id in enumerate(submission_ids, start=1):
            if cancelled():
                result.cancelled = True
                break
            try:
                self.sign(self.preview(submission_id, actor), actor, signer)
            except Cancelled:
                result.cancelled = True
                break
            except UserFacingError as exc:
                result.failed[submission_id] = str(exc)
            else:
                result.signed.append(submission_id)
            if on_progress is not None:
                on_progress(done, total, submission_id)
        return result
