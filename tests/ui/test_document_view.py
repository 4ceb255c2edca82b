"""DocumentView against the real render service, with PDFs made here by PyMuPDF."""

from __future__ import annotations

import random
import time

import pytest

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from assessor.domain.judgment import DocumentPin, Rect
from assessor.evidence.render import RenderService
from ui.evidence.document_view import DocumentView
from ui.evidence.page_layout import POINTS_TO_PIXELS
from ui.evidence.tiles import RenderKey, scale_key

A4 = (595.0, 842.0)


def make_pdf(pages: int, *, words: dict[int, str] | None = None, marker: bool = True) -> bytes:
    """Pages with a heading, a line of text, and a black square at the top left (72..144 pt)."""
    import pymupdf

    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_text((200, 100), f"Page {i + 1} heading", fontsize=20)
        page.insert_text((72, 300), (words or {}).get(i, "The quick brown fox jumps."),
                         fontsize=14)
        if marker:
            page.draw_rect(pymupdf.Rect(72, 72, 144, 144), color=(0, 0, 0), fill=(0, 0, 0))
    return bytes(doc.tobytes())


def heavy_page_pdf(paths: int = 20_000) -> bytes:
    """One page of many overlapping filled curves: seconds to draw."""
    import pymupdf

    rnd = random.Random(7)
    ops = []
    for _ in range(paths):
        x, y = rnd.uniform(0, 595), rnd.uniform(0, 842)
        c = [f"{v + rnd.uniform(-40, 40):.1f}" for v in (x, y, x, y, x, y)]
        ops.append(f"{rnd.random():.2f} {rnd.random():.2f} {rnd.random():.2f} rg 0.6 w "
                   f"{x:.1f} {y:.1f} m {' '.join(c)} c h B")
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    page.insert_text((72, 72), " ")
    doc.update_stream(page.get_contents()[0], "\n".join(ops).encode())
    doc.new_page(width=A4[0], height=A4[1]).insert_text((72, 72), "A light page")
    return bytes(doc.tobytes(deflate=True))


@pytest.fixture(scope="module")
def service():
    with RenderService(workers=2) as svc:
        svc.start()
        yield svc


@pytest.fixture
def open_view(qtbot, service):
    made: list[tuple[DocumentView, object]] = []

    def factory(data: bytes, *, size=(900, 700), budget: int | None = None,
                svc: RenderService | None = None) -> DocumentView:
        view = DocumentView(svc or service, cache_budget=budget) if budget else DocumentView(
            svc or service)
        qtbot.add_widget(view)
        view.resize(*size)
        with qtbot.wait_active(view):
            view.show()
            view.activateWindow()
        handle = (svc or service).open_document(data, name="evidence.pdf")
        view.load(handle, "ev-1")
        view.canvas.setFocus()
        made.append((view, handle))
        return view

    yield factory
    for view, handle in made:
        view.clear()
        handle.close()  # type: ignore[attr-defined]


def wait_rendered(qtbot, view: DocumentView, page: int, timeout: int = 15_000) -> QImage:
    canvas = view.canvas

    def key() -> RenderKey:
        assert canvas.layout_ is not None
        return RenderKey(page, scale_key(canvas.layout_.scale), canvas.rotation)

    qtbot.wait_until(lambda: key() in canvas.cache, timeout=timeout)
    image = canvas.cache.get(key())
    assert image is not None
    return image


def grab_page(view: DocumentView, page: int) -> QImage:
    canvas = view.canvas
    canvas.viewport().repaint()
    shot = canvas.viewport().grab().toImage()
    r = canvas.page_view_rect(page).toRect().intersected(canvas.viewport().rect())
    return shot.copy(r)


def dark_fraction(image: QImage) -> float:
    dark = total = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            total += 1
            if QColor(image.pixel(x, y)).lightness() < 128:
                dark += 1
    return dark / max(1, total)


def send_mouse(widget: QWidget, kind: QEvent.Type, pos: QPointF,
               buttons: Qt.MouseButton = Qt.MouseButton.LeftButton) -> None:
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else buttons
    event = QMouseEvent(kind, pos, widget.mapToGlobal(pos), button, held,
                        Qt.KeyboardModifier.NoModifier)
    QGuiApplication.sendEvent(widget, event)


