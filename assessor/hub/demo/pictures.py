# mypy: disable-error-code="no-untyped-call"
"""Pictures for the demo evidence, drawn with PyMuPDF on a scratch page and rasterised:
charts, a social post mock-up, a stakeholder map, photo-like scenes and video frames.
Everything is deterministic for a given seed."""

from __future__ import annotations

import random
import threading
import unicodedata
from collections.abc import Sequence

import pymupdf

Colour = tuple[float, float, float]
Point = tuple[float, float] | pymupdf.Point

PALETTE: tuple[Colour, ...] = ((0.15, 0.39, 0.92), (0.96, 0.62, 0.04), (0.06, 0.46, 0.43),
                               (0.88, 0.11, 0.28), (0.49, 0.23, 0.93), (0.2, 0.2, 0.2))
SKIN: tuple[Colour, ...] = ((0.96, 0.8, 0.66), (0.82, 0.6, 0.45), (0.6, 0.4, 0.28),
                            (0.4, 0.26, 0.18), (0.93, 0.72, 0.58))


def plain(text: str) -> str:
    """``text`` in ASCII (accents dropped): the base-14 fonts drawn here have no more."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


_scratch = threading.local()


class Sketch:
    """A scratch page whose drawing is collected in one shape and committed once (each
    separate ``Page.draw_*`` call rewrites the page's contents, which is slow)."""

    def __init__(self, width: float, height: float) -> None:
        doc: pymupdf.Document | None = getattr(_scratch, "doc", None)
        if doc is None or doc.page_count >= 40:  # fonts load once per document
            doc = _scratch.doc = pymupdf.open()
        self.page = doc.new_page(width=width, height=height)
        self.rect = self.page.rect
        self.shape = self.page.new_shape()

    def draw_rect(self, rect: pymupdf.Rect, color: Colour | None = (0, 0, 0),
                  fill: Colour | None = None, width: float = 1.0,
                  radius: float | None = None) -> None:
        self.shape.draw_rect(rect, radius=radius)
        self.shape.finish(width=width, color=color, fill=fill)

    def draw_line(self, a: Point, b: Point, color: Colour = (0, 0, 0),
                  width: float = 1.0) -> None:
        self.shape.draw_line(a, b)
        self.shape.finish(width=width, color=color)

    def draw_circle(self, center: Point, radius: float, color: Colour | None = (0, 0, 0),
                    fill: Colour | None = None, width: float = 1.0) -> None:
        self.shape.draw_circle(center, radius)
        self.shape.finish(width=width, color=color, fill=fill)

    def draw_oval(self, rect: pymupdf.Rect, color: Colour | None = (0, 0, 0),
                  fill: Colour | None = None) -> None:
        self.shape.draw_oval(rect)
        self.shape.finish(color=color, fill=fill)

    def insert_text(self, point: Point, text: str, fontsize: float = 11,
                    fontname: str = "helv", color: Colour = (0, 0, 0),
                    rotate: int = 0) -> None:
        self.shape.insert_text(point, plain(text), fontsize=fontsize, fontname=fontname,
                               color=color, rotate=rotate)

    def insert_textbox(self, rect: pymupdf.Rect, text: str, fontsize: float = 11) -> None:
        self.shape.insert_textbox(rect, plain(text), fontsize=fontsize)

    def _pixmap(self, scale: float) -> pymupdf.Pixmap:
        self.shape.commit()
        return self.page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)

    def png(self, scale: float = 1.0) -> bytes:
        return bytes(self._pixmap(scale).tobytes("png"))

    def jpeg(self, scale: float = 1.0, quality: int = 82) -> bytes:
        return bytes(self._pixmap(scale).tobytes("jpg", jpg_quality=quality))


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def _gradient(page: Sketch, rect: pymupdf.Rect, top: Colour, bottom: Colour,
              steps: int = 48) -> None:
    shape = page.shape
    band = rect.height / steps
    for i in range(steps):
        shape.draw_rect(pymupdf.Rect(rect.x0, rect.y0 + i * band, rect.x1,
                                     rect.y0 + (i + 1) * band + 0.5))
        shape.finish(color=None, fill=_mix(top, bottom, i / (steps - 1)))


