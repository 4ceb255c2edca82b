"""``RenderService``: documents and pictures drawn in worker processes, with deadlines.

PyMuPDF holds the GIL for a whole call and some files never finish, so nothing is drawn
in the caller's process. Every method blocks its calling thread until the answer or the
deadline; several threads may call at once (each request gets a worker of its own). A
worker that misses the deadline, crashes or runs out of memory is killed and replaced, and
the caller gets ``RenderTimeout``, ``BrokenEvidence`` or ``EvidenceTooLarge``.

Pages are numbered from 0 in this API (messages say "page 1" for page 0).
"""

from __future__ import annotations

import itertools
import math
import signal
import time
import weakref
from dataclasses import dataclass
from typing import Any

from assessor.evidence.file_names import safe_file_name
from assessor.evidence.render.errors import (
    ERRORS,
    BrokenEvidence,
    EvidenceTooLarge,
    RenderError,
    RenderTimeout,
    UnsupportedEvidence,
)
from assessor.evidence.render.kinds import EvidenceKind, document_type, evidence_kind
from assessor.evidence.render.models import (
    DocumentInfo,
    ImageInfo,
    PageImage,
    RectTuple,
    SearchHit,
    Word,
)
from assessor.evidence.render.pool import (
    Reply,
    Worker,
    WorkerCrashed,
    WorkerGone,
    WorkerPool,
    WorkerTimedOut,
    crash_signal,
)
from assessor.evidence.zip_limits import check_zip_expansion

ACQUIRE_TIMEOUT = 300.0  # waiting for a free worker (each request ahead has its own deadline)
_ZIP_LABELS = {"epub": "EPUB book", "xps": "XPS document", "cbz": "comic book"}
_KIND_NAMES = {EvidenceKind.OFFICE: "an office document", EvidenceKind.AUDIO: "a sound recording",
               EvidenceKind.VIDEO: "a video", EvidenceKind.TEXT: "a text file",
               EvidenceKind.IMAGE: "a picture", EvidenceKind.DOCUMENT: "a document"}


@dataclass(frozen=True)
class _Task:
    """Words for the messages about one request: "Page 3 took longer than 15 s to draw"."""

    subject: str  # "Page 3"
    verb: str  # "to draw"
    doing: str  # "drawing page 3"
    outcome: str = "stopped"


@dataclass(frozen=True)
class _Source:
    """What a worker needs to open a document or picture it does not hold yet."""

    key: str
    open_op: str
    open_args: tuple[Any, ...]
    data: bytes
    label: str


