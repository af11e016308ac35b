"""DML on conflicts_<t>: settling merge conflicts row by row.

Where: query layer; dml.plan_dml sends UPDATE and DELETE on a `conflicts_<t>` system table
here. DELETE settles the matching conflicts, keeping the rows the working set has now.
UPDATE sets `our_<col>` values, which writes that row of table t (the merge keeps ours), and
leaves the conflict for a DELETE (or rowdb_conflicts_resolve) to settle, as Dolt does.
"""

from __future__ import annotations

from sqlglot import exp

from rowdb.errors import NotSupportedError
from rowdb.query.compile import ExprCompiler
from rowdb.query.dml import Changes, DmlPlan, _assign, _not_null
from rowdb.query.plan import Planner
from rowdb.query.scope import Field, Scope
from rowdb.query.types import parse_type_name
from rowdb.storage.keys import encode_key

PREFIX = "conflicts_"


def targets_conflicts(node, tables: dict) -> bool:
    name = node.this.name
    return name not in tables and name.startswith(PREFIX) and name[len(PREFIX):] in tables


def plan(planner: Planner, node, tables) -> DmlPlan:
    if isinstance(node, exp.Delete):
        return ConflictDeletePlan(planner, node, tables)
    return ConflictUpdatePlan(planner, node, tables)


class _ConflictPlan(DmlPlan):
    def __init__(self, planner: Planner, node, tables):
        name = node.this.name
        self.base = tables[name[len(PREFIX):]]
        self.width = len(self.base.columns)
        select = exp.Select(expressions=[exp.Star()])
        select.set("from_", exp.From(this=node.this.copy()))
        if node.args.get("where") is not None:
            select.set("where", node.args["where"].copy())
        self.match = planner.query(select)
        super().__init__(name, planner.ns)

    def _key(self, row: tuple) -> bytes:
        """The conflicting row's key, from whichever of ours, theirs, base it exists in."""
        width = self.width
        positions = self.base.primary_key or tuple(range(width))
        for offset in (width, 2 * width + 1, 0):
            part = row[offset:offset + width]
            if any(v is not None for v in part):
                return encode_key(tuple(part[i] for i in positions))
        return b""


class ConflictDeletePlan(_ConflictPlan):
    def run(self, workspace, staged=None) -> tuple[int, list[tuple]]:  # acts at once
        from rowdb.vc import mergeops

        keys = {self._key(row) for batch in self.match.batches(()) for row in batch}
        session = self.ns["X"].session
        return mergeops.forget(session.store, session.branch, self.base.name, keys), []


class ConflictUpdatePlan(_ConflictPlan):
    def __init__(self, planner: Planner, node: exp.Update, tables):
        super().__init__(planner, node, tables)
        scope = Scope([Field(n, f.table, f.type, f.nullable)
                       for n, f in zip(self.match.names, self.match.scope.fields)])
        compiler = ExprCompiler(planner, scope, planner.ns)
        self.types = [parse_type_name(c.type) for c in self.base.columns]
        self.sets = []
        for assignment in node.expressions:
            column = assignment.this.name
            if not column.startswith("our_") or \
                    self.base.column_index(column[4:]) is None:
                raise NotSupportedError(
                    f"only the our_<column> values of {node.this.name} can be updated")
            index = self.base.column_index(column[4:])
            code = compiler.compile(assignment.expression, self.types[index])
            self.sets.append((index, planner.ns.function(code.text), code.type))

    def run(self, workspace, staged=None) -> tuple[int, list[tuple]]:  # acts at once
        view = workspace.view(self.base.name)
        changes = Changes(view)
        table, codec, width = view.table, view.codec, self.width
        count = 0
        for batch in self.match.batches(()):
            for row in batch:
                ours = list(row[width:2 * width])
                for index, fn, source_type in self.sets:
                    ours[index] = _assign(fn(row, ()), source_type, self.types[index],
                                          table.columns[index].name)
                ours = tuple(ours)
                _not_null(table, ours)
                key = codec.key(ours)
                if key != self._key(row):
                    raise NotSupportedError("updating a conflict may not change its key")
                changes.put(key, ours)
                count += 1
        view.stage(changes.finish())
        return count, []
