"""The Python DB-API 2.0 (PEP 249) interface: `rowdb.connect(path, branch="main")`.

Where: top of the stack for embedded use; a thin layer over `Session`. Like psycopg,
connections start a transaction implicitly on the first statement unless `autocommit` is
set, parameters use the `%s` / `%(name)s` styles, and every error carries `.sqlstate`.
Interval values come back as datetime.timedelta, folded as psycopg loads them (a year is
365 days, a month 30); timedelta parameters are read as psycopg sends them.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator, Sequence

from rowdb import errors
from rowdb.errors import (DataError, InterfaceError, ProgrammingError, RowdbError,
                          client_error)
from rowdb.query import zones
from rowdb.query.parse import TransactionControl
from rowdb import procedures  # noqa: F401 - registers rowdb_commit and the other functions
from rowdb.session import Result, Session
from rowdb.storage.interval import Interval

apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections
paramstyle = "pyformat"  # %s and %(name)s, as psycopg


class Connection:
    """A PEP 249 connection to the repository in `path`, working on `branch`."""

    Error = errors.RowdbError
    Warning = errors.Warning
    InterfaceError = errors.InterfaceError
    DatabaseError = errors.DatabaseError
    DataError = errors.DataError
    OperationalError = errors.OperationalError
    IntegrityError = errors.IntegrityError
    InternalError = errors.InternalError
    ProgrammingError = errors.ProgrammingError
    NotSupportedError = errors.NotSupportedError

    def __init__(self, path: str | os.PathLike, branch: str = "main",
                 autocommit: bool = False):
        self.session = Session(os.fspath(path), branch)
        self.autocommit = autocommit
        self.closed = False

    def cursor(self) -> "Cursor":
        self._check_open()
        return Cursor(self)

    def execute(self, sql: str, params=None) -> "Cursor":
        """Shortcut (as psycopg 3): a new cursor that has run `sql`."""
        cursor = self.cursor()
        cursor.execute(sql, params)
        return cursor

    def commit(self) -> None:
        self._check_open()
        if self.session.in_transaction:
            self.session.commit()

    def rollback(self) -> None:
        self._check_open()
        self.session.rollback()

    def close(self) -> None:
        if not self.closed:
            self.session.rollback()
            self.session.close()
            self.closed = True

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.closed:
            return
        if kind is None:
            self.commit()
        else:
            self.rollback()
        self.close()

    def _check_open(self) -> None:
        if self.closed:
            raise client_error(errors.OperationalError, "the connection is closed")

    @property
    def autocommit(self) -> bool:
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        if getattr(self, "session", None) is not None and self.session.in_transaction:
            raise ProgrammingError("can't change 'autocommit' now: connection in transaction "
                                   "status INTRANS")
        self._autocommit = bool(value)

    def _run(self, sql: str, params) -> list[Result]:
        self._check_open()
        session = self.session
        try:
            statements, values = session.prepare(sql, params)
        except RowdbError:
            session.fail()  # a syntax error fails an open transaction too (25P02 after)
            raise
        if params is not None and len(statements) == 1 and not isinstance(params, dict) \
                and statements[0].placeholders < len(values):
            raise client_error(
                ProgrammingError, f"the query has {statements[0].placeholders} placeholders "
                f"but {len(values)} parameters were passed")
        if not self.autocommit and not session.in_transaction and any(
                _opens_transaction(s) for s in statements):
            session.begin()
        return [session.execute_statement(s, values) for s in statements]


# id(a plan's result columns) -> (those columns, their description): a repeated query
# reuses its description (the plan keeps the same columns list).
_described: dict[int, tuple[list, list]] = {}


def _description(name: str, sql_type) -> tuple:
    """One PEP 249 description entry as psycopg builds it from RowDescription: internal_size
    is the type's fixed length (None for variable-length types), display_size the n of
    varchar(n)/char(n), precision and scale numeric's (p, s) or the seconds digits of time(p)
    and timestamp(p)."""
    typlen = sql_type.typlen
    internal_size = typlen if typlen >= 0 else None
    display_size = precision = scale = None
    if sql_type.length is not None:
        display_size = sql_type.length
    elif sql_type.precision is not None:
        precision = sql_type.precision
        if sql_type.name == "numeric":
            scale = sql_type.scale
    return (name, sql_type.oid, display_size, internal_size, precision, scale, None)


def _with_timedeltas(row: tuple, indexes: list[int]) -> tuple:
    row = list(row)
    for index in indexes:
        row[index] = _timedelta(row[index])
    return tuple(row)


def _timedelta(value):
    """An Interval (or a list of them, from array_agg) as psycopg returns it."""
    if isinstance(value, Interval):
        try:
            return value.to_timedelta()
        except OverflowError as error:
            raise client_error(DataError, f"can't parse interval '{value}': {error}") \
                from None
    if isinstance(value, list):
        return [_timedelta(v) for v in value]
    return value


def _in_zone(row: tuple, indexes: list[int], zone) -> tuple:
    """timestamptz values in the connection's time zone, as psycopg returns them."""
    row = list(row)
    for index in indexes:
        row[index] = _moment_in(row[index], zone)
    return tuple(row)


