"""DocumentView: a PDF-viewer-like view of a document (toolbar, thumbnails, search, pages).

The pages themselves are PageCanvas (page_canvas.py); this module assembles the toolbar, the
thumbnail sidebar and the search bar around it, and holds the evidence-view interface the
EvidenceViewer dispatches to (see /tmp/prompts/ui_contract.md): load, clear, set_pins,
show_pin, set_pin_mode, pin_requested, pin_clicked.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QIntValidator, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assessor.domain.judgment import DocumentPin
from assessor.evidence.render import DocumentHandle, RenderService, SearchHit
from ui.evidence.background import BackgroundCalls
from ui.evidence.icons import icon
from ui.evidence.page_cache import DEFAULT_BUDGET
from ui.evidence.page_canvas import PageCanvas, ZoomMode
from ui.evidence.render_queue import error_message
from ui.evidence.search_bar import SearchBar
from ui.evidence.thumbnails import ThumbnailSidebar
from ui.evidence.zoom import PRESETS, parse_percent, percent
from ui.style import apply_style, style_sheet

TOOLBAR_STYLE = """
QFrame#viewerToolbar { background: palette(base); border-bottom: 1px solid @border; }
QFrame#viewerToolbar QToolButton { border: none; border-radius: 4px; padding: 3px; }
QFrame#viewerToolbar QToolButton:hover { background: @subtle; }
QFrame#viewerToolbar QToolButton:checked { background: @info-bg; }
QLineEdit#pageBox { padding: 1px 4px; border: 1px solid @border; border-radius: 4px; }
QLabel#pageTotal { color: @muted; }
QLabel#docWarning { background: @warn-bg; color: @warn-text; padding: 4px 10px;
                    border-bottom: 1px solid @warn-border; }
