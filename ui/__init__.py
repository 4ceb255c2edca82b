"""The PySide6 views of the workstation: thin, over the core in ``assessor``."""
