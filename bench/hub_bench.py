"""Issue 4's hub targets, on a real uvicorn server on a loopback port:

    python bench/hub_bench.py [--count N] [--mb M] [--runs R] [--postgres URL] [--quick]
                              [--json FILE]

- "changes since cursor", first page (200 submissions), for an assessor with 10,000
  assigned submissions: target < 200 ms (median of warm requests; the cold first
  request is printed too); baseline: GET /api/v1/me on the same server.
- evidence download throughput, ``curl -o /dev/null`` of a 200 MB blob through
  ``GET /api/v1/evidence/{sha256}``, against curl fetching the same-size file from a static
  file route (Starlette's StaticFiles) mounted in the same uvicorn, in the same run:
  target >= 70 % of the static throughput.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __name__ == "__main__":  # run as a script: no embedded demo organisation in any child
    os.environ["ASSESSOR_DEMO"] = "0"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bench.report import Row, all_met, median_ms, print_table, write_json  # noqa: E402

ISSUE = "#4"
PASSWORD = "bench-password"


def seed(database_url: str, blob_dir: Path, count: int, megabytes: int) -> str:
    """An organisation, an assessor with ``count`` submissions (two evidence items each),
    another assessor with as many, and one big evidence file; returns its sha256."""
    import hashlib

    from assessor.hub.blobs import blob_path
    from assessor.hub.database import open_hub_database
    from assessor.hub.models import Blob, Change, Evidence, Submission, TemplateVersion
    from assessor.hub.organisation import add_user, create_organisation
    from tests.hub.factory import rubric

    big = blob_dir / "big.tmp"
    blob_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(big, "wb") as out:
        for _ in range(megabytes):
            block = os.urandom(1024 * 1024)
            digest.update(block)
            out.write(block)
    big_sha = digest.hexdigest()
    target = blob_path(blob_dir, big_sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(big, target)
    small = b"%PDF-1.7 a small report\n"
    small_sha = hashlib.sha256(small).hexdigest()
    blob_path(blob_dir, small_sha).parent.mkdir(parents=True, exist_ok=True)
    blob_path(blob_dir, small_sha).write_bytes(small)

    db = open_hub_database(database_url)
    now = datetime.now(UTC)
    with db.transaction() as s:
        create_organisation(s, "Bench Org", "https://bench.example", "http://127.0.0.1:1",
                            moderation_first_n=0)
        ada = add_user(s, "ada", "assessor", password=PASSWORD)
        bo = add_user(s, "bo", "assessor", password=PASSWORD)
        learners = [add_user(s, f"learner{i}", "learner", display_name=f"Learner {i}",
                             email=f"l{i}@example.org") for i in range(50)]
        s.add(TemplateVersion(template_id="customer-care", version=1,
                              achievement={"name": "Customer Care"}, rubric=rubric()))
        s.add(Blob(sha256=big_sha, size=megabytes * 1024 * 1024, media_type="video/mp4"))
        s.add(Blob(sha256=small_sha, size=len(small), media_type="application/pdf"))
        s.flush()
        subs, evidence, changes = [], [], []
        for i in range(2 * count):
            sid = f"sub-{i:06d}"
            subs.append({"id": sid, "learner_id": learners[i % 50].id,
                         "template_id": "customer-care", "template_version": 1, "attempt": 1,
                         "narrative": "What I did at work. " * 20,
                         "submitted_at": now - timedelta(minutes=i),
                         "due_at": now + timedelta(days=14),
                         "assessor_id": ada.id if i % 2 == 0 else bo.id, "state": "pending",
                         "revision": 1, "status_index": i, "sampled": False,
                         "change_seq": i + 1})
            changes.append({"seq": i + 1, "submission_id": sid, "what": "received", "at": now})
            for position in range(2):
                evidence.append({"id": f"{sid}-e{position}", "submission_id": sid,
                                 "position": position, "file_name": f"evidence-{position}.pdf",
                                 "media_type": "application/pdf", "size": len(small),
                                 "sha256": small_sha, "description": "A report"})
        evidence[0] |= {"sha256": big_sha, "media_type": "video/mp4",
                        "size": megabytes * 1024 * 1024}
        s.execute(insert(Submission), subs)
        s.execute(insert(Change), changes)
        s.execute(insert(Evidence), evidence)
    db.dispose()
    return big_sha


class Served:
    """The hub app plus a static-file route, on uvicorn in a thread."""

    def __init__(self, database_url: str, data_dir: Path, static_dir: Path) -> None:
        import uvicorn
        from starlette.staticfiles import StaticFiles

        from assessor.hub.app import create_app
        from assessor.hub.config import HubConfig
        from assessor.hub.server import free_port

        self.port = free_port()
        app = create_app(HubConfig(database_url=database_url, data_dir=data_dir,
                                   public_url=f"http://127.0.0.1:{self.port}"))
        app.mount("/bench-static", StaticFiles(directory=static_dir))
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_config=None, access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _timed_get(client: httpx.Client, path: str, runs: int) -> tuple[float, list[float]]:
    samples = []
    first = 0.0
    for i in range(runs + 1):
        started = time.perf_counter()
        answer = client.get(path)
        elapsed = time.perf_counter() - started
        answer.raise_for_status()
        if i == 0:
            first = elapsed
        else:
            samples.append(elapsed)
    return first, samples


def _curl_seconds(url: str, token: str | None) -> float:
    command = ["curl", "-s", "-f", "-o", "/dev/null", "-w", "%{time_total}", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def _httpx_seconds(url: str, token: str | None) -> float:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    with httpx.stream("GET", url, headers=headers, timeout=120) as answer:
        answer.raise_for_status()
        for _ in answer.iter_bytes(1024 * 1024):
            pass
    return time.perf_counter() - started


def run(count: int = 10_000, megabytes: int = 200, runs: int = 7,
        postgres_url: str | None = None) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        home = Path(tmp)
        database_url = postgres_url or str(home / "hub.sqlite3")
        backend = "PostgreSQL" if postgres_url else "SQLite"
        started = time.perf_counter()
        big_sha = seed(database_url, home / "data" / "blobs", count, megabytes)
        print(f"seeded {2 * count} submissions ({count} for the assessor) and a "
              f"{megabytes} MB blob in {time.perf_counter() - started:.1f}s ({backend})")
        static_dir = home / "static"
        static_dir.mkdir()
        from assessor.hub.blobs import blob_path
        static_file = static_dir / "same-size.bin"
        shutil.copyfile(blob_path(home / "data" / "blobs", big_sha), static_file)
        with Served(database_url, home / "data", static_dir) as served, \
                httpx.Client(base_url=served.url, timeout=60) as client:
            token = client.post("/api/v1/sessions", json={
                "username": "ada", "password": PASSWORD}).json()["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            cold, pages = _timed_get(client, "/api/v1/changes", runs)
            page = client.get("/api/v1/changes").json()
            assert len(page["submissions"]) == 200 and page["more"], "unexpected first page"
            _, me = _timed_get(client, "/api/v1/me", runs)
            figure = median_ms(pages)
            print(f"changes first page: cold {cold * 1000:.1f} ms, warm median {figure:.1f} ms "
                  f"({len(client.get('/api/v1/changes').content) / 1024:.0f} KiB)")
            rows.append(Row(ISSUE, f"changes first page, {count:,} assigned ({backend})",
                            figure, "GET /api/v1/me, same server", median_ms(me),
                            "< 200 ms", figure < 200))

            evidence_url = f"{served.url}/api/v1/evidence/{big_sha}"
            static_url = f"{served.url}/bench-static/same-size.bin"
            if shutil.which("curl"):
                tool, fetch = "curl", _curl_seconds
            else:
                print("curl is not installed: timing both downloads with httpx instead")
                tool, fetch = "httpx", _httpx_seconds
            with PlainStaticServer(static_dir) as plain:
                plain_url = f"{plain.url}/same-size.bin"
                for url, auth in ((evidence_url, token), (static_url, None), (plain_url, None)):
                    fetch(url, auth)  # warm the page cache and every code path
                ours, static, plain_static = [], [], []
                for _ in range(max(3, runs // 2)):
                    ours.append(fetch(evidence_url, token))
                    static.append(fetch(static_url, None))
                    plain_static.append(fetch(plain_url, None))
            mb = megabytes * 1024 * 1024 / 1e6
            ours_s = statistics.median(ours)
            baselines = {"StaticFiles in the same uvicorn": statistics.median(static),
                         "python -m http.server": statistics.median(plain_static)}
            for name, seconds in baselines.items():
                print(f"static file via {name} ({tool}): {mb / seconds:.0f} MB/s")
            # Judged against the faster of the two static servers.
            name, static_s = min(baselines.items(), key=lambda item: item[1])
            share = static_s / ours_s
            print(f"evidence download ({tool}, {megabytes} MB): {mb / ours_s:.0f} MB/s = "
                  f"{share:.0%} of the faster static server (target >= 70%)")
            rows.append(Row(ISSUE, f"evidence {megabytes} MB via {tool} ({mb / ours_s:.0f} MB/s"
                            f" = {share:.0%})", ours_s * 1000,
                            f"{tool}, {name[:22]} ({mb / static_s:.0f} MB/s)",
                            static_s * 1000, f">= 70% of {tool} static MB/s", share >= 0.70))
    return rows


class PlainStaticServer:
    """``python -m http.server`` over a directory, in a child process on a free port."""

    def __init__(self, directory: Path) -> None:
        from assessor.hub.server import free_port

        self.port = free_port()
        self.directory = directory
        self.child: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> PlainStaticServer:
        self.child = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1",
             "--directory", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.head(self.url + "/", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("python -m http.server did not start")

    def __exit__(self, *_: object) -> None:
        if self.child is not None:
            self.child.terminate()
            self.child.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000,
                        help="submissions assigned to the assessor")
    parser.add_argument("--mb", type=int, default=200, help="size of the evidence file")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres", help="a PostgreSQL URL of an empty database to use")
    parser.add_argument("--quick", action="store_true",
                        help="1,000 submissions, a 10 MB file, 3 runs (a smoke test)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    if args.quick:
        args.count, args.mb, args.runs = 1_000, 10, 3
    rows = run(args.count, args.mb, args.runs, args.postgres)
    print_table(rows)
    if args.json:
        write_json(rows, args.json)
    return 0 if all_met(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
