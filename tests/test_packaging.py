"""Packaging promises: pinned dependencies, entry points, a valid spec, and a README whose
two commands are what CI runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from assessor import APP_NAME, __version__

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_runtime_dependencies_have_known_good_bounds() -> None:
    deps = {re.split(r"[<>=!~ \[]", d, maxsplit=1)[0].lower(): d
            for d in PYPROJECT["project"]["dependencies"]}
    for name in ("pyside6", "sqlalchemy", "alembic", "keyring", "cryptography", "pymupdf",
                 "httpx", "fastapi", "uvicorn", "platformdirs"):
        assert name in deps, name
        assert ">=" in deps[name] and "<" in deps[name].split(">=")[1], deps[name]
    # 6.12.0 aborts Python 3.11 after ~5,000 void calls: keep it out.
    assert "<6.12" in deps["pyside6"]
    assert "<2" in deps["pymupdf"]
    for name in ("pytest", "pytest-qt", "hypothesis"):
        assert any(d.startswith(name) for d in PYPROJECT["project"]["optional-dependencies"]
                   ["test"])


def test_console_script_runs_what_main_py_runs() -> None:
    assert PYPROJECT["project"]["scripts"]["assessor"] == "ui.entry:main"
    assert "from ui.entry import main" in (ROOT / "main.py").read_text(encoding="utf-8")


def _read_spec() -> tuple[dict[str, tuple[tuple[Any, ...], dict[str, Any]]], dict[str, Any]]:
    """Run pyinstaller.spec with stand-ins for PyInstaller's classes; what each was given."""
    calls: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}

    def record(name):
        def build(*args, **kwargs):
            calls[name] = (args, kwargs)
            return type(name, (), {"pure": [], "scripts": [], "binaries": [], "datas": []})()
        return build

    source = (ROOT / "pyinstaller.spec").read_text(encoding="utf-8")
    namespace: dict[str, Any] = {name: record(name) for name in ("Analysis", "PYZ", "EXE",
                                                                  "COLLECT")}
    namespace["SPECPATH"] = str(ROOT)
    exec(compile(source, "pyinstaller.spec", "exec"), namespace)
    return calls, namespace


def test_pyinstaller_spec_is_a_valid_spec_for_main_py() -> None:
    calls, _ = _read_spec()
    scripts = calls["Analysis"][0][0]
    assert scripts == [str(ROOT / "main.py")]
    assert "PySide6.QtWebEngineCore" in calls["Analysis"][1]["excludes"]
    assert calls["EXE"][1]["name"] == f"{APP_NAME.lower()}-run"
    assert calls["COLLECT"][1]["name"] == f"{APP_NAME.lower()}-{__version__}"


def test_the_bundle_carries_every_resource_and_both_sets_of_migrations() -> None:
    calls, _ = _read_spec()
    bundled = {(Path(target) / Path(source).name).as_posix()
               for source, target in calls["Analysis"][1]["datas"]}
    for folder in ("resources", "assessor/store/migrations", "assessor/hub/migrations"):
        files = {path.relative_to(ROOT).as_posix() for path in (ROOT / folder).rglob("*")
                 if path.is_file() and "__pycache__" not in path.parts}
        assert files and files <= bundled, sorted(files - bundled)
    assert not [name for name in bundled if "__pycache__" in name]


def test_the_bundle_keeps_every_qt_module_ui_imports() -> None:
    calls, namespace = _read_spec()
    excluded = set(calls["Analysis"][1]["excludes"])
    used = set()
    for path in (ROOT / "ui").rglob("*.py"):
        used |= set(re.findall(r"^\s*(?:from|import) (PySide6\.Qt\w+)",
                               path.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert {"PySide6.QtCharts", "PySide6.QtMultimedia"} <= used  # Insights, recordings
    assert not used & excluded, sorted(used & excluded)
    assert used <= set(namespace["QT_MODULES_USED"]), sorted(used)
    assert used <= set(calls["Analysis"][1]["hiddenimports"])


def test_readme_shows_exactly_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\s*(bash dev\.sh \w+)\s*$", readme, flags=re.MULTILINE)
    assert sorted(set(commands)) == ["bash dev.sh run", "bash dev.sh test"]
    assert "exec bash dev.sh test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    screenshot = re.search(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme)
    assert screenshot and (ROOT / screenshot.group(1)).is_file()
