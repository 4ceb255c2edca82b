"""Words and numbers of the media view: clock times, the source name hint handed to the
player, playback speeds, and what a player error means to an assessor."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
"""Playback rates offered, slowest first ("[" and "]" step through them)."""

SEEK_STEP_MS = 5000
"""How far Left and Right jump."""

_EXTENSIONS = {
    "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav", "audio/vnd.wave": ".wav",
    "audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/mp4": ".m4a", "audio/x-m4a": ".m4a",
    "audio/aac": ".aac", "audio/ogg": ".ogg", "audio/opus": ".opus", "audio/flac": ".flac",
    "audio/x-flac": ".flac", "audio/webm": ".webm", "audio/3gpp": ".3gp", "audio/amr": ".amr",
    "video/mp4": ".mp4", "video/quicktime": ".mov", "video/x-msvideo": ".avi",
    "video/avi": ".avi", "video/webm": ".webm", "video/x-matroska": ".mkv", "video/ogg": ".ogv",
    "video/3gpp": ".3gp", "video/mpeg": ".mpg", "video/x-m4v": ".m4v",
}


def clock(ms: int) -> str:
    """A time for the position label: 01:23, or 1:02:03 from an hour on."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def position_text(position_ms: int, duration_ms: int) -> str:
    """ "01:23 / 04:10"; the duration reads --:-- until it is known."""
    total = clock(duration_ms) if duration_ms > 0 else "--:--"
    return f"{clock(position_ms)} / {total}"


def precise(ms: int) -> str:
    """A mark in or out to the tenth of a second: 01:23.4."""
    tenths = max(0, ms) // 100
    return f"{clock(tenths * 100)}.{tenths % 10}"


def speed_text(rate: float) -> str:
    return f"{rate:g}×"


def source_hint(name: str, media_type: str | None) -> str:
    """The name handed to the player with the bytes: only its extension matters (it tells the
    demuxer what to expect). Nothing is read from or written to that path."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = _EXTENSIONS.get((media_type or "").split(";")[0].strip().lower(), "")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", PurePosixPath(name.replace("\\", "/")).stem)
    return f"evidence-{stem.strip('-')[:40] or 'recording'}{suffix}"


def error_message(kind: str, name: str, detail: str) -> tuple[str, str]:
    """(title, explanation) for a player error. ``kind`` is the QMediaPlayer.Error name:
    FormatError, ResourceError, NetworkError, AccessDeniedError, or anything else."""
    said = f" The player said: “{detail.strip()}”." if detail.strip() else ""
    if kind == "FormatError":
        return ("This recording cannot be played",
                f"“{name}” is damaged, or it uses a format or codec this computer cannot "
                f"play.{said} Save a copy and try another player, or ask the learner to "
                "send it again as MP4 (H.264/AAC) or WAV.")
    if kind == "ResourceError":
        return ("This recording could not be read to the end",
                f"Part of “{name}” could not be read: the file is probably damaged or cut "
                f"short.{said}")
    if kind == "AccessDeniedError":
        return ("This recording could not be opened",
                f"The system refused to open “{name}” for playing.{said}")
    return ("This recording cannot be played",
            f"Something went wrong while playing “{name}”.{said}")
