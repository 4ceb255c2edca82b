"""What the screenshots showed wrong (issue 7 polish), asserted as the user sees it: the
Approve button's whole text, the queue's columns at the default layout, the cheat sheet
on one line per shortcut."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ui.models.submission_table import Column


def _text_fits(button) -> bool:
    """The button's size hint and its width hold its whole text (in its own font)."""
    needed = QFontMetrics(button.font()).horizontalAdvance(button.text())
    return bool(button.sizeHint().width() >= needed + 16 and button.width() >= needed + 16)


def test_the_approve_button_shows_its_whole_text_enabled_and_disabled(qtbot) -> None:
    from ui.review.decision_bar import DecisionBar

    holder = QWidget()
    qtbot.add_widget(holder)
    bar = DecisionBar()
    QHBoxLayout(holder).addWidget(bar)
    holder.resize(360, 90)
    bar.show()
    holder.show()
    qtbot.wait_exposed(holder)
    button = bar.approve_button
    assert not button.isEnabled()
    qtbot.wait_until(lambda: _text_fits(button), timeout=2_000)
    disabled_hint = button.sizeHint()

    bar._enable(approve="", resubmit="")  # what show_state does once mastery is met
    assert button.isEnabled()
    qtbot.wait_until(lambda: _text_fits(button), timeout=2_000)
    assert button.font().bold() or button.font().weight() >= 600
    assert button.sizeHint() == disabled_hint  # nothing jumps when it turns on

    bar._enable(approve="Not yet judged: Mapping.", resubmit="x")
    qtbot.wait_until(lambda: _text_fits(button), timeout=2_000)


def test_the_default_layout_shows_learner_credential_due_and_state(
        open_window, seeded, qtbot) -> None:
    from tests.core.helpers import care_id
    from tests.ui.test_main_window import wait_for_review

    window = open_window()
    window.resize(1440, 900)
    window._reset_layout()
    queue = window.queue
    qtbot.wait_until(lambda: queue.model.rowCount() > 0, timeout=10_000)
    window.reload_submission(care_id(0))  # the rubric's cards take their room too
    wait_for_review(qtbot, window, care_id(0))
    qtbot.wait(50)
    qtbot.wait_until(lambda: queue.table.viewport().width() > 300, timeout=5_000)
    header = queue.table.horizontalHeader()
    visible = queue.table.viewport().width()
    for column in (Column.LEARNER, Column.CREDENTIAL, Column.ATTEMPT, Column.DUE,
                   Column.STATE):
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= visible, f"{column.name} is cut off ({right} > {visible})"
    metrics = QFontMetrics(queue.table.font())
    for text in ("18 Dec 2026", "12 days ago"):
        assert metrics.horizontalAdvance(text) < header.sectionSize(Column.DUE)
    for text in ("Pending", "In review", "Approved"):
        assert metrics.horizontalAdvance(text) < header.sectionSize(Column.STATE)


def test_the_cheat_sheet_has_one_line_per_shortcut(open_window, qtbot) -> None:
    from ui.windows.main_window import SHORTCUTS

    window = open_window()
    window.show_shortcuts()
    dialog = window.shortcuts_dialog
    table = dialog.table
    assert table.rowCount() == len(SHORTCUTS)
    dialog.show()
    qtbot.wait_exposed(dialog)
    keys_font = table.item(0, 0).font()
    for row, (keys, what) in enumerate(SHORTCUTS):
        assert table.item(row, 1).text() == what
        assert QFontMetrics(keys_font).horizontalAdvance(keys) < table.columnWidth(0)
        assert QFontMetrics(table.font()).horizontalAdvance(what) < table.columnWidth(1)
        assert table.rowHeight(row) < 2 * QFontMetrics(table.font()).lineSpacing()
    assert table.columnWidth(0) + table.columnWidth(1) <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    dialog.close()


def test_feedback_shows_authors_by_name_never_by_id(open_window, seeded, qtbot) -> None:
    from assessor.store.sync_store import SyncStore
    from assessor.sync.feed import parse_changes
    from tests.core.helpers import care_id, open_store
    from tests.core.test_people_names import UNNAMED, page
    from tests.ui.test_signing_flow import open_submission

    store = open_store(seeded)
    SyncStore(store).apply_page(parse_changes(page(store, care_id(0)), 0), 0)
    store.close()
    window = open_window()
    open_submission(window, qtbot, care_id(0))
    panel = window.review.feedback
    qtbot.wait_until(lambda: len(panel.cards) == 2, timeout=10_000)
    names = [card.accessibleName() for card in panel.cards]
    assert any(n.startswith("Note by Mere Mentor,") for n in names), names
    assert any(n.startswith("Note by Someone (dae9e883),") for n in names), names
    assert not any(UNNAMED in n for n in names)
    panel.reply_to("note-1")
    assert "Replying to <b>Mere Mentor</b>" in panel.reply_label.text()


