"""Helpers that compiled expressions call at run time: NULL-aware operators and predicates.

Where: query layer; compile.py puts these names into the namespace of every generated
function. Each takes already-evaluated arguments; None is SQL NULL. The common operators
(+, -, *, comparisons, AND/OR) are inlined by the compiler instead, since a call costs more
than the operation.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from rowdb.errors import (CardinalityViolationError, DivisionByZeroError,
                          InvalidParameterValueError, InvalidTextRepresentationError,
                          NumericValueOutOfRangeError)
from rowdb.query import arith
from rowdb.query.types import cast, format_value


def idiv(a, b):
    if a is None or b is None:
        return None
    return arith.int_div(a, b)


def imod(a, b):
    if a is None or b is None:
        return None
    return arith.int_mod(a, b)


def fdiv(a, b):
    if a is None or b is None:
        return None
    return arith.float_div(float(a), float(b))


def float4(value):
    """A float8 result rounded to real (float4), NULL kept."""
    return None if value is None else arith.to_float4(value)


def ndiv(a, b):
    if a is None or b is None:
        return None
    return arith.numeric_div(Decimal(a), Decimal(b))


def nmod(a, b):
    if a is None or b is None:
        return None
    return arith.numeric_mod(Decimal(a), Decimal(b))


def fmod(a, b):
    if a is None or b is None:
        return None
    if b == 0:
        raise DivisionByZeroError("division by zero")
    return math.fmod(a, b)


def power(a, b):
    if a is None or b is None:
        return None
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        a, b = Decimal(a), Decimal(b)
        if a == 0 and b < 0:
            raise DivisionByZeroError("zero raised to a negative power is undefined")
        return a ** b
    a, b = float(a), float(b)
    if a == 0 and b < 0:
        raise DivisionByZeroError("zero raised to a negative power is undefined")
    if a < 0 and b != int(b):
        raise InvalidParameterValueError(
            "a negative number raised to a non-integer power yields a complex result")
    try:
        return a ** b
    except OverflowError:
        raise NumericValueOutOfRangeError("value out of range: overflow") from None


def check4(v):
    if v is not None and not -2147483648 <= v <= 2147483647:
        raise NumericValueOutOfRangeError("integer out of range")
    return v


def check8(v):
    if v is not None and not -9223372036854775808 <= v <= 9223372036854775807:
        raise NumericValueOutOfRangeError("bigint out of range")
    return v


def check2(v):
    if v is not None and not -32768 <= v <= 32767:
        raise NumericValueOutOfRangeError("smallint out of range")
    return v


def checkf(v):
    if v is not None and v != v - 0 and v == v:  # inf: PostgreSQL reports overflow
        raise NumericValueOutOfRangeError("value out of range: overflow")
    return v


def and3(a, b):
    """SQL AND over already evaluated operands."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def or3(a, b):
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def in_list(value, items: tuple):
    """value IN (items...): True, False, or NULL when no match and a NULL is involved."""
    if value is None:
        return None
    found_null = False
    for item in items:
        if item is None:
            found_null = True
        elif item == value:
            return True
    return None if found_null else False


def in_set(value, values: frozenset, has_null: bool):
    if value is None:
        return None
    if value in values:
        return True
    return None if has_null else False


def scalar(plan, outer) -> object:
    """A scalar subquery's value: its one row's one column, NULL for no row."""
    rows = plan.rows(outer, limit=2)
    if not rows:
        return None
    if len(rows) > 1:
        raise CardinalityViolationError("more than one row returned by a subquery used as "
                                        "an expression")
    return rows[0][0]


def scalar_row(plan, outer, width: int) -> tuple:
    """The one row of a subquery giving several columns (SET (a, b) = (SELECT ...)): all
    NULL for no row."""
    rows = plan.rows(outer, limit=2)
    if not rows:
        return (None,) * width
    if len(rows) > 1:
        raise CardinalityViolationError("more than one row returned by a subquery used as "
                                        "an expression")
    return rows[0]


def exists(plan, outer) -> bool:
    return bool(plan.rows(outer, limit=1))


def in_subquery(value, plan, outer):
    if value is None:
        return None if plan.rows(outer, limit=1) else False
    found_null = False
    for row in plan.rows(outer):
        item = row[0]
        if item is None:
            found_null = True
        elif item == value:
            return True
    return None if found_null else False


# float comparisons with PostgreSQL's NaN: equal to itself and above every other value.
def float_eq(a, b):
    return a == b or (a != a and b != b)


def float_ne(a, b):
    return a != b and (a == a or b == b)


def float_lt(a, b):
    return a < b or (b != b and a == a)


def float_le(a, b):
    return a <= b or b != b


def float_gt(a, b):
    return a > b or (a != a and b == b)


def float_ge(a, b):
    return a >= b or a != a


_NUMERIC_NAN = Decimal("NaN")


