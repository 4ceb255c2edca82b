"""ZIP bombs: containers (EPUB, XPS, CBZ, DOCX, XLSX, PPTX, ODF) that unpack to far more
than they weigh are refused before a renderer or LibreOffice unpacks them.

Only the central directory is read (what each entry says it unpacks to); nothing is
decompressed here. A renderer that finds an entry larger than it said still runs under its
own deadline and memory cap.
"""

from __future__ import annotations

import io
import zipfile

from assessor.evidence.render.errors import EvidenceTooLarge

MAX_UNPACKED_TOTAL = 1 << 30
"""All entries together, unpacked."""
MAX_UNPACKED_ENTRY = 256 << 20
"""One entry unpacked: no real chapter, page, sheet or picture in a container is larger."""
BOMB_RATIO = 200
"""An entry over ``BOMB_ENTRY_SIZE`` that shrank this many times is a bomb, not content."""
BOMB_ENTRY_SIZE = 32 << 20


def check_zip_expansion(data: bytes, label: str) -> None:
    """Raise ``EvidenceTooLarge`` when the ZIP in ``data`` unpacks to too much; anything
    that is not a readable ZIP passes (its reader says what is wrong with it)."""
    if not data.startswith(b"PK\x03\x04"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return
    total = 0
    for entry in entries:
        size = max(entry.file_size, 0)
        total += size
        packed = max(entry.compress_size, 1)
        if size > MAX_UNPACKED_ENTRY or (size > BOMB_ENTRY_SIZE and size / packed > BOMB_RATIO):
            raise EvidenceTooLarge(
                f"This {label} holds a part that unpacks to {_megabytes(size)} from "
                f"{_megabytes(entry.compress_size)}: it is built to exhaust the computer "
                "(a \"zip bomb\"), so it is not opened."
            )
    if total > MAX_UNPACKED_TOTAL:
        raise EvidenceTooLarge(
            f"This {label} unpacks to {_megabytes(total)}; the viewer opens containers of up "
            f"to {_megabytes(MAX_UNPACKED_TOTAL)} unpacked."
        )


def _megabytes(size: int) -> str:
    if size < 1 << 20:
        return f"{max(size, 0) / 1024:,.0f} KB"
    return f"{size / (1 << 20):,.0f} MB"
