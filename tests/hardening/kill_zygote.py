"""A process that has already imported the app (or the hub) and forks a fresh one on demand.

Starting Python and importing SQLAlchemy, httpx, cryptography and FastAPI takes most of a
second on the shared test machine; the kill tests start the app or the hub more than fifty
times. So this process imports everything once, opens nothing (no database, no keychain
connection, no thread), and for each command forks a child that starts the real thing from
there: to the child it is a fresh start, and a SIGKILL ends it as it would end the app.

Protocol (one JSON array per line): the parent writes ``["run", [args...]]`` on stdin; this
process answers ``["started", pid]``, then, once the child is gone, ``["exited", pid,
returncode]`` (negative: killed by that signal, as ``subprocess`` reports it). The child
writes its own report lines to the same stdout; every line is one ``os.write`` of less than
``PIPE_BUF`` bytes, so lines never interleave. Closing stdin ends this process.

Run as ``python -m tests.hardening.kill_zygote app|hub``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

Target = Callable[[list[str]], None]


def say(*fields: Any) -> None:
    """One report line to the parent (atomic: a single write on the pipe)."""
    line = json.dumps(list(fields), ensure_ascii=True, separators=(",", ":")) + "\n"
    data = line.encode("ascii")
    if len(data) > 4000:  # stay under PIPE_BUF so concurrent writers never interleave
        data = (json.dumps([fields[0], "truncated"]) + "\n").encode("ascii")
    os.write(1, data)


def _target(kind: str) -> Target:
    if kind == "app":
        from tests.hardening import kill_app_session

        return kill_app_session.main
    if kind == "hub":
        from tests.hardening import kill_hub_process

        return kill_hub_process.main
    raise SystemExit(f"unknown kind {kind!r}")


def _child(target: Target, args: list[str]) -> None:
    code = 0
    try:
        target(args)
    except BaseException:  # noqa: BLE001 - whatever it is, the parent must hear of it
        traceback.print_exc()
        say("error", traceback.format_exc()[-1500:])
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(kind: str) -> None:
    target = _target(kind)
    say("zygote-ready")
    for line in sys.stdin:
        command = json.loads(line)
        if command[0] != "run":
            raise SystemExit(f"unknown command {command!r}")
        pid = os.fork()
        if pid == 0:
            os.close(0)  # the child reads nothing from the parent
            _child(target, [str(a) for a in command[1]])
        say("started", pid)
        _, status = os.waitpid(pid, 0)
        say("exited", pid, os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    serve(sys.argv[1])
