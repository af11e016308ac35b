"""rowdb: a versioned SQL database in Python, Git for tables."""

__version__ = "0.1.0"
