"""Column DEFAULT expressions: checked at CREATE TABLE, evaluated for ADD COLUMN, compiled
for INSERT, and parsed for UPDATE ... SET c = DEFAULT.

Where: query layer; ddl.py checks and evaluates, dml.py compiles. A default is stored as
SQL text in the table definition (versioned with it). As in PostgreSQL, CREATE TABLE
refuses a default whose type does not convert to the column's in assignment (42804) or
a literal that is not valid input for it, while a value that cannot be stored (too long
for varchar(n)) fails only the rows that take it.
"""

from __future__ import annotations

from functools import partial

import sqlglot
from sqlglot import exp

from rowdb.errors import DatatypeMismatchError, NotSupportedError, RowdbError
from rowdb.query.compile import ExprCompiler, Namespace
from rowdb.query.scope import Scope
from rowdb.query.types import UNKNOWN, cast_context, parse_type_name


def expression(column) -> exp.Expression:
    """SET column = DEFAULT: the column's default expression, or NULL."""
    if column.serial:
        raise NotSupportedError("SET ... = DEFAULT on a serial column is not supported")
    if column.default is None:
        return exp.Null()
    return sqlglot.parse_one(column.default, read="postgres")


def evaluate(column, run: bool = True) -> object:
    """A column's DEFAULT value (ADD COLUMN fills existing rows with it); with run=False
    only checked, as CREATE TABLE does."""
    from rowdb.query.plan import Planner  # plans are built on top of this module's callers
    planner = Planner({}, Namespace())
    compiler = ExprCompiler(planner, Scope([]), planner.ns)
    target = parse_type_name(column.type)
    code = compiler.compile(sqlglot.parse_one(column.default, read="postgres"))
    if code.type != UNKNOWN and cast_context(code.type, target) not in ("i", "a"):
        raise DatatypeMismatchError(
            f'column "{column.name}" is of type {target} but default expression is of '
            f"type {code.type}", hint="You will need to rewrite or cast the expression.")
    if not run:  # a literal must read as the type; lengths are checked when a row gets it
        compiler.coerce(code, target)
        return None
    code = compiler.assign(code, target) if code.const else compiler.coerce(code, target)
    return planner.ns.function(code.text)((), ())


def for_insert(planner, columns, column_types) -> list:
    """Per column: ("serial", name), ("expr", function giving the value) or None."""
    out = []
    compiler = ExprCompiler(planner, Scope([]), planner.ns)
    for column, sql_type in zip(columns, column_types):
        if column.serial:
            out.append(("serial", column.name))
        elif column.default is not None:
            code = compiler.compile(sqlglot.parse_one(column.default, read="postgres"))
            if not code.const:
                code = compiler.coerce(code, sql_type)
                out.append(("expr", planner.ns.function(code.text)))
                continue
            try:  # stored as any value is: assignment rules (too long is 22001)...
                code = compiler.assign(code, sql_type)
                out.append(("expr", planner.ns.function(code.text)))
            except RowdbError as exc:  # ... when a row takes the default
                out.append(("expr", partial(_raise, exc)))
        else:
            out.append(None)
    return out


def _raise(error, *args):
    """A default that cannot be stored fails each row that takes it (a fresh error each)."""
    raise type(error)(error.message, detail=error.detail, hint=error.hint)
