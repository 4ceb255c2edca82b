"""An allow-list HTML sanitiser for showing evidence in Qt's rich text.

Only structural and formatting tags come out, with a handful of attributes whose values are
checked (numbers, a fixed set of words, a title). Everything that could run code or make Qt
fetch anything (scripts, styles, frames, objects, images, links' targets, any URL-bearing
attribute) is dropped; code-carrying elements are dropped with their contents. All text is
escaped, including ``:`` and ``=``, so nothing downstream can read a scheme or an attribute
out of the text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["sanitise_html"]

ALLOWED_TAGS = frozenset(
    (
        "p br h1 h2 h3 h4 h5 h6 b i em strong u s code pre blockquote ul ol li table thead "
        "tbody tfoot tr th td a hr span div sup sub dl dt dd"
    ).split()
)
VOID_TAGS = frozenset(("br", "hr"))

# Tags shown as a close allowed cousin (their content kept).
RENAMED_TAGS = {
    **dict.fromkeys(
        (
            "section article header footer nav main aside figure figcaption address details "
            "summary center caption"
        ).split(),
        "div",
    ),
    **dict.fromkeys(("tt", "kbd", "samp", "var"), "code"),
    **dict.fromkeys(("strike", "del"), "s"),
    "ins": "u",
    **dict.fromkeys(("font", "small", "big", "mark", "abbr", "cite", "q", "time"), "span"),
}

# Dropped together with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    (
        "script style iframe frameset object applet svg math template title noembed "
        "noframes xmp plaintext select datalist audio video canvas map"
    ).split()
)
# Never shown; void, so there is no content to skip (img is shown as its alternative text).
# Everything else not allowed is simply unwrapped: its tag goes, its text stays.

_MAX_DEPTH = 100
_MAX_TITLE = 500
_ALIGN = frozenset(("left", "right", "center", "justify"))
_DIR = frozenset(("ltr", "rtl"))
_SHOWN_SCHEMES = ("http://", "https://", "mailto:")


def sanitise_html(markup: str) -> str:
    """Safe HTML for QTextDocument.setHtml: see the module docstring."""
    parser = _Sanitiser()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # a parser bug on hostile input must not take the viewer down
        parser.abandon()
    return parser.result()


def _escape(text: str) -> str:
    return html.escape(text, quote=True).replace(":", "&#58;").replace("=", "&#61;")


def _int_attr(value: str, low: int, high: int) -> str | None:
    value = value.strip()
    if value.isascii() and value.isdigit() and low <= int(value) <= high:
        return str(int(value))
    return None


def _clean_attrs(tag: str, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    kept: list[tuple[str, str]] = []
    for raw_name, raw_value in attrs:
        name = raw_name.lower()
        value = raw_value or ""
        clean: str | None = None
        if name in ("colspan", "rowspan") and tag in ("td", "th"):
            clean = _int_attr(value, 1, 1000)
        elif name == "start" and tag == "ol":
            clean = _int_attr(value, 0, 1_000_000)
        elif name == "align" and tag in ("p", "div", "td", "th", "h1", "h2", "h3", "h4", "h5",
                                         "h6"):
            clean = value.strip().lower() if value.strip().lower() in _ALIGN else None
        elif name == "dir":
            clean = value.strip().lower() if value.strip().lower() in _DIR else None
        elif name == "title":
            clean = value[:_MAX_TITLE] or None
        if clean is not None and all(name != k for k, _ in kept):
            kept.append((name, clean))
    return kept


def _shown_href(attrs: list[tuple[str, str | None]]) -> str | None:
    """A link's address, kept only to be shown as text, and only for web and mail links."""
    for name, value in attrs:
        if name.lower() == "href" and value:
            address = re.sub(r"[\x00-\x20]", "", value)
            if address.lower().startswith(_SHOWN_SCHEMES):
                return address[:_MAX_TITLE]
    return None


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._open: list[str] = []  # tags emitted and not yet closed
        self._skip: list[str] = []  # inside dropped elements: their names, innermost last
        self._links: list[tuple[str, list[str]]] = []  # open <a>: its address, its text

    # -- output ---------------------------------------------------------------------------

    def result(self) -> str:
        while self._open:
            self._close_top()
        return "".join(self._out)

    def abandon(self) -> None:
        """After a parser failure: what is left unparsed goes out as escaped text."""
        rest = self.rawdata
        self.rawdata = ""
        if rest and not self._skip:
            self._text(rest)

    def _text(self, text: str) -> None:
        text = text.replace("\x00", "")
        if text:
            self._out.append(_escape(text))
            for _, collected in self._links:
                collected.append(text)

    def _emit_start(self, tag: str, attrs: list[tuple[str, str]]) -> None:
        rendered = "".join(f' {name}="{_escape(value)}"' for name, value in attrs)
        self._out.append(f"<{tag}{rendered}>")

    def _close_top(self) -> None:
        tag = self._open.pop()
        self._out.append(f"</{tag}>")
        if tag == "a" and self._links:
            address, collected = self._links.pop()
            if address and "".join(collected).strip() != address:
                self._out.append(f" ({_escape(address)})")

    # -- parser callbacks -----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, self_closing: bool) -> None:
        tag = tag.lower()
        if self._skip:
            if tag == self._skip[-1] and not self_closing:
                self._skip.append(tag)
            return
        if self._dropped(tag, attrs, self_closing=self_closing):
            return
        tag = RENAMED_TAGS.get(tag, tag)
        if tag not in ALLOWED_TAGS:
            return
        if tag in VOID_TAGS:
            self._emit_start(tag, _clean_attrs(tag, attrs))
            return
        if self_closing or len(self._open) >= _MAX_DEPTH:
            return
        kept = _clean_attrs(tag, attrs)
        if tag == "a":
            if "a" in self._open:  # links do not nest
                return
            address = _shown_href(attrs)
            if address is not None:
                if not any(name == "title" for name, _ in kept):
                    kept.append(("title", address))
                self._links.append((address, []))
            else:
                self._links.append(("", []))
        self._emit_start(tag, kept)
        self._open.append(tag)

    def _dropped(self, tag: str, attrs: list[tuple[str, str | None]], *,
                 self_closing: bool) -> bool:
        """Elements that never come out: code carriers (skipped with their content) and
        images (shown as their alternative text)."""
        if tag in DROPPED_WITH_CONTENT:
            if not self_closing:
                self._skip.append(tag)
            return True
        if tag == "img":
            alt = next((v for k, v in attrs if k.lower() == "alt" and v), "").strip()
            self._text(f"[image: {alt}]" if alt else "[image]")
            return True
        return False

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            return
        tag = RENAMED_TAGS.get(tag, tag)
        if tag not in ALLOWED_TAGS or tag in VOID_TAGS:
            if tag == "br":  # </br> is a line break in every browser
                self._out.append("<br>")
            return
        if tag not in self._open:
            return
        while self._open and self._open[-1] != tag:
            self._close_top()
        self._close_top()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._text(data)

    # Comments, declarations, processing instructions: dropped.
    def handle_comment(self, data: str) -> None:
        return

    def handle_decl(self, decl: str) -> None:
        return

    def handle_pi(self, data: str) -> None:
        return

    def unknown_decl(self, data: str) -> None:
        return
