"""The worker process: PyMuPDF and Pillow imported once, documents and pictures kept by id.

The protocol over the pipe (one request at a time):

- parent → worker: ``(op, forget, args)`` pickled, then for ``OPS_WITH_DATA`` the
  evidence bytes as one raw message;
- worker → parent: ``("ok", result)``, or ``("pixels", (w, h, stride, scale))`` followed by
  the samples as one raw message, or ``("error", class name, message, recycle)``; after a
  reply with ``recycle`` the worker exits (it ran out of memory and is replaced).

``forget`` lists ids the parent no longer wants held. Nothing here writes to disk.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

OPS_WITH_DATA = frozenset({"open_document", "open_image"})
PIXEL_OPS = frozenset({"render_page", "render_image"})
READY = "ready"


def serve(conn: Connection, memory_limit: int, quiet: bool) -> None:
    """The worker's main: answer requests until the parent goes away."""
    _limit_memory(memory_limit)
    if quiet:
        _silence_output()
    from assessor.evidence.render import documents, images

    documents.configure()
    images.configure()
    server = _Server()
    conn.send((READY, os.getpid()))
    while True:
        try:
            op, forget, args = conn.recv()
            data = conn.recv_bytes() if op in OPS_WITH_DATA else b""
        except (EOFError, OSError):
            return
        server.forget(forget)
        if not server.answer(conn, op, args, data):
            return


class _Server:
    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.images: dict[str, Any] = {}

    def forget(self, ids: tuple[str, ...]) -> None:
        for key in ids:
            document = self.documents.pop(key, None)
            if document is not None:
                document.doc.close()
            self.images.pop(key, None)

    def answer(self, conn: Connection, op: str, args: tuple[Any, ...], data: bytes) -> bool:
        """Run one request and send its reply; False when the worker should exit."""
        from assessor.evidence.render.errors import EvidenceTooLarge, RenderError

        try:
            result = getattr(self, f"op_{op}")(data, *args)
        except RenderError as exc:
            conn.send(("error", type(exc).__name__, str(exc), False))
            return True
        except MemoryError:
            message = ("This evidence needs more memory than the viewer allows "
                       f"({_memory_limit_text()}).")
            conn.send(("error", EvidenceTooLarge.__name__, message, True))
            return False
        except Exception as exc:  # a bug or a library failure: say so in one line
            conn.send(("error", "BrokenEvidence", _unexpected(exc), False))
            return True
        if op in PIXEL_OPS:
            meta, pixels = result  # pixels: a PyMuPDF Pixmap (kept alive here) or bytes
            conn.send(("pixels", meta))
            conn.send_bytes(pixels if isinstance(pixels, bytes) else pixels.samples_mv)
        else:
            conn.send(("ok", result))
        return True

    # --- documents -------------------------------------------------------------------------

    def op_open_document(self, data: bytes, key: str, filetype: str,
                         password: str | None) -> Any:
        from assessor.evidence.render import documents

        opened = documents.open_document(data, filetype, password)
        info = documents.document_info(opened)
        self.forget((key,))
        self.documents[key] = opened
        return info

    def op_render_page(self, _: bytes, key: str, page: int, scale: float, rotation: int,
                       clip: Any) -> Any:
        from assessor.evidence.render import documents

        return documents.render_page(self._document(key), page, scale, rotation, clip)

    def op_page_words(self, _: bytes, key: str, page: int) -> Any:
        from assessor.evidence.render import documents

        return documents.page_words(self._document(key), page)

    def op_page_text(self, _: bytes, key: str, page: int) -> Any:
        from assessor.evidence.render import documents

        return documents.page_text(self._document(key), page)

    def op_search(self, _: bytes, key: str, query: str, max_hits: int) -> Any:
        from assessor.evidence.render import documents

        return documents.search(self._document(key), query, max_hits)

    def op_javascript_enabled(self, _: bytes, key: str) -> bool:
        from assessor.evidence.render import documents

        return documents.javascript_enabled(self._document(key).doc)

    # --- pictures --------------------------------------------------------------------------

    def op_open_image(self, data: bytes, key: str) -> Any:
        from assessor.evidence.render import images

        opened, info = images.open_image(data)
        self.images[key] = opened
        return info

    def op_render_image(self, _: bytes, key: str, max_width: int, max_height: int,
                        frame: int) -> Any:
        from assessor.evidence.render import images

        opened = self.images.get(key)
        if opened is None:
            raise LookupError(f"picture {key} is not open in this worker")
        return images.render_image(opened, max_width, max_height, frame)

    # --- test hooks: prove deadlines, crashes and memory caps on a real process ------------

    def op_sleep(self, _: bytes, seconds: float) -> int:
        time.sleep(seconds)
        return os.getpid()

    def op_crash(self, _: bytes) -> None:
        os.kill(os.getpid(), signal.SIGSEGV)

    def op_allocate(self, _: bytes, megabytes: int) -> int:
        return len(bytearray(megabytes * 2**20))

    def _document(self, key: str) -> Any:
        opened = self.documents.get(key)
        if opened is None:
            raise LookupError(f"document {key} is not open in this worker")
        return opened


def _limit_memory(limit: int) -> None:
    """A bomb then fails with MemoryError here instead of taking the machine down."""
    try:
        import resource
    except ImportError:  # Windows: no address-space limit
        return
    if limit <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ValueError, OSError):
        pass


def _memory_limit_text() -> str:
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError):
        return "its memory limit"
    if soft == resource.RLIM_INFINITY:
        return "its memory limit"
    return f"{soft / 2**20:,.0f} MB"


def _silence_output() -> None:
    """The CLI's stderr is one line per failure: nothing a library prints may reach it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        return
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _unexpected(exc: Exception) -> str:
    name = type(exc).__name__
    return f"The renderer failed on this evidence ({name}); the file may be damaged."
