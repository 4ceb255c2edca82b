"""The core's exception tree.

``UserFacingError`` carries a message written for the person at the keyboard: the UI shows
it in a message box and the CLI prints it on one line. ``Cancelled`` is silent. Anything
else is a bug.
"""


class AssessorError(Exception):
    """Root of every error the core raises on purpose."""


class UserFacingError(AssessorError):
    """Something the user can understand and act on; ``str(exc)`` is the whole message."""


class Cancelled(AssessorError):
    """The user stopped an operation; nothing to report."""


class ValidationError(UserFacingError):
    """Data that breaks a rule of the domain (a rubric without levels, a bad digest...)."""


class WorkflowError(UserFacingError):
    """A transition the workflow refuses: wrong state, wrong role, or a missing judgment."""


class StoreError(UserFacingError):
    """The local store cannot be opened or used as it is; the file is left untouched."""


class NotFoundError(UserFacingError):
    """A submission, rubric or template that the store does not hold."""
