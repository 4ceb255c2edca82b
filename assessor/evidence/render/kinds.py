"""What a piece of evidence is, judged by its bytes first.

``evidence_kind`` looks at magic numbers, then the declared media type, then the file name's
extension: a wrong extension never wins over content. ``document_type`` names the PyMuPDF
file type a document is opened as. Pass as much of the file as is at hand (``SNIFF_BYTES``
is enough for everything but ZIP containers, where the whole file lets the central
directory decide).
"""

from __future__ import annotations

import enum
import io
import posixpath
import zipfile

SNIFF_BYTES = 64 * 1024


class EvidenceKind(enum.StrEnum):
    """What the viewer shows an item with."""

    DOCUMENT = "document"  # PDF, XPS, EPUB, CBZ, FB2, MOBI, SVG (through PyMuPDF)
    IMAGE = "image"  # PNG, JPEG, WebP, GIF, TIFF, BMP, ICO, AVIF (through Pillow)
    TEXT = "text"  # plain text, source code, Markdown, CSV, HTML
    OFFICE = "office"  # DOCX, ODT, PPTX, XLSX, DOC, ODS, ODP, RTF... (LibreOffice)
    AUDIO = "audio"
    VIDEO = "video"
    UNKNOWN = "unknown"


_EXTENSIONS: dict[EvidenceKind, tuple[str, ...]] = {
    EvidenceKind.DOCUMENT: ("pdf", "xps", "oxps", "epub", "cbz", "fb2", "mobi", "svg"),
    EvidenceKind.IMAGE: ("png", "jpg", "jpeg", "jpe", "jfif", "webp", "gif", "tif", "tiff",
                         "bmp", "dib", "ico", "avif", "heic", "heif"),
    EvidenceKind.TEXT: ("txt", "text", "md", "markdown", "csv", "tsv", "html", "htm", "xhtml",
                        "json", "xml", "yaml", "yml", "toml", "ini", "cfg", "log", "py", "js",
                        "ts", "java", "c", "h", "cpp", "hpp", "cs", "go", "rs", "rb", "php",
                        "sh", "sql", "css", "tex", "rst", "srt", "vtt"),
    EvidenceKind.OFFICE: ("doc", "docx", "docm", "dot", "dotx", "odt", "ott", "rtf", "xls",
                          "xlsx", "xlsm", "ods", "ppt", "pptx", "pptm", "pps", "ppsx", "odp",
                          "odg", "pages", "numbers", "key", "wpd", "vsd", "vsdx", "pub"),
    EvidenceKind.AUDIO: ("mp3", "wav", "flac", "ogg", "oga", "opus", "m4a", "aac", "wma",
                         "aif", "aiff", "amr"),
    EvidenceKind.VIDEO: ("mp4", "m4v", "mov", "webm", "mkv", "avi", "wmv", "mpg", "mpeg",
                         "3gp", "ogv", "ts"),
}
EXTENSION_KINDS = {ext: kind for kind, exts in _EXTENSIONS.items() for ext in exts}

_MEDIA_TYPES: dict[str, EvidenceKind] = {
    "application/pdf": EvidenceKind.DOCUMENT,
    "application/epub+zip": EvidenceKind.DOCUMENT,
    "application/oxps": EvidenceKind.DOCUMENT,
    "application/vnd.ms-xpsdocument": EvidenceKind.DOCUMENT,
    "application/vnd.comicbook+zip": EvidenceKind.DOCUMENT,
    "application/x-cbz": EvidenceKind.DOCUMENT,
    "application/x-fictionbook+xml": EvidenceKind.DOCUMENT,
    "application/x-mobipocket-ebook": EvidenceKind.DOCUMENT,
    "image/svg+xml": EvidenceKind.DOCUMENT,
    "application/msword": EvidenceKind.OFFICE,
    "application/rtf": EvidenceKind.OFFICE,
    "text/rtf": EvidenceKind.OFFICE,
    "application/vnd.ms-excel": EvidenceKind.OFFICE,
    "application/vnd.ms-powerpoint": EvidenceKind.OFFICE,
    "application/json": EvidenceKind.TEXT,
    "application/xml": EvidenceKind.TEXT,
    "application/xhtml+xml": EvidenceKind.TEXT,
    "application/javascript": EvidenceKind.TEXT,
    "application/x-yaml": EvidenceKind.TEXT,
    "application/yaml": EvidenceKind.TEXT,
    "application/toml": EvidenceKind.TEXT,
    "application/sql": EvidenceKind.TEXT,
    "application/ogg": EvidenceKind.AUDIO,
}
_OFFICE_PREFIXES = ("application/vnd.openxmlformats-officedocument.",
                    "application/vnd.oasis.opendocument.", "application/vnd.ms-word",
                    "application/vnd.ms-excel", "application/vnd.ms-powerpoint")

