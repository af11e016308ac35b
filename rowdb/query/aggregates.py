"""Aggregate functions: per-group state objects and their result types.

Where: query layer; the planner's aggregate operator keeps one state per aggregate per group,
feeds it the argument values of each row that passes the aggregate's FILTER, and reads the
final value once per group. DISTINCT aggregates first collect a set of argument values.
"""

from __future__ import annotations

import math
from decimal import Decimal
from itertools import compress
from operator import ne

from rowdb.errors import DatatypeMismatchError, UndefinedFunctionError
from rowdb.query import arith, intervals
from rowdb.query.types import BOOL, BYTEA, FLOAT8, INT8, INTERVAL, NUMERIC, TEXT, UNKNOWN, SqlType


class Aggregate:
    """One aggregate call: `reduce(values)` turns the argument values of a group's rows
    (already FILTERed; plain values for one argument, tuples for two) into the result."""

    def __init__(self, name: str, arg_types: list[SqlType], distinct: bool, star: bool,
                 order: list[tuple[bool, bool]] | None = None):
        self.name = name
        self.distinct = distinct
        self.order = order  # (descending, nulls_first) per ORDER BY key inside the call
        self.star = star
        self.arg_types = arg_types
        self.result_type = result_type(name, arg_types, star)
        nan = self.result_type.name in ("float4", "float8", "numeric")
        self.min = nan_min if nan else min  # NaN is the greatest float or numeric
        self.max = nan_max if nan else max
        self._reduce = _REDUCE[name]

    def reduce(self, values: list, keys: list | None = None):
        if self.order:
            values = [v for v, _ in _sorted(list(zip(values, keys)), self.order)]
        if self.distinct:
            values = list(dict.fromkeys(values))
        if self.star:
            return len(values)
        return self._reduce(values, self)


class Partial:
    """Running state of a decomposable aggregate (count, sum, avg, min, max, bool_and,
    bool_or without DISTINCT or ORDER BY): fed one batch of argument values at a time, so
    an ungrouped aggregate over a whole table never holds all its rows."""

    DECOMPOSABLE = frozenset({"count", "sum", "avg", "min", "max", "bool_and", "bool_or",
                              "every"})

    def __init__(self, aggregate: Aggregate):
        self.aggregate = aggregate
        self.count = 0
        self.total = None   # sum of the values, or the min/max/and/or so far

    def feed(self, values: list) -> None:
        if self.aggregate.star:
            self.count += len(values)
            return
        self.merge(*self.part(values))

    def part(self, values: list) -> tuple[int, object]:
        """(count, total) of one batch of argument values: what `merge` adds in."""
        agg = self.aggregate
        if agg.star:
            return len(values), None
        present = _present(values)
        if not present:
            return 0, None
        name = agg.name
        if name in ("sum", "avg"):
            part = _total(present, agg)
        elif name == "min":
            part = agg.min(present)
        elif name == "max":
            part = agg.max(present)
        elif name == "bool_or":
            part = any(present)
        elif name in ("bool_and", "every"):
            part = all(present)
        else:
            part = None
        return len(present), part

    def merge(self, count: int, part) -> None:
        """Add in a `part` result."""
        if not count:
            return
        self.count += count
        name = self.aggregate.name
        if name == "count" or part is None:
            return
        if self.total is None:
            self.total = part
        elif name in ("sum", "avg"):
            self.total += part
        elif name == "min":
            self.total = self.aggregate.min((self.total, part))
        elif name == "max":
            self.total = self.aggregate.max((self.total, part))
        elif name == "bool_or":
            self.total = self.total or part
        else:
            self.total = self.total and part

    def result(self):
        agg = self.aggregate
        if agg.name == "count":
            return self.count
        if self.total is None:
            return None
        if agg.name == "sum":
            return Decimal(self.total) if agg.result_type == NUMERIC else self.total
        if agg.name == "avg":
            if agg.result_type == INTERVAL:
                return intervals.interval_div(self.total, self.count)
            if agg.result_type == NUMERIC:
                return arith.numeric_avg(Decimal(self.total), self.count)
            return self.total / self.count
        return self.total


def _sorted(items: list, order: list[tuple[bool, bool]]) -> list:
    for index in range(len(order) - 1, -1, -1):
        descending, nulls_first = order[index]
        null_flag = int(nulls_first == descending)

        def key(item, i=index, nf=null_flag):
            v = item[1][i]
            return (nf, 0) if v is None else (1 - nf, v)
        items = sorted(items, key=key, reverse=descending)
    return items


