"""Aggregate functions: per-group state objects and their result types.

Where: query layer; the planner's aggregate operator keeps one state per aggregate per group,
feeds it the argument values of each row that passes the aggregate's FILTER, and reads the
final value once per group. DISTINCT aggregates first collect a set of argument values.
"""

from __future__ import annotations

from decimal import Decimal

from rowdb.errors import DatatypeMismatchError, UndefinedFunctionError
from rowdb.query import arith
from rowdb.query.types import BOOL, FLOAT8, INT8, NUMERIC, TEXT, UNKNOWN, SqlType


class Aggregate:
    """Describes one aggregate call: how to start, step and finish its state."""

    def __init__(self, name: str, arg_types: list[SqlType], distinct: bool, star: bool,
                 order: list[tuple[bool, bool]] | None = None):
        self.name = name
        self.distinct = distinct
        self.order = order  # (descending, nulls_first) per ORDER BY key inside the call
        self.collects = distinct or bool(order)
        self.star = star
        self.arg_types = arg_types
        self.result_type = result_type(name, arg_types, star)
        self.step = _count_value_step if name == "count" and not star else _STEP[name]

    def start(self):
        if self.collects:
            return []
        return _START[self.name]()

    def finish(self, state):
        if self.collects:
            if self.order:
                state = _sorted(state, self.order)
            else:
                state = [(args, ()) for args in state]
            values = [args for args, _ in state]
            if self.distinct:
                values = list(dict.fromkeys(values))
            state = _START[self.name]()
            for args in values:
                state = self.step(state, args)
        return _FINISH[self.name](state, self)


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
    elif name == "avg":
        if arg.name in ("int2", "int4", "int8", "numeric"):
            return NUMERIC
        if arg.name in ("float4", "float8") or arg == UNKNOWN:
            return FLOAT8
    elif name in ("min", "max"):
        return arg if arg != UNKNOWN else TEXT
    elif name == "string_agg":
        return TEXT
    elif name == "array_agg":
        return arg  # arrays are returned as Python lists
    elif name in ("bool_and", "bool_or", "every"):
        if arg not in (BOOL, UNKNOWN):
            raise DatatypeMismatchError(f"function {name}({arg}) does not exist")
        return BOOL
    raise UndefinedFunctionError(f"function {name}({arg}) does not exist",
                                 hint="No function matches the given name and argument types.")


def _count_step(state, args):
    return state + 1


def _count_value_step(state, args):
    return state + (args[0] is not None)


def _sum_step(state, args):
    value = args[0]
    if value is None:
        return state
    return value if state is None else state + value


def _avg_step(state, args):
    value = args[0]
    if value is None:
        return state
    return [state[0] + value, state[1] + 1]


def _minmax(better):
    def step(state, args):
        value = args[0]
        if value is None:
            return state
        if state is None or better(value, state):
            return value
        return state
    return step


def _append_step(state, args):
    state.append(args)
    return state


def _bool_and_step(state, args):
    value = args[0]
    if value is None:
        return state
    return value if state is None else (state and value)


def _bool_or_step(state, args):
    value = args[0]
    if value is None:
        return state
    return value if state is None else (state or value)


def _finish_sum(state, agg):
    if state is None:
        return None
    if agg.result_type == NUMERIC:
        return Decimal(state)
    return state


def _finish_avg(state, agg):
    total, count = state
    if not count:
        return None
    if agg.result_type == NUMERIC:
        return arith.numeric_avg(Decimal(total), count)
    return total / count


def _finish_string_agg(state, agg):
    parts = [(value, sep) for value, sep in state if value is not None]
    if not parts:
        return None
    out = [parts[0][0]]
    for value, sep in parts[1:]:
        out.append(sep or "")
        out.append(value)
    return "".join(out)


def _finish_array_agg(state, agg):
    if not state:
        return None
    return [args[0] for args in state]


_START = {"count": lambda: 0, "sum": lambda: None, "avg": lambda: [0, 0],
          "min": lambda: None, "max": lambda: None, "string_agg": list, "array_agg": list,
          "bool_and": lambda: None, "bool_or": lambda: None, "every": lambda: None}
_STEP = {"count": _count_step, "sum": _sum_step, "avg": _avg_step,
         "min": _minmax(lambda a, b: a < b), "max": _minmax(lambda a, b: a > b),
         "string_agg": _append_step, "array_agg": _append_step,
         "bool_and": _bool_and_step, "bool_or": _bool_or_step, "every": _bool_and_step}
_FINISH = {"count": lambda s, a: s, "sum": _finish_sum, "avg": _finish_avg,
           "min": lambda s, a: s, "max": lambda s, a: s,
           "string_agg": _finish_string_agg, "array_agg": _finish_array_agg,
           "bool_and": lambda s, a: s, "bool_or": lambda s, a: s, "every": lambda s, a: s}
