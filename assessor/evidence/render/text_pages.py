# mypy: disable-error-code="no-untyped-call"
"""Text evidence laid out on A4 pages as a PDF, for the headless ``render`` command.

The text is decoded and made safe by ``assessor.evidence.text_formats`` (Markdown and HTML
come back sanitised, CSV as a table, anything else is escaped into a ``<pre>``), then
PyMuPDF's Story lays the HTML out. No resource outside the HTML is ever loaded.
"""

from __future__ import annotations

import html
import io

MAX_PAGES = 2000
_CSS = """
body { font-family: sans-serif; font-size: 10pt; }
pre { font-family: monospace; font-size: 9pt; white-space: pre-wrap; }
table { border-collapse: collapse; }
td, th { border: 0.5pt solid #999; padding: 2pt 4pt; font-size: 9pt; }
th { background-color: #eee; }
"""
_CSV_ROWS = 5000


def text_html(data: bytes, *, name: str, media_type: str | None) -> str:
    """The evidence as safe HTML."""
    from assessor.evidence.text_formats import TextFlavour, read_text_evidence

    evidence = read_text_evidence(data, name=name, media_type=media_type)
    if evidence.html is not None:
        return evidence.html
    table = evidence.table
    if evidence.flavour is TextFlavour.CSV and table is not None:
        rows = ["<table>"]
        if table.header is not None:
            rows.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in table.header)
                        + "</tr>")
        for row in table.rows[:_CSV_ROWS]:
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
        rows.append("</table>")
        return "".join(rows)
    return f"<pre>{html.escape(evidence.decoded.text)}</pre>"


def text_to_pdf(data: bytes, *, name: str, media_type: str | None,
                pages: int = MAX_PAGES) -> bytes:
    """The first ``pages`` A4 pages (at most ``MAX_PAGES``) of the text as a PDF."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    story = pymupdf.Story(html=text_html(data, name=name, media_type=media_type),
                          user_css=_CSS, archive=None)
    out = io.BytesIO()
    writer = pymupdf.DocumentWriter(out)
    mediabox = pymupdf.paper_rect("a4")
    where = mediabox + (48, 48, -48, -48)
    more, count = True, 0
    while more and count < min(pages, MAX_PAGES):
        device = writer.begin_page(mediabox)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
        count += 1
    writer.close()
    return out.getvalue()
