"""ImageView: a picture fitted to the window, zoom and pan, an Info panel, pins.

The evidence-view interface (see ui/evidence/viewer.py): load, clear, set_pins, show_pin,
set_pin_mode, pin_requested, pin_clicked. Pin rectangles are fractions of the picture as shown
upright (after its EXIF orientation).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assessor.domain.judgment import ImagePin
from assessor.evidence.render import ImageHandle, ImageInfo, RenderService
from ui.evidence.document_view import TOOLBAR_STYLE
from ui.evidence.icons import icon
from ui.evidence.image_canvas import ImageCanvas
from ui.evidence.zoom import PRESETS, parse_percent, percent
from ui.style import apply_style

INFO_STYLE = """
QScrollArea#imageInfo { background: palette(window); border-left: 1px solid @border; }
QWidget#imageInfoBody { background: palette(window); }
QLabel#infoTitle { font-weight: 600; color: @strong; padding-bottom: 4px; }
QLabel#infoKey { color: @muted; }
QLabel#infoValue { color: palette(text); }
"""
FIT = "fit"


def info_rows(info: ImageInfo) -> list[tuple[str, str]]:
    """What the Info panel lists, in order: dimensions, format and frames (unless the core's
    metadata already names them), then the metadata pairs."""
    named = {key for key, _value in info.metadata}
    rows: list[tuple[str, str]] = []
    if "Dimensions" not in named:
        rows.append(("Dimensions", f"{info.width:,} × {info.height:,} pixels"))
    if "Format" not in named:
        rows.append(("Format", info.format))
    if "Frames" not in named:
        frames = f"{info.frames} (the first is shown)" if info.frames > 1 else "1"
        rows.append(("Frames", frames))
    rows += list(info.metadata)
    return rows


class ImageView(QWidget):
    """Signals (the evidence-view interface):
    pin_requested(ImagePin): the user drew a region in pin mode (note "")
    pin_clicked(ImagePin): the user clicked a drawn pin
    """

    pin_requested = Signal(object)
    pin_clicked = Signal(object)

    def __init__(self, service: RenderService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.canvas = ImageCanvas(self)
        self.canvas.pin_requested.connect(self.pin_requested)
        self.canvas.pin_clicked.connect(self.pin_clicked)
        self.canvas.zoom_changed.connect(self._on_zoom_changed)
        self._build_toolbar()
        self._build_info()
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.canvas, 1)
        body.addWidget(self.info_panel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addLayout(body, 1)
        apply_style(self, template=TOOLBAR_STYLE + INFO_STYLE)
        shortcuts = ((QKeySequence.StandardKey.ZoomIn, self.zoom_in),
                     (QKeySequence("Ctrl+="), self.zoom_in),
                     (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
                     (QKeySequence("Ctrl+0"), self.fit_to_window),
                     (QKeySequence("Ctrl+1"), self.actual_size))
        for key, slot in shortcuts:
            act = QAction(self)
            act.setShortcut(QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
        self._set_enabled(False)

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
        self.zoom_out_button = self._tool("zoom-out", "Zoom out (Ctrl+-)", self.zoom_out)
        self.zoom_box = QComboBox()
        self.zoom_box.setEditable(True)
        self.zoom_box.setAccessibleName("Zoom")
        self.zoom_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zoom_box.setFixedWidth(104)
        self.zoom_box.addItem("Fit", FIT)
        for level in PRESETS:
            self.zoom_box.addItem(percent(level), level)
        self.zoom_box.activated.connect(self._on_zoom_chosen)
        line_edit = self.zoom_box.lineEdit()
        assert line_edit is not None
        line_edit.returnPressed.connect(self._on_zoom_typed)
        self.zoom_in_button = self._tool("zoom-in", "Zoom in (Ctrl+=)", self.zoom_in)
        self.fit_button = self._tool("fit-page", "Fit to window (Ctrl+0)", self.fit_to_window)
        self.actual_button = self._tool("actual-size", "Actual size, 100% (Ctrl+1)",
                                        self.actual_size)
        self.info_button = self._tool("info", "Show the picture's details",
                                      self.set_info_visible, checkable=True)
        self.info_button.setText("Info")
        self.info_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        row = QHBoxLayout(self.toolbar)
        row.setContentsMargins(6, 4, 6, 4)
        row.setSpacing(2)
        row.addStretch(1)
        for widget in (self.zoom_out_button, self.zoom_box, self.zoom_in_button,
                       self.fit_button, self.actual_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.info_button)
        self.toolbar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _build_info(self) -> None:
        self.info_panel = QScrollArea()
        self.info_panel.setObjectName("imageInfo")
        self.info_panel.setWidgetResizable(True)
        self.info_panel.setFixedWidth(280)
        self.info_panel.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("imageInfoBody")
        outer = QVBoxLayout(body)
        outer.setContentsMargins(14, 12, 14, 12)
        title = QLabel("Picture details")
        title.setObjectName("infoTitle")
        outer.addWidget(title)
        self.info_form = QFormLayout()
        self.info_form.setHorizontalSpacing(12)
        self.info_form.setVerticalSpacing(6)
        outer.addLayout(self.info_form)
        outer.addStretch(1)
        self.info_panel.setWidget(body)
        self.info_panel.hide()

    def _set_enabled(self, on: bool) -> None:
        for widget in (self.zoom_out_button, self.zoom_box, self.zoom_in_button,
                       self.fit_button, self.actual_button, self.info_button):
            widget.setEnabled(on)

    # -- the evidence-view interface -----------------------------------------------------------

    def load(self, handle: ImageHandle, evidence_id: str) -> None:
        """Show ``handle``'s picture fitted to the window (the caller keeps owning the handle)."""
        self.canvas.load(handle, evidence_id)
        self._fill_info(handle.info)
        self._set_enabled(True)
        self._on_zoom_changed()

    def clear(self) -> None:
        self.canvas.clear()
        self._fill_info(None)
        self._set_enabled(False)

    def set_pins(self, pins: Sequence[object]) -> None:
        self.canvas.set_pins(pins)

    def show_pin(self, pin: object) -> None:
        if isinstance(pin, ImagePin):
            self.canvas.show_pin(pin)

    def set_pin_mode(self, on: bool) -> None:
        self.canvas.set_pin_mode(on)

    # -- zoom and info -----------------------------------------------------------------------

    def zoom_in(self) -> None:
        self.canvas.zoom_in()

    def zoom_out(self) -> None:
        self.canvas.zoom_out()

    def fit_to_window(self) -> None:
        self.canvas.set_fit()

    def actual_size(self) -> None:
        self.canvas.set_zoom(1.0)

    def set_zoom(self, zoom: float) -> None:
        self.canvas.set_zoom(zoom)

    def set_info_visible(self, on: bool) -> None:
        self.info_panel.setVisible(on)
        if self.info_button.isChecked() != on:
            self.info_button.setChecked(on)

    def info_text(self) -> list[tuple[str, str]]:
        """The rows the Info panel shows (label, value)."""
        rows = []
        for i in range(self.info_form.rowCount()):
            key = self.info_form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            value = self.info_form.itemAt(i, QFormLayout.ItemRole.FieldRole)
            if key is not None and value is not None:
                k, v = key.widget(), value.widget()
                if isinstance(k, QLabel) and isinstance(v, QLabel):
                    rows.append((k.text(), v.text()))
        return rows

    def _fill_info(self, info: ImageInfo | None) -> None:
        while self.info_form.rowCount():
            self.info_form.removeRow(0)
        if info is None:
            return
        for key, value in info_rows(info):
            k = QLabel(key)
            k.setObjectName("infoKey")
            v = QLabel(value)
            v.setObjectName("infoValue")
            v.setWordWrap(True)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            v.setTextFormat(Qt.TextFormat.PlainText)
            self.info_form.addRow(k, v)

    def _on_zoom_changed(self) -> None:
        self.zoom_box.setEditText(percent(self.canvas.zoom))

    def _on_zoom_chosen(self, index: int) -> None:
        value = self.zoom_box.itemData(index)
        if value == FIT:
            self.fit_to_window()
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
