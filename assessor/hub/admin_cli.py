"""``python main.py hub admin ACTION``: administration on the hub's database directly (no
running server needed), through the same functions as the admin API.

Building the parsers imports nothing heavy; each action opens the database, does its work
in one transaction and closes it. Passwords are read from standard input
(``--password-stdin``) or asked for, never taken as an argument (they would show in the
process list and the shell history).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessor.paths import AppPaths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

AdminCommand = Callable[[argparse.Namespace, AppPaths], int]
DatabaseOptions = Callable[[argparse.ArgumentParser], None]


def add_admin_actions(actions: Any, database_options: DatabaseOptions) -> None:
    """Add the administration actions to ``hub admin``'s sub-parsers."""

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = actions.add_parser(name, help=help_text)
        database_options(parser)
        return parser

    org = action("create-org", "create the hub's organisation (its did:web follows "
                               "--public-url)")
    org.add_argument("--name", required=True, help="the organisation's name")
    org.add_argument("--url", required=True, help="the organisation's web site")
    org.add_argument("--public-url", required=True, metavar="URL",
                     help="where the hub is reached from outside, e.g. https://hub.example.org")
    action("show-org", "show the organisation")
    rate = action("moderation-rate", "set the share of decisions sampled for moderation")
    rate.add_argument("rate", type=float, metavar="RATE", help="0 (none) to 1 (all)")
    first = action("moderation-first", "set how many first approvals of every assessor "
                                       "are moderated")
    first.add_argument("first_n", type=int, metavar="N", help="0 (none) to 10000")
    template = action("publish-template", "publish a credential template and its rubric "
                                          "from a JSON file (a change is a new version)")
    template.add_argument("file", metavar="FILE.json", help="the template ('-': stdin)")
    templates = action("templates", "list templates (or every version of one)")
    templates.add_argument("template_id", nargs="?", metavar="TEMPLATE_ID")
    user = action("add-user", "create a user with a role")
    user.add_argument("username", metavar="USERNAME")
    user.add_argument("--role", required=True,
                      choices=("assessor", "mentor", "moderator", "admin", "learner"))
    user.add_argument("--display-name", default="")
    user.add_argument("--email", default="")
    _password_options(user, optional=True)
    users = action("users", "list users")
    users.add_argument("--role", default=None)
    deactivate = action("deactivate", "deactivate a user (their devices are signed out)")
    deactivate.add_argument("user", metavar="USER", help="user name or id")
    activate = action("activate", "reactivate a user")
    activate.add_argument("user", metavar="USER", help="user name or id")
    reset = action("reset-password", "set a new password (the user's devices sign in again)")
    reset.add_argument("user", metavar="USER", help="user name or id")
    _password_options(reset, optional=False)
    mentor = action("attach-mentor", "attach a mentor to a learner")
    mentor.add_argument("mentor", metavar="MENTOR")
    mentor.add_argument("learner", metavar="LEARNER")
    detach = action("detach-mentor", "detach a mentor from a learner")
    detach.add_argument("mentor", metavar="MENTOR")
    detach.add_argument("learner", metavar="LEARNER")
    submissions = action("submissions", "list submissions")
    submissions.add_argument("--unassigned", action="store_true")
    assign = action("assign", "assign a submission to an assessor, or every unassigned one "
                              "round-robin")
    assign.add_argument("submission", nargs="?", metavar="SUBMISSION")
    target = assign.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", metavar="ASSESSOR", help="assessor user name or id")
    target.add_argument("--unassign", action="store_true", help="take it from its assessor")
    target.add_argument("--round-robin", action="store_true",
                        help="assign every unassigned submission over active assessors")
    _add_key_actions(action)


