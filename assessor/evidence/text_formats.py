"""Text evidence: bytes to text (encoding found, not assumed), what kind of text it is, and
the safe forms the viewer shows (a CSV table, Markdown and HTML as sanitised HTML).

Everything here is pure Python and runs off the GUI thread. ``read_text_evidence`` does all of
it in one call for the viewer.
"""

from __future__ import annotations

import codecs
import csv
import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from assessor.evidence.html_sanitiser import sanitise_html

__all__ = [
    "MAX_CSV_COLUMNS",
    "MAX_CSV_ROWS",
    "MAX_DISPLAY_LINE",
    "MAX_TEXT_BYTES",
    "CsvTable",
    "DecodedText",
    "TextEvidence",
    "TextFlavour",
    "break_long_lines",
    "decode_text",
    "markdown_to_html",
    "read_csv",
    "read_text_evidence",
    "sanitise_html",
    "text_flavour",
]

MAX_TEXT_BYTES = 5 * 2**20
"""Beyond this many bytes only the beginning is decoded and shown (with a note)."""

MAX_CSV_ROWS = 100_000
MAX_CSV_COLUMNS = 1_000
_DETECT_SAMPLE = 256 * 1024
_SNIFF_SAMPLE = 64 * 1024
_WESTERN_MARGIN = 0.05

# How an encoding was found, as the viewer's bar says it ("UTF-16 LE, detected").
BY_BOM = "byte order mark"
BY_UTF8 = "valid UTF-8"
BY_DETECTION = "detected"
BY_FALLBACK = "assumed"


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # a name a person reads: "UTF-8", "UTF-16 LE", "Shift_JIS", "Windows-1252"
    had_errors: bool  # some bytes did not decode and show as U+FFFD
    how: str = BY_UTF8  # BY_BOM, BY_UTF8, BY_DETECTION or BY_FALLBACK
    truncated: bool = False  # only the first MAX_TEXT_BYTES were decoded
    total_bytes: int = 0

    def describe(self) -> str:
        """E.g. "UTF-16 LE, detected" or "UTF-8"."""
        if self.how == BY_UTF8:
            return self.encoding
        return f"{self.encoding}, {self.how}"

    def notes(self) -> tuple[str, ...]:
        """What the reader should know about what is shown, one sentence each."""
        found: list[str] = []
        if self.truncated:
            found.append(
                f"Showing the first {_size(MAX_TEXT_BYTES)} of {_size(self.total_bytes)}."
            )
        if self.had_errors:
            found.append("Some bytes could not be read as text and are shown as \ufffd.")
        return tuple(found)


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_DISPLAY_NAMES = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32-le": "UTF-32 LE",
    "utf-32-be": "UTF-32 BE",
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
    "cp1253": "Windows-1253",
    "cp1254": "Windows-1254",
    "cp1255": "Windows-1255",
    "cp1256": "Windows-1256",
    "cp1257": "Windows-1257",
    "cp1258": "Windows-1258",
    "iso8859-1": "ISO-8859-1 (Latin-1)",
    "shift_jis": "Shift_JIS",
    "cp932": "Shift_JIS (Windows-31J)",
    "euc_jp": "EUC-JP",
    "iso2022_jp": "ISO-2022-JP",
    "gb18030": "GB18030",
    "gb2312": "GB2312",
    "gbk": "GBK",
    "big5": "Big5",
    "euc_kr": "EUC-KR",
    "cp949": "Windows-949 (Korean)",
    "koi8-r": "KOI8-R",
    "koi8-u": "KOI8-U",
    "mac-roman": "Mac Roman",
}


def encoding_display_name(codec: str) -> str:
    """"utf_16_le" -> "UTF-16 LE"; unknown codecs in capitals."""
    try:
        name = codecs.lookup(codec).name
    except LookupError:
        name = codec
    return _DISPLAY_NAMES.get(name, name.upper().replace("_", "-"))


