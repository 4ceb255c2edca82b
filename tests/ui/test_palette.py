"""The window follows the system's light or dark palette: text stays readable on both."""

from __future__ import annotations

import os

import pytest

from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from assessor.domain.feedback import Outcome
from assessor.domain.judgment import JudgmentDraft
from tests.core.helpers import ASSESSOR, MODERATOR, care_id, open_store
from tests.ui.test_moderation import LEVELS, as_user, mark, open_moderation


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


def relative_luminance(colour: QColor) -> float:
    """WCAG relative luminance (sRGB channels made linear)."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def painted_contrast(widget: QWidget) -> tuple[QColor, float]:
    """The widget's background (its most common painted pixel) and the contrast of its
    text (the painted pixel that stands out most from that background)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts: dict[int, int] = {}
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixel(x, y)
            counts[pixel] = counts.get(pixel, 0) + 1
    background = QColor.fromRgb(max(counts, key=counts.__getitem__))
    ink = max((QColor.fromRgb(p) for p, n in counts.items() if n >= 2),
              key=lambda c: contrast(c, background))
    return background, contrast(ink, background)


def assert_readable(name: str, widget: QWidget, *, dark: bool = True) -> None:
    assert widget.isVisible(), f"the {name} is not shown"
    background, ratio = painted_contrast(widget)
    if dark:
        assert luminance(background) < 0.45, \
            f"the {name}'s background {background.name()} is light on a dark palette"
    assert ratio >= 3, f"the {name}'s text has contrast {ratio:.1f}:1 on {background.name()}"


def test_on_a_dark_palette_the_decision_chip_and_feedback_notes_are_readable(
        dark_app, open_window, seeded, qtbot) -> None:
    from tests.ui.test_feedback import add_note

    window = open_review(open_window, qtbot)
    window.resize(1400, 860)
    assert_readable("decision chip", window.rubric.decision_bar.state_badge)
    panel = window.review.feedback
    window.review.tabs.setCurrentWidget(panel)
    add_note(qtbot, window, "Internal: check the refund policy with the team lead")
    panel.visibility.setCurrentIndex(panel.visibility.findData("learner"))
    add_note(qtbot, window, "You listened well and confirmed the customer's need twice.")
    qtbot.wait(50)
    window.grab().save(os.environ.get("ASSESSOR_DARK_REVIEW_SHOT", "/tmp/dark_review.png"))
    cards = [panel.card_for(n.id) for n in panel.notes]
    assert len(cards) == 2 and all(cards)
    for card in cards:
        assert card is not None
        assert_readable("note card", card)
        assert_readable(f"{card.visibility_tag.text()} tag", card.visibility_tag)
        assert_readable("note body", card.body)


@pytest.fixture
def awaiting_moderation(seeded):
    store = open_store(seeded)
    for key, level in LEVELS.items():
        store.record_judgment(care_id(0), JudgmentDraft(key, level, "As seen in the call"),
                              ASSESSOR)
    store.decide(care_id(0), ASSESSOR, Outcome.APPROVE, needs_moderation=True)
    store.close()
    as_user(seeded, MODERATOR)
    return seeded


def moderation_compared(open_window, qtbot):
    window = open_window()
    window.finish_loading()
    window.resize(1400, 860)
    panel = open_moderation(window, qtbot, care_id(0))
    mark(qtbot, panel, {"listening": "developing", "resolution": "exemplary"})
    qtbot.wait_until(lambda: panel.stack.currentIndex() == 1, timeout=10_000)
    qtbot.wait(50)
    return window, panel


def assert_rows_readable(panel) -> None:
    model = panel.comparison_model
    assert model.rowCount() == 2
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            item = model.item(row, column)
            background = item.background().color()
            text = item.foreground().color()
            assert luminance(background) < 0.45, f"row {row} is light ({background.name()})"
            assert contrast(text, background) >= 3, \
                f"row {row} text {text.name()} on {background.name()} is unreadable"


