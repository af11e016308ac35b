"""Set-returning functions in FROM: regexp_matches and regexp_split_to_table.

Where: query layer; fromclause.py plans `FROM f(...) [AS alias [(column)]]` through `plan`
when `f` is one of SET_RETURNING. The arguments are evaluated once per scan (they may
name columns of enclosing queries), the function gives a list of values, and each value is
one row of one column named after the function or the alias, as in PostgreSQL.
"""

from __future__ import annotations

from rowdb.query import functions
from rowdb.query.compile import ExprCompiler
from rowdb.query.operators import Operator
from rowdb.query.regexfuncs import regexp_matches, regexp_split_to_table
from rowdb.query.scope import Field, Scope
from rowdb.query.types import TEXT

# name -> (implementation, parameter types, column type)
SET_RETURNING = {
    "regexp_matches": (regexp_matches, (TEXT, TEXT, TEXT), TEXT),
    "regexp_split_to_table": (regexp_split_to_table, (TEXT, TEXT, TEXT), TEXT),
}


class FunctionScan(Operator):
    """The rows of a set-returning function call: one per value it returns."""

    def __init__(self, fn, arguments):
        self.fn = fn
        self.arguments = arguments  # (row, outer) -> argument values

    def batches(self, outer):
        values = self.arguments((), outer)
        if any(v is None for v in values):  # strict: no rows
            return
        rows = [(value,) for value in self.fn(*values)]
        for first in range(0, len(rows), 1024):
            yield rows[first:first + 1024]


def plan(planner, node, outer):
    """A FROM item calling a set-returning function: (operator, scope)."""
    call = node.this
    name = call.name.lower()
    fn, params, column_type = SET_RETURNING[name]
    scope = Scope([], outer)  # marked correlated if an argument reads an outer row
    compiler = ExprCompiler(planner, scope, planner.ns)
    codes = [compiler.compile(a) for a in call.expressions]
    if not 2 <= len(codes) <= len(params) or any(
            not functions._converts(c.type, p) for c, p in zip(codes, params)):
        shown = ", ".join(str(c.type) for c in codes)
        from rowdb.errors import UndefinedFunctionError
        raise UndefinedFunctionError(
            f"function {name}({shown}) does not exist",
            hint="No function matches the given name and argument types. You might need to "
                 "add explicit type casts.")
    codes = [compiler.coerce(c, p) for c, p in zip(codes, params)]
    scan = FunctionScan(fn, planner.ns.function(f"[{', '.join(c.text for c in codes)}]"))
    alias = node.alias or name
    columns = node.args["alias"].columns if node.args.get("alias") is not None else []
    column = columns[0].name if columns else (name if not node.alias else alias)
    scope.fields = [Field(column, alias, column_type, False)]
    return scan, scope
