"""Verification says no: to a key that is not enrolled for the issuer the credential
claims, to a revoked key, and to a revoked credential; through the core verifier fed with
what a real hub serves (DID document, status list), and through the hub's own
verification page.

What ``tests/hub/test_publication.py`` already proves is not repeated: the hub refuses to
*publish* an unenrolled, someone else's or revoked key, and a key revoked before signing
fails against the DID document. Here: what a verifier does with credentials that reach it
by other ways (a forged file, another organisation's key, a key revoked after issuing, a
revoked credential, a substituted status list).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from assessor.credentials.multiformats import ed25519_multikey
from assessor.credentials.proof import add_proof
from assessor.credentials.verify import VerificationReport, verify_credential
from assessor.hub.models import IssuedCredential
from tests.hardening.conftest_authz import Org, served_org
from tests.hub.test_publication import new_signer


@pytest.fixture(scope="module")
def orgs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Org, Org]]:
    with served_org(tmp_path_factory.mktemp("ours")) as ours, \
            served_org(tmp_path_factory.mktemp("theirs"), "Other Org") as theirs:
        yield ours, theirs


def fetch(org: Org, path: str) -> dict[str, Any]:
    with org.client() as client:
        answer = client.get(path)
        assert answer.status_code == 200, answer.text
        document: dict[str, Any] = answer.json()
        return document


def served_documents(org: Org) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The hub's DID document, and its status list and revocation list, as served now."""
    return [fetch(org, "/.well-known/did.json")], [fetch(org, "/status/1"),
                                                   fetch(org, "/revocations")]


def failed(report: VerificationReport) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok and not c.skipped}


def page(org: Org, credential_id: str) -> str:
    with org.client() as client:
        answer = client.get(f"/credentials/{quote(credential_id, safe=':')}",
                            headers={"Accept": "text/html"})
        assert answer.status_code == 200, answer.text
        return answer.text


def signed_as(credential: dict[str, Any], signer: Any, method: str) -> dict[str, Any]:
    """The credential's content signed again by ``signer``, naming ``method`` as its key."""
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    return add_proof(unsigned, signer, method)


def store_published(org: Org, submission: str, credential: dict[str, Any]) -> None:
    """A credential in the hub's table without the checks of a push (as a restored backup
    or a tampered database would hold it): the page must judge it on its own."""
    with org.transaction() as session:
        session.add(IssuedCredential(id=credential["id"],
                                     submission_id=org.submissions[submission],
                                     document=credential,
                                     status_index=org.status_index(submission),
                                     issued_at=datetime.now(UTC)))


def test_the_scene_credential_verifies(orgs: tuple[Org, Org]) -> None:
    """The control: what the other tests break verifies when nothing is broken."""
    ours, _ = orgs
    documents, lists = served_documents(ours)
    report = verify_credential(ours.published, documents=documents, status_documents=lists)
    assert report.ok, report.lines()
    assert "Verified" in page(ours, ours.published["id"])


def test_a_key_the_hub_never_enrolled_does_not_speak_for_it(orgs: tuple[Org, Org]) -> None:
    ours, _ = orgs
    stranger = new_signer()  # made on some laptop, never enrolled
    forged = ours.credential(stranger, ours.status_index("bo-open"))
    assert forged["proof"]["verificationMethod"] == \
        f"{ours.did}#{ed25519_multikey(stranger.public_key)}"
    documents, lists = served_documents(ours)
    report = verify_credential(forged, documents=documents, status_documents=lists)
    assert not report.ok
    assert "not in any DID document" in " ".join(failed(report).values())

    store_published(ours, "bo-open", forged)
    html = page(ours, forged["id"])
    assert "Not verified" in html and "Verified</strong>" not in html


def test_another_organisations_key_does_not_speak_for_this_one(
        orgs: tuple[Org, Org]) -> None:
    """Their enrolled assessor signs a credential that names our organisation as issuer,
    with the key as their DID document lists it: the key belongs to them, not to us."""
    ours, theirs = orgs
    theirs_key = theirs.signers["bo"]
    forged = signed_as(ours.credential(new_signer(), ours.status_index("bo-open")), theirs_key,
                       f"{theirs.did}#{ed25519_multikey(theirs_key.public_key)}")
    assert forged["issuer"]["id"] == ours.did
    assert forged["proof"]["verificationMethod"].startswith(theirs.did + "#")
    documents = [fetch(ours, "/.well-known/did.json"), fetch(theirs, "/.well-known/did.json")]
    report = verify_credential(forged, documents=documents, check_status=False)
    assert not report.ok
    assert failed(report)["issuer key"] == (
        f"the key belongs to {theirs.did}, not to the issuer {ours.did}")

    with ours.client(ours.token("bo")) as client:  # nor will our hub publish it
        answer = client.post("/api/v1/credentials", json={
            "client_id": str(uuid.uuid4()), "submission_id": ours.submissions["bo-open"],
            "base_revision": ours.revision("bo-open"), "credential": forged})
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "bad_key"


