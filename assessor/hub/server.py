"""Run a hub with uvicorn: in the foreground (``hub serve``) or on a background thread
(the desktop's in-process demo, and tests against a real server on a loopback port)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType

from assessor.errors import UserFacingError
from assessor.hub.config import HubConfig

log = logging.getLogger("assessor.hub")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _server(config: HubConfig, host: str, port: int) -> object:
    import uvicorn

    from assessor.hub.app import create_app

    app = create_app(config)
    # uvicorn's access log prints query strings; the hub's own request log replaces it, and
    # it stays off whatever handlers a deployment's logging setup attaches.
    logging.getLogger("uvicorn.access").disabled = True
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_config=None,
                                         access_log=False, lifespan="on",
                                         timeout_graceful_shutdown=5))


def serve(config: HubConfig, host: str, port: int) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM)."""
    import uvicorn

    server = _server(config, host, port)
    assert isinstance(server, uvicorn.Server)
    log.info("hub listening on http://%s:%d (public URL %s)", host, port, config.public_url)
    server.run()


class BackgroundHub:
    """A hub on a daemon thread; ``with BackgroundHub(config) as hub: hub.url``."""

    def __init__(self, config: HubConfig, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config
        self.host = host
        self.port = port or free_port(host)
        self._thread: threading.Thread | None = None
        self._server: object = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> BackgroundHub:
        import uvicorn

        server = _server(self.config, self.host, self.port)
        assert isinstance(server, uvicorn.Server)
        self._server = server
        self._thread = threading.Thread(target=server.run, name="hub", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive():
                raise UserFacingError(f"The hub could not start on {self.url}.")
            if time.monotonic() > deadline:
                raise UserFacingError(f"The hub did not start on {self.url} in {timeout:.0f} s.")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        import uvicorn

        if isinstance(self._server, uvicorn.Server) and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundHub:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
