"""The headless commands: ``python main.py <command> ...``.

The parser is built without importing anything heavy, so ``--help`` and ``--version``
answer at once. Every command prints one clear line and exits non-zero on a
``UserFacingError``; tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from assessor import APP_NAME, __version__
from assessor.errors import UserFacingError
from assessor.hub.cli import HUB_COMMANDS, add_hub_parser
from assessor.paths import HOME_ENV, AppPaths, resolve_paths
from assessor.sync.cli import SYNC_COMMANDS, add_sync_parser

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
    parser.add_argument(
        "--self-test", action="store_true",
        help="check this installation (window offscreen, rendering, signing with a "
        "throw-away keychain entry) on a throw-away data directory; exit 0 when all pass")
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
    rotate = key_cmds.add_parser(
        "rotate", help="make a new active key; old public keys stay listed")
    rotate.add_argument("--ob2", action="store_true",
                        help="rotate the RSA key for Open Badges 2.0 assertions instead")
    export = key_cmds.add_parser(
        "export-public", help="public keys as JSON for the hub (Multikey, JWK, did:key)")
    export.add_argument("--all", action="store_true", help="include retired keys")
    export.add_argument("--ob2", action="store_true",
                        help="the RSA keys for Open Badges 2.0 assertions (PEM, JWK) instead")

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
    verify.add_argument("--status-list", action="append", default=[], metavar="FILE",
                        help="a status list credential or 1EdTech revocation list (repeatable)")
    verify.add_argument("--online", action="store_true",
                        help="fetch the credential's status lists over https")
    verify.add_argument("--require-status", action="store_true",
                        help="fail when the revocation status cannot be checked")
    bake = cred_cmds.add_parser(
        "bake", help="put a signed credential into a PNG or SVG badge image")
    bake.add_argument("credential", metavar="CREDENTIAL.json")
    bake.add_argument("image", metavar="IMAGE")
    bake.add_argument("--out", required=True, metavar="OUT")
    unbake = cred_cmds.add_parser(
        "unbake", help="take the credential out of a baked PNG or SVG")
    unbake.add_argument("image", metavar="IMAGE")
    unbake.add_argument("--out", metavar="OUT.json", help="write here (default: print it)")
    status_list = cred_cmds.add_parser(
        "status-list", help="make or change a signed Bitstring Status List credential")
    status_list.add_argument("file", metavar="LIST.json")
    status_list.add_argument("--create", metavar="URL",
                             help="start a new list that will be published at URL")
    status_list.add_argument("--revoke", type=int, action="append", default=[],
                             metavar="INDEX", help="set the bit at INDEX (repeatable)")
    status_list.add_argument("--reinstate", type=int, action="append", default=[],
                             metavar="INDEX", help="clear the bit at INDEX (repeatable)")
    status_list.add_argument("--issuer", metavar="ID",
                             help="issuer id of a new list (default: the key's did:key)")
    _add_ob2_parsers(cred_cmds)

    add_hub_parser(commands)
    add_sync_parser(commands)
    _add_demo_parser(commands)
    _add_render_parser(commands)
    return parser


def _add_demo_parser(commands: Any) -> None:
    demo = commands.add_parser("demo", help="sample data for trying the workstation out")
    demo_cmds = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    seed = demo_cmds.add_parser(
        "seed", help="add the demo organisation's rubrics and generated submissions")
    seed.add_argument("--count", type=int, default=60, help="submissions to add (default 60)")
    seed.add_argument("--seed", type=int, default=7, help="random seed (default 7)")


def _add_render_parser(commands: Any) -> None:
    render = commands.add_parser(
        "render", help="draw a page of an evidence file (document, picture, text, office) "
        "into a PNG, headless")
    render.add_argument("file", metavar="FILE")
    render.add_argument("--page", type=int, default=1, metavar="N",
                        help="page (or frame of a picture) to draw, from 1 (default 1)")
    render.add_argument("--dpi", type=float, default=150.0, metavar="D",
                        help="resolution for documents (default 150)")
    render.add_argument("--password", metavar="P", help="password of an encrypted PDF")
    render.add_argument("--timeout", type=float, default=15.0, metavar="S",
                        help="give up on a page after S seconds (default 15)")
    render.add_argument("--out", required=True, metavar="OUT.png")


def _render(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.evidence.render.cli import run_render

    return run_render(args)


def _add_ob2_parsers(cred_cmds: Any) -> None:
    """``credential export-ob2`` and ``credential verify-ob2``: Open Badges 2.0 assertions."""
    export_ob2 = cred_cmds.add_parser(
        "export-ob2", help="an Open Badges 2.0 signed assertion (JWS RS256) and the "
        "documents the hub hosts for it")
    export_ob2.add_argument("credential", metavar="CREDENTIAL", help="signed JSON, PNG or SVG")
    export_ob2.add_argument("--base-url", required=True, metavar="URL",
                            help="where the hub serves DIR (the hosted documents' ids)")
    export_ob2.add_argument("--out", required=True, metavar="DIR",
                            help="folder for the assertion and the hosted documents")
    export_ob2.add_argument("--image", metavar="IMAGE.png",
                            help="bake the signed assertion into this PNG too")
    export_ob2.add_argument("--did-document", action="append", default=[], metavar="FILE",
                            help="the issuer's DID document, to check the credential's proof")
    verify_ob2 = cred_cmds.add_parser(
        "verify-ob2", help="check an Open Badges 2.0 signed assertion (JWS or baked PNG)")
    verify_ob2.add_argument("input", metavar="FILE")
    verify_ob2.add_argument("--hosted", metavar="DIR",
                            help="a folder of hosted documents (what export-ob2 wrote)")
    verify_ob2.add_argument("--document", action="append", default=[], metavar="FILE",
                            help="an issuer, key, badge class or revocation list (repeatable)")


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
    if getattr(args, "ob2", False):
        return _keys_ob2(args, custody)
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
        for ob2 in custody.ob2_keys():
            print(f"{ob2.status:<8} {ob2.id}  created {ob2.created}  "
                  "(RSA, Open Badges 2.0 assertions)")
        return 0
    chosen = keys if args.all else [k for k in keys if k.status == "active"]
    if not chosen:
        raise UserFacingError("There is no active signing key to export; create one first.")
    print(json.dumps([k.public_export() for k in chosen], indent=2))
    return 0


def _keys_ob2(args: argparse.Namespace, custody: Any) -> int:
    """``keys rotate --ob2`` and ``keys export-public --ob2``: the RSA key for OB 2.0."""
    import json

    if args.keys_command == "rotate":
        info = custody.rotate_ob2()
        print(f"made Open Badges 2.0 key {info.id} (RSA); the private key is in the OS "
              "keychain only")
        print("  export your credentials with credential export-ob2 again to publish it")
        return 0
    keys = custody.ob2_keys()
    chosen = keys if args.all else [k for k in keys if k.status == "active"]
    if not chosen:
        raise UserFacingError("There is no Open Badges 2.0 key yet; it is made the first "
                              "time you run credential export-ob2.")
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
    lists = [read_json_document(Path(f)) for f in args.status_list]
    if args.online:
        from assessor.credentials.status import fetch_status_documents

        lists += fetch_status_documents(credential)
    report = verify_credential(credential, documents=documents, status_documents=lists)
    for line in report.lines():
        print(line)
    unchecked = any(c.name == "status" and c.skipped for c in report.checks)
    ok = report.ok and not (args.require_status and unchecked)
    print("VERIFIED" if ok else "NOT VERIFIED")
    return 0 if ok else 1


def _write_new(path: Any, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a failure leaves no half file."""
    import os
    from pathlib import Path

    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserFacingError(f"Cannot write {target}: {exc.strerror}.") from None


