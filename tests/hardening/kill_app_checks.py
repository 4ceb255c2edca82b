"""What must hold after the app was killed and before it starts again.

``Ledger`` keeps what the killed sessions reported (what the UI would have shown as saved,
what the hub acknowledged); the ``check_*`` functions compare it with the store on disk,
the encrypted evidence cache and the hub's database. Each returns nothing and raises
``AssertionError`` with what is wrong.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from assessor.evidence.cache import EvidenceCache
from assessor.evidence.cache_format import (
    HEADER_BYTES,
    ChunkAuthError,
    ChunkCipher,
    FormatError,
    Header,
)
from assessor.hub.database import HubDatabase
from assessor.hub.models import Change, IssuedCredential, PushReceipt
from assessor.hub.models import Decision as HubDecision
from assessor.hub.models import Judgment as HubJudgment
from assessor.hub.models import Submission as HubSubmission
from assessor.paths import AppPaths
from assessor.store.database import open_database, read_only_connection
from assessor.store.store import Store
from assessor.store.sync_store import SyncStore

Value = tuple[str | None, str]
"""A judgment's (level, comment)."""


@dataclass
class Ledger:
    """Everything the killed sessions reported, in order."""

    judgments: dict[tuple[str, str], list[tuple[str, Value]]] = field(
        default_factory=lambda: defaultdict(list))
    decided: dict[str, str] = field(default_factory=dict)
    signed: dict[str, str] = field(default_factory=dict)
    acked: set[str] = field(default_factory=set)
    saves: int = 0
    refused: list[list[Any]] = field(default_factory=list)

    def take(self, lines: list[list[Any]]) -> None:
        for line in lines:
            kind = line[0]
            if kind in ("try", "saved"):
                _, sub, criterion, level, comment = line
                self.judgments[(sub, criterion)].append((kind, (level, comment)))
                self.saves += kind == "saved"
            elif kind == "decided":
                self.decided[line[1]] = line[2]
            elif kind == "signed":
                self.signed[line[1]] = line[2]
            elif kind == "acked":
                self.acked.add(line[1])
            elif kind == "refused":
                self.refused.append(line)

    def allowed(self, key: tuple[str, str]) -> tuple[set[Value], bool]:
        """The values the store may hold for a criterion: the last one shown saved and
        any asked for after it (their commit may have landed before the kill); and
        whether having no judgment at all is allowed (nothing was shown saved)."""
        events = self.judgments.get(key, [])
        last_saved = max((i for i, (kind, _) in enumerate(events) if kind == "saved"),
                         default=-1)
        values = {value for _, value in events[max(last_saved, 0):]}
        return values, last_saved == -1


def open_store(paths: AppPaths) -> Store:
    return Store(open_database(paths.store, paths.backups))


@dataclass
class LocalView:
    """What the store holds, read in one go (plain SQL, read-only)."""

    states: dict[str, str]
    judgments: dict[tuple[str, str], Value]
    decisions: dict[str, set[str]]
    signed: dict[str, set[str]]


def local_view(paths: AppPaths) -> LocalView:
    db = read_only_connection(paths.store)
    try:
        states = dict(db.execute("SELECT id, state FROM submissions"))
        judgments = {(sub, criterion): (level, comment) for sub, criterion, level, comment in
                     db.execute("SELECT s.id, j.criterion_key, j.level_key, j.comment "
                                "FROM judgments j JOIN submissions s ON s.pk = j.submission_pk")}
        decisions: dict[str, set[str]] = defaultdict(set)
        for sub, decision_id in db.execute("SELECT s.id, d.id FROM decisions d "
                                           "JOIN submissions s ON s.pk = d.submission_pk"):
            decisions[sub].add(decision_id)
        signed: dict[str, set[str]] = defaultdict(set)
        for sub, credential_id in db.execute(
                "SELECT s.id, c.id FROM signed_credentials c "
                "JOIN submissions s ON s.pk = c.submission_pk"):
            signed[sub].add(credential_id)
        return LocalView(states, judgments, decisions, signed)
    finally:
        db.close()


