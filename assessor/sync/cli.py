"""``python main.py sync ...``: sign in and out, sync now, see what waits and what
conflicts, resolve a conflict. Building the parser imports nothing heavy."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assessor.errors import UserFacingError
from assessor.paths import AppPaths

if TYPE_CHECKING:
    from assessor.store.store import Store

SyncCommand = Callable[[argparse.Namespace, AppPaths], int]


def add_sync_parser(commands: Any) -> None:
    sync = commands.add_parser(
        "sync", help="sync with the organisation's hub (with no action: sync now)")
    sync.add_argument("--no-evidence", action="store_true",
                      help="sync submissions and changes only; fetch evidence later")
    actions = sync.add_subparsers(dest="sync_command", metavar="ACTION")
    login = actions.add_parser("login", help="sign in to a hub (the token goes to the OS "
                                             "keychain)")
    login.add_argument("url", metavar="URL", help="the hub's address, e.g. "
                                                  "https://hub.example.org")
    login.add_argument("--user", required=True, metavar="NAME", help="your user name")
    secret = login.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (for scripts)")
    secret.add_argument("--code", metavar="CODE",
                        help="an enrolment code from your organisation, instead of a "
                             "password")
    actions.add_parser("logout", help="sign out: the token is revoked and forgotten; local "
                                      "work stays")
    actions.add_parser("status", help="who is signed in, what waits to be sent, open "
                                      "conflicts")
    resolve = actions.add_parser("resolve", help="settle a conflict")
    resolve.add_argument("conflict", metavar="ID", help="the conflict's id (or its first "
                                                        "characters, as status lists them)")
    resolve.add_argument("choice", choices=("mine", "theirs", "merge"))
    resolve.add_argument("--comment", help="the merged comment (with merge)")
    resolve.add_argument("--level", help="the level to keep (with merge; default mine)")


def _login(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.sync.account import sign_in

    password = None
    if args.code is None:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        elif sys.stdin.isatty():
            password = getpass.getpass(f"Password for {args.user}: ")
        else:
            raise UserFacingError("Give the password on standard input with "
                                  "--password-stdin, or use --code.")
    result = sign_in(paths.home, args.url, args.user, password=password,
                     enrolment_code=args.code)
    settings = result.settings
    print(f"signed in to {settings.hub_url} as {settings.user_name} ({settings.role})")
    if result.key_enrolled:
        print(f"signing key enrolled; credentials are issued by {settings.issuer_id}")
    if result.note:
        print(result.note)
    if result.switched_user:
        _open_store(paths, reset_cursor=True).close()
    return 0


def _logout(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.sync.account import sign_out

    print("signed out" if sign_out(paths.home) else "nobody was signed in")
    return 0


def _open_store(paths: AppPaths, *, reset_cursor: bool = False) -> Store:
    from assessor.store.database import open_database
    from assessor.store.store import Store
    from assessor.store.sync_store import SyncStore

    store = Store(open_database(paths.store, paths.backups))
    if reset_cursor:
        SyncStore(store).reset_cursor()
    return store


def _sync_now(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.config import load_settings
    from assessor.sync.engine import Progress
    from assessor.sync.run import sync_once

    interactive = sys.stderr.isatty()

    def show(progress: Progress) -> None:
        if interactive:
            print(f"\r{progress.describe():<78}", end="", file=sys.stderr, flush=True)

    try:
        report = sync_once(paths, evidence=not args.no_evidence, on_progress=show)
    finally:
        if interactive:
            print(file=sys.stderr)
    print(f"synced with {load_settings(paths.home).hub_url}: {report.describe()}")
    for problem in report.problems:
        print(f"  not taken: {problem}")
    return 1 if report.problems else 0


def _status(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.config import load_settings
    from assessor.store.sync_store import LAST_SYNC, SyncStore, conflict_text

    settings = load_settings(paths.home)
    print(f"hub:       {settings.hub_url or '(none; sign in with sync login)'}")
    if settings.hub_url:
        print(f"user:      {settings.hub_username} ({settings.role})")
    store = _open_store(paths)
    try:
        sync = SyncStore(store)
        last = sync.get(LAST_SYNC)
        print(f"last sync: {last or 'never'}")
        waiting = sync.outbox()
        print(f"waiting:   {len(waiting)} change{'s' if len(waiting) != 1 else ''}")
        for entry in waiting[:20]:
            error = f"  ({entry.last_error[:120]})" if entry.last_error else ""
            print(f"  {entry.kind:<11} {entry.submission_id}{error}")
        conflicts = sync.conflicts()
        print(f"conflicts: {len(conflicts)}")
        for conflict in conflicts:
            print(f"  {conflict_text(conflict)}")
    finally:
        store.close()
    return 0


def _resolve(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.config import load_settings
    from assessor.store.sync_store import SyncStore

    store = _open_store(paths)
    try:
        sync = SyncStore(store)
        matches = [c for c in sync.conflicts() if c.id.startswith(args.conflict)]
        if len(matches) != 1:
            raise UserFacingError("No open conflict has that id." if not matches else
                                  "Several open conflicts start so; give more of the id.")
        done = sync.resolve(matches[0].id, args.choice, load_settings(paths.home).actor,
                            comment=args.comment, level=args.level)
    finally:
        store.close()
    print(f"resolved {done.id[:8]} ({done.resolution}); sync to send it")
    return 0


SYNC_COMMANDS: dict[tuple[str, str], SyncCommand] = {
    ("sync", "None"): _sync_now,
    ("sync", "login"): _login,
    ("sync", "logout"): _logout,
    ("sync", "status"): _status,
    ("sync", "resolve"): _resolve,
}
