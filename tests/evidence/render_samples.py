"""Evidence files made in the tests with PyMuPDF, Pillow and zipfile: no binary fixtures."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pymupdf
from PIL import Image

LINE = "The quick brown fox jumps over the lazy dog"


def text_pdf(pages: int = 3, *, image: bool = True, width: float = 595,
             height: float = 842) -> bytes:
    """Each page: "Page N" large, a sentence, and a coloured picture (when ``image``)."""
    doc = pymupdf.open()
    picture = png_bytes(64, 48, (200, 30, 30)) if image else b""
    for number in range(pages):
        page = doc.new_page(width=width, height=height)
        page.insert_text((72, 100), f"Page {number + 1}", fontsize=28)
        page.insert_text((72, 160), LINE, fontsize=12)
        if image:
            page.insert_image(pymupdf.Rect(72, 200, 272, 350), stream=picture)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def wrapped_pdf() -> bytes:
    """"brown fox" broken across two lines, and "Quick" in another case."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Here is the quick brown", fontsize=12)
    page.insert_text((72, 120), "fox and a QUICK brown cat", fontsize=12)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def rotated_pdf() -> bytes:
    """One 200 x 400 pt page with /Rotate 90: it shows 400 x 200."""
    doc = pymupdf.open()
    page = doc.new_page(width=200, height=400)
    page.insert_text((20, 50), "Sideways", fontsize=14)
    page.set_rotation(90)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def encrypted_pdf(password: str = "s3cret") -> bytes:
    doc = pymupdf.open(stream=text_pdf(1, image=False), filetype="pdf")
    aes_256 = pymupdf.PDF_ENCRYPT_AES_256  # type: ignore[attr-defined]
    data: bytes = doc.tobytes(encryption=aes_256, user_pw=password,
                              owner_pw=password + "-owner")
    doc.close()
    return data


def zero_page_pdf() -> bytes:
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    return raw_pdf(objects)


def huge_mediabox_pdf(side: float = 200_000) -> bytes:
    doc = pymupdf.open(stream=text_pdf(1, image=False), filetype="pdf")
    page = doc[0]
    doc.xref_set_key(page.xref, "MediaBox", f"[0 0 {side:g} {side:g}]")
    data: bytes = doc.tobytes()
    doc.close()
    return data


def javascript_pdf() -> bytes:
    """Opens with JavaScript (an OpenAction and a document-level script) that would change
    the title and show an alert if anything ran it."""
    doc = pymupdf.open(stream=text_pdf(1, image=False), filetype="pdf")
    script = "this.info.Title = 'pwned'; app.alert('ran');"
    catalog = doc.pdf_catalog()
    doc.xref_set_key(catalog, "OpenAction", f"<</S/JavaScript/JS({script})>>")
    js_xref = doc.get_new_xref()
    doc.update_object(js_xref, f"<</S/JavaScript/JS({script})>>")
    doc.xref_set_key(catalog, "Names", f"<</JavaScript<</Names[(boot) {js_xref} 0 R]>>>>")
    data: bytes = doc.tobytes()
    doc.close()
    return data


def heavy_vector_pdf(depth: int = 3, fan_out: int = 10) -> bytes:
    """A small file whose one page draws fan_out**depth copies of a 200-segment path
    through nested form XObjects: about 30 s of drawing at depth 3."""
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=300)
    segments = " ".join(f"{(i * 37) % 300} {(i * 91) % 300} l" for i in range(200))
    leaf = doc.get_new_xref()
    doc.update_object(leaf, "<</Type/XObject/Subtype/Form/BBox[0 0 300 300]>>")
    doc.update_stream(leaf, f"0.1 w 0 0 m {segments} S".encode())
    child = leaf
    for _ in range(depth):
        xref = doc.get_new_xref()
        doc.update_object(xref, f"<</Type/XObject/Subtype/Form/BBox[0 0 300 300]"
                                f"/Resources<</XObject<</X {child} 0 R>>>>>>")
        draws = " ".join(f"q 1 0 0 1 {i * 0.01:.2f} 0 cm /X Do Q" for i in range(fan_out))
        doc.update_stream(xref, draws.encode())
        child = xref
    doc.xref_set_key(page.xref, "Resources", f"<</XObject<</Top {child} 0 R>>>>")
    contents = doc.get_new_xref()
    doc.update_object(contents, "<<>>")
    doc.update_stream(contents, b"/Top Do")
    doc.xref_set_key(page.xref, "Contents", f"{contents} 0 R")
    data: bytes = doc.tobytes()
    doc.close()
    return data


