"""The demo organisation: a hub seeded with credential templates, people and submissions
whose evidence files are generated (deterministically) at first start.

``python main.py hub demo`` serves it (``run.py``); the desktop starts it in-process with
``run.start_demo_hub``. ``organisation.py`` says what the organisation holds,
``evidence.py`` makes the files and ``seed.py`` writes both into a hub.
"""
