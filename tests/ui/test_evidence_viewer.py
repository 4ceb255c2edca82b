"""The evidence viewer inside the main window: real files in the encrypted cache, shown by
the view that suits them, and pins drawn on them saved with a criterion's judgment."""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QToolButton

from assessor.config import Settings, save_settings
from assessor.demo import TEMPLATES
from assessor.domain.judgment import DocumentPin, ImagePin, Rect
from assessor.domain.people import Learner
from assessor.domain.submission import EvidenceItem, Submission
from assessor.evidence.cache import EvidenceCache
from assessor.evidence.cache_format import new_key
from tests.core.helpers import ASSESSOR, NOW, open_store, seeded_store
from tests.ui.test_main_window import wait_for_review
from ui.evidence.document_view import DocumentView
from ui.evidence.message_panel import WRONG_PASSWORD
from ui.evidence.source import NOT_DOWNLOADED, EvidenceSource
from ui.evidence.viewer import EvidenceViewer

SUBMISSION = "viewer-1"
PASSWORD = "correct horse"


AES_256 = 4  # pymupdf.PDF_ENCRYPT_AES_256 (not in its type hints)

def pdf_bytes(pages: int = 3, password: str | None = None) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for n in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((72, 90), f"Risk assessment, page {n + 1}", fontsize=22)
        page.draw_rect(pymupdf.Rect(72, 140, 523, 420), color=(0, 0, 0), fill=(0.1, 0.1, 0.1))
    out = io.BytesIO()
    if password:
        doc.save(out, encryption=AES_256, user_pw=password,
                 owner_pw=password + "-owner")
    else:
        doc.save(out)
    doc.close()
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    picture = Image.new("RGB", (320, 200), (255, 255, 255))
    picture.paste((200, 20, 20), (40, 40, 280, 160))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def wav_bytes(seconds: float = 1.0) -> bytes:
    import math
    import struct
    import wave

    rate = 8000
    frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
                      for n in range(int(rate * seconds)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


TEXT = "What went well: the toolbox talk.\nWhat to change: start earlier.\n"
RTF = (r"{\rtf1\ansi{\fonttbl\f0\fswiss Helvetica;}\f0\pard "
       r"Near-miss report: forklift and pedestrian.\par}").encode("ascii")


@dataclass(frozen=True)
class Evidence:
    item: EvidenceItem
    data: bytes


def _item(n: int, name: str, media_type: str, data: bytes, description: str = "") -> Evidence:
    digest = hashlib.sha256(data).hexdigest()
    return Evidence(EvidenceItem(f"viewer-ev-{n}", name, media_type, len(data), digest,
                                 description), data)


@pytest.fixture
def files() -> dict[str, Evidence]:
    return {
        "pdf": _item(0, "risk-assessment.pdf", "application/pdf", pdf_bytes(),
                     "Signed risk assessment"),
        "png": _item(1, "site-photo.png", "image/png", png_bytes(), "Barriers in place"),
        "text": _item(2, "reflection.txt", "text/plain", TEXT.encode()),
        "blob": _item(3, "readings.dat", "application/octet-stream",
                      bytes(range(256)) * 40 + os.urandom(512)),
        "locked": _item(4, "locked-plan.pdf", "application/pdf", pdf_bytes(2, PASSWORD)),
        "missing": _item(5, "toolbox-talk.pdf", "application/pdf", pdf_bytes(1)),
        "office": _item(6, "near-miss.rtf", "application/rtf", RTF),
        "audio": _item(7, "toolbox-talk.wav", "audio/wav", wav_bytes()),
    }


@pytest.fixture
def key() -> bytes:
    return new_key()


@pytest.fixture
def evidence_home(home, files, key):
    """The demo rubrics, one submission carrying every kind of file, all but one of them
    in the encrypted cache (written with ``key``, handed to the window explicitly)."""
    store = seeded_store(home, count=0)
    template = TEMPLATES[0]
    store.receive([Submission(
        id=SUBMISSION, learner=Learner("learner-v", "Vai Viewer", "vai@learners.example.org"),
        template_id=template.id, rubric_key=template.rubric_key,
        rubric_version=template.rubric_version, attempt=1, submitted_at=NOW,
        narrative="Vai walked the site with the supervisor and wrote up the hazards.",
        evidence=tuple(e.item for e in files.values()), due_at=NOW + timedelta(days=14),
        assigned_to=ASSESSOR.user_id)])
    store.close()
    cache = EvidenceCache(home.evidence, key)
    for name, evidence in files.items():
        if name == "missing":
            continue
        with cache.begin(evidence.item.sha256, len(evidence.data)) as writer:
            writer.write(evidence.data)
            writer.commit()
    return home


@pytest.fixture
def review_window(open_window, evidence_home, key, qtbot):
    """The main window with the submission open (its first evidence file selected)."""

    def opened():
        window = open_window()
        window.use_evidence_source(EvidenceSource(evidence_home.evidence, key=lambda: key))
        qtbot.wait_until(lambda: window.queue.model.rowCount() == 1, timeout=10_000)
        window.queue.select_row(0)
        wait_for_review(qtbot, window, SUBMISSION)
        return window

    return opened


def select(window, qtbot, evidence: Evidence) -> EvidenceViewer:
    assert window.review.select_evidence(evidence.item.id)
    viewer: EvidenceViewer = window.viewer
    qtbot.wait_until(lambda: viewer.item is not None and viewer.item.id == evidence.item.id
                     and viewer.settled, timeout=30_000)
    return viewer


def wait_shown(viewer: EvidenceViewer, qtbot, evidence: Evidence) -> None:
    qtbot.wait_until(lambda: viewer.shown and viewer.item is not None
                     and viewer.item.id == evidence.item.id, timeout=20_000)


def colours(widget) -> QImage:
    image: QImage = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return image


def count_pixels(image: QImage, test, step: int = 3) -> int:
    found = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            c = image.pixelColor(x, y)
            if test(c.red(), c.green(), c.blue()):
                found += 1
    return found


def dark(r: int, g: int, b: int) -> bool:
    return r < 60 and g < 60 and b < 60


def red(r: int, g: int, b: int) -> bool:
    return r > 150 and g < 80 and b < 80


def panel_text(viewer: EvidenceViewer) -> str:
    panel = viewer.panel
    facts = " ".join(label.text() for label in panel.facts.findChildren(type(panel.title)))
    return re.sub(r"<[^>]+>", "", f"{panel.title.text()} | {panel.detail.text()} | {facts}")


# -- what each kind of file looks like ---------------------------------------------------


def test_a_pdf_shows_a_page_with_ink_on_it(review_window, files, qtbot) -> None:
    window = review_window()
    viewer = select(window, qtbot, files["pdf"])
    wait_shown(viewer, qtbot, files["pdf"])
    assert viewer.current_view is viewer.view("document")
    assert viewer.name.text() == "risk-assessment.pdf"
    qtbot.wait_until(lambda: count_pixels(colours(viewer.current_view), dark) > 200,
                     timeout=20_000)
    assert viewer.pin_action.isEnabled()
    assert viewer.save_action.isEnabled()


def test_an_image_shows(review_window, files, qtbot) -> None:
    window = review_window()
    viewer = select(window, qtbot, files["png"])
    wait_shown(viewer, qtbot, files["png"])
    assert viewer.current_view is viewer.view("image")
    qtbot.wait_until(lambda: count_pixels(colours(viewer.current_view), red) > 100,
                     timeout=20_000)


def test_a_text_file_shows_its_words(review_window, files, qtbot) -> None:
    window = review_window()
    viewer = select(window, qtbot, files["text"])
    wait_shown(viewer, qtbot, files["text"])
    view = viewer.current_view
    assert view is viewer.view("text")
    assert view is not None
    shown = " ".join(w.toPlainText() for w in view.findChildren(QPlainTextEdit)
                     + view.findChildren(QTextEdit))
    assert "the toolbox talk" in shown
    assert not viewer.pin_action.isEnabled()
    assert "text files have none" in viewer.pin_button.toolTip()


def test_an_unknown_file_shows_its_details_and_can_be_saved(review_window, files, qtbot,
                                                            tmp_path, monkeypatch) -> None:
    window = review_window()
    blob = files["blob"]
    viewer = select(window, qtbot, blob)
    assert viewer.current_view is viewer.panel
    text = panel_text(viewer)
    assert "Cannot preview this file here" in text
    for fact in ("readings.dat", "application/octet-stream", blob.item.sha256,
                 f"{blob.item.size:,} bytes"):
        assert fact in text
    assert viewer.panel.save_button.isVisible()

    target = tmp_path / "exported" / "readings.dat"
    target.parent.mkdir()
    monkeypatch.setattr(EvidenceViewer, "ask_save_path",
                        staticmethod(lambda parent, name: str(target)))
    viewer.panel.save_button.click()
    qtbot.wait_until(lambda: target.exists() and target.read_bytes() == blob.data,
                     timeout=5_000)
    qtbot.wait_until(lambda: "Saved a copy" in window.statusBar().currentMessage(),
                     timeout=5_000)


def opened_by(opened: list[Path]):
    """A stand-in for the system's "open this file": records what it was asked to open."""
    def open_external(path: Path) -> bool:
        opened.append(path)
        return True
    return open_external


def test_open_with_saves_where_the_user_chooses_then_opens_that_copy(
        review_window, files, qtbot, tmp_path, monkeypatch) -> None:
    window = review_window()
    blob = files["blob"]
    viewer = select(window, qtbot, blob)
    assert viewer.panel.open_button_external.isVisible()
    target = tmp_path / "readings.dat"
    opened: list[Path] = []
    monkeypatch.setattr(EvidenceViewer, "ask_save_path",
                        staticmethod(lambda parent, name: str(target)))
    monkeypatch.setattr(EvidenceViewer, "open_external", staticmethod(opened_by(opened)))
    viewer.panel.open_button_external.click()
    qtbot.wait_until(lambda: opened == [target], timeout=5_000)
    assert target.read_bytes() == blob.data  # the copy the program opens is the user's


def test_open_with_cancelled_writes_nothing(review_window, files, qtbot, tmp_path,
                                            monkeypatch) -> None:
    window = review_window()
    viewer = select(window, qtbot, files["blob"])
    opened: list[Path] = []
    monkeypatch.setattr(EvidenceViewer, "ask_save_path", staticmethod(lambda parent, name: ""))
    monkeypatch.setattr(EvidenceViewer, "open_external", staticmethod(opened_by(opened)))
    before = sorted(tmp_path.rglob("*"))
    viewer.panel.open_button_external.click()
    qtbot.wait(300)
    assert opened == [] and sorted(tmp_path.rglob("*")) == before


def test_saving_a_copy_where_it_cannot_be_written_says_why(review_window, files, qtbot,
                                                           tmp_path, monkeypatch) -> None:
    window = review_window()
    viewer = select(window, qtbot, files["blob"])
    target = tmp_path / "no-such-folder" / "readings.dat"
    monkeypatch.setattr(EvidenceViewer, "ask_save_path",
                        staticmethod(lambda parent, name: str(target)))
    viewer.save_action.trigger()
    qtbot.wait_until(lambda: "Could not save a copy" in window.statusBar().currentMessage(),
                     timeout=5_000)
    assert "No such file or directory" in window.statusBar().currentMessage()


def test_an_encrypted_pdf_asks_for_its_password(review_window, files, qtbot, caplog) -> None:
    window = review_window()
    locked = files["locked"]
    viewer = select(window, qtbot, locked)
    panel = viewer.panel
    assert panel.asking_password and panel.password.isVisible()
    assert panel.password.echoMode() == panel.password.EchoMode.Password
    assert "locked-plan.pdf" in panel_text(viewer)

    qtbot.keyClicks(panel.password, "not it")
    qtbot.keyClick(panel.password, Qt.Key.Key_Return)
    assert panel.password.text() == ""  # not kept in the field either
    qtbot.wait_until(panel.password_error.isVisible, timeout=20_000)
    assert panel.password_error.text() == WRONG_PASSWORD

    panel.password.setText(PASSWORD)
    panel.open_button.click()
    wait_shown(viewer, qtbot, locked)
    document = viewer.current_view
    assert isinstance(document, DocumentView) and document is viewer.view("document")
    assert document.page_count == 2
    assert PASSWORD not in caplog.text and "not it" not in caplog.text


def test_an_encrypted_pdf_opened_with_its_password_shows_ink(review_window, files,
                                                             qtbot) -> None:
    window = review_window()
    locked = files["locked"]
    viewer = select(window, qtbot, locked)
    viewer.panel.password.setText(PASSWORD)
    viewer.panel.open_button.click()
    wait_shown(viewer, qtbot, locked)
    qtbot.wait_until(lambda: count_pixels(colours(viewer.current_view), dark) > 200,
                     timeout=8_000)


def test_evidence_not_downloaded_yet_says_so(review_window, files, qtbot) -> None:
    window = review_window()
    viewer = select(window, qtbot, files["missing"])
    assert viewer.current_view is viewer.panel
    assert viewer.panel.title.text() == NOT_DOWNLOADED
    assert files["missing"].item.sha256 in panel_text(viewer)
    assert not viewer.panel.save_button.isVisible()
    assert not viewer.pin_action.isEnabled()


def test_a_damaged_cached_file_is_not_shown(review_window, evidence_home, files,
                                           qtbot) -> None:
    path = evidence_home.evidence / "objects" / files["png"].item.sha256
    raw = bytearray(path.read_bytes())
    raw[-40] ^= 0x55
    path.write_bytes(bytes(raw))
    window = review_window()
    viewer = select(window, qtbot, files["png"])
    assert viewer.current_view is viewer.panel
    assert viewer.panel.title.text() == "This evidence file is damaged on this computer"
    assert "failed its integrity check" in viewer.panel.detail.text()


def test_an_office_file_without_libreoffice_offers_a_copy(review_window, files, qtbot,
                                                          monkeypatch) -> None:
    from assessor.evidence.office import SOFFICE_ENV

    monkeypatch.setenv(SOFFICE_ENV, "no-such-office-program")
    window = review_window()
    viewer = select(window, qtbot, files["office"])
    assert viewer.panel.title.text() == "Cannot preview this office document here"
    assert "near-miss.rtf" in panel_text(viewer)
    assert viewer.panel.save_button.isVisible()


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="needs LibreOffice")
def test_an_office_file_is_converted_and_shown_as_a_document(review_window, files,
                                                             qtbot) -> None:
    window = review_window()
    viewer = select(window, qtbot, files["office"])
    wait_shown(viewer, qtbot, files["office"])
    assert viewer.current_view is viewer.view("document")


