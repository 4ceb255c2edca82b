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
from pathlib import Path

import pytest

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
    found: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            try:
                stat = path.lstat()
            except FileNotFoundError:
                continue
            found[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns)
    return found


def changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {path for path, seen in after.items() if before.get(path) != seen}


def in_cache(relative: str) -> bool:
    parts = Path(relative).parts
    return parts[:1] == ("evidence",) and (len(parts) == 1 or parts[1] in CACHE_DIRS)


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


def corpus_cases(sandbox_launch: str = "/nonexistent/launched") -> list[Hostile]:
    cases = corpus.document_corpus(sandbox_launch) + corpus.picture_corpus() \
        + corpus.wrong_extension_corpus()
    return [c for c in cases if c.id != "svg-external"]


CASES = corpus_cases()
"""Built once at collection (the ids; the launch case is rebuilt with the sandbox's path)."""


# -- the corpus ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_hostile_file_ends_in_a_clear_message_in_time(
        case: Hostile, service: RenderService, sandbox: Sandbox,
        snapshots: list[dict[str, tuple[int, int]]]) -> None:
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
    bomb = Hostile("epub-bomb", corpus.epub_bomb(), "book.epub", "application/epub+zip",
                   corpus.TOO_LARGE)
    outcome = show(service, sandbox, bomb)
    assert outcome.result == "EvidenceTooLarge" and outcome.seconds < 2.0, outcome
    assert "zip bomb" in outcome.message and "1,024 MB" in outcome.message


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
    assert not list(sandbox.tmp.iterdir())  # no conversion folder was even made


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
             *[c for c in corpus.wrong_extension_corpus() if c.id == "zip-named-docx"]]
    for case in cases:
        outcome = show(service, sandbox, case)
        assert outcome.seconds < OFFICE_BOUND, outcome
        assert_clear(outcome, case)
        assert not list(sandbox.tmp.iterdir()), list(sandbox.tmp.iterdir())
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
