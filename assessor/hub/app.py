"""The hub's FastAPI application: routers, JSON errors, and a request log.

Every client error is a 4xx with ``{"error": {"code", "message"}}``; a 5xx means a bug. The
request log names method, path, status and time only: never tokens, query strings, bodies
or personal data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assessor import __version__
from assessor.hub import openapi_errors
from assessor.hub.blob_store import sweep_incoming
from assessor.hub.config import HubConfig
from assessor.hub.context import Hub
from assessor.hub.database import HubDatabase, open_hub_database
from assessor.hub.errors import HubError

log = logging.getLogger("assessor.hub")
request_log = logging.getLogger("assessor.hub.requests")

API_DESCRIPTION = """\
The sync protocol between an organisation's hub and the Assessor desktop.

* JSON over HTTP under `/api/v1`. Sign in with `POST /api/v1/sessions` to get a bearer
  token for one user on one device; send it as `Authorization: Bearer <token>`.
* Pull is incremental: `GET /api/v1/changes?cursor=N` returns what changed after cursor
  `N` and the next cursor; a client that stops part-way restarts from the last cursor it
  stored.
* Evidence is addressed by sha256: `GET /api/v1/evidence/{sha256}` supports `Range` and
  `ETag`; a client accepts a file only when its hash matches.
* Pushes carry a client-generated `client_id` (sending the same push twice applies it once)
  and the `base_revision` they were based on; if the hub's revision moved it answers 409
  with its own copy, and nothing is overwritten.
* Errors are `{"error": {"code": ..., "message": ...}}` with a 4xx status.
"""


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    details = []
    for error in exc.errors()[:20]:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        details.append({"field": where, "problem": str(error.get("msg", "invalid"))})
    first = details[0] if details else {"field": "", "problem": "invalid request"}
    field = f"{first['field']}: " if first["field"] else ""
    return f"The request is not valid: {field}{first['problem']}.", details


def create_app(config: HubConfig, database: HubDatabase | None = None) -> FastAPI:
    """The hub over ``config``; opens (and migrates) the database unless one is given."""
    from assessor.hub.routes import admin, auth, intake, own_keys, publication, sync

    config.blob_dir.mkdir(parents=True, exist_ok=True)
    swept = sweep_incoming(config.blob_dir)
    if swept:
        log.info("removed %d upload(s) cut off when the hub last stopped", swept)
    db = database or open_hub_database(config.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if database is None:  # the hub opened it, the hub closes it
            db.dispose()

    app = FastAPI(title="Assessor hub", version=__version__, description=API_DESCRIPTION,
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None,
                  lifespan=lifespan)
    app.state.hub = Hub(config, db)
    for module in (auth, own_keys, admin, intake, sync, publication):
        app.include_router(module.router)
    openapi_errors.install(app)

    @app.exception_handler(HubError)
    async def hub_error(_request: Request, exc: HubError) -> JSONResponse:
        retry = exc.extra.get("retry_after")
        headers = {"Retry-After": str(retry)} if isinstance(retry, int) else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc)
        return JSONResponse({"error": {"code": "invalid_request", "message": message,
                                       "details": details}}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address."
        return JSONResponse({"error": {"code": code, "message": message}},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(DataError)
    async def unstorable(_request: Request, exc: DataError) -> JSONResponse:
        # A value the database refuses (PostgreSQL: a NUL character in text, a number out
        # of a column's range): the client's input, not a hub failure. Nothing was written.
        log.warning("refused a value the database cannot store: %s",
                    type(exc.orig).__name__)
        return JSONResponse({"error": {"code": "invalid_value", "message":
                                       "The request holds a value the hub cannot store (for "
                                       "example a NUL character); nothing was written."}},
                            status_code=422)

    @app.exception_handler(Exception)
    async def bug(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error: %s", type(exc).__name__)
        return JSONResponse({"error": {"code": "internal", "message":
                                       "The hub failed to handle this request; it is logged."}},
                            status_code=500)

    @app.middleware("http")
    async def log_requests(request: Request,
                           call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            request_log.info("%s %s %d %.1fms", request.method, request.url.path, status,
                             (time.perf_counter() - started) * 1000)

    return app
