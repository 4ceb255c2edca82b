"""Hostile evidence (issue 9, part 3): broken, encrypted and hostile documents, pictures with
huge dimensions, decompression and zip bombs, path traversal and control characters in
names, wrong extensions.

Every file goes the way evidence goes: into the encrypted cache, out of it, then to the
render service (documents and pictures, in worker processes), LibreOffice (office
documents) or the text reader, as the viewer picks by ``evidence_kind``. For each the
test asserts a clear one-line message (or the file shown, where it is merely odd) within a
time bound, that the render service still works afterwards, and — comparing snapshots of
the data directory, the private TMPDIR and HOME the module runs under, and scanning what
appeared in /tmp — that nothing was written outside the cache and no plaintext of the
evidence reached the disk. File names from a hub (``../../x``, ``/etc/passwd``, a
right-to-left override, control characters, 1,000 characters, NUL) are synced from a real
hub on loopback, and the viewer shows them, and offers them to Save a Copy, cleaned.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import Qt

from assessor.evidence.cache import EvidenceCache
from assessor.evidence.cache_format import new_key
from assessor.evidence.file_names import safe_file_name
from assessor.evidence.render import EvidenceKind, RenderError, RenderService, evidence_kind
from assessor.paths import AppPaths
from tests.hardening import hostile_corpus as corpus
from tests.hardening.hostile_corpus import MARKER, Hostile

TIMEOUT = 10.0
"""The render service's deadline in this module (the viewer's default is 15 s)."""
BOUND = TIMEOUT + 8.0
"""What any one file may take to end in a view or a message (deadline, plus replacing a
killed worker and the round trips)."""
OFFICE_BOUND = 75.0
"""LibreOffice's own deadline is 60 s."""
CACHE_DIRS = ("objects", "locks", "partial")


# -- the sandbox: private HOME and TMPDIR, a data directory, snapshots ---------------------


@dataclass
class Sandbox:
    root: Path
    home: Path
    tmp: Path
    data: AppPaths
    key: bytes
    launch_target: Path
    secret_file: Path
    picture_file: Path
    started: float
    tmp_before: set[str]

    @property
    def cache(self) -> EvidenceCache:
        return EvidenceCache(self.data.evidence, self.key)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder``: files by size and time, folders by being there."""
    found: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for name in dirnames:
            found[str((here / name).relative_to(folder))] = (-1, 0)
        for name in filenames:
            try:
                stat = (here / name).lstat()
            except FileNotFoundError:
                continue
            found[str((here / name).relative_to(folder))] = (stat.st_size, stat.st_mtime_ns)
    return found


def changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {path for path, seen in after.items() if before.get(path) != seen}


def in_cache(relative: str) -> bool:
    """Whether a path (relative to a data directory) is the evidence cache's."""
    parts = Path(relative).parts
    return parts[:1] == ("evidence",) and (len(parts) == 1 or parts[1] in CACHE_DIRS)


def leftovers(tmp: Path) -> list[str]:
    """What is in the private TMPDIR."""
    return sorted(p.name for p in tmp.iterdir())


def leaks_in(path: Path, needles: list[bytes]) -> list[str]:
    """Which needles the file holds (files over 64 MB and unreadable ones are skipped)."""
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > 64 << 20:
            return []
        data = path.read_bytes()
    except OSError:
        return []
    return [needle[:24].decode("latin-1") for needle in needles if needle in data]


