"""The HTTP client of the sync protocol (``/api/v1`` of the hub), over httpx.

One ``HubClient`` per sync run. Every failure becomes one of ``assessor.sync.errors``:
no answer or a 5xx is ``HubUnreachable`` (retry later), 401 is ``SignInRequired``, an
answer that breaks the protocol is ``HubProtocolError``. Redirects are followed only on
the hub's own origin, so a token is never sent to another host. Answers are read with a
size cap before they are parsed; the bearer token never appears in an error or a log
line (httpx logs URLs only, and no secret ever goes into a URL).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from assessor.sync.errors import (
    HubProtocolError,
    HubRefused,
    HubUnreachable,
    SignInRequired,
    StaleRevision,
)

API = "/api/v1"
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_ERROR_BYTES = 64 * 1024
"""An error answer's body is read this far for its message; the rest is ignored."""
MAX_RETRY_AFTER = 24 * 3600.0
MAX_REDIRECTS = 3
DOWNLOAD_CHUNK = 1024 * 1024
USER_AGENT = "Assessor-desktop/1"


def normalise_hub_url(text: str) -> str:
    """``https://hub.example.org[:port][/prefix]`` without a trailing slash, or a clear
    ``SyncError``. Plain http is allowed only to this computer (a demo or test hub)."""
    from assessor.sync.errors import SyncError

    raw = text.strip()
    if raw and "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise SyncError(f"{text!r} is not a hub address (e.g. https://hub.example.org).") \
            from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(f"{text!r} is not a hub address (e.g. https://hub.example.org).")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SyncError("A hub address holds no user name, password, query or fragment; "
                        "give the user name separately.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise SyncError(f"{parts.hostname} must be reached over https: plain http would "
                        "expose your password and learners' evidence on the network.")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


@dataclass(frozen=True)
class EvidenceStream:
    """An open evidence download: where it starts and how much the hub says follows."""

    start: int
    total: int
    """The whole file's size as the hub announced it."""
    length: int | None
    """Bytes this answer carries (Content-Length), if announced."""
    chunks: Iterator[bytes]


class HubClient:
    """Talks to one hub as one signed-in user (or anonymously, to sign in)."""

    def __init__(self, base_url: str, token: str | None = None, *,
                 timeout: float = 30.0, connect_timeout: float = 10.0) -> None:
        self.base_url = normalise_hub_url(base_url)
        self._token = token
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            trust_env=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the protocol --------------------------------------------------------------------

    def sign_in(self, username: str, *, password: str | None = None,
                enrolment_code: str | None = None, device: str) -> dict[str, Any]:
        """``{"token", "expires_at", "user": {...}}``; a wrong password is ``SignInRequired``
        with the hub's message."""
        body: dict[str, Any] = {"username": username, "device": device[:200] or "desktop"}
        if enrolment_code is not None:
            body["enrolment_code"] = enrolment_code
        else:
            body["password"] = password or ""
        answer = self._json("POST", f"{API}/sessions", json_body=body, signed=False)
        token = answer.get("token")
        user = answer.get("user")
        if not isinstance(token, str) or not token or not isinstance(user, dict) \
                or not isinstance(user.get("id"), str) or not isinstance(user.get("role"), str):
            raise HubProtocolError("The hub's answer to sign-in holds no token and user; "
                                   "is this address really an Assessor hub?")
        return answer

    def sign_out(self) -> None:
        self._send("DELETE", f"{API}/sessions/current")

    def me(self) -> dict[str, Any]:
        return self._json("GET", f"{API}/me")

    def changes(self, cursor: int, limit: int = 200) -> dict[str, Any]:
        return self._json("GET", f"{API}/changes",
                          params={"cursor": str(cursor), "limit": str(limit)})

    def push(self, envelope: dict[str, Any]) -> dict[str, Any]:
        return self._json("POST", f"{API}/push", json_body=envelope)

    def push_credential(self, envelope: dict[str, Any]) -> dict[str, Any]:
        return self._json("POST", f"{API}/credentials", json_body=envelope)

    def enrol_keys(self, document: Any) -> dict[str, Any]:
        return self._json("POST", f"{API}/me/keys", json_body=document)

    @contextmanager
    def evidence(self, sha256: str, start: int = 0) -> Iterator[EvidenceStream]:
        """Stream evidence bytes from ``start`` (HTTP Range, guarded by If-Range so a
        changed file is never spliced onto an old beginning)."""
        headers = {"Accept": "*/*", "Accept-Encoding": "identity"}
        if start > 0:
            headers["Range"] = f"bytes={start}-"
            headers["If-Range"] = f'"{sha256}"'
        with self._open("GET", f"{API}/evidence/{sha256}", headers=headers) as response:
            length = _content_length(response)
            if response.status_code == 206:
                first, total = _content_range(response.headers.get("content-range", ""))
                if first != start:
                    raise HubProtocolError(
                        f"The hub answered a resumed download from byte {first} when byte "
                        f"{start} was asked for; the partial file was kept and nothing "
                        "was added to it.")
            elif response.status_code == 200:
                first, total = 0, length if length is not None else -1
            else:
                raise HubProtocolError(f"The hub answered an evidence download with HTTP "
                                       f"{response.status_code}.")
            yield EvidenceStream(first, total, length,
                                 _guarded(response.iter_raw()))  # as received: no re-chunking copy

    # -- plumbing ------------------------------------------------------------------------

    def _headers(self, signed: bool) -> dict[str, str]:
        if not signed:
            return {}
        if not self._token:
            raise SignInRequired("Sign in to the hub first.")
        return {"Authorization": f"Bearer {self._token}"}

    @contextmanager
    def _open(self, method: str, path: str, *, json_body: Any = None,
              params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
              signed: bool = True) -> Iterator[httpx.Response]:
        """An answer with a 2xx status (following same-origin redirects), still streaming."""
        url = self.base_url + path
        all_headers = self._headers(signed) | (headers or {})
        content = None
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, allow_nan=False).encode()
            all_headers["Content-Type"] = "application/json"
        for _ in range(MAX_REDIRECTS + 1):
            try:
                request = self._http.build_request(method, url, params=params,
                                                   headers=all_headers, content=content)
                response = self._http.send(request, stream=True)
            except httpx.TimeoutException:
                raise HubUnreachable(f"The hub at {self.base_url} did not answer in time. "
                                     "Your work is kept; sync will try again.") from None
            except httpx.InvalidURL:
                raise HubProtocolError(f"{self.base_url} is not a usable hub address.") \
                    from None
            except httpx.RemoteProtocolError as exc:
                raise HubUnreachable(f"The hub at {self.base_url} hung up or answered with "
                                     "something that is not valid HTTP "
                                     f"({_transport_reason(exc)}). Nothing from it was "
                                     "applied; your work is kept and sync will try again.") \
                    from None
            except (httpx.TransportError, OSError) as exc:
                raise HubUnreachable(f"The hub at {self.base_url} cannot be reached "
                                     f"({_transport_reason(exc)}). Your work is kept; sync "
                                     "will try again.") from None
            try:
                if response.is_redirect:
                    url = self._redirect_target(url, response)
                    continue
                if response.status_code >= 300:
                    self._raise_for(response)
                yield response
                return
            finally:
                response.close()
        raise HubProtocolError(f"The hub redirected more than {MAX_REDIRECTS} times; "
                               "nothing was sent on.")

    def _redirect_target(self, url: str, response: httpx.Response) -> str:
        location = response.headers.get("location", "")
        target: str = urljoin(url, location)
        if _origin(target) != _origin(self.base_url):
            host = urlsplit(target).hostname or location[:100]
            raise HubProtocolError(
                f"The hub redirected to another host ({host}). Assessor does not follow "
                "that, so your sign-in and data were not sent there; check the hub address.")
        return target

    def _send(self, method: str, path: str, **kwargs: Any) -> None:
        with self._open(method, path, **kwargs) as response:
            _read_capped(response, MAX_JSON_BYTES)

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        with self._open(method, path, **kwargs) as response:
            body = _read_capped(response, MAX_JSON_BYTES)
        return _parse_object(body, path)

    def _raise_for(self, response: httpx.Response) -> None:
        status = response.status_code
        body = _read_some(response, MAX_ERROR_BYTES)
        error = _error_body(body)
        message = str(error.get("message") or "")[:500]
        code = str(error.get("code") or "")[:100]
        if status == 401:
            raise SignInRequired(message or "The hub no longer accepts this sign-in; sign "
                                 "in again.")
        if status >= 500:
            raise HubUnreachable(f"The hub had a problem of its own (HTTP {status}). Your "
                                 "work is kept; sync will try again.",
                                 retry_after=_retry_after(response))
        if status == 409 and code in ("stale_revision", "conflict") and (
                "submission" in error or "server" in error):
            copy = error.get("submission") or error.get("server")
            raise StaleRevision(message or "The submission changed on the hub.",
                                copy if isinstance(copy, dict) else None)
        if status == 429 and code == "too_many_attempts" and message:
            raise HubRefused(message, status, code)  # sign-in locked for a while: say so
        if status == 429:
            raise HubUnreachable("The hub asked to slow down (HTTP 429); sync will try "
                                 "again later.", retry_after=_retry_after(response))
        raise HubRefused(message or f"The hub refused the request (HTTP {status}).",
                         status, code)


