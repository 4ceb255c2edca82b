"""The window follows the system's light or dark palette: text stays readable on both."""

from __future__ import annotations

import os

import pytest

from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QWidget


def dark_palette() -> QPalette:
    """A dark palette as a desktop in dark mode hands to the app."""
    palette = QPalette()
    role = QPalette.ColorRole
    for r, colour in ((role.Window, "#202124"), (role.WindowText, "#e8eaed"),
                      (role.Base, "#18191b"), (role.AlternateBase, "#26272a"),
                      (role.Text, "#e8eaed"), (role.Button, "#2d2e31"),
                      (role.ButtonText, "#e8eaed"), (role.Highlight, "#8ab4f8"),
                      (role.HighlightedText, "#202124"), (role.PlaceholderText, "#9aa0a6"),
                      (role.ToolTipBase, "#303134"), (role.ToolTipText, "#e8eaed"),
                      (role.Mid, "#3c4043"), (role.Midlight, "#35363a"),
                      (role.Dark, "#111214"), (role.Light, "#4a4b4f"),
                      (role.Link, "#8ab4f8")):
        palette.setColor(r, QColor(colour))
    for r in (role.Text, role.ButtonText, role.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, QColor("#6f7378"))
    return palette


def luminance(colour: QColor) -> float:
    return 0.2126 * colour.redF() + 0.7152 * colour.greenF() + 0.0722 * colour.blueF()


def background_and_text(widget: QWidget) -> tuple[float, float]:
    """The luminance of the widget's most common pixel (its background) and of its
    most distant pixel from that (its text), from what it painted."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts: dict[int, int] = {}
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            pixel = image.pixel(x, y)
            counts[pixel] = counts.get(pixel, 0) + 1
    background = QColor.fromRgb(max(counts, key=counts.__getitem__))
    lum = luminance(background)
    text = max((QColor.fromRgb(p) for p, n in counts.items() if n >= 3),
               key=lambda c: abs(luminance(c) - lum))
    return lum, luminance(text)


def open_review(open_window, qtbot):
    window = open_window()
    window.finish_loading()
    window.queue.select_row(0)
    qtbot.wait_until(lambda: window._snapshot is not None and bool(window.rubric.cards),
                     timeout=10_000)
    qtbot.wait(50)
    return window


@pytest.fixture
def dark_app(qapp):
    before = QApplication.palette()
    QApplication.setPalette(dark_palette())
    yield
    QApplication.setPalette(before)


def parts(window) -> dict[str, QWidget]:
    return {"queue": window.queue.table, "review header": window.review.header,
            "rubric card": window.rubric.cards[0]}


def test_on_a_dark_palette_the_panes_are_dark_with_light_text(dark_app, open_window,
                                                               seeded, qtbot) -> None:
    window = open_review(open_window, qtbot)
    window.grab().save(os.environ.get("ASSESSOR_DARK_SHOT", "/tmp/dark.png"))
    for name, widget in parts(window).items():
        background, text = background_and_text(widget)
        assert background < 0.3, f"the {name}'s background is light ({background:.2f})"
        assert text > 0.6, f"the {name}'s text is dark ({text:.2f}) on a dark palette"


def test_on_a_light_palette_the_panes_are_light_with_dark_text(open_window, seeded,
                                                                qtbot) -> None:
    window = open_review(open_window, qtbot)
    window.grab().save(os.environ.get("ASSESSOR_LIGHT_SHOT", "/tmp/light.png"))
    for name, widget in parts(window).items():
        background, text = background_and_text(widget)
        assert background > 0.7, f"the {name}'s background is dark ({background:.2f})"
        assert text < 0.35, f"the {name}'s text is light ({text:.2f}) on a light palette"


def test_switching_to_dark_while_open_restyles_the_window(open_window, seeded, qtbot,
                                                          qapp) -> None:
    window = open_review(open_window, qtbot)
    card = window.rubric.cards[0]
    assert background_and_text(card)[0] > 0.7
    before = QApplication.palette()
    try:
        QApplication.setPalette(dark_palette())  # the system switched to dark mode
        qtbot.wait(50)
        background, text = background_and_text(card)
        assert background < 0.3 and text > 0.6
        assert background_and_text(window.review.viewer.bar)[0] < 0.3
    finally:
        QApplication.setPalette(before)
    qtbot.wait(50)
    assert background_and_text(card)[0] > 0.7  # and back to light
