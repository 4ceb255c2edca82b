"""MediaEvidenceView: real WAV and Motion-JPEG AVI files (the demo's generators and the wave
module) played from memory by Qt Multimedia's FFmpeg backend, offscreen, with no sound device
on the test machines (the view must then play silently and say so)."""

from __future__ import annotations

import io
import math
import os
import random
import sys
import wave
from array import array
from datetime import UTC, datetime
from pathlib import Path

import pytest

from PySide6.QtCore import QIODevice, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QHelpEvent, QImage
from PySide6.QtMultimedia import QMediaDevices, QMediaPlayer
from PySide6.QtWidgets import QApplication, QToolTip

from assessor.domain.judgment import DocumentPin, MediaPin, Rect
from assessor.hub.demo import evidence as demo
from ui.evidence import media_view
from ui.evidence.media_text import (
    clock,
    error_message,
    position_text,
    precise,
    source_hint,
)
from ui.evidence.media_timeline import assign_lanes, pin_label
from ui.evidence.media_view import NO_SOUND_NOTE, MediaEvidenceView

# What the FFmpeg backend says on a machine without PulseAudio, VA-API or a GPU, and about
# the broken files these tests feed it on purpose.
pytestmark = pytest.mark.qt_log_ignore(
    r"Couldn't (load|resolve)", r"PulseAudioService", r"No audio device detected",
    r"No RHI backend", r"Could not open media", r"Failed to seek", r"QBuffer::seek: Invalid pos")

DEMO = demo.Context(seed=7, learner="Aroha Ngata", template_id="stakeholder-communication",
                    submitted_at=datetime(2026, 5, 4, 9, 30, tzinfo=UTC))
LOAD_MS = 5000


def tone_wav(seconds: float, rate: int = 8000) -> bytes:
    """A mono 16-bit 440 Hz tone, written with the wave module."""
    samples = array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / rate))
                          for i in range(int(seconds * rate))))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        if sys.byteorder == "big":
            samples.byteswap()
        wav.writeframes(samples.tobytes())
    return out.getvalue()


@pytest.fixture(scope="module")
def avi() -> bytes:
    return demo.briefing_video(DEMO).data  # 10 Motion-JPEG frames at 5 fps: 2.0 s


@pytest.fixture
def view(qtbot):
    widget = MediaEvidenceView()
    qtbot.add_widget(widget)
    widget.resize(760, 520)
    widget.show()
    qtbot.wait_exposed(widget)
    widget.setFocus()
    yield widget
    widget.clear()


def open_media(qtbot, view: MediaEvidenceView, data: bytes, name: str = "voice-note.wav",
               media_type: str | None = "audio/wav", *, video: bool = False) -> None:
    view.load(data, name=name, media_type=media_type, evidence_id="ev-1", video=video)
    qtbot.wait_until(lambda: view.loaded or view.failed, timeout=LOAD_MS)


def open_video(qtbot, view: MediaEvidenceView, data: bytes) -> None:
    open_media(qtbot, view, data, "briefing-video.avi", "video/x-msvideo", video=True)
    assert view.loaded, view.message_detail.text()
    qtbot.wait_until(lambda: view.surface.frames_seen > 0, timeout=LOAD_MS)


def settle_at(qtbot, view: MediaEvidenceView, ms: int, tolerance: int = 60) -> None:
    qtbot.wait_until(lambda: abs(view.player.position() - ms) <= tolerance, timeout=LOAD_MS)


def key(qtbot, view: MediaEvidenceView, which: Qt.Key) -> None:
    qtbot.keyClick(view, which)


# -- words ---------------------------------------------------------------------------------

def test_clock_and_position_text():
    assert clock(83_000) == "01:23"
    assert clock(250_999) == "04:10"
    assert clock(3_723_000) == "1:02:03"
    assert position_text(83_000, 250_000) == "01:23 / 04:10"
    assert position_text(0, 0) == "00:00 / --:--"
    assert precise(1_234) == "00:01.2"


