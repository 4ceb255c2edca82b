"""The headless half of ``--self-test``: checks an installation (a checkout or a bundle) can
do its real work, each reported as one line.

Every check runs on what the caller gives it (a throw-away folder, the app's own render
service), never on the user's data directory, and the signing check uses a keychain entry
under a throw-away service name that it removes again, even when it fails. The Qt half
(``ui/self_test.py``) opens the main window and runs these beside it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessor import APP_ID
from assessor.errors import UserFacingError

if TYPE_CHECKING:
    from assessor.evidence.render import RenderService

SERVICE_PREFIX = f"{APP_ID}.self-test-"
"""The keychain service names the signing check uses: this prefix and a random suffix."""
CHECK_TIMEOUT = 60.0
RESOURCE_FILES: tuple[tuple[str, ...], ...] = (
    ("contexts", "credentials-v2.jsonld"),
    ("contexts", "ob-v3p0-context-3.0.3.jsonld"),
    ("contexts", "pinned.json"),
    ("icons", "app.svg"),
    ("style", "workstation.qss"),
    ("demo", "site-safety.svg"),
)


class SelfTestFailure(Exception):
    """A check found something wrong; ``str(exc)`` says what, in one line."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0

    def line(self) -> str:
        return f"{'ok' if self.ok else 'FAILED':<7}{self.name}: {self.detail}"


def run_check(name: str, check: Callable[[], str], *,
              timeout: float = CHECK_TIMEOUT) -> CheckResult:
    """Run ``check`` (it returns the detail for the "ok" line) on a thread of its own, so a
    keychain that waits for a password prompt cannot hang the self-test: a check that has
    not finished after ``timeout`` seconds fails."""
    outcome: list[CheckResult] = []
    started = time.monotonic()

    def body() -> None:
        try:
            detail = check()
        except (SelfTestFailure, UserFacingError) as exc:
            outcome.append(CheckResult(name, False, _one_line(str(exc))))
        except Exception as exc:  # a bug or a broken install: name it, keep going
            outcome.append(CheckResult(name, False, _one_line(f"{type(exc).__name__}: {exc}")))
        else:
            outcome.append(CheckResult(name, True, _one_line(detail)))

    worker = threading.Thread(target=body, name=f"self-test-{name}", daemon=True)
    worker.start()
    worker.join(timeout)
    elapsed = time.monotonic() - started
    if not outcome:
        return CheckResult(name, False, f"did not finish within {timeout:g} s", elapsed)
    result = outcome[0]
    return CheckResult(result.name, result.ok, result.detail, elapsed)


def check_resources() -> str:
    """The data files the app reads at run time are where the code looks for them."""
    from assessor.hub.database import MIGRATIONS as HUB_MIGRATIONS
    from assessor.store.migrations import SCRIPT_LOCATION as STORE_MIGRATIONS
    from resources import resource

    missing = ["/".join(parts) for parts in RESOURCE_FILES if not resource(*parts).is_file()]
    for label, folder in (("store", STORE_MIGRATIONS), ("hub", HUB_MIGRATIONS)):
        if not (folder / "env.py").is_file() or not any((folder / "versions").glob("*.py")):
            missing.append(f"the {label} migrations ({folder})")
    if missing:
        raise SelfTestFailure("missing: " + ", ".join(missing))
    contexts = len(list(resource("contexts").glob("*.jsonld")))
    return f"{contexts} JSON-LD contexts, icons, style sheet, demo badges, store and hub " \
        "migrations"


def check_hub_database(folder: Path) -> str:
    """The embedded demo organisation's database: create a hub schema in ``folder``."""
    from sqlalchemy import text

    from assessor.hub.database import HUB_HEAD, open_hub_database

    database = open_hub_database(str(folder / "hub.sqlite3"))
    try:
        with database.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")
                                          ).scalar()
    finally:
        database.dispose()
    if revision != HUB_HEAD:
        raise SelfTestFailure(f"the hub schema is at {revision!r}, expected {HUB_HEAD!r}")
    return f"created a hub database at schema {revision} (SQLite)"