def decode_text(data: bytes) -> DecodedText:
    """Bytes to text. In order: a byte order mark, UTF-16 without a BOM (by its zero bytes),
    strict UTF-8, a statistical detector (charset-normalizer), then Windows-1252 and Latin-1.
    Only the first MAX_TEXT_BYTES are decoded (``truncated`` says so)."""
    total = len(data)
    truncated = total > MAX_TEXT_BYTES
    body = bytes(data[:MAX_TEXT_BYTES]) if truncated else bytes(data)

    def result(text: str, codec: str, how: str, errors: bool = False) -> DecodedText:
        return DecodedText(text, encoding_display_name(codec), errors, how, truncated, total)

    for bom, codec in _BOMS:
        if body.startswith(bom):
            text, errors = _decode(body[len(bom):], codec, final=not truncated)
            return result(text, codec, BY_BOM, errors)

    # Before UTF-8: zero bytes are valid UTF-8, so ASCII in UTF-16 would pass for it.
    utf16 = _utf16_without_bom(body)
    if utf16 is not None:
        text, errors = _decode(body, utf16, final=not truncated)
        if not errors:
            return result(text, utf16, BY_DETECTION)

    utf8 = _decode_strict(body, "utf-8", final=not truncated)
    if utf8 is not None:
        return result(utf8, "utf-8", BY_UTF8)

    detected = _detect(body)
    if detected is not None:
        text, errors = _decode(body, detected, final=not truncated)
        return result(text, detected, BY_DETECTION, errors)

    cp1252 = _decode_strict(body, "cp1252", final=True)
    if cp1252 is not None:
        return result(cp1252, "cp1252", BY_FALLBACK)
    return result(body.decode("latin-1"), "latin-1", BY_FALLBACK)


def _decode_strict(data: bytes, codec: str, *, final: bool) -> str | None:
    try:
        return codecs.getincrementaldecoder(codec)("strict").decode(data, final=final)
    except UnicodeDecodeError:
        return None


def _decode(data: bytes, codec: str, *, final: bool) -> tuple[str, bool]:
    strict = _decode_strict(data, codec, final=final)
    if strict is not None:
        return strict, False
    return codecs.getincrementaldecoder(codec)("replace").decode(data, final=final), True


def _utf16_without_bom(data: bytes) -> str | None:
    """Text in one script in UTF-16 has a few values only in its high bytes (zero for ASCII,
    0x04 for Cyrillic...): on the odd side for little-endian, the even side for big-endian.
    It counts only if it then decodes to printable text."""
    sample = data[:_DETECT_SAMPLE]
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even, odd = sample[0 : pairs * 2 : 2], sample[1 : pairs * 2 : 2]
    for codec, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        common = sorted((high.count(value) for value in set(high)), reverse=True)[:2]
        if sum(common) < 0.9 * pairs or low.count(0) > 0.05 * pairs:
            continue
        text = _decode_strict(sample[: pairs * 2], codec, final=False)
        if text and _printable_share(text) >= 0.95:
            return codec
    return None


def _printable_share(text: str) -> float:
    printable = sum(1 for char in text if char.isprintable() or char in "\t\n\r")
    return printable / len(text)


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    sample = data[:_DETECT_SAMPLE]
    if len(data) > _DETECT_SAMPLE:
        cut = sample.rfind(b"\n", len(sample) - 4096)
        if cut > 0:
            sample = sample[: cut + 1]
    matches = from_bytes(sample)
    best = matches.best()
    if best is None or best.encoding in ("ascii", "utf_8"):
        return None
    # Western single-byte text fits several code pages about equally well (the detector once
    # took French for Windows-1257): among near-equal readings, Windows-1252 wins.
    for match in matches:
        if match.chaos <= best.chaos + _WESTERN_MARGIN and (
            "cp1252" in match.could_be_from_charset
        ):
            return "cp1252"
    return str(best.encoding)