def _add_key_actions(action: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Signing keys and the enrolment codes that let a desktop enrol its own."""
    enrol = action("enrol-key", "enrol an assessor's or mentor's public key (the JSON printed by "
                                "`python main.py keys export-public`)")
    enrol.add_argument("user", metavar="ASSESSOR")
    enrol.add_argument("file", metavar="KEY.json", help="the exported key ('-': stdin)")
    code = action("enrolment-code", "print a one-time enrolment code for a user's new desktop "
                                    "(they sign in with it once and enrol their key)")
    code.add_argument("user", metavar="USER", help="user name or id")
    code.add_argument("--days", type=int, default=7, metavar="N",
                      help="how long the code works (default 7, at most 90)")
    action("keys", "list enrolled keys")
    revoke = action("revoke-key", "revoke an enrolled key (it leaves the DID document's "
                                  "assertionMethod)")
    revoke.add_argument("key", metavar="PUBLIC_KEY_MULTIBASE")


def _password_options(parser: argparse.ArgumentParser, *, optional: bool) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    if optional:
        parser.add_argument("--no-password", action="store_true",
                            help="create the account without a password (set one later)")


def _password(args: argparse.Namespace) -> str:
    from assessor.errors import UserFacingError

    if getattr(args, "no_password", False):
        return ""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        import getpass

        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise UserFacingError("The passwords differ.")
    else:
        raise UserFacingError("Give the password on standard input with --password-stdin.")
    if not password:
        raise UserFacingError("The password is empty.")
    return password


@contextmanager
def _session(args: argparse.Namespace, paths: AppPaths) -> Iterator[Session]:
    from assessor.hub.cli import hub_config
    from assessor.hub.database import open_hub_database

    database = open_hub_database(hub_config(args, paths).database_url)
    try:
        with database.transaction() as session:
            yield session
    finally:
        database.dispose()


def _read_json(name: str) -> Any:
    from assessor.errors import UserFacingError

    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise UserFacingError(f"Cannot read {name}: {exc.strerror or exc}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserFacingError(f"{name} is not valid JSON: {exc}.") from None


def _create_org(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.organisation import create_organisation

    with _session(args, paths) as session:
        org = create_organisation(session, args.name, args.url, args.public_url)
        print(f"created {org.name}: {org.did} (public URL {org.public_url})")
    return 0


def _show_org(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.organisation import get_organisation

    with _session(args, paths) as session:
        org = get_organisation(session)
        print(f"name:            {org.name}\nurl:             {org.url}\n"
              f"public url:      {org.public_url}\ndid:             {org.did}\n"
              f"moderation rate: {org.moderation_rate:g}\n"
              f"moderated first: {org.moderation_first_n} approvals of every assessor")
    return 0


def _moderation_rate(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.errors import bad_request
    from assessor.hub.organisation import get_organisation

    if not 0.0 <= args.rate <= 1.0:
        raise bad_request("The moderation rate lies between 0 and 1.")
    with _session(args, paths) as session:
        get_organisation(session).moderation_rate = args.rate
    print(f"moderation rate {args.rate:g}")
    return 0


def _moderation_first(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.errors import bad_request
    from assessor.hub.organisation import get_organisation

    if not 0 <= args.first_n <= 10_000:
        raise bad_request("The number of first approvals to moderate lies between 0 and "
                          "10000.")
    with _session(args, paths) as session:
        get_organisation(session).moderation_first_n = args.first_n
    print(f"every assessor's first {args.first_n} approvals are moderated")
    return 0


def _publish_template(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.templates import publish_template

    document = _read_json(args.file)
    with _session(args, paths) as session:
        published = publish_template(session, document)
        row = published.version
        verb = "published" if published.created else "unchanged, still"
        print(f"{verb} {row.template_id} version {row.version}")
    return 0


def _templates(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.templates import template_versions

    with _session(args, paths) as session:
        for row in template_versions(session, args.template_id):
            print(f"{row.template_id}  v{row.version}  {row.achievement.get('name', '')}  "
                  f"({len(row.rubric.get('criteria', []))} criteria, published "
                  f"{row.published_at:%Y-%m-%d})")
    return 0


def _add_user(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.accounts import check_new_password
    from assessor.hub.organisation import add_user

    password = _password(args)
    if password:
        check_new_password(password)
    with _session(args, paths) as session:
        user = add_user(session, args.username, args.role, password=password,
                        display_name=args.display_name, email=args.email)
        print(f"created {user.role} {user.username} ({user.id})"
              + ("" if password else "; no password yet (hub admin reset-password)"))
    return 0


def _users(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.accounts import list_users, mentors_of

    with _session(args, paths) as session:
        users = list_users(session, args.role)
        mentors = mentors_of(session, [u.id for u in users if u.role == "learner"])
        for user in users:
            extra = f"  mentors: {', '.join(mentors[user.id])}" if mentors.get(user.id) else ""
            state = "" if user.active else "  (deactivated)"
            print(f"{user.role:<10} {user.username:<20} {user.display_name}{state}{extra}")
    return 0


def _deactivate(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.accounts import deactivate_user

    with _session(args, paths) as session:
        print(f"deactivated {deactivate_user(session, args.user).username}")
    return 0


def _activate(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.accounts import reactivate_user

    with _session(args, paths) as session:
        print(f"reactivated {reactivate_user(session, args.user).username}")
    return 0


def _reset_password(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.accounts import reset_password

    password = _password(args)
    with _session(args, paths) as session:
        user = reset_password(session, args.user, password)
        print(f"new password set for {user.username}; their devices sign in again")
    return 0


def _attach_mentor(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.accounts import attach_mentor

    with _session(args, paths) as session:
        mentor, learner = attach_mentor(session, args.mentor, args.learner)
        print(f"{mentor.username} now mentors {learner.username}")
    return 0


def _detach_mentor(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.accounts import detach_mentor

    with _session(args, paths) as session:
        detach_mentor(session, args.mentor, args.learner)
        print(f"{args.mentor} no longer mentors {args.learner}")
    return 0


def _submissions(args: argparse.Namespace, paths: AppPaths) -> int:
    from sqlalchemy import select

    from assessor.hub.models import Submission, User

    with _session(args, paths) as session:
        query = select(Submission).order_by(Submission.submitted_at, Submission.id)
        if args.unassigned:
            query = query.where(Submission.assessor_id.is_(None))
        names = {uid: name for uid, name in session.execute(select(User.id, User.username))}
        for row in session.scalars(query):
            assessor = names.get(row.assessor_id or "", "-")
            print(f"{row.id}  {row.template_id} v{row.template_version} attempt "
                  f"{row.attempt}  {names.get(row.learner_id, '?'):<16} {row.state:<22} "
                  f"assessor {assessor}")
    return 0


def _assign(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.assignment import assign_round_robin, assign_to
    from assessor.hub.errors import bad_request
    from assessor.hub.models import User

    with _session(args, paths) as session:
        if args.round_robin:
            if args.submission:
                raise bad_request("--round-robin assigns every unassigned submission; give "
                                  "no SUBMISSION with it.")
            for row in assign_round_robin(session):
                user = session.get(User, row.assessor_id)
                print(f"{row.id} -> {user.username if user else '?'}")
            return 0
        if not args.submission:
            raise bad_request("Say which SUBMISSION to assign (or use --round-robin).")
        row = assign_to(session, args.submission, None if args.unassign else args.to)
        user = session.get(User, row.assessor_id) if row.assessor_id else None
        print(f"{row.id} -> {user.username if user else 'nobody'}")
    return 0


def _enrol_key(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.key_enrolment import enrol_keys

    document = _read_json(args.file)
    with _session(args, paths) as session:
        for key in enrol_keys(session, args.user, document):
            print(f"enrolled {key.public_key_multibase} for {args.user}")
    return 0


def _enrolment_code(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.enrolment_codes import issue_code

    with _session(args, paths) as session:
        user, code, expires = issue_code(session, args.user, args.days)
    print(f"enrolment code for {user.username}: {code}\n"
          f"valid once, until {expires:%Y-%m-%d %H:%M} UTC; it replaces any unused code "
          "given before")
    return 0


def _keys(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.key_enrolment import list_keys

    with _session(args, paths) as session:
        for key, user in list_keys(session):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            print(f"{key.public_key_multibase}  {user.username:<16} {state}")
    return 0


def _revoke_key(args: argparse.Namespace, paths: AppPaths) -> int:
    from assessor.hub.key_enrolment import revoke_key

    with _session(args, paths) as session:
        key = revoke_key(session, args.key)
        assert key.revoked_at is not None
        print(f"revoked {key.public_key_multibase} ({key.revoked_at:%Y-%m-%d %H:%M} UTC)")
    return 0


ADMIN_COMMANDS: dict[str, AdminCommand] = {
    "create-org": _create_org, "show-org": _show_org, "moderation-rate": _moderation_rate,
    "moderation-first": _moderation_first,
    "publish-template": _publish_template, "templates": _templates, "add-user": _add_user,
    "users": _users, "deactivate": _deactivate, "activate": _activate,
    "reset-password": _reset_password, "attach-mentor": _attach_mentor,
    "detach-mentor": _detach_mentor, "submissions": _submissions, "assign": _assign,
    "enrol-key": _enrol_key, "enrolment-code": _enrolment_code, "keys": _keys,
    "revoke-key": _revoke_key,
}