def test_on_a_dark_palette_the_moderation_panel_is_readable(dark_app, open_window,
                                                            awaiting_moderation,
                                                            qtbot) -> None:
    window, panel = moderation_compared(open_window, qtbot)
    window.grab().save(os.environ.get("ASSESSOR_DARK_MODERATION_SHOT",
                                      "/tmp/dark_moderation.png"))
    assert_readable("moderation note", panel.note)
    assert_readable("assessor comments", panel.comments)
    assert_readable("return button", panel.return_button)
    assert_rows_readable(panel)
    differs = panel.comparison_model.item(0, 3)
    same = panel.comparison_model.item(1, 3)
    assert differs.background().color() != same.background().color()  # still highlighted


def test_switching_to_dark_restyles_the_moderation_panel(open_window, awaiting_moderation,
                                                         qtbot) -> None:
    window, panel = moderation_compared(open_window, qtbot)
    assert luminance(panel.comparison_model.item(0, 0).background().color()) > 0.7
    before = QApplication.palette()
    try:
        QApplication.setPalette(dark_palette())
        qtbot.wait(50)
        assert_readable("moderation note", panel.note)
        assert_rows_readable(panel)
    finally:
        QApplication.setPalette(before)
    qtbot.wait(50)
    assert luminance(panel.comparison_model.item(0, 0).background().color()) > 0.7


def test_on_a_dark_palette_the_feedback_count_and_the_media_timeline_are_dark_toned(
        dark_app, open_window, seeded, qtbot) -> None:
    from assessor.domain.judgment import MediaPin
    from tests.ui.test_feedback import add_note
    from ui.evidence.media_timeline import MediaTimeline, pin_colour

    window = open_review(open_window, qtbot)
    window.resize(1400, 860)
    window.review.tabs.setCurrentWidget(window.review.feedback)
    add_note(qtbot, window, "Ask about the second call")
    badge = window.review.feedback_badge
    qtbot.wait_until(badge.isVisible)
    assert_readable("feedback count", badge, dark=False)

    timeline = MediaTimeline()
    qtbot.addWidget(timeline)
    timeline.resize(400, timeline.sizeHint().height())
    timeline.set_duration(60_000)
    timeline.set_position(30_000)
    pin = MediaPin("clip", 5_000, 15_000, "greets the customer")
    timeline.set_pins([pin])
    timeline.show()
    image = timeline.grab().toImage()
    handle = QColor(image.pixel(round(timeline.x_for(30_000)), 12))
    unplayed = QColor(image.pixel(round(timeline.x_for(50_000)), 12))
    assert luminance(handle) < 0.3, "the playhead is filled with white on a dark palette"
    assert luminance(unplayed) < 0.45, "the track is light on a dark palette"
    assert timeline.colour_of(pin) == pin_colour(0, dark=True)
    assert luminance(pin_colour(0, dark=True)) > luminance(pin_colour(0, dark=False))


def test_toolbar_icons_are_drawn_in_the_palettes_text_colour(qapp) -> None:
    from PySide6.QtCore import QSize

    from ui.evidence.icons import icon

    def ink(dpr: float) -> float:
        image = icon("zoom-in").pixmap(QSize(20, 20), dpr).toImage()
        inked = [image.pixelColor(x, y) for x in range(image.width())
                 for y in range(image.height()) if image.pixelColor(x, y).alpha() > 150]
        assert inked, "the icon drew nothing"
        return sum(luminance(c) for c in inked) / len(inked)

    before = QApplication.palette()
    try:
        QApplication.setPalette(dark_palette())
        assert ink(1.0) > 0.6 and ink(2.0) > 0.6, "dark icons on a dark palette"
        assert icon("zoom-in").pixmap(QSize(20, 20), 2.0).width() == 40  # sharp on high DPI
    finally:
        QApplication.setPalette(before)
    assert ink(1.0) < 0.4, "light icons on a light palette"
