"""Looking at rendered pixels: ink, colours at a point, where the dark parts are."""

from __future__ import annotations

from assessor.evidence.render import PageImage


def pixel(image: PageImage, x: int, y: int) -> tuple[int, int, int]:
    at = y * image.stride + x * 3
    r, g, b = image.samples[at:at + 3]
    return r, g, b


def ink_box(image: PageImage, threshold: int = 128) -> tuple[int, int, int, int] | None:
    """The bounding box of pixels darker than ``threshold`` (any channel), or None."""
    xs: list[int] = []
    ys: list[int] = []
    row_bytes = image.width * 3
    for y in range(image.height):
        row = image.samples[y * image.stride:y * image.stride + row_bytes]
        if min(row) >= threshold:
            continue
        dark = [i // 3 for i in range(0, row_bytes, 3) if min(row[i:i + 3]) < threshold]
        if dark:
            xs += (dark[0], dark[-1])
            ys.append(y)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def non_white(image: PageImage) -> int:
    """How many bytes of the samples are not pure white."""
    return len(image.samples) - image.samples.count(255)
