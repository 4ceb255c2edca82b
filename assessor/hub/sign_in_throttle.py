"""Slowing down password guessing: after too many failed sign-ins for one user name within
a window, further attempts for that name are refused (429, with ``Retry-After``) until the
oldest failure leaves the window. A successful sign-in clears the name's failures.

Counted per user name, not per address: behind a reverse proxy every request comes from the
proxy. Counted in each hub process's memory: a hub run with several worker processes allows
that many times the attempts, and a restart forgets them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from assessor.hub.errors import HubError

MAX_TRACKED_NAMES = 100_000
"""Names with recent failures kept at most (the oldest are forgotten first)."""


class SignInThrottle:
    def __init__(self, attempts: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str) -> str:
        return username.strip().casefold()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def check(self, username: str) -> None:
        """Raise a 429 ``HubError`` while ``username`` has used up its attempts."""
        if self.attempts <= 0:
            return
        with self._lock:
            now = self._clock()
            failures = self._recent(self._key(username), now)
            if len(failures) < self.attempts:
                return
            wait = max(1, math.ceil(self.window - (now - failures[0])))
        minutes = max(1, math.ceil(wait / 60))
        raise HubError(429, "too_many_attempts",
                       f"Too many failed sign-ins for this user name: try again in about "
                       f"{minutes} minute{'s' if minutes != 1 else ''}, or ask the "
                       "administrator for a new password or an enrolment code.",
                       {"retry_after": wait})

    def failed(self, username: str) -> None:
        with self._lock:
            key = self._key(username)
            failures = self._recent(key, self._clock())
            failures.append(self._clock())
            self._failures[key] = failures
            if len(self._failures) > MAX_TRACKED_NAMES:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(self._key(username), None)
