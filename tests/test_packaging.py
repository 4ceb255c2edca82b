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


def test_pyinstaller_spec_is_a_valid_spec_for_main_py() -> None:
    calls: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}

    def record(name):
        def build(*args, **kwargs):
            calls[name] = (args, kwargs)
            return type(name, (), {"pure": [], "scripts": [], "binaries": [], "datas": []})()
        return build

    source = (ROOT / "pyinstaller.spec").read_text(encoding="utf-8")
    namespace = {name: record(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT")}
    namespace["SPECPATH"] = str(ROOT)
    exec(compile(source, "pyinstaller.spec", "exec"), namespace)
    scripts = calls["Analysis"][0][0]
    assert scripts == [str(ROOT / "main.py")]
    datas = dict(calls["Analysis"][1]["datas"])
    assert Path(next(iter(datas))).name == "resources"
    assert "PySide6.QtWebEngineCore" in calls["Analysis"][1]["excludes"]
    assert calls["COLLECT"][1]["name"] == f"{APP_NAME.lower()}-{__version__}"


def test_readme_shows_exactly_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\s*(bash dev\.sh \w+)\s*$", readme, flags=re.MULTILINE)
    assert sorted(set(commands)) == ["bash dev.sh run", "bash dev.sh test"]
    assert "exec bash dev.sh test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    screenshot = re.search(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme)
    assert screenshot and (ROOT / screenshot.group(1)).is_file()
