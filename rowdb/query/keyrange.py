"""Primary-key predicates to key ranges: point look-ups and range scans instead of full scans.

Where: query layer; plan.py asks `key_range` for each base-table scan with a WHERE clause.
Conjuncts `pk = v`, `pk IN (...)`, `pk < v` (<=, >, >=, BETWEEN) whose other side does not
read the table itself (constants, parameters, outer rows) bound the scan: equalities on a
leading run of key columns, then at most one range on the next key column. The predicates
stay in the filter as well, so a range only has to be a superset of the matching rows.
"""

from __future__ import annotations

from sqlglot import exp

from rowdb.errors import RowdbError
from rowdb.query.compile import ExprCompiler
from rowdb.query.scope import Scope
from rowdb.query.types import parse_type_name
from rowdb.storage.keys import encode_key, prefix_successor
from rowdb.storage.tree import Bound

_FLIP = {exp.LT: exp.GT, exp.LTE: exp.GTE, exp.GT: exp.LT, exp.GTE: exp.LTE, exp.EQ: exp.EQ}
_PUSHABLE = {("N", "int2"), ("N", "int4"), ("N", "int8")}


class KeyRange:
    """Bounds computed per execution from compiled value expressions."""

    def __init__(self, equal: list, low, high, points, full: bool = False):
        self.full = full     # the equalities give the whole primary key: a point look-up
        self.equal = equal   # functions giving the leading key values
        self.low = low       # (function, inclusive) or None
        self.high = high
        self.points = points  # functions giving IN-list values for the next column, or None

    def point(self, outer: tuple) -> bytes | None:
        """The one key a full-key equality selects (None: a NULL makes it match nothing)."""
        values = tuple(fn((), outer) for fn in self.equal)
        if None in values:
            return None
        return encode_key(values)

    def ranges(self, outer: tuple):
        prefix = tuple(fn((), outer) for fn in self.equal)
        if any(v is None for v in prefix):
            return []
        if self.points is not None:
            values = sorted({v for v in self.points((), outer) if v is not None})
            out = []
            for value in values:
                start = encode_key(prefix + (value,))
                out.append((Bound(start), _end(start)))
            return out
        start = encode_key(prefix) if prefix else None
        low = Bound(start) if start is not None else None
        high = _end(start) if start is not None else None
        if self.low is not None:
            fn, inclusive = self.low
            value = fn((), outer)
            if value is None:
                return []
            key = encode_key(prefix + (value,))
            low = Bound(key) if inclusive else _after(key)
        if self.high is not None:
            fn, inclusive = self.high
            value = fn((), outer)
            if value is None:
                return []
            key = encode_key(prefix + (value,))
            high = _end(key) if inclusive else Bound(key, inclusive=False)
        return [(low, high)]


def _end(key: bytes) -> Bound | None:
    """Exclusive bound just past every key that starts with `key`."""
    after = prefix_successor(key)
    return Bound(after, inclusive=False) if after is not None else None


def _after(key: bytes) -> Bound | None:
    after = prefix_successor(key)
    return Bound(after) if after is not None else Bound(key + b"\xff" * 8)


def key_range(planner, table, scope: Scope, conditions: list) -> KeyRange | None:
    if table.keyless or not conditions:
        return None
    key_columns = [table.columns[i] for i in table.primary_key]
    value_scope = Scope([], scope.parent)
    compiler = ExprCompiler(planner, value_scope, planner.ns)
    equal, low, high, points = [], None, None, None
    for column in key_columns:
        column_type = parse_type_name(column.type)
        if (column_type.category, column_type.name) not in _PUSHABLE and \
                column_type.category != "S":
            break
        found = _bounds_for(column.name, column_type, scope, conditions, compiler, planner)
        if found["eq"] is not None:
            equal.append(found["eq"])
            continue
        low, high, points = found["low"], found["high"], found["in"]
        break
    if not equal and low is None and high is None and points is None:
        return None
    full = len(equal) == len(key_columns) and low is None and high is None and points is None
    return KeyRange(equal, low, high, points, full)


def _bounds_for(name, column_type, scope, conditions, compiler, planner) -> dict:
    found = {"eq": None, "low": None, "high": None, "in": None}
    for cond in conditions:
        if isinstance(cond, exp.Between) and _is_column(cond.this, name, scope):
            low = _value(cond.args["low"], column_type, compiler, planner)
            high = _value(cond.args["high"], column_type, compiler, planner)
            if low is not None and high is not None:
                found["low"], found["high"] = (low, True), (high, True)
            continue
        if isinstance(cond, exp.In) and not cond.args.get("query") and \
                _is_column(cond.this, name, scope):
            fns = [_value(e, column_type, compiler, planner) for e in cond.expressions]
            if fns and all(f is not None for f in fns):
                found["in"] = lambda r, o, fns=fns: [f(r, o) for f in fns]
            continue
        kind = type(cond)
        if kind not in _FLIP:
            continue
        if _is_column(cond.this, name, scope):
            other = cond.expression
        elif _is_column(cond.expression, name, scope):
            other, kind = cond.this, _FLIP[kind]
        else:
            continue
        fn = _value(other, column_type, compiler, planner)
        if fn is None:
            continue
        if kind is exp.EQ:
            found["eq"] = fn
        elif kind in (exp.GT, exp.GTE):
            found["low"] = (fn, kind is exp.GTE)
        else:
            found["high"] = (fn, kind is exp.LTE)
    return found


def _is_column(node, name: str, scope: Scope) -> bool:
    if not isinstance(node, exp.Column) or node.name != name:
        return False
    try:
        depth, _, _ = scope.resolve(node.name, node.table or None)
    except RowdbError:
        return False
    return depth == 0


def _value(node, column_type, compiler: ExprCompiler, planner):
    """A function computing the bound value in the column's type, or None if the
    expression reads the scanned table or compares in another type."""
    saved = planner.placeholders
    try:
        code = compiler.compile(node)
    except RowdbError:
        planner.placeholders = saved
        return None
    if code.type.name == "unknown" and code.const:
        code = compiler.coerce(code, column_type)
    if code.type.category != column_type.category or \
            (column_type.category == "N" and code.type.name not in ("int2", "int4", "int8")):
        return None
    return planner.ns.function(code.text)
