"""Planning queries: a sqlglot SELECT (or set operation, or VALUES) to a runnable plan.

Where: query layer, between parse.py and the operators (operators.py). `Planner.query`
binds names through scopes, compiles expressions once (compile.py), pushes primary-key
predicates into key ranges, picks hash joins for equi-joins, and returns a `QueryPlan` whose
`batches(outer)` yields lists of output rows. Plans are cached by the session and run many
times: nothing here may depend on parameter values or table contents.
"""

from __future__ import annotations

import contextlib


from sqlglot import exp

from rowdb.errors import (AmbiguousColumnError, DatatypeMismatchError, DuplicateAliasError,
                          InvalidColumnReferenceError, NotSupportedError, RowdbError,
                          SyntaxError as SqlSyntaxError, UndefinedTableError)
from rowdb.query import operators as ops
from rowdb.query.compile import Code, ExprCompiler, Namespace, has_nan
from rowdb.query.fromclause import FromPlanner, conjuncts as _conjuncts
from rowdb.query.grouping import GroupingPlanner, find_aggregates
from rowdb.query.names import output_name
from rowdb.query.keyrange import key_range
from rowdb.query.scope import Field, Scope
from rowdb.query.types import INT8, TEXT, UNKNOWN, common_type


class _Default:
    """Marks a DEFAULT item in INSERT ... VALUES."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT = _Default()


class QueryPlan:
    """A runnable query: output names and types, and the operator producing its rows."""

    def __init__(self, root: ops.Operator, names: list[str], types: list, ns: Namespace,
                 scope: Scope | None = None):
        self.root = root
        self.names = names
        self.types = types
        self.ns = ns
        self.scope = scope  # the FROM scope; its `correlated` says if outer rows matter
        self._memo = None
        self.result_columns: list | None = None  # (name, type) pairs, built on first run
        self.has_real = False

    @property
    def correlated(self) -> bool:
        return self.scope is not None and self.scope.correlated

    def batches(self, outer: tuple = ()):
        return self.root.batches(outer)

    def rows(self, outer: tuple = (), limit: int | None = None) -> list[tuple]:
        """All rows (or the first `limit`); uncorrelated subqueries run once per statement."""
        if not self.correlated:
            memo = self._memo
            if memo is not None and memo[0] is self.ns.get("X"):
                rows = memo[1]
                return rows if limit is None else rows[:limit]
        out: list[tuple] = []
        for batch in self.root.batches(outer):
            out.extend(batch)
            if limit is not None and len(out) >= limit and self.correlated:
                return out[:limit]
        if not self.correlated:
            self._memo = (self.ns.get("X"), out)
        return out if limit is None else out[:limit]


class Planner(FromPlanner, GroupingPlanner):
    """Plans one statement; all its queries and subqueries share one namespace."""

    keep_unknown = False  # inside a set operation's branches: untyped outputs stay untyped

    def __init__(self, tables: dict, ns: Namespace | None = None,
                 param_types: list | None = None, resolve_as_of=None):
        self.tables = tables
        self.cacheable = True  # False once the plan depends on refs (AS OF)
        self.resolve_as_of = resolve_as_of or _no_versions
        self.ns = ns or Namespace()
        self.placeholders = 0
        self.param_types = param_types or []
        self.ctes: list[dict[str, QueryPlan]] = []
        self.dml_ctes: list = []  # INSERT/UPDATE/DELETE in WITH, run before the statement
        self.nesting = 0  # queries being planned, the statement's own included

    # Parameters -------------------------------------------------------------------------

    def next_placeholder(self, node) -> int:
        if isinstance(node, exp.Parameter):
            return int(node.name) - 1
        self.placeholders += 1
        return self.placeholders - 1

    def param_type(self, index: int):
        if index < len(self.param_types) and self.param_types[index] is not None:
            return self.param_types[index]
        return UNKNOWN

    # Queries ----------------------------------------------------------------------------

    def query(self, node: exp.Expression, outer: Scope | None = None) -> QueryPlan:
        self.nesting += 1
        try:
            with self.with_ctes(node, outer):
                return self._query(node, outer)
        finally:
            self.nesting -= 1

    @contextlib.contextmanager
    def with_ctes(self, node: exp.Expression, outer: Scope | None = None):
        """The statement's WITH queries visible by name inside the block (a SELECT's, or
        an INSERT/UPDATE/DELETE's)."""
        with_ = node.args.get("with_") or node.args.get("with")
        if with_ is None:
            yield
            return
        self.ctes.append({})
        try:
            for cte in with_.expressions:
                if cte.alias in self.ctes[-1]:
                    raise DuplicateAliasError(
                        f'WITH query name "{cte.alias}" specified more than once')
                if isinstance(cte.this, (exp.Insert, exp.Update, exp.Delete)):
                    plan = self._dml_cte(cte.this, outer)
                else:
                    plan = self.query(cte.this, outer)
                names = [c.name for c in cte.args["alias"].columns] \
                    if cte.args["alias"].columns else plan.names
                if len(names) > len(plan.names):
                    raise InvalidColumnReferenceError(
                        f'WITH query "{cte.alias}" has {len(plan.names)} columns available '
                        f"but {len(names)} columns specified")
                plan.names = names + plan.names[len(names):]
                self.ctes[-1][cte.alias] = plan
            yield
        finally:
            self.ctes.pop()

    def _dml_cte(self, node, outer: Scope | None):
        from rowdb.query.dml import plan_dml  # DML plans are built on the planner
        from rowdb.query.dmlcte import DmlCte
        if outer is not None or self.nesting > 1:
            raise NotSupportedError("WITH clause containing a data-modifying statement must "
                                    "be at the top level")
        step = DmlCte(plan_dml(self, node, self.tables), self.ns)
        self.dml_ctes.append(step)
        return step

    def subquery(self, node: exp.Expression, scope: Scope) -> QueryPlan:
        return self.query(node, scope)

    def _query(self, node, outer):
        if isinstance(node, exp.Select):
            return self._select(node, outer)
        if isinstance(node, (exp.Union, exp.Intersect, exp.Except)):
            return self._set_operation(node, outer)
        if isinstance(node, exp.Values):
            return self._wrap_order_limit(node, self._values(node, outer), outer)
        if isinstance(node, exp.Subquery):
            return self._wrap_order_limit(node, self.query(node.this, outer), outer)
        raise NotSupportedError(f"unsupported query: {node.sql('postgres')[:80]}")

    def _values(self, node: exp.Values, outer: Scope | None,
                targets: list | None = None) -> QueryPlan:
        """VALUES rows; for INSERT, `targets` gives each column's type: untyped literals
        take it, and DEFAULT becomes the DEFAULT marker the insert fills in."""
        scope = Scope([], outer)
        compiler = ExprCompiler(self, scope, self.ns)
        rows = []
        for row in node.expressions:
            items = row.expressions if isinstance(row, exp.Tuple) else [row]
            codes = []
            for i, item in enumerate(items):
                if targets is not None and isinstance(item, exp.Var) and \
                        item.name.upper() == "DEFAULT":
                    codes.append(Code(self.ns.const(DEFAULT), UNKNOWN, True, True, DEFAULT))
                    continue
                want = targets[i] if targets is not None and i < len(targets) else None
                code = compiler.compile(item)
                if want is not None and code.type == UNKNOWN:
                    code = compiler.assign(code, want)
                codes.append(code)
            rows.append(codes)
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise SqlSyntaxError("VALUES lists must all be the same length")
        types = []
        for i in range(width):
            column = [r[i].type for r in rows if r[i].value is not DEFAULT]
            if targets is not None and i < len(targets) and \
                    all(t == UNKNOWN for t in column):
                types.append(targets[i])
            else:
                types.append(common_type(column or [UNKNOWN], "VALUES"))
        types = [TEXT if t == UNKNOWN else t for t in types]
        rows = [[c if c.value is DEFAULT else compiler.coerce(c, t)
                 for c, t in zip(r, types)] for r in rows]
        fns = [self.ns.function(f"({', '.join(c.text for c in r)},)") for r in rows]
        names = [f"column{i + 1}" for i in range(width)]
        return QueryPlan(ops.Values(fns), names, types, self.ns, scope)

    def _set_operation(self, node, outer) -> QueryPlan:
        if any(isinstance(b, exp.Select) and b.args.get("locks")
               for b in (node.this, node.expression)):
            raise NotSupportedError(
                "FOR UPDATE is not allowed with UNION/INTERSECT/EXCEPT")
        # Untyped literals (NULL, 'x') in a branch take the type of the other branch.
        keep, self.keep_unknown = self.keep_unknown, True
        try:
            left = self.query(node.this, outer)
            right = self.query(node.expression, outer)
        finally:
            self.keep_unknown = keep
        if len(left.types) != len(right.types):
            kind = type(node).__name__.upper()
            raise SqlSyntaxError(f"each {kind} query must have the same number of columns")
        types = [common_type([a, b], type(node).__name__.upper())
                 for a, b in zip(left.types, right.types)]
        types = [TEXT if t == UNKNOWN else t for t in types]
        kind = {exp.Union: "union", exp.Intersect: "intersect", exp.Except: "except"}[type(node)]
        distinct = node.args.get("distinct", True) is not False
        op = ops.SetOp(kind, distinct, left, right, self._converters(left.types, types),
                       self._converters(right.types, types))
        plan = QueryPlan(op, left.names, types, self.ns)
        return self._wrap_order_limit(node, plan, outer)

    def _converters(self, source: list, target: list):
        if source == target:
            return None
        scope = Scope([Field(f"c{i}", None, t) for i, t in enumerate(source)])
        compiler = ExprCompiler(self, scope, self.ns)
        codes = [compiler.coerce(Code(f"r[{i}]", t), tt)
                 for i, (t, tt) in enumerate(zip(source, target))]
        return self.ns.function(f"({', '.join(c.text for c in codes)},)")

    def _wrap_order_limit(self, node, plan: QueryPlan, outer) -> QueryPlan:
        """ORDER BY / LIMIT / OFFSET on a set operation: by output name or position."""
        order = node.args.get("order")
        root = plan.root
        if order is not None:
            scope = Scope([Field(n, None, t) for n, t in zip(plan.names, plan.types)], outer)
            compiler = ExprCompiler(self, scope, self.ns)
            keys = []
            for item in order.expressions:
                target = item.this
                if isinstance(node, (exp.Union, exp.Intersect, exp.Except)) and \
                        not isinstance(target, (exp.Literal, exp.Column)):
                    raise NotSupportedError(
                        "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
                        detail="Only result column names can be used, not expressions or "
                               "functions.")
                if isinstance(target, exp.Literal) and not target.is_string:
                    position = int(target.this)
                    if not 1 <= position <= len(plan.types):
                        raise InvalidColumnReferenceError(
                            f"ORDER BY position {position} is not in select list")
                    code = Code(f"r[{position - 1}]", plan.types[position - 1])
                else:
                    code = compiler.compile(target)
                keys.append(self._sort_key(item, code))
            root = ops.Sort(root, keys, 0)
        root = self._limit(node, root)
        return QueryPlan(root, plan.names, plan.types, self.ns, plan.scope)

    def _limit(self, node, root: ops.Operator) -> ops.Operator:
        limit, offset = node.args.get("limit"), node.args.get("offset")
        if limit is None and offset is None:
            return root
        if offset is None and isinstance(limit, exp.Limit) and \
                isinstance(limit.expression, exp.Var) and limit.expression.name.upper() == "ALL":
            return root
        compiler = ExprCompiler(self, Scope([]), self.ns)
        count = None
        if limit is not None:
            value = limit.expression if isinstance(limit, (exp.Limit, exp.Fetch)) else limit
            if isinstance(limit, exp.Fetch):
                value = limit.args.get("count")
            if isinstance(value, exp.Var) and value.name.upper() == "ALL":
                count = None
            elif value is None:
                count = self.ns.function("1")
            else:
                count = self.ns.function(_row_count(compiler, value, "LIMIT").text)
        skip = None
        if offset is not None:
            skip = self.ns.function(_row_count(compiler, offset.expression, "OFFSET").text)
        options = limit.args.get("limit_options") if isinstance(limit, exp.Fetch) else None
        if options is not None and options.args.get("with_ties"):
            if not isinstance(root, ops.Sort):
                raise SqlSyntaxError("WITH TIES cannot be specified without ORDER BY clause")
            width, root.width = root.width, 0  # the sort keys stay readable for the ties
            return ops.TiesLimit(root, count, skip, root.keys, width)
        return ops.Limit(root, count, skip)

    # SELECT -----------------------------------------------------------------------------

    def _select(self, node: exp.Select, outer: Scope | None) -> QueryPlan:
        where = node.args.get("where")
        conditions = _conjuncts(where.this) if where is not None else []
        source, scope, conditions = self._from(node, outer, conditions)
        source, conditions = self._push_key_range(source, scope, conditions)
        if isinstance(source, ops.VirtualScan) and source.table.pushable:
            conditions = self._push_virtual(source, scope, conditions)
        compiler = ExprCompiler(self, scope, self.ns)
        filter_code = self._and_all(compiler, conditions, "WHERE")
        select_items = self._expand_stars(node.expressions, scope)
        group = node.args.get("group")
        having = node.args.get("having")
        aggregates = find_aggregates(select_items, having, node.args.get("order"))
        if node.args.get("locks"):
            _check_lockable(node, aggregates)
        if group is not None or aggregates or having is not None:
            return self.grouped_select(node, source, scope, filter_code, select_items,
                                        group, having, aggregates, outer)
        outputs = [compiler.compile(item.unalias() if isinstance(item, exp.Alias) else item)
                   for item in select_items]
        outputs = [self._output_type(c, compiler) for c in outputs]
        names = [output_name(item) for item in select_items]
        keys, extra = self._order_keys(node, compiler, outputs, names, select_items)
        _check_distinct_order(node, extra)
        distinct_on = self._distinct_on(node, compiler, outputs, extra)
        root = ops.Project(source, self.ns, filter_code, outputs + extra)
        return self._finish_select(node, root, names, [c.type for c in outputs], keys,
                                   len(outputs), scope, distinct_on)

    def _distinct_on(self, node, compiler, outputs, extra) -> list | None:
        """Functions giving each DISTINCT ON expression from a projected row (their values
        are appended to the projection)."""
        distinct = node.args.get("distinct")
        on = distinct.args.get("on") if distinct is not None else None
        if on is None:
            return None
        items = on.expressions if isinstance(on, exp.Tuple) else [on]
        fns = []
        for item in items:
            code = compiler.compile(item)
            extra.append(code)
            fns.append(self.ns.function(f"r[{len(outputs) + len(extra) - 1}]"))
        return fns

    def _output_type(self, code: Code, compiler: ExprCompiler) -> Code:
        if code.type == UNKNOWN and not self.keep_unknown:
            return compiler.coerce(code, TEXT)
        return code

    def _finish_select(self, node, root, names, types, keys, width, scope,
                       distinct_on: list | None = None) -> QueryPlan:
        if distinct_on:
            # sort first (ORDER BY must start with the DISTINCT ON expressions), then keep
            # the first row of each group
            if keys:
                root = ops.Sort(root, keys, 0)
            root = ops.DistinctOn(root, distinct_on, width)
        elif node.args.get("distinct") is not None:
            root = ops.Distinct(root, width)
            if keys:
                root = ops.Sort(root, keys, width)
        elif keys:
            root = ops.Sort(root, keys, width)
        elif width != _row_width(root, width):
            root = ops.Trim(root, width)
        root = self._limit(node, root)
        return QueryPlan(root, names, types, self.ns, scope)

    def _and_all(self, compiler: ExprCompiler, conditions: list,
                 clause: str = "WHERE") -> Code | None:
        if not conditions:
            return None
        node = conditions[0]
        for extra in conditions[1:]:
            node = exp.And(this=node, expression=extra)
        return compiler.predicate(node, clause)

    def _expand_stars(self, items, scope: Scope) -> list:
        out = []
        for item in items:
            if isinstance(item, exp.Star):
                fields = [f for f in scope.fields if not f.hidden]
            elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
                table = item.table
                if table not in scope.tables():
                    raise UndefinedTableError(f'missing FROM-clause entry for table "{table}"')
                fields = [f for f in scope.fields if f.table == table]
            else:
                out.append(item)
                continue
            if not fields and isinstance(item, exp.Star) and not scope.fields:
                raise SqlSyntaxError("SELECT * with no tables specified is not valid")
            for f in fields:
                column = exp.column(f.name, table=f.table, quoted=True) if f.table \
                    else exp.column(f.name, quoted=True)
                out.append(exp.alias_(column, f.name, quoted=True))
        return out

    def _order_keys(self, node, compiler, outputs, names, select_items):
        """Sort keys: output positions, output names, or expressions over the input."""
        order = node.args.get("order")
        if order is None:
            return [], []
        keys, extra = [], []
        for item in order.expressions:
            target = item.this
            index = None
            if isinstance(target, exp.Literal) and not target.is_string:
                index = int(target.this) - 1
                if not 0 <= index < len(outputs):
                    raise InvalidColumnReferenceError(
                        f"ORDER BY position {index + 1} is not in select list")
            elif isinstance(target, exp.Column) and not target.table and \
                    target.name in names:
                index = names.index(target.name)
                shapes = {output.text for output, name in zip(outputs, names)
                          if name == target.name}
                if len(shapes) > 1:  # two different output columns of that name
                    error = AmbiguousColumnError(f'ORDER BY "{target.name}" is ambiguous')
                    error.node = target
                    raise error
            if index is not None:
                keys.append(self._sort_key(item, Code(f"r[{index}]", outputs[index].type)))
                continue
            code = compiler.compile(target)
            position = len(outputs) + len(extra)
            extra.append(code)
            keys.append(self._sort_key(item, Code(f"r[{position}]", code.type)))
        return keys, extra

    def _sort_key(self, item: exp.Ordered, code: Code) -> ops.SortKey:
        descending = bool(item.args.get("desc"))
        nulls_first = item.args.get("nulls_first")
        if nulls_first is None:
            nulls_first = descending
        return ops.SortKey(self.ns.function(code.text), descending, bool(nulls_first),
                           has_nan(code.type))

    # GROUP BY ---------------------------------------------------------------------------

    def _push_virtual(self, source, scope: Scope, conditions: list) -> list:
        """`col = constant` on all of a system table's pushable columns: hand the values to
        the scan (diff_<t> then diffs exactly that pair of revisions)."""
        found, used = {}, []
        compiler = ExprCompiler(self, Scope([], scope.parent), self.ns)
        for cond in conditions:
            if not isinstance(cond, exp.EQ):
                continue
            for column, value in ((cond.this, cond.expression), (cond.expression, cond.this)):
                if isinstance(column, exp.Column) and column.name in source.table.pushable \
                        and column.name not in found:
                    try:
                        code = compiler.coerce(compiler.compile(value), TEXT)
                    except RowdbError:
                        continue
                    found[column.name] = self.ns.function(code.text)
                    used.append(cond)
                    break
        if set(found) != set(source.table.pushable):
            return conditions
        source.pushed = found
        return [c for c in conditions if not any(c is u for u in used)]

    # Key ranges -------------------------------------------------------------------------

    def _push_key_range(self, source, scope, conditions):
        if not isinstance(source, ops.TableScan):
            return source, conditions
        table = self.tables[source.table]
        found = key_range(self, table, scope, conditions)
        if found is None:
            return source, conditions
        source.key_range = found
        return source, conditions