@pytest.mark.qt_log_ignore(r"Couldn't (load|resolve)", r"PulseAudioService",
                           r"No audio device detected", r"No RHI backend")
def test_a_recording_plays_in_the_media_view(review_window, files, qtbot) -> None:
    window = review_window()
    viewer = select(window, qtbot, files["audio"])
    wait_shown(viewer, qtbot, files["audio"])
    assert viewer.current_view is viewer.view("media")
    assert viewer.pin_action.isEnabled()


def test_pins_read_as_places_in_their_evidence() -> None:
    from assessor.domain.judgment import MediaPin
    from ui.evidence.pin_text import describe

    assert describe(DocumentPin("e", 2, Rect(0, 0, 1, 1), "the  signed\nform")) == \
        "p. 3 — the signed form"
    assert describe(MediaPin("e", 12_400, 20_000)) == "0:12–0:20"
    assert describe(MediaPin("e", 3_600_000, 3_725_000, "end")) == "1:00:00–1:02:05 — end"
    assert describe(ImagePin("e", Rect(0, 0, 0.5, 0.5))) == "image region"


def test_a_newer_selection_wins_over_a_slower_older_one(review_window, files, qtbot) -> None:
    window = review_window()
    window.review.select_evidence(files["pdf"].item.id)
    window.review.select_evidence(files["text"].item.id)
    viewer = window.viewer
    wait_shown(viewer, qtbot, files["text"])
    qtbot.wait(800)  # the PDF's answer arrives and must land nowhere
    assert viewer.item is not None and viewer.item.id == files["text"].item.id
    assert viewer.current_view is viewer.view("text")


