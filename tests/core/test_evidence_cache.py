"""The encrypted evidence cache: what goes in comes out, resumes, and nothing else does.

Real files under tmp_path, the real OS keychain for the key, real child processes for the
cross-process lock, a kill mid-download, and the memory ceiling.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from assessor.evidence import (
    KEY_NAME,
    EvidenceBusyError,
    EvidenceCache,
    EvidenceCorruptError,
    EvidenceError,
    EvidenceIntegrityError,
    EvidenceMissingError,
    EvidenceTooLargeError,
    InvalidDigestError,
    load_cache_key,
)
from assessor.evidence.cache_format import (
    DEFAULT_CHUNK_SIZE,
    HEADER_BYTES,
    OVERHEAD,
    new_key,
)
from assessor.keys import KeychainError, KeychainSecrets

ROOT = Path(__file__).resolve().parents[2]
CHUNK = DEFAULT_CHUNK_SIZE
RECORD = CHUNK + OVERHEAD


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def noise(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.fixture
def key() -> bytes:
    return new_key()


@pytest.fixture
def cache(tmp_path: Path, key: bytes) -> EvidenceCache:
    return EvidenceCache(tmp_path / "cache", key)


def store(cache: EvidenceCache, data: bytes, *, piece: int = 10_007) -> str:
    digest = sha(data)
    with cache.begin(digest, len(data)) as writer:
        for start in range(0, len(data), piece):
            writer.write(data[start:start + piece])
        writer.commit()
    return digest


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK,
                                  3 * 1024 * 1024 + 17])
def test_what_is_written_reads_back_the_same(cache: EvidenceCache, size: int) -> None:
    data = noise(size)
    digest = store(cache, data)
    assert cache.has(digest)
    assert cache.size(digest) == size
    assert cache.read(digest) == data
    with cache.open(digest) as reader:
        assert reader.read() == data
    assert list(cache.digests()) == [digest]


def test_one_big_write_and_many_tiny_writes_store_the_same_file(tmp_path: Path,
                                                                key: bytes) -> None:
    data = noise(5 * CHUNK + 123)
    one = EvidenceCache(tmp_path / "one", key)
    tiny = EvidenceCache(tmp_path / "tiny", key)
    store(one, data, piece=len(data))
    digest = store(tiny, data, piece=997)
    assert one.read(digest) == tiny.read(digest) == data
    assert one.usage() == tiny.usage()


def test_a_new_cache_object_on_the_same_folder_and_key_reads_what_was_stored(
        tmp_path: Path, key: bytes) -> None:
    data = noise(CHUNK * 2 + 5)
    digest = store(EvidenceCache(tmp_path / "c", key), data)
    assert EvidenceCache(tmp_path / "c", key).read(digest) == data


def test_storing_the_same_evidence_twice_keeps_one_copy(cache: EvidenceCache) -> None:
    data = noise(CHUNK + 9)
    digest = store(cache, data)
    used = cache.usage()
    store(cache, data)
    assert cache.usage() == used
    assert cache.read(digest) == data


# -- resume --------------------------------------------------------------------------------


@pytest.mark.parametrize("stop", [1, 777, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 333,
                                  3 * CHUNK])
def test_a_closed_download_resumes_from_where_it_stopped(tmp_path: Path, key: bytes,
                                                         stop: int) -> None:
    data = noise(3 * CHUNK + 4321)
    digest = sha(data)
    with EvidenceCache(tmp_path / "c", key).begin(digest, len(data)) as writer:
        writer.write(data[:stop])
        assert writer.offset == stop
    assert not EvidenceCache(tmp_path / "c", key).has(digest)
    # the app restarts: a new cache object finds the partial and its exact offset
    cache = EvidenceCache(tmp_path / "c", key)
    with cache.begin(digest, len(data)) as writer:
        assert writer.offset == stop
        assert writer.expected_size == len(data)
        writer.write(data[stop:])
        writer.commit()
    assert cache.read(digest) == data
    assert list((tmp_path / "c" / "partial").iterdir()) == []


def test_a_download_can_stop_and_resume_many_times(cache: EvidenceCache) -> None:
    data = noise(4 * CHUNK + 99)
    digest = sha(data)
    stops = [0, 5, 6, CHUNK + 1, CHUNK + 2, 3 * CHUNK, 3 * CHUNK + 50, len(data)]
    for start, end in zip(stops, stops[1:], strict=False):
        with cache.begin(digest, len(data)) as writer:
            assert writer.offset == start
            writer.write(data[start:end])
    with cache.begin(digest, len(data)) as writer:
        assert writer.offset == len(data)
        writer.commit()
    assert cache.read(digest) == data


def test_an_error_inside_the_writer_block_keeps_what_arrived(cache: EvidenceCache) -> None:
    data = noise(2 * CHUNK)
    digest = sha(data)
    with pytest.raises(ConnectionError), cache.begin(digest, len(data)) as writer:
        writer.write(data[:1000])
        raise ConnectionError("the network went away")
    with cache.begin(digest, len(data)) as writer:
        assert writer.offset == 1000


def test_a_download_closed_before_any_byte_leaves_nothing(cache: EvidenceCache) -> None:
    digest = sha(b"x")
    cache.begin(digest, 1).close()
    assert files_under(cache.root) == []
    assert cache.begin(digest, 1).offset == 0


def test_a_partial_announced_with_another_size_starts_over(cache: EvidenceCache) -> None:
    data = noise(CHUNK + 10)
    digest = sha(data)
    with cache.begin(digest, len(data) + 1) as writer:
        writer.write(data[:500])
    with cache.begin(digest, len(data)) as writer:
        assert writer.offset == 0
        writer.write(data)
        writer.commit()
    assert cache.read(digest) == data


def partial_of(cache: EvidenceCache, data: bytes, stop: int) -> Path:
    with cache.begin(sha(data), len(data)) as writer:
        writer.write(data[:stop])
    return cache.root / "partial" / sha(data)


def test_a_tampered_partial_is_discarded_and_the_download_starts_over(
        cache: EvidenceCache) -> None:
    data = noise(4 * CHUNK)
    path = partial_of(cache, data, 3 * CHUNK + 100)
    raw = bytearray(path.read_bytes())
    raw[HEADER_BYTES + RECORD + 40] ^= 0x01  # inside the second chunk
    path.write_bytes(bytes(raw))
    with cache.begin(sha(data), len(data)) as writer:
        assert writer.offset == 0
        writer.write(data)
        writer.commit()
    assert cache.read(sha(data)) == data


def test_a_partial_with_a_broken_header_is_discarded(cache: EvidenceCache) -> None:
    data = noise(CHUNK)
    path = partial_of(cache, data, 100)
    path.write_bytes(b"garbage" + path.read_bytes()[7:])
    assert cache.begin(sha(data), len(data)).offset == 0


def test_a_torn_last_write_costs_only_the_torn_chunk(cache: EvidenceCache) -> None:
    data = noise(4 * CHUNK)
    path = partial_of(cache, data, 3 * CHUNK + 100)
    with path.open("r+b") as handle:  # as if the machine lost power mid-write
        handle.truncate(path.stat().st_size - 10)
    with cache.begin(sha(data), len(data)) as writer:
        assert writer.offset == 3 * CHUNK
        writer.write(data[3 * CHUNK:])
        writer.commit()
    assert cache.read(sha(data)) == data


def test_a_partial_from_another_digest_does_not_resume(cache: EvidenceCache) -> None:
    first, second = noise(CHUNK + 1, seed=1), noise(CHUNK + 1, seed=2)
    shutil.copy(partial_of(cache, first, CHUNK + 1), cache.root / "partial" / sha(second))
    assert cache.begin(sha(second), len(second)).offset == 0


def test_discard_partial_forgets_a_download(cache: EvidenceCache) -> None:
    data = noise(CHUNK)
    partial_of(cache, data, 5000)
    cache.discard_partial(sha(data))
    assert cache.usage() == 0
    assert cache.begin(sha(data), len(data)).offset == 0


def test_a_process_killed_mid_download_leaves_nothing_that_looks_complete(
        tmp_path: Path, key: bytes) -> None:
    data = noise(40 * CHUNK, seed=7)
    (tmp_path / "data").write_bytes(data)
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from assessor.evidence import EvidenceCache
        data = Path({str(tmp_path / "data")!r}).read_bytes()
        writer = EvidenceCache(Path({str(tmp_path / "c")!r}), bytes.fromhex(sys.argv[1]))\\
            .begin({sha(data)!r}, len(data))
        writer.write(data[:{25 * CHUNK + 3}])
        print("written", flush=True)
        sys.stdin.read()
    """)
    with subprocess.Popen([sys.executable, "-c", script, key.hex()], cwd=ROOT,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "written"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
    cache = EvidenceCache(tmp_path / "c", key)
    assert not cache.has(sha(data))
    with cache.begin(sha(data), len(data)) as writer:
        assert writer.offset <= 25 * CHUNK + 3  # what was flushed survived, no more
        assert writer.offset % CHUNK == 0
        writer.write(data[writer.offset:])
        writer.commit()
    assert cache.read(sha(data)) == data


DISK_FULL_SCRIPT = """
import resource, signal, sys
from pathlib import Path
from assessor.evidence import EvidenceCache, EvidenceError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
data = Path(sys.argv[2]).read_bytes()
cache = EvidenceCache(Path(sys.argv[1]), bytes.fromhex(sys.argv[3]))
writer = cache.begin(sys.argv[4], len(data))
resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))
try:
    for start in range(0, len(data), 50_000):
        writer.write(data[start:start + 50_000])
    writer.commit()
except EvidenceError as exc:
    print(exc)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="file size limits are POSIX")
def test_a_full_disk_mid_download_is_reported_and_what_was_stored_resumes(
        tmp_path: Path, key: bytes) -> None:
    data = noise(20 * CHUNK, seed=11)
    (tmp_path / "data").write_bytes(data)
    result = subprocess.run([sys.executable, "-c", DISK_FULL_SCRIPT, str(tmp_path / "c"),
                             str(tmp_path / "data"), key.hex(), sha(data)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "Could not write evidence file" in result.stdout
    assert "free space" in result.stdout
    cache = EvidenceCache(tmp_path / "c", key)
    assert not cache.has(sha(data))
    with cache.begin(sha(data), len(data)) as writer:
        assert 0 < writer.offset < 300_000
        writer.write(data[writer.offset:])
        writer.commit()
    assert cache.read(sha(data)) == data


# -- refused downloads ---------------------------------------------------------------------


def test_content_that_does_not_match_its_sha256_is_refused_and_discarded(
        cache: EvidenceCache) -> None:
    kept = store(cache, b"an earlier, good file")
    before = files_under(cache.root)
    claimed = sha(b"what the hub announced")
    writer = cache.begin(claimed, 22)
    writer.write(b"what the hub sent: bad")
    with pytest.raises(EvidenceIntegrityError, match="did not match its sha256.*discarded"):
        writer.commit()
    assert not cache.has(claimed)
    assert files_under(cache.root) == before
    assert cache.read(kept) == b"an earlier, good file"
    assert cache.begin(claimed, 22).offset == 0


def test_a_download_shorter_than_announced_is_refused(cache: EvidenceCache) -> None:
    data = noise(CHUNK + 100)
    writer = cache.begin(sha(data), len(data))
    writer.write(data[:-1])
    with pytest.raises(EvidenceIntegrityError, match=f"{len(data) - 1} of the {len(data)} bytes"):
        writer.commit()
    assert not cache.has(sha(data))
    assert cache.usage() == 0


def test_bytes_past_the_announced_size_are_refused(cache: EvidenceCache) -> None:
    data = noise(CHUNK + 5)
    digest = sha(data)
    with cache.begin(digest, len(data)) as writer:
        writer.write(data[:CHUNK])
        with pytest.raises(EvidenceTooLargeError, match=f"announced as {len(data)} bytes"):
            writer.write(data[CHUNK:] + b"extra")
        assert writer.offset == CHUNK  # nothing of the refused write was kept
        with pytest.raises(EvidenceTooLargeError):
            writer.write(b"x" * (len(data) + 1 - CHUNK))
        writer.write(data[CHUNK:])
        writer.commit()
    assert cache.read(digest) == data


def test_a_closed_writer_refuses_more(cache: EvidenceCache) -> None:
    writer = cache.begin(sha(b"ab"), 2)
    writer.write(b"a")
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.write(b"b")
    with pytest.raises(ValueError, match="closed"):
        writer.commit()
    writer.close()  # closing twice is harmless


@pytest.mark.parametrize("name", ["../../etc/passwd", "A" * 64, "ab" * 31, "", "g" * 64])
def test_names_that_are_not_sha256_digests_are_refused(cache: EvidenceCache,
                                                      name: str) -> None:
    for call in (cache.has, cache.read, cache.remove, cache.discard_partial,
                 lambda n: cache.begin(n, 1)):
        with pytest.raises(InvalidDigestError, match="not a sha256 digest"):
            call(name)
    assert files_under(cache.root) == []


def test_a_missing_file_says_so(cache: EvidenceCache) -> None:
    digest = sha(b"never downloaded")
    assert not cache.has(digest)
    for call in (cache.read, cache.size, cache.open):
        with pytest.raises(EvidenceMissingError, match="not on this computer yet"):
            call(digest)


def test_remove_forgets_the_file_and_any_partial(cache: EvidenceCache) -> None:
    digest = store(cache, noise(3 * CHUNK))
    partial_of(cache, noise(CHUNK, seed=3), 10)
    cache.remove(digest)
    cache.remove(sha(noise(CHUNK, seed=3)))
    assert not cache.has(digest)
    assert cache.usage() == 0
    cache.remove(digest)  # removing twice is harmless


def test_usage_counts_committed_and_partial_files(cache: EvidenceCache) -> None:
    assert cache.usage() == 0
    store(cache, noise(2 * CHUNK + 1))
    assert cache.usage() == HEADER_BYTES + 2 * CHUNK + 1 + 3 * OVERHEAD
    partial_of(cache, noise(CHUNK, seed=5), 100)
    assert cache.usage() == 2 * HEADER_BYTES + 2 * CHUNK + 101 + 4 * OVERHEAD


# -- tampering and the wrong key -----------------------------------------------------------


def committed(cache: EvidenceCache, digest: str) -> Path:
    return cache.root / "objects" / digest


def assert_corrupt(cache: EvidenceCache, digest: str) -> None:
    with pytest.raises(EvidenceCorruptError, match="failed its integrity check"):
        with cache.open(digest) as reader:
            reader.read()
    with pytest.raises(EvidenceCorruptError):
        cache.read(digest)


@pytest.mark.parametrize("where", [0, 5, HEADER_BYTES + 3, HEADER_BYTES + 20,
                                   HEADER_BYTES + RECORD + 100, -1, -20])
def test_a_flipped_byte_anywhere_is_caught(cache: EvidenceCache, where: int) -> None:
    digest = store(cache, noise(3 * CHUNK + 10))
    raw = bytearray(committed(cache, digest).read_bytes())
    raw[where] ^= 0x40
    committed(cache, digest).write_bytes(bytes(raw))
    assert_corrupt(cache, digest)


@pytest.mark.parametrize("cut", [1, 10, 10 + OVERHEAD, 10 + OVERHEAD + 1, 10 + OVERHEAD + 500])
def test_a_truncated_file_is_caught(cache: EvidenceCache, cut: int) -> None:
    digest = store(cache, noise(3 * CHUNK + 10))  # the final record is 10 + OVERHEAD bytes
    path = committed(cache, digest)
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size - cut)
    assert_corrupt(cache, digest)
    with pytest.raises(EvidenceCorruptError):
        cache.size(digest)


def test_an_emptied_file_is_caught(cache: EvidenceCache) -> None:
    digest = store(cache, b"some evidence")
    committed(cache, digest).write_bytes(b"")
    assert_corrupt(cache, digest)


def test_a_file_cut_back_to_whole_chunks_is_caught(cache: EvidenceCache) -> None:
    digest = store(cache, noise(3 * CHUNK))
    path = committed(cache, digest)
    with path.open("r+b") as handle:  # drop the final chunk exactly
        handle.truncate(HEADER_BYTES + 2 * RECORD)
    assert_corrupt(cache, digest)


def test_swapped_chunks_are_caught(cache: EvidenceCache) -> None:
    digest = store(cache, noise(3 * CHUNK + 10))
    raw = committed(cache, digest).read_bytes()
    first = raw[HEADER_BYTES:HEADER_BYTES + RECORD]
    second = raw[HEADER_BYTES + RECORD:HEADER_BYTES + 2 * RECORD]
    committed(cache, digest).write_bytes(raw[:HEADER_BYTES] + second + first
                                         + raw[HEADER_BYTES + 2 * RECORD:])
    assert_corrupt(cache, digest)


def test_another_files_content_under_this_name_is_caught(cache: EvidenceCache) -> None:
    mine = store(cache, noise(CHUNK + 1, seed=1))
    theirs = store(cache, noise(CHUNK + 1, seed=2))
    shutil.copy(committed(cache, theirs), committed(cache, mine))
    assert_corrupt(cache, mine)


def test_a_partial_moved_into_place_is_not_taken_for_a_finished_file(
        cache: EvidenceCache) -> None:
    data = noise(2 * CHUNK)
    shutil.copy(partial_of(cache, data, 2 * CHUNK), committed(cache, sha(data)))
    assert_corrupt(cache, sha(data))


def test_a_file_read_with_another_key_is_reported_not_returned(tmp_path: Path,
                                                               key: bytes) -> None:
    digest = store(EvidenceCache(tmp_path / "c", key), noise(CHUNK))
    other = EvidenceCache(tmp_path / "c", new_key())
    assert other.has(digest)
    with pytest.raises(EvidenceCorruptError, match="another key"):
        other.read(digest)
    with pytest.raises(EvidenceCorruptError):
        other.size(digest)


def test_a_middle_chunk_damaged_after_opening_fails_that_read(cache: EvidenceCache) -> None:
    data = noise(4 * CHUNK)
    digest = store(cache, data)
    with cache.open(digest) as reader:
        assert reader.read(10) == data[:10]
        with committed(cache, digest).open("r+b") as handle:
            handle.seek(HEADER_BYTES + 2 * RECORD + 50)
            handle.write(b"\0\0\0\0")
        reader.seek(CHUNK)
        assert reader.read(CHUNK) == data[CHUNK:2 * CHUNK]
        with pytest.raises(EvidenceCorruptError):
            reader.read(CHUNK)


# -- the seekable reader -------------------------------------------------------------------


def test_reads_at_random_offsets_match_the_plaintext(cache: EvidenceCache) -> None:
    data = noise(7 * CHUNK + 12_345)
    digest = store(cache, data)
    rng = random.Random(42)
    with cache.open(digest) as reader:
        assert reader.seekable() and reader.readable()
        assert reader.size == len(data)
        for _ in range(300):
            start = rng.randrange(len(data) + 10)
            length = rng.choice([1, 17, CHUNK - 1, CHUNK, 2 * CHUNK + 3, 10 * CHUNK])
            assert reader.seek(start) == start
            assert reader.read(length) == data[start:start + length]
            assert reader.tell() == min(start + length, max(start, len(data)))


def test_the_reader_behaves_like_a_file(cache: EvidenceCache) -> None:
    data = noise(3 * CHUNK + 7)
    digest = store(cache, data)
    with cache.open(digest) as reader:
        assert reader.seek(-7, io.SEEK_END) == len(data) - 7
        assert reader.read() == data[-7:]
        assert reader.read(5) == b""
        reader.seek(10)
        reader.seek(CHUNK, io.SEEK_CUR)
        target = bytearray(100)
        assert reader.readinto(target) == 100
        assert bytes(target) == data[CHUNK + 10:CHUNK + 110]
        with pytest.raises(ValueError, match="negative"):
            reader.seek(-1)
    assert reader.closed
    with pytest.raises(ValueError):
        reader.read(1)
    with io.BufferedReader(cache.open(digest), buffer_size=8192) as buffered:
        buffered.seek(CHUNK - 3)
        assert buffered.read(6) == data[CHUNK - 3:CHUNK + 3]
        assert buffered.read() == data[CHUNK + 3:]


def test_an_empty_file_reads_as_empty(cache: EvidenceCache) -> None:
    digest = store(cache, b"")
    with cache.open(digest) as reader:
        assert reader.size == 0
        assert reader.read(10) == b""
        reader.seek(100)
        assert reader.read() == b""


# -- nothing plaintext on disk -------------------------------------------------------------


def recognisable_evidence(marker: bytes) -> bytes:
    page = (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nBT /F1 12 Tf (Learner "
            b"reflection: " + marker + b" risk assessment of the scaffold) Tj ET\n")
    pattern = b"SCAFFOLD-INSPECTION-CHECKLIST-" * 40
    return (page + pattern) * 400  # ~500 KiB, a marker in every chunk


def test_no_plaintext_reaches_the_disk_committed_or_partial(cache: EvidenceCache) -> None:
    marker = f"MARKER-{uuid.uuid4().hex}".encode()
    data = recognisable_evidence(marker)
    digest = store(cache, data)
    half = recognisable_evidence(marker + b"-partial")
    partial_of(cache, half, len(half) // 2 + 11)
    assert cache.read(digest) == data  # the cache does hold it
    on_disk = files_under(cache.root)
    assert {p.parent.name for p in on_disk} == {"objects", "partial"}
    needles = [marker, b"%PDF-1.7", b"SCAFFOLD-INSPECTION", b"risk assessment"]
    for path in on_disk:
        raw = path.read_bytes()
        for needle in needles:
            assert needle not in raw, f"{needle!r} found in {path}"
    # nothing but the digest in the names
    assert {p.name for p in on_disk} == {digest, sha(half)}


def test_a_writer_in_progress_leaves_only_a_digest_named_lock(cache: EvidenceCache) -> None:
    data = noise(100)
    with cache.begin(sha(data), 100) as writer:
        writer.write(data[:50])
        names = {p.relative_to(cache.root).as_posix() for p in files_under(cache.root)}
        assert names == {f"partial/{sha(data)}", f"locks/{sha(data)}.lock"}
    assert not (cache.root / "locks" / f"{sha(data)}.lock").exists()


# -- one writer per digest -----------------------------------------------------------------


def test_a_second_writer_for_the_same_digest_is_refused(cache: EvidenceCache) -> None:
    data = noise(CHUNK * 2)
    first = cache.begin(sha(data), len(data))
    first.write(data[:1000])
    with pytest.raises(EvidenceBusyError, match="already being downloaded"):
        cache.begin(sha(data), len(data))
    with pytest.raises(EvidenceBusyError):
        cache.discard_partial(sha(data))
    other = noise(10, seed=9)
    store(cache, other)  # other digests are not held up
    first.write(data[1000:])
    first.commit()
    assert cache.read(sha(data)) == data
    with cache.begin(sha(data), len(data)) as again:
        assert again.offset == 0


def test_threads_racing_for_one_digest_never_corrupt_it(cache: EvidenceCache) -> None:
    data = noise(6 * CHUNK + 1)
    digest = sha(data)
    results: list[str] = []
    start = threading.Barrier(8)

    def download() -> None:
        start.wait()
        try:
            with cache.begin(digest, len(data)) as writer:
                writer.write(data[writer.offset:])
                writer.commit()
            results.append("stored")
        except EvidenceBusyError:
            results.append("busy")

    threads = [threading.Thread(target=download) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 8 and "stored" in results
    assert cache.read(digest) == data


def test_a_writer_in_another_process_holds_the_digest(tmp_path: Path, key: bytes) -> None:
    digest = sha(b"evidence")
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from assessor.evidence import EvidenceCache
        writer = EvidenceCache(Path({str(tmp_path / "c")!r}), bytes.fromhex(sys.argv[1]))\\
            .begin({digest!r}, 8)
        writer.write(b"evid")
        print("holding", flush=True)
        sys.stdin.readline()
        writer.close()
    """)
    cache = EvidenceCache(tmp_path / "c", key)
    with subprocess.Popen([sys.executable, "-c", script, key.hex()], cwd=ROOT,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdin is not None and child.stdout is not None
        try:
            assert child.stdout.readline().strip() == "holding"
            with pytest.raises(EvidenceBusyError):
                cache.begin(digest, 8)
            child.stdin.write("done\n")
            child.stdin.flush()
            assert child.wait(timeout=10) == 0
        finally:
            if child.poll() is None:
                child.kill()
    with cache.begin(digest, 8) as writer:
        assert writer.offset == 4
        writer.write(b"ence")
        writer.commit()
    assert cache.read(digest) == b"evidence"


# -- the key in the keychain ---------------------------------------------------------------


@pytest.fixture
def secrets() -> Iterator[KeychainSecrets]:
    keychain = KeychainSecrets(service=f"assessor-test-{uuid.uuid4()}")
    yield keychain
    keychain.delete(KEY_NAME)


def test_the_cache_key_is_made_once_and_kept_in_the_keychain(
        secrets: KeychainSecrets, tmp_path: Path) -> None:
    assert secrets.get(KEY_NAME) is None
    first = load_cache_key(secrets)
    assert len(first) == 32
    assert base64.b64decode(secrets.get(KEY_NAME) or "") == first
    assert load_cache_key(secrets) == first  # reused, not replaced
    # and it works: a file stored with it reads back with the key loaded again
    digest = store(EvidenceCache(tmp_path / "c", first), b"with the keychain key")
    assert EvidenceCache(tmp_path / "c", load_cache_key(secrets)).read(digest) == \
        b"with the keychain key"
    # the key is not on disk
    for path in files_under(tmp_path):
        assert first not in path.read_bytes()


@pytest.mark.parametrize("stored", ["not base64 at all!", base64.b64encode(b"short").decode()])
def test_a_damaged_keychain_entry_is_reported_and_left_alone(secrets: KeychainSecrets,
                                                            stored: str) -> None:
    secrets.put(KEY_NAME, stored)
    with pytest.raises(KeychainError, match="evidence cache key in the OS keychain is damaged"):
        load_cache_key(secrets)
    assert secrets.get(KEY_NAME) == stored


def test_no_usable_keychain_means_no_cache_key_and_a_clear_message(
        secrets: KeychainSecrets) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(KeychainError, match="without its cache key.*No usable OS keychain"):
            load_cache_key(secrets)
    finally:
        keyring.set_keyring(previous)
    assert secrets.get(KEY_NAME) is None


def test_a_key_of_the_wrong_length_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        EvidenceCache(tmp_path, b"too short")


@pytest.mark.parametrize("chunk_size", [0, 1023, 17 * 1024 * 1024])
def test_a_chunk_size_out_of_range_is_refused(tmp_path: Path, key: bytes,
                                              chunk_size: int) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        EvidenceCache(tmp_path, key, chunk_size=chunk_size)


def test_files_written_with_another_chunk_size_still_read_and_resume(tmp_path: Path,
                                                                     key: bytes) -> None:
    data = noise(10_000)
    small = EvidenceCache(tmp_path / "c", key, chunk_size=1024)
    digest = store(small, data)
    with small.begin(sha(noise(5000, seed=2)), 5000) as writer:
        writer.write(noise(5000, seed=2)[:3333])
    default = EvidenceCache(tmp_path / "c", key)
    assert default.read(digest) == data
    with default.begin(sha(noise(5000, seed=2)), 5000) as writer:
        assert writer.offset == 3333
        writer.write(noise(5000, seed=2)[3333:])
        writer.commit()
    assert default.read(sha(noise(5000, seed=2))) == noise(5000, seed=2)


@pytest.mark.parametrize("size", [-1, 1.5, True])
def test_an_announced_size_that_is_not_a_byte_count_is_refused(cache: EvidenceCache,
                                                               size: object) -> None:
    with pytest.raises(ValueError, match="expected_size"):
        cache.begin(sha(b""), size)  # type: ignore[arg-type]


def test_a_cache_folder_that_cannot_be_made_says_so(tmp_path: Path, key: bytes) -> None:
    (tmp_path / "taken").write_text("a file where the cache folder should be")
    with pytest.raises(EvidenceError, match="cannot be created or used"):
        EvidenceCache(tmp_path / "taken", key)
    assert (tmp_path / "taken").read_text() == "a file where the cache folder should be"


def test_a_committed_name_that_is_not_a_file_is_reported(cache: EvidenceCache) -> None:
    digest = sha(b"a folder")
    (cache.root / "objects" / digest).mkdir()
    with pytest.raises(EvidenceError, match="cannot be read"):
        cache.read(digest)


# -- memory --------------------------------------------------------------------------------

MEMORY_SCRIPT = """
import hashlib, sys
from pathlib import Path
from assessor.evidence import EvidenceCache
from assessor.evidence.cache_format import new_key

def peak_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

size = int(sys.argv[2]) * 1024 * 1024
block = bytes(range(256)) * 4096  # 1 MiB, varied per block below

def blocks():
    for i in range(size // len(block)):
        yield i.to_bytes(8, "big") + block[8:]

digest = hashlib.sha256()
for b in blocks():
    digest.update(b)
digest = digest.hexdigest()
cache = EvidenceCache(Path(sys.argv[1]), new_key())
before = peak_kib()
with cache.begin(digest, size) as writer:
    for b in blocks():
        writer.write(b)
    writer.commit()
check = hashlib.sha256()
with cache.open(digest) as reader:
    while chunk := reader.read(1024 * 1024):
        check.update(chunk)
assert check.hexdigest() == digest
print(peak_kib() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_memory_stays_bounded_for_a_large_file(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(tmp_path / "c"), "200"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr
    growth_mib = int(result.stdout) / 1024
    assert growth_mib < 100, f"peak RSS grew by {growth_mib:.0f} MiB for a 200 MiB file"
    assert os.path.getsize(tmp_path / "c" / "objects" / os.listdir(tmp_path / "c" / "objects")[0]) \
        > 200 * 1024 * 1024
