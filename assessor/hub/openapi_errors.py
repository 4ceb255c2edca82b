"""The hub's OpenAPI document describes the errors the hub really sends.

FastAPI documents a validation failure as ``{"detail": [...]}`` and no other error at all,
while the hub answers every error (401, 403, 404, 409, 413, 422, 503 ...) with
``{"error": {"code", "message"}}`` (``assessor.hub.app``). A client generated from the
document, or a schema-conformance check, would then expect the wrong body; so every
operation gets a ``default`` response with the ``Error`` schema, and the 4xx/5xx responses
an operation names are given that schema too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "description": "For programs: e.g. not_found"},
            "message": {"type": "string", "description": "For people"},
        },
        "additionalProperties": True,
    }},
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
_ERROR_CONTENT = {"application/json": {"schema": ERROR_REF}}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _is_error_status(status: str) -> bool:
    return status[:1] in ("4", "5")


def describe_errors(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (changed in place and returned) with the hub's error body everywhere."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if _is_error_status(status):
                    response["content"] = dict(_ERROR_CONTENT)
            responses.setdefault("default", {
                "description": "An error: `{\"error\": {\"code\", \"message\"}}`",
                "content": dict(_ERROR_CONTENT)})
    for name in _FASTAPI_ERROR_SCHEMAS:
        components.pop(name, None)
    return document


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and ``/openapi.json``) describe the hub's errors."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