def drag(widget: QWidget, start: QPointF, end: QPointF, steps: int = 6) -> None:
    send_mouse(widget, QEvent.Type.MouseButtonPress, start)
    for i in range(1, steps + 1):
        t = i / steps
        send_mouse(widget, QEvent.Type.MouseMove, start + (end - start) * t)
    send_mouse(widget, QEvent.Type.MouseButtonRelease, end)


def test_a_rendered_page_is_not_blank(qtbot, open_view) -> None:
    view = open_view(make_pdf(3))
    wait_rendered(qtbot, view, 0)
    page = grab_page(view, 0)
    assert page.width() > 300 and page.height() > 300
    assert dark_fraction(page) > 0.005  # the heading, the text and the black square
    # the black square sits at the top left: 72..144 pt of 595 pt wide
    r = view.canvas.page_view_rect(0)
    x = round(108 / A4[0] * r.width())
    y = round(108 / A4[1] * r.height())
    assert QColor(page.pixel(x, y)).lightness() < 40
    view.grab().save("/tmp/docview.png")


def test_page_navigation_changes_the_number_and_what_is_shown(qtbot, open_view) -> None:
    view = open_view(make_pdf(6))
    assert view.page_total.text() == "/ 6" and view.page_box.text() == "1"
    view.next_page()
    assert view.current_page == 1 and view.page_box.text() == "2"
    QTest.keyClick(view.canvas, Qt.Key.Key_PageDown)
    assert view.current_page == 2 and view.page_box.text() == "3"
    centre = QPointF(view.canvas.viewport().width() / 2, 60)
    assert view.canvas.page_under(centre) == 2  # page 3 is what is at the top now
    wait_rendered(qtbot, view, 2)
    assert dark_fraction(grab_page(view, 2)) > 0.005
    QTest.keyClick(view.canvas, Qt.Key.Key_PageUp)
    assert view.current_page == 1
    view.page_box.setText("5")
    QTest.keyClick(view.page_box, Qt.Key.Key_Return)
    assert view.current_page == 4 and view.page_box.text() == "5"
    assert not view.next_button.isEnabled() or view.current_page < 5
    view.go_to_page(99)  # beyond the end: the last page
    assert view.current_page == 5 and not view.next_button.isEnabled()


def test_zoom_changes_the_rendered_size(qtbot, open_view) -> None:
    view = open_view(make_pdf(2))
    view.set_zoom(1.0)
    small = wait_rendered(qtbot, view, 0)
    dpr = view.canvas.layout_.dpr
    assert small.width() == pytest.approx(A4[0] * POINTS_TO_PIXELS * dpr, abs=2)
    assert view.zoom_box.currentText() == "100%"
    view.zoom_in()
    assert view.canvas.zoom == pytest.approx(1.1)
    view.set_zoom(2.0)
    large = wait_rendered(qtbot, view, 0)
    assert large.width() == pytest.approx(2 * small.width(), abs=2)
    assert view.canvas.page_view_rect(0).width() == pytest.approx(large.width() / dpr, abs=1)
    view.set_zoom_mode(view.canvas.zoom_mode.FIT_WIDTH)
    vw = view.canvas.viewport().width()
    assert view.canvas.page_view_rect(0).width() == pytest.approx(vw - 32, abs=2)


def test_while_zooming_the_old_render_stands_in(qtbot, open_view) -> None:
    view = open_view(make_pdf(1))
    view.set_zoom(1.0)
    wait_rendered(qtbot, view, 0)
    view.set_zoom(1.6)  # the crisp one is not there yet: the old one is scaled
    sk = scale_key(view.canvas.layout_.scale)
    assert RenderKey(0, sk, 0) not in view.canvas.cache
    assert view.canvas.cache.stand_in(0, 0, sk) is not None
    assert dark_fraction(grab_page(view, 0)) > 0.005


def test_rotate_turns_the_page_clockwise(qtbot, open_view) -> None:
    view = open_view(make_pdf(2))
    view.set_zoom(0.6)
    view.rotate_right()
    assert view.canvas.rotation == 90
    image = wait_rendered(qtbot, view, 0)
    assert image.width() > image.height()  # portrait page turned on its side
    r = view.canvas.page_view_rect(0)
    assert r.width() > r.height()
    page = grab_page(view, 0)
    # the square at the top left of the page is now at the top right
    x = round(page.width() - 108 / A4[1] * r.width())
    y = round(108 / A4[0] * r.height())
    assert QColor(page.pixel(x, y)).lightness() < 40
    assert QColor(page.pixel(round(108 / A4[1] * r.width()), y)).lightness() > 200
    view.rotate_left()
    view.rotate_left()
    assert view.canvas.rotation == 270
    assert view.thumbnails.rotation == 270


