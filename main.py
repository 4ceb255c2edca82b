"""Assessor: the desktop app by default, headless sub-commands otherwise.

    python main.py                 open the workstation
    python main.py --help          list the sub-commands
"""

import sys

from ui.entry import main

if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        # A frozen bundle starts its render workers by running this executable again.
        import multiprocessing

        multiprocessing.freeze_support()
    sys.exit(main())
