"""EvidenceViewer: shows one evidence file with the view that suits it.

A bar on top names the file and holds the Pin toggle (P) and Save a Copy; below it a
``QStackedWidget`` holds the message panel and the views, each built the first time a file
of its kind is shown (so nothing heavy loads before the window is painted, and PyMuPDF only
ever loads in the render service's worker processes).

``open_item`` reads the bytes on a worker thread, then ``show_evidence`` picks the view by
``evidence_kind``: documents and images open through the ``RenderService`` on a worker thread,
office files go through LibreOffice to PDF when it is installed, text and recordings load
directly. Each open carries a generation number: a newer selection makes older answers
land nowhere (their handles are closed unseen).

Signals:
    pin_requested(Pin): the user drew or marked a new pin (note ""), not yet saved.
    pin_clicked(Pin): the user clicked a drawn pin.
    evidence_shown(str): the evidence with this id is on screen in its view.
    notice(str): a short status line for the window (e.g. "Saved a copy to …").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6 import QtGui
from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assessor.errors import UserFacingError
from assessor.evidence.file_names import safe_file_name
from ui.evidence.message_panel import MessagePanel, human_size
from ui.evidence.source import NOT_DOWNLOADED, EvidenceNotDownloaded
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from assessor.domain.judgment import Pin
    from assessor.domain.submission import EvidenceItem
    from assessor.evidence.render import RenderService

log = logging.getLogger(__name__)

BUSY_DELAY_MS = 120
"""Opening faster than this shows no busy indicator at all (no flash between files)."""

PIN_TIP = ("Pin evidence to a criterion (P): drag a box on a page or an image, or mark in "
           "and out on a recording")
NO_PINS_IN_TEXT = ("Pins mark pages, image regions and stretches of recordings; "
                   "text files have none.")
NOTHING_TO_PIN = "Open an evidence file to pin part of it to a criterion."

_PINNABLE = frozenset({"document", "image", "media"})

_STYLE = """
QWidget#viewerBar { background: @subtle; border-bottom: 1px solid @border; }
QLabel#viewerName { font-weight: 600; color: palette(text); }
QLabel#viewerMeta { color: @muted; }
QToolButton#pinButton, QToolButton#saveCopyButton { padding: 3px 10px; border-radius: 5px;
    border: 1px solid @border; background: palette(button); color: palette(button-text); }
QToolButton#pinButton:checked { background: @accent; color: @on-accent; border-color: @accent; }
QToolButton#pinButton:disabled, QToolButton#saveCopyButton:disabled { color: @faint;
    border-color: @border; }
