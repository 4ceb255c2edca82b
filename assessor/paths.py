"""Where a run keeps its data.

Every run (GUI, CLI, hub) resolves one data directory, in this order: an explicit
``--data-dir``, the ``ASSESSOR_HOME`` environment variable, then the platform's user data
directory. Tests and scripts point runs at throwaway homes and never touch the user's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from assessor import APP_NAME

HOME_ENV = "ASSESSOR_HOME"


class AppPaths(NamedTuple):
    """The files and folders of one data directory."""

    home: Path

    @property
    def store(self) -> Path:
        return self.home / "store.sqlite3"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "assessor.log"

    @property
    def evidence(self) -> Path:
        return self.home / "evidence"

    @property
    def backups(self) -> Path:
        return self.home / "backups"

    def ensure(self) -> AppPaths:
        """Create the directories (owner-only where the OS allows) and return self."""
        for folder in (self.home, self.logs, self.backups):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self


def default_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_paths(
    data_dir: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> AppPaths:
    """Pick the data directory for this run; see the module docstring for the order."""
    env = os.environ if environ is None else environ
    if data_dir:
        home = Path(data_dir)
    elif env.get(HOME_ENV):
        home = Path(env[HOME_ENV])
    else:
        home = default_home()
    return AppPaths(home.expanduser().resolve())