"""


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setStyleSheet(style_sheet("QFrame { color: @border; }"))
    line.setFixedHeight(20)
    return line


class DocumentView(QWidget):
    """Signals (the evidence-view interface):
    pin_requested(DocumentPin): the user drew a region in pin mode (note "")
    pin_clicked(DocumentPin): the user clicked a drawn pin
    """

    pin_requested = Signal(object)
    pin_clicked = Signal(object)

    def __init__(self, service: RenderService | None = None, parent: QWidget | None = None,
                 *, cache_budget: int = DEFAULT_BUDGET) -> None:
        super().__init__(parent)
        self.service = service
        self.canvas = PageCanvas(self, cache_budget=cache_budget)
        self.thumbnails = ThumbnailSidebar(self)
        self.thumbnails.hide()
        self.search_bar = SearchBar(self)
        self.search_bar.hide()
        self.warning = QLabel()
        self.warning.setObjectName("docWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        self._calls = BackgroundCalls(self)
        self._handle: DocumentHandle | None = None
        self._search_token = 0
        self._build_toolbar()
        self._build_actions()

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.thumbnails)
        body.addWidget(self.canvas, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.warning)
        layout.addLayout(body, 1)
        apply_style(self, template=TOOLBAR_STYLE)

        self.canvas.pin_requested.connect(self.pin_requested)
        self.canvas.pin_clicked.connect(self.pin_clicked)
        self.canvas.current_page_changed.connect(self._on_page_changed)
        self.canvas.zoom_changed.connect(self._on_zoom_changed)
        self.thumbnails.page_chosen.connect(self.go_to_page)
        self.search_bar.search_requested.connect(self.search)
        self.search_bar.next_requested.connect(self.next_hit)
        self.search_bar.previous_requested.connect(self.previous_hit)
        self.search_bar.closed.connect(self._on_search_closed)
        self._set_enabled(False)

    # -- building ----------------------------------------------------------------------------

    def _tool(self, name: str, tip: str, slot: object, *, checkable: bool = False) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon(name))
        button.setToolTip(tip)
        button.setAccessibleName(tip.partition(" (")[0])  # the tip without its shortcut
        button.setCheckable(checkable)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        (button.toggled if checkable else button.clicked).connect(slot)
        return button

    def _build_toolbar(self) -> None:
        self.toolbar = QFrame()
        self.toolbar.setObjectName("viewerToolbar")
        self.sidebar_button = self._tool("sidebar", "Show page thumbnails",
                                         self.set_thumbnails_visible, checkable=True)
        self.previous_button = self._tool("previous", "Previous page (PgUp)", self.previous_page)
        self.next_button = self._tool("next", "Next page (PgDn)", self.next_page)
        self.page_box = QLineEdit()
        self.page_box.setObjectName("pageBox")
        self.page_box.setFixedWidth(52)
        self.page_box.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.page_box.setToolTip("Type a page number and press Enter")
        self.page_box.setAccessibleName("Page number")
        self.page_box.setAccessibleDescription("Type a page number and press Enter to go there")
        self.page_box.setValidator(QIntValidator(1, 1, self.page_box))
        self.page_box.returnPressed.connect(self._on_page_typed)
        self.page_total = QLabel("/ 0")
        self.page_total.setObjectName("pageTotal")
        self.zoom_out_button = self._tool("zoom-out", "Zoom out (Ctrl+-)", self.zoom_out)
        self.zoom_box = QComboBox()
        self.zoom_box.setEditable(True)
        self.zoom_box.setAccessibleName("Zoom")
        self.zoom_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zoom_box.setFixedWidth(104)
        self.zoom_box.setToolTip("Zoom")
        self.zoom_box.addItem("Fit width", ZoomMode.FIT_WIDTH)
        self.zoom_box.addItem("Fit page", ZoomMode.FIT_PAGE)
        for level in PRESETS:
            self.zoom_box.addItem(percent(level), level)
        self.zoom_box.activated.connect(self._on_zoom_chosen)
        line_edit = self.zoom_box.lineEdit()
        assert line_edit is not None
        line_edit.returnPressed.connect(self._on_zoom_typed)
        self.zoom_in_button = self._tool("zoom-in", "Zoom in (Ctrl+=)", self.zoom_in)
        self.fit_width_button = self._tool(
            "fit-width", "Fit width", lambda: self.set_zoom_mode(ZoomMode.FIT_WIDTH))
        self.fit_page_button = self._tool(
            "fit-page", "Fit page", lambda: self.set_zoom_mode(ZoomMode.FIT_PAGE))
        self.rotate_left_button = self._tool("rotate-left", "Rotate left", self.rotate_left)
        self.rotate_right_button = self._tool("rotate-right", "Rotate right", self.rotate_right)
        self.search_button = self._tool("search", "Find in document (Ctrl+F)", self.open_search)

        row = QHBoxLayout(self.toolbar)
        row.setContentsMargins(6, 4, 6, 4)
        row.setSpacing(2)
        first: tuple[QWidget, ...] = (self.sidebar_button, _separator(), self.previous_button,
                                      self.next_button)
        for widget in first:
            row.addWidget(widget)
        row.addSpacing(4)
        row.addWidget(self.page_box)
        row.addSpacing(4)
        row.addWidget(self.page_total)
        row.addStretch(1)
        middle: tuple[QWidget, ...] = (
                       self.zoom_out_button, self.zoom_box, self.zoom_in_button, _separator(),
                       self.fit_width_button, self.fit_page_button, _separator(),
                       self.rotate_left_button, self.rotate_right_button)
        for widget in middle:
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.search_button)
        self.toolbar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _build_actions(self) -> None:
        Keys = Sequence[QKeySequence | str | QKeySequence.StandardKey]

        def action(keys: Keys, slot: object) -> None:
            act = QAction(self)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.addAction(act)

        action([QKeySequence.StandardKey.Find], self.open_search)
        action(["F3"], self.next_hit)
        action(["Shift+F3"], self.previous_hit)
        action([QKeySequence.StandardKey.ZoomIn, "Ctrl+="], self.zoom_in)
        action([QKeySequence.StandardKey.ZoomOut], self.zoom_out)
        action(["Ctrl+0"], lambda: self.set_zoom_mode(ZoomMode.FIT_WIDTH))
        action([QKeySequence.StandardKey.Copy], self.copy_selection)
        action(["PgDown"], self.next_page)
        action(["PgUp"], self.previous_page)

    def _set_enabled(self, on: bool) -> None:
        for widget in (self.sidebar_button, self.previous_button, self.next_button, self.page_box,
                       self.zoom_out_button, self.zoom_box, self.zoom_in_button,
                       self.fit_width_button, self.fit_page_button, self.rotate_left_button,
                       self.rotate_right_button, self.search_button):
            widget.setEnabled(on)

    # -- the evidence-view interface -----------------------------------------------------------

    def load(self, handle: DocumentHandle, evidence_id: str) -> None:
        """Show ``handle``'s document from its first page, fitted to the width. The caller
        keeps owning the handle (and closes it after clear() or the next load)."""
        self.clear()
        self._handle = handle
        info = handle.info
        self.page_box.setValidator(QIntValidator(1, max(1, info.page_count), self.page_box))
        self.page_total.setText(f"/ {info.page_count}")
        self.canvas.load(handle, evidence_id)
        if self.thumbnails.isVisible():
            self.thumbnails.load(handle)
        if info.warnings:
            self.warning.setText("  ".join(info.warnings))
            self.warning.show()
        self._set_enabled(True)
        self._on_page_changed(0)
        self._on_zoom_changed()

    def clear(self) -> None:
        self._handle = None
        self._search_token += 1
        self.canvas.clear()
        self.thumbnails.clear_pages()
        self.search_bar.set_matches(None)
        self.warning.hide()
        self.page_box.clear()
        self.page_total.setText("/ 0")
        self._set_enabled(False)

    def set_pins(self, pins: Sequence[object]) -> None:
        self.canvas.set_pins(pins)

    def show_pin(self, pin: object) -> None:
        if isinstance(pin, DocumentPin):
            self.canvas.show_pin(pin)

    def set_pin_mode(self, on: bool) -> None:
        self.canvas.set_pin_mode(on)

    # -- navigation, zoom, rotation -------------------------------------------------------------

    @property
    def current_page(self) -> int:
        return self.canvas.current_page

    @property
    def page_count(self) -> int:
        return self.canvas.page_count

    def go_to_page(self, page: int) -> None:
        self.canvas.go_to_page(page)

    def next_page(self) -> None:
        self.canvas.go_to_page(self.canvas.current_page + 1)

    def previous_page(self) -> None:
        self.canvas.go_to_page(self.canvas.current_page - 1)

    def set_zoom(self, zoom: float) -> None:
        self.canvas.set_zoom(zoom)

    def set_zoom_mode(self, mode: ZoomMode) -> None:
        self.canvas.set_zoom_mode(mode)

    def zoom_in(self) -> None:
        self.canvas.zoom_in()

    def zoom_out(self) -> None:
        self.canvas.zoom_out()

    def rotate_left(self) -> None:
        self.canvas.rotate(-90)
        self.thumbnails.set_rotation(self.canvas.rotation)

    def rotate_right(self) -> None:
        self.canvas.rotate(90)
        self.thumbnails.set_rotation(self.canvas.rotation)

    def set_thumbnails_visible(self, on: bool) -> None:
        handle = self._handle
        if on and handle is not None and self.thumbnails.handle is not handle:
            self.thumbnails.load(handle)
        self.thumbnails.setVisible(on)
        if self.sidebar_button.isChecked() != on:
            self.sidebar_button.setChecked(on)
        if on:
            self.thumbnails.set_current(self.canvas.current_page)

    def _on_page_typed(self) -> None:
        text = self.page_box.text().strip()
        if text.isdigit():
            self.go_to_page(int(text) - 1)
        self.canvas.setFocus()

    def _on_page_changed(self, page: int) -> None:
        count = self.canvas.page_count
        if count:
            self.page_box.setText(str(page + 1))
        self.previous_button.setEnabled(count > 0 and page > 0)
        self.next_button.setEnabled(count > 0 and page < count - 1)
        if self.thumbnails.isVisible():
            self.thumbnails.set_current(page)

    def _on_zoom_changed(self) -> None:
        self.zoom_box.setEditText(percent(self.canvas.zoom))

    def _on_zoom_chosen(self, index: int) -> None:
        value = self.zoom_box.itemData(index)
        if isinstance(value, ZoomMode):
            self.set_zoom_mode(value)
        elif isinstance(value, float):
            self.set_zoom(value)
        self._on_zoom_changed()
        self.canvas.setFocus()

    def _on_zoom_typed(self) -> None:
        zoom = parse_percent(self.zoom_box.currentText())
        if zoom is not None:
            self.set_zoom(zoom)
        self._on_zoom_changed()
        self.canvas.setFocus()

    # -- search and copy --------------------------------------------------------------------------

    def open_search(self) -> None:
        if self._handle is not None:
            self.search_bar.open_bar()

    def search(self, query: str) -> None:
        """Find ``query`` on all pages (in the background); highlight every hit and go to the
        first one on or after the current page."""
        self._search_token += 1
        token = self._search_token
        handle = self._handle
        self.canvas.set_hits(())
        if handle is None or not query.strip():
            self.search_bar.set_matches(None)
            return
        self.search_bar.set_searching()

        def done(hits: tuple[SearchHit, ...] | None, error: Exception | None) -> None:
            if token != self._search_token:
                return
            if error is not None:
                self.search_bar.status.setText(error_message(error))
                return
            self._show_hits(tuple(hits or ()))

        self._calls.call(lambda: handle.search(query), done)

    def _show_hits(self, hits: tuple[SearchHit, ...]) -> None:
        self.canvas.set_hits(hits)
        if not hits:
            self.search_bar.set_matches(None)
            return
        page = self.canvas.current_page
        first = next((i for i, h in enumerate(hits) if h.page >= page), 0)
        self.canvas.show_hit(first)
        self.search_bar.set_matches(first, len(hits))

    def next_hit(self) -> None:
        self._step_hit(+1)

    def previous_hit(self) -> None:
        self._step_hit(-1)

    def _step_hit(self, step: int) -> None:
        hits = self.canvas.hits
        if not hits:
            return
        current = self.canvas.current_hit
        index = (current + step) % len(hits) if current >= 0 else 0
        self.canvas.show_hit(index)
        self.search_bar.set_matches(index, len(hits))

    def _on_search_closed(self) -> None:
        self._search_token += 1
        self.canvas.set_hits(())
        self.canvas.setFocus()

    def copy_selection(self) -> str:
        """Put the selected text on the clipboard; returns it ("" with nothing selected)."""
        return self.canvas.copy_selection()
