"""Casts between SQL types with PostgreSQL's semantics, and storing values into columns.

Where: query layer. The binder resolves a conversion once with `cast_function(source, target)`
(or `assignment_cast_function` for INSERT/UPDATE targets) and the executor calls the result
per row; `cast` and `assignment_cast` do both steps for one value. Which casts exist comes
from types.cast_context (pg_cast); text in and out goes through textio.py.

A cast converts the base type, then applies the target's modifiers: varchar(n) and char(n)
truncate when explicit and otherwise reject a value longer than n unless the excess is
spaces; char(n) pads; numeric(p,s) rounds half away from zero and rejects overflow;
time(p)/timestamp(p) round the fraction.

>>> from rowdb.query.types import FLOAT8, INT4, TEXT, parse_type_name
>>> cast(2.5, FLOAT8, INT4), cast("abcdef", TEXT, parse_type_name("varchar(3)"))
(2, 'abc')
"""

from __future__ import annotations

import math
from datetime import datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Callable

from rowdb.errors import (CannotCoerceError, DatatypeMismatchError, NotSupportedError,
                          NumericValueOutOfRangeError, StringDataRightTruncationError)
from rowdb.query import datetimes, zones
from rowdb.query.arith import INT_CHECKS, numeric_round, to_float4
from rowdb.query.textio import (format_numeric, input_function, output_function, parse_float,
                                parse_numeric)
from rowdb.storage.interval import Interval
from rowdb.query.types import STRING_NAMES, SqlType, assignment_castable, cast_context

UTC = timezone.utc
Converter = Callable[[object], object]

_INT_NAMES = ("int2", "int4", "int8")
_INT_DISPLAY = {"int2": "smallint", "int4": "integer", "int8": "bigint"}


def cast(value, source: SqlType, target: SqlType, explicit: bool = True):
    """CAST(value AS target) for a value of type source; explicit=False is assignment context.

    An explicit cast may use every conversion PostgreSQL has; explicit=False allows only
    implicit and assignment casts and makes length modifiers reject instead of truncate.
    """
    return cast_function(source, target, explicit)(value)


@lru_cache(maxsize=4096)
def cast_function(source: SqlType, target: SqlType, explicit: bool = True) -> Converter:
    """The per-row converter for source -> target; raises CannotCoerceError if none exists."""
    context = cast_context(source, target)
    allowed = context is not None if explicit else context in ("i", "a")
    if not allowed:
        raise CannotCoerceError(f"cannot cast type {source.base_name} to {target.base_name}")
    if source == target:
        return _identity
    convert = _converter(source.name, target.name)
    if not target.has_modifiers:
        return _null_safe(convert)

    def convert_and_adjust(value):
        if value is None:
            return None
        return apply_modifiers(convert(value), target, explicit)
    return convert_and_adjust


def assignment_cast(value, source: SqlType, target: SqlType, column: str = "?column?"):
    """What INSERT/UPDATE stores for value into a column of type target."""
    return assignment_cast_function(source, target, column)(value)


def assignment_cast_function(source: SqlType, target: SqlType,
                             column: str = "?column?") -> Converter:
    """The per-row converter into a column; raises DatatypeMismatchError if none exists."""
    if not assignment_castable(source, target):
        raise DatatypeMismatchError(
            f'column "{column}" is of type {target.base_name}'
            f" but expression is of type {source.base_name}",
            hint="You will need to rewrite or cast the expression.")
    return cast_function(source, target, False)


def _identity(value):
    return value


def _null_safe(convert: Converter) -> Converter:
    if convert is _identity:
        return convert
    return lambda value: None if value is None else convert(value)


# Base conversions -----------------------------------------------------------------------

def _converter(source: str, target: str) -> Converter:
    if source == target:
        return _identity
    if source == "unknown" or (source in STRING_NAMES and target not in STRING_NAMES):
        return input_function(target)
    if source in STRING_NAMES:
        return _rtrim if source == "bpchar" and target != "bpchar" else _identity
    if target in STRING_NAMES:
        return _bool_to_text if source == "bool" else output_function(source)
    if source in _NUMBER_NAMES and target in _NUMBER_NAMES:
        return _number_converter(source, target)
    convert = _OTHER_CONVERTERS.get((source, target))
    assert convert is not None, f"cast_context allows {source} -> {target} but no converter"
    return convert


def _rtrim(value: str) -> str:
    """char(n) -> text/varchar: trailing spaces are padding and go."""
    return value.rstrip(" ")


def _bool_to_text(value: bool) -> str:
    return "true" if value else "false"


_NUMBER_NAMES = frozenset({"int2", "int4", "int8", "numeric", "float4", "float8"})


