"""The headless commands, run as a user runs them: in a separate process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from assessor import __version__
from assessor.paths import HOME_ENV, resolve_paths
from assessor.store.migrations import HEAD

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], check=False,
                          capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})}, cwd=ROOT)


def test_help_lists_the_sub_commands_without_starting_qt() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("store", "demo", "--data-dir", "--version"):
        assert command in result.stdout
    assert result.stderr == ""


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"Assessor {__version__}"


def test_seed_info_verify_in_a_data_dir(tmp_path) -> None:
    home = tmp_path / "elsewhere"
    assert run("--data-dir", str(home), "demo", "seed", "--count", "25").returncode == 0
    info = run("--data-dir", str(home), "store", "info")
    assert info.returncode == 0
    assert "submissions:    25" in info.stdout and f"schema:         {HEAD}" in info.stdout
    verify = run("--data-dir", str(home), "store", "verify")
    assert verify.returncode == 0, verify.stderr
    assert "database integrity: ok" in verify.stdout
    assert "Audit log intact: 25 events verified." in verify.stdout


def test_assessor_home_points_every_run_elsewhere(tmp_path) -> None:
    home = tmp_path / "via-env"
    result = run("demo", "seed", "--count", "3", env={HOME_ENV: str(home)})
    assert result.returncode == 0
    assert (home / "store.sqlite3").exists()
    assert str(home) in run("store", "info", env={HOME_ENV: str(home)}).stdout


def test_data_dir_wins_over_the_environment(tmp_path) -> None:
    paths = resolve_paths(tmp_path / "flag", {HOME_ENV: str(tmp_path / "env")})
    assert paths.home == (tmp_path / "flag").resolve()
    assert resolve_paths(None, {HOME_ENV: str(tmp_path / "env")}).home == \
        (tmp_path / "env").resolve()
    assert resolve_paths(None, {}).home.name == "Assessor"


def test_verify_fails_loudly_on_a_tampered_audit_log(tmp_path) -> None:
    home = tmp_path / "h"
    run("--data-dir", str(home), "demo", "seed", "--count", "5")
    db = sqlite3.connect(home / "store.sqlite3")
    db.execute("DROP TRIGGER audit_events_no_update")
    db.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 4")
    db.commit()
    db.close()
    result = run("--data-dir", str(home), "store", "verify")
    assert result.returncode == 1
    assert "Audit log broken at event 4" in result.stdout


def test_a_foreign_store_gives_one_clear_line_and_no_traceback(tmp_path) -> None:
    home = tmp_path / "h"
    home.mkdir()
    (home / "store.sqlite3").write_text("these are my notes, not a database\n")
    result = run("--data-dir", str(home), "demo", "seed")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("assessor: ") and "not a SQLite database" in result.stderr
    assert (home / "store.sqlite3").read_text() == "these are my notes, not a database\n"


def test_bad_arguments_are_usage_errors(tmp_path) -> None:
    result = run("--data-dir", str(tmp_path), "demo", "seed", "--count", "-1")
    assert result.returncode == 2 and "cannot be negative" in result.stderr
    assert run("frobnicate").returncode == 2