def new_tmp_entries(sandbox: Sandbox) -> Iterator[Path]:
    """Files under /tmp entries that appeared while this module ran (machinery excluded)."""
    system_tmp = Path("/tmp")
    for entry in system_tmp.iterdir():
        if entry.name in sandbox.tmp_before or entry.name.startswith("bash_jobs"):
            continue
        if entry.is_file():
            yield entry
        elif entry.is_dir() and not entry.is_symlink():
            for dirpath, _, filenames in os.walk(entry):
                for name in filenames:
                    yield Path(dirpath) / name


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    root = tmp_path_factory.mktemp("hostile")
    home, tmp = root / "user-home", root / "tmpdir"
    for folder in (home, tmp):
        folder.mkdir(mode=0o700)
    outside = root / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("SECRET-FILE-" + MARKER[-12:], encoding="utf-8")
    picture = outside / "red.png"
    from PIL import Image

    Image.new("RGB", (64, 64), (255, 0, 0)).save(picture)
    import multiprocessing.util

    multiprocessing.util.get_temp_dir()  # its listener's folder stays where it was: global
    with pytest.MonkeyPatch.context() as patch:
        for name in ("HOME", "TMPDIR", "TMP", "TEMP"):
            patch.setenv(name, str(home if name == "HOME" else tmp))
        for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
            patch.setenv(name, str(home / name.lower()))
        patch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR afresh
        yield Sandbox(root, home, tmp, AppPaths(root / "data").ensure(), new_key(),
                      outside / "launched", secret, picture, time.time(),
                      {p.name for p in Path("/tmp").iterdir()})


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> Iterator[RenderService]:
    """Workers spawned (not forked from a server started earlier) so they run under the
    sandbox's HOME and TMPDIR."""
    with RenderService(workers=2, timeout=TIMEOUT, start_method="spawn") as started:
        yield started


@pytest.fixture(scope="module")
def snapshots(sandbox: Sandbox) -> Iterator[list[dict[str, tuple[int, int]]]]:
    """The sandbox's folders before the first file (a list so the last test can compare)."""
    yield [snapshot(sandbox.root)]


# -- what the viewer does with a file, in core terms -------------------------------------


@dataclass(frozen=True)
class Outcome:
    result: str
    """"shown" or the error's class name."""
    message: str
    seconds: float


def show(service: RenderService, sandbox: Sandbox, case: Hostile) -> Outcome:
    """Cache the file, read it back, and open it the way the viewer would."""
    cache = sandbox.cache
    digest = hashlib.sha256(case.data).hexdigest()
    if not cache.has(digest):
        with cache.begin(digest, len(case.data)) as writer:
            writer.write(case.data)
            writer.commit()
    started = time.monotonic()
    data = cache.read(digest)
    try:
        message = _open(service, data, case)
        result = "shown"
    except RenderError as exc:
        result, message = type(exc).__name__, str(exc)
    return Outcome(result, message, time.monotonic() - started)


def _open(service: RenderService, data: bytes, case: Hostile) -> str:
    kind = evidence_kind(data, case.media_type, case.name)
    name, media_type = case.name, case.media_type
    if kind is EvidenceKind.OFFICE:
        from assessor.evidence.office import convert_to_pdf, libreoffice_available

        if not libreoffice_available():
            pytest.skip("LibreOffice is not installed")
        data = convert_to_pdf(data, name=name)
        kind, media_type = EvidenceKind.DOCUMENT, "application/pdf"
    if kind is EvidenceKind.DOCUMENT:
        with service.open_document(data, name=name, media_type=media_type,
                                   password=case.password) as document:
            image = document.render_page(0, scale=1.0)
            text = document.page_text(0)
            return f"{document.info.page_count} pages, {image.width}x{image.height}: {text}"
    if kind is EvidenceKind.IMAGE:
        with service.open_image(data, name=name, media_type=media_type) as picture:
            image = picture.render(max_width=1200, max_height=1200)
            return f"{image.width}x{image.height}"
    if kind is EvidenceKind.TEXT:
        from assessor.evidence.text_formats import read_text_evidence

        shown = read_text_evidence(data, name=name, media_type=media_type)
        return shown.html or shown.display_text
    raise RenderError("Assessor does not know how to show this kind of file.")


def assert_clear(outcome: Outcome, case: Hostile) -> None:
    assert outcome.result in case.allowed, (case.id, outcome)
    if outcome.result != "shown":
        message = outcome.message
        assert message and "\n" not in message and len(message) < 400, (case.id, message)
        assert "Traceback" not in message and "/" not in message.replace(" / ", ""), \
            (case.id, message)  # no traceback, no path
        assert message[0].isupper() and message.rstrip().endswith((".", ")")), message