def _size(count: int) -> str:
    if count >= 2**20:
        return f"{count // 2**20} MB" if count % 2**20 == 0 else f"{count / 2**20:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"


# --- what kind of text -------------------------------------------------------------------


class TextFlavour(enum.StrEnum):
    PLAIN = "plain"
    MARKDOWN = "markdown"
    CSV = "csv"
    HTML = "html"
    SOURCE = "source"

    @property
    def label(self) -> str:
        return _FLAVOUR_LABELS[self]


_FLAVOUR_LABELS = {
    TextFlavour.PLAIN: "Plain text",
    TextFlavour.MARKDOWN: "Markdown",
    TextFlavour.CSV: "Table (CSV)",
    TextFlavour.HTML: "HTML",
    TextFlavour.SOURCE: "Source code",
}

_EXTENSIONS: dict[str, TextFlavour] = {
    **dict.fromkeys(("md", "markdown", "mdown", "mkd", "mkdn"), TextFlavour.MARKDOWN),
    **dict.fromkeys(("csv", "tsv", "tab"), TextFlavour.CSV),
    **dict.fromkeys(("html", "htm", "xhtml"), TextFlavour.HTML),
    **dict.fromkeys(("txt", "text", "log"), TextFlavour.PLAIN),
    **dict.fromkeys(
        (
            "py pyw pyi js mjs cjs jsx ts tsx java kt kts scala groovy c h cc cpp cxx hpp hh hxx "
            "cs fs vb go rs rb php pl pm r swift m mm lua dart hs ml ex exs erl clj sql sh bash "
            "zsh fish ps1 bat cmd json jsonl yaml yml xml xsd xsl toml ini cfg conf properties "
            "env css scss sass less vue svelte gradle cmake mk makefile dockerfile tf hcl ipynb "
            "tex bib rst adoc"
        ).split(),
        TextFlavour.SOURCE,
    ),
}

_MEDIA_TYPES: dict[str, TextFlavour] = {
    "text/markdown": TextFlavour.MARKDOWN,
    "text/x-markdown": TextFlavour.MARKDOWN,
    "text/csv": TextFlavour.CSV,
    "text/tab-separated-values": TextFlavour.CSV,
    "text/html": TextFlavour.HTML,
    "application/xhtml+xml": TextFlavour.HTML,
    "application/json": TextFlavour.SOURCE,
    "application/ld+json": TextFlavour.SOURCE,
    "application/xml": TextFlavour.SOURCE,
    "text/xml": TextFlavour.SOURCE,
    "application/yaml": TextFlavour.SOURCE,
    "application/x-yaml": TextFlavour.SOURCE,
    "text/yaml": TextFlavour.SOURCE,
    "application/toml": TextFlavour.SOURCE,
    "application/javascript": TextFlavour.SOURCE,
    "text/javascript": TextFlavour.SOURCE,
    "text/css": TextFlavour.SOURCE,
    "application/sql": TextFlavour.SOURCE,
    "application/x-sh": TextFlavour.SOURCE,
    "text/x-shellscript": TextFlavour.SOURCE,
}
_SOURCE_MEDIA_PREFIXES = ("text/x-", "application/x-")

