"""The assessor's guide and the README's first steps name only what exists: every
`python main.py …` command parses with the real CLI, every menu path (File ▸ …) is a menu
item of the real window, every key in the guide's shortcut table is bound in the window,
the F1 cheat sheet's keys are all in the guide, and every screenshot it shows is there
and small."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "assessor-guide.md"
README = ROOT / "README.md"
INDEX = ROOT / "docs" / "index.md"
MAX_SCREENSHOT_BYTES = 300_000

COMMAND = re.compile(r"python main\.py ([^`\n#]+)")
MENU_PATH = re.compile(r"\*((?:File|Edit|View|Review|Tools|Help) ▸ [^*]+)\*")
PLACEHOLDERS = {"…": "x", "ID": "abc123"}


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def first_five_minutes() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## First five minutes")
    return text[start:text.index("\n## ", start + 5)]


def documented_commands() -> list[str]:
    found = []
    for text in (guide_text(), first_five_minutes()):
        for match in COMMAND.finditer(text):
            command = match.group(1).strip().rstrip("`").strip()
            if command:
                found.append(command)
    return sorted(set(found))


def test_the_guide_names_commands_and_the_readme_the_newcomer_path() -> None:
    commands = documented_commands()
    assert len(commands) >= 12, commands
    assert any(c.startswith("keys rotate") for c in commands)
    assert "sync status" in commands


@pytest.mark.parametrize("command", documented_commands())
def test_every_documented_command_parses_with_the_real_cli(command: str) -> None:
    from assessor import cli

    words = [PLACEHOLDERS.get(word, word) for word in shlex.split(command)]
    try:
        args = cli.parse(words)
    except SystemExit as exc:  # argparse refused it (or printed --help)
        pytest.fail(f"`python main.py {command}` does not parse (exit {exc.code})")
    assert args.command is not None or args.self_test, command


def test_every_screenshot_shown_exists_and_is_small() -> None:
    shown = re.findall(r"\]\((screenshots/[^)]+\.png)\)", guide_text())
    assert len(shown) >= 12, shown
    for relative in shown:
        path = GUIDE.parent / relative
        assert path.is_file(), relative
        assert path.stat().st_size < MAX_SCREENSHOT_BYTES, relative
    assert (ROOT / "docs" / "screenshots" / "main-window.png").is_file()  # the README's


def test_the_index_links_every_guide() -> None:
    text = INDEX.read_text(encoding="utf-8")
    for name in ("assessor-guide.md", "organisation-guide.md", "protocol.md", "verifying.md"):
        assert f"]({name})" in text, name


# -- against the real window ------------------------------------------------------------


@pytest.fixture
def window(home, qtbot, no_error_windows, monkeypatch):
    from ui.app import build_main_window, make_application

    monkeypatch.setenv("ASSESSOR_DEMO", "0")
    make_application()
    opened = build_main_window(home)
    qtbot.add_widget(opened)
    opened.finish_loading()
    yield opened
    opened.close()
    opened.runner.wait()
    opened.ws.close()


def menu_items(window) -> dict[str, str]:
    """"File ▸ Sync Now" → its shortcut ("F5"), for every item of every menu."""
    from PySide6.QtGui import QKeySequence

    items: dict[str, str] = {}

    def walk(menu, path: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            title = f"{path} ▸ {action.text().replace('&', '')}"
            submenu = action.menu()
            if submenu is not None:
                walk(submenu, title)
                continue
            items[title] = action.shortcut().toString(QKeySequence.SequenceFormat.PortableText)

    for menu in window.menus.values():
        walk(menu, menu.title().replace("&", ""))
    return items


def test_every_menu_path_in_the_guide_is_in_the_window(window) -> None:
    items = menu_items(window)
    named = set(MENU_PATH.findall(" ".join(guide_text().split())))  # across lines
    assert len(named) >= 20, named
    missing = sorted(path for path in named if path not in items)
    assert not missing, f"not in the menus: {missing}; the menus have {sorted(items)}"


def guide_shortcut_keys() -> list[str]:
    """The keys of the guide's "Every shortcut" table, one by one."""
    text = guide_text()
    table = text[text.index("## Every shortcut"):]
    keys: list[str] = []
    for cell in re.findall(r"^\| \*(.+?)\* \|", table, flags=re.MULTILINE):
        for part in cell.split("* / *"):
            if part == "1* … *9":
                keys += [str(n) for n in range(1, 10)]
            else:
                keys.append(part.strip("*"))
    return keys


def test_every_key_in_the_guides_table_is_bound_in_the_window(window) -> None:
    from PySide6.QtGui import QAction, QKeySequence

    portable = QKeySequence.SequenceFormat.PortableText
    bound = {QKeySequence(s).toString(portable)
             for action in window.findChildren(QAction) for s in action.shortcuts()}
    keys = guide_shortcut_keys()
    assert len(keys) >= 25, keys
    unbound = [k for k in keys if QKeySequence(k).toString(portable) not in bound]
    assert not unbound, f"the guide names keys the window does not bind: {unbound}"


def test_the_f1_cheat_sheet_and_the_guide_list_the_same_keys() -> None:
    from ui.windows.main_window import SHORTCUTS

    documented = set(guide_shortcut_keys())
    for keys, _what in SHORTCUTS:
        for key in keys.split(" / "):
            if key == "1 … 9":
                assert {str(n) for n in range(1, 10)} <= documented
            else:
                assert key in documented, f"F1 lists {key!r}; the guide's table does not"