def _conflict(**changes):
    from datetime import UTC, datetime

    from assessor.store.sync_store import Conflict

    values: dict[str, Any] = dict(id="c1", submission_id="2010e091-aaaa-bbbb-cccc-1234567890ab",
                  kind="judgment", subject="mapping",
                  mine={"criterion": "mapping", "level": "not_yet", "comment": "Mine"},
                  theirs={"criterion": "mapping", "level": "exemplary", "comment": "Theirs",
                          "author": "6c958535-041c-5836-801f-3be03cce7528"},
                  theirs_author="6c958535-041c-5836-801f-3be03cce7528", hub_revision=3,
                  created_at=datetime.now(UTC), resolved_at=None, resolution="")
    values.update(changes)
    return Conflict(**values)


def test_the_conflict_dialog_names_the_learner_the_criterion_and_the_person(qtbot) -> None:
    from ui.sync.conflict_dialog import ConflictContext, ConflictDialog

    conflict = _conflict()
    context = ConflictContext(
        learners={conflict.submission_id: "Chiara Rossi"},
        criteria={conflict.submission_id: {"mapping": "Identifies and maps stakeholders"}},
        people={conflict.theirs_author: "Sam Okoro"})
    levels = {conflict.submission_id: {"not_yet": "Not yet", "exemplary": "Exemplary"}}
    dialog = ConflictDialog([conflict], levels, context=context)
    qtbot.add_widget(dialog)
    assert dialog.list.item(0).text() == "Chiara Rossi · Identifies and maps stakeholders"
    heading = dialog.summary.text()
    assert "“Identifies and maps stakeholders” was changed on the hub by Sam Okoro" in heading
    assert dialog.theirs_head.text() == "Level: Exemplary — by Sam Okoro"
    for text in (heading, dialog.theirs_head.text(), dialog.list.item(0).text()):
        assert "6c958535" not in text and "2010e091" not in text and "mapping" not in text

    unknown = ConflictDialog([_conflict(id="c2")], levels)  # nothing known about anyone
    qtbot.add_widget(unknown)
    assert unknown.list.item(0).text() == "Submission 2010e091 · mapping"
    assert "by Someone (6c958535)" in unknown.summary.text()
    assert "041c-5836" not in unknown.summary.text() + unknown.theirs_head.text()


HUB = "https://hub.example.org"


def _sign_safety_0(home) -> dict[str, Any]:
    """safety_id(0) approved and signed (with a key held in memory), its status entry on
    the list of the hub at ``HUB``."""
    from assessor.credentials import ed25519
    from assessor.credentials.multiformats import ed25519_multikey
    from assessor.credentials.ob3 import IssuerProfile, StatusEntry
    from assessor.credentials.service import SigningService
    from assessor.domain.feedback import Outcome
    from assessor.domain.judgment import JudgmentDraft
    from assessor.keys import KeyCustody
    from tests.core.helpers import ASSESSOR, open_store, safety_id
    from tests.ui.test_signing_flow import PASSING

    store = open_store(home)
    try:
        for key, level in PASSING.items():
            store.record_judgment(safety_id(0), JudgmentDraft(key, level), ASSESSOR)
        store.decide(safety_id(0), ASSESSOR, Outcome.APPROVE)
        service = SigningService(store, KeyCustody(home.home), IssuerProfile("Org", HUB), HUB,
                                 status=lambda _id: StatusEntry(f"{HUB}/status/1", 5))
        seed = bytes(range(32))
        signer = ed25519.Ed25519Signer(seed, ed25519_multikey(ed25519.public_key(seed)))
        return service.sign(service.preview(safety_id(0), ASSESSOR), ASSESSOR, signer=signer)
    finally:
        store.close()