def _moment_in(value, zone):
    if isinstance(value, datetime.datetime):
        try:
            return value.astimezone(zone)
        except OverflowError:
            return value
    if isinstance(value, list):
        return [_moment_in(v, zone) for v in value]
    return value


def _opens_transaction(statement) -> bool:
    """Whether a statement starts the implicit transaction of a non-autocommit connection:
    everything but BEGIN / COMMIT / ROLLBACK (savepoints need the transaction)."""
    tree = statement.tree
    return not isinstance(tree, TransactionControl) or tree.action in (
        "savepoint", "release", "rollback_to")


class Cursor:
    """A PEP 249 cursor: execute, executemany, fetch*, description, rowcount."""

    arraysize = 1

    def __init__(self, connection: Connection):
        self.connection = connection
        self.description: list[tuple] | None = None
        self.rowcount = -1
        self.statusmessage: str | None = None
        self._rows: list[tuple] = []
        self._position = 0
        self._pending: list[Result] = []
        self.closed = False

    def execute(self, sql: str, params=None) -> "Cursor":
        """Run `sql` (one statement or several separated by `;`). With several, the cursor
        shows the first one's result and `nextset()` moves on, as in psycopg 3."""
        self._check_open()
        self._pending = []
        results = self.connection._run(sql, params) or [Result()]
        self._show(results[0])
        self._pending = results[1:]
        return self

    def nextset(self) -> bool | None:
        """Move to the next statement's result: True if there is one, None if not."""
        self._check_open()
        if not self._pending:
            return None
        self._show(self._pending.pop(0))
        return True

    def executemany(self, sql: str, seq_of_params: Sequence) -> "Cursor":
        """Run `sql` once per parameter set; parsed and planned once."""
        self._check_open()
        connection = self.connection
        session = connection.session
        rows = list(seq_of_params)
        self._pending = []
        if rows and not connection.autocommit and not session.in_transaction:
            session.begin()
        total, tag = session.execute_many(sql, rows)
        self._show(Result(tag=tag))
        self.rowcount = total
        return self

    def _show(self, result: Result) -> None:
        self.statusmessage = result.tag
        self.rowcount = result.rowcount
        self._rows = result.rows
        self._position = 0
        intervals = [i for i, (_, sql_type) in enumerate(result.columns or ())
                     if sql_type.name == "interval"]
        if intervals and self._rows:
            self._rows = [_with_timedeltas(row, intervals) for row in self._rows]
        zone = zones.python_zone(self.connection.session.settings.zone_name)
        moments = [i for i, (_, sql_type) in enumerate(result.columns or ())
                   if sql_type.name == "timestamptz"]
        if moments and self._rows and zone is not zones.UTC:
            self._rows = [_in_zone(row, moments, zone) for row in self._rows]
        columns = result.columns
        if columns:
            cached = _described.get(id(columns))
            if cached is None or cached[0] is not columns:
                if len(_described) > 512:
                    _described.clear()
                cached = _described[id(columns)] = (
                    columns, [_description(name, sql_type) for name, sql_type in columns])
            self.description = list(cached[1])
        else:
            self.description = None

    def fetchone(self):
        self._check_result()
        if self._position >= len(self._rows):
            return None
        row = self._rows[self._position]
        self._position += 1
        return row

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        self._check_result()
        size = size or self.arraysize  # 0 means arraysize too, as psycopg
        rows = self._rows[self._position:self._position + size]
        self._position += len(rows)
        return rows

    def fetchall(self) -> list[tuple]:
        self._check_result()
        rows = self._rows[self._position:]
        self._position = len(self._rows)
        return rows

    def __iter__(self) -> Iterator[tuple]:
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def setinputsizes(self, sizes) -> None:
        pass

    def setoutputsize(self, size, column=None) -> None:
        pass

    def _check_open(self) -> None:
        if self.closed:
            raise client_error(InterfaceError, "the cursor is closed")
        self.connection._check_open()

    def _check_result(self) -> None:
        self._check_open()
        if self.description is None:
            raise client_error(ProgrammingError, "the last operation didn't produce a result")


def connect(path: str | os.PathLike = ".", branch: str = "main",
            autocommit: bool = False) -> Connection:
    """Open the repository in folder `path` (created if missing) on `branch`."""
    return Connection(path, branch, autocommit)


# PEP 249 type objects and constructors.
Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime
Binary = bytes
STRING, BINARY, NUMBER, DATETIME, ROWID = "STRING", "BINARY", "NUMBER", "DATETIME", "ROWID"
