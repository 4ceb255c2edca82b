"""TextEvidenceView: each kind of text shows as it should, find highlights, hostile HTML
fetches nothing, and big text opens off the GUI thread."""

from __future__ import annotations

import time

import pytest

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QTextDocument

from assessor.evidence.text_formats import MAX_TEXT_BYTES, TextFlavour
from ui.evidence.text_view import SYNC_LIMIT, TextEvidenceView
from ui.evidence.text_widgets import SafeTextBrowser


@pytest.fixture
def view(qtbot):
    widget = TextEvidenceView()
    qtbot.add_widget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.wait_exposed(widget)
    return widget


def load(view: TextEvidenceView, data: bytes, name: str, media_type: str | None = None) -> None:
    view.load(data, name=name, media_type=media_type, evidence_id="ev-1")


def find(view: TextEvidenceView, qtbot, text: str) -> None:
    view.find_edit.setFocus()
    view.find_edit.setText(text)
    qtbot.wait_until(lambda: not view._find_timer.isActive())


def test_plain_text_wraps_in_the_ordinary_font(view: TextEvidenceView) -> None:
    load(view, "Reflection: I checked the site, then the harness.\n".encode("utf-16"), "r.txt")
    assert view.flavour is TextFlavour.PLAIN
    assert view.stack.currentWidget() is view.plain_view
    assert view.plain_view.toPlainText().startswith("Reflection: I checked")
    assert view.plain_view.lineWrapMode() == view.plain_view.LineWrapMode.WidgetWidth
    assert not view.plain_view.line_numbers_shown()
    assert not view.plain_view.font().fixedPitch() or view.plain_view.font() == view.font()
    assert view.info_label.text() == "UTF-16 LE, byte order mark · Plain text"
    assert view.note_label.isHidden()


def test_source_is_monospaced_unwrapped_with_line_numbers(view: TextEvidenceView) -> None:
    load(view, b"def main():\n    return 42\n", "main.py", "text/plain")
    assert view.flavour is TextFlavour.SOURCE
    assert view.plain_view.lineWrapMode() == view.plain_view.LineWrapMode.NoWrap
    assert view.plain_view.line_numbers_shown()
    assert view.plain_view.viewportMargins().left() > 0
    assert view.info_label.text() == "UTF-8 · Source code"


def test_markdown_is_rendered(view: TextEvidenceView) -> None:
    load(view, b"# Site visit\n\nAll **good**.\n\n- one\n- two\n", "notes.md")
    assert view.flavour is TextFlavour.MARKDOWN
    assert view.stack.currentWidget() is view.rich_view
    assert view.rich_view.toPlainText().startswith("Site visit\nAll good.")
    assert "# Site" not in view.rich_view.toPlainText()
    assert view.as_text_button.isHidden()


def test_csv_shows_a_table_with_its_header_and_row_count(view: TextEvidenceView,
                                                         qtbot) -> None:
    load(view, b"name;score;comment\nAlice;4;clear\nBob;3\nCarol;5;neat\n", "scores.csv")
    assert view.stack.currentWidget() is view.table_view
    model = view.table_view.model()
    assert (model.rowCount(), model.columnCount()) == (3, 3)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert headers == ["name", "score", "comment"]
    assert model.index(1, 2).data() == ""
    assert view.info_label.text() == "UTF-8 · Table (CSV) · 3 rows"
    find(view, qtbot, "CAROL")
    assert view.match_count() == 1
    assert model.index(0, 0).data() == "Carol"
    assert model.headerData(0, Qt.Orientation.Vertical) == "3"
    assert view.count_label.text() == "1 of 3 rows"
    find(view, qtbot, "")
    assert model.rowCount() == 3


def test_csv_model_passes_the_model_tester(view: TextEvidenceView, qtmodeltester) -> None:
    load(view, b"a,b\n1,2\n3,4,5\n", "t.csv")
    qtmodeltester.check(view.table_view.model())


def test_find_highlights_every_match_and_steps_through_them(view: TextEvidenceView,
                                                            qtbot) -> None:
    text = "apple banana\n" * 3 + "cherry Apple\n"
    load(view, text.encode(), "fruit.txt")
    find(view, qtbot, "apple")
    assert view.match_count() == 4
    selections = view.plain_view.extraSelections()
    assert len(selections) == 5  # every match, and the current one again on top
    assert {s.cursor.selectedText().lower() for s in selections} == {"apple"}
    assert selections[-1].format.background().color() == QColor("#f9ab00")
    assert view.count_label.text() == "1 of 4"
    view.find_next()
    assert view.current_match() == 1 and view.count_label.text() == "2 of 4"
    view.find_previous()
    view.find_previous()
    assert view.current_match() == 3 and view.count_label.text() == "4 of 4"
    assert view.plain_view.textCursor().blockNumber() == 3


