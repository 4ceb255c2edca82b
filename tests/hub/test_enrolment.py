"""Desktop sign-in with one-time enrolment codes, and enrolling one's own signing key.

A real hub on a loopback port (SQLite and PostgreSQL): an administrator makes a code, the
desktop signs in with it once and enrols the key `keys export-public` prints, and the hub
answers with the issuer, verification method and status list the desktop signs with.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from assessor.credentials import ed25519
from assessor.hub.enrolment_codes import CODE_REFUSED, code_hash
from assessor.hub.hub_key import ENV_VAR, forget_cached_keys
from assessor.hub.models import EnrolledKey, EnrolmentCode, Token
from assessor.hub.self_enrolment import NEEDS_CODE
from tests.hub.conftest import PASSWORD, RunningHub
from tests.hub.test_admin import admin, error, exported_key, run_admin

CODE_SHAPE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


@pytest.fixture(autouse=True)
def hub_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The hub signs its DID document's key list with a key from the environment, so these
    tests leave nothing in the keychain."""
    monkeypatch.setenv(ENV_VAR, base64.urlsafe_b64encode(ed25519.new_seed()).decode())
    forget_cached_keys()
    yield
    forget_cached_keys()


def new_code(hub: RunningHub, user: str, **body: Any) -> dict[str, Any]:
    with admin(hub) as client:
        answer = client.post(f"/api/v1/admin/users/{user}/enrolment-codes",
                             json=body or None)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def sign_in_with_code(hub: RunningHub, username: str, code: str, **extra: Any) -> Any:
    with hub.client() as client:
        return client.post("/api/v1/sessions", json={"username": username,
                                                     "enrolment_code": code, **extra})


def refused_alike(answer: Any) -> None:
    assert error(answer, 401)["message"] == CODE_REFUSED


def codes(hub: RunningHub) -> list[tuple[str, str, bool]]:
    """(hash, user id, used) of every stored code."""
    with hub.transaction() as session:
        return sorted((row.code_hash, row.user_id, row.used_at is not None)
                      for row in session.scalars(select(EnrolmentCode)))


