"""Planning of grouped queries: GROUP BY, HAVING and aggregate calls.

Where: query layer; a mixin of plan.Planner, which hands a SELECT with GROUP BY, HAVING or
aggregates to `grouped_select`. The source rows are grouped by an operators.Aggregate (or
counted from the tree by TableCount); the select list, HAVING and ORDER BY are then compiled
against the grouped row (group keys, then aggregate results), which is also the row that
correlated subqueries see.
"""

from __future__ import annotations

from sqlglot import exp

from rowdb.errors import GroupingError, InvalidColumnReferenceError, RowdbError
from rowdb.query import operators as ops
from rowdb.query.aggregates import Aggregate
from rowdb.query.code import Code
from rowdb.query.compile import ExprCompiler, Grouped, is_aggregate, has_nan
from rowdb.query.names import output_name
from rowdb.query.rowvalues import row_items
from rowdb.query.scope import Field, Scope
from rowdb.query.types import BYTEA, TEXT, UNKNOWN


class GroupingPlanner:
    """Planner methods for grouped queries (mixed into plan.Planner)."""

    def grouped_select(self, node, source, scope, filter_code, select_items, group, having,
                        aggregates, outer):
        compiler = ExprCompiler(self, scope, self.ns)
        group_nodes = []
        if group is not None:
            for g in group.expressions:
                if isinstance(g, exp.Literal) and not g.is_string:
                    position = int(g.this)
                    if not 1 <= position <= len(select_items):
                        raise InvalidColumnReferenceError(
                            f"GROUP BY position {position} is not in select list")
                    item = select_items[position - 1]
                    g = item.unalias() if isinstance(item, exp.Alias) else item
                    if is_aggregate(g) or any(is_aggregate(n) for n in g.find_all(exp.Func)):
                        raise GroupingError("aggregate functions are not allowed in GROUP BY")
                elif isinstance(g, exp.Column) and not g.table and scope.find(g.name, None) \
                        is None:
                    for item in select_items:
                        if isinstance(item, exp.Alias) and item.alias == g.name:
                            g = item.unalias()
                group_nodes.append(g)
        group_nodes += _dependent_columns(group_nodes, scope)
        group_codes = [compiler.compile(g) for g in group_nodes]
        group_codes = [Code(f"_nan1({c.text})", c.type, c.nullable) if has_nan(c.type) else c
                       for c in group_codes]  # NaNs form one group
        specs = []
        for agg in aggregates:
            specs.append(self.aggregate_spec(agg, compiler))
        group_keys = [g.sql("postgres") for g in group_nodes]
        columns = {}
        for position, g in enumerate(group_nodes):
            if isinstance(g, exp.Column):
                depth, index, _ = scope.resolve(g.name, g.table or None)
                if depth == 0:
                    columns.setdefault(index, position)
        grouped = Grouped(group_keys, [a.sql("postgres") for a in aggregates], columns)
        grouped_types = [c.type for c in group_codes] + [s.aggregate.result_type for s in specs]
        post = ExprCompiler(self, scope, self.ns, grouped, grouped_types)
        # Correlated subqueries see the aggregated row: its grouped columns by name.
        post.subquery_scope = Scope(
            [Field(g.name, g.table or scope.resolve(g.name, None)[2].table,
                   t) if isinstance(g, exp.Column) else Field("?", None, t, hidden=True)
             for g, t in zip(group_nodes, grouped_types)]
            + [Field("?", None, t, hidden=True) for t in grouped_types[len(group_nodes):]],
            scope.parent)
        if group is None and filter_code is None and isinstance(source, ops.TableScan) \
                and source.key_range is None and specs and all(
                    s.aggregate.star and s.filtered is False for s in specs):
            aggregated = ops.TableCount(self.ns, source.table, len(specs))
        else:
            aggregated = ops.Aggregate(source, self.ns, filter_code, group_codes, specs,
                                       grouped=group is not None)
        having_code = post.predicate(having.this, "HAVING") if having is not None else None
        outputs = [post.compile(item.unalias() if isinstance(item, exp.Alias) else item)
                   for item in select_items]
        outputs = [self._output_type(c, post) for c in outputs]
        names = [output_name(item) for item in select_items]
        keys, extra = self._order_keys(node, post, outputs, names, select_items)
        root = ops.Project(aggregated, self.ns, having_code, outputs + extra)
        return self._finish_select(node, root, names, [c.type for c in outputs], keys,
                                   len(outputs), scope)

    def aggregate_spec(self, node, compiler: ExprCompiler) -> ops.AggregateSpec:
        condition = None
        if isinstance(node, exp.Filter):
            condition = compiler.predicate(node.expression.this
                                           if isinstance(node.expression, exp.Where)
                                           else node.expression)
            node = node.this
        name = _aggregate_name(node)
        distinct = False
        args = []
        star = False
        inner = node.this if not isinstance(node, exp.Anonymous) else None
        raw_args = list(node.expressions) if isinstance(node, exp.Anonymous) else \
            [a for a in [node.this, *(node.expressions or [])] if a is not None]
        if isinstance(inner, exp.Distinct):
            distinct = True
            raw_args = list(inner.expressions)
        if isinstance(node, exp.GroupConcat):
            separator = node.args.get("separator")
            raw_args = [node.this]
            if separator is not None:
                raw_args.append(separator)
        order_items = []
        if raw_args and isinstance(raw_args[0], exp.Order):
            order_items = list(raw_args[0].expressions)
            raw_args[0] = raw_args[0].this
        if raw_args and isinstance(raw_args[0], exp.Distinct):
            distinct = True
            raw_args[0:1] = list(raw_args[0].expressions)
        if len(raw_args) == 1 and isinstance(raw_args[0], exp.Star):
            star, raw_args = True, []
        if distinct and order_items and not {o.this.sql() for o in order_items} <= \
                {a.sql() for a in raw_args}:
            raise InvalidColumnReferenceError(
                "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument "
                "list")
        if name == "count" and len(raw_args) == 1 and row_items(raw_args[0]) is not None:
            raw_args = row_items(raw_args[0])  # count(DISTINCT (a, b)): rows, never NULL
        for arg in raw_args:
            if is_aggregate(arg) or any(is_aggregate(n) for n in arg.find_all(exp.Func)):
                raise GroupingError("aggregate function calls cannot be nested")
            code = compiler.compile(arg)
            target = TEXT
            if name == "string_agg" and args:  # the delimiter: text, or bytea for bytea
                target = BYTEA if args[0].type == BYTEA else \
                    TEXT if args[0].type.category == "S" else UNKNOWN
            args.append(compiler.coerce(code, target) if code.type == UNKNOWN
                        and name in ("string_agg", "min", "max") else code)
        order = [(bool(o.args.get("desc")), bool(o.args.get("nulls_first"))
                  if o.args.get("nulls_first") is not None else bool(o.args.get("desc")))
                 for o in order_items]
        try:
            aggregate = Aggregate(name, [a.type for a in args], distinct, star, order or None)
        except RowdbError as exc:
            exc.node = exc.node or node  # PostgreSQL points at the call
            raise
        where = f" if {condition.text}" if condition is not None else ""
        if len(args) == 1:
            value = args[0].text
        else:
            value = f"({', '.join(a.text for a in args)},)" if args else "None"
        if star and not where:
            values = lambda rows, o: rows  # noqa: E731 - count(*) only counts them
        else:
            values = self.ns.values_function(value, where)
        order_keys = None
        if order_items:
            codes = [compiler.compile(o.this) for o in order_items]
            order_keys = self.ns.function(
                f"[({', '.join(c.text for c in codes)},) for r in rows{where}]", "rows, o")
        return ops.AggregateSpec(aggregate, values, order_keys, condition is not None)