class RenderService:
    """Renders in worker PROCESSES: a bounded pool kept warm, each request with a deadline.
    Evidence bytes reach the workers through a pipe, never a file. Thread-safe."""

    def __init__(self, *, workers: int = 2, timeout: float = 15.0,
                 memory_limit: int = 1536 * 2**20, start_method: str | None = None) -> None:
        if timeout <= 0:
            raise ValueError("the render timeout must be positive")
        self.timeout = timeout
        self._pool = WorkerPool(workers, memory_limit, start_method)
        self._keys = itertools.count(1)
        self._finalizer = weakref.finalize(self, self._pool.close)

    def start(self) -> None:
        """Start the workers in the background (idempotent); the first request waits for
        them if they are not ready yet."""
        self._pool.start()

    def close(self) -> None:
        """Kill the workers (idempotent). Handles stop working."""
        self._finalizer()

    def __enter__(self) -> RenderService:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open_document(self, data: bytes, *, name: str = "", media_type: str | None = None,
                      password: str | None = None) -> DocumentHandle:
        """PDF, XPS, EPUB, CBZ, FB2, MOBI or SVG. Raises PasswordRequired / WrongPassword,
        BrokenEvidence, UnsupportedEvidence (another kind of file), EvidenceTooLarge."""
        data = bytes(data)
        kind = evidence_kind(data, media_type, name)
        if kind is not EvidenceKind.DOCUMENT:
            raise UnsupportedEvidence(_not_a("document", kind, name))
        filetype = document_type(data, media_type, name)
        if filetype in _ZIP_LABELS:  # refuse a zip bomb before a worker unpacks it
            check_zip_expansion(data, _ZIP_LABELS[filetype])
        key = f"d{next(self._keys)}"
        source = _Source(key, "open_document", (filetype, password), data,
                         name or "the document")
        task = _Task(_subject(name, "This document"), "to open", "opening the document")
        reply = self._run(None, "open_document", (key, filetype, password), task, data=data)
        count, sizes, fmt, title, encrypted, warnings = reply.value
        info = DocumentInfo(count, tuple(sizes), fmt, title, encrypted, tuple(warnings))
        return DocumentHandle(self, source, info)

    def open_image(self, data: bytes, *, name: str = "",
                   media_type: str | None = None) -> ImageHandle:
        """PNG, JPEG, WebP, GIF, TIFF, BMP, ICO or AVIF. Only the header is read here."""
        data = bytes(data)
        kind = evidence_kind(data, media_type, name)
        if kind is not EvidenceKind.IMAGE:
            raise UnsupportedEvidence(_not_a("picture", kind, name))
        key = f"i{next(self._keys)}"
        source = _Source(key, "open_image", (), data, name or "the picture")
        task = _Task(_subject(name, "This picture"), "to open", "opening the picture")
        reply = self._run(None, "open_image", (key,), task, data=data)
        width, height, fmt, frames, metadata = reply.value
        return ImageHandle(self, source, ImageInfo(width, height, fmt, frames, tuple(metadata)))

    # --- internals (the handles call these) ----------------------------------------------

    def _run(self, source: _Source | None, op: str, args: tuple[Any, ...], task: _Task, *,
             data: bytes = b"", timeout: float | None = None) -> Reply:
        """One request on a worker, opening ``source`` there first if it lacks it."""
        limit = self.timeout if timeout is None else timeout
        for attempt in range(3):
            worker = self._pool.acquire(source.key if source else None, ACQUIRE_TIMEOUT)
            try:
                if source is not None and not worker.holds(source.key):
                    self._exchange(worker, source.open_op, (source.key, *source.open_args),
                                   source.data, task, limit)
                    worker.note_open(source.key)
                elif op in ("open_document", "open_image"):
                    worker.note_open(args[0])
                reply = self._exchange(worker, op, args, data, task, limit)
            except WorkerGone:
                self._pool.discard(worker)
                if attempt == 2:
                    raise BrokenEvidence(f"The renderer stopped before {task.doing}.") from None
                continue
            except RenderError:
                self._pool.release(worker)  # a discarded worker is killed, not lent again
                raise
            else:
                self._pool.release(worker)
                return reply
        raise AssertionError("unreachable")

    def _exchange(self, worker: Worker, op: str, args: tuple[Any, ...], data: bytes,
                  task: _Task, limit: float) -> Reply:
        deadline = time.monotonic() + limit
        try:
            reply = worker.call(op, args, data, deadline)
        except WorkerGone:
            raise
        except WorkerTimedOut:
            self._pool.discard(worker)
            verb = f" {task.verb}" if task.verb else ""
            raise RenderTimeout(f"{task.subject} took longer than {limit:g} s{verb}; "
                                f"{task.outcome}.") from None
        except WorkerCrashed as crash:
            self._pool.discard(worker)
            if self._pool.closed:
                raise RenderError("The evidence viewer's renderer has been shut down.") \
                    from None
            raise _crash_error(crash.exitcode, task) from None
        except BaseException:
            self._pool.discard(worker)
            raise
        if reply.status == "error":
            name, message, recycle = reply.value
            if recycle:
                self._pool.discard(worker)
            elif op in ("open_document", "open_image"):
                worker.note_forget(args[0])  # a failed open leaves nothing open there
            raise ERRORS.get(name, RenderError)(message)
        return reply

    def _forget(self, key: str) -> None:
        self._pool.forget(key)

    def _worker_pids(self) -> list[int]:
        """The live workers' process ids (tests and benchmarks)."""
        return self._pool.pids()

    def _test_hook(self, op: str, *args: Any, timeout: float | None = None) -> Any:
        """Run a test-only request (``sleep``, ``crash``, ``allocate``) on some worker."""
        task = _Task("The test request", "to finish", f"running the test request {op}")
        return self._run(None, op, args, task, timeout=timeout).value