def bar_chart_png(title: str, labels: Sequence[str], series: Sequence[Sequence[float]],
                  names: Sequence[str]) -> bytes:
    """A grouped bar chart with a title, axis, gridlines and legend."""
    page = Sketch(480, 280)
    page.draw_rect(page.rect, color=None, fill=(1, 1, 1))
    page.insert_text((20, 28), title, fontsize=14, fontname="hebo", color=(0.1, 0.1, 0.1))
    plot = pymupdf.Rect(50, 45, 460, 240)
    top = max(max(values) for values in series) * 1.15 or 1.0
    for i in range(5):
        y = plot.y1 - plot.height * i / 4
        page.draw_line((plot.x0, y), (plot.x1, y), color=(0.85, 0.85, 0.85), width=0.5)
        page.insert_text((8, y + 3), f"{top * i / 4:,.0f}", fontsize=7, color=(0.4, 0.4, 0.4))
    group = plot.width / len(labels)
    bar = group * 0.7 / len(series)
    for g, label in enumerate(labels):
        for s, values in enumerate(series):
            x = plot.x0 + g * group + group * 0.15 + s * bar
            h = plot.height * values[g] / top
            page.draw_rect(pymupdf.Rect(x, plot.y1 - h, x + bar - 1, plot.y1), color=None,
                           fill=PALETTE[s % len(PALETTE)])
        page.insert_text((plot.x0 + g * group + group * 0.2, plot.y1 + 12), label, fontsize=8)
    page.draw_line((plot.x0, plot.y1), (plot.x1, plot.y1), color=(0.2, 0.2, 0.2), width=1)
    for s, name in enumerate(names):
        x = 60 + s * 120
        page.draw_rect(pymupdf.Rect(x, 258, x + 10, 268), color=None,
                       fill=PALETTE[s % len(PALETTE)])
        page.insert_text((x + 14, 267), name, fontsize=8)
    return page.png(1.5)


def line_chart_png(title: str, values: Sequence[float], colour: Colour = PALETTE[0]) -> bytes:
    """A line chart of a daily series with shaded area."""
    page = Sketch(480, 220)
    page.draw_rect(page.rect, color=None, fill=(1, 1, 1))
    page.insert_text((20, 26), title, fontsize=13, fontname="hebo")
    plot = pymupdf.Rect(40, 40, 460, 195)
    top = max(values) * 1.1 or 1.0
    points = [pymupdf.Point(plot.x0 + plot.width * i / (len(values) - 1),
                            plot.y1 - plot.height * v / top) for i, v in enumerate(values)]
    area = page.shape
    area.draw_polyline([pymupdf.Point(plot.x0, plot.y1), *points,
                        pymupdf.Point(plot.x1, plot.y1)])
    area.finish(color=None, fill=_mix(colour, (1, 1, 1), 0.75), closePath=True)
    area.draw_polyline(points)
    area.finish(color=colour, width=2, closePath=False)
    for day in range(0, len(values), 7):
        page.insert_text((plot.x0 + plot.width * day / (len(values) - 1) - 8, plot.y1 + 14),
                         f"day {day + 1}", fontsize=7, color=(0.4, 0.4, 0.4))
    return page.png(1.5)


def _person(page: Sketch, x: float, y: float, size: float, shirt: Colour,
            skin: Colour, hair: Colour) -> None:
    shape = page.shape
    shape.draw_sector((x, y + size * 1.6), (x - size * 0.95, y + size * 1.6), -180)
    shape.finish(color=None, fill=shirt)
    shape.draw_rect(pymupdf.Rect(x - size * 0.95, y + size * 1.6, x + size * 0.95,
                                 y + size * 2.4))
    shape.finish(color=None, fill=shirt)
    shape.draw_circle((x, y), size * 0.55)
    shape.finish(color=None, fill=skin)
    shape.draw_sector((x, y - size * 0.05), (x - size * 0.58, y - size * 0.05), -180)
    shape.finish(color=None, fill=hair)


def _people(page: Sketch, rng: random.Random, count: int, y: float, size: float,
            left: float, right: float) -> None:
    for i in range(count):
        x = left + (right - left) * (i + 0.5) / count + rng.uniform(-8, 8)
        _person(page, x, y + rng.uniform(-6, 6), size * rng.uniform(0.9, 1.1),
                rng.choice(PALETTE), rng.choice(SKIN),
                _mix((0.1, 0.07, 0.05), (0.55, 0.4, 0.2), rng.random()))


