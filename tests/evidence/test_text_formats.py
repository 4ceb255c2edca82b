"""Text evidence in the core: encodings found from the bytes, flavours, CSV, Markdown and the
HTML sanitiser (hostile input included)."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessor.evidence.html_sanitiser import ALLOWED_TAGS
from assessor.evidence.text_formats import (
    BY_BOM,
    BY_DETECTION,
    BY_FALLBACK,
    BY_UTF8,
    MAX_TEXT_BYTES,
    TextFlavour,
    decode_text,
    markdown_to_html,
    read_csv,
    read_text_evidence,
    sanitise_html,
    text_flavour,
)

JAPANESE = (
    "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした"
    "所でニャーニャー泣いていた事だけは記憶している。吾輩はここで始めて人間というものを見た。"
) * 3
RUSSIAN = (
    "Все счастливые семьи похожи друг на друга, каждая несчастливая семья несчастлива "
    "по-своему. Всё смешалось в доме Облонских. Жена узнала, что муж был в связи с бывшею в их "
    "доме француженкою-гувернанткой, и объявила мужу, что не может жить с ним в одном доме. "
) * 2
CHINESE = (
    "天地玄黄，宇宙洪荒。日月盈昃，辰宿列张。寒来暑往，秋收冬藏。闰余成岁，律吕调阳。"
    "云腾致雨，露结为霜。金生丽水，玉出昆冈。剑号巨阙，珠称夜光。果珍李柰，菜重芥姜。"
) * 3
ENGLISH_SMART = (
    "The assessor said \u201cthis is fine\u201d \u2014 and the learner\u2019s portfolio was "
    "approved. It\u2019s a \u201cgreat\u201d result; everyone was pleased with the work.\n"
) * 3
FRENCH = (
    "Le élève était déjà parti à la fenêtre, près du château. Ça m'a étonné: quelle façon "
    "naïve de réagir! Très réussi, à côté de la forêt, où l'été est doux.\n"
) * 3
ENGLISH = "Hello world, this is a plain English sentence about the evidence.\n" * 5


# --- decode_text -------------------------------------------------------------------------


def test_utf8_is_read_as_utf8() -> None:
    decoded = decode_text("Grüße, 世界 ✓".encode())
    assert (decoded.text, decoded.encoding, decoded.how, decoded.had_errors) == (
        "Grüße, 世界 ✓", "UTF-8", BY_UTF8, False)
    assert decoded.describe() == "UTF-8"


def test_empty_bytes_are_empty_text() -> None:
    decoded = decode_text(b"")
    assert decoded.text == "" and not decoded.had_errors and not decoded.truncated


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [
        (codecs.BOM_UTF8, "utf-8", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    ],
)
def test_byte_order_marks_decide_and_are_removed(bom: bytes, codec: str, name: str) -> None:
    decoded = decode_text(bom + RUSSIAN.encode(codec))
    assert decoded.text == RUSSIAN
    assert (decoded.encoding, decoded.how) == (name, BY_BOM)
    assert decoded.describe() == f"{name}, byte order mark"


@pytest.mark.parametrize("text", [ENGLISH, RUSSIAN])
@pytest.mark.parametrize(("codec", "name"), [("utf-16-le", "UTF-16 LE"),
                                             ("utf-16-be", "UTF-16 BE")])
def test_utf16_without_bom_is_detected(text: str, codec: str, name: str) -> None:
    decoded = decode_text(text.encode(codec))
    assert decoded.text == text
    assert decoded.describe() == f"{name}, detected"


def test_binary_with_zero_bytes_is_not_taken_for_utf16() -> None:
    data = bytes([1, 0, 2, 0, 3, 0, 7, 0]) * 40
    assert not decode_text(data).encoding.startswith("UTF-16")


@pytest.mark.parametrize(
    ("text", "codec", "names"),
    [
        (JAPANESE, "shift_jis", {"Shift_JIS", "Shift_JIS (Windows-31J)"}),
        (RUSSIAN, "koi8-r", {"KOI8-R"}),
        (RUSSIAN, "cp1251", {"Windows-1251"}),
        (CHINESE, "gb18030", {"GB18030", "GBK", "GB2312"}),
        (ENGLISH_SMART, "cp1252", {"Windows-1252"}),
        (FRENCH, "cp1252", {"Windows-1252"}),
        (FRENCH, "latin-1", {"Windows-1252", "ISO-8859-1 (Latin-1)"}),
    ],
)
def test_legacy_encodings_are_detected(text: str, codec: str, names: set[str]) -> None:
    decoded = decode_text(text.encode(codec))
    assert decoded.text == text
    assert decoded.encoding in names
    assert decoded.how == BY_DETECTION
    assert not decoded.had_errors


def test_bytes_no_detector_reads_fall_back_to_a_single_byte_encoding() -> None:
    data = bytes(range(0x80, 0x100)) * 2
    decoded = decode_text(data)
    assert len(decoded.text) == len(data)
    assert decoded.how in (BY_DETECTION, BY_FALLBACK)


def test_a_bad_byte_after_a_utf16_bom_shows_as_replacement() -> None:
    decoded = decode_text(codecs.BOM_UTF16_LE + "ok".encode("utf-16-le") + b"\x00\xd8")
    assert decoded.text.startswith("ok")
    assert decoded.had_errors
    assert decoded.notes() == ("Some bytes could not be read as text and are shown as \ufffd.",)


def test_large_text_is_capped_with_a_note_and_no_split_character() -> None:
    line = "Grüße aus der Prüfung ✓\n"
    data = line.encode() * (MAX_TEXT_BYTES // len(line.encode()) * 13 // 10)
    decoded = decode_text(data)
    assert decoded.truncated and decoded.total_bytes == len(data)
    assert len(decoded.text.encode()) <= MAX_TEXT_BYTES
    assert not decoded.had_errors and "\ufffd" not in decoded.text
    assert decoded.notes() == (f"Showing the first 5 MB of {len(data) / 2**20:.1f} MB.",)


def test_large_utf16_is_capped_on_a_character_boundary() -> None:
    data = codecs.BOM_UTF16_LE + ("abc✓" * (MAX_TEXT_BYTES // 6)).encode("utf-16-le")
    decoded = decode_text(data)
    assert decoded.truncated and not decoded.had_errors
    assert decoded.text.startswith("abc✓abc")


# --- text_flavour ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "media_type", "flavour"),
    [
        ("notes.txt", "text/plain", TextFlavour.PLAIN),
        ("README.md", None, TextFlavour.MARKDOWN),
        ("notes", "text/markdown", TextFlavour.MARKDOWN),
        ("scores.csv", None, TextFlavour.CSV),
        ("scores.TSV", None, TextFlavour.CSV),
        ("data", "text/csv; charset=utf-8", TextFlavour.CSV),
        ("page.html", None, TextFlavour.HTML),
        ("page", "text/html", TextFlavour.HTML),
        ("main.py", "text/plain", TextFlavour.SOURCE),
        ("App.java", None, TextFlavour.SOURCE),
        ("config.yaml", None, TextFlavour.SOURCE),
        ("query.sql", None, TextFlavour.SOURCE),
        ("data.json", None, TextFlavour.SOURCE),
        ("thing", "application/json", TextFlavour.SOURCE),
        ("C:\\work\\lib.rs", None, TextFlavour.SOURCE),
        ("Makefile", None, TextFlavour.SOURCE),
        ("reflection", None, TextFlavour.PLAIN),
    ],
)
def test_flavour_by_name_and_media_type(name: str, media_type: str | None,
                                        flavour: TextFlavour) -> None:
    assert text_flavour(name, media_type, "Some words, and more words.\nA second line.") is flavour


def test_flavour_from_content_when_name_and_type_say_nothing() -> None:
    assert text_flavour("upload", None, "<!DOCTYPE html><html><body>x</body></html>") is (
        TextFlavour.HTML)
    assert text_flavour("upload", "text/plain", "a;b;c\n1;2;3\n4;5;6\n7;8;9\n") is TextFlavour.CSV
    prose = "Dear assessor, I did this, then that.\nIt went well.\nThanks, Sam\n"
    assert text_flavour("upload", None, prose) is TextFlavour.PLAIN


def test_extension_wins_over_a_generic_media_type() -> None:
    assert text_flavour("essay.txt", "text/html", "<html>") is TextFlavour.PLAIN


# --- read_csv ----------------------------------------------------------------------------


def test_csv_with_header_and_quoted_fields() -> None:
    table = read_csv('name,comment,score\nAlice,"Good, clear",4\nBob,"said ""hi""",3\n')
    assert table.header == ("name", "comment", "score")
    assert table.rows == [("Alice", "Good, clear", "4"), ("Bob", 'said "hi"', "3")]
    assert not table.truncated and table.delimiter == "," and table.note == ""


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiters_are_sniffed(delimiter: str) -> None:
    text = "\n".join(delimiter.join(row) for row in
                     [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"]]) + "\n"
    table = read_csv(text)
    assert table.delimiter == delimiter
    assert table.header == ("a", "b", "c") and table.rows[1] == ("4", "5", "6")


def test_numeric_first_row_is_not_a_header() -> None:
    table = read_csv("1,2,3\n4,5,6\n")
    assert table.header is None and table.rows == [("1", "2", "3"), ("4", "5", "6")]


def test_ragged_rows_are_padded_to_the_widest() -> None:
    table = read_csv("a,b,c\n1,2\n3,4,5,6\n")
    assert table.header == ("a", "b", "c", "")
    assert table.rows == [("1", "2", "", ""), ("3", "4", "5", "6")]
    assert table.column_count == 4


def test_broken_quoting_does_not_swallow_the_file() -> None:
    text = 'name,age\n"Alice,30\nBob,40\n' + "x" * 200_000 + "\n"
    table = read_csv(text)
    assert table.note == "The file's quoting is broken: quote marks are shown as they are."
    assert [row[0][:5] for row in table.rows] == ['"Alic', "Bob", "xxxxx"]


def test_rows_beyond_the_cap_are_left_out_and_said() -> None:
    text = "n,twice\n" + "".join(f"{i},{2 * i}\n" for i in range(1_050))
    table = read_csv(text, max_rows=1_000)
    assert table.truncated and table.header == ("n", "twice")
    assert len(table.rows) == 1_000 and table.rows[-1] == ("999", "1998")


def test_empty_csv() -> None:
    table = read_csv("")
    assert (table.header, table.rows, table.column_count) == (None, [], 0)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab,;\t|"\r\n\x00 1'), max_size=300))
def test_any_text_reads_as_a_rectangular_table(text: str) -> None:
    table = read_csv(text)
    widths = {len(row) for row in table.rows}
    if table.header is not None:
        widths.add(len(table.header))
    assert len(widths) <= 1


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_renders_structure_and_tables() -> None:
    html = markdown_to_html("# Title\n\nSome *text* and **bold**.\n\n| a | b |\n|---|---|\n"
                            "| 1 | 2 |\n\n- one\n- two\n\n~~gone~~\n")
    for fragment in ("<h1>Title</h1>", "<em>text</em>", "<strong>bold</strong>",
                     "<th>a</th>", "<td>2</td>", "<li>one</li>", "<s>gone</s>"):
        assert fragment in html


def test_markdown_raw_html_is_shown_as_text() -> None:
    html = markdown_to_html("Hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_markdown_links_and_images_fetch_nothing() -> None:
    html = markdown_to_html("[site](https://example.org/a) [bad](javascript:alert(1)) "
                            "![chart](http://tracker.example/c.png)\n")
    assert "href" not in html and "src" not in html and "javascript:" not in html
    assert '<a title="https&#58;//example.org/a">site</a> (https&#58;//example.org/a)' in html
    assert "[image&#58; chart]" in html


# --- sanitise_html -----------------------------------------------------------------------

HOSTILE = """<!DOCTYPE html><html><head><title>T</title><meta http-equiv="refresh" content="0;url=http://x">
<link rel=stylesheet href="http://evil.example/s.css"><style>body{background:url(http://x)}</style>
<script>alert(1)</script><base href="http://evil.example/"></head>
<body onload="steal()" background="http://evil.example/bg.png">
<p style="color:red" onclick="evil()" class=x id=y>Hello <b>world</b></p>
<a href="javascript:alert(1)">js</a> <a href=" JaVaScRiPt:alert(1)">js2</a>
<a href="https://example.org/x?a=1" onmouseover="x()">good</a>
<img src="http://tracker.example/t.png" onerror="alert(1)" alt="tracker">
<img srcset="http://tracker.example/t.png 2x"><input type=image src="http://x/y.png">
<svg onload=alert(1)><script>x()</script><image href="http://x/i.png"/></svg>
<math><mi xlink:href="javascript:alert(1)">m</mi></math>
<iframe src="http://evil.example/">inner</iframe><object data="http://x/o.swf">obj</object>
<embed src="http://x/e.swf"><form action="http://x/f"><button formaction="http://x">Go</button></form>
<table background="http://x/t.png"><tr><td colspan="2" bgcolor=red>cell</td></tr></table>
<video poster="http://x/p.png" src="http://x/v.mp4"></video>
<div style="background-image: url('http://x/d.png')">styled</div>
</body></html>"""


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def _assert_safe(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert "src=" not in lowered
    assert re.search(r"\son\w*\s*=", lowered) is None
    for tag, attrs in _tags(html):
        assert tag in ALLOWED_TAGS
        for name, _value in attrs:
            assert name in ("title", "colspan", "rowspan", "start", "align", "dir")


def test_hostile_html_keeps_text_and_loses_everything_active() -> None:
    clean = sanitise_html(HOSTILE)
    _assert_safe(clean)
    for gone in ("alert", "steal", "evil", "tracker.example", "url(", "background", "style=",
                 "inner", "obj", "<form", "<img", "<input", "href", "T</"):
        assert gone not in clean
    assert "<p>Hello <b>world</b></p>" in clean
    assert "<a>js</a>" in clean and "<a>js2</a>" in clean
    assert '<a title="https&#58;//example.org/x?a&#61;1">good</a>' in clean
    assert "[image&#58; tracker]" in clean
    assert '<td colspan="2">cell</td>' in clean
    assert "Go" in clean and "styled" in clean


def test_text_that_looks_like_markup_is_escaped() -> None:
    clean = sanitise_html("<p>1 &lt; 2 &amp;&amp; &lt;script&gt;x&lt;/script&gt; a=b c:d</p>")
    assert clean == "<p>1 &lt; 2 &amp;&amp; &lt;script&gt;x&lt;/script&gt; a&#61;b c&#58;d</p>"


def test_unclosed_and_misnested_tags_are_balanced() -> None:
    assert sanitise_html("<b><i>x</b> y") == "<b><i>x</i></b> y"
    assert sanitise_html("</div>z<ul><li>a") == "z<ul><li>a</li></ul>"


def test_unclosed_script_hides_the_rest() -> None:
    assert sanitise_html("ok<script>alert(1)") == "ok"


def test_attributes_are_checked() -> None:
    clean = sanitise_html('<ol start="3" type="a"><li>x</li></ol><td colspan="0" rowspan=2>'
                          '<p align="center" dir="rtl" title="t">p</p><p align="evil">q</p>')
    assert '<ol start="3">' in clean and '<td rowspan="2">' in clean
    assert '<p align="center" dir="rtl" title="t">p</p><p>q</p>' in clean


def test_deep_nesting_is_flattened() -> None:
    clean = sanitise_html("<div>" * 5_000 + "deep" + "</div>" * 5_000)
    assert "deep" in clean and clean.count("<div>") <= 100


_TAG_NAMES = sorted(ALLOWED_TAGS | {"script", "style", "img", "svg", "iframe", "a", "math",
                                    "object", "embed", "form", "link", "meta", "base", "xmp",
                                    "title", "textarea", "input", "video", "noscript"})
_ATTR_NAMES = ["href", "src", "srcset", "onerror", "onclick", "ONLOAD", "style", "title",
               "colspan", "xlink:href", "formaction", "background", "data", "poster", "action"]
_ATTR_VALUES = st.sampled_from(["javascript:alert(1)", "http://x.example/a.png", "1",
                                " JAVASCRIPT:x", "x onerror=alert(1)", '"><script>a()</script>',
                                "url(http://x)", "data:text/html,<script>a()</script>"])


@st.composite
def _markup(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(_TAG_NAMES))
        if kind == 0:
            attrs = draw(st.lists(st.tuples(st.sampled_from(_ATTR_NAMES), _ATTR_VALUES),
                                  max_size=3))
            quote = draw(st.sampled_from(['"', "'", ""]))
            rendered = "".join(f" {n}={quote}{v}{quote}" for n, v in attrs)
            parts.append(f"<{tag}{rendered}{draw(st.sampled_from(['>', '/>', '']))}")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(draw(st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "<!", "<?x",
                                               "&lt;", "&#106;avascript:", "<", ">", "'", '"'])))
        else:
            parts.append(draw(st.text(max_size=20)))
    return "".join(parts)


@settings(max_examples=500, deadline=None)
@given(_markup())
def test_sanitised_output_is_always_safe(markup: str) -> None:
    _assert_safe(sanitise_html(markup))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_sanitised_arbitrary_text_is_always_safe(text: str) -> None:
    _assert_safe(sanitise_html(text))


# --- read_text_evidence ------------------------------------------------------------------


def test_read_text_evidence_prepares_each_flavour() -> None:
    md = read_text_evidence(b"# Hi\n", name="a.md", media_type=None)
    assert md.flavour is TextFlavour.MARKDOWN and md.html == "<h1>Hi</h1>\n"
    page = read_text_evidence(b"<p onclick=x()>Hi</p>", name="a.html", media_type=None)
    assert page.flavour is TextFlavour.HTML and page.html == "<p>Hi</p>"
    tsv = read_text_evidence(b"a\tb\n1\t2\n", name="t.tsv", media_type=None)
    assert tsv.table is not None and tsv.table.delimiter == "\t" and tsv.html is None
    plain = read_text_evidence(FRENCH.encode("cp1252"), name="n.txt", media_type=None)
    assert plain.flavour is TextFlavour.PLAIN and plain.html is None and plain.table is None
    assert plain.decoded.text == FRENCH


def test_long_lines_are_broken_for_display_only() -> None:
    minified = "{" + ",".join(f'"k{i}":{i}' for i in range(2_000)) + "}"
    evidence = read_text_evidence(minified.encode(), name="m.json", media_type=None)
    assert evidence.decoded.text == minified
    assert evidence.lines_broken
    assert max(len(line) for line in evidence.display_text.split("\n")) <= 5_000
    assert evidence.display_text.replace("\n", "") == minified
    assert evidence.notes() == ("Lines longer than 5,000 characters are shown in pieces.",)
    short = read_text_evidence(b"a\nb\n", name="a.txt", media_type=None)
    assert (short.display_text, short.lines_broken, short.notes()) == ("a\nb\n", False, ())
