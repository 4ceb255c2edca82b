"""docs/protocol.md is what scripts/protocol_reference.py makes from the hub's OpenAPI
document now: it cannot drift from the code, and every path the hub serves is in it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "protocol_reference.py"
DOC = ROOT / "docs" / "protocol.md"
OpenApi = tuple[dict[str, Any], dict[tuple[str, str], bool]]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("protocol_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("protocol_reference", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def openapi(script: ModuleType) -> OpenApi:
    document, needs_token = script.build_openapi()
    return document, needs_token


def test_the_committed_reference_is_what_the_script_makes_now(
        script: ModuleType, openapi: OpenApi) -> None:
    generated = script.render(*openapi)
    assert DOC.read_text(encoding="utf-8") == generated, (
        "docs/protocol.md is out of date: run .venv/bin/python scripts/protocol_reference.py")


def test_every_path_and_method_of_the_openapi_document_is_in_it(
        openapi: OpenApi) -> None:
    document, _ = openapi
    text = DOC.read_text(encoding="utf-8")
    operations = [(method.upper(), path) for path, ops in document["paths"].items()
                  for method in ops]
    assert len(operations) >= 40
    for method, path in operations:
        assert f"### `{method} {path}`" in text, f"{method} {path} is not documented"
    for name in document["components"]["schemas"]:
        if name not in ("HTTPValidationError", "ValidationError"):
            assert f"### `{name}`" in text, f"schema {name} is not documented"


def test_sign_in_and_roles_come_from_the_hub(openapi: OpenApi) -> None:
    """The token column is what the hub answers an anonymous call with, not a guess."""
    _, needs_token = openapi
    assert needs_token[("GET", "/api/v1/changes")] is True
    assert needs_token[("POST", "/api/v1/admin/credentials/{credential_id}/revoke")] is True
    assert needs_token[("POST", "/api/v1/sessions")] is False
    assert needs_token[("GET", "/.well-known/did.json")] is False
    assert needs_token[("GET", "/status/1")] is False
    assert sum(needs_token.values()) == len(needs_token) - 6


def test_an_endpoint_without_a_roles_entry_stops_the_script(
        script: ModuleType, openapi: OpenApi) -> None:
    document, needs_token = openapi
    extra = {**document, "paths": {**document["paths"],
                                   "/api/v1/new-thing": {"get": {"summary": "New"}}}}
    with pytest.raises(SystemExit, match="GET /api/v1/new-thing has no entry in ROLES"):
        script.render(extra, needs_token)


def test_the_check_option_reports_a_stale_file(script: ModuleType, openapi: OpenApi,
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    text = script.render(*openapi)
    monkeypatch.setattr(script, "generate", lambda: text)  # the hub is built once per module
    stale = tmp_path / "protocol.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert script.main(["--check", "--out", str(stale)]) == 1
    assert "is out of date: run scripts/protocol_reference.py" in capsys.readouterr().err
    assert script.main(["--out", str(stale)]) == 0
    assert script.main(["--check", "--out", str(stale)]) == 0