def photo_jpeg(seed: int, scene: str, title: str, stamp: str) -> bytes:
    """A photo-like scene: ``team`` (a meeting table), ``workshop`` (people before a
    screen) or ``whiteboard`` (sticky notes on a stakeholder grid)."""
    rng = random.Random(seed)
    page = Sketch(640, 480)
    wall = _mix((0.93, 0.9, 0.84), (0.8, 0.86, 0.9), rng.random())
    _gradient(page, pymupdf.Rect(0, 0, 640, 330), _mix(wall, (1, 1, 1), 0.3),
              _mix(wall, (0, 0, 0), 0.15))
    _gradient(page, pymupdf.Rect(0, 330, 640, 480), (0.55, 0.45, 0.35), (0.35, 0.27, 0.2), 24)
    window = pymupdf.Rect(rng.uniform(20, 60), 40, rng.uniform(180, 220), 200)
    _gradient(page, window, (0.55, 0.75, 0.95), (0.85, 0.92, 0.98), 24)
    page.draw_rect(window, color=(1, 1, 1), width=6)
    page.draw_line((window.x0, window.y0 + window.height / 2),
                   (window.x1, window.y0 + window.height / 2), color=(1, 1, 1), width=4)
    if scene == "whiteboard":
        board = pymupdf.Rect(150, 50, 600, 330)
        page.draw_rect(board, color=(0.6, 0.6, 0.6), fill=(0.98, 0.98, 0.97), width=4)
        mid_x, mid_y = (board.x0 + board.x1) / 2, (board.y0 + board.y1) / 2
        page.draw_line((mid_x, board.y0 + 15), (mid_x, board.y1 - 15), color=(0.2, 0.2, 0.5),
                       width=2)
        page.draw_line((board.x0 + 15, mid_y), (board.x1 - 15, mid_y), color=(0.2, 0.2, 0.5),
                       width=2)
        for label, (lx, ly) in (("Keep satisfied", (board.x0 + 20, board.y0 + 24)),
                                ("Manage closely", (mid_x + 10, board.y0 + 24)),
                                ("Monitor", (board.x0 + 20, mid_y + 20)),
                                ("Keep informed", (mid_x + 10, mid_y + 20))):
            page.insert_text((lx, ly), label, fontsize=11, color=(0.15, 0.15, 0.45))
        notes = ((1, 0.92, 0.4), (0.6, 0.9, 1), (1, 0.7, 0.8), (0.7, 1, 0.7))
        for _ in range(11):
            x, y = rng.uniform(board.x0 + 20, board.x1 - 70), rng.uniform(board.y0 + 35,
                                                                          board.y1 - 60)
            page.draw_rect(pymupdf.Rect(x, y, x + 52, y + 40), color=None,
                           fill=rng.choice(notes))
            page.draw_line((x + 6, y + 14), (x + 44, y + 14), color=(0.3, 0.3, 0.3), width=1)
            page.draw_line((x + 6, y + 24), (x + 36, y + 24), color=(0.3, 0.3, 0.3), width=1)
        _people(page, rng, 2, 330, 42, 40, 200)
    elif scene == "workshop":
        screen = pymupdf.Rect(230, 60, 590, 260)
        page.draw_rect(screen, color=(0.15, 0.15, 0.15), fill=(0.96, 0.97, 1), width=5)
        page.insert_text((250, 100), title[:34], fontsize=16, fontname="hebo",
                         color=(0.1, 0.2, 0.5))
        for i in range(4):
            page.draw_circle((265, 130 + i * 30), 4, color=None, fill=PALETTE[i])
            page.draw_line((280, 130 + i * 30), (280 + rng.uniform(140, 280), 130 + i * 30),
                           color=(0.5, 0.5, 0.5), width=3)
        _people(page, rng, 6, 360, 36, 20, 620)
    else:
        table = pymupdf.Rect(90, 330, 550, 420)
        _people(page, rng, 5, 250, 40, 90, 560)
        page.draw_oval(table, color=None, fill=(0.45, 0.3, 0.2))
        for _ in range(5):
            x = rng.uniform(table.x0 + 40, table.x1 - 80)
            page.draw_rect(pymupdf.Rect(x, 355, x + 40, 380), color=None,
                           fill=(0.97, 0.97, 0.97))
        page.draw_circle((table.x1 - 60, 370), 9, color=(0.9, 0.9, 0.9), fill=(0.3, 0.15, 0.1),
                         width=3)
    # the photographer's date stamp
    page.insert_text((500, 468), stamp[:20], fontsize=9, color=(1, 0.7, 0.2))
    return page.jpeg(1.0)


