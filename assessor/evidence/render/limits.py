"""The caps that keep a hostile or gigantic file from taking the machine down."""

from __future__ import annotations

MAX_OUTPUT_PIXELS = 80_000_000  # one rendered page or picture; beyond it the scale drops
MAX_OUTPUT_SIDE = 32_767  # the longest side of an output image (what QImage can paint)
MAX_DECODE_PIXELS = 120_000_000  # a picture decoded in memory (after JPEG draft scaling)
MAX_IMAGE_FRAMES = 10_000
