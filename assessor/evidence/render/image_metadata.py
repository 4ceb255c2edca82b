"""A picture's facts as (label, value) pairs a person reads: size, colour, resolution, and
from EXIF the camera, when it was taken, the exposure and where."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, TypeGuard

from PIL import ExifTags, Image

MAX_VALUE = 200
_MODES = {
    "1": "black and white", "L": "greyscale", "LA": "greyscale with transparency",
    "P": "palette", "PA": "palette with transparency", "RGB": "RGB colour",
    "RGBA": "RGB colour with transparency", "CMYK": "CMYK colour", "YCbCr": "YCbCr colour",
    "LAB": "Lab colour", "HSV": "HSV colour", "I": "32-bit greyscale",
    "I;16": "16-bit greyscale", "I;16B": "16-bit greyscale", "I;16L": "16-bit greyscale",
    "F": "floating-point greyscale",
}
_ORIENTATIONS = {
    2: "mirrored", 3: "upside down", 4: "upside down, mirrored",
    5: "turned 90° and mirrored", 6: "turned 90° clockwise", 7: "turned 90° and mirrored",
    8: "turned 90° anticlockwise",
}


def describe(image: Image.Image, width: int, height: int, frames: int) -> tuple[tuple[str, str],
                                                                                 ...]:
    """``width`` and ``height`` after EXIF orientation."""
    pairs: list[tuple[str, str]] = []
    megapixels = width * height / 1_000_000
    pairs.append(("Dimensions", f"{width:,} × {height:,} pixels ({megapixels:.1f} megapixels)"))
    pairs.append(("Colour", _colour(image)))
    if frames > 1:
        pairs.append(("Frames", f"{frames:,}"))
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and len(dpi) == 2 and all(_number(v) for v in dpi):
        x, y = (float(v) for v in dpi)
        if x > 0 and y > 0:
            pairs.append(("Resolution", f"{x:g} dpi" if round(x) == round(y)
                          else f"{x:g} × {y:g} dpi"))
    try:
        exif = image.getexif()
    except Exception:  # a damaged EXIF block is no reason to refuse the picture
        return tuple(pairs)
    pairs += _exif_pairs(exif)
    return tuple((label, _clean(value)) for label, value in pairs if _clean(value))


def _colour(image: Image.Image) -> str:
    text = _MODES.get(image.mode, image.mode)
    if image.mode == "P":
        palette = image.getpalette() or []
        colours = len(palette) // 3
        text = f"palette ({colours} colours)" if colours else text
        if "transparency" in image.info:
            text += " with transparency"
    return text


def _exif_pairs(exif: Image.Exif) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    base = ExifTags.Base
    try:
        details: dict[int, Any] = dict(exif.get_ifd(ExifTags.IFD.Exif))
    except Exception:
        details = {}
    make = _text(exif.get(base.Make))
    model = _text(exif.get(base.Model))
    camera = model if make and model.lower().startswith(make.lower()) else \
        " ".join(part for part in (make, model) if part)
    if camera:
        pairs.append(("Camera", camera))
    lens = _text(details.get(base.LensModel))
    if lens:
        pairs.append(("Lens", lens))
    taken = _text(details.get(base.DateTimeOriginal) or exif.get(base.DateTime))
    if taken:
        pairs.append(("Date taken", _date(taken)))
    exposure = _exposure(details)
    if exposure:
        pairs.append(("Exposure", exposure))
    orientation = exif.get(base.Orientation)
    if orientation in _ORIENTATIONS:
        pairs.append(("Orientation", f"{_ORIENTATIONS[orientation]} (from EXIF; shown "
                                     "upright)"))
    software = _text(exif.get(base.Software))
    if software:
        pairs.append(("Software", software))
    location = _location(exif)
    if location:
        pairs.append(("Location", location))
    return pairs


def _exposure(details: dict[int, Any]) -> str:
    base = ExifTags.Base
    parts: list[str] = []
    time = details.get(base.ExposureTime)
    if _number(time) and float(time) > 0:
        seconds = float(time)
        parts.append(f"1/{round(1 / seconds)} s" if seconds < 1 else f"{seconds:g} s")
    aperture = details.get(base.FNumber)
    if _number(aperture) and float(aperture) > 0:
        parts.append(f"f/{float(aperture):.1f}".replace(".0", ""))
    iso = details.get(base.ISOSpeedRatings)
    if isinstance(iso, tuple) and iso:
        iso = iso[0]
    if isinstance(iso, int) and iso > 0:
        parts.append(f"ISO {iso}")
    focal = details.get(base.FocalLength)
    if _number(focal) and float(focal) > 0:
        parts.append(f"{float(focal):g} mm")
    return ", ".join(parts)


def _location(exif: Image.Exif) -> str:
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        latitude = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
        longitude = _degrees(gps.get(ExifTags.GPS.GPSLongitude),
                             gps.get(ExifTags.GPS.GPSLongitudeRef))
    except Exception:
        return ""
    if latitude is None or longitude is None:
        return ""
    return (f"{abs(latitude):.5f}° {'N' if latitude >= 0 else 'S'}, "
            f"{abs(longitude):.5f}° {'E' if longitude >= 0 else 'W'}")


def _degrees(value: Any, ref: Any) -> float | None:
    if not isinstance(value, tuple) or len(value) != 3 or not all(_number(v) for v in value):
        return None
    degrees = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
    if _text(ref).upper() in ("S", "W"):
        degrees = -degrees
    return degrees if -180 <= degrees <= 180 else None


def _date(text: str) -> str:
    """EXIF's "2024:05:01 10:22:33" as "2024-05-01 10:22:33"."""
    if len(text) >= 10 and text[4] == ":" and text[7] == ":":
        return text[:4] + "-" + text[5:7] + "-" + text[8:]
    return text


def _number(value: Any) -> TypeGuard[float]:
    try:
        return isinstance(value, int | float | Fraction) or (
            value is not None and float(value) == float(value))
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return _clean(value) if isinstance(value, str) else ""


def _clean(value: str) -> str:
    return " ".join(value.replace("\x00", " ").split())[:MAX_VALUE]
