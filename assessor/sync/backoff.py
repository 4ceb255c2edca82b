"""How long to wait before trying the hub again after a sync failed for want of a hub.

Exponential backoff with jitter: after the n-th failure in a row the wait is drawn from
``[ceiling * (1 - jitter), ceiling]`` where ``ceiling = min(cap, base * factor ** (n-1))``,
so many laptops that lost the same hub do not all come back at the same second. A success
resets it. The UI's background sync timer asks ``next_delay()`` after each
``HubUnreachable`` (passing its ``retry_after`` when the hub said how long to wait) and
calls ``reset()`` after a sync that worked.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable

DEFAULT_BASE = 5.0
DEFAULT_CAP = 15 * 60.0
_MAX_EXPONENT = 64  # base * factor ** 64 is past any cap; stops float overflow


class Backoff:
    """Delays in seconds, growing with each failure in a row."""

    def __init__(self, *, base: float = DEFAULT_BASE, cap: float = DEFAULT_CAP,
                 factor: float = 2.0, jitter: float = 0.5,
                 random: Callable[[], float] = _random.random) -> None:
        """``random`` returns a number in [0, 1) (inject a fixed one in tests)."""
        if not base > 0 or not cap >= base or not factor >= 1 or not 0 <= jitter <= 1:
            raise ValueError("backoff needs base > 0, cap >= base, factor >= 1 and "
                             "0 <= jitter <= 1")
        self.base = base
        self.cap = cap
        self.factor = factor
        self.jitter = jitter
        self._random = random
        self.failures = 0
        """Failures in a row since the last success."""

    def ceiling(self) -> float:
        """The longest the next delay can be."""
        exponent = min(self.failures, _MAX_EXPONENT)
        return float(min(self.cap, self.base * self.factor ** exponent))

    def next_delay(self, at_least: float | None = None) -> float:
        """Count one more failure and return how long to wait before the next try.

        ``at_least`` is the hub's own ``Retry-After``: honoured, but never past ``cap``.
        """
        ceiling = self.ceiling()
        self.failures += 1
        draw = min(max(self._random(), 0.0), 1.0)
        delay = ceiling * (1.0 - self.jitter * draw)
        if at_least is not None and at_least > delay:
            delay = min(at_least, self.cap)
        return delay

    def reset(self) -> None:
        """The hub answered: start again from ``base`` next time."""
        self.failures = 0
