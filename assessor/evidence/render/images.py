"""Pictures through Pillow, inside a worker process (this module imports PIL).

Only the header is read when a picture is opened; each render decodes at the size asked
for (JPEG draft mode decodes a 20-megapixel photo at 1/2, 1/4 or 1/8 scale directly), turns
it upright by its EXIF orientation and flattens transparency onto white.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, UnidentifiedImageError

from assessor.evidence.render import image_metadata
from assessor.evidence.render.errors import (
    BrokenEvidence,
    EvidenceTooLarge,
    UnsupportedEvidence,
)
from assessor.evidence.render.limits import (
    MAX_DECODE_PIXELS,
    MAX_IMAGE_FRAMES,
    MAX_OUTPUT_PIXELS,
    MAX_OUTPUT_SIDE,
)

FORMATS = ("PNG", "JPEG", "MPO", "WEBP", "GIF", "TIFF", "BMP", "DIB", "ICO", "AVIF")
_SWAPS_AXES = (5, 6, 7, 8)
_TRANSPOSE = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}
InfoTuple = tuple[int, int, str, int, tuple[tuple[str, str], ...]]
Pixels = tuple[tuple[int, int, int, float], bytes]


@dataclass
class OpenImage:
    data: bytes
    width: int  # stored (before orientation)
    height: int
    orientation: int
    frames: int
    format: str


def configure() -> None:
    """Our own caps replace Pillow's bomb warning; truncated files are errors."""
    Image.MAX_IMAGE_PIXELS = None
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    warnings.simplefilter("ignore")


def open_image(data: bytes) -> tuple[OpenImage, InfoTuple]:
    image = _open(data)
    fmt = image.format or "image"
    if fmt not in FORMATS:
        raise UnsupportedEvidence(f"{fmt} pictures cannot be shown here.")
    width, height = image.size
    _check_declared(image, fmt)
    try:
        orientation = int(image.getexif().get(0x0112, 1) or 1)
    except Exception:
        orientation = 1
    frames = _frames(image)
    shown = (height, width) if orientation in _SWAPS_AXES else (width, height)
    metadata = image_metadata.describe(image, shown[0], shown[1], frames)
    opened = OpenImage(data, width, height, orientation, frames, fmt)
    return opened, (shown[0], shown[1], "JPEG" if fmt == "MPO" else fmt, frames, metadata)


def render_image(opened: OpenImage, max_width: int, max_height: int, frame: int) -> Pixels:
    image = _open(opened.data)
    if frame:
        try:
            image.seek(min(frame, opened.frames - 1))
        except EOFError:
            raise BrokenEvidence(f"Frame {frame + 1} of this picture cannot be read.") \
                from None
    width, height = image.size
    swap = opened.orientation in _SWAPS_AXES
    box_w, box_h = (max_height, max_width) if swap else (max_width, max_height)
    scale = min(1.0, box_w / width, box_h / height)
    scale = min(scale, (MAX_OUTPUT_PIXELS / (width * height)) ** 0.5,
                MAX_OUTPUT_SIDE / max(width, height))
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    if image.format in ("JPEG", "MPO"):
        image.draft("RGB", target)
    _check_decoded(image)
    try:
        image.load()
        picture = _flatten(image)
        if picture.size != target:
            picture = picture.resize(target, Image.Resampling.BICUBIC, reducing_gap=2.0)
        for step in _TRANSPOSE.get(opened.orientation, ()):
            picture = picture.transpose(step)
        samples = picture.tobytes()
    except MemoryError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        message = str(exc).lower()
        if "truncated" in message:
            raise BrokenEvidence("This picture is incomplete (the file is truncated).") \
                from None
        raise BrokenEvidence(f"This {opened.format} picture cannot be decoded: it is "
                             "damaged.") from None
    return (picture.width, picture.height, picture.width * 3, scale), samples


def _open(data: bytes) -> Image.Image:
    if not data:
        raise BrokenEvidence("This picture is empty (0 bytes).")
    try:
        return Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise BrokenEvidence("This picture cannot be read: it is damaged or not a picture "
                             "format the viewer knows.") from None
    except Image.DecompressionBombError:
        raise EvidenceTooLarge("This picture is too large to show.") from None
    except MemoryError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError):
        raise BrokenEvidence("This picture cannot be read: it is damaged.") from None


def _check_declared(image: Image.Image, fmt: str) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise BrokenEvidence("This picture has no pixels.")
    # JPEG decodes at down to 1/8 scale, so only what remains after that has to fit.
    reducible = 64 if fmt in ("JPEG", "MPO") else 1
    if width * height > MAX_DECODE_PIXELS * reducible:
        raise EvidenceTooLarge(_too_large(width, height))


def _check_decoded(image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_DECODE_PIXELS:
        raise EvidenceTooLarge(_too_large(width, height))


def _too_large(width: int, height: int) -> str:
    return (f"This picture is {width:,} × {height:,} pixels "
            f"({width * height / 1e6:,.0f} megapixels); the viewer shows pictures of up to "
            f"{MAX_DECODE_PIXELS // 1_000_000} megapixels.")


def _frames(image: Image.Image) -> int:
    try:
        frames = int(getattr(image, "n_frames", 1))
    except Exception:
        return 1
    if frames > MAX_IMAGE_FRAMES:
        raise EvidenceTooLarge(f"This picture has {frames:,} frames; the viewer shows up to "
                               f"{MAX_IMAGE_FRAMES:,}.")
    return max(frames, 1)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white and deep greys brought to 8 bits."""
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif mode == "F":
        image = image.convert("L")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            image.mode in ("P", "L", "RGB") and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        background.alpha_composite(rgba)
        return background.convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")
