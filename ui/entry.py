"""Entry point shared by ``python main.py`` and the ``assessor`` console script.

No sub-command opens the desktop app; anything else goes to the headless CLI. Qt is
imported only on the GUI path, so ``--help``, ``--version`` and the sub-commands start fast
and run on machines without a display.
"""

from __future__ import annotations

from collections.abc import Sequence

from assessor import cli


def main(argv: Sequence[str] | None = None) -> int:
    args = cli.parse(argv)
    if args.command is not None:
        return cli.run(args)
    load_core_before_qt()
    from ui.app import run

    return run(args)


def load_core_before_qt() -> None:
    """Import the workstation's Qt-free core before PySide6.

    Once PySide6 is loaded its import hook reads the source of every later module (to look
    for ``__feature__`` switches); loading the core first keeps that off the start-up path.
    """
    import assessor.workstation  # noqa: F401
