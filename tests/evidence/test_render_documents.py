"""Documents through the render service: pages, words, search, passwords, broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessor.evidence.render import (
    BrokenEvidence,
    PasswordRequired,
    RenderService,
    UnsupportedEvidence,
    Word,
    WrongPassword,
)
from assessor.evidence.render.limits import MAX_OUTPUT_PIXELS, MAX_OUTPUT_SIDE
from tests.evidence import render_samples as samples
from tests.evidence.pixels import ink_box, non_white, pixel


def test_a_multi_page_pdf_with_text_and_pictures_renders(render_service: RenderService
                                                         ) -> None:
    with render_service.open_document(samples.text_pdf(3), name="report.pdf") as document:
        info = document.info
        assert info.page_count == 3
        assert info.page_sizes == ((595.0, 842.0),) * 3
        assert info.format.startswith("PDF 1.")
        assert not info.encrypted and info.warnings == ()
        for number in range(3):
            image = document.render_page(number, scale=2.0)
            assert (image.width, image.height) == (1190, 1684)
            assert image.stride >= image.width * 3
            assert len(image.samples) == image.stride * image.height
            assert image.scale == 2.0
            assert non_white(image) > 10_000
            # the red picture at (72, 200)-(272, 350) points
            assert pixel(image, 2 * 170, 2 * 275) == (200, 30, 30)
        box = ink_box(document.render_page(0, scale=1.0))
        assert box is not None and 70 <= box[0] <= 74 and 70 <= box[1] <= 82


def test_clip_and_rotation(render_service: RenderService) -> None:
    with render_service.open_document(samples.text_pdf(1)) as document:
        clip = (72.0, 200.0, 272.0, 350.0)  # exactly the red picture
        part = document.render_page(0, scale=1.0, clip=clip)
        assert (part.width, part.height) == (200, 150)
        assert pixel(part, 100, 75) == (200, 30, 30)
        turned = document.render_page(0, scale=1.0, rotation=90)
        assert (turned.width, turned.height) == (842, 595)
        # turned clockwise: the picture's point (172, 275) lands at (842 - 275, 172)
        assert pixel(turned, 842 - 275, 172) == (200, 30, 30)
        upside = document.render_page(0, scale=1.0, rotation=180)
        assert pixel(upside, 595 - 172, 842 - 275) == (200, 30, 30)
        with pytest.raises(ValueError, match="multiple of 90"):
            document.render_page(0, scale=1.0, rotation=45)
        with pytest.raises(IndexError):
            document.render_page(1, scale=1.0)


def test_page_sizes_of_mixed_and_rotated_pages(render_service: RenderService) -> None:
    with render_service.open_document(samples.text_pdf(1, width=300, height=200)) as small:
        assert small.info.page_sizes == ((300.0, 200.0),)
    with render_service.open_document(samples.rotated_pdf()) as document:
        assert document.info.page_sizes == ((400.0, 200.0),)  # as shown: /Rotate 90
        image = document.render_page(0, scale=1.0)
        assert (image.width, image.height) == (400, 200)
        words = document.page_words(0)
        assert [w.text for w in words] == ["Sideways"]
        word = words[0]
        # page space is the page as shown: the word's box holds the drawn ink
        ink = ink_box(image)
        assert ink is not None
        assert word.x0 - 2 <= ink[0] and ink[2] <= word.x1 + 2
        assert word.y0 - 2 <= ink[1] and ink[3] <= word.y1 + 2
        hits = document.search("sideways")
        assert len(hits) == 1 and hits[0].page == 0
        rect = hits[0].rects[0]
        assert rect == pytest.approx((word.x0, word.y0, word.x1, word.y1), abs=0.5)


def test_words_and_text_match_what_is_drawn(render_service: RenderService) -> None:
    with render_service.open_document(samples.text_pdf(2, image=False)) as document:
        words = document.page_words(1)
        assert [w.text for w in words[:2]] == ["Page", "2"]
        assert [w.text for w in words[2:]] == samples.LINE.split()
        first = words[0]
        assert 71 <= first.x0 <= 73 and first.y1 <= 110 and first.y0 >= 65
        assert (first.block, first.line, first.word) == (0, 0, 0)
        fox = next(w for w in words if w.text == "fox")
        clip = (fox.x0, fox.y0, fox.x1, fox.y1)
        assert non_white(document.render_page(1, scale=4.0, clip=clip)) > 100
        assert "Page 2" in document.page_text(1)
        assert samples.LINE in document.page_text(1)


def test_search_is_case_insensitive_across_lines_with_one_rect_per_line(
        render_service: RenderService) -> None:
    with render_service.open_document(samples.wrapped_pdf()) as document:
        words: dict[str, Word] = {}
        for word in document.page_words(0):
            words.setdefault(word.text, word)  # the first "brown"
        hits = document.search("QUICK")
        assert [h.page for h in hits] == [0, 0]
        assert hits[0].rects[0] == pytest.approx(
            (words["quick"].x0, words["quick"].y0, words["quick"].x1, words["quick"].y1),
            abs=0.5)
        assert hits[1].rects[0][0] == pytest.approx(words["QUICK"].x0, abs=0.5)
        wrapped = document.search("brown   fox")  # spans the line break; spaces squeezed
        assert len(wrapped) == 1
        top, bottom = wrapped[0].rects
        assert top[1] < bottom[1]
        assert top[0] == pytest.approx(words["brown"].x0, abs=0.5)
        assert bottom[2] == pytest.approx(words["fox"].x1, abs=0.5)
        part = document.search("ere is")  # inside words: only the matching letters
        assert len(part) == 1
        left, _, right, _ = part[0].rects[0]
        assert words["Here"].x0 < left < words["Here"].x1 < right < words["is"].x1 + 0.5
        assert document.search("giraffe") == ()
        assert document.search("   ") == ()
        assert len(document.search("brown", max_hits=1)) == 1


def test_search_covers_every_page(render_service: RenderService) -> None:
    with render_service.open_document(samples.text_pdf(12, image=False)) as document:
        hits = document.search("lazy dog")
        assert [h.page for h in hits] == list(range(12))
        assert [h.page for h in document.search("page 11")] == [10]


def test_encrypted_pdf_asks_for_its_password(render_service: RenderService) -> None:
    data = samples.encrypted_pdf("s3cret")
    with pytest.raises(PasswordRequired, match="This PDF is protected by a password") as no:
        render_service.open_document(data, name="locked.pdf")
    assert not isinstance(no.value, WrongPassword)
    with pytest.raises(WrongPassword, match="That password does not open this PDF"):
        render_service.open_document(data, password="guess")
    with render_service.open_document(data, password="s3cret") as document:
        assert document.info.encrypted
        assert non_white(document.render_page(0, scale=1.0)) > 1000
        assert "Page 1" in document.page_text(0)


def test_broken_files_get_a_clear_message(render_service: RenderService) -> None:
    whole = samples.text_pdf(3)
    with render_service.open_document(whole[:len(whole) * 2 // 3], name="cut.pdf") as cut:
        assert any(w.startswith("repaired:") for w in cut.info.warnings)
        assert cut.info.page_count >= 1
        cut.render_page(0, scale=1.0)
    messages = {
        b"%PDF-1.4\n" + bytes(range(256)) * 4: "This PDF cannot be read: it is damaged",
        b"\x13\x88" + bytes(range(200)) * 3: "This PDF cannot be read: it is damaged",
        samples.zero_page_pdf(): "This PDF has no pages to show",
        b"": "This PDF is empty",
    }
    for data, message in messages.items():
        with pytest.raises(BrokenEvidence, match=message):
            render_service.open_document(data, name="evidence.pdf")


def test_other_kinds_are_refused_by_open_document(render_service: RenderService) -> None:
    with pytest.raises(UnsupportedEvidence, match="song.mp3 is a sound recording, not a"):
        render_service.open_document(b"ID3\x04" + bytes(100), name="song.mp3")
    with pytest.raises(UnsupportedEvidence, match="scan.pdf is a picture, not a document"):
        render_service.open_document(samples.png_bytes(8, 8, (0, 0, 0)), name="scan.pdf")


def test_a_huge_mediabox_is_drawn_within_the_caps(render_service: RenderService) -> None:
    with render_service.open_document(samples.huge_mediabox_pdf(200_000)) as document:
        assert document.info.page_sizes == ((200_000.0, 200_000.0),)
        image = document.render_page(0, scale=1.0)
        assert image.width * image.height <= MAX_OUTPUT_PIXELS
        assert max(image.width, image.height) <= MAX_OUTPUT_SIDE
        assert image.scale < 0.05
        assert image.width == pytest.approx(200_000 * image.scale, abs=1)
        clipped = document.render_page(0, scale=2.0, clip=(0, 0, 300, 300))
        assert (clipped.width, clipped.height) == (600, 600) and clipped.scale == 2.0


def test_javascript_in_a_pdf_never_runs(render_service: RenderService) -> None:
    with render_service.open_document(samples.javascript_pdf(), name="js.pdf") as document:
        assert document.info.title == ""  # the script would have set it to "pwned"
        assert non_white(document.render_page(0, scale=1.0)) > 1000
        assert render_service._run(
            document._source, "javascript_enabled", (document._source.key,),
            _task()).value is False


def _task():
    from assessor.evidence.render.service import _Task

    return _Task("The check", "to finish", "checking")


def test_epub_cbz_and_svg_open(render_service: RenderService) -> None:
    with render_service.open_document(samples.epub_bytes(2), name="diary.epub") as book:
        assert book.info.format.upper().startswith("EPUB")
        assert book.info.page_count >= 2
        assert book.info.title == "Site Diary"
        assert non_white(book.render_page(0, scale=1.0)) > 500
        assert [h.page for h in book.search("lazy dog")] == [0, 1] or \
            len(book.search("lazy dog")) == 2
    with render_service.open_document(samples.cbz_bytes(), name="comic.cbz") as comic:
        assert comic.info.page_count == 2
        image = comic.render_page(0, scale=1.0)
        centre = pixel(image, image.width // 2, image.height // 2)
        assert centre[1] > 100 and centre[0] < 50  # the green first page
    with render_service.open_document(samples.SVG, name="badge.svg") as svg:
        assert svg.info.page_sizes == ((200.0, 100.0),)
        image = svg.render_page(0, scale=1.0)
        assert pixel(image, 100, 20)[2] > 150  # the blue rectangle


def test_an_svg_never_loads_files_it_points_to(render_service: RenderService,
                                               tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(samples.png_bytes(50, 50, (0, 0, 0)))
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
           f' width="50" height="50"><image width="50" height="50" href="{secret}"/>'
           f'<image width="50" height="50" xlink:href="file://{secret}"/></svg>').encode()
    with render_service.open_document(svg, name="peek.svg") as document:
        assert non_white(document.render_page(0, scale=1.0)) == 0


def test_fictionbook_opens(render_service: RenderService) -> None:
    fb2 = ('<?xml version="1.0" encoding="utf-8"?><FictionBook xmlns='
           '"http://www.gribuser.ru/xml/fictionbook/2.0"><description><title-info>'
           "<book-title>Logbook</book-title></title-info></description><body><section>"
           f"<p>{samples.LINE}</p></section></body></FictionBook>").encode()
    with render_service.open_document(fb2, name="log.fb2") as book:
        assert book.info.format == "FictionBook2"
        assert len(book.search("lazy dog")) == 1


def test_closed_documents_say_so(render_service: RenderService) -> None:
    document = render_service.open_document(samples.text_pdf(1, image=False))
    document.close()
    document.close()
    with pytest.raises(Exception, match="closed"):
        document.render_page(0, scale=1.0)
