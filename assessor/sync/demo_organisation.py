"""The embedded default: with no hub configured, the app opens the demo organisation.

A newcomer starts ``python main.py`` on a fresh machine and can walk the whole flow: the
demo hub (sample rubrics and generated evidence) is served in this process on 127.0.0.1,
the desktop signs in as the demo assessor with a fresh enrolment code (which enrols this
computer's signing key, so signed credentials verify against the demo's DID document),
and the first sync brings the submissions. Signing in to a real hub ends the demo.

``ASSESSOR_DEMO=0`` (or ``off``/``no``) turns the embedded demo off, e.g. on managed
installations.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assessor.config import load_settings, save_settings
from assessor.keys import KeychainSecrets
from assessor.paths import AppPaths
from assessor.sync.account import SignedIn, sign_in, token_name

if TYPE_CHECKING:
    from assessor.hub.demo.run import DemoHub

log = logging.getLogger(__name__)

DEMO_ENV = "ASSESSOR_DEMO"
DEMO_FOLDER = "demo-hub"


def demo_enabled() -> bool:
    return os.environ.get(DEMO_ENV, "1").strip().lower() not in ("0", "off", "no", "false")


def wants_demo(paths: AppPaths) -> bool:
    """True when this start should serve the demo: no hub yet, or the demo is the hub."""
    if not demo_enabled():
        return False
    settings = load_settings(paths.home)
    return settings.demo_hub or not settings.hub_configured


@dataclass
class DemoOrganisation:
    hub: DemoHub
    signed_in: SignedIn | None
    """Set when this start had to sign in (first start, or the demo moved port)."""

    @property
    def warning(self) -> str | None:
        return self.hub.warning

    def stop(self) -> None:
        self.hub.stop()


def open_demo_organisation(paths: AppPaths,
                           secrets: KeychainSecrets | None = None) -> DemoOrganisation:
    """Serve the demo hub in this process and make sure the desktop is signed in to it."""
    from assessor.hub.demo.run import start_demo_hub

    hub = start_demo_hub(paths.home / DEMO_FOLDER)
    secrets = secrets or KeychainSecrets()
    try:
        settings = load_settings(paths.home)
        signed = None
        if settings.hub_url != hub.url or not secrets.get(token_name(hub.url)):
            signed = sign_in(paths.home, hub.url, hub.username,
                             enrolment_code=hub.enrolment_code, secrets=secrets)
            settings = signed.settings
        if not settings.demo_hub:
            save_settings(paths.home, settings.with_changes(demo_hub=True))
    except BaseException:
        hub.stop()
        raise
    log.info("serving the demo organisation on %s", hub.url)
    return DemoOrganisation(hub, signed)