def test_a_code_signs_in_once_and_its_token_may_enrol_keys(hub: RunningHub) -> None:
    made = new_code(hub, "ada")
    code = made["code"]
    assert CODE_SHAPE.match(code)
    expires = datetime.fromisoformat(made["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    # Only the code's hash is kept.
    assert codes(hub) == [(code_hash(code), hub.users["ada"], False)]
    assert code_hash(code) != code

    # Failures for any other reason leave the code as it was, and read the same.
    refused_alike(sign_in_with_code(hub, "bo", code))  # another user's code
    refused_alike(sign_in_with_code(hub, "nobody", code))  # no such user
    refused_alike(sign_in_with_code(hub, "ada", "AAAA-AAAA-AAAA-AAAA"))  # wrong code
    refused_alike(sign_in_with_code(hub, "ada", "x"))
    assert sign_in_with_code(hub, "ada", code, device="d" * 300).status_code == 422
    assert codes(hub) == [(code_hash(code), hub.users["ada"], False)]

    # Typed in lower case with spaces, it still works: once.
    typed = code.lower().replace("-", " ")
    answer = sign_in_with_code(hub, "ada", typed, device="ada's new laptop")
    assert answer.status_code == 201, answer.text
    session = answer.json()
    assert session["may_enrol_keys"] is True and session["user"]["username"] == "ada"
    assert codes(hub) == [(code_hash(code), hub.users["ada"], True)]
    refused_alike(sign_in_with_code(hub, "ada", code))
    with hub.client(session["token"]) as client:
        me = client.get("/api/v1/me").json()
    assert me["username"] == "ada" and me["may_enrol_keys"] is True
    assert me["organisation"] == {"name": "Example Training Org",
                                  "did": me["organisation"]["did"],
                                  "url": "https://training.example.org"}
    assert me["organisation"]["did"].startswith("did:web:127.0.0.1%3A")
    assert me["status_list"] == f"{hub.url}/status/1"
    # A password sign-in gives an ordinary token.
    with hub.client(hub.sign_in("ada")) as client:
        assert client.get("/api/v1/me").json()["may_enrol_keys"] is False
    with hub.transaction() as db:
        assert db.scalar(select(func.count()).select_from(Token)
                         .where(Token.may_enrol_keys.is_(True))) == 1


@pytest.mark.parametrize("body, message", [
    ({"username": "ada"}, "either password or enrolment_code"),
    ({"username": "ada", "password": PASSWORD, "enrolment_code": "AAAA-AAAA-AAAA-AAAA"},
     "either password or enrolment_code"),
    ({"username": "ada", "enrolment_code": ""}, "enrolment_code"),
    ({"username": "ada", "enrolment_code": 1234}, "enrolment_code"),
])
def test_sign_in_takes_exactly_one_of_password_and_code(hub: RunningHub, body: dict[str, Any],
                                                        message: str) -> None:
    code = new_code(hub, "ada")["code"]
    with hub.client() as client:
        answer = client.post("/api/v1/sessions", json=body)
    found = error(answer, 422)
    assert found["code"] == "invalid_request" and message in found["message"]
    assert PASSWORD not in answer.text
    assert codes(hub) == [(code_hash(code), hub.users["ada"], False)]


def test_codes_expire_are_replaced_and_need_an_active_user(hub: RunningHub, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    first = new_code(hub, "bo")["code"]
    second = new_code(hub, "bo", days=1)["code"]
    refused_alike(sign_in_with_code(hub, "bo", first))  # replaced by the second
    with hub.transaction() as session:
        session.execute(update(EnrolmentCode).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    refused_alike(sign_in_with_code(hub, "bo", second))  # expired
    assert codes(hub) == [(code_hash(second), hub.users["bo"], False)]

    pending = new_code(hub, "bo")["code"]
    with admin(hub) as client:
        assert client.post("/api/v1/admin/users/bo/deactivate").status_code == 200
        disabled = client.post("/api/v1/admin/users/bo/enrolment-codes")
        assert error(disabled, 409)["code"] == "account_disabled"
        assert client.post("/api/v1/admin/users/bo/activate").status_code == 200
        for days in (0, 91, "seven"):
            answer = client.post("/api/v1/admin/users/bo/enrolment-codes", json={"days": days})
            assert error(answer, 422)["code"] == "invalid_request"
        assert error(client.post("/api/v1/admin/users/nobody/enrolment-codes"), 404)
    refused_alike(sign_in_with_code(hub, "bo", pending))  # dropped when bo was deactivated
    with hub.client(hub.sign_in("ada")) as client:
        assert error(client.post("/api/v1/admin/users/ada/enrolment-codes"), 403)
    assert codes(hub) == []

    # The same on the command line: the code is printed once, for the admin to hand over.
    status, out = run_admin(hub, tmp_path, capsys, "enrolment-code", "ada", "--days", "3")
    assert status == 0 and "enrolment code for ada:" in out and "valid once" in out
    [printed] = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", out)
    assert sign_in_with_code(hub, "ada", printed).status_code == 201
    status, out = run_admin(hub, tmp_path, capsys, "enrolment-code", "ada", "--days", "100")
    assert status == 2 and "1 to 90 days" in out
    status, out = run_admin(hub, tmp_path, capsys, "enrolment-code", "nobody")
    assert status == 2 and "no user 'nobody'" in out


def enrol(client: Any, document: Any) -> Any:
    return client.post("/api/v1/me/keys", json=document)


def key_rows(hub: RunningHub) -> list[tuple[str, str]]:
    with hub.transaction() as session:
        return sorted((k.public_key_multibase, k.user_id)
                      for k in session.scalars(select(EnrolledKey)))


def test_a_desktop_enrols_its_own_key_and_learns_how_to_issue(hub: RunningHub) -> None:
    first, second = exported_key(), exported_key()
    first_key, second_key = first[0]["publicKeyMultibase"], second[0]["publicKeyMultibase"]
    with hub.client(hub.sign_in("ada")) as client:
        # First sign-in with a password: no key yet, so the first one is enrolled.
        answer = enrol(client, first)
        assert answer.status_code == 201, answer.text
        issuing = answer.json()
        did = issuing["issuer"]["id"]
        assert issuing["issuer"] == {"id": did, "name": "Example Training Org",
                                     "url": "https://training.example.org"}
        assert issuing["verification_method"] == f"{did}#{first_key}"
        assert issuing["status_list"] == f"{hub.url}/status/1"
        assert [k["publicKeyMultibase"] for k in issuing["keys"]] == [first_key]
        document = client.get("/.well-known/did.json").json()
        assert document["id"] == did
        assert issuing["verification_method"] in document["assertionMethod"]
        assert issuing["verification_method"] in [m["id"] for m in
                                                  document["verificationMethod"]]
        # The same key again changes nothing.
        again = enrol(client, first)
        assert again.status_code == 200 and again.json() == issuing
        # Another key with only a password: ask for an enrolment code.
        refused = enrol(client, second)
        assert error(refused, 403)["message"] == NEEDS_CODE
    assert key_rows(hub) == [(first_key, hub.users["ada"])]

    with hub.client(sign_in_with_code(hub, "ada", new_code(hub, "ada")["code"])
                    .json()["token"]) as client:
        answer = enrol(client, second)
        assert answer.status_code == 201, answer.text
        assert answer.json()["verification_method"] == f"{did}#{second_key}"
        listed = client.get("/api/v1/me/keys").json()
    assert listed["issuer"]["id"] == did and listed["status_list"] == f"{hub.url}/status/1"
    assert [k["publicKeyMultibase"] for k in listed["keys"]] == [first_key, second_key]
    assert [k["verification_method"] for k in listed["keys"]] == [
        f"{did}#{first_key}", f"{did}#{second_key}"]
    assert sorted(key_rows(hub)) == sorted([(first_key, hub.users["ada"]),
                                            (second_key, hub.users["ada"])])

    # Bo has no key yet, but ada's is hers: 409, and bo still has none.
    with hub.client(hub.sign_in("bo")) as client:
        assert error(enrol(client, first), 409)["code"] == "key_taken"
        assert client.get("/api/v1/me/keys").json()["keys"] == []
        assert client.get("/api/v1/me/keys").json()["verification_method"] is None


def test_who_may_enrol_and_what_is_refused(hub: RunningHub) -> None:
    # A mentor signs endorsements: their first key is enrolled too.
    with hub.client(hub.sign_in("mia")) as client:
        assert enrol(client, exported_key()).status_code == 201
    before = key_rows(hub)
    for username in ("mo", "lena", "admin"):
        with hub.client(hub.sign_in(username)) as client:
            answer = enrol(client, exported_key())
            assert "only an assessor or a mentor" in error(answer, 403)["message"]
    private = exported_key()
    private[0]["publicKeyJwk"]["d"] = "SECRET"
    with hub.client(hub.sign_in("ada")) as client:
        for document, status in ((private, 400), ([], 400), ({"keys": "z6Mk"}, 400),
                                 ("z6Mk", 422), ([{"publicKeyMultibase": "nope"}], 400)):
            answer = client.post("/api/v1/me/keys", json=document)
            assert error(answer, status)["code"] in ("invalid_key", "invalid_request")
            assert "SECRET" not in answer.text
        assert client.post("/api/v1/me/keys", content=b"{not json",
                           headers={"Content-Type": "application/json"}).status_code == 422
    with hub.client() as client:
        assert error(client.post("/api/v1/me/keys", json=exported_key()), 401)
    assert key_rows(hub) == before
