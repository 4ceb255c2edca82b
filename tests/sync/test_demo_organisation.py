"""The embedded default: a fresh desktop with no hub serves the demo organisation in
process, signs in as the demo assessor (enrolling its key) and syncs real evidence."""

from __future__ import annotations

from urllib.parse import urlsplit

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


def test_the_whole_flow_on_the_demo_from_sync_to_a_published_verifiable_credential(
        home: AppPaths) -> None:
    """Sync, judge every criterion, approve, sign, push: the hub publishes the credential
    and it verifies against the hub's DID document and status list."""
    import httpx

    from assessor.credentials.verify import verify_credential
    from assessor.domain.feedback import Outcome
    from assessor.domain.judgment import JudgmentDraft
    from assessor.domain.states import State
    from assessor.workstation import Workstation

    demo = open_demo_organisation(home)
    workstation = Workstation.open(home)
    try:
        sync_once(home, evidence=False)
        store = workstation.store
        actor = workstation.actor
        pending = [s for s in (store.submission(i) for i in _submission_ids(home))
                   if s.state is State.PENDING and s.assigned_to == actor.user_id]
        for submission in pending:  # the demo samples some decisions for moderation
            rubric = store.rubric(submission.rubric_key, submission.rubric_version)
            for criterion in rubric.criteria:
                best = max(criterion.levels, key=lambda level: level.points)
                store.record_judgment(submission.id, JudgmentDraft(criterion.key, best.key,
                                                                   "Clear evidence"), actor)
            store.decide(submission.id, actor, Outcome.APPROVE, note="Well evidenced")
            sync_once(home, evidence=False)
            if store.submission(submission.id).state is State.APPROVED:
                break
        else:
            raise AssertionError("every demo decision went to moderation")
        signing = workstation.signing()
        signed = signing.sign(signing.preview(submission.id, actor), actor)
        report = sync_once(home, evidence=False)
        assert report.pushed == 1 and report.refused == 0 and report.conflicts == 0
        assert store.submission(submission.id).state is State.PUBLISHED
        with httpx.Client(base_url=demo.hub.url) as client:
            published = client.get(f"/credentials/{signed['id']}",
                                   params={"format": "json"}).json()
            did = client.get("/.well-known/did.json").json()
            status = client.get(urlsplit(signed["credentialStatus"]["statusListCredential"]
                                         ).path).json()
        assert published["proof"] == signed["proof"]
        result = verify_credential(published, documents=[did], status_documents=[status])
        assert result.ok, result.lines()
    finally:
        workstation.close()
        demo.stop()
        KeychainSecrets().delete(token_name(demo.hub.url))


def _submission_ids(home: AppPaths) -> list[str]:
    from assessor.store.database import read_only_connection

    connection = read_only_connection(home.store)
    try:
        return [row[0] for row in connection.execute("SELECT id FROM submissions")]
    finally:
        connection.close()
