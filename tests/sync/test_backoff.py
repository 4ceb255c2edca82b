"""Retry delays after the hub could not be reached: exponential, capped, jittered, reset."""

from __future__ import annotations

import random

import pytest

from assessor.sync.backoff import Backoff


def fixed(value: float):
    return lambda: value


def test_without_jitter_delays_double_from_the_base_up_to_the_cap() -> None:
    backoff = Backoff(base=5, cap=900, random=fixed(0.0))
    delays = [backoff.next_delay() for _ in range(12)]
    assert delays[:8] == [5, 10, 20, 40, 80, 160, 320, 640]
    assert delays[8:] == [900, 900, 900, 900]
    assert backoff.failures == 12


def test_jitter_stays_within_its_bounds_and_varies() -> None:
    source = random.Random(1234)
    backoff = Backoff(base=5, cap=900, jitter=0.5, random=source.random)
    seen: list[float] = []
    for failure in range(40):
        ceiling = min(900, 5 * 2 ** failure)
        delay = backoff.next_delay()
        assert ceiling * 0.5 <= delay <= ceiling, (failure, delay)
        seen.append(delay)
    capped = seen[10:]
    assert len(set(capped)) == len(capped)  # not all laptops retry at the same second
    assert max(seen) <= 900


def test_the_largest_draw_gives_the_shortest_delay_and_never_below_the_floor() -> None:
    backoff = Backoff(base=5, cap=900, jitter=0.5, random=fixed(0.999999))
    assert backoff.next_delay() == pytest.approx(2.5, abs=1e-4)
    odd = Backoff(base=5, cap=900, jitter=0.5, random=fixed(7.0))  # a broken source
    assert odd.next_delay() == 2.5


def test_reset_after_a_success_starts_from_the_base_again() -> None:
    backoff = Backoff(base=5, cap=900, random=fixed(0.0))
    for _ in range(6):
        backoff.next_delay()
    assert backoff.next_delay() == 320
    backoff.reset()
    assert backoff.failures == 0
    assert [backoff.next_delay() for _ in range(3)] == [5, 10, 20]


def test_the_hubs_retry_after_is_honoured_up_to_the_cap() -> None:
    backoff = Backoff(base=5, cap=900, random=fixed(0.0))
    assert backoff.next_delay(at_least=60) == 60
    assert backoff.next_delay(at_least=3) == 10  # shorter than ours: ours stands
    assert backoff.next_delay(at_least=86_400) == 900


def test_a_very_long_outage_does_not_overflow() -> None:
    backoff = Backoff(base=5, cap=900, random=fixed(0.0))
    for _ in range(5000):
        delay = backoff.next_delay()
    assert delay == 900


@pytest.mark.parametrize("kwargs", [{"base": 0}, {"base": 10, "cap": 5}, {"factor": 0.5},
                                    {"jitter": 1.5}, {"jitter": -0.1}])
def test_nonsense_settings_are_refused(kwargs) -> None:
    with pytest.raises(ValueError, match="backoff needs"):
        Backoff(**kwargs)
