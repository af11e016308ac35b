"""Planning the FROM clause: tables, CTEs, derived tables, VALUES, and joins.

Where: query layer; a mixin of plan.Planner. Each FROM item becomes an operator plus the
Scope of the row it yields; joins concatenate rows (left fields, then right), pick a hash
join when the condition has equalities between the two sides, and USING/NATURAL joins put
one merged column per joined name first, as PostgreSQL shows them.
"""

from __future__ import annotations

from dataclasses import replace

from sqlglot import exp

from rowdb.errors import (DuplicateAliasError, NotSupportedError, RowdbError,
                          UndefinedFunctionError,
                          SyntaxError as SqlSyntaxError, UndefinedColumnError,
                          UndefinedTableError)
from rowdb.query import operators as ops, setfuncs
from rowdb.query.compile import Code, ExprCompiler
from rowdb.query.scope import Field, Scope
from rowdb.query.systables import table_function, virtual_table
from rowdb.query.types import (INT4, INT8, INTERVAL, TEXT, TIMESTAMP, TIMESTAMPTZ,
                               parse_type_name)


class FromPlanner:
    """FROM-clause planning for Planner (uses its query, ns, tables, ctes, _and_all)."""

    # FROM -------------------------------------------------------------------------------

    def _from(self, node: exp.Select, outer: Scope | None, conditions: list):
        """The FROM clause's operator and scope, and the WHERE conjuncts still to apply.

        When every join is an inner one (commas, CROSS, INNER ... ON), conjuncts move down:
        those naming one table filter its scan (and bound its key range), and those naming
        tables on both sides of a join become that join's condition (a hash join on
        equalities), so `FROM a, b, c WHERE a.x = b.y AND ...` never forms a cross product."""
        from_ = node.args.get("from_") or node.args.get("from")
        if from_ is None:
            return ops.OneRow(), Scope([], outer), conditions
        joins = node.args.get("joins") or []
        if not joins or not all(_inner(j) for j in joins):
            source, scope = self._relation(from_.this, outer)
            for join in joins:
                source, scope = self._join(source, scope, join, outer)
            return source, scope, conditions
        relations = [self._relation(from_.this, outer)] + \
            [self._relation(j.this, outer) for j in joins]
        pool = list(conditions)
        for join in joins:
            if join.args.get("on") is not None:
                pool += conjuncts(join.args["on"])
        every = Scope([f for _, s in relations for f in s.fields], outer)
        tables = [_tables_of(c, every) for c in pool]
        filtered = []
        for source, scope in relations:
            names = set(scope.tables())
            mine = [c for c, t in zip(pool, tables) if t is not None and t and t <= names]
            filtered.append(self._filter_relation(source, scope, mine))
            pool, tables = _without(pool, tables, mine)
        source, scope = filtered[0]
        for right, right_scope in filtered[1:]:
            _check_overlap(scope, right_scope)
            names = set(scope.tables()) | set(right_scope.tables())
            mine = [c for c, t in zip(pool, tables) if t is not None and t <= names]
            pool, tables = _without(pool, tables, mine)
            source, scope = self._combine(source, scope, right, right_scope, mine, "inner",
                                          outer)
        return source, scope, pool

    def _filter_relation(self, source, scope: Scope, conditions: list):
        """A FROM item with the conjuncts that concern only it applied at its scan."""
        if not conditions:
            return source, scope
        source, conditions = self._push_key_range(source, scope, conditions)
        if not conditions:
            return source, scope
        compiler = ExprCompiler(self, scope, self.ns)
        code = self._and_all(compiler, conditions, "WHERE")
        identity = [Code(f"r[{i}]", f.type) for i, f in enumerate(scope.fields)]
        return ops.Project(source, self.ns, code, identity), scope

    def _relation(self, node, outer: Scope | None):
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous):
            return self._table_function(node, outer)
        if isinstance(node, exp.Table) and isinstance(
                node.this, (exp.ExplodingGenerateSeries, exp.GenerateSeries)):
            return self._generate_series(node, outer)
        if isinstance(node, exp.Table):
            name = node.name
            alias = node.alias or name
            for frame in reversed(self.ctes):
                if name in frame and not node.db:
                    plan = frame[name]
                    fields = [Field(n, alias, t) for n, t in zip(plan.names, plan.types)]
                    return ops.SubqueryScan(plan), Scope(fields, outer)
            version = node.args.get("version")
            if version is not None:
                return self._as_of(node, alias, version, outer)
            table = self.tables.get(name)
            if table is None:
                virtual = virtual_table(name, self.tables)
                if virtual is None:
                    raise UndefinedTableError(f'relation "{name}" does not exist')
                fields = [Field(n, alias, t) for n, t in virtual.columns]
                return ops.VirtualScan(self.ns, virtual), Scope(fields, outer)
            column_aliases = [c.name for c in node.args["alias"].columns] \
                if node.args.get("alias") is not None and node.args["alias"].columns else []
            fields = []
            for i, column in enumerate(table.columns):
                shown = column_aliases[i] if i < len(column_aliases) else column.name
                fields.append(Field(shown, alias, parse_type_name(column.type),
                                    not column.not_null,
                                    key=not table.keyless and i in table.primary_key))
            return ops.TableScan(self.ns, name), Scope(fields, outer)
        if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Table) and \
                not node.alias:
            # A parenthesised join, `a LEFT JOIN (b JOIN c ON ...) ON ...`: sqlglot hangs
            # the inner joins on its first table. Its tables stay visible by their names.
            table = node.this.copy()
            joins = table.args.get("joins") or []
            table.set("joins", None)
            inner = exp.Select(expressions=[exp.Star()], joins=joins)
            inner.set("from_", exp.From(this=table))
            source, scope, rest = self._from(inner, outer, [])
            if rest:
                raise NotSupportedError("a condition of a parenthesised join could not be "
                                        "placed")
            return source, scope
        if isinstance(node, exp.Subquery):
            plan = self.query(node.this, outer)
            alias = node.alias
            if not alias:
                raise SqlSyntaxError("subquery in FROM must have an alias")
            names = [c.name for c in node.args["alias"].columns] \
                if node.args["alias"].columns else plan.names
            names = names + plan.names[len(names):]
            fields = [Field(n, alias, t) for n, t in zip(names, plan.types)]
            return ops.SubqueryScan(plan), Scope(fields, outer)
        if isinstance(node, exp.Values):
            plan = self._values(node, outer)
            alias = node.alias or "*VALUES*"
            names = [c.name for c in node.args["alias"].columns] \
                if node.args.get("alias") is not None and node.args["alias"].columns \
                else plan.names
            fields = [Field(n, alias, t) for n, t in zip(names, plan.types)]
            return ops.SubqueryScan(plan), Scope(fields, outer)
        raise NotSupportedError(f"unsupported FROM item: {node.sql('postgres')[:80]}")

    def _generate_series(self, node, outer):
        """generate_series(start, stop [, step]) over integers."""
        call = node.this
        scope = Scope([], outer)  # marked correlated if the bounds read an outer row
        compiler = ExprCompiler(self, scope, self.ns)
        parts = [call.args.get("start"), call.args.get("end"), call.args.get("step")]
        codes = [compiler.compile(p) for p in parts if p is not None]
        if any(c.type.category == "D" for c in codes[:2]):
            scan, result = self._moment_series(compiler, codes)
        else:
            if any(c.type.category != "N" or c.type.name not in ("int2", "int4", "int8")
                   for c in codes if c.type.name != "unknown"):
                raise NotSupportedError("generate_series is supported over integers and "
                                        "timestamps only")
            result = INT8 if any(c.type == INT8 for c in codes) else INT4
            codes = [compiler.coerce(c, INT8) for c in codes]
            scan = ops.Series(self.ns.function(f"[{', '.join(c.text for c in codes)}]"))
        alias = node.alias or "generate_series"
        columns = node.args["alias"].columns if node.args.get("alias") is not None else []
        name = columns[0].name if columns else ("generate_series" if not node.alias else alias)
        scope.fields = [Field(name, alias, result, False)]
        return scan, scope

    def _moment_series(self, compiler, codes):
        """generate_series(start, stop, step interval) over timestamps: timestamp when both
        ends are, else timestamp with time zone (dates go there, as in PostgreSQL)."""
        from rowdb.query.datetime_sql import arith_helper
        if len(codes) != 3:
            raise UndefinedFunctionError("function generate_series(" + ", ".join(
                str(c.type) for c in codes) + ") does not exist")
        ends = {c.type.name for c in codes[:2]} - {"unknown"}
        result = TIMESTAMP if ends == {"timestamp"} else TIMESTAMPTZ
        start, stop = (compiler.coerce(c, result) for c in codes[:2])
        step = compiler.coerce(codes[2], INTERVAL)
        if step.type != INTERVAL:
            raise UndefinedFunctionError(f"function generate_series({result}, {result}, "
                                         f"{step.type}) does not exist")
        bounds = self.ns.function(f"[{start.text}, {stop.text}, {step.text}]")
        return ops.MomentSeries(bounds, arith_helper("+", result, INTERVAL)), result

    def _table_function(self, node, outer):
        """rowdb_diff(...), rowdb_diff_stat(...), rowdb_schema_diff(...) in FROM, and the
        set-returning functions of setfuncs.py."""
        call = node.this
        name = call.name.lower()
        if name in setfuncs.SET_RETURNING:
            return setfuncs.plan(self, node, outer)
        compiler = ExprCompiler(self, Scope([], outer), self.ns)
        codes = [compiler.coerce(compiler.compile(a), TEXT) for a in call.expressions]
        constants = [c.value if c.const else None for c in codes]
        virtual = table_function(name, constants, self.tables)
        if virtual is None:
            raise UndefinedFunctionError(f"function {name} does not exist")
        scan = ops.VirtualScan(self.ns, virtual)
        scan.arguments = self.ns.function(f"[{', '.join(c.text for c in codes)}]")
        alias = node.alias or name
        return scan, Scope([Field(n, alias, t) for n, t in virtual.columns], outer)

    def _as_of(self, node, alias: str, version, outer):
        """`t AS OF 'rev'` / `FOR SYSTEM_TIME AS OF TIMESTAMP '...'`: the table as that
        revision held it. The revision is resolved now, so the plan is not cached."""
        self.cacheable = False
        compiler = ExprCompiler(self, Scope([], outer), self.ns)
        code = compiler.compile(version.expression)
        if not code.const:
            raise NotSupportedError("AS OF needs a constant revision")
        root = self.resolve_as_of(code.value, str(version.this).upper())
        table = root.tables.get(node.name)
        if table is None:
            raise UndefinedTableError(f'relation "{node.name}" does not exist',
                                      detail=f"not in revision {code.value}")
        fields = [Field(c.name, alias, parse_type_name(c.type), not c.not_null)
                  for c in table.columns]
        return ops.AsOfScan(self.ns, table), Scope(fields, outer)

    def _join(self, left, left_scope: Scope, join: exp.Join, outer, right=None):
        if right is None:
            right = self._relation(join.this, outer)
        right, right_scope = right
        _check_overlap(left_scope, right_scope)
        side = (join.args.get("side") or "").upper()
        kind = (join.args.get("kind") or "").upper()
        using = [ident.name for ident in join.args.get("using") or []]
        if (join.args.get("method") or "").upper() == "NATURAL":
            right_names = {f.name for f in right_scope.fields if not f.hidden}
            using = [f.name for f in left_scope.fields if not f.hidden and f.name in right_names]
        pairs = self._using_pairs(using, left_scope, right_scope)
        if pairs:
            conditions = [exp.EQ(this=_field_column(left_scope.fields[li]),
                                 expression=_field_column(right_scope.fields[ri]))
                          for li, ri in pairs]
        else:
            condition = join.args.get("on")
            conditions = conjuncts(condition) if condition is not None else []
        join_kind = {"LEFT": "left", "RIGHT": "right", "FULL": "full"}.get(side, "inner")
        if kind == "CROSS":
            conditions = []
        op, scope = self._combine(left, left_scope, right, right_scope, conditions, join_kind,
                                  outer)
        if pairs:
            return self._merge_using(op, scope, pairs, len(left_scope.fields), join_kind,
                                     outer)
        return op, scope

    def _combine(self, left, left_scope, right, right_scope, conditions, join_kind, outer):
        """Join two planned inputs on `conditions`: a hash join on its equalities between the
        sides (the rest checked per joined row), else a nested loop."""
        # The NULL-extended side of an outer join may be NULL, NOT NULL columns too.
        left_fields, right_fields = left_scope.fields, right_scope.fields
        if join_kind in ("right", "full"):
            left_fields = [replace(f, nullable=True) for f in left_fields]
        if join_kind in ("left", "full"):
            right_fields = [replace(f, nullable=True) for f in right_fields]
        scope = Scope(left_fields + right_fields, outer)
        scope.correlated = left_scope.correlated or right_scope.correlated  # f(outer.x)
        width_left, width_right = len(left_scope.fields), len(right_scope.fields)
        if not conditions and join_kind == "inner":
            return ops.NestedLoopJoin(left, right, None, "inner", width_left, width_right), scope
        compiler = ExprCompiler(self, scope, self.ns)
        equi, rest = [], []
        for cond in conditions:
            pair = self._equi_pair(cond, left_scope, right_scope, width_left)
            (equi if pair else rest).append(pair or cond)
        residual = self._and_all(compiler, rest, "JOIN/ON")
        residual_fn = self.ns.function(residual.text) if residual else None
        if equi:
            left_keys = _batch_keys(self.ns, [p[0] for p in equi])
            right_keys = _batch_keys(self.ns, [p[1] for p in equi])
            return ops.HashJoin(left, right, left_keys, right_keys, residual_fn, join_kind,
                                width_left, width_right), scope
        return ops.NestedLoopJoin(left, right, residual_fn, join_kind, width_left,
                                  width_right), scope

    def _using_pairs(self, names: list[str], left_scope: Scope, right_scope: Scope):
        pairs = []
        for name in names:
            li, ri = left_scope.find(name, None), right_scope.find(name, None)
            if li is None or ri is None:
                raise UndefinedColumnError(
                    f'column "{name}" specified in USING clause does not exist in '
                    f'{"left" if li is None else "right"} table')
            pairs.append((li, ri))
        return pairs

    def _merge_using(self, op, scope: Scope, pairs, width_left: int, join_kind: str, outer):
        """USING/NATURAL: one merged column per pair (COALESCE of both sides, as PostgreSQL
        shows it), first; the joined columns stay reachable by their table names."""
        merged_codes, merged_fields = [], []
        for li, ri in pairs:
            lf, rf = scope.fields[li], scope.fields[width_left + ri]
            a, b = f"r[{li}]", f"r[{width_left + ri}]"
            text = a if join_kind in ("inner", "left") else \
                b if join_kind == "right" else f"({a} if {a} is not None else {b})"
            merged_codes.append(Code(text, lf.type, True))
            merged_fields.append(Field(lf.name, None, lf.type, lf.nullable or rf.nullable))
        hide = {li for li, _ in pairs} | {width_left + ri for _, ri in pairs}
        rest = [Field(f.name, f.table, f.type, f.nullable, f.hidden or i in hide)
                for i, f in enumerate(scope.fields)]
        codes = merged_codes + [Code(f"r[{i}]", f.type) for i, f in enumerate(scope.fields)]
        project = ops.Project(op, self.ns, None, codes)
        merged = Scope(merged_fields + rest, outer)
        merged.correlated = scope.correlated
        return project, merged

    def _equi_pair(self, cond, left_scope, right_scope, width_left):
        """For `l = r` between the two sides: (left key code, right key code)."""
        if not isinstance(cond, exp.EQ):
            return None
        sides = []
        for operand in (cond.this, cond.expression):
            scope_side = None
            for s_name, s_scope in (("left", left_scope), ("right", right_scope)):
                try:
                    ExprCompiler(self, Scope(s_scope.fields), self.ns).compile(operand)
                    if scope_side is None:
                        scope_side = s_name
                except Exception:
                    continue
            sides.append(scope_side)
        if sides == ["left", "right"]:
            lc = ExprCompiler(self, Scope(left_scope.fields), self.ns).compile(cond.this)
            rc = ExprCompiler(self, Scope(right_scope.fields), self.ns).compile(cond.expression)
        elif sides == ["right", "left"]:
            lc = ExprCompiler(self, Scope(left_scope.fields), self.ns).compile(cond.expression)
            rc = ExprCompiler(self, Scope(right_scope.fields), self.ns).compile(cond.this)
        else:
            return None
        if lc.type != rc.type and not (lc.type.category == rc.type.category == "N"
                                       and "numeric" not in (lc.type.name, rc.type.name)
                                       and lc.type.name not in ("float4", "float8")
                                       and rc.type.name not in ("float4", "float8")):
            if lc.type.category != rc.type.category or "S" != lc.type.category:
                return None
        return lc.text, rc.text