def result_type(name: str, arg_types: list[SqlType], star: bool) -> SqlType:
    if name == "count":
        return INT8
    if not arg_types:
        raise UndefinedFunctionError(f"function {name}() does not exist")
    arg = arg_types[0]
    if name == "sum":
        if arg.name in ("int2", "int4"):
            return INT8
        if arg.name == "int8" or arg.name == "numeric":
            return NUMERIC
        if arg.name in ("float4", "float8"):
            return arg.without_modifiers()
        if arg == UNKNOWN:
            return FLOAT8
        if arg.name == "interval":
            return INTERVAL
    elif name == "avg":
        if arg.name in ("int2", "int4", "int8", "numeric"):
            return NUMERIC
        if arg.name in ("float4", "float8") or arg == UNKNOWN:
            return FLOAT8
        if arg.name == "interval":
            return INTERVAL
    elif name in ("min", "max"):
        if arg.name in ("bool", "uuid", "bytea"):  # types without an ordering aggregate
            raise UndefinedFunctionError(
                f"function {name}({arg}) does not exist",
                hint="No function matches the given name and argument types. You might need "
                     "to add explicit type casts.")
        return arg if arg != UNKNOWN else TEXT
    elif name == "string_agg":  # (text, text) or (bytea, bytea), as in PostgreSQL
        kinds = {"S" if t.category == "S" else t.name for t in arg_types}
        if len(arg_types) == 2 and kinds in ({"S"}, {"bytea"}):
            return BYTEA if kinds == {"bytea"} else TEXT
        shown = ", ".join(str(t) for t in arg_types)
        raise UndefinedFunctionError(
            f"function string_agg({shown}) does not exist",
            hint="No function matches the given name and argument types. You might need to "
                 "add explicit type casts.")
    elif name == "array_agg":
        return arg  # arrays are returned as Python lists
    elif name in _SPREAD:
        if arg.name in ("int2", "int4", "int8", "numeric"):
            return NUMERIC
        if arg.name in ("float4", "float8") or arg == UNKNOWN:
            return FLOAT8
    elif name in ("bool_and", "bool_or", "every"):
        if arg not in (BOOL, UNKNOWN):
            raise DatatypeMismatchError(f"function {name}({arg}) does not exist")
        return BOOL
    raise UndefinedFunctionError(f"function {name}({arg}) does not exist",
                                 hint="No function matches the given name and argument types.")


def _count_step(state, args):
    return state + 1


def _present(values: list) -> list:
    return values if None not in values else [v for v in values if v is not None]


def _count(values, agg):
    return len(values) - values.count(None)


def _sum(values, agg):
    values = _present(values)
    if not values:
        return None
    total = _total(values, agg)
    return Decimal(total) if agg.result_type == NUMERIC else total


def _total(values: list, agg):
    """The sum of non-NULL values: intervals add field by field."""
    return intervals.interval_sum(values) if agg.result_type == INTERVAL else sum(values)


def _avg(values, agg):
    values = _present(values)
    if not values:
        return None
    if agg.result_type == INTERVAL:
        return intervals.interval_div(intervals.interval_sum(values), len(values))
    if agg.result_type == NUMERIC:
        return arith.numeric_avg(Decimal(sum(values)), len(values))
    return sum(values) / len(values)


def _min(values, agg):
    values = _present(values)
    return agg.min(values) if values else None


def _max(values, agg):
    values = _present(values)
    return agg.max(values) if values else None


def nan_max(values):
    """max with PostgreSQL's NaN, greater than every number (NaN is the value != itself,
    found by a C-level pass)."""
    for value in compress(values, map(ne, values, values)):
        return value
    return max(values)


def nan_min(values):
    """min with PostgreSQL's NaN: NaN only if every value is NaN."""
    if not any(map(ne, values, values)):
        return min(values)
    numbers = [v for v in values if v == v]
    return min(numbers) if numbers else values[0]


def _string_agg(values, agg):
    parts = [(value, sep) for value, sep in values if value is not None]
    if not parts:
        return None
    empty = b"" if isinstance(parts[0][0], bytes) else ""
    out = [parts[0][0]]
    for value, sep in parts[1:]:
        out.append(sep or empty)
        out.append(value)
    return empty.join(out)


def _array_agg(values, agg):
    return list(values) if values else None


def _bool_and(values, agg):
    values = _present(values)
    return all(values) if values else None


def _bool_or(values, agg):
    values = _present(values)
    return any(values) if values else None


def _spread(values, agg):
    """stddev/variance and their _samp/_pop forms, computed as PostgreSQL does: exactly for
    integers and numeric (N*sum(x^2) - sum(x)^2 over N*(N-1), at numeric division's scale),
    with the Youngs-Cramer running sums for floats."""
    population, root = _SPREAD[agg.name]
    values = _present(values)
    n = len(values)
    if n == 0 or (n == 1 and not population):
        return None
    if agg.result_type == NUMERIC:
        return _numeric_spread([Decimal(v) for v in values], population, root)
    return _float_spread([float(v) for v in values], population, root)


def _numeric_spread(values: list[Decimal], population: bool, root: bool) -> Decimal:
    from rowdb.query.numeric_math import sqrt_at
    if any(not v.is_finite() for v in values):
        return Decimal("NaN")
    n = len(values)
    ctx = arith.NUMERIC_CONTEXT
    total = sum(values, Decimal(0))
    squares = sum((ctx.multiply(v, v) for v in values), Decimal(0))
    numerator = ctx.subtract(ctx.multiply(Decimal(n), squares), ctx.multiply(total, total))
    if numerator <= 0:
        return Decimal(0)
    denominator = Decimal(n * n if population else n * (n - 1))
    scale = arith.division_scale(numerator, denominator)
    variance = arith.numeric_div(numerator, denominator, scale)
    return sqrt_at(variance, scale) if root else variance


def _float_spread(values: list[float], population: bool, root: bool) -> float:
    n = sx = sxx = 0.0
    for x in values:
        n += 1.0
        sx += x
        if n > 1.0:
            tmp = x * n - sx
            sxx += tmp * tmp / (n * (n - 1.0))
        elif math.isinf(x) or math.isnan(x):
            sxx = math.nan
    variance = sxx / (n if population else n - 1.0)
    return math.sqrt(variance) if root else variance


# name -> (population?, square root?)
_SPREAD = {"stddev": (False, True), "stddev_samp": (False, True), "stddev_pop": (True, True),
           "variance": (False, False), "var_samp": (False, False), "var_pop": (True, False)}

_REDUCE = {"count": _count, "sum": _sum, "avg": _avg, "min": _min, "max": _max,
           "string_agg": _string_agg, "array_agg": _array_agg, "bool_and": _bool_and,
           "bool_or": _bool_or, "every": _bool_and}
_REDUCE.update(dict.fromkeys(_SPREAD, _spread))