class DocumentHandle:
    """An open document in the render workers. Pages are numbered from 0."""

    def __init__(self, service: RenderService, source: _Source, info: DocumentInfo) -> None:
        self._service: RenderService | None = service
        self._source = source
        self.info = info
        # a handle dropped without close() still lets the workers forget the document
        self._release = weakref.finalize(self, service._forget, source.key)

    def render_page(self, page: int, *, scale: float, rotation: int = 0,
                    clip: tuple[float, float, float, float] | None = None) -> PageImage:
        """Page ``page`` at ``scale`` device pixels per point, turned clockwise by
        ``rotation`` (0, 90, 180, 270); ``clip`` in page space points. Output beyond the
        caps (80 Mpx, 32,767 px a side) comes at a lower scale: see ``PageImage.scale``."""
        self._check_page(page)
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"scale must be a positive number, not {scale!r}")
        if rotation % 90:
            raise ValueError(f"rotation must be a multiple of 90, not {rotation!r}")
        box: RectTuple | None = None
        if clip is not None:
            box = (float(clip[0]), float(clip[1]), float(clip[2]), float(clip[3]))
        task = _Task(f"Page {page + 1}", "to draw", f"drawing page {page + 1}", "skipped")
        reply = self._call("render_page", (page, float(scale), rotation % 360, box), task)
        width, height, stride, used = reply.value
        return PageImage(width, height, stride, reply.samples, used)

    def page_words(self, page: int) -> tuple[Word, ...]:
        self._check_page(page)
        task = _Task(f"Reading the words of page {page + 1}", "", f"reading page {page + 1}")
        reply = self._call("page_words", (page,), task)
        return tuple(Word(*w) for w in reply.value)

    def page_text(self, page: int) -> str:
        self._check_page(page)
        task = _Task(f"Reading the text of page {page + 1}", "", f"reading page {page + 1}")
        return str(self._call("page_text", (page,), task).value)

    def search(self, query: str, *, max_hits: int = 5000,
               timeout: float | None = None) -> tuple[SearchHit, ...]:
        """Every page, case-insensitive, matching across line breaks; the text is extracted
        once per document and kept in the worker. ``timeout`` overrides the service's."""
        if not query.split() or max_hits <= 0:
            return ()
        task = _Task("The search", "", "searching the document")
        reply = self._call("search", (query, max_hits), task, timeout=timeout)
        return tuple(SearchHit(page, tuple(rects)) for page, rects in reply.value)

    def close(self) -> None:
        self._service = None
        self._release()

    def __enter__(self) -> DocumentHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, op: str, args: tuple[Any, ...], task: _Task,
              timeout: float | None = None) -> Reply:
        service = self._service
        if service is None:
            raise RenderError("This document has been closed.")
        return service._run(self._source, op, (self._source.key, *args), task,
                            timeout=timeout)

    def _check_page(self, page: int) -> None:
        if not 0 <= page < self.info.page_count:
            raise IndexError(f"page {page} is not in 0..{self.info.page_count - 1}")


class ImageHandle:
    """An open picture in the render workers."""

    def __init__(self, service: RenderService, source: _Source, info: ImageInfo) -> None:
        self._service: RenderService | None = service
        self._source = source
        self.info = info
        self._release = weakref.finalize(self, service._forget, source.key)

    def render(self, *, max_width: int, max_height: int, frame: int = 0) -> PageImage:
        """The picture upright (EXIF orientation applied), fitted inside max_width x
        max_height and never enlarged; ``PageImage.scale`` is output per stored pixel."""
        if max_width < 1 or max_height < 1:
            raise ValueError("max_width and max_height must be at least 1")
        if not 0 <= frame < max(self.info.frames, 1):
            raise IndexError(f"frame {frame} is not in 0..{self.info.frames - 1}")
        service = self._service
        if service is None:
            raise RenderError("This picture has been closed.")
        task = _Task(_subject(self._source.label, "The picture"), "to draw",
                     "drawing the picture", "skipped")
        reply = service._run(self._source, "render_image",
                             (self._source.key, int(max_width), int(max_height), frame), task)
        width, height, stride, scale = reply.value
        return PageImage(width, height, stride, reply.samples, scale)

    def close(self) -> None:
        self._service = None
        self._release()

    def __enter__(self) -> ImageHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _crash_error(exitcode: int | None, task: _Task) -> RenderError:
    name = crash_signal(exitcode)
    if exitcode == -signal.SIGKILL:
        return EvidenceTooLarge(f"The renderer was stopped while {task.doing} (it may have "
                                "run out of memory).")
    cause = f" ({name})" if name else ""
    return BrokenEvidence(f"The renderer crashed while {task.doing}{cause}; the file may be "
                          "damaged.")


def _subject(name: str, fallback: str) -> str:
    short = safe_file_name(name, "")  # no path, control or right-to-left characters
    return f"{short[:80]}" if short else fallback


def _not_a(wanted: str, kind: EvidenceKind, name: str) -> str:
    what = _KIND_NAMES.get(kind)
    subject = _subject(name, "This file")
    if what is None:
        return f"{subject} is not a {wanted} the viewer can show."
    return f"{subject} is {what}, not a {wanted}."
