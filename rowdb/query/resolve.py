"""Type resolution: the common type of UNION/CASE/COALESCE arms, the result type of operators.

Where: query layer; the binder calls `common_type` for UNION, INTERSECT, EXCEPT, CASE,
COALESCE, GREATEST/LEAST and VALUES columns, and `binary_result_type` for + - * / % ||.
Both follow PostgreSQL 15 (select_common_type and the pg_operator entries among rowdb's
types); an untyped literal (`unknown`) takes the type of the other side.

>>> from rowdb.query.types import INT4, INT8, NUMERIC, UNKNOWN
>>> str(common_type([INT4, UNKNOWN, INT8], "UNION")), str(binary_result_type("/", INT4, NUMERIC))
('bigint', 'numeric')
"""

from __future__ import annotations

from rowdb.errors import (CannotCoerceError, DatatypeMismatchError, ProgrammingError,
                          UndefinedFunctionError)
from rowdb.query.types import (BASE_TYPES, BYTEA, STRING_NAMES, TEXT, SqlType,
                               implicit_castable)


class AmbiguousFunctionError(ProgrammingError, sqlstate="42725"):
    """ambiguous_function (also operators; belongs in rowdb/errors.py)."""


def common_type(types: list[SqlType], context: str = "CASE") -> SqlType:
    """PostgreSQL's select_common_type: the type all arms convert to, or an error.

    `context` names the construct in messages ("UNION", "CASE", "COALESCE", "VALUES"). Pass
    the arms in PostgreSQL's order: for CASE that is the ELSE arm first, then each THEN.
    Modifiers survive only when every arm has the same type and modifiers.
    """
    assert types, "a construct has at least one arm"
    typed = [t for t in types if t.name != "unknown"]
    if not typed:
        return TEXT
    if all(t == typed[0] for t in types):
        return typed[0]
    candidate = typed[0]
    for other in typed[1:]:
        if other.name == candidate.name:
            continue
        if other.category != candidate.category:
            raise DatatypeMismatchError(
                f"{context} types {candidate.base_name} and {other.base_name} cannot be matched")
        if (not candidate.preferred and implicit_castable(candidate, other)
                and not implicit_castable(other, candidate)):
            candidate = other
    result = candidate.without_modifiers()
    for arm in types:
        if not implicit_castable(arm, result):
            label = "CASE/WHEN" if context == "CASE" else context
            raise CannotCoerceError(
                f"{label} could not convert type {arm.base_name} to {result.base_name}")
    return result


# Operators ------------------------------------------------------------------------------

_NUMERIC_RANK = {"int2": 0, "int4": 1, "int8": 2, "numeric": 3}
_FLOATS = frozenset({"float4", "float8"})
_NUMBERS = frozenset(_NUMERIC_RANK) | _FLOATS


def _datetime_operators() -> dict[tuple[str, str, str], str]:
    """pg_operator rows for + - * / among the date/time types (PostgreSQL 15)."""
    table = {}
    for small_int in ("int2", "int4"):
        table["+", "date", small_int] = table["+", small_int, "date"] = "date"
        table["-", "date", small_int] = "date"
    for zone_type in ("timestamp", "timestamptz"):
        for first, second in ((zone_type, "interval"), ("interval", zone_type),
                              (zone_type, "time"), ("time", zone_type)):
            table["+", first, second] = zone_type
        table["-", zone_type, "interval"] = table["-", zone_type, "time"] = zone_type
        for other in ("date", "timestamp", "timestamptz"):
            table["-", zone_type, other] = table["-", other, zone_type] = "interval"
    for first, second in (("date", "time"), ("time", "date"), ("date", "interval"),
                          ("interval", "date")):
        table["+", first, second] = "timestamp"
    table["-", "date", "time"] = table["-", "date", "interval"] = "timestamp"
    table["-", "date", "date"] = "int4"
    table["+", "time", "interval"] = table["+", "interval", "time"] = "time"
    table["-", "time", "interval"] = "time"
    table["-", "time", "time"] = table["-", "interval", "time"] = "interval"
    table["+", "interval", "interval"] = table["-", "interval", "interval"] = "interval"
    for number in _NUMBERS:
        for span in ("interval", "time"):        # time * n goes through time -> interval
            table["*", span, number] = table["*", number, span] = "interval"
            table["/", span, number] = "interval"
    return table


_DATETIME_OPERATORS = _datetime_operators()
_AMBIGUOUS = {("+", "time", "time"), ("+", "date", "unknown"), ("+", "unknown", "date")}


def _lookup(op: str, left: str, right: str) -> str | None:
    if left in _NUMBERS and right in _NUMBERS:
        if op == "%" and (left in _FLOATS or right in _FLOATS):
            return None
        if left == right:
            return left
        if left in _FLOATS or right in _FLOATS:
            return "float8"
        return max(left, right, key=_NUMERIC_RANK.__getitem__)
    return _DATETIME_OPERATORS.get((op, left, right))


def binary_result_type(op: str, left: SqlType, right: SqlType) -> SqlType:
    """The result type of `left op right` for + - * / % ||, or PostgreSQL's error.

    Integer results are not range-checked here: the executor checks them with
    arith.check_int2/4/8 for the type returned.
    """
    if op == "||":
        return _concat_type(left, right)
    names = (left.name, right.name)
    if names == ("unknown", "unknown") or (op, *names) in _AMBIGUOUS:
        raise AmbiguousFunctionError(
            f"operator is not unique: {left.base_name} {op} {right.base_name}",
            hint="Could not choose a best candidate operator. "
                 "You might need to add explicit type casts.")
    result = _lookup(op, *names)
    if result is None and "unknown" in names:
        result = _resolve_unknown(op, *names)
    if result is None:
        raise UndefinedFunctionError(
            f"operator does not exist: {left.base_name} {op} {right.base_name}",
            hint="No operator matches the given name and argument types. "
                 "You might need to add explicit type casts.")
    return BASE_TYPES[result]


def _resolve_unknown(op: str, left: str, right: str) -> str | None:
    """An untyped literal is first taken as the other side's type, then as interval/float8."""
    known = right if left == "unknown" else left
    for guess in (known, "interval", "float8"):
        pair = (guess, right) if left == "unknown" else (left, guess)
        result = _lookup(op, *pair)
        if result is not None:
            return result
    return None


def _concat_type(left: SqlType, right: SqlType) -> SqlType:
    """|| is bytea || bytea, or text || anything (one side a string or an untyped literal)."""
    names = {left.name, right.name}
    if names <= {"bytea", "unknown"} and "bytea" in names:
        return BYTEA
    if names & STRING_NAMES or "unknown" in names:
        return TEXT
    raise UndefinedFunctionError(
        f"operator does not exist: {left.base_name} || {right.base_name}",
        hint="No operator matches the given name and argument types. "
             "You might need to add explicit type casts.")