def find_aggregates(items, having, order) -> list:
    found, seen = [], set()
    roots = list(items) + ([having.this] if having is not None else []) + \
        ([o.this for o in order.expressions] if order is not None else [])
    for root in roots:
        for node in root.walk(bfs=False) if hasattr(root, "walk") else []:
            node = node[0] if isinstance(node, tuple) else node
            if isinstance(node, (exp.Subquery, exp.Exists)):
                continue
            if is_aggregate(node) and not isinstance(node.parent, exp.Filter):
                if _inside_subquery(node, root):
                    continue
                key = node.sql("postgres")
                if key not in seen:
                    seen.add(key)
                    found.append(node)
    return found


def _inside_subquery(node, root) -> bool:
    if node is root:
        return False
    parent = node.parent
    while parent is not None and parent is not root:
        if isinstance(parent, (exp.Subquery, exp.Exists, exp.Select)):
            return True
        parent = parent.parent
    return False


def _aggregate_name(node) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    return {exp.Count: "count", exp.Sum: "sum", exp.Avg: "avg", exp.Min: "min",
            exp.Max: "max", exp.GroupConcat: "string_agg", exp.ArrayAgg: "array_agg",
            exp.LogicalAnd: "bool_and", exp.LogicalOr: "bool_or", exp.Stddev: "stddev",
            exp.StddevSamp: "stddev_samp", exp.StddevPop: "stddev_pop",
            exp.Variance: "variance", exp.VariancePop: "var_pop"}[type(node)]


def _dependent_columns(group_nodes: list, scope: Scope) -> list:
    """Columns a GROUP BY covers without naming them: every column of a table whose whole
    primary key is grouped on (PostgreSQL's functional dependency), as extra group keys."""
    grouped = set()
    for g in group_nodes:
        if isinstance(g, exp.Column):
            try:
                _, index, field = scope.resolve(g.name, g.table or None)
            except RowdbError:
                continue
            if field.key and scope.fields[index] is field:
                grouped.add(index)
    extra = []
    for table in {scope.fields[i].table for i in grouped}:
        keys = {i for i, f in enumerate(scope.fields) if f.table == table and f.key}
        if keys and keys <= grouped:
            extra += [exp.column(f.name, table=table, quoted=True)
                      for i, f in enumerate(scope.fields)
                      if f.table == table and i not in grouped and not f.hidden]
    return extra
