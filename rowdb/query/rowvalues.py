"""Row values: `(a, b) = (1, 2)`, `(a, b) < (x, y)`, `(a, b) IN (...)`, `ROW(a, b) IS NULL`.

Where: query layer; a mixin of compile.ExprCompiler, which sends comparisons, IN, IS and
IS DISTINCT FROM here when a side is a row constructor. Row comparisons are rewritten into
their pairwise meaning, which gives PostgreSQL's three-valued answers: `=` is the AND of the
pairs and `<>` their OR; `<`, `<=`, `>`, `>=` are decided by the first pair that is not
equal (NULL when that pair has a NULL). `(a, b) IN (SELECT x, y ...)` runs as a semi-join
over the subquery's rows (runtime.in_rows).
"""

from __future__ import annotations

from sqlglot import exp

from rowdb.errors import SyntaxError as SqlSyntaxError
from rowdb.query.code import Code
from rowdb.query.types import BOOL

_STRICT = {exp.LT: exp.LT, exp.LTE: exp.LT, exp.GT: exp.GT, exp.GTE: exp.GT}


def row_items(node) -> list | None:
    """The fields of a row constructor, `(a, b)` or `ROW(a, b)`; None for anything else."""
    if isinstance(node, exp.Tuple):
        return list(node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "row":
        return list(node.expressions)
    return None


def _pairs(left: list, right: list) -> list[tuple]:
    if len(left) != len(right):
        raise SqlSyntaxError("unequal number of entries in row expressions")
    return [(a.copy(), b.copy()) for a, b in zip(left, right)]


def _all(kind, parts: list) -> exp.Expression:
    out = parts[-1]
    for part in reversed(parts[:-1]):
        out = kind(this=part, expression=out)
    return exp.Paren(this=out)


def row_comparison(node, left: list, right: list) -> exp.Expression:
    """`left op right` for two rows, as an expression over their fields."""
    pairs = _pairs(left, right)
    kind = type(node)
    if kind is exp.EQ:
        return _all(exp.And, [exp.EQ(this=a, expression=b) for a, b in pairs])
    if kind is exp.NEQ:
        return _all(exp.Or, [exp.NEQ(this=a, expression=b) for a, b in pairs])
    if kind is exp.NullSafeEQ:
        return _all(exp.And, [exp.NullSafeEQ(this=a, expression=b) for a, b in pairs])
    if kind is exp.NullSafeNEQ:
        return _all(exp.Or, [exp.NullSafeNEQ(this=a, expression=b) for a, b in pairs])
    strict = _STRICT[kind]
    a, b = pairs[-1]
    out = kind(this=a, expression=b)
    for a, b in reversed(pairs[:-1]):
        decided = strict(this=a, expression=b)
        tied = exp.EQ(this=a.copy(), expression=b.copy())
        out = exp.Or(this=decided, expression=exp.Paren(this=exp.And(this=tied, expression=out)))
    return exp.Paren(this=out)


class RowValueCompiler:
    """ExprCompiler methods for row values (mixed into compile.ExprCompiler)."""

    def _row_compare(self, node) -> Code | None:
        """A comparison or IS [NOT] DISTINCT FROM with a row on either side, else None."""
        left, right = row_items(node.this), row_items(node.expression)
        if left is None and right is None:
            return None
        if left is None or right is None:
            raise SqlSyntaxError("cannot compare a row with a value that is not a row")
        return self.compile(row_comparison(node, left, right))

    def _row_is_null(self, node: exp.Is, items: list) -> Code:
        """ROW(...) IS NULL: every field is NULL; IS NOT NULL: no field is."""
        tests = [exp.Is(this=item.copy(), expression=exp.Null()) for item in items]
        if node.args.get("negate"):
            tests = [exp.Not(this=t) for t in tests]
        return self.compile(_all(exp.And, tests))

    def _row_in(self, node: exp.In, items: list) -> Code:
        query = node.args.get("query")
        if query is None:
            alternatives = []
            for option in node.expressions:
                fields = row_items(option)
                if fields is None:
                    raise SqlSyntaxError("IN list items must be rows like the left side")
                alternatives.append(row_comparison(exp.EQ(), items, fields))
            return self.compile(_all(exp.Or, alternatives))
        plan = self.planner.subquery(query.this if isinstance(query, exp.Subquery) else query,
                                     self.subquery_scope)
        if len(plan.types) != len(items):
            raise SqlSyntaxError("subquery has too " + (
                "many" if len(plan.types) > len(items) else "few") + " columns")
        codes = [self._comparable(self.compile(item), Code("None", sql_type))[0]
                 for item, sql_type in zip(items, plan.types)]
        ref = self.ns.const(plan)
        values = f"({', '.join(c.text for c in codes)},)"
        return Code(f"_in_rows({values}, {ref}, (r,) + o)", BOOL, True)
