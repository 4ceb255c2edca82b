"""The PyInstaller bundle, built by scripts/build_bundle.sh once per session, runs what a user
runs: ``--version``, ``credential verify``, ``render`` and ``--self-test`` (in the test
keychain, which it leaves as it found it)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from assessor import APP_ID, APP_NAME, __version__
from assessor.credentials import ed25519
from assessor.credentials.multiformats import ed25519_multikey
from assessor.credentials.signing import sign_credential
from assessor.self_test import SERVICE_PREFIX, demo_pdf, sample_credential
from tests.test_self_test import CHECKS, keychain_services, self_test_lines

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT = 900
MAX_BUNDLE_BYTES = 330 * 2**20  # 277 MB when written: a new dependency shows here


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle's folder, built from this checkout with the build script."""
    dist = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    done = subprocess.run(["bash", str(ROOT / "scripts" / "build_bundle.sh"), str(dist)],
                          cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                          check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    folder = dist / f"{APP_NAME.lower()}-{__version__}"
    print(f"\nbundle built in {time.monotonic() - started:.0f} s: "
          f"{_size(folder) / 2**20:.0f} MB ({done.stdout.strip().splitlines()[-1]})")
    return folder


def run(bundle: Path, *args: str, home: Path, timeout: float = 120) -> \
        subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSESSOR_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([str(bundle / f"{APP_NAME.lower()}-run"), *args], cwd=home.parent,
                          env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def _size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*"))


def test_the_bundle_holds_what_the_app_uses_and_not_the_rest(bundle) -> None:
    inside = bundle / "_internal"
    qt = inside / "PySide6" / "Qt"
    for needed in ("PySide6/QtCharts.abi3.so", "PySide6/QtMultimedia.abi3.so",
                   "resources/contexts/pinned.json", "resources/icons/app.svg",
                   "assessor/store/migrations/env.py", "assessor/hub/migrations/env.py"):
        assert (inside / needed).is_file(), needed
    assert list((qt / "plugins" / "multimedia").glob("libffmpegmediaplugin*"))
    assert list((qt / "plugins" / "platforms").glob("libqxcb*"))
    assert not list(inside.rglob("*WebEngine*")) and not list(inside.rglob("*Quick3D*"))
    assert not (qt / "translations").exists()
    assert not (qt / "plugins" / "platformthemes" / "libqgtk3.so").exists()
    assert _size(bundle) < MAX_BUNDLE_BYTES


def test_the_bundle_says_its_version(bundle, tmp_path) -> None:
    done = run(bundle, "--version", home=tmp_path / "home")
    assert (done.returncode, done.stdout) == (0, f"{APP_NAME} {__version__}\n"), done.stderr


def test_the_bundle_verifies_a_credential_signed_here(bundle, tmp_path) -> None:
    seed = ed25519.new_seed()
    signer = ed25519.Ed25519Signer(seed, ed25519_multikey(ed25519.public_key(seed)))
    signed = sign_credential(sample_credential(), signer)
    good = tmp_path / "signed.json"
    good.write_text(json.dumps(signed), encoding="utf-8")
    done = run(bundle, "credential", "verify", str(good), home=tmp_path / "home")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok   proof: signature valid" in done.stdout
    assert done.stdout.rstrip().endswith("VERIFIED")

    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**signed, "name": "Forged"}), encoding="utf-8")
    done = run(bundle, "credential", "verify", str(forged), home=tmp_path / "home")
    assert done.returncode == 1
    assert "FAIL proof" in done.stdout and done.stdout.rstrip().endswith("NOT VERIFIED")


def test_the_bundle_renders_a_pdf_page_in_its_worker_processes(bundle, tmp_path) -> None:
    from PIL import Image

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(demo_pdf())
    out = tmp_path / "page.png"
    done = run(bundle, "render", str(pdf), "--page", "2", "--dpi", "72", "--out", str(out),
               home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {out} (page 2 of 3, 595x842 pixels)\n"
    with Image.open(out) as picture:
        assert (picture.format, picture.size) == ("PNG", (595, 842))
        colours = picture.convert("L").getcolors(maxcolors=256 * 256)
        assert colours is not None and len(colours) > 20  # text and charts, not a blank page

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 12)
    done = run(bundle, "render", str(broken), "--out", str(tmp_path / "no.png"),
               home=tmp_path / "home")
    assert done.returncode == 1
    assert done.stderr == ("assessor: This PDF cannot be read: it is damaged, incomplete or "
                           "not really a PDF.\n")
    assert not (tmp_path / "no.png").exists()


def test_the_bundle_passes_its_self_test_and_cleans_the_keychain(bundle, tmp_path) -> None:
    before = keychain_services(APP_ID)  # the app's own entries too: the demo stays off
    started = time.monotonic()
    done = run(bundle, "--self-test", home=tmp_path / "home", timeout=300)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    lines = self_test_lines(done.stdout)
    assert sorted(lines) == sorted(CHECKS), done.stdout
    assert all(line.startswith("ok ") for line in lines.values()), done.stdout
    assert "worker process" in lines["render"]
    service = lines["signing"].split("keychain entry ")[1].split()[0]
    assert service.startswith(SERVICE_PREFIX)
    assert service not in keychain_services()
    assert keychain_services(APP_ID) == before
    assert not (tmp_path / "home").exists()
    print(f"bundled --self-test: {seconds:.1f} s")
