"""MediaEvidenceView: plays an audio or video evidence file from memory (Qt Multimedia), with
the controls an assessor needs to find and pin a moment.

The decrypted bytes live only in a QBuffer handed to QMediaPlayer.setSourceDevice(); the
URL given with it is a name hint for the demuxer (evidence-<name>.<ext>), never a file.

Keys, while the view has focus: Space play/pause, Left/Right back/forward 5 s, [ and ]
slower/faster, M mute, , and . previous/next frame (video; pauses first), I mark in, O mark
out (in pin mode).

Signals:
    pin_requested(object): a MediaPin the user marked (note ""), not yet saved.
    pin_clicked(object): the user clicked a drawn pin's span.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEvent,
    QIODevice,
    QPointF,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QIcon,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtMultimedia import (
    QMediaDevices,
    QMediaMetaData,
    QMediaPlayer,
    QtAudio,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assessor.domain.judgment import MediaPin, Pin
from assessor.errors import ValidationError
from ui.evidence.media_player import MediaPlayback
from ui.evidence.media_surface import MediaVideoSurface
from ui.evidence.media_text import (
    SEEK_STEP_MS,
    SPEEDS,
    error_message,
    position_text,
    precise,
    source_hint,
    speed_text,
)
from ui.evidence.media_timeline import MediaTimeline
from ui.style import apply_style

_STUCK: list[tuple[MediaPlayback, QBuffer | None]] = []
"""Players whose backend hung while opening a file (see _abandon_playback)."""

FALLBACK_FRAME_MS = 40
"""Frame step when neither the file nor the decoded frames tell the frame rate (25 fps)."""

NO_SOUND_NOTE = ("No sound output was found on this computer, so the recording plays "
                 "without sound. Connect headphones or speakers to hear it.")

_STYLE = """
QFrame#mediaControls { background: palette(window); border-top: 1px solid @border; }
QLabel#mediaTime { font-family: "DejaVu Sans Mono", "Menlo", "Consolas", monospace;
                   font-size: 10pt; color: palette(text); padding: 0 6px; }
QLabel#mediaMarks { color: @muted; font-family: "DejaVu Sans Mono", "Menlo", "Consolas",
                    monospace; }
QLabel#mediaPinError { color: @error; font-weight: 600; }
QLabel#mediaCaption { color: @muted; font-weight: 600; font-size: 8.5pt; }
QLabel#mediaNote { padding: 6px 10px; background: @warn-bg; border-bottom: 1px solid @warn-border;
                   color: @warn-text; }
QWidget#mediaAudioPanel, QWidget#mediaMessagePage { background: palette(window); }
QWidget#mediaCard { background: palette(base); border: 1px solid @border; border-radius: 10px; }
QLabel#mediaName { font-size: 13pt; font-weight: 600; color: palette(text); }
QLabel#mediaFacts { color: @muted; }
QLabel#mediaKeys { color: @faint; font-size: 8.5pt; }
QLabel#mediaMessageTitle { font-size: 13pt; font-weight: 600; color: palette(text); }
QLabel#mediaMessageDetail { color: @strong; }
QToolButton { border: 1px solid transparent; border-radius: 5px; padding: 3px 6px; }
QToolButton:hover { background: @subtle; border-color: @border; }
QToolButton:pressed { background: @border; }
QToolButton:disabled { color: @faint; }
QToolButton#mediaFrame { font-size: 13pt; font-weight: 600; padding: 0 7px; color: @strong; }
QToolButton#mediaPlay { background: #1f4e79; border-color: #1f4e79; border-radius: 16px;
                        padding: 5px; }
QToolButton#mediaPlay:hover { background: #2b5f8f; }
QToolButton#mediaPlay:disabled { background: @border; border-color: @border; }
QToolButton#mediaMark, QToolButton#mediaPin { border: 1px solid @border; background: palette(base);
                                              padding: 3px 10px; }
QToolButton#mediaMark:hover, QToolButton#mediaPin:hover { background: palette(window); }
QToolButton#mediaPin:enabled { background: #1f4e79; border-color: #1f4e79; color: palette(base);
                               font-weight: 600; }
QToolButton#mediaMark:disabled, QToolButton#mediaPin:disabled { background: palette(window);
                                                                border-color: @border; }
