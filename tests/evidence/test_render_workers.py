"""The worker processes: deadlines, crashes, kills, memory caps, many threads at once."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from assessor.evidence.render import (
    BrokenEvidence,
    EvidenceTooLarge,
    RenderService,
    RenderTimeout,
)
from tests.evidence import render_samples as samples
from tests.evidence.pixels import non_white


@pytest.fixture
def quick_service() -> Iterator[RenderService]:
    """A pool of two with a one-second deadline."""
    service = RenderService(workers=2, timeout=1.0)
    service.start()
    yield service
    service.close()


def _wait_for_workers(service: RenderService, count: int) -> list[int]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pids = service._worker_pids()
        if len(pids) >= count:
            return pids
        time.sleep(0.02)
    raise AssertionError("the workers did not start")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_hung_worker_is_killed_at_the_deadline_and_replaced(quick_service: RenderService
                                                              ) -> None:
    pids = _wait_for_workers(quick_service, 2)
    started = time.monotonic()
    with pytest.raises(RenderTimeout, match="took longer than 1 s to finish; stopped"):
        quick_service._test_hook("sleep", 30)
    assert time.monotonic() - started < 2.5
    with quick_service.open_document(samples.text_pdf(1)) as document:
        assert non_white(document.render_page(0, scale=1.0)) > 1000
    replaced = _wait_for_workers(quick_service, 2)
    assert len(set(pids) - set(replaced)) == 1  # exactly one was killed
    killed = (set(pids) - set(replaced)).pop()
    assert _gone(killed)


def test_a_page_that_takes_forever_to_draw_times_out(quick_service: RenderService) -> None:
    with quick_service.open_document(samples.heavy_vector_pdf(), name="plan.pdf") as plan:
        started = time.monotonic()
        with pytest.raises(RenderTimeout) as timeout:
            plan.render_page(0, scale=1.0)
        assert str(timeout.value) == "Page 1 took longer than 1 s to draw; skipped."
        assert time.monotonic() - started < 2.5
        # the rest of the document still works (the page's words need no drawing)
        assert plan.page_words(0) == ()
    with quick_service.open_document(samples.text_pdf(2)) as document:
        assert non_white(document.render_page(1, scale=1.0)) > 1000


def test_a_crashing_worker_gives_a_clear_error_and_a_fresh_worker(
        quick_service: RenderService) -> None:
    with pytest.raises(BrokenEvidence, match=r"The renderer crashed while .* \(SIGSEGV\); "
                                             "the file may be damaged"):
        quick_service._test_hook("crash")
    with quick_service.open_document(samples.text_pdf(1)) as document:
        assert non_white(document.render_page(0, scale=1.0)) > 1000


def test_a_worker_killed_from_outside_is_replaced(quick_service: RenderService) -> None:
    document = quick_service.open_document(samples.text_pdf(2))
    pids = _wait_for_workers(quick_service, 2)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.01)
    # both workers are gone: the next requests go to new ones, which reopen the document
    assert non_white(document.render_page(1, scale=1.0)) > 1000
    assert document.page_text(0).startswith("Page 1")
    assert not set(pids) & set(quick_service._worker_pids())
    document.close()


def test_running_out_of_memory_is_evidence_too_large(render_service: RenderService) -> None:
    with pytest.raises(EvidenceTooLarge, match=r"needs more memory than the viewer allows "
                                               r"\(1,536 MB\)"):
        render_service._test_hook("allocate", 4096)
    with render_service.open_document(samples.text_pdf(1)) as document:
        assert non_white(document.render_page(0, scale=1.0)) > 1000


def test_a_page_that_needs_too_much_memory_is_evidence_too_large() -> None:
    with RenderService(workers=1, timeout=20.0, memory_limit=400 * 2**20) as service:
        with service.open_document(samples.image_bomb_pdf(), name="bomb.pdf") as bomb, \
                pytest.raises(EvidenceTooLarge, match="Page 1 needs more memory to draw "
                                                      "than the viewer allows"):
            bomb.render_page(0, scale=10.0)  # full resolution: 432 MB decoded
        with service.open_document(samples.text_pdf(1)) as document:
            assert non_white(document.render_page(0, scale=1.0)) > 1000


def test_four_threads_at_once(render_service: RenderService) -> None:
    pdf = samples.text_pdf(6)
    photo = samples.image_bytes(samples.two_tone(400, 200), "JPEG")
    errors: list[BaseException] = []
    results: list[tuple[str, int]] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        try:
            if index % 2:
                with render_service.open_image(photo) as picture:
                    for _ in range(5):
                        image = picture.render(max_width=200, max_height=200)
                        assert (image.width, image.height) == (200, 100)
                        with lock:
                            results.append(("image", index))
            else:
                with render_service.open_document(pdf) as document:
                    for page in range(6):
                        image = document.render_page(page, scale=0.5)
                        assert non_white(image) > 100
                        assert document.page_text(page).startswith(f"Page {page + 1}")
                        with lock:
                            results.append(("page", page))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 2 * 5 + 2 * 6


def test_one_document_shared_by_threads_reopens_on_each_worker(render_service: RenderService
                                                               ) -> None:
    with render_service.open_document(samples.text_pdf(8, image=False)) as document:
        pages: list[str] = []
        threads = [threading.Thread(target=lambda n=n: pages.append(document.page_text(n)))
                   for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(p.split("\n")[0] for p in pages) == sorted(f"Page {n + 1}"
                                                                 for n in range(8))


def test_closing_the_service_while_a_page_draws() -> None:
    service = RenderService(workers=1, timeout=20.0)
    failures: list[BaseException] = []

    def draw() -> None:
        try:
            service._test_hook("sleep", 10)
        except BaseException as exc:  # checked below
            failures.append(exc)

    service.start()
    _wait_for_workers(service, 1)
    thread = threading.Thread(target=draw)
    thread.start()
    time.sleep(0.3)
    service.close()
    thread.join(timeout=10)
    assert [str(f) for f in failures] == ["The evidence viewer's renderer has been shut down."]


def test_closing_the_service_stops_its_workers() -> None:
    service = RenderService(workers=1, timeout=5.0)
    service.start()
    pids = _wait_for_workers(service, 1)
    service.close()
    service.close()
    assert all(_gone(p) for p in pids)
    with pytest.raises(Exception, match="shut down"):
        service.open_document(samples.text_pdf(1))


def test_a_long_temporary_directory_still_gets_working_renderers(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forkserver's socket would not fit under a long TMPDIR (a Unix socket path holds
    at most 107 bytes): the service starts its workers another way and draws."""
    import tempfile

    from assessor.evidence.render.pool import default_start_method

    deep = tmp_path / ("long-temporary-directory-" * 4)
    deep.mkdir()
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    assert default_start_method() == "spawn"
    service = RenderService(workers=1)
    try:
        with service.open_document(samples.text_pdf(1)) as document:
            assert non_white(document.render_page(0, scale=0.5)) > 100
    finally:
        service.close()