@cache
def corpus_cases() -> dict[str, Hostile]:
    """The corpus, made once and only when a test needs it (never at collection)."""
    cases = corpus.document_corpus("/nonexistent/launched") + corpus.picture_corpus() \
        + corpus.wrong_extension_corpus()
    return {case.id: case for case in cases}


CASE_IDS = [
    "pdf-truncated", "pdf-garbage", "pdf-header-only", "pdf-empty", "pdf-encrypted",
    "pdf-wrong-password", "pdf-right-password", "pdf-javascript", "pdf-launch",
    "pdf-embedded-file", "pdf-nested-objects", "pdf-nested-content", "pdf-page-tree-loop",
    "pdf-billion-pages", "pdf-flate-bomb", "pdf-huge-page", "epub-bomb", "epub-traversal",
    "epub-empty", "svg-billion-laughs", "png-huge-dimensions", "png-zlib-bomb",
    "png-truncated", "png-empty", "jpeg-huge-dimensions", "gif-huge-dimensions",
    "tiff-huge-dimensions", "webp-huge-dimensions", "png-named-pdf", "pdf-named-jpg",
    "exe-named-pdf", "zip-named-docx",
]
"""The corpus's ids, written out so collection builds nothing (a test checks they match)."""


def test_the_case_list_matches_the_corpus() -> None:
    assert list(corpus_cases()) == CASE_IDS


# -- the corpus ----------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_each_hostile_file_ends_in_a_clear_message_in_time(
        case_id: str, service: RenderService, sandbox: Sandbox,
        snapshots: list[dict[str, tuple[int, int]]]) -> None:
    case = corpus_cases()[case_id]
    if case.id == "pdf-launch":
        case = Hostile(case.id, corpus.launch_pdf(str(sandbox.launch_target)), case.name,
                       case.media_type, case.allowed)
    outcome = show(service, sandbox, case)
    assert outcome.seconds < BOUND, (case.id, outcome)
    assert_clear(outcome, case)
    if case.id == "pdf-launch":
        assert not sandbox.launch_target.exists()


def test_zip_bombs_are_refused_before_anything_unpacks_them(service: RenderService,
                                                              sandbox: Sandbox) -> None:
    outcome = show(service, sandbox, corpus_cases()["epub-bomb"])
    assert outcome.result == "EvidenceTooLarge" and outcome.seconds < 2.0, outcome
    assert "zip bomb" in outcome.message and "512 MB" in outcome.message


def test_a_container_that_unpacks_to_too_much_in_all_is_refused_too() -> None:
    """Parts of a believable ratio, over 1 GB together (sizes as declared: nothing is
    unpacked to find out)."""
    from assessor.evidence.render.errors import EvidenceTooLarge
    from assessor.evidence.zip_limits import check_zip_expansion

    noise = os.urandom(2 << 20)
    parts: list[corpus.Entry] = [(f"OEBPS/images/scan{n}.png", (noise, 0, 250 << 20))
                                 for n in range(5)]
    with pytest.raises(EvidenceTooLarge) as refused:
        check_zip_expansion(corpus.epub(parts), "EPUB book")
    assert str(refused.value) == ("This EPUB book unpacks to 1,250 MB; the viewer opens "
                                  "containers of up to 1,024 MB unpacked.")
    check_zip_expansion(corpus.epub(), "EPUB book")  # an ordinary book passes
    check_zip_expansion(b"PK\x03\x04 not really a zip", "EPUB book")  # its reader says


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx"])
def test_office_zip_bombs_never_reach_libreoffice(kind: str, service: RenderService,
                                                  sandbox: Sandbox) -> None:
    from assessor.evidence.office import libreoffice_available

    if not libreoffice_available():
        pytest.skip("LibreOffice is not installed")
    bomb = Hostile(f"{kind}-bomb", corpus.ooxml_bomb(kind), f"essay.{kind}",
                   corpus.OFFICE_MEDIA[kind], corpus.TOO_LARGE)
    outcome = show(service, sandbox, bomb)
    assert outcome.result == "EvidenceTooLarge" and outcome.seconds < 2.0, outcome
    assert "office document" in outcome.message and "zip bomb" in outcome.message
    assert leftovers(sandbox.tmp) == []  # no conversion folder was even made


