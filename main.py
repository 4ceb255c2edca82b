"""Assessor: the desktop app by default, headless sub-commands otherwise.

    python main.py                 open the workstation
    python main.py --help          list the sub-commands
"""

import sys

from ui.entry import main

if __name__ == "__main__":
    sys.exit(main())
