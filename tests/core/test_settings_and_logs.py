"""Settings and logs: bad files give clear messages; logs roll over and stay small."""

from __future__ import annotations

import pytest

from assessor.config import Settings, load_settings, save_settings
from assessor.errors import UserFacingError
from assessor.logs import GENERATIONS, MAX_BYTES, _roll_over
from assessor.workstation import SyncStatus


def test_settings_round_trip_and_defaults(home) -> None:
    assert load_settings(home.home) == Settings()
    mine = Settings(user_id="a-7", user_name="Ana", role="mentor", hub_url="https://hub.example")
    save_settings(home.home, mine)
    assert load_settings(home.home) == mine
    assert mine.actor.role.value == "mentor" and mine.hub_configured


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "cannot be read"),
    ("[1, 2]", "does not hold a JSON object"),
    ('{"role": "overlord"}', "unknown role 'overlord'"),
    (b"\xff\xfe\x00garbage", "cannot be read"),
])
def test_a_broken_settings_file_is_explained_and_kept(home, content, message) -> None:
    path = home.home / "settings.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = path.read_bytes()
    with pytest.raises(UserFacingError, match=message):
        load_settings(home.home)
    assert path.read_bytes() == before


def test_unknown_settings_from_a_newer_version_are_ignored(home) -> None:
    (home.home / "settings.json").write_text('{"user_name": "Bo", "future_option": 3}')
    assert load_settings(home.home).user_name == "Bo"


def test_the_log_rolls_over_and_keeps_a_few_generations(tmp_path) -> None:
    log = tmp_path / "assessor.log"
    for n in range(GENERATIONS + 2):
        log.write_bytes(b"x" * (MAX_BYTES + 1) + str(n).encode())
        _roll_over(log)
    assert not log.exists()
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == [f"assessor.log.{n}" for n in range(1, GENERATIONS + 1)]
    assert (tmp_path / "assessor.log.1").read_bytes().endswith(str(GENERATIONS + 1).encode())
    small = tmp_path / "small.log"
    small.write_text("short")
    _roll_over(small)
    assert small.read_text() == "short"


def test_sync_status_reads_like_the_status_bar() -> None:
    assert SyncStatus("", False, 0).describe() == \
        "Offline — no hub configured — 0 changes waiting"
    assert SyncStatus("https://hub", False, 1).describe() == "Offline — 1 change waiting"
    assert SyncStatus("https://hub", True, 3).describe() == \
        "Online — never synced — 3 changes waiting"