def canonical_nan(value):
    """NaN as one object per type (`math.nan`, a Decimal NaN): Python sets and dicts find
    NaN by identity, so NaNs group together, as in PostgreSQL."""
    if value != value:
        return math.nan if type(value) is float else _NUMERIC_NAN
    return value


def in_rows(values: tuple, plan, outer):
    """(a, b) IN (SELECT x, y ...): True on an equal row; NULL if no row is equal but a
    comparison met a NULL; False otherwise."""
    found_null = False
    for row in plan.rows(outer):
        equal = True
        for a, b in zip(values, row):
            if a is None or b is None:
                equal = None
            elif a != b:
                equal = False
                break
        if equal:
            return True
        if equal is None:
            found_null = True
    return None if found_null else False


_like_cache: dict[tuple[str, str | None, bool], re.Pattern] = {}


def like_pattern(pattern: str, escape: str | None = "\\", ignore_case: bool = False):
    key = (pattern, escape, ignore_case)
    found = _like_cache.get(key)
    if found is None:
        out, i = [], 0
        while i < len(pattern):
            ch = pattern[i]
            if escape and ch == escape:
                i += 1
                if i < len(pattern):
                    out.append(re.escape(pattern[i]))
                else:
                    raise InvalidParameterValueError(
                        "LIKE pattern must not end with escape character")
            elif ch == "%":
                out.append(".*")
            elif ch == "_":
                out.append(".")
            else:
                out.append(re.escape(ch))
            i += 1
        flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
        found = _like_cache[key] = re.compile("".join(out) + r"\Z", flags)
    return found


def like(value, pattern, ignore_case=False, escape="\\"):
    if value is None or pattern is None:
        return None
    return like_pattern(pattern, escape, ignore_case).match(value) is not None


def greatest(*values):
    """GREATEST: NULLs skipped; a NaN is greater than every number, as in PostgreSQL."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    nans = [v for v in present if v != v]
    return nans[0] if nans else max(present)


def least(*values):
    present = [v for v in values if v is not None]
    numbers = [v for v in present if v == v]
    return min(numbers) if numbers else present[0] if present else None


def coalesce(*values):
    for v in values:
        if v is not None:
            return v
    return None


def nullif(a, b):
    if a is not None and b is not None and a == b:
        return None
    return a


def concat_op(a, b):
    """text || text: NULL if either side is NULL."""
    if a is None or b is None:
        return None
    return a + b


def distinct_from(a, b) -> bool:
    return a != b if (a is None) == (b is None) else True


_OPERATORS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
              "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def quantified(value, items: list, op: str, kind: str):
    """value op ALL(items) / value op ANY(items), with SQL's NULL rules."""
    compare = _OPERATORS[op]
    unknown = False
    for item in items:
        if value is None or item is None:
            unknown = True
            continue
        result = compare(value, item)
        if kind == "any" and result:
            return True
        if kind == "all" and not result:
            return False
    if unknown:
        return None
    return kind == "all"


def cast_value(value, source, target):
    """CAST(value AS target); arrays (lists, from array_agg) print as PostgreSQL arrays."""
    if type(value) is list:
        if target.category != "S":
            raise NotImplementedError("arrays convert only to text")
        return "{" + ",".join(_array_item(v, source) for v in value) + "}"
    return cast(value, source, target)


def _array_item(value, element_type) -> str:
    if value is None:
        return "NULL"
    text = format_value(value, element_type) if element_type.name != "unknown" else str(value)
    if text == "" or any(c in text for c in ' ,{}"\\') or text.upper() == "NULL":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def parse_array_text(text: str) -> list:
    """A one-dimensional array literal ('{1,2,"a b",NULL}') as its element texts (None for
    NULL); 22P02 when malformed."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise InvalidTextRepresentationError(f'malformed array literal: "{text}"',
                                             detail='Array value must start with "{" or '
                                                    'dimension information.')
    items: list = []
    i, body = 0, body[1:-1]
    while i < len(body):
        while i < len(body) and body[i].isspace():
            i += 1
        if i < len(body) and body[i] == '"':
            out, i = [], i + 1
            while i < len(body) and body[i] != '"':
                if body[i] == "\\":
                    i += 1
                out.append(body[i] if i < len(body) else "")
                i += 1
            items.append("".join(out))
            i += 1
        else:
            end = body.find(",", i)
            end = len(body) if end < 0 else end
            word = body[i:end].strip()
            if not word or "{" in word:
                raise InvalidTextRepresentationError(f'malformed array literal: "{text}"')
            items.append(None if word.upper() == "NULL" else word)
            i = end
        while i < len(body) and body[i].isspace():
            i += 1
        if i < len(body):
            if body[i] != ",":
                raise InvalidTextRepresentationError(f'malformed array literal: "{text}"')
            i += 1
            if i >= len(body):
                raise InvalidTextRepresentationError(f'malformed array literal: "{text}"')
    return items


def as_list(value) -> list:
    """The elements of an array operand (ANY/ALL); NULL is an empty array here."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    raise InvalidParameterValueError("ANY/ALL needs an array")
