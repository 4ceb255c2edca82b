"""Secrets (issue 9, part 4): after a whole session — sign in to a real hub on loopback
(the token into the keychain), sync (evidence into the encrypted cache), view the evidence,
judge, approve, sign (the key from the keychain), push — with logging at DEBUG, nothing on
disk holds a secret or plaintext evidence.

The session runs in a child process (``secrets_session``) with its own data directory,
TMPDIR and HOME; then the data directory (store, its -wal and -shm, settings, keys.json, the
log, the evidence cache), TMPDIR, HOME and every /tmp entry made during the run are scanned
for the private signing key (raw, hex, base64, base64url, multibase), the sync token, the
evidence cache key, the hub password, and the evidence (marker strings and pieces of each
file). A control run plants leaks through the same channels and the scan must find them.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assessor.paths import AppPaths

ROOT = Path(__file__).resolve().parents[2]
MARKER = "EVIDENCE-PLAINTEXT-" + os.urandom(6).hex()
SESSION_TIMEOUT = 45.0


@dataclass(frozen=True)
class Hub:
    url: str
    password: str
    files: dict[str, bytes]


NOISE = os.urandom(48).hex()
"""Random text in the PDF: pieces of a generic PDF's structure could be in anyone's files."""


def _evidence() -> dict[str, bytes]:
    """A PDF, a photo (random pixels) and a reflection (random text), each carrying the
    marker in its plaintext."""
    from PIL import Image, PngImagePlugin

    from tests.evidence.render_samples import raw_pdf

    content = f"BT /F1 14 Tf 72 720 Td (Risk assessment {MARKER}) Tj 0 -20 Td ({NOISE}) Tj ET"
    pdf = raw_pdf([  # by hand, so the marker and the noise are readable in the bytes
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content.encode() + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])
    photo = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARKER)
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(photo, "PNG", pnginfo=info)
    text = (f"Reflection: {MARKER}\n" + os.urandom(600).hex()).encode()
    return {"risk-assessment.pdf": pdf, "site-photo.png": photo.getvalue(),
            "reflection.txt": text}


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    from assessor.hub.config import HubConfig
    from assessor.hub.database import open_hub_database
    from assessor.hub.organisation import add_user, create_organisation
    from assessor.hub.server import BackgroundHub, free_port
    from tests.hub import factory

    password = "hub-password-" + os.urandom(8).hex()
    files = _evidence()
    port = free_port()
    config = HubConfig(database_url=str(tmp_path / "hub" / "hub.sqlite3"),
                       data_dir=tmp_path / "hub" / "data", public_url=f"http://127.0.0.1:{port}")
    config.data_dir.mkdir(parents=True)
    database = open_hub_database(config.database_url)
    with database.transaction() as session:
        create_organisation(session, "Example Training Org", "https://training.example.org",
                            config.public_url, moderation_first_n=0)
        ada = add_user(session, "ada", "assessor", password=password, display_name="Ada").id
        lena = add_user(session, "lena", "learner", password=password, display_name="Lena",
                        email="lena@example.org").id
        factory.add_template(session)
        media = {"pdf": "application/pdf", "png": "image/png", "txt": "text/plain"}
        factory.add_submission(session, config.blob_dir, lena, assessor_id=ada, files=[
            (name, data, media[name.rsplit(".", 1)[1]]) for name, data in files.items()])
    database.dispose()
    with BackgroundHub(config, port=port):
        yield Hub(f"http://127.0.0.1:{port}", password, files)


@dataclass
class Desk:
    data: AppPaths
    tmp: Path
    home: Path


@pytest.fixture
def desk(tmp_path: Path, hub: Hub) -> Iterator[Desk]:
    made = Desk(AppPaths(tmp_path / "data"), tmp_path / "tmpdir", tmp_path / "user-home")
    for folder in (made.tmp, made.home):
        folder.mkdir(mode=0o700)
    yield made
    from assessor.keys import KeychainSecrets, KeyCustody
    from assessor.sync.account import token_name

    KeyCustody(made.data.home).delete_all()  # this run's key and token leave the keychain
    KeychainSecrets().delete(token_name(hub.url))


def run_session(desk: Desk, hub: Hub, *, plant: bool = False) -> None:
    env = dict(os.environ)
    env.update({"ASSESSOR_HOME": str(desk.data.home), "ASSESSOR_DEMO": "0",
                "TMPDIR": str(desk.tmp), "TMP": str(desk.tmp), "TEMP": str(desk.tmp),
                "HOME": str(desk.home), "XDG_CACHE_HOME": str(desk.home / ".cache"),
                "XDG_CONFIG_HOME": str(desk.home / ".config"), "PYTHONDONTWRITEBYTECODE": "1"})
    request = json.dumps({"hub": hub.url, "username": "ada", "password": hub.password,
                          "plant": plant})
    done = subprocess.run([sys.executable, "-m", "tests.hardening.secrets_session"],
                          input=request, capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=SESSION_TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    for secret in (hub.password,):
        assert secret not in done.stdout + done.stderr


# -- what to look for --------------------------------------------------------------------


def _b64_forms(raw: bytes) -> list[bytes]:
    std = base64.b64encode(raw)
    url = base64.urlsafe_b64encode(raw)
    return [std, std.rstrip(b"="), url, url.rstrip(b"=")]


def key_forms(seed: bytes) -> list[bytes]:
    """An Ed25519 private key as it could be written anywhere: raw, hex, base64(url),
    multibase (base58btc, with and without the ed25519-priv multicodec, base64url, base64,
    hex), and seed + public key together."""
    from assessor.credentials import ed25519
    from assessor.credentials.multiformats import b58encode

    public = ed25519.public_key(seed)
    forms = [seed, seed.hex().encode(), seed.hex().upper().encode(), *_b64_forms(seed),
             b"z" + b58encode(seed).encode(), b"z" + b58encode(b"\x80\x26" + seed).encode(),
             b"u" + base64.urlsafe_b64encode(seed).rstrip(b"="),
             b"m" + base64.b64encode(seed).rstrip(b"="), b"f" + seed.hex().encode()]
    both = seed + public
    return [*forms, both.hex().encode(), *_b64_forms(both)]


def evidence_forms(files: dict[str, bytes]) -> list[bytes]:
    """The marker, the PDF's random text, and 40-byte pieces of the random photo and
    reflection at several places."""
    found = [MARKER.encode(), NOISE.encode()]
    for name, data in files.items():
        if name.endswith(".pdf"):
            continue
        for share in (4, 3, 2):
            at = len(data) // share
            found.append(data[at:at + 40])
        found.append(data[-80:-40])
    return found


@dataclass(frozen=True)
class Secrets:
    needles: dict[str, list[bytes]]


def gather_secrets(desk: Desk, hub: Hub) -> Secrets:
    """Read from the keychain (in this process) what the session put there."""
    from assessor.evidence.cache_key import load_cache_key
    from assessor.keys import KEY_PREFIX, KeychainSecrets, KeyCustody
    from assessor.sync.account import token_name

    secrets = KeychainSecrets()
    key = KeyCustody(desk.data.home).active()
    assert key is not None, "the session made no signing key"
    stored = secrets.get(KEY_PREFIX + key.id)
    token = secrets.get(token_name(hub.url))
    assert stored and token, "the session left no key or token in the keychain"
    seed = base64.b64decode(stored)
    assert len(seed) == 32
    cache_key = load_cache_key()
    return Secrets({
        "signing key": key_forms(seed),
        "sync token": [token.encode()],
        "evidence cache key": [cache_key, cache_key.hex().encode(), *_b64_forms(cache_key)],
        "hub password": [hub.password.encode()],
        "plaintext evidence": evidence_forms(hub.files),
    })


# -- where to look -------------------------------------------------------------------------


def scanned_files(desk: Desk, tmp_before: set[str]) -> list[Path]:
    files: list[Path] = []
    for folder in (desk.data.home, desk.tmp, desk.home):
        files += [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    for entry in Path("/tmp").iterdir():
        if entry.name in tmp_before or entry.name.startswith("bash_jobs"):
            continue
        try:
            if entry.is_file() and not entry.is_symlink():
                files.append(entry)
            elif entry.is_dir() and not entry.is_symlink():
                files += [p for p in entry.rglob("*") if p.is_file() and not p.is_symlink()]
        except OSError:
            continue
    return files


def scan(files: list[Path], secrets: Secrets) -> dict[str, set[str]]:
    """``{path: {what was found}}``."""
    found: dict[str, set[str]] = {}
    for path in files:
        try:
            if path.stat().st_size > 256 << 20:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        for what, needles in secrets.needles.items():
            if any(needle and needle in data for needle in needles):
                found.setdefault(str(path), set()).add(what)
    return found


# -- the tests -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_whole_session_leaves_no_secret_and_no_plaintext_evidence_on_disk(
        desk: Desk, hub: Hub) -> None:
    tmp_before = {p.name for p in Path("/tmp").iterdir()}
    started = time.monotonic()
    run_session(desk, hub)
    session_seconds = time.monotonic() - started
    secrets = gather_secrets(desk, hub)
    files = scanned_files(desk, tmp_before)

    names = {p.relative_to(desk.data.home).as_posix() for p in files
             if p.is_relative_to(desk.data.home)}
    assert "store.sqlite3" in names and "logs/assessor.log" in names
    assert any(n.startswith("evidence/objects/") for n in names)  # the cache was filled
    log = (desk.data.log_file).read_text(encoding="utf-8")
    assert " DEBUG " in log and "session done" in log  # DEBUG logging was on
    assert "store.sqlite3-wal" in names  # the session was cut short with the store open
    assert scan(files, secrets) == {}
    assert session_seconds < SESSION_TIMEOUT

    # The control: the same session's channels, leaking on purpose, are caught.
    run_session(desk, hub, plant=True)
    caught = scan(scanned_files(desk, tmp_before), secrets)
    by_kind: dict[str, set[str]] = {}
    for path, kinds in caught.items():
        for kind in kinds:
            by_kind.setdefault(kind, set()).add(Path(path).name)
    assert "assessor.log" in by_kind.get("sync token", set()), caught
    assert by_kind.get("signing key", set()) & {"planted.sqlite3", "planted.sqlite3-wal"}, \
        caught
    assert any(name.endswith(".pdf") for name in by_kind.get("plaintext evidence", set())), \
        caught


def test_the_key_forms_cover_what_the_app_itself_writes() -> None:
    """The multibase form with the multicodec prefix is what a careless export of the
    private key as a Multikey would write; the scan must know it."""
    from assessor.credentials.multiformats import b58encode

    seed = bytes(range(32))
    forms = key_forms(seed)
    assert b"z" + b58encode(b"\x80\x26" + seed).encode() in forms
    assert base64.urlsafe_b64encode(seed).rstrip(b"=") in forms
    assert seed.hex().encode() in forms