_HTML_START = re.compile(r"\A\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S)
_SNIFF_DELIMITERS = ",;\t|"


def text_flavour(name: str, media_type: str | None, text: str) -> TextFlavour:
    """The file name's extension first (a ``.py`` sent as text/plain is still source), then
    the declared media type, then the content itself (an HTML document, a delimited table)."""
    suffix = PurePosixPath(name.replace("\\", "/")).name.lower()
    extension = suffix.rsplit(".", 1)[-1] if "." in suffix else suffix
    if extension in _EXTENSIONS and ("." in suffix or extension in ("makefile", "dockerfile")):
        return _EXTENSIONS[extension]
    base = (media_type or "").split(";", 1)[0].strip().lower()
    if base in _MEDIA_TYPES:
        return _MEDIA_TYPES[base]
    if base.startswith(_SOURCE_MEDIA_PREFIXES) and base not in ("text/x-log",):
        return TextFlavour.SOURCE
    head = text[:4096]
    if _HTML_START.match(head):
        return TextFlavour.HTML
    if _looks_delimited(head):
        return TextFlavour.CSV
    return TextFlavour.PLAIN


def _looks_delimited(head: str) -> bool:
    """At least three lines that all split into the same number (2+) of fields."""
    lines = [line for line in head.splitlines()[:20] if line.strip()]
    if len(head) == 4096 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    if len(lines) < 3:
        return False
    for delimiter in _SNIFF_DELIMITERS:
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(widths) == 1 and widths.pop() >= 2:
            return True
    return False


# --- CSV ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvTable:
    header: tuple[str, ...] | None
    rows: list[tuple[str, ...]]  # every row as wide as the widest (short rows padded with "")
    truncated: bool  # more than MAX_CSV_ROWS rows (or MAX_CSV_COLUMNS columns) in the file
    delimiter: str = ","
    note: str = ""  # e.g. the file's quoting was broken and quotes are shown as they are

    @property
    def column_count(self) -> int:
        if self.header is not None:
            return len(self.header)
        return len(self.rows[0]) if self.rows else 0


def read_csv(
    text: str, *, delimiter: str | None = None, max_rows: int = MAX_CSV_ROWS
) -> CsvTable:
    """A table from delimited text: the delimiter sniffed (comma, semicolon, tab or bar) unless
    given, a header if the first row looks like one, ragged rows padded, and broken quoting
    read again with quotes taken literally rather than swallowing the rest of the file."""
    text = text.lstrip("\ufeff")
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    note = ""
    try:
        rows, truncated = _read_rows(text, delimiter, True, max_rows)
    except csv.Error:
        note = "The file's quoting is broken: quote marks are shown as they are."
        try:
            rows, truncated = _read_rows(text, delimiter, False, max_rows)
        except csv.Error:  # a field beyond the csv module's size limit: split by hand
            rows, truncated = _split_rows(text, delimiter, max_rows)
    width = min(max((len(row) for row in rows), default=0), MAX_CSV_COLUMNS)
    if any(len(row) > MAX_CSV_COLUMNS for row in rows):
        truncated = True
    padded = [_fit(row, width) for row in rows]
    header: tuple[str, ...] | None = None
    if len(rows) > 1 and _has_header(text, rows[0]):
        header = padded.pop(0)
    return CsvTable(header, padded, truncated, delimiter, note)


def _fit(row: list[str], width: int) -> tuple[str, ...]:
    if len(row) >= width:
        return tuple(row[:width])
    return tuple(row) + ("",) * (width - len(row))


def _read_rows(
    text: str, delimiter: str, quote: bool, max_rows: int
) -> tuple[list[list[str]], bool]:
    if quote:
        reader = csv.reader(_lines(text), delimiter=delimiter, strict=False)
    else:
        reader = csv.reader(_lines(text), delimiter=delimiter, quoting=csv.QUOTE_NONE)
    rows: list[list[str]] = []
    for row in reader:
        if len(rows) > max_rows:  # one extra: the header may be among them
            return rows[: max_rows + 1], True
        rows.append(row)
    return rows, False


def _split_rows(text: str, delimiter: str, max_rows: int) -> tuple[list[list[str]], bool]:
    rows: list[list[str]] = []
    for line in _lines(text):
        if len(rows) > max_rows:
            return rows, True
        rows.append(line.rstrip("\r\n").split(delimiter))
    return rows, False


def _lines(text: str) -> Iterator[str]:
    # splitlines(keepends) also splits on \x0b, \x1c...; csv wants only real line ends
    start = 0
    for match in re.finditer(r"\r\n|\r|\n", text):
        yield text[start : match.end()]
        start = match.end()
    if start < len(text):
        yield text[start:]


def _sample(text: str) -> str:
    sample = text[:_SNIFF_SAMPLE]
    if len(text) > _SNIFF_SAMPLE:
        cut = sample.rfind("\n")
        if cut > 0:
            sample = sample[:cut]
    return sample


def _sniff_delimiter(text: str) -> str:
    sample = _sample(text)
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SNIFF_DELIMITERS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in _SNIFF_DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


_NUMBER = re.compile(r"\s*[-+]?(\d[\d,. ]*|\.\d+)([eE][-+]?\d+)?%?\s*\Z")


def _has_header(text: str, first_row: list[str]) -> bool:
    """csv.Sniffer's vote when it says yes; otherwise a first row of distinct, non-empty,
    non-numeric cells is taken as the header (most real files have one)."""
    try:
        if csv.Sniffer().has_header(_sample(text)):
            return True
    except csv.Error:
        pass
    first = [cell.strip() for cell in first_row]
    if any(not cell or _NUMBER.match(cell) for cell in first):
        return False
    return len(set(first)) == len(first)


# --- Markdown ----------------------------------------------------------------------------


def markdown_to_html(text: str) -> str:
    """CommonMark (with tables and strikethrough) to HTML, raw HTML in the source disabled
    (shown as text), then through ``sanitise_html`` like any other HTML."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    renderer.enable(["table", "strikethrough"])
    return sanitise_html(renderer.render(text))


# --- everything the viewer needs, in one call off the GUI thread -------------------------


MAX_DISPLAY_LINE = 5_000
"""Longer lines are broken for display: Qt lays out a line of a megabyte (minified JSON) in
minutes, the same text in 5,000-character lines in a fraction of a second."""


def break_long_lines(text: str, limit: int = MAX_DISPLAY_LINE) -> tuple[str, bool]:
    """``text`` with every line longer than ``limit`` broken into pieces (after a space or a
    comma near the end of a piece where there is one); and whether any line was broken."""
    if len(text) <= limit or not any(len(line) > limit for line in text.split("\n")):
        return text, False
    out: list[str] = []
    for line in text.split("\n"):
        rest = line
        while len(rest) > limit:
            near = limit * 9 // 10
            cut = max(rest.rfind(" ", near, limit), rest.rfind(",", near, limit))
            cut = cut + 1 if cut > 0 else limit
            out.append(rest[:cut])
            rest = rest[cut:]
        out.append(rest)
    return "\n".join(out), True


@dataclass(frozen=True)
class TextEvidence:
    decoded: DecodedText
    flavour: TextFlavour
    html: str | None  # sanitised HTML for MARKDOWN and HTML
    table: CsvTable | None  # for CSV
    display_text: str = ""  # the text for a plain view: decoded.text, long lines broken
    lines_broken: bool = False

    def notes(self) -> tuple[str, ...]:
        found = list(self.decoded.notes())
        if self.lines_broken:
            found.append(f"Lines longer than {MAX_DISPLAY_LINE:,} characters are shown in "
                         "pieces.")
        return tuple(found)


def read_text_evidence(data: bytes, *, name: str, media_type: str | None) -> TextEvidence:
    decoded = decode_text(data)
    flavour = text_flavour(name, media_type, decoded.text)
    html: str | None = None
    table: CsvTable | None = None
    if flavour is TextFlavour.MARKDOWN:
        html = markdown_to_html(decoded.text)
    elif flavour is TextFlavour.HTML:
        html = sanitise_html(decoded.text)
    elif flavour is TextFlavour.CSV:
        forced = "\t" if name.lower().endswith((".tsv", ".tab")) else None
        if forced is None and (media_type or "").lower().startswith("text/tab-separated"):
            forced = "\t"
        table = read_csv(decoded.text, delimiter=forced)
    display, broken = ("", False) if table is not None else break_long_lines(decoded.text)
    return TextEvidence(decoded, flavour, html, table, display, broken)
