"""The workstation's style sheet, read once and applied to the panes that use it."""

from __future__ import annotations

from functools import cache

from PySide6.QtWidgets import QWidget

from resources import resource


@cache
def style_sheet() -> str:
    return resource("style", "workstation.qss").read_text(encoding="utf-8")


def apply_style(*widgets: QWidget) -> None:
    for widget in widgets:
        widget.setStyleSheet(style_sheet())