def _read_capped(response: httpx.Response, cap: int) -> bytes:
    length = _content_length(response)
    if length is not None and length > cap:
        raise HubProtocolError(f"The hub's answer is {length} bytes, more than the "
                               f"{cap // (1024 * 1024)} MB an answer may be.")
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes(256 * 1024):
            size += len(chunk)
            if size > cap:
                raise HubProtocolError(f"The hub's answer is larger than the "
                                       f"{cap // (1024 * 1024)} MB an answer may be.")
            parts.append(chunk)
    except httpx.TimeoutException:
        raise HubUnreachable("The hub stopped sending mid-answer; sync will try again.") \
            from None
    except (httpx.TransportError, OSError) as exc:
        raise _broken_answer(exc) from None
    return b"".join(parts)


def _read_some(response: httpx.Response, cap: int) -> bytes:
    """Up to ``cap`` bytes of an (error) answer, whatever its length or state; b"" if
    it cannot be read."""
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes(min(cap, 64 * 1024)):
            parts.append(chunk)
            size += len(chunk)
            if size >= cap:
                break
    except (httpx.HTTPError, OSError):
        return b""
    return b"".join(parts)[:cap]


def _retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (a number or an HTTP date), within a day; else None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _guarded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Download chunks, with transport failures turned into sync errors."""
    try:
        yield from chunks
    except httpx.TimeoutException:
        raise HubUnreachable("The hub stopped sending; the download will resume from "
                             "where it stopped.") from None
    except (httpx.TransportError, OSError) as exc:
        raise _broken_answer(exc) from None


def _broken_answer(exc: Exception) -> HubUnreachable:
    return HubUnreachable("The connection to the hub broke off mid-answer, or the answer "
                          f"did not match its announced length ({_transport_reason(exc)}). "
                          "Nothing from it was applied; sync will try again.")


def _transport_reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    reason = type(exc).__name__ + (f": {text}" if text else "")
    return reason[:200]


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None:
        return None
    if not (value.strip().isascii() and value.strip().isdigit()):
        raise HubProtocolError("The hub's answer announces an invalid Content-Length.")
    return int(value)


_CONTENT_RANGE = re.compile(r"bytes ([0-9]{1,18})-([0-9]{1,18})/([0-9]{1,18})", re.ASCII)


def _content_range(value: str) -> tuple[int, int]:
    """(first byte, whole size) of ``bytes first-last/size``, or ``HubProtocolError``."""
    match = _CONTENT_RANGE.fullmatch(value.strip())
    first, last, total = (int(g) for g in match.groups()) if match else (0, -1, 0)
    if match is None or not first <= last < total:
        raise HubProtocolError(f"The hub answered a resumed download with a Content-Range "
                               f"it cannot have meant ({value[:80]!r}); nothing was added "
                               "to the part already downloaded.")
    return first, total


def _error_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return error
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return {"message": data["detail"]}
    return {}


def _parse_object(body: bytes, path: str) -> dict[str, Any]:
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise HubProtocolError(f"The hub answered {path} with something that "
                               "is not JSON; nothing from it was applied.") from None
    if not isinstance(data, dict):
        raise HubProtocolError(f"The hub answered {path} with JSON that is "
                               "not an object; nothing from it was applied.")
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
