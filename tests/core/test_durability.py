"""A judgment is on disk when record_judgment returns, whatever happens to the process next."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from assessor.domain.judgment import JudgmentDraft
from tests.core.helpers import ASSESSOR, care_id, open_store, seeded_store

CHILD = textwrap.dedent("""
    import sys, time
    from assessor.paths import AppPaths
    from assessor.domain.judgment import JudgmentDraft
    from tests.core.helpers import ASSESSOR, open_store
    store = open_store(AppPaths(__import__("pathlib").Path(sys.argv[1])))
    submission = sys.argv[2]
    for n, level in enumerate(["not-yet", "developing", "proficient", "exemplary"] * 5):
        store.record_judgment(submission, JudgmentDraft("listening", level, f"edit {n}"),
                              ASSESSOR)
        print(f"saved {n} {level}", flush=True)   # the UI would now show "Saved"
    print("done", flush=True)
    time.sleep(60)                                 # killed before it could close anything
""")


def test_a_saved_judgment_survives_sigkill(home) -> None:
    seeded_store(home, count=4).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home.home), care_id(0)],
        stdout=subprocess.PIPE, text=True, cwd=os.getcwd(),
    )
    assert child.stdout is not None
    last: list[str] = []
    for line in child.stdout:
        if line.startswith("done"):
            break
        last = line.split()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    _, n, level = last
    reopened = open_store(home)  # a new process would do exactly this
    judgment = reopened.judgments(care_id(0))["listening"]
    assert judgment.level_key == level
    assert judgment.comment == f"edit {n}"
    assert judgment.revision == int(n) + 1
    assert reopened.verify_audit().ok
    reopened.close()


def test_a_kill_mid_stream_keeps_every_save_that_returned(home) -> None:
    seeded_store(home, count=4).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home.home), care_id(1)],
        stdout=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None
    seen = [child.stdout.readline() for _ in range(7)]
    child.send_signal(signal.SIGKILL)  # somewhere between save 7 and the end
    child.wait(timeout=10)
    child.stdout.close()
    reopened = open_store(home)
    revision = reopened.judgments(care_id(1))["listening"].revision
    assert revision >= 7, seen
    reopened.record_judgment(care_id(1), JudgmentDraft("resolution", "proficient"), ASSESSOR)
    assert reopened.verify_audit().ok
    reopened.close()
