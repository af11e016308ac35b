"""UPDATE (with FROM) and DELETE (with USING): the target rows are found by an ordinary
query over the target joined with the other tables, then changed as one batch.

Where: query layer; dml.plan_dml builds these plans, the session runs them per execution
(`DmlPlan.run`). Changes collect in a dml.Changes and reach the table view only when the
whole statement succeeded.
"""

from __future__ import annotations

from sqlglot import exp

from rowdb.errors import UndefinedTableError
from rowdb.query.compile import ExprCompiler
from rowdb.query.dml import (DmlPlan, _assign, _assignments, _duplicate, _not_null,
                             _returning)
from rowdb.query.plan import Planner
from rowdb.query.scope import Field, Scope
from rowdb.query.types import parse_type_name


class _MatchPlan(DmlPlan):
    """Shared by UPDATE and DELETE: a query yielding target rows (plus FROM/USING rows)."""

    def _match(self, planner: Planner, node, extra_from: list, tables):
        target = node.this
        name = target.name
        table = tables.get(name)
        if table is None:
            raise UndefinedTableError(f'relation "{name}" does not exist')
        self.table_def = table
        alias = target.alias or None
        select = exp.Select(expressions=[exp.Star()])
        select.set("from_", exp.From(this=target.copy()))
        joins = []
        for item in extra_from:  # `FROM a JOIN b ON ...`: sqlglot hangs the joins on `a`
            item = item.copy()
            nested = item.args.get("joins") or []
            item.set("joins", None)
            joins.append(exp.Join(this=item))
            joins.extend(nested)
        if joins:
            select.set("joins", joins)
        where = node.args.get("where")
        if where is not None:
            select.set("where", where.copy())
        plan = planner.query(select)
        self.width = len(table.columns)
        scope = Scope([Field(n, f.table, f.type, f.nullable)
                       for n, f in zip(plan.names, plan.scope.fields)])
        return plan, scope, alias


class UpdatePlan(_MatchPlan):
    def __init__(self, planner: Planner, node: exp.Update, tables):
        from_ = node.args.get("from_") or node.args.get("from")
        extra = [from_.this] + [j.this for j in from_.args.get("joins") or []] if from_ else []
        self.match, scope, alias = self._match(planner, node, extra, tables)
        table = self.table_def
        self.column_types = [parse_type_name(c.type) for c in table.columns]
        compiler = ExprCompiler(planner, scope, planner.ns)
        self.sets = _assignments(planner, compiler, table, self.column_types, node.expressions)
        returning, names, types = _returning(planner, node, scope)
        super().__init__(table.name, planner.ns, returning, names, types)

    def _run(self, view, changes):
        table, codec = view.table, view.codec
        done: set[bytes] = set()
        out, count = [], 0
        width = self.width
        for batch in self.match.batches(()):
            for joined in batch:
                old = joined[:width]
                key = codec.key(old)
                if not codec.keyless and key in done:
                    continue
                new = list(old)
                for index, fn, source_type in self.sets:
                    new[index] = _assign(fn(joined, ()), source_type, self.column_types[index],
                                         table.columns[index].name)
                new = tuple(new)
                _not_null(table, new)
                new_key = codec.key(new)
                if new_key != key and not codec.keyless and (
                        new_key in done or changes.current(new_key) is not None):
                    raise _duplicate(table, new)  # the primary key first, as PostgreSQL
                changes.check_unique(new_key, new, old, key)
                if new_key != key and not codec.keyless:
                    changes.delete(key, old)
                elif codec.keyless:
                    changes.delete(key, old)
                changes.put(new_key, new)
                done.add(new_key)
                count += 1
                if self.returning is not None:
                    out.append(new + joined[width:])
        return count, self._returning(out)


class DeletePlan(_MatchPlan):
    def __init__(self, planner: Planner, node: exp.Delete, tables):
        using = node.args.get("using") or []
        self.match, scope, alias = self._match(planner, node, list(using), tables)
        returning, names, types = _returning(planner, node, scope)
        super().__init__(self.table_def.name, planner.ns, returning, names, types)

    def _run(self, view, changes):
        codec = view.codec
        done: set[bytes] = set()
        out, count = [], 0
        width = self.width
        for batch in self.match.batches(()):
            for joined in batch:
                old = joined[:width]
                key = codec.key(old)
                if not codec.keyless:
                    if key in done:
                        continue
                    done.add(key)
                changes.delete(key, old)
                count += 1
                if self.returning is not None:
                    out.append(joined)
        return count, self._returning(out)
