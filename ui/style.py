"""The workstation's style sheet, coloured from the application's palette.

``resources/style/workstation.qss`` names its colours either as palette roles Qt resolves
itself (``palette(base)``) or as ``@name`` tokens (``@muted``, ``@accent``…) that
``style_colours`` derives from the palette in use: a secondary text is the text colour
blended towards the background, an accent stays readable on light and dark alike. The
widgets styled through ``apply_style`` are styled again when the system switches between
light and dark (``QEvent.ApplicationPaletteChange``).
"""

from __future__ import annotations

import re
import weakref
from functools import cache

import shiboken6

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

from resources import resource

_TOKEN = re.compile(r"@([a-z][a-z-]*)")
_styled: weakref.WeakKeyDictionary[QWidget, str | None] = weakref.WeakKeyDictionary()
"""Each styled widget and its own template (None: the workstation's)."""
_watchers: list[_PaletteWatcher] = []
"""The one watcher of the application's palette, once a widget is styled."""


def luminance(colour: QColor) -> float:
    """Relative brightness, 0 (black) to 1 (white)."""
    return 0.2126 * colour.redF() + 0.7152 * colour.greenF() + 0.0722 * colour.blueF()


def is_dark(palette: QPalette) -> bool:
    return luminance(palette.color(QPalette.ColorRole.Window)) < 0.45


def blend(front: QColor, back: QColor, amount: float) -> str:
    """``amount`` of ``front`` over ``back``, as #rrggbb."""
    def mix(a: float, b: float) -> int:
        return round((a * amount + b * (1 - amount)) * 255)

    return QColor(mix(front.redF(), back.redF()), mix(front.greenF(), back.greenF()),
                  mix(front.blueF(), back.blueF())).name()


def style_colours(palette: QPalette) -> dict[str, str]:
    """The style sheet's ``@`` colours for ``palette``."""
    role = QPalette.ColorRole
    text, base = palette.color(role.Text), palette.color(role.Base)
    window = palette.color(role.Window)
    dark = is_dark(palette)
    highlight = palette.color(role.Highlight)
    accent = "#1f4e79"
    if dark:
        accent = highlight.name() if luminance(highlight) > 0.3 else "#8ab4f8"
    return {
        "strong": blend(text, window, 0.85),
        "muted": blend(text, window, 0.62),
        "faint": blend(text, window, 0.45),
        "subtle": blend(text, base, 0.06),
        "border": blend(text, base, 0.2),
        "accent": accent,
        "on-accent": "#202124" if dark else "#ffffff",
        "bad": "#f28b82" if dark else "#8c1d18",
        "ok": "#81c995" if dark else "#1b6e3a",
        "warn-bg": blend(QColor("#f9ab00"), base, 0.16) if dark else "#fef7e0",
        "warn-border": blend(QColor("#f9ab00"), base, 0.45) if dark else "#f9dc81",
        "warn-text": "#fdd663" if dark else "#5c4400",
        "error": "#f28b82" if dark else "#b3261e",
        # tinted chips and boxes: a light wash on light, a dim wash of the hue on dark
        "neutral-bg": blend(text, base, 0.12),
        "ok-bg": blend(QColor("#81c995"), base, 0.18) if dark else "#e6f4ea",
        "ok-border": blend(QColor("#81c995"), base, 0.45) if dark else "#a8dab5",
        "info-bg": blend(QColor(accent), base, 0.16) if dark else "#e8f0fe",
        "info-border": blend(QColor(accent), base, 0.45) if dark else "#aecbfa",
        "bad-bg": blend(QColor("#f28b82"), base, 0.16) if dark else "#fce8e6",
        "bad-border": blend(QColor("#f28b82"), base, 0.45) if dark else "#f4b4ad",
        "disabled-bg": blend(text, base, 0.25),
    }


@cache
def _template() -> str:
    return resource("style", "workstation.qss").read_text(encoding="utf-8")


@cache
def _sheet_for(palette_key: int, template: str | None) -> str:
    colours = style_colours(QGuiApplication.palette())
    return _TOKEN.sub(lambda m: colours[m.group(1)], _template() if template is None
                      else template)


def workstation_template() -> str:
    """The workstation's style sheet with its ``@name`` colours still to fill in."""
    return _template()


def colours() -> dict[str, str]:
    """The ``@`` colours for the application's palette now (for HTML and item colours)."""
    return style_colours(QGuiApplication.palette())


def style_sheet(template: str | None = None) -> str:
    """``template`` (the workstation's style sheet by default) in the application's
    palette now: its ``@name`` colours filled in."""
    return _sheet_for(QGuiApplication.palette().cacheKey(), template)


def apply_style(*widgets: QWidget, template: str | None = None) -> None:
    """Style ``widgets`` with ``template`` (see ``style_sheet``), and style them again
    whenever the palette changes."""
    _watch_palette()
    sheet = style_sheet(template)
    for widget in widgets:
        widget.setStyleSheet(sheet)
        _styled[widget] = template


def restyle() -> None:
    """Style every widget ``apply_style`` styled with the palette in use now."""
    for widget, template in list(_styled.items()):
        if shiboken6.isValid(widget):
            widget.setStyleSheet(style_sheet(template))


class _PaletteWatcher(QObject):
    """Restyles once the palette change has reached every widget (styling while Qt hands
    the change out would change the widgets under its feet)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._pending = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ApplicationPaletteChange \
                and watched is QGuiApplication.instance() and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._restyle)
        return False

    def _restyle(self) -> None:
        self._pending = False
        restyle()


def _watch_palette() -> None:
    app = QGuiApplication.instance()
    if not _watchers and app is not None:
        _watchers.append(_PaletteWatcher(app))
        app.installEventFilter(_watchers[0])
