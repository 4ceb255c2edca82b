"""What can go wrong talking to a hub, each with a message for the person at the keyboard.

None of these carries a token, a password or evidence bytes.
"""

from __future__ import annotations

from typing import Any

from assessor.errors import UserFacingError


class SyncError(UserFacingError):
    """Sync could not finish; what was already stored stays stored."""


class HubUnreachable(SyncError):
    """No answer, a timeout or a server error: worth retrying later (with backoff)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        """Seconds the hub asked us to wait (``Retry-After`` on 429/503), if it said."""


class SignInRequired(SyncError):
    """No token, or the hub no longer accepts it: the user must sign in again."""


class HubProtocolError(SyncError):
    """The hub answered something that is not what the sync protocol says (garbage JSON,
    wrong lengths, a foreign redirect): nothing from that answer was applied."""


class HubRefused(SyncError):
    """The hub understood and said no (4xx other than 401/409)."""

    def __init__(self, message: str, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class StaleRevision(SyncError):
    """409: the submission moved on at the hub since the change was made."""

    def __init__(self, message: str, hub_copy: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.hub_copy = hub_copy
