"""Reading credential files safely: size-limited, strict JSON, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assessor.errors import ValidationError

MAX_BYTES = 5_000_000


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_credential(path: Path) -> dict[str, Any]:
    """A credential from JSON, a baked PNG or a baked SVG (told apart by content)."""
    from assessor.credentials.baking import MAX_IMAGE_BYTES, PNG_SIGNATURE, unbake

    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.") from None
    if head.startswith(PNG_SIGNATURE) or head.lstrip().startswith(b"<"):
        with path.open("rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
        return unbake(data)
    return read_json_document(path)


def read_json_document(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``, or a ``ValidationError`` saying what is wrong."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.") from None
    if len(data) > MAX_BYTES:
        raise ValidationError(f"{path} is larger than {MAX_BYTES // 1_000_000} MB; "
                              "a credential never is.")
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ValidationError(f"{path} is not UTF-8 text.") from None
    except RecursionError:
        raise ValidationError(f"{path} is nested too deeply to be a credential.") from None
    except ValueError as exc:
        raise ValidationError(f"{path} is not valid JSON ({exc}).") from None
    if not isinstance(value, dict):
        raise ValidationError(f"{path} does not hold a JSON object.")
    return value
