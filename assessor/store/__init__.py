"""The local store: a SQLite file in the data directory, reached through SQLAlchemy.

``database`` checks and opens the file, ``migrations`` keeps its schema current,
``records`` maps the tables, ``store`` offers the operations, and ``queue`` is the fast,
read-only path behind the submission queue.
"""
