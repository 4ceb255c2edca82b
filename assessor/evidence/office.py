"""Office documents (DOCX, ODT, XLSX, PPTX, RTF...) to PDF through LibreOffice, headless.

This is the one place where evidence touches the disk in plaintext, because LibreOffice reads
only files: each conversion gets a private directory (0700) holding the input under a
generated name, LibreOffice's own throwaway user profile and the output, and the directory is
removed in a ``finally`` whatever happens. LibreOffice runs in its own process group (killed
whole on a timeout), with no network: in a fresh network namespace where the system allows
one, and always with links to outside resources blocked and every proxy pointed at a closed
local port.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from assessor.evidence.render.errors import (
    BrokenEvidence,
    EvidenceTooLarge,
    RenderTimeout,
    UnsupportedEvidence,
)
from assessor.evidence.zip_limits import check_zip_expansion

__all__ = ["MAX_OFFICE_BYTES", "SOFFICE_ENV", "convert_to_pdf", "libreoffice_available"]

log = logging.getLogger(__name__)

SOFFICE_ENV = "ASSESSOR_SOFFICE"
MAX_OFFICE_BYTES = 200 * 2**20
MAX_PDF_BYTES = 500 * 2**20

# Encrypted OOXML (and old binary Office with a password) is an OLE compound file holding
# a stream named "EncryptedPackage" / "EncryptionInfo".
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_EXTENSION = re.compile(r"[a-z0-9]{1,8}")

# LibreOffice's settings for a conversion of untrusted files: no macros, no links to outside
# resources, and any network use through a proxy that is a closed port on this machine.
_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Common/Misc", "FirstRun", "false"),
    ("/org.openoffice.Inet/Settings", "ooInetProxyType", "1"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyName", "127.0.0.1"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", "127.0.0.1"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyName", "127.0.0.1"),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyPort", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetNoProxy", ""),
)


def _profile_settings() -> str:
    """The profile's registrymodifications.xcu holding ``_SETTINGS``."""
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>\n"
        for path, name, value in _SETTINGS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n"
    )


def soffice_path() -> str | None:
    """The LibreOffice program: ASSESSOR_SOFFICE if set (a path or a name on PATH), else
    ``soffice`` or ``libreoffice`` on PATH."""
    configured = os.environ.get(SOFFICE_ENV, "").strip()
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_available() -> bool:
    return soffice_path() is not None


@cache
def _network_namespace_prefix() -> tuple[str, ...]:
    """``unshare`` into a new (empty) network namespace, if this system lets us."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    prefix = (unshare, "--net", "--map-root-user")
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ()
    return prefix if probe.returncode == 0 else ()


def _safe_extension(name: str) -> str:
    suffix = Path(name.replace("\\", "/")).suffix.lower().lstrip(".")
    return suffix if _EXTENSION.fullmatch(suffix) else "bin"


def _is_encrypted_office(data: bytes) -> bool:
    return data.startswith(_OLE_MAGIC) and any(s in data for s in _ENCRYPTED_STREAMS)


def convert_to_pdf(data: bytes, *, name: str, timeout: float = 60.0) -> bytes:
    """The PDF LibreOffice makes of this document. Raises UnsupportedEvidence (no LibreOffice,
    password-protected), BrokenEvidence (LibreOffice cannot read it), RenderTimeout, or
    EvidenceTooLarge."""
    program = soffice_path()
    if program is None:
        raise UnsupportedEvidence(
            "Office documents need LibreOffice, which is not installed on this computer "
            f"(or set {SOFFICE_ENV} to the soffice program)."
        )
    if len(data) > MAX_OFFICE_BYTES:
        raise EvidenceTooLarge(
            f"This office document is larger than {MAX_OFFICE_BYTES // 2**20} MB: "
            "too large to convert for viewing."
        )
    check_zip_expansion(data, "office document")  # a zip bomb never reaches LibreOffice
    if _is_encrypted_office(data):
        raise UnsupportedEvidence(
            "This office document is protected with a password and cannot be shown here. "
            "Ask the learner for a copy without a password."
        )
    workdir = Path(tempfile.mkdtemp(prefix="assessor-office-"))  # 0700, only this user
    try:
        return _convert_in(workdir, program, data, _safe_extension(name), timeout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if workdir.exists():  # a file recreated while removing: one more go
            shutil.rmtree(workdir, ignore_errors=True)


def _convert_in(workdir: Path, program: str, data: bytes, extension: str,
                timeout: float) -> bytes:
    os.chmod(workdir, 0o700)
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True, mode=0o700)
    (profile / "user" / "registrymodifications.xcu").write_text(
        _profile_settings(), encoding="utf-8"
    )
    outdir = workdir / "out"
    outdir.mkdir(mode=0o700)
    source = workdir / f"evidence.{extension}"
    fd = os.open(source, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)

    command = [
        *_network_namespace_prefix(),
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--invisible", "--nologo", "--nodefault", "--nofirststartwizard",
        "--nolockcheck", "--norestore",
        "--convert-to", "pdf", "--outdir", str(outdir), str(source),
    ]
    env = _child_environment(workdir)
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=workdir, env=env, start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise RenderTimeout(
            f"LibreOffice took longer than {timeout:g} s to convert this document "
            "and was stopped."
        ) from None
    finally:
        _kill_group(process)  # anything it left behind in its group
    output = outdir / "evidence.pdf"
    if not output.is_file():
        log.info("LibreOffice made no PDF (exit %s): %s", process.returncode,
                 stderr.decode("utf-8", "replace").strip()[-300:])
        raise BrokenEvidence(
            "LibreOffice could not read this document: it may be damaged, or not an office "
            "document."
        )
    if output.stat().st_size > MAX_PDF_BYTES:
        raise EvidenceTooLarge("The converted document is too large to show.")
    pdf = output.read_bytes()
    if not pdf.startswith(b"%PDF-"):
        raise BrokenEvidence("LibreOffice could not convert this document to PDF.")
    return pdf


def _child_environment(workdir: Path) -> dict[str, str]:
    """The user's environment without proxies, with HOME and TMPDIR inside the private
    directory so LibreOffice writes nothing anywhere else."""
    keep = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "FONTCONFIG_PATH", "FONTCONFIG_FILE",
            "SAL_USE_VCLPLUGIN", "SYSTEMROOT")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    closed = "http://127.0.0.1:9"
    env.update({
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "TMP": str(workdir),
        "TEMP": str(workdir),
        "SAL_USE_VCLPLUGIN": "svp",  # headless: never talk to a display server
        "http_proxy": closed, "https_proxy": closed, "ftp_proxy": closed,
        "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "FTP_PROXY": closed,
        "no_proxy": "", "NO_PROXY": "",
    })
    return env


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass
