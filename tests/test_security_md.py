"""SECURITY.md points at the tests that prove each defence: every one it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"(tests/[\w/]+\.py)(?:::(\w+))?")


def test_every_test_the_threat_model_names_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    references = set(REFERENCE.findall(text))
    assert len(references) > 30
    missing = []
    for path, name in sorted(references):
        source = ROOT / path
        if not source.is_file():
            missing.append(path)
        elif name and not re.search(rf"^\s*def {name}\(", source.read_text(encoding="utf-8"),
                                    flags=re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_the_threat_model_covers_each_attacker_the_issue_names() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8").lower()
    for attacker in ("lost", "malicious evidence", "compromised hub", "malicious assessor",
                     "network"):
        assert attacker in text, attacker
