"""One whole sync for a data directory, as the CLI and the app's worker thread run it.

It opens its own store connection (SQLite serialises it with the app's writes, so the
user keeps judging while a long sync runs), reads the token and the cache key from the
keychain once, and closes everything when done.
"""

from __future__ import annotations

from collections.abc import Callable

from assessor.config import load_settings
from assessor.paths import AppPaths
from assessor.sync.engine import Progress, SyncReport


def sync_once(paths: AppPaths, *, evidence: bool = True,
              on_progress: Callable[[Progress], None] = lambda p: None,
              cancelled: Callable[[], bool] = lambda: False) -> SyncReport:
    from assessor.evidence.cache import EvidenceCache
    from assessor.evidence.cache_key import load_cache_key
    from assessor.store.database import open_database
    from assessor.store.store import Store
    from assessor.sync.account import token_for
    from assessor.sync.client import HubClient
    from assessor.sync.engine import SyncEngine

    settings = load_settings(paths.home)
    token = token_for(settings)
    cache = EvidenceCache(paths.evidence, load_cache_key()) if evidence else None
    store = Store(open_database(paths.store, paths.backups))
    try:
        with HubClient(settings.hub_url, token) as client:
            return SyncEngine(store, client, cache, on_progress=on_progress,
                              cancelled=cancelled).run(evidence=evidence)
    finally:
        store.close()