"""


class EvidenceViewer(QWidget):
    pin_requested = Signal(object)
    pin_clicked = Signal(object)
    evidence_shown = Signal(str)
    notice = Signal(str)

    def __init__(self, service: RenderService | None = None, parent: QWidget | None = None,
                 *, runner: TaskRunner | None = None) -> None:
        """Without ``service`` the viewer makes its own on first need, and closes it in
        ``shutdown``."""
        super().__init__(parent)
        self.setObjectName("evidenceViewer")
        from ui.style import apply_style

        apply_style(self, template=_STYLE)  # coloured from the palette, light or dark
        self._service = service
        self._owns_service = service is None
        self.runner = runner if runner is not None else TaskRunner(self)

        self.name = QLabel()
        self.name.setObjectName("viewerName")
        self.meta = QLabel()
        self.meta.setObjectName("viewerMeta")
        for label in (self.name, self.meta):  # names come from the hub: never markup
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.pin_action = QAction("Pin", self)
        self.pin_action.setCheckable(True)
        self.pin_action.setShortcut(QKeySequence("P"))
        self.pin_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.pin_action.toggled.connect(self._on_pin_toggled)
        self.pin_button = QToolButton()
        self.pin_button.setObjectName("pinButton")
        self.pin_button.setDefaultAction(self.pin_action)
        self.save_action = QAction("Save a Copy…", self)
        self.save_action.setToolTip("Save this evidence file where you choose, to open it "
                                    "with another program")
        self.save_action.triggered.connect(self.save_copy)
        self.save_button = QToolButton()
        self.save_button.setObjectName("saveCopyButton")
        self.save_button.setDefaultAction(self.save_action)
        bar = QWidget()
        bar.setObjectName("viewerBar")
        bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(bar)
        row.setContentsMargins(10, 5, 6, 5)
        row.setSpacing(8)
        row.addWidget(self.name)
        row.addWidget(self.meta, 1)
        row.addWidget(self.pin_button)
        row.addWidget(self.save_button)
        self.bar = bar

        self.panel = MessagePanel()
        self.panel.save_requested.connect(self.save_copy)
        self.panel.open_requested.connect(self.open_with)
        self.panel.password_entered.connect(self._on_password)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.panel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.stack, 1)

        self._views: dict[str, QWidget] = {}
        self._generation = 0
        self._item: EvidenceItem | None = None
        self._data: bytes | None = None
        self._kind = ""
        self._handle: Any = None
        self._shown = False
        self._settled = False
        """The current open reached its end: a view, a message or a password prompt."""
        self._pins: tuple[Pin, ...] = ()
        self._pending_pin: Pin | None = None
        self._pins_allowed = True
        self._pins_refusal = ""
        self._shut = False
        self.clear()

    # -- the public face ----------------------------------------------------------------

    @property
    def item(self) -> EvidenceItem | None:
        """The evidence item on show (or being opened)."""
        return self._item

    @property
    def current_view(self) -> Any:
        """The widget on show: the message panel or one of the views."""
        return self.stack.currentWidget()

    @property
    def shown(self) -> bool:
        """Whether the current item is on screen in its view (not a message)."""
        return self._shown

    @property
    def settled(self) -> bool:
        """Whether opening the current item has ended: in its view, a message or a password
        prompt (False while reading, converting or opening)."""
        return self._settled

    def view(self, kind: str) -> QWidget | None:
        """The view for ``kind`` ("document", "image", "text", "media") if built yet."""
        return self._views.get(kind)

    def service(self) -> RenderService:
        if self._service is None:
            from assessor.evidence.render import RenderService

            self._service = RenderService()
        return self._service

    def open_item(self, item: EvidenceItem, read: Callable[[], bytes]) -> None:
        """Read the item's bytes with ``read`` on a worker thread, then show them. Selecting
        the item already on show does nothing."""
        if self._shown and self._item is not None and self._item.id == item.id \
                and self._item.sha256 == item.sha256:
            return
        generation = self._begin(item)
        self._busy_later(generation, "Opening…")
        self.runner.run(read, lambda data: self._on_read(generation, item, data),
                        lambda exc: self._on_read_failed(generation, item, exc))

    def show_evidence(self, item: EvidenceItem, data: bytes) -> None:
        """Show ``data`` (the bytes of ``item``) with the view that suits it."""
        self._show(self._begin(item), item, data)

    def show_message(self, title: str, detail: str) -> None:
        """The in-viewer message panel (about the item on show, if any)."""
        self._message(title, detail)

    def clear(self) -> None:
        """Show nothing (no submission, or no evidence chosen) and free what was shown."""
        self._generation += 1
        self._item = None
        self._data = None
        self._pending_pin = None
        self._to_panel()
        self._settled = True
        self.panel.show_placeholder("")
        self.name.setText("No evidence file chosen")
        self.meta.clear()
        self.bar.setToolTip("")
        self._update_actions()

    def set_pins(self, pins: Sequence[Pin]) -> None:
        """All pins of the open submission; each view gets those of its evidence."""
        self._pins = tuple(pins)
        self._push_pins()

    def show_pin(self, pin: Pin) -> None:
        """Bring ``pin`` into view: now if its evidence is on show, else once it is."""
        if self._shown and self._item is not None and self._item.id == pin.evidence_id:
            self._pending_pin = None
            view: Any = self.current_view
            view.show_pin(pin)
        else:
            self._pending_pin = pin

    def set_pins_allowed(self, allowed: bool, reason: str = "") -> None:
        """Whether the user may add pins here (mentors and decided submissions may not)."""
        self._pins_allowed = allowed
        self._pins_refusal = reason
        self._update_actions()

    def set_pin_mode(self, on: bool) -> None:
        self.pin_action.setChecked(on and self.pin_action.isEnabled())

    @property
    def pin_mode(self) -> bool:
        return self.pin_action.isChecked()

    def save_copy(self, *, then_open: bool = False) -> None:
        """Ask where, then write the file's bytes there (an explicit export by the user);
        with ``then_open`` the system's program for the file opens the copy. Evidence is
        never written to a temporary file for this: the user chooses where the copy lives."""
        item, data = self._item, self._data
        if item is None or data is None:
            return
        # the name is the hub's label: offer only its last segment, cleaned
        target = self.ask_save_path(self, safe_file_name(item.file_name))
        if not target:
            return
        path = Path(target)

        def saved(_: object) -> None:
            name = safe_file_name(item.file_name)
            self.notice.emit(f"Saved a copy of {name} to {path}")
            if then_open and not self.open_external(path):
                self.notice.emit(f"Saved a copy to {path}, but no program here opens {name}")

        def failed(exc: Exception) -> None:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notice.emit(f"Could not save a copy to {path}: {reason}")

        self.runner.run(lambda: path.write_bytes(data), saved, failed)

    def open_with(self) -> None:
        self.save_copy(then_open=True)

    @staticmethod
    def open_external(path: Path) -> bool:
        """Open ``path`` with the system's program for it (tests replace this)."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    @staticmethod
    def ask_save_path(parent: QWidget, file_name: str) -> str:
        """The file the user chose to save a copy to, or "" (tests replace this)."""
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _ = QFileDialog.getSaveFileName(parent, "Save a Copy of the Evidence",
                                                str(Path(folder) / file_name))
        return chosen

    def shutdown(self) -> None:
        """Drop what is shown and stop the render service (the window is closing)."""
        if self._shut:
            return
        self._shut = True
        self.clear()
        for view in self._views.values():
            view.clear()  # type: ignore[attr-defined]
        self._close_handle()
        if self._owns_service and self._service is not None:
            self._service.close()

    # -- opening ------------------------------------------------------------------------

    def _begin(self, item: EvidenceItem) -> int:
        self._generation += 1
        if self._pending_pin is not None and self._pending_pin.evidence_id != item.id:
            self._pending_pin = None
        self._item = item
        self._data = None
        self._shown = False
        self._settled = False
        self._kind = ""
        self.name.setText(safe_file_name(item.file_name))
        self.meta.setText(f"{item.media_type} · {human_size(item.size)}")
        # the learner's words: a tool tip would take markup in them for rich text
        self.bar.setToolTip(QtGui.Qt.convertFromPlainText(item.description)
                            if item.description else "")
        self._update_actions()
        return self._generation

    def _current(self, generation: int) -> bool:
        return generation == self._generation and not self._shut

    def _busy_later(self, generation: int, text: str) -> None:
        def busy() -> None:
            if self._current(generation) and not self._settled:
                self._to_panel()
                self.panel.show_busy(text, self._item)

        QTimer.singleShot(BUSY_DELAY_MS, self, busy)

    def _on_read(self, generation: int, item: EvidenceItem, data: bytes) -> None:
        if self._current(generation):
            self._show(generation, item, data)

    def _on_read_failed(self, generation: int, item: EvidenceItem, exc: Exception) -> None:
        if not self._current(generation):
            return
        from assessor.evidence.errors import EvidenceCorruptError, EvidenceIntegrityError

        if isinstance(exc, EvidenceNotDownloaded):
            self._message(NOT_DOWNLOADED, "This file is listed with the submission but has "
                          "not reached this computer. Sync (F5) to download it.")
        elif isinstance(exc, EvidenceCorruptError):
            self._message("This evidence file is damaged on this computer", str(exc))
        elif isinstance(exc, EvidenceIntegrityError):
            self._message("This evidence file did not match its checksum", str(exc))
        elif isinstance(exc, UserFacingError):
            self._message("Cannot open this evidence file", str(exc))
        else:
            log.error("reading evidence %s failed", item.id, exc_info=exc)
            self._message("Cannot open this evidence file",
                          f"Something went wrong inside Assessor ({type(exc).__name__}); "
                          "the log has the details.")

    def _show(self, generation: int, item: EvidenceItem, data: bytes) -> None:
        from assessor.evidence.render import EvidenceKind, evidence_kind

        self._data = data
        self._update_actions()
        try:
            # the whole file: a ZIP container is told apart by its central directory
            kind = evidence_kind(data, item.media_type, item.file_name)
        except Exception as exc:  # never let a strange file take the window down
            log.error("evidence_kind failed for %s", item.id, exc_info=exc)
            kind = EvidenceKind.UNKNOWN
        if kind is EvidenceKind.DOCUMENT:
            self._open_document(generation, item, data)
        elif kind is EvidenceKind.IMAGE:
            self._open_image(generation, item, data)
        elif kind is EvidenceKind.TEXT:
            self._show_text(generation, item, data)
        elif kind is EvidenceKind.OFFICE:
            self._open_office(generation, item, data)
        elif kind in (EvidenceKind.AUDIO, EvidenceKind.VIDEO):
            self._show_media(generation, item, data, video=kind is EvidenceKind.VIDEO)
        else:
            self._message("Cannot preview this file here",
                          "Assessor does not know how to show this kind of file. Save a copy "
                          "to open it with a program that does.")

    def _open_document(self, generation: int, item: EvidenceItem, data: bytes,
                       password: str | None = None, *, converted: bool = False) -> None:
        service = self.service()
        media_type = "application/pdf" if converted else item.media_type

        def open_it() -> object:
            service.start()
            return service.open_document(data, name=item.file_name, media_type=media_type,
                                         password=password)

        if not converted:
            self._busy_later(generation, "Opening…")
        self.runner.run(open_it,
                        lambda handle: self._on_opened(generation, "document", item, handle),
                        lambda exc: self._on_open_failed(generation, item, exc))

    def _open_image(self, generation: int, item: EvidenceItem, data: bytes) -> None:
        service = self.service()

        def open_it() -> object:
            service.start()
            return service.open_image(data, name=item.file_name, media_type=item.media_type)

        self._busy_later(generation, "Opening…")
        self.runner.run(open_it,
                        lambda handle: self._on_opened(generation, "image", item, handle),
                        lambda exc: self._on_open_failed(generation, item, exc))

    def _open_office(self, generation: int, item: EvidenceItem, data: bytes) -> None:
        from assessor.evidence.office import convert_to_pdf, libreoffice_available

        if not libreoffice_available():
            self._message("Cannot preview this office document here",
                          "Previews of office documents need LibreOffice, which is not "
                          "installed on this computer. Save a copy to open it with your "
                          "office program.")
            return
        self._to_panel()
        self.panel.show_busy("Converting with LibreOffice…", item)

        def converted(pdf: bytes) -> None:
            if self._current(generation):
                self._open_document(generation, item, pdf, converted=True)

        self.runner.run(lambda: convert_to_pdf(data, name=item.file_name), converted,
                        lambda exc: self._on_open_failed(generation, item, exc))

    def _on_password(self, password: str) -> None:
        item, data = self._item, self._data
        if item is None or data is None:
            return
        generation = self._begin(item)
        self._data = data
        self._update_actions()
        self._to_panel()
        self.panel.show_busy("Opening…", item)
        self._open_document(generation, item, data, password)

    def _on_opened(self, generation: int, kind: str, item: EvidenceItem, handle: Any) -> None:
        if not self._current(generation):
            _close_quietly(handle)
            return
        view: Any = self._view(kind)
        try:
            view.load(handle, item.id)
        except Exception as exc:
            _close_quietly(handle)
            self._on_open_failed(generation, item, exc)
            return
        self._close_handle()
        self._handle = handle
        self._activate(kind, view)

    def _on_open_failed(self, generation: int, item: EvidenceItem, exc: Exception) -> None:
        if not self._current(generation):
            return
        from assessor.evidence.render import PasswordRequired, RenderError, WrongPassword

        if isinstance(exc, PasswordRequired):
            self._to_panel()
            self._settled = True
            self.panel.ask_password(item, wrong=isinstance(exc, WrongPassword))
            self._update_actions()
        elif isinstance(exc, RenderError | UserFacingError):
            self._message("Cannot show this file", str(exc))
        else:
            log.error("opening evidence %s failed", item.id, exc_info=exc)
            self._message("Cannot show this file",
                          f"Something went wrong inside Assessor ({type(exc).__name__}); "
                          "the log has the details.")

    def _show_text(self, generation: int, item: EvidenceItem, data: bytes) -> None:
        view: Any = self._view("text")
        try:
            view.load(data, name=item.file_name, media_type=item.media_type,
                      evidence_id=item.id)
        except Exception as exc:
            self._on_open_failed(generation, item, exc)
            return
        self._close_handle()
        self._activate("text", view)

    def _show_media(self, generation: int, item: EvidenceItem, data: bytes, *,
                    video: bool) -> None:
        view: Any = self._view("media")
        try:
            view.load(data, name=item.file_name, media_type=item.media_type,
                      evidence_id=item.id, video=video)
        except Exception as exc:
            self._on_open_failed(generation, item, exc)
            return
        self._close_handle()
        self._activate("media", view)

    # -- views --------------------------------------------------------------------------

    def _view(self, kind: str) -> Any:
        """The view for ``kind``, built on first use."""
        view = self._views.get(kind)
        if view is not None:
            return view
        made: Any
        if kind == "document":
            from ui.evidence.document_view import DocumentView

            made = DocumentView(self.service())
        elif kind == "image":
            from ui.evidence.image_view import ImageView

            made = ImageView(self.service())
        elif kind == "text":
            from ui.evidence.text_view import TextEvidenceView

            made = TextEvidenceView()
        else:
            from ui.evidence.media_view import MediaEvidenceView

            made = MediaEvidenceView()
        made.pin_requested.connect(self._on_view_pin_requested)
        made.pin_clicked.connect(self.pin_clicked)
        self.stack.addWidget(made)
        self._views[kind] = made
        return made

    def _activate(self, kind: str, view: Any) -> None:
        previous = self.current_view
        if previous is not view and previous is not self.panel:
            previous.clear()
        self.stack.setCurrentWidget(view)
        self._kind = kind
        self._shown = True
        self._settled = True
        self._push_pins()
        view.set_pin_mode(self.pin_action.isChecked())
        self._update_actions()
        assert self._item is not None
        pending, self._pending_pin = self._pending_pin, None
        if pending is not None and pending.evidence_id == self._item.id:
            view.show_pin(pending)
        self.evidence_shown.emit(self._item.id)

    def _message(self, title: str, detail: str) -> None:
        self._to_panel()
        self._settled = True
        self.panel.show_message(title, detail, item=self._item,
                                can_save=self._data is not None)
        self._update_actions()

    def _to_panel(self) -> None:
        """Put the message panel up and free the view that was showing."""
        previous = self.current_view
        self._shown = False
        self._kind = ""
        if previous is not self.panel:
            self.stack.setCurrentWidget(self.panel)
            previous.clear()
        self._close_handle()

    def _close_handle(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            _close_quietly(handle)

    def _push_pins(self) -> None:
        if not self._shown or self._item is None:
            return
        view: Any = self.current_view
        view.set_pins([p for p in self._pins if p.evidence_id == self._item.id])

    # -- pins ---------------------------------------------------------------------------

    def _update_actions(self) -> None:
        self.save_action.setEnabled(self._data is not None)
        if not self._pins_allowed:
            enabled, tip = False, self._pins_refusal or "You cannot pin evidence here."
        elif not self._shown:
            enabled, tip = False, NOTHING_TO_PIN
        elif self._kind not in _PINNABLE:
            enabled, tip = False, NO_PINS_IN_TEXT
        else:
            enabled, tip = True, PIN_TIP
        if not enabled and self.pin_action.isChecked():
            self.pin_action.setChecked(False)
        self.pin_action.setEnabled(enabled)
        self.pin_action.setToolTip(tip)
        self.pin_action.setStatusTip(tip)
        self.pin_button.setToolTip(tip)

    def _on_pin_toggled(self, on: bool) -> None:
        if self._shown:
            view: Any = self.current_view
            view.set_pin_mode(on)

    def _on_view_pin_requested(self, pin: Pin) -> None:
        if not self._pins_allowed:
            return
        self.pin_action.setChecked(False)  # one pin per press of P
        self.pin_requested.emit(pin)


def _close_quietly(handle: Any) -> None:
    try:
        handle.close()
    except Exception:  # a handle of a worker that has gone is closed already
        log.debug("closing an evidence handle failed", exc_info=True)
