"""``python main.py hub ...``: serve the hub, administer it, run the demo organisation.

Building the parser imports nothing heavy; FastAPI and uvicorn load only when a hub
command runs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assessor.paths import AppPaths

HubCommand = Callable[[argparse.Namespace, AppPaths], int]
DEFAULT_PORT = 8700


def add_hub_parser(commands: Any) -> None:
    hub = commands.add_parser("hub", help="the organisation's hub server and its administration")
    hub_cmds = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    serve = hub_cmds.add_parser("serve", help="serve the hub's API and published credentials")
    _database_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"port to listen on (default {DEFAULT_PORT})")
    serve.add_argument("--public-url", metavar="URL",
                       help="the URL others reach the hub at (default http://HOST:PORT); "
                            "the organisation's did:web derives from it")
    admin = hub_cmds.add_parser("admin", help="administer the hub's organisation (works on "
                                             "its database directly)")
    admin_cmds = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    revoke = admin_cmds.add_parser("revoke", help="revoke a published credential (its bit "
                                                  "in the hub's status list flips)")
    _database_options(revoke)
    revoke.add_argument("credential_id", metavar="CREDENTIAL_ID",
                        help="the credential's id, e.g. urn:uuid:...")
    revoke.add_argument("--reason", default="", help="why, published in the revocation list")
    from assessor.hub.admin_cli import add_admin_actions

    add_admin_actions(admin_cmds, _database_options)
    demo = hub_cmds.add_parser("demo", help="serve a hub seeded with the demo organisation "
                                             "(seeded on first start only)")
    _database_options(demo, default_data="DATA-DIR/demo-hub")
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on")
    demo.add_argument("--port", type=int, default=DEFAULT_PORT,
                      help=f"port to listen on (default {DEFAULT_PORT})")


def _database_options(parser: argparse.ArgumentParser,
                      default_data: str = "DATA-DIR/hub") -> None:
    parser.add_argument("--db", metavar="URL",
                        help="SQLite path or URL, or postgresql://user:pass@host/db "
                             "(default: hub.sqlite3 in the data folder)")
    parser.add_argument("--data", metavar="DIR",
                        help=f"where evidence files are kept (default: {default_data})")


def hub_config(args: argparse.Namespace, paths: AppPaths, public_url: str | None = None) -> Any:
    from assessor.hub.config import HubConfig

    data = Path(args.data).expanduser() if getattr(args, "data", None) else paths.home / "hub"
    data.mkdir(parents=True, exist_ok=True)
    database = getattr(args, "db", None) or str(data / "hub.sqlite3")
    url = public_url or getattr(args, "public_url", None) \
        or f"http://{getattr(args, 'host', '127.0.0.1')}:{getattr(args, 'port', DEFAULT_PORT)}"
    return HubConfig(database_url=database, data_dir=data, public_url=url)


def log_to_terminal() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("assessor.hub",):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _serve(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.server import serve

    config = hub_config(args, paths)
    log_to_terminal()
    _check_signing_key(config)
    serve(config, args.host, args.port)
    return 0


def _check_signing_key(config: Any) -> None:
    """Refuse to serve a hub that could not sign its status list (see hub_key)."""
    from assessor.hub.database import open_hub_database
    from assessor.hub.hub_key import check_hub_key
    from assessor.hub.models import Organisation

    database = open_hub_database(config.database_url)
    try:
        with database.transaction() as session:
            org = session.get(Organisation, 1)
            did = org.did if org is not None else None
    finally:
        database.dispose()
    source = check_hub_key(did)
    logging.getLogger("assessor.hub").info("hub signing key from %s", source)


def _admin_revoke(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.database import open_hub_database
    from assessor.hub.publication import revoke_credential

    database = open_hub_database(hub_config(args, paths).database_url)
    try:
        with database.transaction() as session:
            issued = revoke_credential(session, args.credential_id, args.reason)
            print(f"revoked {issued.id} (status list index {issued.status_index})"
                  + (f": {issued.revoked_reason}" if issued.revoked_reason else ""))
    finally:
        database.dispose()
    return 0


def _admin_actions() -> dict[str, HubCommand]:
    from assessor.hub.admin_cli import ADMIN_COMMANDS

    return {"revoke": _admin_revoke, **ADMIN_COMMANDS}


ADMIN_ACTIONS: dict[str, HubCommand] = _admin_actions()
"""``hub admin ACTION``: one handler per action (add new actions here)."""


def _admin(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.errors import UserFacingError
    from assessor.hub.errors import HubError

    try:
        return ADMIN_ACTIONS[args.admin_command](args, paths)
    except HubError as exc:
        raise UserFacingError(exc.message) from None


def _demo(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.demo.run import demo_signing_key, prepare_demo, welcome
    from assessor.hub.server import serve

    if not args.data:
        args.data = str(paths.home / "demo-hub")
    config = hub_config(args, paths)
    summary = prepare_demo(config)
    warning = demo_signing_key(config)
    print(welcome(config.base_url, summary), flush=True)
    if warning:
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    log_to_terminal()
    serve(config, args.host, args.port)
    return 0


HUB_COMMANDS: dict[tuple[str, str], HubCommand] = {
    ("hub", "serve"): _serve,
    ("hub", "demo"): _demo,
    ("hub", "admin"): _admin,
}
