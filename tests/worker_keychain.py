"""A private session bus and unlocked gnome-keyring for each pytest-xdist worker.

``bash dev.sh test`` runs the suite in parallel workers inside one ``dbus-run-session``
with one unlocked keyring. Tests that count or clear the entries under Assessor's keychain
service must not see another worker's keys, so each worker starts its own bus and keyring
(in a private folder removed at the end) before any test talks to the Secret Service. With
no worker id, or without dbus-daemon and gnome-keyring-daemon, nothing changes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

_started: list[tuple[int, Path]] = []


def start_for_worker() -> None:
    """Give this worker process its own session bus and unlocked keyring."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or not os.environ.get(
            "DBUS_SESSION_BUS_ADDRESS"):
        return
    dbus, keyring = shutil.which("dbus-daemon"), shutil.which("gnome-keyring-daemon")
    if dbus is None or keyring is None:
        return
    home = Path(tempfile.mkdtemp(prefix="assessor-keychain-"))
    (home / "data").mkdir()
    (home / "run").mkdir(mode=0o700)
    try:
        bus = subprocess.run(
            [dbus, "--session", "--fork", "--print-address=1", "--print-pid=1",
             f"--address=unix:path={home / 'run' / 'bus'}"],
            capture_output=True, text=True, check=True, timeout=30)
        address, pid = bus.stdout.split()[:2]
        _started.append((int(pid), home))
        env = {"DBUS_SESSION_BUS_ADDRESS": address, "XDG_DATA_HOME": str(home / "data"),
               "XDG_RUNTIME_DIR": str(home / "run")}
        subprocess.run([keyring, "--unlock", "--components=secrets"], input="assessor-tests",
                       capture_output=True, text=True, check=True, timeout=30,
                       env=os.environ | env)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        # Keep the shared keychain rather than no tests at all; say why once.
        print(f"worker keychain: using the shared one ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        stop_for_worker()
        shutil.rmtree(home, ignore_errors=True)
        return
    os.environ.update(env)


def stop_for_worker() -> None:
    """End the worker's bus (its keyring leaves with it) and remove the folder."""
    while _started:
        pid, home = _started.pop()
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        shutil.rmtree(home, ignore_errors=True)