def test_enter_and_shift_enter_in_the_find_box(view: TextEvidenceView, qtbot) -> None:
    load(view, b"x y x y x\n", "a.txt")
    find(view, qtbot, "x")
    qtbot.keyClick(view.find_edit, Qt.Key.Key_Return)
    assert view.current_match() == 1
    qtbot.keyClick(view.find_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert view.current_match() == 0


def test_ctrl_f_focuses_the_find_box(view: TextEvidenceView, qtbot) -> None:
    load(view, b"some text\n", "a.txt")
    view.plain_view.setFocus()
    qtbot.wait_until(view.plain_view.hasFocus)
    qtbot.keyClick(view.plain_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.find_edit.hasFocus()


def test_no_match_says_so(view: TextEvidenceView, qtbot) -> None:
    load(view, b"nothing here\n", "a.txt")
    find(view, qtbot, "zebra")
    assert view.match_count() == 0 and view.count_label.text() == "No matches"
    assert view.plain_view.extraSelections() == []


def test_find_in_rendered_markdown(view: TextEvidenceView, qtbot) -> None:
    load(view, b"# Safety\n\nWear *safety* boots.\n", "n.md")
    find(view, qtbot, "safety")
    assert view.match_count() == 2
    assert len(view.rich_view.extraSelections()) == 3


HOSTILE = b"""<html><head><script>document.title='owned'</script>
<link rel=stylesheet href="http://evil.example/s.css">
<style>p { background: url(http://evil.example/bg.png) }</style></head>
<body background="http://evil.example/body.png">
<p onclick="alert(1)">Portfolio page</p>
<img src="http://tracker.example/pixel.png" onerror="alert(1)" alt="pixel">
<img src="file:///etc/passwd">
<a href="javascript:alert(1)">click me</a>
<table background="https://evil.example/t.png"><tr><td>cell</td></tr></table>
</body></html>"""


def test_hostile_html_shows_no_script_and_loads_nothing(view: TextEvidenceView) -> None:
    load(view, HOSTILE, "page.html")
    assert view.flavour is TextFlavour.HTML
    assert view.stack.currentWidget() is view.rich_view
    assert not view.showing_html_as_text() and view.as_text_button.isVisible()
    shown = view.rich_view.toPlainText()
    assert "Portfolio page" in shown and "click me" in shown and "cell" in shown
    assert "owned" not in shown and "alert" not in shown
    markup = view.rich_view.toHtml().lower()
    assert "javascript" not in markup and "href" not in markup and "<img" not in markup
    view.repaint()
    remote = [url for url in view.rich_view.requested_resources if url.scheme() != ""]
    assert remote == []
    assert view.rich_view.requested_resources == []


def test_the_browser_itself_loads_nothing_even_for_unsanitised_markup(qtbot) -> None:
    browser = SafeTextBrowser()
    qtbot.add_widget(browser)
    browser.setHtml('<img src="http://tracker.example/p.png"><img src="file:///etc/hostname">'
                    '<p style="background-image:url(http://x.example/b.png)">x</p>')
    browser.show()
    qtbot.wait_exposed(browser)
    browser.repaint()
    asked = {url.toString() for url in browser.requested_resources}
    assert "http://tracker.example/p.png" in asked  # asked, and answered with nothing
    assert browser.document().resource(QTextDocument.ResourceType.ImageResource.value,
                                       QUrl("http://tracker.example/p.png")) is None


def test_html_as_text_toggle(view: TextEvidenceView, qtbot) -> None:
    load(view, b"<p>Hello <b>there</b></p>", "p.htm")
    view.as_text_button.click()
    assert view.showing_html_as_text()
    assert view.stack.currentWidget() is view.plain_view
    assert view.plain_view.toPlainText() == "<p>Hello <b>there</b></p>"
    find(view, qtbot, "<b>")
    assert view.match_count() == 1
    view.as_text_button.click()
    assert view.stack.currentWidget() is view.rich_view
    assert view.rich_view.toPlainText() == "Hello there"


def test_detected_encoding_is_named(view: TextEvidenceView) -> None:
    text = "Привет, мир! Это проверка кодировки для доказательств ученика. " * 5
    load(view, text.encode("utf-16-le"), "privet.txt")
    assert view.info_label.text() == "UTF-16 LE, detected · Plain text"
    assert view.plain_view.toPlainText() == text


def test_large_text_opens_off_the_gui_thread_with_a_note(view: TextEvidenceView,
                                                         qtbot) -> None:
    line = "Line of a long log file with some words in it, number 12345.\n"
    data = (line * (MAX_TEXT_BYTES // len(line) + 20_000)).encode()
    assert len(data) > SYNC_LIMIT
    started = time.perf_counter()
    with qtbot.wait_signal(view.loaded, timeout=30_000):
        load(view, data, "big.log")
        assert time.perf_counter() - started < 0.5  # load() returned at once
        assert view.message_label.text() == "Opening…"
    assert view.stack.currentWidget() is view.plain_view
    assert view.note_label.isVisible()
    assert view.note_label.text().startswith("Showing the first 5 MB of 6")
    assert view.plain_view.blockCount() > 80_000


def test_a_newer_load_wins_over_a_slow_one(view: TextEvidenceView, qtbot) -> None:
    big = b"old evidence\n" * (SYNC_LIMIT // 10)
    load(view, big, "old.txt")
    load(view, b"new evidence\n", "new.txt")
    view._runner.wait()
    qtbot.wait(50)
    assert view.plain_view.toPlainText() == "new evidence\n"


def test_clear_drops_everything_and_pins_do_nothing(view: TextEvidenceView) -> None:
    fired: list[object] = []
    view.pin_requested.connect(fired.append)
    load(view, b"a,b\n1,2\n", "t.csv")
    view.set_pin_mode(True)
    view.set_pins([])
    view.show_pin(object())
    view.clear()
    assert view.table_view.model() is None and view.evidence is None
    assert view.info_label.text() == "" and view.evidence_id == ""
    assert fired == []


def test_a_megabyte_on_one_line_opens_quickly_in_pieces(view: TextEvidenceView, qtbot) -> None:
    minified = "{" + ",".join(f'"key{i}":{i}' for i in range(100_000)) + "}"
    with qtbot.wait_signal(view.loaded, timeout=30_000):
        load(view, minified.encode(), "data.json")
    assert view.note_label.text() == "Lines longer than 5,000 characters are shown in pieces."
    assert view.plain_view.blockCount() > 200
    find(view, qtbot, '"key99999"')
    assert view.match_count() == 1