"""


class _AudioBadge(QWidget):
    """A round speaker badge for recordings without a picture."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(72, 72)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e8f0fe"))
        painter.drawEllipse(self.rect().adjusted(1, 1, -1, -1))
        ink = QColor("#1f4e79")
        painter.setBrush(ink)
        # speaker: a box and a cone
        painter.drawRect(21, 30, 8, 12)
        painter.drawPolygon(QPolygonF([QPointF(29, 30), QPointF(40, 21), QPointF(40, 51),
                                       QPointF(29, 42)]))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        pen = QPen(ink, 3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        for radius in (7, 13):
            painter.drawArc(46 - radius, 36 - radius, 2 * radius, 2 * radius,
                            -50 * 16, 100 * 16)
        painter.end()


def _card() -> tuple[QWidget, QVBoxLayout]:
    card = QWidget()
    card.setObjectName("mediaCard")
    card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    card.setMaximumWidth(520)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(24, 20, 24, 20)
    inner.setSpacing(8)
    return card, inner


def _centred(page: QWidget, card: QWidget) -> None:
    outer = QVBoxLayout(page)
    outer.setContentsMargins(16, 16, 16, 16)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 4)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(1)


def _tool(text: str, tip: str, *, name: str = "") -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setAutoRaise(True)
    if name:
        button.setObjectName(name)
    return button


