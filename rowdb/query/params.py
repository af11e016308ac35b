"""Bind parameters: the Python values of `%s` / `%(name)s` placeholders as SQL values and types.

Where: query layer, used by the session: `adapt` checks and converts a statement's
parameters, `param_type` gives the SQL type a plan is made for (plans are cached per Python
type of the parameters), and `batch_example` checks executemany's rows column-wise for its
one-plan path.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from operator import itemgetter

from rowdb.errors import InvalidParameterValueError
from rowdb.storage.interval import Interval
from rowdb.query.types import (BOOL, BYTEA, DATE, FLOAT8, INT8, INTERVAL, NUMERIC, TIME,
                               TIMESTAMP, TIMESTAMPTZ, UNKNOWN, UUID, SqlType)


def adapt(params):
    """Parameter values as rowdb holds them: ints beyond bigint become numeric; types with
    no SQL meaning are refused (as psycopg does)."""
    if not params:
        return params
    kinds = set(map(type, params))
    if kinds <= _PLAIN and (int not in kinds or all(
            -2**63 <= v < 2**63 for v in params if type(v) is int)):
        return params
    out = []
    for value in params:
        kind = type(value)
        if kind is int and not -2**63 <= value < 2**63:
            value = Decimal(value)
        elif isinstance(value, datetime.timedelta):
            value = Interval.from_timedelta(value)  # as psycopg sends one
        elif kind in (list, tuple):
            value = _intervals_in(value)
        elif kind not in _ADAPTABLE and not isinstance(value, _ADAPTABLE):
            raise InvalidParameterValueError(f"cannot adapt type '{kind.__name__}'",
                                             hint="pass None, bool, int, float, Decimal, "
                                                  "str, bytes, date/time, UUID or a list")
        out.append(value)
    return out


def batch_example(param_rows: list):
    """For executemany's one-plan path: (a parameter set with, per column, the one Python
    type every row's non-null values have; the columns as lists; their type sets), checked
    column-wise in C; None when the rows differ in length or types, or hold a value `_adapt`
    would change or refuse (ints beyond bigint, types without SQL meaning): those rows run
    one by one. The plan reuses the columns and type sets to encode the rows."""
    width = len(param_rows[0])
    if set(map(len, param_rows)) != {width}:
        return None
    example, columns, kinds_of = [], [], []
    for index in range(width):
        column = list(map(itemgetter(index), param_rows))  # zip(*rows) is 4x slower
        kinds = set(map(type, column))
        columns.append(column)
        kinds_of.append(frozenset(kinds))
        nulls = type(None) in kinds
        kinds.discard(type(None))
        if len(kinds) > 1 or not kinds <= _PLAIN:
            return None
        if not kinds:
            example.append(None)
            continue
        values = list(filter(_not_none, column)) if nulls else column
        if int in kinds and not (-2**63 <= min(values) and max(values) < 2**63):
            return None
        example.append(values[0])
    return example, columns, kinds_of


def _not_none(value) -> bool:
    return value is not None


def param_type(value) -> SqlType:
    kind = type(value)
    if kind is bool:
        return BOOL
    if kind is int:  # plans are cached per Python type, so not per magnitude
        return INT8 if -2**63 <= value < 2**63 else NUMERIC
    return _PARAM_TYPES.get(kind, UNKNOWN) if kind is not datetime.datetime else \
        (TIMESTAMPTZ if value.tzinfo is not None else TIMESTAMP)


def _intervals_in(values):
    """A list parameter with its timedeltas as Intervals."""
    if any(isinstance(v, (datetime.timedelta, list, tuple)) for v in values):
        return type(values)(Interval.from_timedelta(v) if isinstance(v, datetime.timedelta)
                            else _intervals_in(v) if isinstance(v, (list, tuple)) else v
                            for v in values)
    return values


_PLAIN = frozenset({type(None), bool, int, float, Decimal, str, bytes, datetime.date,
                    datetime.datetime, datetime.time, Interval, uuid.UUID})
_ADAPTABLE = (type(None), bool, int, float, Decimal, str, bytes, bytearray, memoryview,
              datetime.date, datetime.time, datetime.timedelta, uuid.UUID, list, tuple)
_PARAM_TYPES = {float: FLOAT8, Decimal: NUMERIC, str: UNKNOWN, bytes: BYTEA,
                datetime.date: DATE, datetime.time: TIME, datetime.timedelta: INTERVAL,
                Interval: INTERVAL, uuid.UUID: UUID, type(None): UNKNOWN}
