"""MediaPlayback: a QMediaPlayer and its QAudioOutput, driven without holding Python's GIL.

Why: the FFmpeg backend runs its decoders and renderers in threads. When a renderer is torn
down (stop, a new source, a seek) its thread disconnects from our QAudioOutput, and Qt calls
the output's virtual disconnectNotify() while holding a signal-slot lock. Our output was
created from Python, so PySide checks for a Python override there and needs the GIL. If the
GUI thread holds the GIL while it waits for that lock or that thread (as every plain
``player.stop()`` call from Python does: PySide keeps the GIL across it), both wait forever.
Seen here about one run in eight of the media tests.

So every call that can wait on the backend goes through QMetaObject.invokeMethod, which PySide
makes with the GIL released; the backend thread can take it, finish, and let the call return.
Getters (position, duration, status) do not wait and stay plain calls.

Drop the playback (``reset``) before deleting its owner: a QMediaPlayer destroyed from Python
with a recording open would wait on its threads with the GIL held.
"""

from __future__ import annotations

from PySide6.QtCore import Q_ARG, QIODevice, QMetaObject, QObject, Qt, QUrl
from PySide6.QtMultimedia import QAudioDevice, QAudioOutput, QMediaPlayer

_DIRECT = Qt.ConnectionType.DirectConnection


def _register_device_type(player: QMediaPlayer) -> None:
    """Q_ARG finds "QIODevice*" only once its meta-type is registered: asking the slot for
    its parameter type does that."""
    meta = player.metaObject()
    slot = meta.method(meta.indexOfMethod("setSourceDevice(QIODevice*,QUrl)"))
    slot.parameterMetaType(0)


class MediaPlayback(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        _register_device_type(self.player)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)

    def play(self) -> None:
        QMetaObject.invokeMethod(self.player, "play", _DIRECT)

    def pause(self) -> None:
        QMetaObject.invokeMethod(self.player, "pause", _DIRECT)

    def stop(self) -> None:
        QMetaObject.invokeMethod(self.player, "stop", _DIRECT)

    def set_position(self, ms: int) -> None:
        QMetaObject.invokeMethod(self.player, "setPosition", _DIRECT, Q_ARG("qint64", ms))

    def set_rate(self, rate: float) -> None:
        QMetaObject.invokeMethod(self.player, "setPlaybackRate", _DIRECT,
                                 Q_ARG("qreal", rate))

    def open_device(self, device: QIODevice, hint: QUrl) -> None:
        QMetaObject.invokeMethod(self.player, "setSourceDevice", _DIRECT,
                                 Q_ARG("QIODevice*", device), Q_ARG("QUrl", hint))

    def reset(self) -> None:
        """Stop and forget the source: the backend's threads end here, not later."""
        self.stop()
        QMetaObject.invokeMethod(self.player, "setSource", _DIRECT, Q_ARG("QUrl", QUrl()))

    def set_volume(self, linear: float) -> None:
        QMetaObject.invokeMethod(self.audio, "setVolume", _DIRECT, Q_ARG("float", linear))

    def set_muted(self, muted: bool) -> None:
        QMetaObject.invokeMethod(self.audio, "setMuted", _DIRECT, Q_ARG("bool", muted))

    def set_device(self, device: QAudioDevice) -> None:
        QMetaObject.invokeMethod(self.audio, "setDevice", _DIRECT,
                                 Q_ARG("QAudioDevice", device))
