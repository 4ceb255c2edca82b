"""Assessor: the headless core of the assessor's workstation.

Nothing under this package imports Qt; the desktop views live in ``ui/``.
"""

APP_ID = "org.assessor.Workstation"
APP_NAME = "Assessor"
__version__ = "0.1.0"
