"""Logging to the data directory: no personal data or secrets by policy.

Log lines name ids and counts, never evidence content, tokens or keys. The file is rolled
over at start-up once it passes 2 MB (three generations kept); a plain file handler keeps
start-up light.
"""

from __future__ import annotations

import logging
import os

from assessor.paths import AppPaths

MAX_BYTES = 2_000_000
GENERATIONS = 3


def _roll_over(path: os.PathLike[str] | str) -> None:
    base = os.fspath(path)
    try:
        if os.path.getsize(base) < MAX_BYTES:
            return
    except OSError:
        return
    for n in range(GENERATIONS - 1, 0, -1):
        if os.path.exists(f"{base}.{n}"):
            os.replace(f"{base}.{n}", f"{base}.{n + 1}")
    os.replace(base, f"{base}.1")


def configure_logging(paths: AppPaths, *, verbose: bool = False) -> None:
    root = logging.getLogger()
    target = os.path.abspath(paths.log_file)
    for existing in [h for h in root.handlers if getattr(h, "_assessor", False)]:
        if getattr(existing, "baseFilename", None) == target:
            return
        root.removeHandler(existing)  # another data directory in the same process
        existing.close()
    paths.logs.mkdir(parents=True, exist_ok=True)
    _roll_over(paths.log_file)
    handler = logging.FileHandler(paths.log_file, encoding="utf-8")
    handler._assessor = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