def test_a_document_cannot_claim_keys_for_another_did(orgs: tuple[Org, Org]) -> None:
    """A DID document handed to the verifier (theirs, or an attacker's) that lists a key
    under *our* DID, or names our DID as its controller, does not make the key ours: a key
    counts only in the document of the DID it is named under, controlled by that DID."""
    ours, theirs = orgs
    attacker = new_signer()
    multikey = ed25519_multikey(attacker.public_key)
    claimed = f"{ours.did}#{multikey}"
    theirs_doc = fetch(theirs, "/.well-known/did.json")
    smuggled_under_our_did = {
        **theirs_doc,
        "verificationMethod": [*theirs_doc["verificationMethod"],
                               {"id": claimed, "type": "Multikey", "controller": ours.did,
                                "publicKeyMultibase": multikey}],
        "assertionMethod": [*theirs_doc["assertionMethod"], claimed]}
    forged = ours.credential(attacker, ours.status_index("bo-open"))
    assert forged["proof"]["verificationMethod"] == claimed
    documents = [fetch(ours, "/.well-known/did.json"), smuggled_under_our_did]
    report = verify_credential(forged, documents=documents, check_status=False)
    assert not report.ok, report.lines()

    # Their own key id, but "controlled by" our DID.
    own_id = f"{theirs.did}#{multikey}"
    controlled_by_us = {
        **theirs_doc,
        "verificationMethod": [*theirs_doc["verificationMethod"],
                               {"id": own_id, "type": "Multikey", "controller": ours.did,
                                "publicKeyMultibase": multikey}],
        "assertionMethod": [*theirs_doc["assertionMethod"], own_id]}
    forged = signed_as(forged, attacker, own_id)
    report = verify_credential(forged, documents=[controlled_by_us], check_status=False)
    assert not report.ok, report.lines()
    assert "issuer key" in failed(report)


def test_a_key_revoked_after_issuing_no_longer_verifies(orgs: tuple[Org, Org]) -> None:
    """ada publishes, then her key is revoked (a stolen laptop): the DID document stops
    listing it for issuing, and the credential stops verifying, in the core verifier and
    on the hub's page."""
    ours, _ = orgs
    name = "ada-approved"
    credential = ours.credential(ours.signers["ada"], ours.status_index(name))
    with ours.client(ours.token("ada")) as client:
        answer = client.post("/api/v1/credentials", json={
            "client_id": str(uuid.uuid4()), "submission_id": ours.submissions[name],
            "base_revision": ours.revision(name), "credential": credential})
        assert answer.status_code == 201, answer.text
    documents, lists = served_documents(ours)
    assert verify_credential(credential, documents=documents, status_documents=lists).ok
    assert "Verified</strong>" in page(ours, credential["id"])

    multikey = ed25519_multikey(ours.signers["ada"].public_key)
    with ours.client(ours.token("admin")) as client:
        revoked = client.post(f"/api/v1/admin/keys/{multikey}/revoke")
        assert revoked.status_code == 200, revoked.text
    documents, lists = served_documents(ours)
    report = verify_credential(credential, documents=documents, status_documents=lists)
    assert not report.ok
    assert failed(report) == {
        "issuer key": f"{ours.did} does not list the key for issuing (assertionMethod)"}
    html = page(ours, credential["id"])
    assert "Not verified" in html and "does not list the key for issuing" in html

    # And the hub refuses a new credential signed with it.
    again = ours.credential(ours.signers["ada"], ours.status_index("ada-open"))
    with ours.client(ours.token("ada")) as client:
        refused = client.post("/api/v1/credentials", json={
            "client_id": str(uuid.uuid4()), "submission_id": ours.submissions["ada-open"],
            "base_revision": ours.revision("ada-open"), "credential": again})
        assert refused.status_code in (403, 409), refused.text


def test_a_revoked_credential_is_reported_revoked(orgs: tuple[Org, Org]) -> None:
    ours, theirs = orgs
    credential = ours.published
    before_lists = served_documents(ours)[1]
    with ours.client(ours.token("admin")) as client:
        answer = client.post(
            f"/api/v1/admin/credentials/{quote(credential['id'], safe=':')}/revoke",
            json={"reason": "Evidence was <b>not</b> the learner's own"})
        assert answer.status_code in (200, 409), answer.text  # 409: revoked already
    documents, lists = served_documents(ours)
    report = verify_credential(credential, documents=documents, status_documents=lists)
    assert not report.ok
    problems = failed(report)
    assert set(problems) == {"status"} and "revoked" in problems["status"]
    html = page(ours, credential["id"])
    assert "<strong>Revoked</strong>" in html and "Verified</strong>" not in html

    # A status list from elsewhere, passed off under our list's address, is not believed.
    their_list = fetch(theirs, "/status/1")
    substituted = {**their_list, "id": lists[0]["id"]}
    report = verify_credential(credential, documents=[*documents,
                                                      fetch(theirs, "/.well-known/did.json")],
                               status_documents=[substituted])
    assert not report.ok and "status" in failed(report)
    # Nor is our own list with a bit cleared by hand (its proof breaks).
    assert before_lists[0]["credentialSubject"]["encodedList"] != \
        lists[0]["credentialSubject"]["encodedList"]
    tampered = {**lists[0], "credentialSubject": {
        **lists[0]["credentialSubject"],
        "encodedList": before_lists[0]["credentialSubject"]["encodedList"]}}
    report = verify_credential(credential, documents=documents, status_documents=[tampered])
    assert not report.ok and "does not verify" in failed(report)["status"]
