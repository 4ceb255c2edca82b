"""The encrypted evidence cache with a large file (issue 5's memory target):

    python bench/cache_bench.py [--mb M] [--quick] [--json FILE]

In a child process (so its peak memory is the cache's alone), M MiB (default 1024) of
evidence generated on the fly is:

- written through ``EvidenceCache.begin`` / ``write`` / ``commit`` (sha256, AES-256-GCM per
  64 KiB chunk, fsync, rename); baseline: the same bytes hashed and written to a plain file
  with fsync (no encryption), same run. Target: at least 40 % of the baseline's speed.
- read back through ``EvidenceCache.open`` in 1 MiB reads, hashed; baseline: the plain file
  read back and hashed. Target: at least 40 % of the baseline's speed.
- 200 seeks to random offsets, 64 KiB read at each (a media player scrubbing): target a
  median under 5 ms per seek-and-read.
- peak RSS of the whole child process over all of the above: target under 300 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

if __name__ == "__main__":  # run as a script: no embedded demo organisation in any child
    os.environ["ASSESSOR_DEMO"] = "0"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import Row, all_met, print_table, write_json  # noqa: E402

ISSUE = "#5"
MIB = 1024 * 1024
RSS_LIMIT_MB = 300
MIN_RATIO = 0.4
SEEK_TARGET_MS = 5.0


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(folder: Path, megabytes: int) -> dict[str, float]:
    from assessor.evidence import EvidenceCache
    from assessor.evidence.cache_format import new_key

    size = megabytes * MIB
    seed_tail = os.urandom(MIB - 8)

    def evidence() -> Iterator[bytes]:
        """Incompressible-looking evidence, 1 MiB at a time, never held whole."""
        for i in range(megabytes):
            yield i.to_bytes(8, "big") + seed_tail

    digest = hashlib.sha256()
    for block in evidence():
        digest.update(block)
    sha = digest.hexdigest()

    plain = folder / "plain.bin"
    start = time.perf_counter()
    check = hashlib.sha256()
    with open(plain, "wb") as out:
        for block in evidence():
            check.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    plain_write = time.perf_counter() - start

    cache = EvidenceCache(folder / "cache", new_key())
    start = time.perf_counter()
    with cache.begin(sha, size) as writer:
        for block in evidence():
            writer.write(block)
        writer.commit()
    cache_write = time.perf_counter() - start

    start = time.perf_counter()
    check = hashlib.sha256()
    with open(plain, "rb") as handle:
        while block := handle.read(MIB):
            check.update(block)
    plain_read = time.perf_counter() - start

    start = time.perf_counter()
    check = hashlib.sha256()
    with cache.open(sha) as reader:
        while block := reader.read(MIB):
            check.update(block)
    cache_read = time.perf_counter() - start
    if check.hexdigest() != sha:
        raise SystemExit("the cache returned other bytes than were written")

    rng = random.Random(5)
    seeks = []
    with cache.open(sha) as reader:
        for _ in range(200):
            offset = rng.randrange(size)
            start = time.perf_counter()
            reader.seek(offset)
            reader.read(64 * 1024)
            seeks.append(time.perf_counter() - start)

    return {"plain_write": plain_write, "cache_write": cache_write,
            "plain_read": plain_read, "cache_read": cache_read,
            "seek_median": statistics.median(seeks), "peak_rss_mb": peak_rss_mb()}


def run(megabytes: int = 1024) -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="cache-bench-"))
    try:
        result = subprocess.run([sys.executable, __file__, "--child", str(folder),
                                 "--mb", str(megabytes)], check=True, capture_output=True,
                                text=True, cwd=ROOT)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    f = json.loads(result.stdout)
    ms = {k: v * 1000 for k, v in f.items() if k != "peak_rss_mb"}
    size = f"{megabytes} MiB"
    return [
        Row(ISSUE, f"cache write {size} (sha256+AES-GCM+fsync)", ms["cache_write"],
            "plain file write + sha256 + fsync", ms["plain_write"],
            f">= {MIN_RATIO:.0%} of plain (bench's)",
            ms["cache_write"] * MIN_RATIO <= ms["plain_write"]),
        Row(ISSUE, f"cache read {size} (decrypt+sha256)", ms["cache_read"],
            "plain file read + sha256", ms["plain_read"],
            f">= {MIN_RATIO:.0%} of plain (bench's)",
            ms["cache_read"] * MIN_RATIO <= ms["plain_read"]),
        Row(ISSUE, "cache seek + 64 KiB read (median of 200)", ms["seek_median"], "-", None,
            f"< {SEEK_TARGET_MS:g} ms (bench's)", ms["seek_median"] < SEEK_TARGET_MS),
        Row(ISSUE, f"cache peak RSS, {size} written and read", f["peak_rss_mb"], "-", None,
            f"< {RSS_LIMIT_MB} MB", f["peak_rss_mb"] < RSS_LIMIT_MB, unit="MB"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=1024, help="evidence size in MiB")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--quick", action="store_true", help="64 MiB (a smoke test)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.mb = 64
    if args.child:
        print(json.dumps(child(args.child, args.mb)))
        return 0
    rows = run(args.mb)
    print_table(rows)
    if args.json:
        write_json(rows, args.json)
    return 0 if all_met(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
