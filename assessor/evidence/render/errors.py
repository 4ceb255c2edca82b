"""What can go wrong while showing evidence, in one line the assessor understands.

Every error is a ``UserFacingError``: ``str(exc)`` is the whole message, never a traceback,
a path or a password. The worker processes send errors back by class name (``ERRORS``).
"""

from __future__ import annotations

from assessor.errors import UserFacingError


class RenderError(UserFacingError):
    """Root of the rendering errors."""


class UnsupportedEvidence(RenderError):
    """A kind of file this viewer cannot show (or not through this call)."""


class PasswordRequired(RenderError):
    """The document is encrypted: ask the user for its password."""


class WrongPassword(PasswordRequired):
    """The password given does not open the document."""


class BrokenEvidence(RenderError):
    """Truncated, damaged or unreadable; or it crashed the renderer."""


class RenderTimeout(RenderError):
    """Drawing took longer than the deadline; the worker was stopped."""


class EvidenceTooLarge(RenderError):
    """Beyond a dimension, pixel, memory or decompression cap."""


ERRORS: dict[str, type[RenderError]] = {
    cls.__name__: cls
    for cls in (RenderError, UnsupportedEvidence, PasswordRequired, WrongPassword,
                BrokenEvidence, RenderTimeout, EvidenceTooLarge)
}
