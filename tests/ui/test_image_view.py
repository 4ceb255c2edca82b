"""ImageView against the real render service, with pictures made here by Pillow."""

from __future__ import annotations

import io

import pytest

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from assessor.domain.judgment import ImagePin, Rect
from assessor.evidence.render import RenderService
from tests.ui.test_document_view import drag, send_mouse
from ui.evidence.image_view import ImageView


def sideways_jpeg() -> bytes:
    """1200 x 800 stored, red block at the stored top left, EXIF orientation 6 (turn 90°
    clockwise to show): upright it is 800 x 1200 with the red block at the top right."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1200, 800), "white")
    ImageDraw.Draw(picture).rectangle((0, 0, 400, 300), fill=(220, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "TestCam"
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture(scope="module")
def service():
    with RenderService(workers=2) as svc:
        svc.start()
        yield svc


@pytest.fixture
def open_view(qtbot, service):
    made = []

    def factory(data: bytes, size=(700, 600)) -> ImageView:
        view = ImageView(service)
        qtbot.add_widget(view)
        view.resize(*size)
        with qtbot.wait_active(view):
            view.show()
            view.activateWindow()
        handle = service.open_image(data, name="photo.jpg")
        view.load(handle, "img-1")
        made.append((view, handle))
        qtbot.wait_until(lambda: view.canvas.image is not None, timeout=15_000)
        return view

    yield factory
    for view, handle in made:
        view.clear()
        handle.close()


def pixel(view: ImageView, x: float, y: float) -> QColor:
    view.canvas.viewport().repaint()
    return QColor(view.canvas.viewport().grab().toImage().pixel(round(x), round(y)))


def test_an_exif_rotated_jpeg_is_shown_upright_and_fitted(qtbot, open_view) -> None:
    view = open_view(sideways_jpeg())
    canvas = view.canvas
    assert (canvas.info.width, canvas.info.height) == (800, 1200)
    r = canvas.image_rect()
    assert r.height() == pytest.approx(canvas.viewport().height() - 24, abs=1)  # fitted
    assert r.width() / r.height() == pytest.approx(800 / 1200, abs=0.01)
    top_right = pixel(view, r.right() - r.width() * 0.1, r.top() + r.height() * 0.1)
    top_left = pixel(view, r.left() + r.width() * 0.1, r.top() + r.height() * 0.1)
    assert top_right.red() > 180 and top_right.green() < 80
    assert top_left.lightness() > 240
    view.grab().save("/tmp/imgview.png")


def test_the_info_panel_lists_the_dimensions(qtbot, open_view) -> None:
    view = open_view(sideways_jpeg())
    assert not view.info_panel.isVisible()
    view.info_button.click()
    assert view.info_panel.isVisible()
    rows = dict(view.info_text())
    assert rows["Dimensions"].startswith("800 × 1,200 pixels")
    assert rows["Format"] == "JPEG" and rows["Frames"] == "1"
    assert "TestCam" in rows["Camera"]
    view.grab().save("/tmp/imgview_info.png")


def test_zooming_in_renders_sharper_in_the_background(qtbot, open_view) -> None:
    view = open_view(sideways_jpeg())
    canvas = view.canvas
    first = canvas.image.width()
    assert first < 800
    view.actual_size()
    assert view.zoom_box.currentText() == "100%"
    assert canvas.image_rect().width() == pytest.approx(800)
    qtbot.wait_until(lambda: canvas.image.width() == 800, timeout=15_000)
    view.fit_to_window()
    assert canvas.image_rect().width() < 800
    QTest.keyClick(canvas, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom > canvas.fit_zoom()


def test_dragging_pans_the_zoomed_picture(qtbot, open_view) -> None:
    view = open_view(sideways_jpeg())
    view.set_zoom(2.0)
    bar = view.canvas.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(400)
    drag(view.canvas.viewport(), QPointF(300, 400), QPointF(300, 250))
    assert bar.value() == 550


def test_drawing_a_pin_gives_picture_fractions(qtbot, open_view) -> None:
    view = open_view(sideways_jpeg())
    view.set_zoom(0.5)
    view.set_pin_mode(True)
    r = view.canvas.image_rect()
    with qtbot.wait_signal(view.pin_requested, timeout=2000) as blocker:
        drag(view.canvas.viewport(), QPointF(r.x() + 0.25 * r.width(), r.y() + 0.5 * r.height()),
             QPointF(r.x() + 0.75 * r.width(), r.y() + 0.6 * r.height()))
    pin = blocker.args[0]
    assert isinstance(pin, ImagePin) and pin.evidence_id == "img-1" and pin.note == ""
    assert pin.rect.x == pytest.approx(0.25, abs=0.01)
    assert pin.rect.y == pytest.approx(0.5, abs=0.01)
    assert pin.rect.width == pytest.approx(0.5, abs=0.01)
    assert pin.rect.height == pytest.approx(0.1, abs=0.01)


def test_pins_are_drawn_clicked_and_shown(qtbot, open_view) -> None:
    view = open_view(sideways_jpeg())
    pin = ImagePin("img-1", Rect(0.1, 0.7, 0.3, 0.2), "the hard hat")
    view.set_pins([pin, ImagePin("img-2", Rect(0, 0, 0.5, 0.5), "")])
    assert view.canvas.pins == [pin]
    spot = view.canvas._pin_rect(pin)
    edge = pixel(view, spot.left(), spot.center().y())
    assert edge.red() > 180 and edge.blue() < 100
    with qtbot.wait_signal(view.pin_clicked, timeout=2000) as blocker:
        send_mouse(view.canvas.viewport(), QEvent.Type.MouseButtonPress, spot.center())
        send_mouse(view.canvas.viewport(), QEvent.Type.MouseButtonRelease, spot.center())
    assert blocker.args == [pin]
    view.set_zoom(3.0)
    view.show_pin(pin)
    assert view.canvas.viewport().rect().contains(view.canvas._pin_rect(pin).center().toPoint())
    assert view.canvas._flash.pin == pin
    view.grab().save("/tmp/imgview_pin.png")