def test_search_finds_hits_and_moves_between_them(qtbot, open_view) -> None:
    words = {0: "Nothing here.", 2: "A fox and another fox.", 4: "The last fox."}
    view = open_view(make_pdf(6, words=words))
    QTest.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.search_bar.isVisible()
    QTest.keyClicks(view.search_bar.field, "fox")
    QTest.keyClick(view.search_bar.field, Qt.Key.Key_Return)
    qtbot.wait_until(lambda: len(view.canvas.hits) > 0, timeout=15_000)
    # pages 2, 4 (twice) and 6 (the default sentence on pages 2, 4, 6 has "fox" too)
    pages = [h.page for h in view.canvas.hits]
    assert pages == [1, 2, 2, 3, 4, 5]
    assert view.search_bar.status.text() == "1 of 6"
    assert view.current_page == 1
    QTest.keyClick(view.search_bar.field, Qt.Key.Key_Return)
    assert view.search_bar.status.text() == "2 of 6" and view.current_page == 2
    QTest.keyClick(view.search_bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert view.search_bar.status.text() == "1 of 6"
    QTest.keyClick(view.search_bar.field, Qt.Key.Key_F3)
    QTest.keyClick(view.search_bar.field, Qt.Key.Key_F3)
    QTest.keyClick(view.search_bar.field, Qt.Key.Key_F3)
    assert view.search_bar.status.text() == "4 of 6" and view.current_page == 3
    QTest.keyClick(view.search_bar.field, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert view.search_bar.status.text() == "3 of 6" and view.current_page == 2
    wait_rendered(qtbot, view, 2)
    view.grab().save("/tmp/docview_search.png")
    # the current hit is drawn stronger (orange) than the others (yellow)
    hit = view.canvas.hits[view.canvas.current_hit]
    spot = view.canvas._points_rect_in_view(hit.page, hit.rects[0]).center().toPoint()
    view.canvas.viewport().repaint()
    colour = QColor(view.canvas.viewport().grab().toImage().pixel(spot))
    assert colour.red() > 200 and colour.blue() < 120


def test_search_without_matches_says_so(qtbot, open_view) -> None:
    view = open_view(make_pdf(2))
    view.open_search()
    QTest.keyClicks(view.search_bar.field, "zebra")
    QTest.keyClick(view.search_bar.field, Qt.Key.Key_Return)
    qtbot.wait_until(lambda: view.search_bar.status.text() == "No matches", timeout=15_000)
    assert view.canvas.hits == ()
    QTest.keyClick(view.search_bar.field, Qt.Key.Key_Escape)
    assert not view.search_bar.isVisible()


def test_selecting_words_and_ctrl_c_copies_them(qtbot, open_view) -> None:
    view = open_view(make_pdf(2, words={0: "The quick brown fox jumps over the lazy dog."}))
    view.set_zoom(1.2)
    canvas = view.canvas
    canvas._ensure_words(0)
    qtbot.wait_until(lambda: 0 in canvas.words, timeout=15_000)
    words = {w.text: w for w in canvas.words[0]}
    start_word, end_word = words["quick"], words["fox"]

    def at(word, left: bool) -> QPointF:
        r = canvas._points_rect_in_view(0, (word.x0, word.y0, word.x1, word.y1))
        return QPointF(r.left() + 2 if left else r.right() - 2, r.center().y())

    drag(canvas.viewport(), at(start_word, True), at(end_word, False))
    assert canvas.selected_text() == "quick brown fox"
    QGuiApplication.clipboard().clear()
    QTest.keyClick(canvas, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "quick brown fox"
    # the selected words are highlighted
    spot = canvas._points_rect_in_view(0, (words["brown"].x0, words["brown"].y0,
                                           words["brown"].x1, words["brown"].y1))
    canvas.viewport().repaint()
    shot = canvas.viewport().grab().toImage()
    colour = QColor(shot.pixel(round(spot.left() + 1), round(spot.top() + 1)))
    assert colour.blue() > colour.red() + 20
    # a click elsewhere clears the selection
    send_mouse(canvas.viewport(), QEvent.Type.MouseButtonPress, QPointF(200, 500))
    send_mouse(canvas.viewport(), QEvent.Type.MouseButtonRelease, QPointF(200, 500))
    assert canvas.selected_text() == ""


def test_a_page_that_fails_shows_its_message_in_place(qtbot, open_view) -> None:
    with RenderService(workers=1, timeout=0.5) as slow:
        view = open_view(heavy_page_pdf(), svc=slow)
        qtbot.wait_until(lambda: 0 in view.canvas.errors, timeout=20_000)
        message = view.canvas.errors[0]
        assert message == "Page 1 took longer than 0.5 s to draw; skipped."
        wait_rendered(qtbot, view, 1)  # the next page still renders
        view.canvas.viewport().repaint()
        view.grab().save("/tmp/docview_error.png")
        shot = grab_page(view, 0)
        middle = QColor(shot.pixel(shot.width() // 2 - 150, shot.height() // 2))
        assert middle.red() > middle.blue() + 10  # the message's box
        assert QColor(shot.pixel(10, 10)).lightness() > 250  # on a blank page
        view.clear()


def test_drawing_a_pin_gives_page_fractions_at_any_zoom_and_rotation(qtbot, open_view) -> None:
    view = open_view(make_pdf(3))
    view.set_zoom(1.5)
    view.rotate_right()
    view.go_to_page(1)
    view.set_pin_mode(True)
    canvas = view.canvas
    r = canvas.page_view_rect(1)
    # rotated page: shown height = page width, at 1.5 x 96/72 px per point
    assert r.height() == pytest.approx(A4[0] * 1.5 * POINTS_TO_PIXELS, abs=1)
    # want the unrotated region x 0.1..0.4, y 0.2..0.5 (fractions of the page)
    # clockwise 90: unrotated (fx, fy) is shown at (1 - fy, fx) of the rotated page
    def shown(fx: float, fy: float) -> QPointF:
        return QPointF(r.x() + (1 - fy) * r.width(), r.y() + fx * r.height())

    with qtbot.wait_signal(view.pin_requested, timeout=2000) as blocker:
        drag(canvas.viewport(), shown(0.1, 0.2), shown(0.4, 0.5))
    pin = blocker.args[0]
    assert isinstance(pin, DocumentPin)
    assert pin.evidence_id == "ev-1" and pin.page == 1 and pin.note == ""
    tolerance = 2 / min(r.width(), r.height())
    assert pin.rect.x == pytest.approx(0.1, abs=tolerance)
    assert pin.rect.y == pytest.approx(0.2, abs=tolerance)
    assert pin.rect.width == pytest.approx(0.3, abs=tolerance)
    assert pin.rect.height == pytest.approx(0.3, abs=tolerance)


def test_a_drag_past_the_page_edge_is_clamped_to_the_page(qtbot, open_view) -> None:
    view = open_view(make_pdf(1))
    view.set_pin_mode(True)
    canvas = view.canvas
    r = canvas.page_view_rect(0)
    with qtbot.wait_signal(view.pin_requested, timeout=2000) as blocker:
        drag(canvas.viewport(), QPointF(r.x() + r.width() * 0.5, r.y() + 40),
             QPointF(r.right() + 30, r.y() + 140))
    pin = blocker.args[0]
    assert pin.rect.x + pin.rect.width == pytest.approx(1.0)
    # a click (no drag) in pin mode makes no pin
    with qtbot.assert_not_emitted(view.pin_requested):
        send_mouse(canvas.viewport(), QEvent.Type.MouseButtonPress, QPointF(r.center()))
        send_mouse(canvas.viewport(), QEvent.Type.MouseButtonRelease, QPointF(r.center()))


def test_set_pins_draws_them_and_a_click_emits_pin_clicked(qtbot, open_view) -> None:
    view = open_view(make_pdf(2))
    pin = DocumentPin("ev-1", 0, Rect(0.5, 0.2, 0.3, 0.1), "the signed form")
    other = DocumentPin("ev-2", 0, Rect(0.1, 0.6, 0.2, 0.2), "another file's")
    view.set_pins([pin, other])
    assert view.canvas.pins == [pin]
    wait_rendered(qtbot, view, 0)
    spot = view.canvas._pin_view_rect(pin)
    view.canvas.viewport().repaint()
    shot = view.canvas.viewport().grab().toImage()
    edge = QColor(shot.pixel(round(spot.left()), round(spot.center().y())))
    assert edge.red() > 180 and edge.blue() < 100  # the amber outline
    with qtbot.wait_signal(view.pin_clicked, timeout=2000) as blocker:
        QTest.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton,
                         pos=spot.center().toPoint())
    assert blocker.args == [pin]
    view.grab().save("/tmp/docview_pins.png")


def test_show_pin_scrolls_to_its_page_and_flashes_it(qtbot, open_view) -> None:
    view = open_view(make_pdf(20))
    pin = DocumentPin("ev-1", 14, Rect(0.2, 0.7, 0.5, 0.2), "")
    view.set_pins([pin])
    view.show_pin(pin)
    assert view.current_page == 14 and view.page_box.text() == "15"
    shown = view.canvas._pin_view_rect(pin)
    assert view.canvas.viewport().rect().contains(shown.toRect())
    assert view.canvas._flash.pin == pin
    qtbot.wait_until(lambda: view.canvas._flash.pin is None, timeout=3000)


def test_thumbnails_render_only_the_visible_pages(qtbot, open_view) -> None:
    view = open_view(make_pdf(40, marker=True))
    view.set_thumbnails_visible(True)
    thumbs = view.thumbnails
    shown = thumbs.visible_pages()
    assert 0 < len(shown) < 10
    qtbot.wait_until(lambda: all(thumbs.image_for(p) is not None for p in shown),
                     timeout=15_000)
    assert len(thumbs.cache) <= len(shown) + 1
    view.go_to_page(30)
    assert thumbs.currentIndex().row() == 30
    qtbot.wait_until(lambda: thumbs.image_for(30) is not None, timeout=15_000)
    view.grab().save("/tmp/docview_thumbs.png")


@pytest.mark.slow
def test_five_hundred_pages_open_fast_and_scrolling_keeps_the_cache_in_budget(
        qtbot, service) -> None:
    budget = 24 * 2**20
    view = DocumentView(service, cache_budget=budget)
    qtbot.add_widget(view)
    view.resize(900, 700)
    view.show()
    qtbot.wait_exposed(view)
    handle = service.open_document(make_pdf(500, marker=False), name="long.pdf")
    try:
        start = time.perf_counter()
        view.load(handle, "ev-500")
        loaded = time.perf_counter() - start
        assert loaded < 0.1, f"load() of 500 pages took {loaded * 1000:.0f} ms"
        assert len(view.findChildren(QWidget)) < 60  # no widget per page
        canvas = view.canvas
        wait_rendered(qtbot, view, 0)
        bar = canvas.verticalScrollBar()
        for step in range(41):
            bar.setValue(round(bar.maximum() * step / 40))
            wait_rendered(qtbot, view, canvas.current_page)
            assert canvas.cache.bytes <= budget
        assert canvas.current_page == 499
        assert canvas.cache.peak_bytes <= budget
        assert canvas.queue.started < 200  # pages scrolled past were never rendered
    finally:
        view.clear()
        handle.close()


def test_at_400_percent_a_page_is_rendered_in_tiles_near_the_viewport(qtbot, open_view) -> None:
    view = open_view(make_pdf(2))
    view.set_zoom(4.0)
    canvas = view.canvas
    dw, dh = canvas.layout_.device_size(0)
    assert dw * dh > 8_000_000  # too large to render whole
    canvas.horizontalScrollBar().setValue(0)
    canvas.verticalScrollBar().setValue(round(canvas.page_view_rect(0).top() + 300))
    qtbot.wait_until(lambda: any(k.tile is not None for k in list(canvas.cache._images)),
                     timeout=15_000)
    qtbot.wait_until(lambda: not canvas.queue.busy(), timeout=15_000)
    tiles = [k for k in canvas.cache._images if k.tile is not None]
    assert 0 < len(tiles) <= 12  # the tiles in view and the next row, not all ~16 of them
    # the black square (72..144 pt) is at 384..768 px at 400 %: in the first tile, drawn
    r = canvas.page_view_rect(0)
    canvas.viewport().repaint()
    shot = canvas.viewport().grab().toImage()
    x, y = round(r.x() + 108 * 4 * 96 / 72), round(r.y() + 108 * 4 * 96 / 72)
    assert QColor(shot.pixel(x, y)).lightness() < 40
