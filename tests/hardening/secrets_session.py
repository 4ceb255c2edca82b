"""A whole assessor session in a child process, for the secrets scan (issue 9, part 4).

``python -m tests.hardening.secrets_session`` reads ``{"hub", "username", "password",
"plant"}`` as JSON on stdin (never argv, which other users can read) and, with ASSESSOR_HOME,
TMPDIR and HOME pointing where the test says and logging at DEBUG to the data directory's
log: signs in (token to the keychain, signing key made and enrolled), syncs (evidence into
the encrypted cache), opens every evidence file the way the viewer does (cache, then the
render service's worker processes), judges every criterion, approves, signs (the key from
the keychain) and pushes. It ends with ``os._exit`` with the store still open, as a killed
app would, so any SQLite write-ahead log stays on disk for the scan.

With ``plant`` it instead leaks on purpose, through the same channels, into a session that
has run: the token to the log, the private key into an SQLite file beside the store, and an
evidence file to a temporary file. The test's control run proves the scan finds them.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

from assessor.paths import AppPaths, resolve_paths

log = logging.getLogger("assessor.tests.secrets_session")


def session(paths: AppPaths, hub: str, username: str, password: str) -> None:
    from assessor.domain.feedback import Outcome
    from assessor.domain.judgment import JudgmentDraft
    from assessor.sync.account import sign_in
    from assessor.sync.run import sync_once
    from assessor.workstation import Workstation

    signed = sign_in(paths.home, hub, username, password=password)
    assert signed.key_enrolled, signed.note
    report = sync_once(paths)
    assert report.files >= 1 and not report.problems, report
    workstation = Workstation.open(paths)
    store = workstation.store
    actor = workstation.actor
    (submission_id,) = _submission_ids(paths)
    submission = store.submission(submission_id)
    _view_evidence(paths, submission.evidence)
    store.open_review(submission_id, actor)
    rubric = store.rubric(submission.rubric_key, submission.rubric_version)
    for criterion in rubric.criteria:
        best = max(criterion.levels, key=lambda level: level.points)
        store.record_judgment(submission_id, JudgmentDraft(criterion.key, best.key,
                                                           "Clear evidence"), actor)
    store.decide(submission_id, actor, Outcome.APPROVE, note="Well evidenced")
    signing = workstation.signing()
    signing.sign(signing.preview(submission_id, actor), actor)
    pushed = sync_once(paths)
    assert pushed.pushed >= 1 and pushed.refused == 0, pushed
    log.debug("session done: %s pushed", pushed.pushed)
    logging.shutdown()
    os._exit(0)  # the store stays open: its -wal file stays for the scan


def _view_evidence(paths: AppPaths, items: Any) -> None:
    """What the viewer does with each file: read it from the cache, open it in a worker."""
    from assessor.evidence.cache import EvidenceCache
    from assessor.evidence.cache_key import load_cache_key
    from assessor.evidence.render import EvidenceKind, RenderService, evidence_kind
    from assessor.evidence.text_formats import read_text_evidence

    cache = EvidenceCache(paths.evidence, load_cache_key())
    with RenderService(workers=1) as service:
        for item in items:
            data = cache.read(item.sha256)
            kind = evidence_kind(data, item.media_type, item.file_name)
            if kind is EvidenceKind.DOCUMENT:
                with service.open_document(data, name=item.file_name) as document:
                    document.render_page(0, scale=1.0)
                    document.search("evidence")
            elif kind is EvidenceKind.IMAGE:
                with service.open_image(data, name=item.file_name) as picture:
                    picture.render(max_width=400, max_height=400)
            elif kind is EvidenceKind.TEXT:
                read_text_evidence(data, name=item.file_name, media_type=item.media_type)


def plant(paths: AppPaths, hub: str) -> None:
    """Leak on purpose (the control run): token to the log, key to SQLite, evidence to a
    temporary file."""
    import sqlite3
    import tempfile

    from assessor.evidence.cache import EvidenceCache
    from assessor.evidence.cache_key import load_cache_key
    from assessor.keys import KEY_PREFIX, KeychainSecrets, KeyCustody
    from assessor.sync.account import token_name

    secrets = KeychainSecrets()
    log.debug("planted: token %s", secrets.get(token_name(hub)))
    key = KeyCustody(paths.home).active()
    assert key is not None
    connection = sqlite3.connect(paths.home / "planted.sqlite3")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE leak (value TEXT)")
    connection.execute("INSERT INTO leak VALUES (?)", (secrets.get(KEY_PREFIX + key.id),))
    connection.commit()
    cache = EvidenceCache(paths.evidence, load_cache_key())
    first = next(iter(cache.digests()))
    with tempfile.NamedTemporaryFile(delete=False, suffix=".pdf") as handle:
        handle.write(cache.read(first))
    logging.shutdown()
    os._exit(0)  # the planted database stays open too


def _submission_ids(paths: AppPaths) -> list[str]:
    from assessor.store.database import read_only_connection

    connection = read_only_connection(paths.store)
    try:
        return [str(row[0]) for row in connection.execute("SELECT id FROM submissions")]
    finally:
        connection.close()


def main() -> None:
    from assessor.logs import configure_logging

    request = json.loads(sys.stdin.read())
    paths = resolve_paths().ensure()
    configure_logging(paths, verbose=True)  # DEBUG: everything the app logs, at its most
    if request.get("plant"):
        plant(paths, request["hub"])
    else:
        session(paths, request["hub"], request["username"], request["password"])


if __name__ == "__main__":
    main()