def demo_pdf() -> bytes:
    """A PDF report as the demo organisation's learners submit (text, charts, a table)."""
    from assessor.hub.demo.evidence import Context, make_evidence

    context = Context(seed=1, learner="Sam Self-Test", template_id="self-test",
                      submitted_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    return make_evidence("campaign-report", context).data


def check_render(service: RenderService, data: bytes | None = None) -> str:
    """Draw the first page of the demo report through ``service``'s worker processes."""
    import os

    document = demo_pdf() if data is None else data
    with service.open_document(document, name="campaign-report.pdf") as handle:
        pages = handle.info.page_count
        image = handle.render_page(0, scale=1.0)
    workers = [pid for pid in service._worker_pids() if pid != os.getpid()]
    if not workers:
        raise SelfTestFailure("no render worker process is running")
    inked = _inked_share(image.samples, image.width, image.height, image.stride)
    if inked < 0.01:
        raise SelfTestFailure(f"page 1 came back blank ({image.width}x{image.height} pixels)")
    return (f"drew page 1 of {pages} of a demo PDF report ({image.width}x{image.height} "
            f"pixels, {inked:.0%} inked) in {len(workers)} worker "
            f"process{'es' if len(workers) != 1 else ''}")


def _inked_share(samples: bytes, width: int, height: int, stride: int) -> float:
    """The share of pixels that are not white (RGB rows of ``stride`` bytes), sampled."""
    step = max(1, height // 200)
    seen = inked = 0
    for row in range(0, height, step):
        line = samples[row * stride:row * stride + width * 3]
        for column in range(0, width * 3, 3 * max(1, width // 200)):
            seen += 1
            if line[column:column + 3] != b"\xff\xff\xff":
                inked += 1
    return inked / seen if seen else 0.0


def sample_credential() -> dict[str, Any]:
    """An unsigned Open Badges 3.0 credential with nothing personal in it."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": f"urn:uuid:{_uuid()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"type": ["Profile"], "name": "Assessor self-test",
                   "url": "https://example.org"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Self-test badge",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
            "id": "https://example.org/achievements/self-test", "type": ["Achievement"],
            "name": "Self-test badge", "description": "Made by assessor --self-test.",
            "criteria": {"narrative": "None: this credential only proves signing works."}}},
    }


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def throwaway_service() -> str:
    return SERVICE_PREFIX + secrets.token_hex(6)


def check_signing(folder: Path, service: str | None = None) -> str:
    """Make a signing key under a throw-away keychain service, sign and verify a
    credential with it, then remove the key (also on failure) and confirm it is gone."""
    from assessor.credentials.signing import sign_credential
    from assessor.credentials.verify import verify_credential
    from assessor.keys import KeyCustody

    service = service or throwaway_service()
    custody = KeyCustody(folder, service=service)
    made: list[str] = []
    try:
        made.append(custody.create().id)
        signed = sign_credential(sample_credential(), custody.signer())
        report = verify_credential(signed, check_status=False)
        if not report.ok:
            failures = [line for line in report.lines() if line.startswith("FAIL")]
            raise SelfTestFailure("the credential signed here did not verify: "
                                  + "; ".join(failures))
    except BaseException as exc:
        if made:
            _remove_keys(custody, service, made, failing=exc)
        raise
    _remove_keys(custody, service, made)
    return (f"signed and verified an Open Badges 3.0 credential (eddsa-rdfc-2022) with a "
            f"throw-away key; keychain entry {service} removed")


def _remove_keys(custody: Any, service: str, made: list[str],
                 failing: BaseException | None = None) -> None:
    """Remove the throw-away keys and confirm the keychain no longer holds them; a failure
    to do so is reported together with the failure that came first, if any."""
    from assessor.keys import KEY_PREFIX, KeychainSecrets

    try:
        custody.delete_all()
        left = [key for key in made
                if KeychainSecrets(service).get(KEY_PREFIX + key) is not None]
        problem = "it is still there" if left else ""
    except UserFacingError as exc:
        problem = str(exc)
    if not problem:
        return
    message = f"the throw-away key could not be removed from the keychain (service " \
        f"{service}): {problem}"
    if failing is not None:
        message = f"{failing}; and {message}"
    raise SelfTestFailure(message) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())