def _inner(join: exp.Join) -> bool:
    return not join.args.get("side") and not join.args.get("using") and \
        (join.args.get("method") or "").upper() != "NATURAL" and \
        (join.args.get("kind") or "").upper() in ("", "INNER", "CROSS")


def _check_overlap(left: Scope, right: Scope) -> None:
    overlap = set(left.tables()) & set(right.tables())
    if overlap:
        raise DuplicateAliasError(f'table name "{overlap.pop()}" specified more than once')


def _tables_of(condition, scope: Scope) -> set | None:
    """The FROM tables a conjunct reads (None when it cannot be placed: a subquery, or a
    name that does not resolve to exactly one field here)."""
    if condition.find(exp.Select, exp.Subquery, exp.Exists) is not None:
        return None
    found = set()
    for column in condition.find_all(exp.Column):
        if isinstance(column.this, exp.Star):
            return None
        table = column.table or None
        try:
            depth, index, _ = scope.resolve(column.name, table)
        except RowdbError:
            return None
        if depth == 0:
            found.add(scope.fields[index].table)
    return found


def _without(pool: list, tables: list, used: list):
    keep = [(c, t) for c, t in zip(pool, tables) if not any(c is u for u in used)]
    return [c for c, _ in keep], [t for _, t in keep]


def conjuncts(node) -> list:
    if isinstance(node, exp.And):
        return conjuncts(node.this) + conjuncts(node.expression)
    if isinstance(node, exp.Paren) and isinstance(node.this, exp.And):
        return conjuncts(node.this)
    return [node]


def _batch_keys(ns, texts: list[str]):
    """(rows, o) -> each row's join key: the value itself for one column (None when NULL),
    a tuple for several (None when any part is NULL: it matches nothing)."""
    if len(texts) == 1:
        return ns.values_function(texts[0])
    key = f"({', '.join(texts)},)"
    return ns.function(f"[(None if None in (k := {key}) else k) for r in rows]", "rows, o")


def _field_column(field: Field) -> exp.Column:
    return exp.column(field.name, table=field.table, quoted=True)