@pytest.mark.slow
def test_office_files_with_escaping_entries_and_wrong_contents_convert_or_fail_cleanly(
        service: RenderService, sandbox: Sandbox) -> None:
    """Through LibreOffice for real: a DOCX with ../../ and /absolute entries, and a plain
    ZIP named .docx. Its private folder is gone after each, and nothing escaped."""
    from assessor.evidence.office import libreoffice_available

    if not libreoffice_available():
        pytest.skip("LibreOffice is not installed")
    cases = [Hostile("docx-traversal", corpus.ooxml_bomb("docx", 0, traversal=True),
                     "../../essay.docx", corpus.OFFICE_MEDIA["docx"],
                     corpus.BROKEN | corpus.SHOWN),
             corpus_cases()["zip-named-docx"]]
    for case in cases:
        outcome = show(service, sandbox, case)
        assert outcome.seconds < OFFICE_BOUND, outcome
        assert_clear(outcome, case)
        assert leftovers(sandbox.tmp) == []
    for escaped in ("hostile-office-escape.txt", "hostile-office-absolute.txt"):
        assert not (Path("/tmp") / escaped).exists()
        assert not list(sandbox.root.rglob(escaped))


def test_epub_entries_that_climb_out_stay_inside_the_book(service: RenderService,
                                                          sandbox: Sandbox) -> None:
    case = Hostile("epub-traversal", corpus.epub_traversal(), "book.epub",
                   "application/epub+zip", corpus.SHOWN)
    outcome = show(service, sandbox, case)
    assert outcome.result == "shown" and MARKER in outcome.message, outcome
    for escaped in ("hostile-escape.txt", "hostile-absolute.txt", "hostile-backslash.txt"):
        assert not (Path("/tmp") / escaped).exists()
        assert not list(sandbox.root.rglob(escaped))
        assert not (Path.cwd().parent.parent / escaped).exists()


def test_an_svg_reads_no_local_file_and_runs_no_script(service: RenderService,
                                                       sandbox: Sandbox) -> None:
    case = Hostile("svg-external", corpus.svg_external(str(sandbox.secret_file),
                                                       str(sandbox.picture_file)),
                   "drawing.svg", "image/svg+xml", corpus.SHOWN | corpus.BROKEN)
    outcome = show(service, sandbox, case)
    assert outcome.seconds < BOUND
    assert_clear(outcome, case)
    assert "SECRET-FILE-" not in outcome.message  # the external entity was not read
    if outcome.result == "shown":
        data = case.data
        with service.open_document(data, name=case.name, media_type=case.media_type) as svg:
            page = svg.render_page(0, scale=1.0)
        red = sum(1 for at in range(0, len(page.samples) - 2, 3 * 7)
                  if page.samples[at] > 200 and page.samples[at + 1] < 60
                  and page.samples[at + 2] < 60)
        assert red == 0, "the SVG showed a picture from this computer's disk"


def test_html_evidence_is_shown_without_scripts_or_remote_content(sandbox: Sandbox,
                                                                   service: RenderService
                                                                   ) -> None:
    for data in (corpus.html_with_scripts(), corpus.html_deep()):
        case = Hostile("html", data, "page.html", "text/html", corpus.SHOWN)
        outcome = show(service, sandbox, case)
        assert outcome.result == "shown" and outcome.seconds < BOUND, outcome
        shown = outcome.message.lower()
        assert MARKER.lower() in shown
        for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<object",
                    "http://127.0.0.1:9", "file:///", "http-equiv"):
            assert bad not in shown, bad


