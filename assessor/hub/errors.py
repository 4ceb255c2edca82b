"""Errors the hub answers with: a status code and a JSON body ``{"error": {...}}``."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """A client-caused failure: always 4xx, with a code a program can test and a message a
    person can read."""

    def __init__(self, status: int, code: str, message: str,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


def bad_request(message: str, code: str = "bad_request") -> HubError:
    return HubError(400, code, message)


def unauthorised(message: str = "Sign in first: this needs a valid bearer token.") -> HubError:
    return HubError(401, "unauthorised", message)


def forbidden(message: str) -> HubError:
    return HubError(403, "forbidden", message)


def not_found(message: str) -> HubError:
    return HubError(404, "not_found", message)


def conflict(message: str, extra: dict[str, Any] | None = None) -> HubError:
    return HubError(409, "conflict", message, extra)
