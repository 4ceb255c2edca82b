"""A ``multipart/form-data`` request read as it streams, with limits enforced on the way.

Files go straight into ``IncomingFile``s in the blob directory (never the system's temp
folder, never whole into memory); text fields are kept in memory up to a small bound. The
first limit crossed stops reading with a 413 and every file received so far is deleted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from assessor.hub.blob_store import IncomingFile
from assessor.hub.errors import HubError, bad_request
from assessor.hub.file_names import clean_file_name

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

KB = 1024
DRAIN_BYTES = 16 * 1024 * KB


def too_large(code: str, message: str) -> HubError:
    return HubError(413, code, message)


def _size(count: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    max_upload_bytes: int
    max_files: int
    max_field_bytes: int = 256 * KB
    max_text_bytes: int = 1024 * KB
    """All text fields together."""
    max_fields: int = 200

    @property
    def max_body_bytes(self) -> int:
        """Files, text and generous room for the multipart framing."""
        return self.max_upload_bytes + self.max_text_bytes + 64 * KB \
            + (self.max_files + self.max_fields) * 1024


@dataclass
class UploadedFile:
    field: str
    file_name: str
    incoming: IncomingFile


@dataclass
class UploadForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def discard(self) -> None:
        """Delete every received file that was not kept."""
        for upload in self.files:
            upload.incoming.discard()


class _Reader:
    """The parser's callbacks: one part at a time into a field value or a file."""

    def __init__(self, blob_dir: Path, limits: UploadLimits, form: UploadForm) -> None:
        self.blob_dir = blob_dir
        self.limits = limits
        self.form = form
        self.file_bytes = 0
        self.text_bytes = 0
        self.field_count = 0
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._raw_file_name: str | None = None
        self._value = bytearray()
        self._file: UploadedFile | None = None
        self.complete = False

    def callbacks(self) -> MultipartCallbacks:
        return {"on_part_begin": self.part_begin, "on_part_data": self.part_data,
                "on_part_end": self.part_end, "on_header_field": self.header_field,
                "on_header_value": self.header_value, "on_header_end": self.header_end,
                "on_headers_finished": self.headers_finished, "on_end": self.end}

    def end(self) -> None:
        self.complete = True

    def part_begin(self) -> None:
        self._headers = {}
        self._name = ""
        self._raw_file_name = None
        self._value = bytearray()
        self._file = None

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = b""
        self._header_value = b""

    def headers_finished(self) -> None:
        disposition, options = parse_options_header(
            self._headers.get(b"content-disposition", b""))
        name = options.get(b"name")
        if disposition != b"form-data" or name is None:
            raise bad_request("Every part of the form needs a Content-Disposition "
                              "of form-data with a name.", "invalid_request")
        self._name = _text(name, "A form field name").removesuffix("[]")
        if b"filename" not in options:
            self.field_count += 1
            if self.field_count > self.limits.max_fields:
                raise too_large("too_many_fields", "The form has too many fields.")
            return
        self._raw_file_name = _text(options[b"filename"], "A file name", nul_ok=True)
        if len(self.form.files) >= self.limits.max_files:
            raise too_large("too_many_files", "At most "
                            f"{self.limits.max_files} files can be sent at once.")
        self._file = UploadedFile(self._name, "", IncomingFile(self.blob_dir))
        self.form.files.append(self._file)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._file is None:
            self.text_bytes += len(chunk)
            if len(self._value) + len(chunk) > self.limits.max_field_bytes:
                raise too_large("field_too_large", f"The field {self._name!r} is longer than "
                                f"{_size(self.limits.max_field_bytes)}.")
            if self.text_bytes > self.limits.max_text_bytes:
                raise too_large("fields_too_large", "The text fields together are longer "
                                f"than {_size(self.limits.max_text_bytes)}.")
            self._value += chunk
            return
        incoming = self._file.incoming
        if incoming.size + len(chunk) > self.limits.max_file_bytes:
            shown = (self._raw_file_name or "").encode("unicode_escape").decode("ascii")[:80]
            raise too_large("file_too_large", f"The file {shown!r} is larger than the "
                            f"hub accepts ({_size(self.limits.max_file_bytes)} per file).")
        self.file_bytes += len(chunk)
        if self.file_bytes > self.limits.max_upload_bytes:
            raise too_large("upload_too_large", "The files together are larger than the hub "
                            f"accepts ({_size(self.limits.max_upload_bytes)} per submission).")
        incoming.write(chunk)

    def part_end(self) -> None:
        if self._file is None:
            value = _text(bytes(self._value), f"The field {self._name!r}")
            self.form.fields.setdefault(self._name, []).append(value)
            return
        upload = self._file
        if not self._raw_file_name and upload.incoming.size == 0:
            # A file input left empty: browsers send a nameless, empty part.
            upload.incoming.discard()
            self.form.files.remove(upload)
            return
        upload.file_name = clean_file_name(self._raw_file_name or "")
        if upload.incoming.size == 0:
            raise bad_request(f"The file {upload.file_name!r} is empty.", "empty_file")


def _text(data: bytes, what: str, *, nul_ok: bool = False) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(f"{what} is not valid UTF-8.", "invalid_request") from None
    if "\0" in text and not nul_ok:
        raise bad_request(f"{what} contains a NUL character.", "invalid_request")
    return text


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise HubError(415, "unsupported_media_type",
                       "Send the submission as multipart/form-data.")
    return boundary


async def read_upload_form(request: Request, blob_dir: Path,
                           limits: UploadLimits) -> UploadForm:
    """Read the whole form; on any refusal, files received so far are deleted."""
    boundary = _boundary(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise too_large("upload_too_large", f"The upload ({_size(int(declared))}) is larger "
                        f"than the hub accepts ({_size(limits.max_upload_bytes)} of files "
                        "per submission).")
    form = UploadForm()
    reader = _Reader(blob_dir, limits, form)
    parser = MultipartParser(boundary, reader.callbacks())
    received = 0
    chunks = request.stream()
    try:
        async for chunk in chunks:
            received += len(chunk)
            if received > limits.max_body_bytes:
                raise too_large("upload_too_large", "The upload is larger than the hub "
                                f"accepts ({_size(limits.max_upload_bytes)} of files per "
                                "submission).")
            parser.write(chunk)
        parser.finalize()
        if not reader.complete:
            raise MultipartParseError("the form ended early")
        for upload in form.files:
            upload.incoming.close()
    except MultipartParseError:
        form.discard()
        raise bad_request("The multipart form is malformed.", "invalid_request") from None
    except ClientDisconnect:
        form.discard()
        raise bad_request("The upload was interrupted.", "interrupted") from None
    except HubError as refusal:
        form.discard()
        if refusal.status == 413:
            await _drain(chunks)
        raise
    except BaseException:
        form.discard()
        raise
    return form


async def _drain(chunks: AsyncIterator[bytes]) -> None:
    """Read (and drop) a little more of a refused upload, so that a client still sending
    gets to read the refusal rather than a reset connection."""
    dropped = 0
    try:
        async for chunk in chunks:
            dropped += len(chunk)
            if dropped > DRAIN_BYTES:
                return
    except ClientDisconnect:
        return