def test_source_hint_keeps_only_a_safe_name_and_the_extension():
    assert source_hint("voice note #2.WAV", "audio/wav") == "evidence-voice-note-2.wav"
    assert source_hint("../../etc/passwd", None) == "evidence-passwd"
    assert source_hint("recording", "video/mp4") == "evidence-recording.mp4"
    assert source_hint("", "audio/mpeg") == "evidence-recording.mp3"


def test_lanes_separate_overlapping_pins():
    a, b, c = (MediaPin("e", 0, 1000), MediaPin("e", 500, 1500), MediaPin("e", 1200, 2000))
    lanes = dict(assign_lanes([c, b, a]))
    assert lanes == {a: 0, b: 1, c: 0}
    assert pin_label(MediaPin("e", 1200, 3400, "asks  the team")) == (
        "00:01.2 – 00:03.4\nasks the team")


# -- audio ---------------------------------------------------------------------------------

def test_wav_opens_with_its_duration_in_the_audio_panel(qtbot, view):
    open_media(qtbot, view, tone_wav(2.5))
    assert view.loaded
    assert abs(view.player.duration() - 2500) <= 100
    assert view.time_label.text() == "00:00 / 00:02"
    assert view.stage.currentIndex() == 1  # the audio panel, no black video area
    assert view.audio_name.text() == "voice-note.wav"
    assert view.audio_facts.text() == "Audio recording · 00:02"
    assert view.frame_forward_button.isHidden() and view.frame_back_button.isHidden()


def test_the_bytes_stay_in_memory(qtbot, view, tmp_path):
    open_media(qtbot, view, tone_wav(1.0), name="private interview.wav")
    device = view.player.sourceDevice()
    assert device is not None and type(device).__name__ == "QBuffer"
    hint = view.player.source().toString()
    assert hint == "evidence-private-interview.wav"
    assert not Path(hint).exists()
    view.clear()
    assert view.player.sourceDevice() is None
    assert view.player.source().isEmpty()
    assert view.controls.isHidden()


def test_the_demo_voice_note_plays_and_the_position_advances(qtbot, view):
    note = demo.voice_note(DEMO)
    open_media(qtbot, view, note.data, note.file_name, note.media_type)
    assert abs(view.player.duration() - 3000) <= 100
    key(qtbot, view, Qt.Key.Key_Space)
    qtbot.wait_until(lambda: view.player.position() >= 400, timeout=LOAD_MS)
    assert view.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
    assert view.play_button.toolTip() == "Pause (Space)"
    assert view.time_label.text().endswith(" / 00:03")
    key(qtbot, view, Qt.Key.Key_Space)
    qtbot.wait_until(lambda: view.player.playbackState()
                     == QMediaPlayer.PlaybackState.PausedState)
    assert view.play_button.toolTip() == "Play (Space)"


def test_without_a_sound_device_the_view_says_it_plays_silently(qtbot, view):
    open_media(qtbot, view, tone_wav(1.0))
    if QMediaDevices.audioOutputs():
        assert view.note_label.isHidden()
        assert view.volume_slider.isEnabled()
    else:
        assert not view.note_label.isHidden()
        assert view.note_label.text() == NO_SOUND_NOTE
        assert not view.volume_slider.isEnabled()


def test_clicking_and_dragging_the_timeline_seeks(qtbot, view):
    open_media(qtbot, view, tone_wav(10.0))
    timeline = view.timeline
    middle = round(timeline.x_for(5000))
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(middle, 12))
    settle_at(qtbot, view, 5000, tolerance=100)
    assert view.time_label.text() == "00:05 / 00:10"
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(middle, 12))
    qtbot.mouseMove(timeline, QPoint(round(timeline.x_for(8000)), 12))
    assert timeline.dragging
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton,
                       pos=QPoint(round(timeline.x_for(8000)), 12))
    assert not timeline.dragging
    settle_at(qtbot, view, 8000, tolerance=100)


def test_left_and_right_jump_five_seconds_within_the_recording(qtbot, view):
    open_media(qtbot, view, tone_wav(12.0))
    key(qtbot, view, Qt.Key.Key_Right)
    settle_at(qtbot, view, 5000)
    key(qtbot, view, Qt.Key.Key_Right)
    settle_at(qtbot, view, 10000)
    key(qtbot, view, Qt.Key.Key_Right)  # only 2 s left: stops at the end
    qtbot.wait_until(lambda: view.player.position() >= 11900, timeout=LOAD_MS)
    view.seek(3000)
    settle_at(qtbot, view, 3000)
    key(qtbot, view, Qt.Key.Key_Left)
    settle_at(qtbot, view, 0)