# -- pins ----------------------------------------------------------------------------------


def drag_pin(window, qtbot) -> None:
    """Pin mode on (P), then drag a box on the first page on show, as the user does."""
    viewer = window.viewer
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert viewer.pin_mode
    surface = viewer.current_view.canvas.viewport()
    qtbot.wait_until(lambda: count_pixels(colours(surface), dark) > 200, timeout=20_000)
    start, end = QPoint(surface.width() // 3, 120), QPoint(surface.width() // 2, 200)
    qtbot.mousePress(surface, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(surface, start + (end - start) * step / 5)
    qtbot.mouseRelease(surface, Qt.MouseButton.LeftButton, pos=end)
    qtbot.wait_until(lambda: getattr(window, "pin_dialog", None) is not None
                     and window.pin_dialog.isVisible(), timeout=5_000)


def test_a_pin_is_saved_with_the_chosen_criterion_and_survives_a_restart(
        review_window, files, qtbot) -> None:
    window = review_window()
    pdf = files["pdf"]
    viewer = select(window, qtbot, pdf)
    wait_shown(viewer, qtbot, pdf)
    window.rubric.set_current(0)
    drag_pin(window, qtbot)
    dialog = window.pin_dialog
    assert "risk-assessment.pdf, p. 1" in dialog.findChildren(QLabel)[0].text()
    assert dialog.criterion.currentData() == window.rubric.cards[0].criterion.key
    dialog.criterion.setCurrentIndex(1)
    dialog.note.setText("signed by the supervisor")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    card = window.rubric.cards[1]
    qtbot.wait_until(lambda: card.status.text() == "Saved", timeout=10_000)
    assert not viewer.pin_mode  # one pin per press of P
    assert [link.full_text for link in card.pin_links] == [
        "p. 1 — signed by the supervisor  ·  risk-assessment.pdf"]
    criterion = card.criterion.key
    [drawn] = card.pins
    assert drawn.evidence_id == pdf.item.id and drawn.page == 0
    assert 0 < drawn.rect.width < 1 and 0 < drawn.rect.height < 1
    # the new pin is drawn on the page
    qtbot.wait_until(lambda: drawn in viewer.current_view.canvas.pins, timeout=5_000)

    store = open_store(window.ws.paths)
    saved = store.judgments(SUBMISSION)[criterion]
    assert saved.pins == (drawn,)
    assert drawn.note == "signed by the supervisor"
    assert saved.level_key is None
    store.close()
    window.close()

    again = review_window()
    card = again.rubric.card_for(criterion)
    assert card is not None
    assert [link.full_text for link in card.pin_links] == [
        "p. 1 — signed by the supervisor  ·  risk-assessment.pdf"]
    viewer = select(again, qtbot, pdf)
    wait_shown(viewer, qtbot, pdf)
    assert drawn in viewer.current_view.canvas.pins  # drawn on its page again


def test_clicking_a_listed_pin_opens_its_evidence_at_the_page(review_window, files,
                                                              qtbot) -> None:
    pdf = files["pdf"]
    pin = DocumentPin(pdf.item.id, 2, Rect(0.1, 0.1, 0.3, 0.3), "page three")
    window = review_window()
    card = window.rubric.cards[0]
    card.add_pin(pin)
    qtbot.wait_until(lambda: card.status.text() == "Saved", timeout=10_000)
    viewer = select(window, qtbot, files["text"])  # another file is on show
    wait_shown(viewer, qtbot, files["text"])

    card.pin_links[0].click()
    wait_shown(viewer, qtbot, pdf)
    assert window.review.selected_item() == pdf.item
    view = viewer.current_view
    assert view is viewer.view("document")
    qtbot.wait_until(lambda: _page_of(view) == 2, timeout=10_000)


def _page_of(view) -> int:
    for name in ("current_page", "page"):
        value = getattr(view, name, None)
        if callable(value):
            value = value()
        if isinstance(value, int):
            return value
    raise AssertionError("the document view says which page is on show")


def test_clicking_a_drawn_pin_focuses_its_criterion(review_window, files, qtbot) -> None:
    window = review_window()
    pdf = files["pdf"]
    pin = DocumentPin(pdf.item.id, 0, Rect(0.2, 0.2, 0.2, 0.2))
    third = window.rubric.cards[2]
    third.add_pin(pin)
    qtbot.wait_until(lambda: third.status.text() == "Saved", timeout=10_000)
    viewer = select(window, qtbot, pdf)
    wait_shown(viewer, qtbot, pdf)
    window.rubric.set_current(0)
    viewer.current_view.pin_clicked.emit(pin)
    assert window.rubric.current_card is third
    assert third.pin_links[0].property("flash") is True


def test_removing_a_pin_saves_the_judgment_without_it(review_window, files, qtbot) -> None:
    window = review_window()
    pdf, png = files["pdf"], files["png"]
    card = window.rubric.cards[0]
    keep = DocumentPin(pdf.item.id, 0, Rect(0.1, 0.1, 0.2, 0.2), "keep")
    drop = ImagePin(png.item.id, Rect(0.0, 0.0, 0.5, 0.5), "drop")
    card.add_pin(keep)
    card.add_pin(drop)
    qtbot.wait_until(lambda: card.status.text() == "Saved" and len(card.pin_links) == 2,
                     timeout=10_000)
    assert card.pin_links[1].full_text == "image region — drop  ·  site-photo.png"
    buttons = [b for b in card.pin_box.findChildren(QToolButton)
               if b.objectName() == "pinRemove"]
    assert len(buttons) == 2
    buttons[1].click()
    qtbot.wait_until(lambda: card.status.text() == "Saved" and len(card.pin_links) == 1,
                     timeout=10_000)
    store = open_store(window.ws.paths)
    assert store.judgments(SUBMISSION)[card.criterion.key].pins == (keep,)
    store.close()
    window.close()
    again = review_window()
    assert [link.full_text for link in again.rubric.cards[0].pin_links] == [
        "p. 1 — keep  ·  risk-assessment.pdf"]


def test_mentors_cannot_pin(evidence_home, review_window, files, qtbot) -> None:
    save_settings(evidence_home.home, Settings(user_id="mentor-1", user_name="Mere Mentor",
                                               role="mentor"))
    window = review_window()
    viewer = select(window, qtbot, files["pdf"])
    wait_shown(viewer, qtbot, files["pdf"])
    assert not viewer.pin_action.isEnabled()
    assert "Mentors" in viewer.pin_button.toolTip()
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert not viewer.pin_mode


def test_find_in_a_document_searches_the_document_not_the_queue(review_window, files,
                                                                  qtbot) -> None:
    window = review_window()
    viewer = select(window, qtbot, files["pdf"])
    wait_shown(viewer, qtbot, files["pdf"])
    view = viewer.current_view
    view.canvas.setFocus()
    qtbot.keyClick(view.canvas, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.search_bar.isVisible()
    window.queue.table.setFocus()
    qtbot.keyClick(window.queue.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait_until(window.queue.search.hasFocus, timeout=2_000)


def test_closing_the_window_while_a_document_opens_stops_the_renderer(review_window, files,
                                                                      qtbot) -> None:
    import time

    window = review_window()
    viewer = select(window, qtbot, files["png"])  # the render workers are up
    wait_shown(viewer, qtbot, files["png"])
    workers = viewer.service()._worker_pids()
    assert workers

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    window.review.select_evidence(files["pdf"].item.id)
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 10
    qtbot.wait_until(lambda: not any(alive(pid) for pid in workers), timeout=10_000)


def test_without_a_keychain_downloaded_evidence_says_why_it_cannot_open(
        open_window, evidence_home, files, qtbot) -> None:
    import keyring
    from keyring.backends import fail

    original = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        window = open_window()  # the window's own source: the key comes from the keychain
        qtbot.wait_until(lambda: window.queue.model.rowCount() == 1, timeout=10_000)
        window.queue.select_row(0)
        wait_for_review(qtbot, window, SUBMISSION)
        viewer = select(window, qtbot, files["pdf"])
        assert viewer.panel.title.text() == "Cannot open this evidence file"
        assert "keychain" in viewer.panel.detail.text().lower()
        assert "risk-assessment.pdf" in panel_text(viewer)
    finally:
        keyring.set_keyring(original)