def _number_converter(source: str, target: str) -> Converter:
    if source in _INT_NAMES:
        if target in _INT_NAMES:
            return INT_CHECKS[target]
        if target == "numeric":
            return Decimal
        if target == "float8":
            return float
        return lambda value: to_float4(float(value))
    if source == "numeric":
        if target in _INT_NAMES:
            return _numeric_to_int(target)
        return lambda value: parse_float(format_numeric(value), target)
    if target in _INT_NAMES:
        return _float_to_int(target)
    if target == "numeric":
        return _float8_to_numeric if source == "float8" else _float4_to_numeric
    return to_float4 if target == "float4" else _identity


def _float_to_int(target: str) -> Converter:
    """float -> int rounds half to even (rint); NaN and infinities are out of range."""
    check = INT_CHECKS[target]

    def convert(value: float) -> int:
        if math.isnan(value) or math.isinf(value):
            raise NumericValueOutOfRangeError(f"{_INT_DISPLAY[target]} out of range")
        return check(round(value))
    return convert


def _numeric_to_int(target: str) -> Converter:
    """numeric -> int rounds half away from zero; NaN and infinities cannot convert."""
    check = INT_CHECKS[target]

    def convert(value: Decimal) -> int:
        if value.is_nan():
            raise NotSupportedError(f"cannot convert NaN to {_INT_DISPLAY[target]}")
        if value.is_infinite():
            raise NotSupportedError(f"cannot convert infinity to {_INT_DISPLAY[target]}")
        return check(int(value.to_integral_value(rounding=ROUND_HALF_UP)))
    return convert


def _float_to_numeric(value: float, digits: int) -> Decimal:
    """float -> numeric keeps DBL_DIG (15) or FLT_DIG (6) significant digits, as PostgreSQL."""
    if math.isnan(value):
        return Decimal("NaN")
    if math.isinf(value):
        return Decimal("Infinity") if value > 0 else Decimal("-Infinity")
    return parse_numeric(f"{value:.{digits}g}")


def _float8_to_numeric(value: float) -> Decimal:
    return _float_to_numeric(value, 15)


def _float4_to_numeric(value: float) -> Decimal:
    return _float_to_numeric(value, 6)


def _time_to_interval(value: time) -> Interval:
    return Interval(0, 0, ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000
                    + value.microsecond)


def _interval_to_time(value: Interval) -> time:
    """The time part of an interval, wrapped into a day (months and days are dropped)."""
    return datetimes.time_from_microseconds(value.micros % datetimes.DAY_MICROSECONDS)


_OTHER_CONVERTERS: dict[tuple[str, str], Converter] = {
    ("bool", "int4"): int,
    ("int4", "bool"): lambda value: value != 0,
    ("date", "timestamp"): lambda value: datetime.combine(value, time()),
    ("date", "timestamptz"): lambda value: zones.from_local(datetime.combine(value, time())),
    ("timestamp", "date"): lambda value: value.date(),
    ("timestamp", "time"): lambda value: value.time(),
    ("timestamp", "timestamptz"): zones.from_local,
    ("timestamptz", "date"): lambda value: zones.to_local(value).date(),
    ("timestamptz", "time"): lambda value: zones.to_local(value).time(),
    ("timestamptz", "timestamp"): zones.to_local,
    ("time", "interval"): _time_to_interval,
    ("interval", "time"): _interval_to_time,
}


# Modifiers ------------------------------------------------------------------------------

def apply_modifiers(value, target: SqlType, explicit: bool):
    """Fit a value of target's base type to target's modifiers (length, precision, scale)."""
    if value is None:
        return None
    if target.length is not None:
        return _fit_length(value, target, explicit)
    if target.precision is None:
        return value
    if target.name == "numeric":
        return fit_numeric(value, target.precision, target.scale)
    if target.name == "time":
        return datetimes.round_time(value, target.precision)
    return datetimes.round_timestamp(value, target.precision)


def _fit_length(value: str, target: SqlType, explicit: bool) -> str:
    length = target.length
    if len(value) > length:
        if not explicit and value[length:].strip(" "):
            raise StringDataRightTruncationError(f"value too long for type {target}")
        value = value[:length]
    if target.name == "bpchar" and len(value) < length:
        value = value.ljust(length)
    return value


def fit_numeric(value: Decimal, precision: int, scale: int) -> Decimal:
    """numeric(p,s): round to s digits, then at most p - s digits may precede the point."""
    if value.is_nan():
        return value
    if value.is_infinite():
        raise NumericValueOutOfRangeError(
            "numeric field overflow",
            detail=f"A field with precision {precision}, scale {scale}"
                   " cannot hold an infinite value.")
    rounded = numeric_round(value, scale)
    integer_digits_max = precision - scale
    if rounded != 0 and rounded.adjusted() + 1 > integer_digits_max:
        bound = f"10^{integer_digits_max}" if integer_digits_max else "1"
        raise NumericValueOutOfRangeError(
            "numeric field overflow",
            detail=f"A field with precision {precision}, scale {scale}"
                   f" must round to an absolute value less than {bound}.")
    return rounded