def test_speed_keys_and_box_change_the_playback_rate(qtbot, view):
    open_media(qtbot, view, tone_wav(2.0))
    assert view.player.playbackRate() == 1.0
    key(qtbot, view, Qt.Key.Key_BracketRight)
    assert view.player.playbackRate() == 1.25
    assert view.speed_box.currentText() == "1.25×"
    for _ in range(5):
        key(qtbot, view, Qt.Key.Key_BracketRight)
    assert view.player.playbackRate() == 2.0
    for _ in range(8):
        key(qtbot, view, Qt.Key.Key_BracketLeft)
    assert view.player.playbackRate() == 0.5
    view.speed_box.setCurrentIndex(2)
    assert view.player.playbackRate() == 1.0


def test_m_mutes_and_unmutes(qtbot, view):
    open_media(qtbot, view, tone_wav(1.0))
    key(qtbot, view, Qt.Key.Key_M)
    assert view.audio.isMuted()
    assert view.mute_button.isChecked()
    assert view.mute_button.toolTip() == "Unmute (M)"
    key(qtbot, view, Qt.Key.Key_M)
    assert not view.audio.isMuted()
    view.volume_slider.setValue(50)
    assert 0 < view.audio.volume() < 0.5  # the slider is perceptual (logarithmic)


# -- video ---------------------------------------------------------------------------------

def test_avi_shows_its_frames(qtbot, view, avi):
    open_video(qtbot, view, avi)
    assert view.has_video
    assert view.stage.currentIndex() == 0
    assert abs(view.player.duration() - 2000) <= 100
    assert view.frame_duration_ms() == (200.0, True)
    assert not view.frame_forward_button.isHidden()
    picture = view.surface.picture_rect()
    assert picture.width() > 300 and picture.height() > 200
    shot = view.surface.grab().toImage().copy(picture)
    bright = sum(1 for x in range(0, shot.width(), 8) for y in range(0, shot.height(), 8)
                 if QColor(shot.pixel(x, y)).lightness() > 200)
    assert bright > 100  # the white slide, not a black rectangle


def test_video_plays_and_comma_period_step_one_frame(qtbot, view, avi):
    open_video(qtbot, view, avi)
    key(qtbot, view, Qt.Key.Key_Space)
    qtbot.wait_until(lambda: view.surface.last_frame_ms >= 600, timeout=LOAD_MS)
    key(qtbot, view, Qt.Key.Key_Period)  # pauses, then steps
    qtbot.wait_until(lambda: view.player.playbackState()
                     == QMediaPlayer.PlaybackState.PausedState)
    view.seek(1000)
    qtbot.wait_until(lambda: view.surface.last_frame_ms == 1000, timeout=LOAD_MS)
    key(qtbot, view, Qt.Key.Key_Period)
    qtbot.wait_until(lambda: view.surface.last_frame_ms == 1200, timeout=LOAD_MS)
    key(qtbot, view, Qt.Key.Key_Period)
    qtbot.wait_until(lambda: view.surface.last_frame_ms == 1400, timeout=LOAD_MS)
    key(qtbot, view, Qt.Key.Key_Comma)
    qtbot.wait_until(lambda: view.surface.last_frame_ms == 1200, timeout=LOAD_MS)
    view.seek(0)
    qtbot.wait_until(lambda: view.surface.last_frame_ms == 0, timeout=LOAD_MS)
    key(qtbot, view, Qt.Key.Key_Comma)  # nothing before the first frame
    qtbot.wait(300)
    assert view.surface.last_frame_ms == 0


def test_clicking_the_picture_plays_and_pauses(qtbot, view, avi):
    open_video(qtbot, view, avi)
    qtbot.mouseClick(view.surface, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: view.player.playbackState()
                     == QMediaPlayer.PlaybackState.PlayingState)
    qtbot.mouseClick(view.surface, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: view.player.playbackState()
                     != QMediaPlayer.PlaybackState.PlayingState)