def post_mockup_png(seed: int, account: str, text: str, metric: str) -> bytes:
    """A social media post as it looks in a feed: avatar, name, text, picture, reactions."""
    rng = random.Random(seed)
    page = Sketch(360, 460)
    page.draw_rect(page.rect, color=None, fill=(0.95, 0.96, 0.98))
    card = pymupdf.Rect(12, 12, 348, 448)
    page.draw_rect(card, color=(0.85, 0.86, 0.9), fill=(1, 1, 1), radius=0.04)
    page.draw_circle((40, 42), 16, color=None, fill=rng.choice(PALETTE))
    page.insert_text((64, 40), account, fontsize=11, fontname="hebo")
    page.insert_text((64, 54), "Sponsored - 2 h", fontsize=8, color=(0.45, 0.45, 0.5))
    page.insert_textbox(pymupdf.Rect(24, 68, 336, 128), text, fontsize=10)
    picture = pymupdf.Rect(24, 132, 336, 352)
    _gradient(page, picture, rng.choice(PALETTE), _mix(rng.choice(PALETTE), (1, 1, 1), 0.5), 32)
    page.draw_circle((picture.x1 - 70, picture.y0 + 60), 34, color=None, fill=(1, 0.85, 0.3))
    page.insert_text((picture.x0 + 16, picture.y1 - 24), metric, fontsize=18,
                     fontname="hebo", color=(1, 1, 1))
    page.insert_text((24, 376), f"{rng.randint(80, 900)} likes   {rng.randint(5, 90)} comments   "
                     f"{rng.randint(3, 60)} shares", fontsize=10, color=(0.35, 0.35, 0.4))
    page.draw_line((24, 392), (336, 392), color=(0.9, 0.9, 0.9), width=1)
    page.insert_text((24, 416), "Alt text: " + metric.lower(), fontsize=8,
                     color=(0.45, 0.45, 0.5))
    return page.png(1.0)


def stakeholder_map_png(names: Sequence[tuple[str, float, float]]) -> bytes:
    """A power/interest grid with each stakeholder placed at (interest, power) in 0..1."""
    page = Sketch(420, 320)
    page.draw_rect(page.rect, color=None, fill=(1, 1, 1))
    grid = pymupdf.Rect(50, 20, 400, 280)
    tints = ((0.93, 0.95, 1), (1, 0.93, 0.9), (0.95, 0.95, 0.95), (0.93, 1, 0.94))
    half_w, half_h = grid.width / 2, grid.height / 2
    quads = ((0, 0, "Keep satisfied"), (1, 0, "Manage closely"), (0, 1, "Monitor"),
             (1, 1, "Keep informed"))
    for (col, row, label), tint in zip(quads, tints, strict=True):
        r = pymupdf.Rect(grid.x0 + col * half_w, grid.y0 + row * half_h,
                         grid.x0 + (col + 1) * half_w, grid.y0 + (row + 1) * half_h)
        page.draw_rect(r, color=(0.7, 0.7, 0.7), fill=tint, width=0.5)
        page.insert_text((r.x0 + 6, r.y0 + 14), label, fontsize=8, color=(0.4, 0.4, 0.4))
    for i, (name, interest, power) in enumerate(names):
        x, y = grid.x0 + grid.width * interest, grid.y1 - grid.height * power
        page.draw_circle((x, y), 6, color=None, fill=PALETTE[i % len(PALETTE)])
        page.insert_text((x + 9, y + 3), name, fontsize=8)
    page.insert_text((grid.x0 + 130, 305), "Interest >", fontsize=9)
    page.insert_text((14, grid.y0 + 150), "Power >", fontsize=9, rotate=90)
    return page.png(1.5)


VIDEO_SIZE = (320, 240)


def video_frames(seed: int, title: str, lines: Sequence[str], count: int) -> list[bytes]:
    """JPEG frames of a presenter beside slides that build up bullet by bullet."""
    rng = random.Random(seed)
    shirt, skin = rng.choice(PALETTE), rng.choice(SKIN)
    frames = []
    for n in range(count):
        page = Sketch(*VIDEO_SIZE)
        _gradient(page, page.rect, (0.2, 0.22, 0.28), (0.1, 0.1, 0.14), 16)
        slide = pymupdf.Rect(110, 24, 306, 170)
        page.draw_rect(slide, color=None, fill=(0.98, 0.98, 1))
        page.insert_text((118, 44), title[:30], fontsize=10, fontname="hebo",
                         color=(0.1, 0.2, 0.5))
        shown = min(len(lines), 1 + n * len(lines) // max(count - 1, 1))
        for i, line in enumerate(lines[:shown]):
            page.insert_text((122, 64 + i * 18), "- " + line[:34], fontsize=7.5)
        sway = 4 * ((n % 6) / 5 - 0.5)
        _person(page, 58 + sway, 92, 34, shirt, skin, (0.15, 0.1, 0.05))
        page.draw_rect(pymupdf.Rect(0, 214, 320, 240), color=None, fill=(0, 0, 0))
        page.insert_text((8, 231), f"REC  00:00:{n * 10 // max(count, 1):02d}", fontsize=9,
                         color=(1, 0.25, 0.25))
        page.draw_rect(pymupdf.Rect(150, 225, 150 + 160 * (n + 1) / count, 229), color=None,
                       fill=(0.9, 0.9, 0.9))
        frames.append(page.jpeg(1.0, quality=70))
    return frames