def image_bomb_pdf(side: int = 12_000) -> bytes:
    """A page holding one side x side RGB picture that compresses to ~0.4 MB (432 MB
    decoded at 12,000)."""
    doc = pymupdf.open()
    page = doc.new_page(width=side / 10, height=side / 10)
    packer = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    row = b"\x7f" * (side * 3)
    stream = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    picture = doc.get_new_xref()
    doc.update_object(picture, f"<</Type/XObject/Subtype/Image/Width {side}/Height {side}"
                               "/ColorSpace/DeviceRGB/BitsPerComponent 8/Filter/FlateDecode>>")
    doc.update_stream(picture, stream, compress=False)
    doc.xref_set_key(page.xref, "Resources", f"<</XObject<</Im {picture} 0 R>>>>")
    contents = doc.get_new_xref()
    doc.update_object(contents, "<<>>")
    doc.update_stream(contents, f"q {side / 10} 0 0 {side / 10} 0 0 cm /Im Do Q".encode())
    doc.xref_set_key(page.xref, "Contents", f"{contents} 0 R")
    data: bytes = doc.tobytes()
    doc.close()
    return data


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (1 0 obj ... endobj), with a correct xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


# --- pictures ------------------------------------------------------------------------------


def png_bytes(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    return image_bytes(Image.new("RGB", (width, height), colour), "PNG")


def image_bytes(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def two_tone(width: int = 40, height: int = 20) -> Image.Image:
    """Left half red, right half blue."""
    image = Image.new("RGB", (width, height), (220, 0, 0))
    image.paste((0, 0, 220), (width // 2, 0, width, height))
    return image


def exif_rotated_jpeg() -> bytes:
    """Stored 40 x 20 (left red, right blue) with EXIF orientation 6 (turn 90° clockwise
    to show): upright it is 20 x 40, red on top, blue below."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 80D"
    details = exif.get_ifd(0x8769)
    details[0x9003] = "2024:05:01 10:22:33"
    details[0x829A] = 1 / 125
    details[0x829D] = 2.8
    details[0x8827] = 200
    return image_bytes(two_tone(), "JPEG", exif=exif, quality=95, dpi=(300, 300))


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG that declares width x height pixels in a few hundred bytes."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 16, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + \
        chunk(b"IEND", b"")


def big_photo(width: int = 5472, height: int = 3648) -> bytes:
    """A 20-megapixel JPEG with some detail (gradients), as a camera makes."""
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_180),
                                gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    return image_bytes(image, "JPEG", quality=90)


# --- e-books, comics, SVG ----------------------------------------------------------------


def epub_bytes(chapters: int = 2) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", (
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>"))
        items = "".join(f'<item id="c{n}" href="c{n}.xhtml" '
                        'media-type="application/xhtml+xml"/>' for n in range(chapters))
        spine = "".join(f'<itemref idref="c{n}"/>' for n in range(chapters))
        archive.writestr("content.opf", (
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
            'version="3.0" unique-identifier="id"><metadata '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Site Diary</dc:title>'
            '<dc:identifier id="id">x</dc:identifier><dc:language>en</dc:language>'
            f"</metadata><manifest>{items}</manifest><spine>{spine}</spine></package>"))
        for n in range(chapters):
            archive.writestr(f"c{n}.xhtml", (
                '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
                f"<h1>Chapter {n + 1}</h1><p>{LINE}</p></body></html>"))
    return out.getvalue()


def cbz_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("001.png", png_bytes(120, 180, (10, 120, 10)))
        archive.writestr("002.jpg", image_bytes(two_tone(120, 180), "JPEG"))
    return out.getvalue()


SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="200" '
       b'height="100"><rect x="10" y="10" width="180" height="80" fill="#1060c0"/>'
       b'<text x="20" y="60" font-size="20">Badge</text></svg>')