# -- pins ----------------------------------------------------------------------------------

def test_mark_in_and_out_then_pin_emits_the_range(qtbot, view):
    open_media(qtbot, view, tone_wav(6.0))
    view.set_pin_mode(True)
    view.seek(1500)
    settle_at(qtbot, view, 1500, tolerance=0)
    key(qtbot, view, Qt.Key.Key_I)
    view.seek(4200)
    settle_at(qtbot, view, 4200, tolerance=0)
    key(qtbot, view, Qt.Key.Key_O)
    assert view.marks == (1500, 4200)
    assert view.marks_label.text() == "00:01.5 – 00:04.2"
    assert view.pin_button.isEnabled()
    with qtbot.wait_signal(view.pin_requested, timeout=1000) as got:
        qtbot.mouseClick(view.pin_button, Qt.MouseButton.LeftButton)
    assert got.args == [MediaPin("ev-1", 1500, 4200, note="")]
    assert view.marks == (None, None)  # ready for the next moment
    assert not view.pin_button.isEnabled()


def test_a_range_that_ends_before_it_starts_is_refused_with_a_message(qtbot, view):
    open_media(qtbot, view, tone_wav(6.0))
    view.set_pin_mode(True)
    view.seek(3000)
    settle_at(qtbot, view, 3000, tolerance=0)
    view.mark_in()
    view.seek(1000)
    settle_at(qtbot, view, 1000, tolerance=0)
    view.mark_out()
    emitted: list[object] = []
    view.pin_requested.connect(emitted.append)
    qtbot.mouseClick(view.pin_button, Qt.MouseButton.LeftButton)
    assert emitted == []
    assert not view.pin_error.isHidden()
    assert view.pin_error.text() == ("The end must come after the start: mark out later "
                                     "than mark in.")
    view.mark_out()  # the same moment as mark in is no range either
    view.seek(3000)
    settle_at(qtbot, view, 3000, tolerance=0)
    view.mark_out()
    view.pin_range()
    assert emitted == []
    assert view.pin_error.text().startswith("The end must come after the start")


def test_pin_without_marks_says_what_is_missing(qtbot, view):
    open_media(qtbot, view, tone_wav(2.0))
    view.set_pin_mode(True)
    view.mark_in()
    assert not view.pin_button.isEnabled()
    view.pin_range()
    assert view.pin_error.text() == ("Mark where the moment starts (I) and where it "
                                     "ends (O).")


def test_marks_need_pin_mode(qtbot, view):
    open_media(qtbot, view, tone_wav(2.0))
    assert not view.mark_in_button.isEnabled()
    key(qtbot, view, Qt.Key.Key_I)
    assert view.marks == (None, None)
    view.set_pin_mode(True)
    key(qtbot, view, Qt.Key.Key_I)
    assert view.marks == (0, None)
    view.set_pin_mode(False)
    assert view.marks == (None, None)
    assert not view.mark_out_button.isEnabled()


def test_marks_on_a_paused_video_take_the_frame_on_screen(qtbot, view, avi):
    open_video(qtbot, view, avi)
    view.set_pin_mode(True)
    view.seek(650)  # nearer the frame that starts at 600 than the next
    qtbot.wait_until(lambda: view.surface.last_frame_ms == 600, timeout=LOAD_MS)
    key(qtbot, view, Qt.Key.Key_I)
    assert view.marks == (600, None)


def pins_for_tests() -> list[MediaPin]:
    return [MediaPin("ev-1", 1000, 3000, "Explains the change to the site team"),
            MediaPin("ev-1", 2000, 5000, "Names who is affected"),
            MediaPin("ev-1", 7000, 8000, "")]