class MediaEvidenceView(QWidget):
    pin_requested = Signal(object)
    pin_clicked = Signal(object)

    OPEN_TIMEOUT_MS = 10_000
    """How long a recording may take to open before the view says it did not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mediaView")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        apply_style(self, template=_STYLE)
        self.evidence_id = ""
        self.name = ""
        self._video_expected = False
        self._buffer: QBuffer | None = None
        self._loaded = False
        self._failed = False
        self._pending_seek: int | None = None
        self._pin_mode = False
        self._mark_in: int | None = None
        self._mark_out: int | None = None
        self._all_pins: list[MediaPin] = []

        self.surface = MediaVideoSurface()
        self.surface.clicked.connect(self.toggle_play)
        self._new_playback()
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._on_open_timeout)
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._on_outputs_changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_quit)

        self._build()
        self.clear()

    def _new_playback(self) -> None:
        self.playback = MediaPlayback(self)
        self.player = self.playback.player
        self.audio = self.playback.audio
        self.player.setVideoSink(self.surface.new_sink())
        self.player.mediaStatusChanged.connect(self._on_status)
        self.player.errorOccurred.connect(self._on_error)
        self.player.durationChanged.connect(self._on_duration)
        self.player.positionChanged.connect(self._on_position)
        self.player.playbackStateChanged.connect(self._on_playback_state)
        self.player.playbackRateChanged.connect(self._on_rate)

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        style = self.style()
        self.stage = QStackedWidget()
        self.stage.addWidget(self.surface)
        self.stage.addWidget(self._build_audio_panel())
        self.stage.addWidget(self._build_message_page())

        self.note_label = QLabel()
        self.note_label.setObjectName("mediaNote")
        self.note_label.setWordWrap(True)
        self.note_label.hide()

        self.timeline = MediaTimeline()
        self.timeline.seek_requested.connect(self.seek)
        self.timeline.pin_clicked.connect(self._on_timeline_pin)

        self.back_button = _tool("", "Back 5 seconds (Left)")
        self.back_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.back_button.clicked.connect(lambda: self.skip(-SEEK_STEP_MS))
        self.play_button = _tool("", "Play (Space)", name="mediaPlay")
        self.play_button.setAutoRaise(False)
        self.play_button.setIconSize(QSize(20, 20))
        self.play_button.clicked.connect(self.toggle_play)
        self.forward_button = _tool("", "Forward 5 seconds (Right)")
        self.forward_button.setIcon(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward))
        self.forward_button.clicked.connect(lambda: self.skip(SEEK_STEP_MS))
        self.frame_back_button = _tool("‹", "Previous frame (,)", name="mediaFrame")
        self.frame_back_button.clicked.connect(lambda: self.step_frame(-1))
        self.frame_forward_button = _tool("›", "Next frame (.)", name="mediaFrame")
        self.frame_forward_button.clicked.connect(lambda: self.step_frame(1))
        self.time_label = QLabel(position_text(0, 0))
        self.time_label.setObjectName("mediaTime")
        self.time_label.setAccessibleName("Position and duration")

        self.speed_box = QComboBox()
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed_box.setToolTip("Playback speed ([ slower, ] faster)")
        self.speed_box.setAccessibleName("Playback speed")
        for rate in SPEEDS:
            self.speed_box.addItem(speed_text(rate), rate)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.currentIndexChanged.connect(self._on_speed_chosen)

        self.mute_button = _tool("", "Mute (M)")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self.set_muted)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(80)
        self.volume_slider.setFixedWidth(64)
        self.volume_slider.setToolTip("Volume")
        self.volume_slider.setAccessibleName("Volume")
        self.volume_slider.valueChanged.connect(self._on_volume)
        self._on_volume(self.volume_slider.value())
        self._show_mute_icon(False)

        transport = QHBoxLayout()
        transport.setContentsMargins(4, 0, 4, 0)
        transport.setSpacing(4)
        for widget in (self.back_button, self.play_button, self.forward_button,
                       self.frame_back_button, self.frame_forward_button, self.time_label):
            transport.addWidget(widget)
        transport.addStretch(1)
        transport.addWidget(self.speed_box)
        transport.addSpacing(6)
        transport.addWidget(self.mute_button)
        transport.addWidget(self.volume_slider)

        self.mark_in_button = _tool("Mark in", "Mark where the moment starts (I)",
                                    name="mediaMark")
        self.mark_in_button.clicked.connect(self.mark_in)
        self.mark_out_button = _tool("Mark out", "Mark where the moment ends (O)",
                                     name="mediaMark")
        self.mark_out_button.clicked.connect(self.mark_out)
        self.marks_label = QLabel()
        self.marks_label.setObjectName("mediaMarks")
        self.marks_label.setToolTip("The marked range: in – out")
        self.pin_button = _tool("Pin range", "Pin the marked time range as evidence",
                                name="mediaPin")
        self.pin_button.clicked.connect(self.pin_range)
        self.pin_error = QLabel()
        self.pin_error.setObjectName("mediaPinError")
        self.pin_error.setWordWrap(True)
        self.pin_error.hide()
        pin_caption = QLabel("PIN")
        pin_caption.setObjectName("mediaCaption")
        pin_row = QHBoxLayout()
        pin_row.setContentsMargins(8, 0, 4, 0)
        pin_row.setSpacing(6)
        pin_row.addWidget(pin_caption)
        pin_row.addWidget(self.mark_in_button)
        pin_row.addWidget(self.mark_out_button)
        pin_row.addWidget(self.marks_label)
        pin_row.addWidget(self.pin_button)
        pin_row.addWidget(self.pin_error, 1)
        pin_row.addStretch(0)

        self.controls = QFrame()
        self.controls.setObjectName("mediaControls")
        controls = QVBoxLayout(self.controls)
        controls.setContentsMargins(6, 4, 6, 8)
        controls.setSpacing(4)
        controls.addWidget(self.timeline)
        controls.addLayout(transport)
        controls.addLayout(pin_row)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stage, 1)
        layout.addWidget(self.note_label)
        layout.addWidget(self.controls)
        for label, widest in ((self.time_label, "00:00 / 00:00"),
                              (self.marks_label, "00:00.0 – 00:00.0")):
            label.ensurePolished()  # in the tree now: the style sheet's font applies
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest) + 16)

    def _build_audio_panel(self) -> QWidget:
        page = QWidget()
        page.setObjectName("mediaAudioPanel")
        page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        card, inner = _card()
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(_AudioBadge())
        words = QVBoxLayout()
        words.setSpacing(2)
        self.audio_name = QLabel()
        self.audio_name.setObjectName("mediaName")
        self.audio_name.setWordWrap(True)
        self.audio_facts = QLabel()
        self.audio_facts.setObjectName("mediaFacts")
        words.addStretch(1)
        words.addWidget(self.audio_name)
        words.addWidget(self.audio_facts)
        words.addStretch(1)
        top.addLayout(words, 1)
        inner.addLayout(top)
        keys = QLabel("Space play/pause · ← → 5 seconds · [ ] speed · M mute · "
                      "I / O mark in and out")
        keys.setObjectName("mediaKeys")
        keys.setWordWrap(True)
        inner.addWidget(keys)
        _centred(page, card)
        return page

    def _build_message_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("mediaMessagePage")
        page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        card, inner = _card()
        self.message_title = QLabel()
        self.message_title.setObjectName("mediaMessageTitle")
        self.message_title.setWordWrap(True)
        self.message_detail = QLabel()
        self.message_detail.setObjectName("mediaMessageDetail")
        self.message_detail.setWordWrap(True)
        self.message_detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        inner.addWidget(self.message_title)
        inner.addWidget(self.message_detail)
        self._message_card = card
        _centred(page, card)
        return page

    # -- the contract ----------------------------------------------------------------------

    def load(self, data: bytes, *, name: str, media_type: str | None, evidence_id: str,
             video: bool) -> None:
        """Open the recording from ``data`` (kept in memory only) and show its first frame
        (video) or its panel (audio). Problems show as a message in the view."""
        self.clear()
        self.evidence_id = evidence_id
        self.name = name
        self._video_expected = video
        self.audio_name.setText(html.escape(name))
        self.audio_facts.setText("Audio recording · opening…")
        self.stage.setCurrentIndex(0 if video else 1)
        self.frame_back_button.setVisible(video)
        self.frame_forward_button.setVisible(video)
        self.controls.show()
        if not self.player.isAvailable():
            self._show_message(
                "Audio and video cannot be played on this computer",
                "Qt Multimedia found no media backend (its FFmpeg plug-in is missing or "
                "could not load). Save a copy of the file to play it in another player.")
            return
        if not data:
            self._show_message("This recording is empty",
                               f"“{name}” holds no data (0 bytes).")
            return
        buffer = QBuffer(self.player)  # deleted after the player, which reads from it
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer
        self._open(buffer, QUrl(source_hint(name, media_type)))

    def _open(self, device: QIODevice, hint: QUrl) -> None:
        """Start opening ``device``; the watchdog says so if it takes too long."""
        self._set_controls_enabled(False)
        self._watchdog.start(self.OPEN_TIMEOUT_MS)
        self.playback.open_device(device, hint)

    def set_pins(self, pins: Sequence[Pin]) -> None:
        self._all_pins = [pin for pin in pins
                          if isinstance(pin, MediaPin) and pin.evidence_id == self.evidence_id]
        self.timeline.set_pins(self._all_pins)

    def show_pin(self, pin: Pin) -> None:
        """Seek to the pin's start and flash its span."""
        if not isinstance(pin, MediaPin) or pin.evidence_id != self.evidence_id:
            return
        if self._loaded:
            self.seek(pin.start_ms)
        else:
            self._pending_seek = pin.start_ms
        self.timeline.flash(pin)

    def set_pin_mode(self, on: bool) -> None:
        self._pin_mode = on
        if not on:
            self._set_marks(None, None)
        self._hide_pin_error()
        self._update_pin_controls()

    def clear(self) -> None:
        """Stop, and drop the recording's bytes."""
        self._watchdog.stop()
        self.playback.reset()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.setData(QByteArray())
            self._buffer.deleteLater()
            self._buffer = None
        self.surface.reset()
        self.evidence_id = ""
        self.name = ""
        self._loaded = False
        self._failed = False
        self._pending_seek = None
        self._all_pins = []
        self.timeline.set_pins([])
        self.timeline.set_duration(0)
        self.timeline.set_position(0)
        self._set_marks(None, None)
        self._hide_pin_error()
        self.note_label.hide()
        self.time_label.setText(position_text(0, 0))
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.stage.setCurrentIndex(2)
        self.message_title.clear()
        self.message_detail.clear()
        self._message_card.hide()
        self.controls.hide()
        self._set_controls_enabled(False)
        self._show_play_icon(playing=False)

    # -- state ---------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """The recording opened and can play."""
        return self._loaded and not self._failed

    @property
    def failed(self) -> bool:
        return self._failed

    @property
    def has_video(self) -> bool:
        return self.loaded and self.player.hasVideo()

    @property
    def marks(self) -> tuple[int | None, int | None]:
        return self._mark_in, self._mark_out

    def frame_duration_ms(self) -> tuple[float, bool]:
        """(one frame in ms, whether it is known): from the file's frame rate, else from
        the decoded frames, else FALLBACK_FRAME_MS (not known)."""
        rate = self.player.metaData().value(QMediaMetaData.Key.VideoFrameRate)
        if isinstance(rate, int | float) and 0 < rate < 1000:
            return 1000.0 / float(rate), True
        if self.surface.last_frame_duration_ms > 0:
            return float(self.surface.last_frame_duration_ms), True
        return float(FALLBACK_FRAME_MS), False

    # -- actions -------------------------------------------------------------------------

    def toggle_play(self) -> None:
        if not self.loaded:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.playback.pause()
        else:
            self.playback.play()

    def seek(self, ms: int) -> None:
        if not self.loaded:
            return
        duration = self.player.duration()
        target = max(0, min(ms, duration)) if duration > 0 else max(0, ms)
        self.playback.set_position(target)
        self.timeline.set_position(target)
        self._show_time(target)

    def skip(self, delta_ms: int) -> None:
        self.seek(self.player.position() + delta_ms)

    def step_frame(self, frames: int) -> None:
        """Pause and move by whole frames (one frame = 1/fps). The backend seeks by time and
        shows the frame nearest to it (FFmpeg here), or the one containing it (others): we
        aim 1 ms past the wanted frame's start, which is right for both."""
        if not self.has_video:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.playback.pause()
        frame, _known = self.frame_duration_ms()
        shown = self.surface.last_frame_ms
        base = shown if shown >= 0 else self.player.position()
        target = math.ceil(base + frames * frame) + 1
        duration = self.player.duration()
        if target < 0:
            target = 0
        elif duration > 0 and target >= duration:
            target = max(0, math.ceil(duration - frame) + 1)
        self.seek(target)

    def change_speed(self, steps: int) -> None:
        index = max(0, min(len(SPEEDS) - 1, self.speed_box.currentIndex() + steps))
        self.speed_box.setCurrentIndex(index)

    def set_muted(self, muted: bool) -> None:
        self.playback.set_muted(muted)
        if self.mute_button.isChecked() != muted:
            self.mute_button.setChecked(muted)
        self._show_mute_icon(muted)

    def mark_in(self) -> None:
        if self._pin_mode and self.loaded:
            self._hide_pin_error()
            self._set_marks(self._mark_position(), self._mark_out)

    def mark_out(self) -> None:
        if self._pin_mode and self.loaded:
            self._hide_pin_error()
            self._set_marks(self._mark_in, self._mark_position())

    def pin_range(self) -> None:
        """Emit pin_requested for the marked range, or say what is missing."""
        if not (self._pin_mode and self.loaded):
            return
        start, end = self._mark_in, self._mark_out
        if start is None or end is None:
            self._show_pin_error("Mark where the moment starts (I) and where it ends (O).")
            return
        if end <= start:
            self._show_pin_error("The end must come after the start: mark out later "
                                 "than mark in.")
            return
        try:
            pin = MediaPin(self.evidence_id, start, end, note="")
        except ValidationError as exc:
            self._show_pin_error(str(exc))
            return
        self._set_marks(None, None)
        self._hide_pin_error()
        self.pin_requested.emit(pin)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DeferredDelete:
            self.playback.reset()  # end the backend's threads while the GIL is free
        return super().event(event)

    # -- keys ----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers not in (Qt.KeyboardModifier.NoModifier,
                             Qt.KeyboardModifier.ShiftModifier):
            super().keyPressEvent(event)
            return
        actions = {
            Qt.Key.Key_Space: self.toggle_play,
            Qt.Key.Key_Left: lambda: self.skip(-SEEK_STEP_MS),
            Qt.Key.Key_Right: lambda: self.skip(SEEK_STEP_MS),
            Qt.Key.Key_BracketLeft: lambda: self.change_speed(-1),
            Qt.Key.Key_BracketRight: lambda: self.change_speed(1),
            Qt.Key.Key_M: lambda: self.set_muted(not self.audio.isMuted()),
            Qt.Key.Key_Comma: lambda: self.step_frame(-1),
            Qt.Key.Key_Period: lambda: self.step_frame(1),
            Qt.Key.Key_I: self.mark_in,
            Qt.Key.Key_O: self.mark_out,
        }
        action = actions.get(key)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    # -- player events -------------------------------------------------------------------

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        statuses = QMediaPlayer.MediaStatus
        if self._failed:
            return
        if status == statuses.LoadedMedia and not self._loaded:
            self._on_loaded()
        elif status == statuses.InvalidMedia:
            self._fail("FormatError", self.player.errorString())
        elif status == statuses.EndOfMedia:
            if not self._played_any():
                self._fail_empty()
            else:
                self._show_play_icon(playing=False)

    def _on_loaded(self) -> None:
        self._watchdog.stop()
        self._loaded = True
        video = self.player.hasVideo()
        self.stage.setCurrentIndex(0 if video else 1)
        self.frame_back_button.setVisible(video)
        self.frame_forward_button.setVisible(video)
        self._set_controls_enabled(True)
        self._on_duration(self.player.duration())
        self._update_sound_note()
        if self._pending_seek is not None:
            self.playback.set_position(self._pending_seek)
            self._pending_seek = None
        self.playback.pause()  # decodes and shows the first frame without playing

    def _on_error(self, error: QMediaPlayer.Error, text: str) -> None:
        if error == QMediaPlayer.Error.NoError or self._failed or not self.name:
            return
        if self._loaded and self._played_any():
            # Part of the file played: keep what can be seen, and say the rest is damaged.
            title, detail = error_message(error.name, self.name, text)
            self._show_note(f"{title}. {detail}")
            return
        self._fail(error.name, text)

    def _on_open_timeout(self) -> None:
        if self._loaded or self._failed or not self.name:
            return
        self._show_message(
            "This recording did not open",
            f"“{self.name}” did not open within {self.OPEN_TIMEOUT_MS // 1000} seconds. It "
            "may be damaged, or in a format this computer cannot play.")
        self._abandon_playback()

    def _abandon_playback(self) -> None:
        """The backend is stuck opening the file: stopping it would wait for it, so leave
        that player to itself (kept alive, never deleted, silenced) and make a fresh one."""
        stuck = self.playback
        stuck.player.blockSignals(True)
        stuck.setParent(None)
        _STUCK.append((stuck, self._buffer))
        self._buffer = None
        self._new_playback()
        self._on_volume(self.volume_slider.value())
        self.playback.set_muted(self.mute_button.isChecked())

    def _on_quit(self) -> None:
        self.playback.reset()

    def _on_duration(self, duration: int) -> None:
        self.timeline.set_duration(duration)
        self._show_time(self.player.position())
        if self._loaded and not self.player.hasVideo():
            length = position_text(0, duration).split(" / ")[1]
            self.audio_facts.setText(f"Audio recording · {length}")

    def _on_position(self, position: int) -> None:
        self.timeline.set_position(position)
        if not self.timeline.dragging:
            self._show_time(position)

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        self._show_play_icon(playing=state == QMediaPlayer.PlaybackState.PlayingState)

    def _on_rate(self, rate: float) -> None:
        for index, offered in enumerate(SPEEDS):
            if abs(offered - rate) < 1e-6 and index != self.speed_box.currentIndex():
                self.speed_box.setCurrentIndex(index)

    def _on_speed_chosen(self, index: int) -> None:
        rate = SPEEDS[index] if 0 <= index < len(SPEEDS) else 1.0
        self.playback.set_rate(rate)

    def _on_volume(self, value: int) -> None:
        linear = QtAudio.convertVolume(value / 100, QtAudio.VolumeScale.LogarithmicVolumeScale,
                                       QtAudio.VolumeScale.LinearVolumeScale)
        self.playback.set_volume(linear)

    def _on_outputs_changed(self) -> None:
        self.playback.set_device(QMediaDevices.defaultAudioOutput())
        self._update_sound_note()

    def _on_timeline_pin(self, pin: object) -> None:
        if isinstance(pin, MediaPin):
            self.seek(pin.start_ms)
            self.pin_clicked.emit(pin)

    # -- inside --------------------------------------------------------------------------

    def _played_any(self) -> bool:
        if self.player.hasVideo():
            return self.surface.frames_seen > 0
        return self.player.position() > 0 or self.player.duration() > 0

    def _fail(self, kind: str, text: str) -> None:
        title, detail = error_message(kind, self.name, text)
        self._show_message(title, detail)
        self._release_player()

    def _fail_empty(self) -> None:
        what = "picture" if self.player.hasVideo() else "sound"
        self._show_message("This recording cannot be played",
                           f"No {what} could be decoded from “{self.name}”: the file is "
                           "damaged, cut short, or uses a codec this computer cannot play.")
        self._release_player()

    def _release_player(self) -> None:
        """After a failure: stop reading, keep the message."""
        self._watchdog.stop()
        self.playback.reset()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.setData(QByteArray())

    def _show_message(self, title: str, detail: str) -> None:
        self._failed = True
        self.message_title.setText(html.escape(title))
        self.message_detail.setText(html.escape(detail))
        self._message_card.show()
        self.stage.setCurrentIndex(2)
        self.note_label.hide()
        self.controls.hide()
        self._set_controls_enabled(False)

    def _show_note(self, text: str) -> None:
        self.note_label.setText(html.escape(text))
        self.note_label.show()

    def _update_sound_note(self) -> None:
        silent = self._loaded and self.player.hasAudio() and not QMediaDevices.audioOutputs()
        if silent:
            self._show_note(NO_SOUND_NOTE)
        elif self.note_label.text() == html.escape(NO_SOUND_NOTE):
            self.note_label.hide()
        for widget in (self.mute_button, self.volume_slider):
            widget.setEnabled(self.loaded and self.player.hasAudio() and not silent)

    def _show_time(self, position: int) -> None:
        self.time_label.setText(position_text(position, self.player.duration()))

    def _show_play_icon(self, *, playing: bool) -> None:
        icon = (QStyle.StandardPixmap.SP_MediaPause if playing
                else QStyle.StandardPixmap.SP_MediaPlay)
        self.play_button.setIcon(self._white_icon(icon))
        tip = "Pause (Space)" if playing else "Play (Space)"
        self.play_button.setToolTip(tip)
        self.play_button.setAccessibleName(tip)

    def _white_icon(self, which: QStyle.StandardPixmap) -> QIcon:
        """The style's icon, repainted white for the filled play button."""
        source = self.style().standardIcon(which).pixmap(QSize(20, 20))
        white = QPixmap(source.size())
        white.fill(Qt.GlobalColor.transparent)
        painter = QPainter(white)
        painter.drawPixmap(0, 0, source)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(white.rect(), QColor("#ffffff"))
        painter.end()
        return QIcon(white)

    def _show_mute_icon(self, muted: bool) -> None:
        icon = (QStyle.StandardPixmap.SP_MediaVolumeMuted if muted
                else QStyle.StandardPixmap.SP_MediaVolume)
        self.mute_button.setIcon(self.style().standardIcon(icon))
        tip = "Unmute (M)" if muted else "Mute (M)"
        self.mute_button.setToolTip(tip)
        self.mute_button.setAccessibleName(tip)

    def _set_controls_enabled(self, on: bool) -> None:
        for widget in (self.timeline, self.back_button, self.play_button, self.forward_button,
                       self.frame_back_button, self.frame_forward_button, self.speed_box,
                       self.mute_button, self.volume_slider):
            widget.setEnabled(on)
        self._update_pin_controls()

    def _update_pin_controls(self) -> None:
        usable = self._pin_mode and self.loaded
        self.mark_in_button.setEnabled(usable)
        self.mark_out_button.setEnabled(usable)
        both = self._mark_in is not None and self._mark_out is not None
        self.pin_button.setEnabled(usable and both)
        hint = "" if usable else " (turn on pinning for a criterion first)"
        self.pin_button.setToolTip("Pin the marked time range as evidence" + hint)

    def _mark_position(self) -> int:
        shown = self.surface.last_frame_ms
        paused = self.player.playbackState() != QMediaPlayer.PlaybackState.PlayingState
        if self.player.hasVideo() and paused and shown >= 0:
            return shown  # the frame on screen is what the assessor is marking
        return max(0, self.player.position())

    def _set_marks(self, mark_in: int | None, mark_out: int | None) -> None:
        self._mark_in, self._mark_out = mark_in, mark_out
        self.timeline.set_marks(mark_in, mark_out)
        if mark_in is None and mark_out is None:
            self.marks_label.setText("—")
        else:
            shown_in = precise(mark_in) if mark_in is not None else "…"
            shown_out = precise(mark_out) if mark_out is not None else "…"
            self.marks_label.setText(f"{shown_in} – {shown_out}")
        self._update_pin_controls()

    def _show_pin_error(self, text: str) -> None:
        self.pin_error.setText(text)
        self.pin_error.show()

    def _hide_pin_error(self) -> None:
        self.pin_error.clear()
        self.pin_error.hide()