def check_store(store: Store, local: LocalView, ledger: Ledger) -> int:
    """The audit chain verifies, and what was shown saved is there. Returns the number of
    audit events verified."""
    chain = store.verify_audit()
    assert chain.ok, str(chain)
    for key in ledger.judgments:
        values, may_lack = ledger.allowed(key)
        if key not in local.judgments:
            assert may_lack, f"judgment {key} was shown saved and is gone"
            continue
        assert local.judgments[key] in values, (
            f"judgment {key} holds {local.judgments[key]}, but the UI last showed one of "
            f"{values}")
    for sub, decision_id in ledger.decided.items():
        assert decision_id in local.decisions[sub], (
            f"decision {decision_id} on {sub} was shown saved and is gone")
    for sub, credential_id in ledger.signed.items():
        assert credential_id in local.signed[sub], f"signed credential of {sub} is gone"
        assert local.states[sub] in ("signed", "published"), (sub, local.states[sub])
    return chain.checked


# -- the evidence cache ---------------------------------------------------------------------

def _partial_is_only_partial(path: Path, key: bytes) -> bool:
    """A partial download holds a valid header and records that authenticate as
    non-final chunks (a torn last one allowed), so it can never pass for a finished file.

    One exception, the instant between sealing a verified file and renaming it into
    ``objects/``: then the last record is final, and the whole file must be the verified
    bytes (``begin`` drops that record and resumes). Returns True for such a file."""
    data = path.read_bytes()
    try:
        header = Header.unpack(data[:HEADER_BYTES])
    except FormatError:
        # A header torn by the kill: ``begin`` discards such a partial and starts afresh.
        assert len(data) < HEADER_BYTES, f"{path.name}: a partial with a foreign header"
        return False
    cipher = ChunkCipher(key, path.name, header)
    body = data[HEADER_BYTES:]
    records = [body[i:i + header.record_size] for i in range(0, len(body), header.record_size)]
    digest = hashlib.sha256()
    size = 0
    for index, record in enumerate(records):
        last = index == len(records) - 1
        try:
            chunk = cipher.open(index, False, record)
        except ChunkAuthError:
            assert last, f"partial {path.name[:12]}: chunk {index} is damaged"
        else:
            digest.update(chunk)
            size += len(chunk)
            continue
        try:
            chunk = cipher.open(index, True, record)
        except ChunkAuthError:
            return False  # torn by the kill
        digest.update(chunk)
        size += len(chunk)
        assert size == header.size and digest.hexdigest() == path.name, (
            f"partial {path.name[:12]} ends in a final chunk but is not the verified file")
        return True
    return False


@dataclass
class CacheCheck:
    verified: dict[str, int] = field(default_factory=dict)
    """digest -> mtime_ns of committed files already decrypted and hashed."""
    partials_seen: int = 0
    kills_leaving_partials: int = 0
    sealed_unrenamed: int = 0
    """Partials killed between sealing (after the hash check) and the rename."""


def check_cache(paths: AppPaths, key: bytes, known: set[str], seen: CacheCheck) -> None:
    """Every committed file decrypts to bytes whose sha256 is its name (and is evidence
    the hub sent); partials are only partials; nothing else lies in the cache."""
    root = paths.evidence
    if not root.exists():
        return
    assert {p.name for p in root.iterdir()} <= {"objects", "partial", "locks"}, \
        sorted(p.name for p in root.iterdir())
    cache = EvidenceCache(root, key)
    for path in (root / "objects").iterdir():
        digest = path.name
        assert digest in known, f"the cache holds {digest[:12]}, which no submission has"
        stamp = path.stat().st_mtime_ns
        if seen.verified.get(digest) == stamp:
            continue
        plain = cache.read(digest)
        assert hashlib.sha256(plain).hexdigest() == digest, f"{digest[:12]} is not its hash"
        seen.verified[digest] = stamp
    partials = list((root / "partial").iterdir())
    seen.kills_leaving_partials += bool(partials)
    for path in partials:
        assert path.name in known, f"a partial {path.name[:12]} of nothing wanted"
        seen.sealed_unrenamed += _partial_is_only_partial(path, key)
        seen.partials_seen += 1
    for path in (root / "locks").iterdir():
        assert path.name.endswith(".lock") and path.stat().st_size == 0, path.name
    strays = [p for p in paths.home.rglob("*") if p.is_file() and (
        p.name.endswith((".tmp", ".partial")) or p.name.startswith("tmp"))]
    assert not strays, strays


# -- the outbox and the hub -----------------------------------------------------------------