def test_set_pins_draws_this_evidences_spans_and_clicking_one_emits_it(qtbot, view):
    open_media(qtbot, view, tone_wav(10.0))
    other = MediaPin("ev-2", 0, 4000, "another recording")
    document = DocumentPin("ev-1", 0, Rect(0.1, 0.1, 0.2, 0.2))
    pins = pins_for_tests()
    view.set_pins([*pins, other, document])
    timeline = view.timeline
    assert timeline.pins == pins
    assert timeline.height() > 40  # two overlapping pins: two lanes
    image = timeline.grab().toImage()
    for pin in pins:
        centre = timeline.pin_rect(pin).center()
        assert QColor(image.pixel(centre)).name() == timeline.colour_of(pin).name()
    second = pins[1]
    with qtbot.wait_signal(view.pin_clicked, timeout=1000) as got:
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton,
                         pos=timeline.pin_rect(second).center())
    assert got.args == [second]
    settle_at(qtbot, view, 2000)


@pytest.mark.qt_log_ignore(r"This plugin does not support raise")  # the offscreen tooltip
def test_hovering_a_span_shows_its_times_and_note(qtbot, view):
    open_media(qtbot, view, tone_wav(10.0))
    pins = pins_for_tests()
    view.set_pins(pins)
    timeline = view.timeline
    spot = timeline.pin_rect(pins[0]).center()
    QApplication.sendEvent(timeline, QHelpEvent(QHelpEvent.Type.ToolTip, spot,
                                                timeline.mapToGlobal(spot)))
    assert QToolTip.text() == "00:01.0 – 00:03.0\nExplains the change to the site team"
    QToolTip.hideText()


def test_show_pin_seeks_to_its_start_and_flashes_it(qtbot, view):
    open_media(qtbot, view, tone_wav(10.0))
    pins = pins_for_tests()
    view.set_pins(pins)
    view.show_pin(pins[2])
    settle_at(qtbot, view, 7000)
    assert view.timeline.flashing_pin == pins[2]
    assert view.time_label.text() == "00:07 / 00:10"
    qtbot.wait_until(lambda: view.timeline.flashing_pin is None, timeout=3000)


def test_show_pin_before_the_recording_opens_seeks_once_it_has(qtbot, view):
    pins = pins_for_tests()
    view.load(tone_wav(10.0), name="a.wav", media_type="audio/wav", evidence_id="ev-1",
              video=False)
    view.set_pins(pins)
    view.show_pin(pins[1])
    qtbot.wait_until(lambda: view.loaded, timeout=LOAD_MS)
    settle_at(qtbot, view, 2000)


def test_loading_another_recording_drops_the_pins_and_marks(qtbot, view):
    open_media(qtbot, view, tone_wav(10.0))
    view.set_pins(pins_for_tests())
    view.set_pin_mode(True)
    view.mark_in()
    open_media(qtbot, view, tone_wav(2.0), name="b.wav")
    assert view.timeline.pins == []
    assert view.marks == (None, None)


# -- bad files -----------------------------------------------------------------------------

def assert_message(view: MediaEvidenceView, title: str, *details: str) -> None:
    assert view.failed
    assert view.stage.currentIndex() == 2
    assert view.message_title.text() == title
    for detail in details:
        assert detail in view.message_detail.text()
    assert view.controls.isHidden()


def test_random_bytes_named_mp4_show_a_message(qtbot, view):
    # Seeded: now and then FFmpeg's probe takes truly random bytes for MPEG audio.
    noise = random.Random(6).randbytes(64 * 1024)
    open_media(qtbot, view, noise, "interview.mp4", "video/mp4", video=True)
    assert_message(view, "This recording cannot be played",
                   "“interview.mp4” is damaged, or it uses a format or codec this computer "
                   "cannot play.")


def test_a_cut_short_wav_header_shows_a_message(qtbot, view):
    open_media(qtbot, view, tone_wav(1.0)[:30])
    assert_message(view, "This recording cannot be played", "“voice-note.wav”")


def test_an_avi_cut_after_its_header_shows_a_message(qtbot, view, avi):
    open_media(qtbot, view, avi[:300], "briefing-video.avi", "video/x-msvideo", video=True)
    qtbot.wait_until(lambda: view.failed, timeout=LOAD_MS)  # it opens; decoding finds nothing
    assert_message(view, "This recording cannot be played",
                   "No picture could be decoded from “briefing-video.avi”")


