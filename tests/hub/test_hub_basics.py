"""The hub as a server: sign-in, tokens, JSON errors, its OpenAPI document, its log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from assessor.hub.context import token_hash
from assessor.hub.models import Token
from tests.hub.conftest import PASSWORD, RunningHub


def test_sign_in_gives_a_token_that_says_who_you_are(hub: RunningHub) -> None:
    token = hub.sign_in("ada", device="ada's laptop")
    with hub.client(token) as client:
        me = client.get("/api/v1/me").json()
    assert me["username"] == "ada" and me["role"] == "assessor"
    with hub.transaction() as session:
        stored = session.get(Token, token_hash(token))
        assert stored is not None and stored.device == "ada's laptop"
        assert session.query(Token).filter(Token.token_hash == token).count() == 0


@pytest.mark.parametrize("username, password", [("ada", "wrong"), ("nobody", PASSWORD)])
def test_a_wrong_password_or_user_is_refused_alike(hub: RunningHub, username: str,
                                                   password: str) -> None:
    with hub.client() as client:
        answer = client.post("/api/v1/sessions",
                             json={"username": username, "password": password})
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "The user name or password is wrong."


def test_signed_out_expired_and_unknown_tokens_are_refused(hub: RunningHub) -> None:
    token = hub.sign_in("ada")
    with hub.client(token) as client:
        assert client.delete("/api/v1/sessions/current").status_code == 204
        answer = client.get("/api/v1/me")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "token_revoked"

    token = hub.sign_in("ada")
    with hub.transaction() as session:
        session.execute(update(Token).where(Token.token_hash == token_hash(token))
                        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    with hub.client(token) as client:
        answer = client.get("/api/v1/me")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "token_expired"

    for header in ({"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}, {}):
        with hub.client() as client:
            answer = client.get("/api/v1/me", headers=header)
        assert answer.status_code == 401 and "error" in answer.json()


@pytest.mark.parametrize("body", [
    b"{not json", b"[]", b'{"username": 5, "password": "x"}', b'{"username": "ada"}',
    b'{"username": "' + b"a" * 5000 + b'", "password": "x"}',
])
def test_malformed_requests_get_a_clear_4xx_json_error(hub: RunningHub, body: bytes) -> None:
    with hub.client() as client:
        answer = client.post("/api/v1/sessions", content=body,
                             headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500
    error = answer.json()["error"]
    assert error["code"] == "invalid_request" and error["message"].startswith("The request")
    assert PASSWORD not in answer.text


def test_unknown_addresses_answer_json_404(hub: RunningHub) -> None:
    with hub.client() as client:
        answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_the_openapi_document_describes_the_protocol(hub: RunningHub) -> None:
    with hub.client() as client:
        spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "Assessor hub"
    assert "/api/v1/sessions" in spec["paths"]
    assert "changes since cursor" in " ".join(spec["info"]["description"].split()) \
        or "/api/v1/changes" in spec["info"]["description"]


def test_the_request_log_names_requests_but_never_tokens(hub: RunningHub,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="assessor.hub.requests")
    token = hub.sign_in("ada")
    with hub.client(token) as client:
        client.get("/api/v1/me", params={"secret": "query-value"})
    lines = [r.getMessage() for r in caplog.records if r.name == "assessor.hub.requests"]
    assert any(line.startswith("GET /api/v1/me 200 ") for line in lines)
    assert any(line.startswith("POST /api/v1/sessions 201 ") for line in lines)
    everything = "\n".join(r.getMessage() for r in caplog.records  # the hub's own loggers
                            if r.name.startswith(("assessor", "uvicorn")))
    assert token not in everything and "query-value" not in everything
    assert PASSWORD not in everything


def test_many_desktops_signing_in_at_once_all_get_tokens(hub: RunningHub) -> None:
    """Concurrent writers wait their turn (SQLite: BEGIN IMMEDIATE); none gets a 5xx."""
    from concurrent.futures import ThreadPoolExecutor

    def sign_in(n: int) -> int:
        with hub.client() as client:
            answer = client.post("/api/v1/sessions", json={
                "username": "ada", "password": PASSWORD, "device": f"laptop {n}"})
            if answer.status_code == 201:
                client.get("/api/v1/me",
                           headers={"Authorization": f"Bearer {answer.json()['token']}"})
            return answer.status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(sign_in, range(48)))
    assert codes == [201] * 48
    with hub.transaction() as session:
        assert session.query(Token).count() == 48


@pytest.mark.parametrize("hub_settings", [{"sign_in_window_seconds": 3}])
def test_password_guessing_is_slowed_per_user_name(hub: RunningHub) -> None:
    import time

    import httpx

    def attempt(username: str, password: str) -> httpx.Response:
        return httpx.post(f"{hub.url}/api/v1/sessions",
                          json={"username": username, "password": password}, timeout=10)

    started = time.monotonic()
    for n in range(10):
        wrong = attempt("ada", f"guess {n}")
        assert wrong.status_code == 401, wrong.text
    refused = attempt("ADA ", PASSWORD)  # even the right password, under any spelling
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "too_many_attempts" and "try again in about" in error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 3
    assert PASSWORD not in refused.text
    assert attempt("bo", PASSWORD).status_code == 201  # another name is not held up
    time.sleep(max(0.0, 3.2 - (time.monotonic() - started)))
    assert attempt("ada", PASSWORD).status_code == 201  # the window passed
    for n in range(9):  # a success cleared the count: nine more misses are still allowed
        assert attempt("ada", f"again {n}").status_code == 401
    assert attempt("ada", PASSWORD).status_code == 201


def test_the_sign_in_limit_is_counted_in_a_window() -> None:
    from assessor.hub.errors import HubError
    from assessor.hub.sign_in_throttle import SignInThrottle

    now = [0.0]
    throttle = SignInThrottle(3, 60, clock=lambda: now[0])
    for _ in range(3):
        throttle.check("mia")
        throttle.failed("mia")
        now[0] += 10
    with pytest.raises(HubError, match="Too many failed sign-ins") as raised:
        throttle.check("Mia")
    assert raised.value.extra["retry_after"] == 30  # the first failure leaves at 60 s
    now[0] = 60.5
    throttle.check("mia")  # one failure left the window: one more attempt is allowed
    unlimited = SignInThrottle(0, 60)  # 0: no limit
    for _ in range(50):
        unlimited.failed("anyone")
    unlimited.check("anyone")