@dataclass
class HubView:
    receipts: dict[str, dict[str, Any]]
    revisions: dict[str, int]
    judgment_revisions: Counter[str]
    changes: Counter[str]
    judgments: dict[tuple[str, str], Value]
    decisions: set[str]
    credentials: Counter[str]


def hub_view(hub: HubDatabase) -> HubView:
    with hub.transaction() as s:
        receipts = {r.client_id: {"kind": r.kind, "response": r.response}
                    for r in s.scalars(select(PushReceipt))}
        revisions = {sub.id: sub.revision for sub in s.scalars(select(HubSubmission))}
        judgment_revisions: Counter[str] = Counter()
        judgments: dict[tuple[str, str], Value] = {}
        for j in s.scalars(select(HubJudgment)):
            judgment_revisions[j.submission_id] += j.revision
            judgments[(j.submission_id, j.criterion_key)] = (j.level_key, j.comment)
        changes = Counter(s.scalars(select(Change.submission_id)))
        decisions = set(s.scalars(select(HubDecision.id)))
        credentials = Counter(s.scalars(select(IssuedCredential.submission_id)))
    return HubView(receipts, revisions, judgment_revisions, changes, judgments, decisions,
                   credentials)


def _receipt_submission(receipt: dict[str, Any]) -> str:
    response = receipt["response"]
    if "submission_id" in response:
        return str(response["submission_id"])
    return str(response["submission"]["id"])


def check_hub_applied_once(view: HubView, ledger: Ledger) -> None:
    """Every acknowledged push is on the hub, and every push it holds was applied once:
    a submission's revision, its numbered changes and its judgments' revisions each
    count exactly its receipts (a second application would count twice)."""
    missing = ledger.acked - set(view.receipts)
    assert not missing, f"acknowledged pushes the hub does not hold: {sorted(missing)[:5]}"
    per_submission: Counter[str] = Counter()
    judgment_pushes: Counter[str] = Counter()
    for receipt in view.receipts.values():
        sub = _receipt_submission(receipt)
        per_submission[sub] += 1
        judgment_pushes[sub] += receipt["kind"] == "judgment"
    for sub, revision in view.revisions.items():
        assert revision == 1 + per_submission[sub], (
            f"hub submission {sub} is at revision {revision} after "
            f"{per_submission[sub]} pushes")
        assert view.changes[sub] == 1 + per_submission[sub], (sub, view.changes[sub])
        assert view.judgment_revisions[sub] == judgment_pushes[sub], (
            sub, view.judgment_revisions[sub], judgment_pushes[sub])
    for sub, count in view.credentials.items():
        assert count == 1, f"{count} credentials published for {sub}"


def check_outbox_covers(store: Store, local: LocalView, view: HubView) -> int:
    """Every change made here is either waiting in the outbox or applied on the hub:
    nothing is lost. Returns the number of rows waiting."""
    sync = SyncStore(store)
    waiting = sync.outbox(limit=1_000_000)
    conflicts = sync.conflicts(open_only=False)
    assert not conflicts, [c.summary for c in conflicts][:3]
    queued_judgments: dict[tuple[str, str], Value] = {}
    queued_ids: set[str] = set()
    for entry in waiting:
        if entry.kind == "judgment":
            queued_judgments[(entry.submission_id, entry.payload["criterion"])] = (
                entry.payload["level"], entry.payload["comment"])
        elif entry.kind in ("decision", "credential"):
            queued_ids.add(str(entry.payload["id"]))
    for key, mine in local.judgments.items():
        assert queued_judgments.get(key) == mine or view.judgments.get(key) == mine, (
            f"judgment {key} = {mine} is neither waiting nor on the hub "
            f"(queued {queued_judgments.get(key)}, hub {view.judgments.get(key)})")
    for sub, decision_ids in local.decisions.items():
        for decision_id in decision_ids:
            assert decision_id in queued_ids or decision_id in view.decisions, (
                f"decision {decision_id} of {sub} is neither waiting nor on the hub")
    for sub, credential_ids in local.signed.items():
        for credential_id in credential_ids:
            assert credential_id in queued_ids or view.credentials[sub] == 1, (
                f"credential of {sub} is neither waiting nor published")
    return len(waiting)


def cache_files(paths: AppPaths) -> int:
    objects = paths.evidence / "objects"
    return len(os.listdir(objects)) if objects.exists() else 0
