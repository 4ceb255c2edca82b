"""The embedded default: a fresh desktop with no hub serves the demo organisation in
process, signs in as the demo assessor (enrolling its key) and syncs real evidence."""

from __future__ import annotations

import pytest

from assessor.config import load_settings
from assessor.keys import KeychainSecrets
from assessor.paths import AppPaths
from assessor.sync.account import token_name
from assessor.sync.demo_organisation import DEMO_ENV, open_demo_organisation, wants_demo
from assessor.sync.run import sync_once


def test_a_fresh_desktop_opens_the_demo_organisation_and_syncs_it(
        home: AppPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    assert wants_demo(home)
    monkeypatch.setenv(DEMO_ENV, "0")
    assert not wants_demo(home)
    monkeypatch.delenv(DEMO_ENV)

    demo = open_demo_organisation(home)
    try:
        assert demo.signed_in is not None and demo.signed_in.key_enrolled, demo.signed_in
        settings = load_settings(home.home)
        assert settings.demo_hub and settings.hub_url == demo.hub.url
        assert settings.role == "assessor"
        assert settings.issuer_id.startswith("did:web:")
        assert settings.status_list_url.startswith(demo.hub.url)
        report = sync_once(home)
        assert report.added > 0 and report.files > 0 and not report.problems
        again = sync_once(home)
        assert again.added == 0 and again.files == 0
    finally:
        demo.stop()

    # The next start serves the same demo and needs no new sign-in.
    demo = open_demo_organisation(home)
    try:
        assert demo.signed_in is None
        assert wants_demo(home)
        assert sync_once(home).added == 0
    finally:
        demo.stop()
        KeychainSecrets().delete(token_name(demo.hub.url))