def test_an_avi_with_scrambled_frames_shows_a_message(qtbot, view, avi):
    scrambled = bytearray(avi)
    for i in range(400, len(scrambled), 7):
        scrambled[i] = (scrambled[i] * 31 + 7) & 0xFF
    open_media(qtbot, view, bytes(scrambled), "briefing-video.avi", "video/x-msvideo",
               video=True)
    if not view.failed:  # opened: the failure shows once decoding starts
        qtbot.wait_until(lambda: view.failed, timeout=LOAD_MS)
    assert view.message_title.text() in ("This recording cannot be played",
                                         "This recording could not be read to the end")
    assert "“briefing-video.avi”" in view.message_detail.text()


def test_a_truncated_avi_plays_what_is_there(qtbot, view, avi):
    open_video(qtbot, view, avi[: len(avi) // 2])
    assert not view.failed
    assert 0 < view.player.duration() < 2000


def test_an_empty_file_shows_a_message(qtbot, view):
    view.load(b"", name="voice-note.wav", media_type="audio/wav", evidence_id="ev-1",
              video=False)
    assert_message(view, "This recording is empty", "“voice-note.wav” holds no data")


class StallingDevice(QIODevice):
    """A source that gives the demuxer nothing, not even an end, until released."""

    def __init__(self) -> None:
        super().__init__()
        self.released = False

    def isSequential(self) -> bool:
        return True

    def atEnd(self) -> bool:
        return self.released

    def bytesAvailable(self) -> int:
        return 0

    def readData(self, maxlen: int) -> bytes:
        return b""

    def writeData(self, data: bytes | bytearray | memoryview, len: int, /) -> int:
        return -1


def test_a_recording_that_never_opens_is_given_up_and_the_next_one_plays(qtbot, view):
    view.OPEN_TIMEOUT_MS = 1000
    stalled = StallingDevice()
    stalled.open(QIODevice.OpenModeFlag.ReadOnly)
    view.name = "stuck.mp4"
    view._open(stalled, QUrl("evidence-stuck.mp4"))
    stuck = view.playback
    qtbot.wait_until(lambda: view.failed, timeout=LOAD_MS)
    assert_message(view, "This recording did not open",
                   "“stuck.mp4” did not open within 1 seconds")
    assert view.playback is not stuck
    open_media(qtbot, view, tone_wav(1.0))
    assert view.loaded
    # let the stuck backend finish, and tidy up after it
    stalled.released = True
    qtbot.wait_until(lambda: stuck.player.mediaStatus()
                     != QMediaPlayer.MediaStatus.LoadingMedia, timeout=LOAD_MS)
    stuck.reset()
    media_view._STUCK[:] = [entry for entry in media_view._STUCK if entry[0] is not stuck]


def test_the_message_names_what_the_player_said():
    title, detail = error_message("ResourceError", "a.mp4", "Failed to seek")
    assert title == "This recording could not be read to the end"
    assert detail.endswith("The player said: “Failed to seek”.")


def test_a_working_file_after_a_broken_one_plays(qtbot, view):
    open_media(qtbot, view, random.Random(1).randbytes(4096), "x.mp4", "video/mp4",
               video=True)
    assert view.failed
    open_media(qtbot, view, tone_wav(1.0))
    assert view.loaded
    assert not view.controls.isHidden()
    assert view.stage.currentIndex() == 1


def test_screenshot(qtbot, view, avi, tmp_path):
    """Not a check: leaves a picture to look at (set MEDIA_VIEW_SHOTS to a folder)."""
    folder = os.environ.get("MEDIA_VIEW_SHOTS")
    if not folder:
        pytest.skip("set MEDIA_VIEW_SHOTS=<folder> to save screenshots")
    open_video(qtbot, view, avi)
    view.set_pin_mode(True)
    view.set_pins([MediaPin("ev-1", 200, 900, "Explains the change"),
                   MediaPin("ev-1", 600, 1400, "Names who is affected")])
    view.seek(1000)
    qtbot.wait_until(lambda: view.surface.last_frame_ms == 1000, timeout=LOAD_MS)
    view.mark_in()
    view.seek(1600)
    qtbot.wait_until(lambda: view.surface.last_frame_ms == 1600, timeout=LOAD_MS)
    view.mark_out()
    image: QImage = view.grab().toImage()
    assert image.save(str(Path(folder) / "media_view_video.png"))
