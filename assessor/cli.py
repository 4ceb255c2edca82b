"""The headless commands: ``python main.py <command> ...``.

The parser is built without importing anything heavy, so ``--help`` and ``--version``
answer at once. Every command prints one clear line and exits non-zero on a
``UserFacingError``; tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from assessor import APP_NAME, __version__
from assessor.errors import UserFacingError
from assessor.paths import HOME_ENV, AppPaths, resolve_paths

Command = Callable[[argparse.Namespace, AppPaths], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assessor",
        description=f"{APP_NAME}: judge workplace evidence against rubrics, offline, and sign "
        "the results as Open Badges 3.0 credentials. With no command, the desktop app opens.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR",
        help=f"data directory for this run (default: ${HOME_ENV}, else the user data folder)",
    )
    parser.add_argument("--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    store = commands.add_parser("store", help="inspect, check and migrate the local store")
    store_cmds = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    store_cmds.add_parser("info", help="where the store is, its schema and what it holds")
    store_cmds.add_parser(
        "verify", help="check the database's integrity and the audit log's hash chain")
    store_cmds.add_parser("migrate", help="create the store or upgrade it to this version")

    keys = commands.add_parser("keys", help="signing keys held in the OS keychain")
    key_cmds = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    key_cmds.add_parser(
        "create", help="make a signing key (the private half stays in the keychain)")
    key_cmds.add_parser("list", help="the signing keys: active and retired")
    key_cmds.add_parser("rotate", help="make a new active key; old public keys stay listed")
    export = key_cmds.add_parser(
        "export-public", help="public keys as JSON for the hub (Multikey, JWK, did:key)")
    export.add_argument("--all", action="store_true", help="include retired keys")

    credential = commands.add_parser(
        "credential", help="sign and verify Open Badges 3.0 credentials")
    cred_cmds = credential.add_subparsers(dest="credential_command", metavar="ACTION",
                                          required=True)
    sign = cred_cmds.add_parser("sign", help="sign an unsigned credential with the active key")
    sign.add_argument("input", metavar="IN.json")
    sign.add_argument("--out", required=True, metavar="OUT.json")
    verify = cred_cmds.add_parser(
        "verify", help="check proof, issuer key and dates; exit 0 only when all pass")
    verify.add_argument("input", metavar="FILE")
    verify.add_argument("--did-document", action="append", default=[], metavar="FILE",
                        help="the issuer's DID or controller document (repeatable)")

    demo = commands.add_parser("demo", help="sample data for trying the workstation out")
    demo_cmds = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    seed = demo_cmds.add_parser(
        "seed", help="add the demo organisation's rubrics and generated submissions")
    seed.add_argument("--count", type=int, default=60, help="submissions to add (default 60)")
    seed.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    return parser


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def run(args: argparse.Namespace) -> int:
    """Run a parsed sub-command; returns the exit code."""
    from assessor.logs import configure_logging

    paths = resolve_paths(args.data_dir)
    try:
        paths.ensure()
        configure_logging(paths, verbose=args.verbose)
        handler = _COMMANDS[(args.command, _action(args))]
        return handler(args, paths)
    except UserFacingError as exc:
        print(f"assessor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("assessor: interrupted", file=sys.stderr)
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.command is None:
        build_parser().print_help()
        return 0
    return run(args)


def _action(args: argparse.Namespace) -> str:
    return str(getattr(args, f"{args.command}_command", ""))


def _store_info(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.store.database import inspect_store
    from assessor.store.queue import QueueReader

    status = inspect_store(paths.store)
    print(f"data directory: {paths.home}")
    print(f"store:          {paths.store}")
    print(f"schema:         {status.revision or '-'} ({status.state.value})")
    if status.revision is None:
        return 0
    reader = QueueReader(paths.store)
    try:
        counts = reader.counts()
        print(f"submissions:    {sum(counts.values())}")
        for state, count in counts.items():
            if count:
                print(f"  {state.label.lower():<24}{count}")
        print(f"overdue:        {reader.overdue_count()}")
        if status.state.value == "current":
            print(f"waiting to sync: {reader.outbox_count()}")
    finally:
        reader.close()
    return 0


def _store_verify(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.store.database import inspect_store, read_only_connection
    from assessor.store.store import Store

    status = inspect_store(paths.store)
    if status.revision is None:
        print("assessor: there is no store here yet; nothing to verify", file=sys.stderr)
        return 2
    connection = read_only_connection(paths.store)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
    integrity_ok = problems == ["ok"]
    print("database integrity: ok" if integrity_ok else
          "database integrity: FAILED\n  " + "\n  ".join(problems[:20]))
    from assessor.store.database import open_database

    store = Store(open_database(paths.store, paths.backups))
    try:
        report = store.verify_audit()
    finally:
        store.close()
    print(report)
    return 0 if integrity_ok and report.ok else 1


def _store_migrate(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.store.database import migrate

    status = migrate(paths.store, paths.backups)
    print(f"store {paths.store} is at schema {status.revision}")
    return 0


def _demo_seed(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.config import load_settings
    from assessor.demo import RUBRICS, TEMPLATES, generate_submissions
    from assessor.store.database import open_database
    from assessor.store.store import Store

    if args.count < 0:
        raise UserFacingError("--count cannot be negative.")
    settings = load_settings(paths.home)
    store = Store(open_database(paths.store, paths.backups))
    try:
        for rubric in RUBRICS:
            store.put_rubric(rubric)
        for template in TEMPLATES:
            store.put_template(template)
        added = store.receive(generate_submissions(
            args.count, assessor_id=settings.user_id, seed=args.seed))
    finally:
        store.close()
    print(f"added {added} demo submissions assigned to {settings.user_name} "
          f"({settings.user_id}) in {paths.store}")
    return 0


def _keys(args: argparse.Namespace, paths: AppPaths) -> int:
    import json

    from assessor.keys import KeyCustody

    custody = KeyCustody(paths.home)
    action = args.keys_command
    if action in ("create", "rotate"):
        info = custody.create() if action == "create" else custody.rotate()
        print(f"{'created' if action == 'create' else 'rotated to'} signing key {info.id}")
        print(f"  did:key  {info.did}")
        print("  the private key is in the OS keychain only; enrol the public key with your hub")
        return 0
    keys = custody.keys()
    if action == "list":
        if not keys:
            print("no signing keys yet (python main.py keys create)")
        for info in keys:
            print(f"{info.status:<8} {info.id}  created {info.created}")
        return 0
    chosen = keys if args.all else [k for k in keys if k.status == "active"]
    if not chosen:
        raise UserFacingError("There is no active signing key to export; create one first.")
    print(json.dumps([k.public_export() for k in chosen], indent=2))
    return 0


def _credential_sign(args: argparse.Namespace, paths: AppPaths) -> int:
    import json
    from pathlib import Path

    from assessor.credentials.files import read_json_document
    from assessor.credentials.signing import sign_credential
    from assessor.keys import KeyCustody

    unsigned = read_json_document(Path(args.input))
    signed = sign_credential(unsigned, KeyCustody(paths.home).signer())
    out = Path(args.out)
    out.write_text(json.dumps(signed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"signed {out} with {signed['proof']['verificationMethod']}")
    return 0


def _credential_verify(args: argparse.Namespace, paths: AppPaths) -> int:
    from pathlib import Path

    from assessor.credentials.files import read_credential, read_json_document
    from assessor.credentials.verify import verify_credential

    credential = read_credential(Path(args.input))
    documents = [read_json_document(Path(f)) for f in args.did_document]
    report = verify_credential(credential, documents=documents)
    for line in report.lines():
        print(line)
    print("VERIFIED" if report.ok else "NOT VERIFIED")
    return 0 if report.ok else 1


_COMMANDS: dict[tuple[str, str], Command] = {
    ("store", "info"): _store_info,
    ("store", "verify"): _store_verify,
    ("store", "migrate"): _store_migrate,
    ("demo", "seed"): _demo_seed,
    ("credential", "sign"): _credential_sign,
    ("credential", "verify"): _credential_verify,
    **{("keys", action): _keys for action in ("create", "list", "rotate", "export-public")},
}
