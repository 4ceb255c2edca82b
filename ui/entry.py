"""Entry point shared by ``python main.py`` and the ``assessor`` console script.

No sub-command opens the desktop app; ``--self-test`` checks the installation
(``ui/self_test.py``); anything else goes to the headless CLI. Qt is
imported only on the GUI path, so ``--help``, ``--version`` and the sub-commands start fast
and run on machines without a display. The GUI path does not build the CLI's parser (it
imports every sub-command's module): ``gui_options`` reads the few options the app takes,
and hands anything else to ``assessor.cli``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = gui_options(argv)
    if args is None:
        from assessor import cli

        args = cli.parse(argv)
        if args.command is not None:
            return cli.run(args)
    if args.self_test:
        return self_test(args)
    load_core_before_qt()
    from ui.app import run

    return run(args)


def gui_options(argv: Sequence[str] | None = None) -> argparse.Namespace | None:
    """The app's options when ``argv`` holds only those (``--data-dir DIR``, ``--verbose``,
    ``--self-test``); ``None`` for anything else (a sub-command, ``--help``, a typo), which
    the CLI's own parser then reads and explains."""
    import sys

    words = list(sys.argv[1:] if argv is None else argv)
    data_dir: str | None = None
    verbose = self_test = False
    while words:
        word = words.pop(0)
        if word == "--verbose":
            verbose = True
        elif word == "--self-test":
            self_test = True
        elif word == "--data-dir" and words and not words[0].startswith("-"):
            data_dir = words.pop(0)
        elif word.startswith("--data-dir=") and len(word) > len("--data-dir="):
            data_dir = word.partition("=")[2]
        else:
            return None
    return argparse.Namespace(data_dir=data_dir, verbose=verbose, self_test=self_test,
                              command=None)


def self_test(args: argparse.Namespace) -> int:
    """``--self-test``: always on a throw-away data directory, never the user's."""
    import sys

    if args.data_dir:
        print("assessor: --self-test always uses a throw-away data directory; leave out "
              "--data-dir", file=sys.stderr)
        return 2
    from ui.self_test import run

    return run()


def load_core_before_qt() -> None:
    """Import the Qt-free modules the first screen needs before PySide6.

    Once PySide6 is loaded its import hook reads the source of every later module (to look
    for ``__feature__`` switches); loading these first keeps that off the start-up path.
    Only what the first screen needs: the rest of the core loads after the first paint.
    """
    import assessor.logs  # noqa: F401
    import assessor.workstation  # noqa: F401
