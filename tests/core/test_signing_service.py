"""From an approved submission to a signed OB 3.0 credential: preview, sign, batch."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from keyring.backends import fail

from assessor.credentials.contexts import OB_EXTENSIONS, OB_V3P0, VC_V2
from assessor.credentials.ob3 import IssuerProfile, StatusEntry, identity_hash
from assessor.credentials.service import SigningService
from assessor.credentials.verify import verify_credential
from assessor.domain.feedback import Outcome
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.states import State
from assessor.errors import ValidationError, WorkflowError
from assessor.keys import KeychainError, KeyCustody
from tests.core.helpers import ASSESSOR, MENTOR, NOW, safety_id, seeded_store

HUB = "https://hub.example.org"
ISSUER = IssuerProfile("Example Builders Guild", "https://builders.example.org")
PASSING = {"hazard-id": "proficient", "controls": "exemplary", "reporting": "proficient"}


@pytest.fixture
def store(home, clock):
    store = seeded_store(home, count=16, clock=clock)
    yield store
    store.close()


@pytest.fixture
def custody(home) -> Iterator[KeyCustody]:
    custody = KeyCustody(home.home)
    custody.create()
    yield custody
    custody.delete_all()


def approve(store, submission_id: str) -> None:
    for key, level in PASSING.items():
        store.record_judgment(submission_id, JudgmentDraft(key, level), ASSESSOR)
    store.decide(submission_id, ASSESSOR, Outcome.APPROVE)


def service(store, custody, **options) -> SigningService:
    return SigningService(store, custody, ISSUER, HUB, clock=lambda: NOW, **options)


def test_the_credential_carries_rubric_results_evidence_and_a_hashed_learner(
        store, custody) -> None:
    approve(store, safety_id(0))
    signing = service(store, custody,
                      status=lambda sid: StatusEntry(f"{HUB}/status/1", 17),
                      revocation_list=f"{HUB}/revocations")
    preview = signing.preview(safety_id(0), ASSESSOR)
    credential = preview.credential
    assert credential["@context"] == [VC_V2, OB_V3P0, OB_EXTENSIONS]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2026-11-02T09:00:00Z"
    assert credential["validUntil"] == "2028-11-01T09:00:00Z"  # 730 days
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["version"] == "site-safety v1"
    assert achievement["tag"] == ["safety", "construction", "workplace"]
    assert achievement["alignment"][0]["type"] == ["Alignment"]
    assert achievement["image"]["id"].startswith(HUB)
    descriptions = {d["name"]: d for d in achievement["resultDescription"]}
    assert list(descriptions) == ["Identifies hazards", "Applies controls", "Reports incidents"]
    controls = descriptions["Applies controls"]
    assert controls["resultType"] == "RubricCriterionLevel"
    assert [level["name"] for level in controls["rubricCriterionLevel"]] == [
        "Not yet", "Developing", "Proficient", "Exemplary"]
    assert controls["requiredLevel"].endswith("/proficient")
    achieved = {r["resultDescription"]: r["achievedLevel"] for r in subject["result"]}
    assert achieved[controls["id"]].endswith("/exemplary")

    learner = store.submission(safety_id(0)).learner
    identifier = subject["identifier"][0]
    assert identifier["hashed"] is True and identifier["identityType"] == "emailAddress"
    assert identifier["identityHash"] == identity_hash(learner.email, identifier["salt"])
    assert learner.email not in str(credential) and learner.name not in str(credential)

    evidence = store.submission(safety_id(0)).evidence
    assert [e["name"] for e in credential["evidence"]] == [e.file_name for e in evidence]
    assert credential["evidence"][0]["id"] == f"{HUB}/api/v1/evidence/{evidence[0].sha256}"
    assert credential["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"
    assert credential["credentialStatus"][0]["statusListIndex"] == "17"
    assert credential["credentialStatus"][1]["type"] == "1EdTechRevocationList"

    assert any("Applies controls: Exemplary" in line for line in preview.summary)
    assert any(line.startswith("Total: 8.5 of 10.5") for line in preview.summary)


def test_signing_stores_exactly_what_was_previewed_and_it_verifies(store, custody) -> None:
    approve(store, safety_id(0))
    signing = service(store, custody)
    preview = signing.preview(safety_id(0), ASSESSOR)
    before = store.outbox_count()
    signed = signing.sign(preview, ASSESSOR)
    assert {k: v for k, v in signed.items() if k not in ("proof", "issuer")} == \
        {k: v for k, v in preview.credential.items() if k != "issuer"}
    assert store.submission(safety_id(0)).state is State.SIGNED
    assert store.signed_credentials(safety_id(0)) == [signed]
    assert store.outbox_count() == before + 1
    report = verify_credential(signed, now=NOW + timedelta(days=1))
    assert report.ok, report.lines()
    active = custody.active()
    assert active is not None and signed["issuer"]["id"] == active.did
    assert store.verify_audit().ok


def test_what_cannot_be_signed_is_refused_and_nothing_changes(store, custody) -> None:
    signing = service(store, custody)
    with pytest.raises(WorkflowError, match="approved"):
        signing.preview(safety_id(1), ASSESSOR)
    approve(store, safety_id(1))
    with pytest.raises(WorkflowError):
        signing.preview(safety_id(1), MENTOR)
    preview = signing.preview(safety_id(1), ASSESSOR)
    signing.sign(preview, ASSESSOR)
    with pytest.raises(WorkflowError):
        signing.sign(preview, ASSESSOR)  # twice
    assert len(store.signed_credentials(safety_id(1))) == 1


def test_without_a_keychain_signing_is_refused_and_judging_goes_on(store, custody,
                                                                 monkeypatch) -> None:
    import keyring

    approve(store, safety_id(2))
    original = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(KeychainError, match="keychain"):
            service(store, custody).sign_batch([safety_id(2)], ASSESSOR)
        assert store.submission(safety_id(2)).state is State.APPROVED
        store.record_judgment(safety_id(3), JudgmentDraft("hazard-id", "developing"), ASSESSOR)
        assert store.judgments(safety_id(3))["hazard-id"].level_key == "developing"
    finally:
        keyring.set_keyring(original)


def test_a_batch_reports_progress_skips_what_fails_and_stops_when_cancelled(
        store, custody) -> None:
    ids = [safety_id(n) for n in range(4)]
    for submission_id in ids[:3]:
        approve(store, submission_id)
    seen: list[tuple[int, int, str]] = []
    result = service(store, custody).sign_batch(ids, ASSESSOR, on_progress=lambda *a:
                                                seen.append(a))
    assert result.signed == ids[:3]
    assert list(result.failed) == [ids[3]] and "approved" in result.failed[ids[3]]
    assert [s[0] for s in seen] == [1, 2, 3, 4] and seen[-1][1] == 4

    more = [safety_id(n) for n in range(4, 7)]
    for submission_id in more:
        approve(store, submission_id)
    done: list[str] = []
    result = service(store, custody).sign_batch(
        more, ASSESSOR, on_progress=lambda d, t, sid: done.append(sid),
        cancelled=lambda: len(done) >= 1)
    assert result.cancelled and result.signed == more[:1]
    assert store.submission(more[1]).state is State.APPROVED


def test_a_learner_without_email_cannot_be_identified(store, custody) -> None:
    from assessor.credentials.ob3 import build_credential

    approve(store, safety_id(0))
    review = store.review(safety_id(0))
    learner = review.submission.learner
    nameless = type(learner)(learner.id, learner.name, "")
    submission = type(review.submission)(**{**review.submission.__dict__, "learner": nameless})
    with pytest.raises(ValidationError, match="e-mail"):
        build_credential(type(review)(**{**review.__dict__, "submission": submission}),
                         ISSUER, hub_url=HUB)


def test_identity_hash_follows_the_spec() -> None:
    expected = "sha256$" + hashlib.sha256(b"dana@example.org" + b"s4lt").hexdigest()
    assert identity_hash(" Dana@Example.org ", "s4lt") == expected


def test_a_mentor_endorses_the_issued_achievement_with_their_own_key(store, custody,
                                                                      tmp_path) -> None:
    from assessor.domain.feedback import Visibility

    approve(store, safety_id(0))
    signing = service(store, custody)
    issued = signing.sign(signing.preview(safety_id(0), ASSESSOR), ASSESSOR)
    said = store.add_feedback(safety_id(0), MENTOR, "Your hazard log is the best I have seen.",
                              Visibility.LEARNER)
    internal = store.add_feedback(safety_id(0), MENTOR, "Check the ladder photo.",
                                  Visibility.INTERNAL)
    theirs = store.add_feedback(safety_id(0), ASSESSOR, "Well done.", Visibility.LEARNER)

    mentor_keys = KeyCustody(tmp_path / "mentor-home")
    mentor_keys.create()
    try:
        mentor_signing = service(store, mentor_keys)
        for note, actor, reason in ((internal, MENTOR, "Internal notes stay internal"),
                                    (theirs, MENTOR, "your own feedback"),
                                    (said, ASSESSOR, "endorse")):
            with pytest.raises(WorkflowError, match=reason):
                mentor_signing.endorse(safety_id(0), note.id, actor)
        before = store.outbox_count()
        endorsement = mentor_signing.endorse(safety_id(0), said.id, MENTOR)
        assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
        assert endorsement["credentialSubject"] == {
            "id": issued["id"], "type": ["EndorsementSubject"],
            "endorsementComment": "Your hazard log is the best I have seen."}
        mentor_key = mentor_keys.active()
        assert mentor_key is not None and endorsement["issuer"]["id"] == mentor_key.did
        assert endorsement["issuer"]["name"] == MENTOR.name
        assert verify_credential(endorsement, now=NOW + timedelta(days=1)).ok
        assert store.endorsements(safety_id(0)) == [endorsement]
        assert store.outbox_count() == before + 1
        assert store.verify_audit().ok
    finally:
        mentor_keys.delete_all()


def test_only_issued_achievements_are_endorsed(store, custody) -> None:
    from assessor.domain.feedback import Visibility

    approve(store, safety_id(1))
    note = store.add_feedback(safety_id(1), MENTOR, "Great work.", Visibility.LEARNER)
    with pytest.raises(WorkflowError, match="Only an issued achievement"):
        service(store, custody).endorse(safety_id(1), note.id, MENTOR)
    assert store.endorsements(safety_id(1)) == []