def _credential_bake(args: argparse.Namespace, paths: AppPaths) -> int:
    from pathlib import Path

    from assessor.credentials.baking import MAX_IMAGE_BYTES, PNG_SIGNATURE, bake_png, bake_svg
    from assessor.credentials.files import read_json_document

    credential = read_json_document(Path(args.credential))
    if "proof" not in credential:
        raise UserFacingError("Only a signed credential is baked; sign it first "
                              "(python main.py credential sign).")
    try:
        with Path(args.image).open("rb") as handle:
            image = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise UserFacingError(f"Cannot read {args.image}: {exc.strerror}.") from None
    if len(image) > MAX_IMAGE_BYTES:
        raise UserFacingError(f"{args.image} is larger than a badge image can be.")
    baked = bake_png(image, credential) if image.startswith(PNG_SIGNATURE) \
        else bake_svg(image, credential)
    _write_new(args.out, baked)
    print(f"baked {credential.get('id', 'the credential')} into {args.out}")
    return 0


def _credential_unbake(args: argparse.Namespace, paths: AppPaths) -> int:
    import json
    from pathlib import Path

    from assessor.credentials.baking import MAX_IMAGE_BYTES, PNG_SIGNATURE, unbake

    source = Path(args.image)
    try:
        with source.open("rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise UserFacingError(f"Cannot read {source}: {exc.strerror}.") from None
    if not (data.startswith(PNG_SIGNATURE) or data.lstrip().startswith(b"<")):
        raise UserFacingError(f"{source} is not a PNG or SVG badge image.")
    if len(data) > MAX_IMAGE_BYTES:
        raise UserFacingError(f"{source} is larger than a badge image can be.")
    credential = unbake(data)
    text = json.dumps(credential, indent=2, ensure_ascii=False) + "\n"
    if args.out:
        _write_new(args.out, text.encode("utf-8"))
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _credential_status_list(args: argparse.Namespace, paths: AppPaths) -> int:
    import json
    from datetime import UTC, datetime
    from pathlib import Path

    from assessor.credentials.files import read_json_document
    from assessor.credentials.multiformats import did_key, ed25519_multikey
    from assessor.credentials.signing import sign_credential
    from assessor.credentials.status import StatusList, status_list_credential
    from assessor.credentials.verify import issuer_id
    from assessor.keys import KeyCustody

    target = Path(args.file)
    signer = KeyCustody(paths.home).signer()
    if args.create:
        if target.exists():
            raise UserFacingError(f"{target} exists; a new list is never written over one.")
        list_id, bits = args.create, StatusList()
        issuer = args.issuer or did_key(ed25519_multikey(signer.public_key))
    else:
        current = read_json_document(target)
        subject = current.get("credentialSubject")
        if not isinstance(subject, dict) or not isinstance(current.get("id"), str):
            raise UserFacingError(f"{target} is not a status list credential.")
        list_id, bits = current["id"], StatusList.decode(subject.get("encodedList"))
        issuer = issuer_id(current)
    for index in args.revoke:
        bits.set(index, True)
    for index in args.reinstate:
        bits.set(index, False)
    created = datetime.now(UTC)
    unsigned = status_list_credential(list_id, issuer, bits, valid_from=created)
    signed = sign_credential(unsigned, signer, created=created)
    text = json.dumps(signed, indent=2, ensure_ascii=False) + "\n"
    _write_new(target, text.encode("utf-8"))
    flagged = bits.set_indices()
    print(f"signed status list {list_id} ({bits.size:,} entries, {len(flagged)} revoked) "
          f"into {target}")
    return 0


def _credential_export_ob2(args: argparse.Namespace, paths: AppPaths) -> int:
    from pathlib import Path

    from assessor.credentials import ob2
    from assessor.credentials.files import read_credential, read_json_document
    from assessor.credentials.ob2_export import check_source_proof, export_ob2
    from assessor.keys import KeyCustody

    credential = read_credential(Path(args.credential))
    ob2.check_source(credential)
    urls = ob2.HostedUrls.parse(args.base_url)
    image = _read_image(Path(args.image)) if args.image else None
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserFacingError(f"{out} is not a folder.")
    custody = KeyCustody(paths.home)
    check_source_proof(credential, [read_json_document(Path(f)) for f in args.did_document],
                       own_keys=[k.id for k in custody.keys()])
    issuer_file = out / urls.path(urls.issuer)
    existing = read_json_document(issuer_file) if issuer_file.exists() else None
    exported = export_ob2(credential, urls, custody.ob2_signer(), existing_issuer=existing,
                          image=image)
    for relative, data in exported.create_only.items():
        if not (out / relative).exists():
            _write_into(out, relative, data)
    for relative, data in exported.files.items():
        _write_into(out, relative, data)
    creator = exported.assertion["verification"]["creator"]
    print(f"signed Open Badges 2.0 assertion {exported.assertion['id']} (RS256, {creator})")
    print(f"  assertion  {out / exported.assertion_path}")
    if exported.baked_path:
        print(f"  baked      {out / exported.baked_path}")
    print(f"  serve {out} at {urls.base}/ (issuer, key, badge class, revocation list)")
    return 0


def _read_image(path: Any) -> bytes:
    from assessor.credentials.baking import MAX_IMAGE_BYTES

    try:
        with path.open("rb") as handle:
            image: bytes = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise UserFacingError(f"Cannot read {path}: {exc.strerror}.") from None
    if len(image) > MAX_IMAGE_BYTES:
        raise UserFacingError(f"{path} is larger than a badge image can be.")
    return image


def _write_into(folder: Any, relative: str, data: bytes) -> None:
    """``_write_new`` for a file below ``folder``, making its sub-folders."""
    target = folder / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserFacingError(f"Cannot make the folder {target.parent}: {exc.strerror}.") \
            from None
    _write_new(target, data)


def _credential_verify_ob2(args: argparse.Namespace, paths: AppPaths) -> int:
    from pathlib import Path

    from assessor.credentials.files import read_json_document
    from assessor.credentials.ob2_baking import read_signed_assertion
    from assessor.credentials.ob2_verify import verify_ob2

    jws = read_signed_assertion(Path(args.input))
    documents = [read_json_document(Path(f)) for f in args.document]
    if args.hosted:
        folder = Path(args.hosted)
        if not folder.is_dir():
            raise UserFacingError(f"{folder} is not a folder.")
        documents += [read_json_document(f) for f in sorted(folder.rglob("*.json"))]
    report = verify_ob2(jws, documents)
    for line in report.lines():
        print(line)
    print("VERIFIED" if report.ok else "NOT VERIFIED")
    return 0 if report.ok else 1


_COMMANDS: dict[tuple[str, str], Command] = {
    ("store", "info"): _store_info,
    ("store", "verify"): _store_verify,
    ("store", "migrate"): _store_migrate,
    ("demo", "seed"): _demo_seed,
    ("render", ""): _render,
    ("credential", "sign"): _credential_sign,
    ("credential", "verify"): _credential_verify,
    ("credential", "bake"): _credential_bake,
    ("credential", "unbake"): _credential_unbake,
    ("credential", "status-list"): _credential_status_list,
    ("credential", "export-ob2"): _credential_export_ob2,
    ("credential", "verify-ob2"): _credential_verify_ob2,
    **{("keys", action): _keys for action in ("create", "list", "rotate", "export-public")},
    **HUB_COMMANDS,
    **SYNC_COMMANDS,
}
