"""Audio and video containers written by hand: a PCM WAV of synthesised tones (stdlib
``wave``) and a Motion-JPEG AVI (RIFF) from JPEG frames, so the demo needs no encoder."""

from __future__ import annotations

import io
import math
import random
import struct
import sys
import wave
from array import array
from collections.abc import Sequence

SAMPLE_RATE = 16_000


def synthesise_wav(seed: int, seconds: float = 3.0) -> bytes:
    """A mono 16-bit WAV: a voice-like murmur of gliding tones with syllable envelopes,
    deterministic for ``seed``."""
    rng = random.Random(seed)
    base = rng.uniform(110.0, 220.0)
    total = int(SAMPLE_RATE * seconds)
    samples = array("h")
    sin, tau = math.sin, 2 * math.pi / SAMPLE_RATE
    while len(samples) < total:
        length = min(total - len(samples), int(SAMPLE_RATE * rng.uniform(0.12, 0.32)))
        if rng.random() < 0.25:  # a pause between words
            samples.extend([0] * length)
            continue
        start, end = base * rng.uniform(0.85, 1.3), base * rng.uniform(0.8, 1.25)
        step, phase = (end - start) / max(length - 1, 1), 0.0
        for i in range(length):
            envelope = sin(math.pi * i / length) ** 2
            phase += tau * (start + step * i)
            samples.append(int(9000 * envelope * (sin(phase) + 0.45 * sin(2 * phase)
                                                  + 0.2 * sin(3 * phase))))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        if sys.byteorder == "big":
            samples.byteswap()
        wav.writeframes(samples.tobytes())
    return out.getvalue()


def _chunk(fourcc: bytes, data: bytes) -> bytes:
    pad = b"\0" if len(data) % 2 else b""
    return fourcc + struct.pack("<I", len(data)) + data + pad


def _list(kind: bytes, *chunks: bytes) -> bytes:
    return _chunk(b"LIST", kind + b"".join(chunks))


AVIF_HASINDEX = 0x10
AVIIF_KEYFRAME = 0x10


def mjpeg_avi(frames: Sequence[bytes], width: int, height: int, fps: int) -> bytes:
    """A Motion-JPEG AVI (one video stream, ``idx1`` index) of the given JPEG frames."""
    if not frames:
        raise ValueError("a video needs at least one frame")
    biggest = max(len(frame) for frame in frames)
    avih = struct.pack("<14I", 1_000_000 // fps, biggest * fps, 0, AVIF_HASINDEX, len(frames),
                       0, 1, biggest, width, height, 0, 0, 0, 0)
    strh = struct.pack("<4s4sIHHIIIIIIIIhhhh", b"vids", b"MJPG", 0, 0, 0, 0, 1, fps, 0,
                       len(frames), biggest, 0xFFFFFFFF, 0, 0, 0, width, height)
    strf = struct.pack("<IiiHH4sIiiII", 40, width, height, 1, 24, b"MJPG", width * height * 3,
                       0, 0, 0, 0)
    header = _list(b"hdrl", _chunk(b"avih", avih),
                   _list(b"strl", _chunk(b"strh", strh), _chunk(b"strf", strf)))
    movi_chunks = []
    index = []
    offset = 4  # from the "movi" fourcc
    for frame in frames:
        chunk = _chunk(b"00dc", frame)
        index.append(struct.pack("<4sIII", b"00dc", AVIIF_KEYFRAME, offset, len(frame)))
        movi_chunks.append(chunk)
        offset += len(chunk)
    movi = _list(b"movi", *movi_chunks)
    idx1 = _chunk(b"idx1", b"".join(index))
    return _chunk(b"RIFF", b"AVI " + header + movi + idx1)
