"""Helpers for intake and administration tests: a template document as an administrator
publishes it, multipart bodies built byte by byte (so hostile file names reach the hub as
sent), and real evidence files."""

from __future__ import annotations

import copy
import io
import uuid
import wave
from pathlib import Path
from typing import Any

import pymupdf

from tests.hub.conftest import RunningHub

LEVELS = [{"key": "not_yet", "name": "Not yet", "descriptor": "Not shown", "points": 0},
          {"key": "meets", "name": "Meets", "descriptor": "Shown at work", "points": 2},
          {"key": "exceeds", "name": "Exceeds", "descriptor": "Coaches others", "points": 3}]


def template_document(template_id: str = "safe-lifting", *, cut_score: float = 4,
                      criteria: tuple[str, ...] = ("plan", "lift")) -> dict[str, Any]:
    return {
        "id": template_id,
        "validity_days": 730,
        "achievement": {
            "name": "Safe Manual Handling",
            "description": "Lifts and moves loads safely at work.",
            "criteria_narrative": "Plans a lift and carries it out safely.",
            "image": "https://training.example.org/badges/lifting.png",
            "tags": ["health and safety"],
            "alignments": [{"target_name": "Manual handling",
                            "target_url": "https://example.org/frameworks/mh1",
                            "target_framework": "Example WHS", "target_code": "MH1"}],
        },
        "rubric": {
            "key": template_id, "title": "Safe manual handling", "cut_score": cut_score,
            "criteria": [{"key": key, "title": key.title(), "description": f"Can {key}",
                          "weight": 1, "required": True, "pass_level": "meets",
                          "levels": copy.deepcopy(LEVELS)} for key in criteria],
        },
    }


def publish(hub: RunningHub, document: dict[str, Any] | None = None) -> dict[str, Any]:
    token = hub.sign_in("admin")
    with hub.client(token) as client:
        answer = client.post("/api/v1/admin/templates", json=document or template_document())
    assert answer.status_code in (200, 201), answer.text
    published: dict[str, Any] = answer.json()
    return published


def multipart(fields: list[tuple[str, str]],
              files: list[tuple[bytes, bytes, str]] | None = None) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body: ``files`` are (raw file name, data, content type)."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields:
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                  .encode())
        out.write(value.encode("utf-8") + b"\r\n")
    for file_name, data, content_type in files or []:
        out.write(f"--{boundary}\r\n".encode())
        out.write(b'Content-Disposition: form-data; name="files"; filename="' + file_name
                  + b'"\r\n')
        out.write(f"Content-Type: {content_type}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def pdf_bytes(text: str = "Lifting plan for the loading bay") -> bytes:
    document = pymupdf.open()
    for number in range(2):
        page = document.new_page()
        page.insert_text((72, 72), f"{text} (page {number + 1})")
    data: bytes = document.tobytes()
    return data


def png_bytes(shade: int = 120) -> bytes:
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 16, 16), False)
    pixmap.set_rect(pixmap.irect, (shade, 80, 40))
    data: bytes = pixmap.tobytes("png")
    return data


def wav_bytes(frames: int = 800) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(range(256)) * (frames * 2 // 256))
    return out.getvalue()


def stored_files(hub: RunningHub) -> list[Path]:
    """Every file under the blob directory (temporary uploads included)."""
    root = hub.config.blob_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
