"""The hub as the hub kill test runs it: uvicorn serving ``create_app`` on a loopback port,
in a process of its own (forked by ``kill_zygote``), killed with SIGKILL.

Usage (the zygote passes the arguments): ``DATABASE_URL DATA_DIR PORT``.
"""

from __future__ import annotations

from pathlib import Path

import uvicorn

import assessor.hub.app  # noqa: F401
import assessor.hub.routes.admin  # noqa: F401 - what create_app imports: most of a start
import assessor.hub.routes.auth  # noqa: F401
import assessor.hub.routes.intake  # noqa: F401
import assessor.hub.routes.own_keys  # noqa: F401
import assessor.hub.routes.publication  # noqa: F401
import assessor.hub.routes.sync  # noqa: F401
from assessor.hub.config import HubConfig
from assessor.hub.server import serve


async def _nothing(scope: object, receive: object, send: object) -> None:
    """An ASGI app that is never served: only for loading uvicorn's parts below."""


uvicorn.Config(_nothing, log_config=None).load()  # imports uvicorn's protocols once, here


def main(args: list[str]) -> None:
    database_url, data_dir, port = args
    config = HubConfig(database_url=database_url, data_dir=Path(data_dir),
                       public_url=f"http://127.0.0.1:{port}")
    serve(config, "127.0.0.1", int(port))
