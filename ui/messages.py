"""The one place where core exceptions become what the user sees."""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING

from assessor.errors import Cancelled, UserFacingError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

NO_ERROR_WINDOWS = False
"""Set by tests (and ``--no-error-windows``): log instead of opening message boxes."""


def show_error(parent: QWidget | None, exc: BaseException, *, title: str = "Assessor") -> None:
    if isinstance(exc, Cancelled):
        return
    # Message boxes load on first use: their enums cost start-up time for nothing.
    from PySide6.QtWidgets import QMessageBox

    if isinstance(exc, UserFacingError):
        log.warning("%s: %s", title, exc)
        if not NO_ERROR_WINDOWS:
            QMessageBox.warning(parent, title, str(exc))
        return
    details = "".join(traceback.format_exception(exc))
    log.error("unexpected error:\n%s", details)
    if NO_ERROR_WINDOWS:
        return
    box = QMessageBox(QMessageBox.Icon.Critical, title,
                      "Something went wrong inside Assessor. Your saved work is safe.\n\n"
                      f"{type(exc).__name__}: {exc}", parent=parent)
    box.setDetailedText(details)
    box.exec()
