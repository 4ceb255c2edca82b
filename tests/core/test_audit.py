"""The hash-chained audit log: verified end to end, tampering named precisely."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from assessor.domain.audit import AuditEvent, seal, verify_chain
from assessor.domain.judgment import JudgmentDraft
from tests.core.helpers import ASSESSOR, care_id, seeded_store


def _chain(n: int) -> list[AuditEvent]:
    events, prev = [], "0" * 64
    for seq in range(1, n + 1):
        event = seal(AuditEvent(seq, f"2026-11-02T09:00:0{seq}", "u", "assessor", "judge",
                                "s", None, None, {"n": seq}, prev))
        events.append(event)
        prev = event.hash
    return events


def test_an_intact_chain_verifies() -> None:
    report = verify_chain(_chain(5))
    assert report.ok and report.checked == 5
    assert str(report) == "Audit log intact: 5 events verified."


def test_an_altered_event_is_named() -> None:
    events = _chain(5)
    events[2] = replace(events[2], details={"n": 99})
    report = verify_chain(events)
    assert report.first_bad_seq == 3
    assert "altered" in str(report)


def test_a_removed_event_is_named() -> None:
    events = _chain(5)
    del events[1]
    report = verify_chain(events)
    assert report.first_bad_seq == 2 and "missing" in report.reason


def test_a_removed_first_event_is_caught() -> None:
    report = verify_chain(_chain(3)[1:])
    assert report.first_bad_seq == 2


def test_a_rewritten_chain_tail_is_caught_at_the_first_change() -> None:
    events = _chain(4)
    forged = seal(replace(events[1], actor="mallory"))  # re-hashed, but the next link breaks
    report = verify_chain([events[0], forged, *events[2:]])
    assert report.first_bad_seq == 3


def test_every_store_transition_is_logged_and_the_database_refuses_edits(home) -> None:
    store = seeded_store(home, count=2)
    store.record_judgment(care_id(0), JudgmentDraft("listening", "proficient"), ASSESSOR)
    actions = [e.action for e in store.audit_events()]
    assert actions == ["receive", "receive", "open", "judge"]
    assert store.verify_audit().ok
    store.close()

    db = sqlite3.connect(home.store)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit_events WHERE seq = 2")
    db.close()


def test_tampering_behind_the_triggers_back_is_found_by_verify(home) -> None:
    store = seeded_store(home, count=3)
    store.record_judgment(care_id(0), JudgmentDraft("listening", "proficient"), ASSESSOR)
    store.close()
    db = sqlite3.connect(home.store)
    db.execute("DROP TRIGGER audit_events_no_update")
    db.execute("""UPDATE audit_events SET details = '{"criterion": "listening",
                  "level": "exemplary", "pins": 0, "revision": 1}' WHERE action = 'judge'""")
    db.commit()
    seq = db.execute("SELECT seq FROM audit_events WHERE action = 'judge'").fetchone()[0]
    db.close()
    from tests.core.helpers import open_store

    report = open_store(home).verify_audit()
    assert not report.ok
    assert report.first_bad_seq == seq
    assert f"Audit log broken at event {seq}" in str(report)