def _no_versions(value, kind):
    raise NotSupportedError("AS OF is not available here")


def _check_distinct_order(node, extra: list) -> None:
    distinct = node.args.get("distinct")
    if extra and distinct is not None and distinct.args.get("on") is None:
        raise InvalidColumnReferenceError(
            "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
    on = distinct.args.get("on") if distinct is not None else None
    order = node.args.get("order")
    if on is not None and order is not None:
        wanted = {e.sql("postgres") for e in (on.expressions if isinstance(on, exp.Tuple)
                                                else [on])}
        leading = [o.this.sql("postgres") for o in order.expressions][:len(wanted)]
        if not set(leading) <= wanted or len(leading) < min(len(wanted),
                                                             len(order.expressions)):
            raise InvalidColumnReferenceError(
                "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")


def _row_width(root, width: int) -> int:
    return getattr(root, "width", width)


def _check_lockable(node: exp.Select, aggregates) -> None:
    """FOR UPDATE/SHARE (a no-op here: transactions read snapshots and conflicts are found
    at commit) is refused where PostgreSQL refuses it: rows that are not table rows."""
    for clause, present in (("DISTINCT clause", node.args.get("distinct")),
                            ("GROUP BY clause", node.args.get("group")),
                            ("HAVING clause", node.args.get("having")),
                            ("aggregate functions", aggregates)):
        if present:
            raise NotSupportedError(f"FOR UPDATE is not allowed with {clause}")


def _row_count(compiler, node, clause: str):
    """A LIMIT or OFFSET value: numbers and untyped literals become bigint, other types
    are refused (42804) as PostgreSQL does."""
    code = compiler.compile(node)
    if code.type != UNKNOWN and code.type.category != "N":
        error = DatatypeMismatchError(
            f"argument of {clause} must be type bigint, not type {code.type}")
        error.node = node
        raise error
    return compiler.coerce(code, INT8)