_IMAGE_BRANDS = (b"avif", b"avis", b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1",
                 b"msf1")
_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_CBZ_IMAGES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".jxr")


def evidence_kind(head: bytes, media_type: str | None, name: str) -> EvidenceKind:
    """From the first bytes (magic numbers first), then the declared media type, then the
    file name's extension. A wrong extension never wins over content."""
    by_content = _kind_from_magic(head)
    if by_content is not None:
        return by_content
    if head and _looks_like_text(head):
        return EvidenceKind.TEXT  # text in a file that claims to be binary is text all the same
    declared = _kind_from_media_type(media_type)
    by_name = EXTENSION_KINDS.get(_extension(name))
    if not head:
        return declared or by_name or EvidenceKind.UNKNOWN
    for claim in (declared, by_name):  # binary content: a claim of text is wrong
        if claim is not None and claim is not EvidenceKind.TEXT:
            return claim
    return EvidenceKind.UNKNOWN


def document_type(head: bytes, media_type: str | None, name: str) -> str:
    """The PyMuPDF file type to open a DOCUMENT as: pdf, xps, epub, cbz, fb2, mobi or svg."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        container = _zip_kind(head)
        if container in ("xps", "epub", "cbz"):
            return container
    if head[60:68] == b"BOOKMOBI":
        return "mobi"
    markup = _markup_root(head)
    if markup in ("svg", "fb2"):
        return markup
    by_type = {"application/pdf": "pdf", "application/epub+zip": "epub",
               "application/oxps": "xps", "application/vnd.ms-xpsdocument": "xps",
               "application/vnd.comicbook+zip": "cbz", "application/x-cbz": "cbz",
               "application/x-fictionbook+xml": "fb2", "image/svg+xml": "svg",
               "application/x-mobipocket-ebook": "mobi"}.get(_base_type(media_type))
    if by_type:
        return by_type
    ext = _extension(name)
    return {"oxps": "xps"}.get(ext, ext if ext in _EXTENSIONS[EvidenceKind.DOCUMENT] else "pdf")


def _kind_from_magic(head: bytes) -> EvidenceKind | None:  # noqa: PLR0912
    if b"%PDF-" in head[:1024]:
        return EvidenceKind.DOCUMENT
    if head.startswith(b"PK\x03\x04"):
        container = _zip_kind(head)
        if container in ("xps", "epub", "cbz"):
            return EvidenceKind.DOCUMENT
        if container in ("ooxml", "odf"):
            return EvidenceKind.OFFICE
        return None  # some other ZIP: the name or type may still say what it holds
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return EvidenceKind.OFFICE
    if _is_rtf(head):
        return EvidenceKind.OFFICE
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WAVE": EvidenceKind.AUDIO, b"AVI ": EvidenceKind.VIDEO,
                b"WEBP": EvidenceKind.IMAGE}.get(head[8:12])
    if head[4:8] == b"ftyp":
        return _ftyp_kind(head)
    image = _image_magic(head)
    if image:
        return EvidenceKind.IMAGE
    if head.startswith((b"ID3", b"fLaC", b"#!AMR", b"FORM")) or _is_mpeg_audio(head):
        return EvidenceKind.AUDIO
    if head.startswith(b"OggS"):
        return EvidenceKind.VIDEO if b"\x80theora" in head[:4096] else EvidenceKind.AUDIO
    if head.startswith(b"\x1a\x45\xdf\xa3") or head.startswith(b"\x00\x00\x01\xba"):
        return EvidenceKind.VIDEO
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):  # ASF: WMA or WMV
        return EvidenceKind.VIDEO
    if head[60:68] == b"BOOKMOBI":
        return EvidenceKind.DOCUMENT
    if _markup_root(head) in ("svg", "fb2"):
        return EvidenceKind.DOCUMENT
    return None


def _image_magic(head: bytes) -> bool:
    return head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a",
                            b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")) \
        or (head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00") \
        or (head.startswith(b"\x00\x00\x01\x00") and len(head) >= 6 and head[4:6] != b"\x00\x00")


def _ftyp_kind(head: bytes) -> EvidenceKind:
    brand = head[8:12]
    if brand in _IMAGE_BRANDS:
        return EvidenceKind.IMAGE
    if brand in _AUDIO_BRANDS:
        return EvidenceKind.AUDIO
    return EvidenceKind.VIDEO


def _is_mpeg_audio(head: bytes) -> bool:
    """An MP3 (or ADTS AAC) frame header with no ID3 tag before it."""
    return len(head) >= 4 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 \
        and (head[1] & 0x06) in (0x02, 0x04, 0x06, 0x00) and (head[2] & 0xF0) != 0xF0 \
        and not head.startswith(b"\xff\xd8")


def _is_rtf(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"{\\rtf")


def _zip_kind(head: bytes) -> str | None:
    """xps, epub, cbz, ooxml, odf, or None, from the entry names (and EPUB/ODF mimetype)."""
    if head[30:38] == b"mimetype":
        mimetype = head[38:38 + 80]
        if mimetype.startswith(b"application/epub+zip"):
            return "epub"
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            return "odf"
    names = _zip_names(head)
    lowered = [n.lower() for n in names]
    if any(n.endswith(".fdseq") or n.startswith("fixeddocseq") for n in lowered):
        return "xps"
    if any(n.startswith(("word/", "xl/", "ppt/", "visio/")) for n in lowered):
        return "ooxml"
    if "[content_types].xml" in lowered and any(n.endswith((".fpage", ".fdoc"))
                                                 for n in lowered):
        return "xps"
    if "meta-inf/container.xml" in lowered and any(n.endswith(".opf") for n in lowered):
        return "epub"
    if "[content_types].xml" in lowered:
        return "ooxml"
    files = [n for n in lowered if not n.endswith("/")]
    if files and all(n.endswith(_CBZ_IMAGES) or posixpath.basename(n) in ("comicinfo.xml",)
                     or n.startswith(("__macosx/", ".")) for n in files) \
            and any(n.endswith(_CBZ_IMAGES) for n in files):
        return "cbz"
    return None


def _zip_names(head: bytes) -> list[str]:
    """Entry names: from the central directory when the whole file is here, else from the
    local headers that fit in ``head``."""
    try:
        with zipfile.ZipFile(io.BytesIO(head)) as archive:
            return archive.namelist()[:10_000]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        pass
    names: list[str] = []
    offset = 0
    while len(names) < 1000 and head.startswith(b"PK\x03\x04", offset) \
            and offset + 30 <= len(head):
        name_len = int.from_bytes(head[offset + 26:offset + 28], "little")
        extra_len = int.from_bytes(head[offset + 28:offset + 30], "little")
        size = int.from_bytes(head[offset + 18:offset + 22], "little")
        flags = int.from_bytes(head[offset + 6:offset + 8], "little")
        names.append(head[offset + 30:offset + 30 + name_len].decode("utf-8", "replace"))
        if flags & 0x08:  # sizes come after the data: cannot walk on
            break
        offset += 30 + name_len + extra_len + size
    return names


def _markup_root(head: bytes) -> str | None:
    """"svg" or "fb2" when the text starts (after a prolog) with such a root element."""
    sample = head[:4096]
    if sample.startswith(b"\xef\xbb\xbf"):
        sample = sample[3:]
    text = sample.decode("utf-8", "ignore").lstrip().lower()
    if not text.startswith("<"):
        return None
    if text.startswith("<svg"):
        return "svg"
    if text.startswith(("<?xml", "<!--", "<!doctype svg")):
        position = text.find("<svg")
        fiction = text.find("<fictionbook")
        html = text.find("<html")
        if fiction >= 0 and (position < 0 or fiction < position):
            return "fb2"
        if position >= 0 and (html < 0 or position < html):
            return "svg"
    return None


def _looks_like_text(head: bytes) -> bool:
    """No NULs and hardly any control characters: UTF-8 or some single-byte encoding
    (which one is ``text_formats.decode_text``'s business)."""
    sample = head[:SNIFF_BYTES]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a byte order mark
    if b"\x00" in sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls <= len(sample) // 100


def _kind_from_media_type(media_type: str | None) -> EvidenceKind | None:
    base = _base_type(media_type)
    if not base or base == "application/octet-stream":
        return None
    if base in _MEDIA_TYPES:
        return _MEDIA_TYPES[base]
    if base.startswith(_OFFICE_PREFIXES):
        return EvidenceKind.OFFICE
    major = base.partition("/")[0]
    return {"image": EvidenceKind.IMAGE, "audio": EvidenceKind.AUDIO,
            "video": EvidenceKind.VIDEO, "text": EvidenceKind.TEXT}.get(major)


def _base_type(media_type: str | None) -> str:
    return (media_type or "").split(";", 1)[0].strip().lower()


def _extension(name: str) -> str:
    base = posixpath.basename(name.replace("\\", "/"))
    return base.rpartition(".")[2].lower() if "." in base else ""
