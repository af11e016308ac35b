"""Connection factories for the engines the runners know: sqlite, postgres, rowdb.

Where: test support; used by the command lines of sqllogictest.py and sqlfile.py and by
tests/test_slt_runner.py. `open_engine(name)` yields `new_database()`, which makes an empty
database and returns `connect()`, a factory of autocommit DB-API connections to it. The
runners call `new_database()` once per test file, so files never share tables.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Callable, Iterator

ENGINES = ("sqlite", "postgres", "rowdb")
LABELS = {"sqlite": "sqlite", "postgres": "postgresql", "rowdb": "postgresql"}  # skipif/onlyif


class EngineUnavailable(Exception):
    """The engine cannot run here (missing binaries, rowdb.connect not written yet...)."""


def sqlite_connect(path: str = ":memory:") -> sqlite3.Connection:
    """stdlib sqlite3 in autocommit mode: BEGIN/COMMIT in a test file mean what they say."""
    return sqlite3.connect(path, isolation_level=None)


SQLITE_CODES = {  # sqlite3 error names and messages -> the SQLSTATE PostgreSQL would give
    "SQLITE_CONSTRAINT_UNIQUE": "23505", "SQLITE_CONSTRAINT_PRIMARYKEY": "23505",
    "SQLITE_CONSTRAINT_NOTNULL": "23502", "SQLITE_CONSTRAINT_CHECK": "23514",
    "SQLITE_CONSTRAINT_FOREIGNKEY": "23503",
    "no such table": "42P01", "already exists": "42P07", "no such column": "42703",
    "syntax error": "42601", "no such function": "42883",
}


def sqlite_sqlstate(exc: BaseException) -> str | None:
    """A best guess at PostgreSQL's SQLSTATE for a sqlite3 error, so that the portable
    part of a test file can run on sqlite too; None when there is no good guess."""
    if not isinstance(exc, sqlite3.Error):
        return None
    name = getattr(exc, "sqlite_errorname", "")
    if name in SQLITE_CODES:
        return SQLITE_CODES[name]
    text = str(exc)
    return next((code for key, code in SQLITE_CODES.items() if key in text), None)


def rowdb_available() -> str | None:
    """None when `rowdb.connect` exists, else the reason it cannot be used."""
    try:
        import rowdb
    except ImportError as exc:
        return f"cannot import rowdb: {exc}"
    if not callable(getattr(rowdb, "connect", None)):
        return "rowdb.connect does not exist yet (SQL engine not built)"
    return None


def rowdb_connect(path: str | Path):
    """`rowdb.connect(path)`, switched to autocommit where the connection allows it."""
    reason = rowdb_available()
    if reason:
        raise EngineUnavailable(reason)
    import rowdb

    conn = rowdb.connect(str(path))
    with contextlib.suppress(AttributeError, TypeError):
        conn.autocommit = True
    return conn


@contextlib.contextmanager
def open_engine(name: str) -> Iterator[Callable[[], Callable[[], object]]]:
    """Yield `new_database()` for the engine; clean up everything it made afterwards."""
    if name == "sqlite":
        def new_database():
            return sqlite_connect  # every :memory: connection is a fresh database
        yield new_database
    elif name == "postgres":
        from slt import pg

        try:
            cluster = pg.start_cluster()
        except pg.PgUnavailable as exc:
            raise EngineUnavailable(str(exc)) from None
        try:
            yield cluster.new_database
        finally:
            cluster.stop()
    elif name == "rowdb":
        reason = rowdb_available()
        if reason:
            raise EngineUnavailable(reason)
        root = Path(tempfile.mkdtemp(prefix="rowdb-slt-"))
        try:
            def new_database():
                folder = Path(tempfile.mkdtemp(dir=root))
                return lambda: rowdb_connect(folder)
            yield new_database
        finally:
            shutil.rmtree(root, ignore_errors=True)
    else:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