def test_the_render_service_still_works_after_the_corpus(service: RenderService,
                                                         sandbox: Sandbox) -> None:
    good = Hostile("good", corpus.good_pdf(), "fine.pdf", "application/pdf", corpus.SHOWN)
    outcome = show(service, sandbox, good)
    assert outcome.result == "shown" and MARKER in outcome.message, outcome


# -- the render CLI with hostile names -----------------------------------------------------


@pytest.mark.parametrize("name", [
    "report\u202egpj.exe.pdf", "line\nbreak\x1b[31m.pdf", "x" * 240 + ".pdf",
    "<b>bold</b> & 'quotes'.pdf",
])
def test_the_render_cli_says_one_clean_line_for_hostile_names(
        name: str, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    from assessor.evidence.render.cli import run_render

    source = sandbox.root / "cli" / name
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(corpus.garbage_pdf())
    out = sandbox.root / "cli" / "out.png"
    status = run_render(argparse.Namespace(file=str(source), out=str(out), page=1, dpi=72.0,
                                           password=None, timeout=TIMEOUT))
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1 and err.startswith("assessor: "), err
    assert "\x1b" not in err and "\u202e" not in err
    assert not out.exists() and not list(out.parent.glob(".*partial"))


def test_the_render_cli_refuses_names_it_cannot_use(sandbox: Sandbox,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from assessor.evidence.render.cli import run_render

    source = sandbox.root / "cli" / "fine.pdf"
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(corpus.good_pdf())
    for out in (sandbox.root / "cli" / ("y" * 300 + ".png"),
                sandbox.root / "cli" / "no-such-folder" / "out.png"):
        status = run_render(argparse.Namespace(file=str(source), out=str(out), page=1,
                                               dpi=72.0, password=None, timeout=TIMEOUT))
        err = capsys.readouterr().err
        assert status == 1 and err.startswith("assessor: Cannot write"), err
        assert err.count("\n") == 1
    # a name near the limit is written (its partial file has a short name of its own)
    out = sandbox.root / "cli" / ("z" * 250 + ".png")
    status = run_render(argparse.Namespace(file=str(source), out=str(out), page=1, dpi=72.0,
                                           password=None, timeout=TIMEOUT))
    assert status == 0 and out.read_bytes().startswith(b"\x89PNG"), capsys.readouterr().err
    out.unlink()
    assert not list(out.parent.glob(".*partial"))


# -- file names from a hub -----------------------------------------------------------------


def test_safe_file_names() -> None:
    assert safe_file_name("../../escape.pdf") == "escape.pdf"
    assert safe_file_name("/etc/passwd") == "passwd"
    assert safe_file_name("C:\\Windows\\evil.pdf") == "evil.pdf"
    assert safe_file_name("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert safe_file_name("bell\x07and\x1b[31mred\r\n.txt") == "belland[31mred.txt"
    assert safe_file_name("a<b>:c|d?.pdf") == "a_b__c_d_.pdf"
    assert safe_file_name("a" * 996 + ".pdf") == "a" * 251 + ".pdf"
    assert safe_file_name("é" * 300).encode() == ("é" * 127).encode()
    assert safe_file_name("...") == "evidence" and safe_file_name("\x00") == "evidence"
    assert safe_file_name("report.pdf") == "report.pdf"


# -- file names from a hub, synced for real ------------------------------------------------

HOSTILE_NAMES = [
    "invoice\u202efdp.exe", "bell\x07and\x1b[31mescape\r\n.txt",
    "<img src=x onerror=alert(1)><b>bold<i>.pdf", "a" * 996 + ".pdf", "...", ".bashrc",
    "CON:aux|nul?.pdf",
]
"""Names a desktop keeps as labels (the hub's intake never lets them through)."""
REFUSED_NAMES = ["../../escape.pdf", "/etc/passwd", "C:\\Windows\\system32\\evil.pdf",
                 "report\x00.exe.pdf", "b" * 1001 + ".pdf"]
"""Names that make the desktop refuse the hub's page whole: they could only be meant to
reach outside a folder (or are not names at all)."""


@dataclass
class SyncedHub:
    url: str
    config: Any
    learner: str
    assessor: str


@pytest.fixture
def name_hub(tmp_path: Path) -> Iterator[SyncedHub]:
    """A real hub on loopback whose database holds what a compromised hub (or one with a
    bug in intake) would: evidence names no intake lets through."""
    from assessor.hub.config import HubConfig
    from assessor.hub.database import open_hub_database
    from assessor.hub.organisation import add_user, create_organisation
    from assessor.hub.server import BackgroundHub, free_port
    from tests.hub import factory
    from tests.hub.conftest import PASSWORD

    port = free_port()
    config = HubConfig(database_url=str(tmp_path / "hub.sqlite3"),
                       data_dir=tmp_path / "hub-data", public_url=f"http://127.0.0.1:{port}")
    database = open_hub_database(config.database_url)
    with database.transaction() as session:
        create_organisation(session, "Example Training Org", "https://training.example.org",
                            config.public_url, moderation_first_n=0)
        ada = add_user(session, "ada", "assessor", password=PASSWORD, display_name="Ada").id
        lena = add_user(session, "lena", "learner", password=PASSWORD,
                        display_name="Lena").id
        factory.add_template(session)
        files = [(name, corpus.good_pdf() + b"%% %d" % n, "application/pdf")
                 for n, name in enumerate(HOSTILE_NAMES)]
        factory.add_submission(session, config.blob_dir, lena, assessor_id=ada, files=files)
    database.dispose()
    with BackgroundHub(config, port=port):
        yield SyncedHub(f"http://127.0.0.1:{port}", config, lena, ada)


def _sync(hub: SyncedHub, data: AppPaths, key: bytes) -> Any:
    from assessor.store.database import open_database
    from assessor.store.store import Store
    from assessor.sync.client import HubClient
    from assessor.sync.engine import SyncEngine
    from tests.hub.conftest import PASSWORD

    with HubClient(hub.url) as client:
        token = client.sign_in("ada", password=PASSWORD, device="hostile-names")["token"]
    store = Store(open_database(data.store, data.backups))
    try:
        with HubClient(hub.url, token) as client:
            report = SyncEngine(store, client, EvidenceCache(data.evidence, key)).run()
        return report, store.review(_only_submission(data))
    finally:
        store.close()


def _only_submission(data: AppPaths) -> str:
    from assessor.store.database import read_only_connection

    connection = read_only_connection(data.store)
    try:
        (found,) = [row[0] for row in connection.execute("SELECT id FROM submissions")]
        return str(found)
    finally:
        connection.close()


def test_hostile_names_from_a_hub_are_labels_only_and_shown_and_saved_cleaned(
        name_hub: SyncedHub, tmp_path: Path, service: RenderService, qtbot: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.evidence.viewer import EvidenceViewer
    from ui.windows.review_pane import ReviewPane

    data = AppPaths(tmp_path / "desktop").ensure()
    key = new_key()
    before = snapshot(tmp_path)
    report, review = _sync(name_hub, data, key)
    submission = review.submission
    assert report.files == len(HOSTILE_NAMES) and not report.problems, report
    assert [e.file_name for e in submission.evidence] == HOSTILE_NAMES  # kept as labels

    # Only the store and the cache changed; no file is named after any evidence name.
    for path in changed(before, snapshot(tmp_path)):
        parts = Path(path).parts
        if parts[0] != "desktop":
            assert parts[0].startswith(("hub-data", "hub.sqlite3")), path  # the hub's side
        else:
            assert len(parts) == 1 or parts[1].startswith("store.sqlite3") \
                or in_cache(str(Path(*parts[1:]))), path
        assert not parts[-1].startswith(("escape", "passwd", "evil", "invoice", "bell")), path
    for escaped in ("escape.pdf", "passwd", "evil.pdf"):
        assert not (tmp_path.parent / escaped).exists() and not list(tmp_path.rglob(escaped))

    pane = ReviewPane()  # the evidence list the assessor picks from
    qtbot.addWidget(pane)
    pane.show_review(review)
    listed = [pane.evidence.item(row) for row in range(pane.evidence.count())]
    assert [entry.text().rsplit("    ", 1)[0] for entry in listed] \
        == [safe_file_name(n) for n in HOSTILE_NAMES]
    assert all(entry.toolTip().startswith("<p>") for entry in listed)  # text, not markup

    viewer = EvidenceViewer(service)
    qtbot.addWidget(viewer)
    offered: list[str] = []
    saved = tmp_path / "saved"
    saved.mkdir()

    def ask(parent: object, name: str) -> str:
        offered.append(name)
        return str(saved / name)

    monkeypatch.setattr(EvidenceViewer, "ask_save_path", staticmethod(ask))
    notices: list[str] = []
    viewer.notice.connect(notices.append)
    cache = EvidenceCache(data.evidence, key)
    try:
        for item in submission.evidence:
            viewer.show_evidence(item, cache.read(item.sha256))
            qtbot.waitUntil(lambda: viewer.settled, timeout=int(BOUND * 1000))
            shown = viewer.name.text()
            assert shown == safe_file_name(item.file_name)
            assert viewer.name.textFormat() == Qt.TextFormat.PlainText
            assert not any(ch in shown for ch in "/\\\x00\x07\x1b\r\n\u202e<>")
            assert len(shown.encode()) <= 255
            viewer.save_copy()
            target, count = saved / offered[-1], len(offered)
            qtbot.waitUntil(lambda t=target, n=count: t.is_file() and len(notices) == n,
                            timeout=10_000)
        assert sorted(p.name for p in saved.iterdir()) == sorted(set(offered))
        assert offered == [safe_file_name(n) for n in HOSTILE_NAMES]
        assert len(notices) == len(HOSTILE_NAMES) and all(
            not any(ch in notice for ch in "\x07\x1b\r\n\u202e") for notice in notices), notices
    finally:
        viewer.shutdown()


@pytest.mark.parametrize("name", REFUSED_NAMES,
                         ids=["climbs", "absolute", "windows-path", "nul", "too-long"])
def test_a_path_or_nul_in_a_name_from_the_hub_refuses_the_page_and_keeps_nothing(
        name: str, name_hub: SyncedHub, tmp_path: Path) -> None:
    from assessor.hub.database import open_hub_database
    from assessor.hub.models import Evidence
    from assessor.sync.errors import HubProtocolError

    database = open_hub_database(name_hub.config.database_url)
    with database.transaction() as session:
        first = session.query(Evidence).order_by(Evidence.position).first()
        assert first is not None
        first.file_name = name
    database.dispose()
    data = AppPaths(tmp_path / "desktop").ensure()
    with pytest.raises(HubProtocolError) as refused:
        _sync(name_hub, data, new_key())
    message = str(refused.value)
    assert "nothing from it was applied" in message and "file name" in message, message
    assert "\x00" not in message and "\n" not in message and len(message) < 400, message
    assert not list((data.evidence / "objects").iterdir())
    assert not list(tmp_path.parent.glob("escape.pdf")) and not list(tmp_path.rglob("evil*"))


# -- the viewer's messages -----------------------------------------------------------------


def test_the_viewer_says_what_is_wrong_in_plain_text(service: RenderService, qtbot: Any,
                                                     sandbox: Sandbox) -> None:
    from assessor.domain.submission import EvidenceItem
    from ui.evidence.viewer import EvidenceViewer

    viewer = EvidenceViewer(service)
    qtbot.addWidget(viewer)
    hostile_name = "<b>bomb<i>\u202egpj.epub"
    cases = [
        (corpus_cases()["epub-bomb"].data, hostile_name, "application/epub+zip",
         "Cannot show this file", "zip bomb"),
        (corpus.garbage_pdf(), "report\x1b[2J\u202efdp.exe.pdf", "application/pdf",
         "Cannot show this file", "cannot be read"),
        (corpus.png_declaring(100_000, 100_000), "photo.png", "image/png",
         "Cannot show this file", "megapixels"),
        (b"\x00\x01\x02" * 100, "blob.bin", "application/octet-stream",
         "Cannot preview this file here", "Save a copy"),
    ]
    try:
        for n, (data, name, media_type, title, words) in enumerate(cases):
            item = EvidenceItem(f"hostile-{n}", name, media_type, len(data),
                                hashlib.sha256(data).hexdigest())
            started = time.monotonic()
            viewer.show_evidence(item, data)
            qtbot.waitUntil(lambda: viewer.settled, timeout=int(BOUND * 1000))
            assert time.monotonic() - started < BOUND
            panel = viewer.panel
            assert viewer.current_view is panel
            assert panel.title.text() == title
            assert words in panel.detail.text(), panel.detail.text()
            assert panel.detail.textFormat() == Qt.TextFormat.PlainText
            assert "\u202e" not in panel.detail.text() + viewer.name.text()
            assert "\x1b" not in panel.detail.text() + viewer.name.text()
        described = EvidenceItem("hostile-described", "notes.txt", "text/plain", 5,
                                 hashlib.sha256(b"notes").hexdigest(),
                                 "<img src='file:///etc/hostname'><b>approved</b>")
        viewer.show_evidence(described, b"notes")
        qtbot.waitUntil(lambda: viewer.settled, timeout=int(BOUND * 1000))
        assert "&lt;img\xa0src=" in viewer.bar.toolTip()  # the learner's words, as text
        password = corpus.encrypted_pdf("pw")
        item = EvidenceItem("hostile-locked", "locked.pdf", "application/pdf", len(password),
                            hashlib.sha256(password).hexdigest())
        viewer.show_evidence(item, password)
        qtbot.waitUntil(lambda: viewer.settled, timeout=int(BOUND * 1000))
        assert viewer.panel.asking_password
    finally:
        viewer.shutdown()


# -- last: what the whole module left on disk ----------------------------------------------


def _needles() -> list[bytes]:
    """The marker, and pieces of the one corpus file made of noise (pieces of generic
    files, a PDF's or a JPEG's structure, could be in anyone's files in /tmp)."""
    noise = corpus_cases()["png-truncated"].data
    return [MARKER.encode(), *(noise[at:at + 40] for at in (1000, 1500, 2000, 2500))]


def test_nothing_but_the_cache_was_written_and_no_plaintext_reached_the_disk(
        sandbox: Sandbox, snapshots: list[dict[str, tuple[int, int]]]) -> None:
    written = changed(snapshots[0], snapshot(sandbox.root))
    test_files = ("outside", "cli")  # written by the tests themselves
    outside_cache = sorted(p for p in written if Path(p).parts[0] not in test_files
                           and not (Path(p).parts[0] == "data"
                                    and (len(Path(p).parts) == 1
                                         or in_cache(str(Path(*Path(p).parts[1:]))))))
    assert outside_cache == [], outside_cache
    assert leftovers(sandbox.tmp) == []  # LibreOffice's private folders are gone
    needles = _needles()
    leaks = {}
    for path in sandbox.root.rglob("*"):
        if Path(path.relative_to(sandbox.root)).parts[0] not in test_files:
            if found := leaks_in(path, needles):
                leaks[str(path)] = found
    for path in new_tmp_entries(sandbox):
        if found := leaks_in(path, needles):
            leaks[str(path)] = found
    assert leaks == {}, leaks
    objects = list((sandbox.data.evidence / "objects").iterdir())
    assert len(objects) > 30  # the corpus went through the cache (encrypted)
    planted = sandbox.home / "planted"  # the control: the scan does find plaintext
    noise = corpus_cases()["png-truncated"].data
    planted.write_bytes(b"...." + noise[900:2100] + b"....")
    try:
        assert leaks_in(planted, needles)
    finally:
        planted.unlink()
