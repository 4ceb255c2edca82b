"""Logging to the data directory: rotating files, no personal data or secrets by policy.

Log lines name ids and counts, never evidence content, tokens or keys.
"""

from __future__ import annotations

import logging
import logging.handlers

from assessor.paths import AppPaths


def configure_logging(paths: AppPaths, *, verbose: bool = False) -> None:
    paths.logs.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    if any(getattr(h, "_assessor", False) for h in root.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler._assessor = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
