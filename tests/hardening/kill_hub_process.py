"""The hub as the hub kill test runs it: uvicorn serving ``create_app`` on a loopback port,
in a process of its own (forked by ``kill_zygote``), killed with SIGKILL.

Usage (the zygote passes the arguments): ``DATABASE_URL DATA_DIR PORT``.
"""

from __future__ import annotations

from pathlib import Path

import uvicorn  # noqa: F401 - imported once in the zygote, not in every fresh hub

import assessor.hub.app  # noqa: F401
from assessor.hub.config import HubConfig
from assessor.hub.server import serve


def main(args: list[str]) -> None:
    database_url, data_dir, port = args
    config = HubConfig(database_url=database_url, data_dir=Path(data_dir),
                       public_url=f"http://127.0.0.1:{port}")
    serve(config, "127.0.0.1", int(port))