def test_the_credential_link_is_the_hubs_public_page() -> None:
    from assessor.hub.publication import CREDENTIAL_PATH, STATUS_LIST_PATH, credential_url
    from ui.windows import credential_actions as ca

    assert (ca.CREDENTIAL_PATH, ca.STATUS_LIST_PATH) == (CREDENTIAL_PATH, STATUS_LIST_PATH)
    credential = {"id": "urn:uuid:1234", "credentialStatus": [
        {"type": "BitstringStatusListEntry", "statusListCredential": f"{HUB}/status/1"}]}
    assert ca.credential_page_url(credential, "http://127.0.0.1:9") == \
        credential_url(HUB, "urn:uuid:1234")
    assert ca.credential_page_url({"id": "urn:uuid:1"}, "http://127.0.0.1:9/") == \
        "http://127.0.0.1:9/credentials/urn:uuid:1"
    assert ca.credential_page_url({"id": "urn:uuid:1"}, "") == ""


def test_a_signed_credential_can_be_found_copied_opened_and_saved(
        open_window, seeded, qtbot, tmp_path, monkeypatch) -> None:
    from PySide6.QtGui import QGuiApplication

    from assessor.credentials.baking import unbake_png
    from tests.core.helpers import safety_id
    from tests.ui.test_signing_flow import open_submission
    from ui.windows.credential_actions import JSON_FILTER, NOTHING_SIGNED, PNG_FILTER

    signed = _sign_safety_0(seeded)
    window = open_window()
    window.finish_loading()
    actions = window.credentials
    titles = [a.text() for a in window.menus["review"].actions()]
    assert {"Copy Credential &Link", "&Open Credential Page", "Sa&ve Credential…"} <= set(titles)
    for action in actions.actions:  # nothing open: disabled, and saying why
        assert not action.isEnabled() and action.toolTip() == NOTHING_SIGNED

    open_submission(window, qtbot, safety_id(0))
    qtbot.wait_until(actions.save_action.isEnabled, timeout=10_000)
    link = f"{HUB}/credentials/{signed['id']}"
    assert actions.link == link
    bar = window.rubric.decision_bar
    assert bar.credential_row.isVisible()
    assert [b.text() for b in bar.credential_buttons] == ["Copy Link", "Open Page", "Save…"]
    assert all(b.isEnabled() for b in bar.credential_buttons[::2])

    bar.credential_buttons[0].click()
    assert QGuiApplication.clipboard().text() == link
    assert link in window.statusBar().currentMessage()
    # signed but not yet on the hub: its page does not exist yet, and the button says so
    assert not actions.open_page_action.isEnabled()
    assert "next sync" in bar.credential_buttons[1].toolTip()

    opened = []
    def record(url) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(type(actions), "open_url", staticmethod(record))
    actions._state = "published"
    actions._update()
    assert actions.open_page_action.isEnabled() and bar.credential_buttons[1].isEnabled()
    actions.open_page_action.trigger()
    assert opened == [link]

    for name, chosen in (("badge.json", JSON_FILTER), ("badge.png", PNG_FILTER)):
        target = tmp_path / name
        monkeypatch.setattr(type(actions), "ask_save_path", staticmethod(
            lambda _parent, _stem, t=target, c=chosen: (str(t), c)))
        actions.save_action.trigger()
        qtbot.wait_until(target.exists, timeout=10_000)
        qtbot.wait_until(lambda t=target: str(t) in window.statusBar().currentMessage(),
                         timeout=5_000)
    import json

    assert json.loads((tmp_path / "badge.json").read_text(encoding="utf-8")) == signed
    assert unbake_png((tmp_path / "badge.png").read_bytes()) == signed

    target = tmp_path / "no-such-folder" / "badge.json"
    monkeypatch.setattr(type(actions), "ask_save_path", staticmethod(
        lambda _parent, _stem: (str(target), JSON_FILTER)))
    errors = []
    monkeypatch.setattr(window, "_on_error", lambda exc: errors.append(str(exc)))
    actions.save_action.trigger()
    qtbot.wait_until(lambda: bool(errors), timeout=5_000)
    assert errors[0].startswith(f"Cannot save the credential to {target}")


def test_credential_actions_say_why_when_nothing_is_signed(open_window, seeded,
                                                           qtbot) -> None:
    from tests.core.helpers import care_id
    from tests.ui.test_signing_flow import open_submission
    from ui.windows.credential_actions import NOTHING_SIGNED

    window = open_window()
    open_submission(window, qtbot, care_id(0))
    actions = window.credentials
    assert not any(a.isEnabled() for a in actions.actions)
    assert all(a.statusTip() == NOTHING_SIGNED for a in actions.actions)
    assert not window.rubric.decision_bar.credential_row.isVisible()
    actions.copy_link()
    assert window.statusBar().currentMessage() == NOTHING_SIGNED
