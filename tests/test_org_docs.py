"""The organisation's guide and the verifier's page say what the code does: every
``python main.py …`` command in them parses with the real command-line parser, the example
template publishes, and the limits, names and links they quote are the code's own."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path

import pytest

from assessor.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OWN_DOCS = ("organisation-guide.md", "verifying.md")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`]+)`")
ENDS = (" | ", " > ", " 2>", " < ", " && ", " # ")
SHOWN_REFUSED = {
    "--data-dir /srv/assessor hub admin add-user bob --role boss --no-password":
        "invalid choice: 'boss'",
}
"""Commands the guide runs to show how a mistake is refused, and what the parser says."""


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _command(text: str) -> str:
    """What follows ``python main.py`` on one shell line, up to a pipe or redirection."""
    rest = text.split("python main.py", 1)[1]
    for end in ENDS:
        rest = rest.split(end, 1)[0]
    return rest.strip().rstrip("'")


def documented_commands(text: str) -> list[str]:
    """Every ``python main.py`` command: in code blocks (one per line, ``\\`` joins lines)
    and in inline code, where ``hub …`` / ``sync …`` / ``credential …`` spans count too."""
    found = []
    for block in FENCE.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            if "python main.py" in line:
                found.append(_command(line))
    prose = FENCE.sub("", text)
    for raw in INLINE.findall(prose):
        span = " ".join(raw.split())
        if "python main.py" in span:
            found.append(_command(span))
        elif re.match(r"(hub (admin|serve|demo)|credential|keys|sync) ", span):
            found.append(span)
    return [command for command in found if command]


def _parse(command: str) -> str:
    """'' when the real parser accepts ``command``; otherwise what it printed."""
    argv = shlex.split(command)
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            build_parser().parse_args(argv)
    except SystemExit as exc:
        return f"exit {exc.code}: {errors.getvalue().strip()}"
    return ""


@pytest.mark.parametrize("name", OWN_DOCS)
def test_every_documented_command_parses_with_the_real_parser(name: str) -> None:
    commands = documented_commands(_read(name))
    assert len(commands) >= (35 if name == "organisation-guide.md" else 10), commands
    failures = {command: problem for command in commands
                if (problem := _parse(command)) and command not in SHOWN_REFUSED}
    assert not failures, "\n".join(f"{c}\n  -> {p}" for c, p in failures.items())


def test_the_refusals_the_guide_shows_are_refused_as_shown() -> None:
    commands = documented_commands(_read("organisation-guide.md"))
    for command, message in SHOWN_REFUSED.items():
        assert command in commands
        assert message in _parse(command)


def test_the_checker_catches_a_wrong_command() -> None:
    text = "```\n$ python main.py hub admin add-user ada --role boss --no-password\n```\n" \
           "and `hub admin revoke-keys KEY` inline"
    commands = documented_commands(text)
    assert commands == ["hub admin add-user ada --role boss --no-password",
                        "hub admin revoke-keys KEY"]
    assert "invalid choice: 'boss'" in _parse(commands[0])
    assert "invalid choice: 'revoke-keys'" in _parse(commands[1])


def test_every_hub_admin_action_is_in_the_guide() -> None:
    from assessor.hub.cli import ADMIN_ACTIONS

    guide = _read("organisation-guide.md")
    missing = [action for action in ADMIN_ACTIONS if f"hub admin {action}" not in guide]
    assert not missing, f"the organisation guide does not mention: {missing}"


def test_the_example_template_publishes(tmp_path: Path) -> None:
    from assessor.hub.database import open_hub_database
    from assessor.hub.templates import publish_template

    blocks = [b for b in FENCE.findall(_read("organisation-guide.md")) if '"rubric"' in b]
    assert len(blocks) == 1
    database = open_hub_database(str(tmp_path / "hub.sqlite3"))
    try:
        with database.transaction() as session:
            published = publish_template(session, json.loads(blocks[0]))
            assert (published.version.template_id, published.version.version) == \
                ("safe-lifting", 1)
    finally:
        database.dispose()


def test_the_proxy_limits_and_key_names_are_the_hubs_own() -> None:
    from assessor.hub.config import MB, HubConfig
    from assessor.hub.hub_key import ENV_VAR, KEYRING_SERVICE

    guide = _read("organisation-guide.md")
    config = HubConfig(database_url="unused", data_dir=Path("unused"))
    upload_mb = config.max_upload_bytes // MB
    assert f"client_max_body_size {upload_mb}m;" in guide
    assert f"max_size {upload_mb}MB" in guide
    assert f"up to {config.max_file_bytes // MB} MB a file and {upload_mb} MB a submission" \
        in guide
    assert ENV_VAR in guide and f"service `{KEYRING_SERVICE}`" in guide


def test_the_addresses_verifiers_fetch_are_the_hubs_routes() -> None:
    from assessor.hub.did_document import did_document_path
    from assessor.hub.organisation import did_web_for
    from assessor.hub.publication import REVOCATION_LIST_PATH, STATUS_LIST_PATH

    page = _read("verifying.md")
    assert f"https://HUB{STATUS_LIST_PATH}" in page and REVOCATION_LIST_PATH in _read(
        "organisation-guide.md")
    for url, did, document in (
            ("https://hub.example.org", "did:web:hub.example.org",
             "https://hub.example.org/.well-known/did.json"),
            ("https://example.org/hub", "did:web:example.org:hub",
             "https://example.org/hub/did.json")):
        assert did_web_for(url) == did
        assert "https://" + did.split(":", 2)[2].split(":")[0] + did_document_path(did) \
            == document
        assert f"`{did}`" in page and document in page


def test_links_between_the_documents_resolve() -> None:
    for name in OWN_DOCS:
        for target in re.findall(r"\]\(([^)#]+\.md)[^)]*\)", _read(name)):
            assert (DOCS / target).is_file(), f"{name} links to missing {target}"
