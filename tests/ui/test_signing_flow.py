"""Signing from the window: the first signing creates the key, the dialog shows what is
signed, and without a keychain the user is told what to do while judging goes on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import keyring
import pytest
from keyring.backends import fail

from PySide6.QtCore import Qt

from assessor.credentials.verify import verify_credential
from assessor.domain.feedback import Outcome
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.states import State
from assessor.keys import KeyCustody
from tests.core.helpers import ASSESSOR, open_store, safety_id
from tests.ui.test_main_window import wait_for_review

PASSING = {"hazard-id": "proficient", "controls": "exemplary", "reporting": "proficient"}


@pytest.fixture
def approved(seeded):
    store = open_store(seeded)
    for key, level in PASSING.items():
        store.record_judgment(safety_id(0), JudgmentDraft(key, level), ASSESSOR)
    store.decide(safety_id(0), ASSESSOR, Outcome.APPROVE)
    store.close()
    yield seeded
    KeyCustody(seeded.home).delete_all()


def open_submission(window, qtbot, submission_id: str) -> None:
    store = open_store(window.ws.paths)
    learner = store.submission(submission_id).learner.name
    store.close()
    window.queue.search.setText(learner)  # as the user finds one learner's submission
    qtbot.wait_until(lambda: window.queue.select_id(submission_id), timeout=10_000)
    wait_for_review(qtbot, window, submission_id)


def test_first_signing_creates_the_key_and_signs_what_was_shown(open_window, approved,
                                                               qtbot) -> None:
    window = open_window()
    open_submission(window, qtbot, safety_id(0))
    assert window.sign_action.isEnabled()
    assert KeyCustody(approved.home).active() is None

    window.sign_action.trigger()
    qtbot.wait_until(lambda: getattr(window, "signing_dialog", None) is not None
                     and window.signing_dialog.isVisible(), timeout=10_000)
    dialog = window.signing_dialog
    dialog.grab().save(str(approved.home / "signing-dialog.png"))
    assert dialog.sign_button.text() == "Create Key and Sign"
    assert "no signing key yet" in dialog.note.text()
    assert "Applies controls: Exemplary" in dialog.summary.text()
    shown = json.loads(dialog.json_view.toPlainText())
    assert shown["type"] == ["VerifiableCredential", "OpenBadgeCredential"]

    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window._snapshot is not None
                     and window._snapshot.submission.state is State.SIGNED, timeout=15_000)
    assert not window.sign_action.isEnabled()
    assert "Signed" in window.statusBar().currentMessage()
    assert KeyCustody(approved.home).active() is not None

    store = open_store(approved)
    [signed] = store.signed_credentials(safety_id(0))
    store.close()
    assert {k: v for k, v in signed.items() if k not in ("proof", "issuer")} == \
        {k: v for k, v in shown.items() if k != "issuer"}
    assert verify_credential(signed, now=datetime.now(UTC) + timedelta(minutes=1)).ok


def test_cancelling_signs_nothing(open_window, approved, qtbot) -> None:
    window = open_window()
    open_submission(window, qtbot, safety_id(0))
    window.sign_action.trigger()
    qtbot.wait_until(lambda: getattr(window, "signing_dialog", None) is not None
                     and window.signing_dialog.isVisible(), timeout=10_000)
    window.signing_dialog.reject()
    qtbot.wait(200)
    store = open_store(approved)
    assert store.submission(safety_id(0)).state is State.APPROVED
    assert store.signed_credentials(safety_id(0)) == []
    store.close()
    assert KeyCustody(approved.home).active() is None


def test_without_a_keychain_signing_explains_and_judging_still_works(
        open_window, approved, qtbot, caplog) -> None:
    window = open_window()
    open_submission(window, qtbot, safety_id(0))
    original = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        window.sign_action.trigger()
        qtbot.wait_until(lambda: getattr(window, "signing_dialog", None) is not None
                         and window.signing_dialog.isVisible(), timeout=10_000)
        qtbot.mouseClick(window.signing_dialog.sign_button, Qt.MouseButton.LeftButton)
        qtbot.wait_until(lambda: "no usable os keychain" in caplog.text.lower(),
                         timeout=10_000)
        assert "judging still works" in caplog.text
        store = open_store(approved)
        assert store.submission(safety_id(0)).state is State.APPROVED
        store.close()

        open_submission(window, qtbot, safety_id(1))
        assert not window.sign_action.isEnabled()
        window.activateWindow()  # no window manager offscreen to hand activation back
        qtbot.wait_until(window.isActiveWindow, timeout=5_000)
        window.queue.table.setFocus()
        qtbot.keyClick(window, Qt.Key.Key_2)
        card = window.rubric.cards[0]
        qtbot.wait_until(lambda: card.status.text() == "Saved", timeout=10_000)
    finally:
        keyring.set_keyring(original)
