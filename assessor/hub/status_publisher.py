"""The hub's revocation lists: a signed Bitstring Status List credential and the 1EdTech
Revocation List, both built from the ``credentials`` table.

Signing costs a canonicalization, so the signed list is kept in memory and signed again
only when what it says changes (a revocation, a longer list, another key).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessor.credentials.multiformats import ed25519_multikey
from assessor.credentials.proof import add_proof
from assessor.credentials.status import (
    MIN_ENTRIES,
    StatusList,
    revocation_list_document,
    status_list_credential,
)
from assessor.hub.hub_key import hub_signer
from assessor.hub.models import IssuedCredential, Submission


def list_size(highest_index: int) -> int:
    """Entries needed to hold ``highest_index``: whole multiples of the spec's minimum."""
    blocks = highest_index // MIN_ENTRIES + 1
    return blocks * MIN_ENTRIES


@dataclass(frozen=True)
class _Signed:
    fingerprint: tuple[Any, ...]
    document: dict[str, Any]


class StatusPublisher:
    """Signed status lists by list URL, re-signed only when their content changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signed: dict[tuple[str, str], _Signed] = {}

    def status_list(self, session: Session, did: str, list_url: str) -> dict[str, Any]:
        revoked = tuple(sorted(session.scalars(
            select(IssuedCredential.status_index)
            .where(IssuedCredential.revoked_at.is_not(None))).all()))
        highest = max(session.scalar(select(func.max(Submission.status_index))) or 0,
                      max(revoked, default=0))
        signer = hub_signer(did)
        fingerprint = (list_size(highest), revoked, ed25519_multikey(signer.public_key))
        with self._lock:
            cached = self._signed.get((did, list_url))
            if cached is not None and cached.fingerprint == fingerprint:
                return cached.document
            bits = StatusList(fingerprint[0])
            for index in revoked:
                bits.set(index)
            moment = datetime.now(UTC)
            unsigned = status_list_credential(list_url, did, bits, valid_from=moment)
            document = add_proof(unsigned, signer, signer.key_id, created=moment)
            self._signed[(did, list_url)] = _Signed(fingerprint, document)
            return document


def revocation_list(session: Session, did: str, list_url: str) -> dict[str, Any]:
    """The 1EdTech Revocation List: every revoked credential's id and reason."""
    rows = session.execute(
        select(IssuedCredential.id, IssuedCredential.revoked_reason)
        .where(IssuedCredential.revoked_at.is_not(None))
        .order_by(IssuedCredential.revoked_at, IssuedCredential.id)).all()
    return revocation_list_document(list_url, did, [(row[0], row[1]) for row in rows])


publisher = StatusPublisher()
"""The process's one publisher (each hub process signs its own copy once)."""
