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
    from ui.app import run

    return run(args)
