"""DML: INSERT (with ON CONFLICT), UPDATE (with FROM), DELETE (with USING), RETURNING.

Where: query layer; the session plans a DML statement once (`plan_dml`) and runs it per
execution (`DmlPlan.run`). Rows to change are found with ordinary query plans (plan.py);
the statement's changes collect in a `Changes` object and reach the table views only when
the whole statement succeeded, so a failing statement changes nothing.
"""

from __future__ import annotations

from sqlglot import exp

from rowdb.errors import (CardinalityViolationError, DatatypeMismatchError, DuplicateColumnError,
                          InvalidColumnReferenceError, NotNullViolationError,
                          NotSupportedError, SyntaxError as SqlSyntaxError,
                          UndefinedColumnError, UndefinedObjectError, UndefinedTableError,
                          UniqueViolationError)
from rowdb.query import defaults
from rowdb.query.code import Code
from rowdb.query.compile import ExprCompiler
from rowdb.query.names import output_name
from rowdb.query.plan import DEFAULT, Planner
from rowdb.query.scope import Field, Scope
from rowdb.query.types import assignment_cast, assignment_cast_function, parse_type_name
from rowdb.query.textio import format_value


class Changes:
    """One statement's row changes to one table: key -> new value bytes (None deletes)."""

    def __init__(self, view):
        self.view = view
        self.codec = view.codec
        self.values: dict[bytes, bytes | None] = {}
        self.counts: dict[bytes, list] = {}  # keyless: key -> [row, count delta]

        self._unique: list[dict] | None = None  # per UNIQUE set: values -> primary key

    def check_unique(self, key: bytes, row: tuple, old: tuple | None = None,
                     old_key: bytes | None = None) -> None:
        """UNIQUE constraints beside the primary key: refuse a row whose unique columns
        equal another row's. The index is built once per statement from a scan (tables
        gain secondary indexes later)."""
        table = self.view.table
        if not table.unique:
            return
        for number, (index, columns) in enumerate(zip(self._unique_indexes(), table.unique)):
            if old is not None:
                previous = tuple(old[i] for i in columns)
                if index.get(previous) == (key if old_key is None else old_key):
                    del index[previous]
            values = tuple(row[i] for i in columns)
            if None in values:
                continue
            holder = index.get(values)
            # A keyless row's key is its content (its own entry is gone from the index by
            # now): any holder is another row, even one with the same content.
            if holder is not None and (holder != key or table.keyless):
                names = ", ".join(table.columns[i].name for i in columns)
                shown = ", ".join(_show(row[i], table.columns[i]) for i in columns)
                raise UniqueViolationError(
                    f'duplicate key value violates unique constraint '
                    f'"{table.unique_constraint(number)}"',
                    detail=f"Key ({names})=({shown}) already exists.")
            index[values] = key

    def _unique_indexes(self) -> list[dict]:
        if self._unique is None:
            table = self.view.table
            self._unique = [{} for _ in table.unique]
            for stored_key, value in self.view.scan_entries():
                stored = self.codec.decode_one(value)
                for index, columns in zip(self._unique, table.unique):
                    values = tuple(stored[i] for i in columns)
                    if None not in values:
                        index[values] = stored_key
        return self._unique

    def unique_holder(self, columns: tuple, row: tuple) -> bytes | None:
        """The primary key of the row whose UNIQUE `columns` equal `row`'s, if any."""
        values = tuple(row[i] for i in columns)
        if None in values:
            return None
        index = self._unique_indexes()[self.view.table.unique.index(columns)]
        return index.get(values)

    def current(self, key: bytes) -> bytes | None:
        if key in self.values:
            return self.values[key]
        return self.view.get_value(key)

    def put(self, key: bytes, row: tuple) -> None:
        if self.codec.keyless:
            self._count(key, row, 1)
        else:
            self.values[key] = self.codec.value(row)

    def delete(self, key: bytes, row: tuple) -> None:
        if self.codec.keyless:
            self._count(key, row, -1)
        else:
            self.values[key] = None

    def _count(self, key, row, delta):
        entry = self.counts.get(key)
        if entry is None:
            self.counts[key] = [row, delta]
        else:
            entry[1] += delta

    def finish(self) -> dict[bytes, bytes | None]:
        out = dict(self.values)
        for key, (row, delta) in self.counts.items():
            if not delta:
                continue
            stored = self.view.get_value(key)
            count = (self.codec.count_of(stored) if stored is not None else 0) + delta
            out[key] = self.codec.value(row, count) if count > 0 else None
        return out


class DmlPlan:
    """A planned INSERT/UPDATE/DELETE; `run` executes it and returns (count, rows)."""

    def __init__(self, table: str, ns, returning=None, names=(), types=()):
        self.table = table
        self.ns = ns
        self.returning = returning
        self.names = list(names)
        self.types = list(types)

    def run(self, workspace, staged: list | None = None) -> tuple[int, list[tuple]]:
        """Run; the changes go into the workspace now, or, given `staged`, are appended to
        it as (view, changes) for the caller to stage later (WITH ... DELETE: the main
        statement reads the tables as they were)."""
        view = workspace.view(self.table)
        changes = Changes(view)
        count, returned = self._run(view, changes)
        if staged is None:
            view.stage(changes.finish())
        else:
            staged.append((view, changes.finish()))
        return count, returned

    def run_many(self, workspace, param_rows, columns=None, kinds=None) -> int:
        """executemany: one statement's worth of changes for every parameter set, applied as
        one batch. Rows must all have the types the plan was made for; `columns` and `kinds`
        (the parameters column by column, and each column's set of types), when given,
        spare the bulk path extracting them again."""
        view = workspace.view(self.table)
        changes = Changes(view)
        ns = self.ns
        total = 0
        from rowdb.query import bulkdml  # it builds on this module's helpers

        direct = getattr(self, "direct", None)
        bulk = None
        if direct is not None and not view.table.unique and not view.codec.keyless and \
                all(d is None for d in self.defaults_needed):
            if self.conflict is None:
                bulk = bulkdml.insert_direct(self, view, changes, param_rows, columns, kinds)
            elif self.conflict[0] == "update" and self.conflict_target is None and \
                    self.returning is None and not self.conflict_reads_parameters:
                bulk = bulkdml.upsert_direct(self, view, changes, param_rows, columns)
        if bulk is not None:
            total = bulk
        else:
            for params in param_rows:
                ns["P"] = params
                total += self._run(view, changes)[0]
        view.stage(changes.finish())
        return total

    def _returning(self, rows: list[tuple]) -> list[tuple]:
        if self.returning is None:
            return []
        return [self.returning(r, ()) for r in rows]


def _table_scope(table, alias: str | None) -> Scope:
    name = alias or table.name
    return Scope([Field(c.name, name, parse_type_name(c.type), not c.not_null)
                  for c in table.columns])


def _returning(planner: Planner, node, scope: Scope):
    returning = node.args.get("returning")
    if returning is None:
        return None, [], []
    compiler = ExprCompiler(planner, scope, planner.ns)
    items = planner._expand_stars(returning.expressions, scope)
    codes = [compiler.compile(i.unalias() if isinstance(i, exp.Alias) else i) for i in items]
    codes = [planner._output_type(c, compiler) for c in codes]
    fn = planner.ns.function(f"({', '.join(c.text for c in codes)},)")
    return fn, [output_name(i) for i in items], [c.type for c in codes]


def _assignments(planner, compiler, table, column_types, assignments) -> list:
    """SET column = expression, ...: (column index, value function, value type) each."""
    out, pairs = [], []
    for assignment in assignments:
        target, value = assignment.this, assignment.expression
        if isinstance(target, exp.Tuple) and isinstance(value, exp.Subquery):
            pairs.extend(zip(target.expressions,  # SET (a, b) = (SELECT x, y ...)
                             _subquery_row(planner, compiler, value, len(target.expressions))))
        elif isinstance(target, exp.Tuple):  # SET (a, b) = (x, y)
            values = value.expressions if isinstance(value, exp.Tuple) else None
            if values is None or len(values) != len(target.expressions):
                raise SqlSyntaxError("number of columns does not match number of values")
            pairs.extend(zip(target.expressions, values))
        else:
            pairs.append((target, value))
    for target, value in pairs:
        if isinstance(target, exp.Column) and target.table:  # SET t.c: a field of column t
            error = UndefinedColumnError(
                f'column "{target.table}" of relation "{table.name}" does not exist')
            error.node = target
            raise error
        column = target.name
        index = table.column_index(column)
        if index is None:
            raise UndefinedColumnError(
                f'column "{column}" of relation "{table.name}" does not exist')
        if any(index == i for i, _, _ in out):
            raise SqlSyntaxError(f'multiple assignments to same column "{column}"')
        if isinstance(value, exp.Column) and not value.table and \
                not value.this.quoted and value.name.upper() == "DEFAULT":
            value = defaults.expression(table.columns[index])
        code = value if isinstance(value, Code) else compiler.compile(value, column_types[index])
        out.append((index, planner.ns.function(code.text), code.type))
    return out


def _subquery_row(planner, compiler, value: exp.Subquery, width: int) -> list[Code]:
    """Each column of a subquery's one row, as code reading it."""
    plan = planner.subquery(value.this, compiler.subquery_scope)
    if len(plan.types) != width:
        raise SqlSyntaxError("number of columns does not match number of values")
    ref = planner.ns.const(plan)
    return [Code(f"_scalar_row({ref}, (r,) + o, {width})[{i}]", sql_type, True)
            for i, sql_type in enumerate(plan.types)]


def _not_null(table, row: tuple) -> None:
    for column, value in zip(table.columns, row):
        if value is None and column.not_null:
            shown = ", ".join("null" if v is None else str(v) for v in row)
            raise NotNullViolationError(
                f'null value in column "{column.name}" of relation "{table.name}" violates '
                f"not-null constraint", detail=f"Failing row contains ({shown}).")


def _duplicate(table, row: tuple) -> UniqueViolationError:
    names = ", ".join(table.columns[i].name for i in table.primary_key)
    values = ", ".join(_show(row[i], table.columns[i]) for i in table.primary_key)
    return UniqueViolationError(
        f'duplicate key value violates unique constraint "{table.pkey_constraint()}"',
        detail=f"Key ({names})=({values}) already exists.")


def _row_items(row) -> list:
    """The items of one VALUES row."""
    return row.expressions if isinstance(row, exp.Tuple) else [row]


def _show(value, column) -> str:
    try:
        return format_value(value, parse_type_name(column.type)) or "null"
    except Exception:  # noqa: BLE001 - a message must not fail
        return str(value)


# INSERT -------------------------------------------------------------------------------------

class InsertPlan(DmlPlan):
    def __init__(self, planner: Planner, node: exp.Insert, tables):
        target = node.this
        schema_columns = None
        if isinstance(target, exp.Schema):
            schema_columns = [c.name for c in target.expressions]
            target = target.this
        alias = target.alias or None
        name = target.name
        table = tables.get(name)
        if table is None:
            raise UndefinedTableError(f'relation "{name}" does not exist')
        self.table_def = table
        self.column_types = [parse_type_name(c.type) for c in table.columns]
        names = [c.name for c in table.columns]
        if schema_columns is None:
            positions = list(range(len(names)))
        else:
            positions = []
            for column in schema_columns:
                if column not in names:
                    raise UndefinedColumnError(
                        f'column "{column}" of relation "{name}" does not exist')
                if names.index(column) in positions:
                    raise DuplicateColumnError(f'column "{column}" specified more than once')
                positions.append(names.index(column))
        source = node.expression
        self.source_plan = None
        if source is None or node.args.get("default"):
            self.positions = []
        else:
            targets = [self.column_types[p] for p in positions]
            if isinstance(source, exp.Values):
                self.source_plan = planner._values(source, None, targets)
            else:
                self.source_plan = planner.query(source)
            width = len(self.source_plan.types)
            if width > len(positions):
                error = SqlSyntaxError("INSERT has more expressions than target columns")
                if isinstance(source, exp.Values):  # PostgreSQL points at the first extra
                    error.node = _row_items(source.expressions[0])[len(positions)]
                raise error
            if schema_columns is not None and width < len(positions):
                error = SqlSyntaxError("INSERT has more target columns than expressions")
                error.node = node.this.expressions[width]
                raise error
            self.positions = positions[:len(self.source_plan.types)]
        self.defaults = self._defaults(planner, table)
        scope = _table_scope(table, alias)
        self.conflict = self._conflict(planner, node, table, scope, alias)
        returning, rnames, rtypes = _returning(planner, node, scope)
        super().__init__(name, planner.ns, returning, rnames, rtypes)
        self.source_types = self.source_plan.types if self.source_plan else []
        self.converters = [
            None if source == self.column_types[p] else
            assignment_cast_function(source, self.column_types[p], table.columns[p].name)
            for p, source in zip(self.positions, self.source_types)]
        self.defaults_needed = [d for i, d in enumerate(self.defaults)
                                if i not in self.positions]
        self.direct = self._direct_plan(source, planner)

    def _direct_plan(self, source, planner):
        """For a one-row VALUES of bare parameters: (position, parameter, converter)."""
        if not isinstance(source, exp.Values) or len(source.expressions) != 1:
            return None
        row = source.expressions[0]
        items = _row_items(row)
        out = []
        for position, item in zip(self.positions, items):
            if not isinstance(item, exp.Parameter):
                return None
            index = int(item.name) - 1
            source_type = planner.param_type(index)
            target = self.column_types[position]
            if source_type == target or (source_type.name == "unknown" and target.name == "text"):
                convert = None  # the parameter is already the column's value (a str for text)
            else:
                convert = assignment_cast_function(source_type, target,
                                                   self.table_def.columns[position].name)
            out.append((position, index, convert))
        return out

    def _defaults(self, planner, table):
        return defaults.for_insert(planner, table.columns, self.column_types)

    def _conflict(self, planner, node, table, scope, alias):
        conflict = node.args.get("conflict")
        if conflict is None:
            return None
        keys = conflict.args.get("conflict_keys")
        constraint = conflict.args.get("constraint")
        self.conflict_target = None  # the primary key; else the UNIQUE column set
        if keys or constraint is not None:
            self.conflict_target = _conflict_target(table, keys, constraint)
            keys = True
        elif conflict.args.get("action") and "UPDATE" in str(conflict.args.get("action")):
            raise SqlSyntaxError("ON CONFLICT DO UPDATE requires inference specification or "
                                 "constraint name")
        if table.keyless:
            raise InvalidColumnReferenceError(
                "there is no unique or exclusion constraint matching the ON CONFLICT "
                "specification")
        action = str(conflict.args.get("action") or "").upper()
        if "NOTHING" in action or conflict.args.get("action") is None and \
                not conflict.expressions:
            return ("nothing" if keys else "nothing_any", None, None)
        self.conflict_reads_parameters = any(
            True for _ in conflict.find_all(exp.Placeholder, exp.Parameter))
        excluded = Scope([Field(f.name, "excluded", f.type, f.nullable)
                          for f in scope.fields])
        both = Scope(scope.fields + excluded.fields)
        compiler = ExprCompiler(planner, both, planner.ns)
        sets = _assignments(planner, compiler, table, self.column_types, conflict.expressions)
        where = conflict.args.get("where")
        condition = planner.ns.function(compiler.predicate(where.this).text) \
            if where is not None else None
        return ("update", sets, condition)

    def _rows(self):
        if self.source_plan is None:
            yield ()
            return
        for batch in self.source_plan.batches(()):
            yield from batch

    def _run(self, view, changes):
        table = self.table_def = view.table
        codec = view.codec
        width = len(table.columns)
        positions = self.positions
        converters = self.converters
        defaults = self.defaults
        returned, count = [], 0
        seen_updates = set()
        for values in self._rows():
            row = [None] * width
            filled = [False] * width
            for position, value, convert in zip(positions, values, converters):
                if value is DEFAULT:
                    continue
                row[position] = value if convert is None or value is None else convert(value)
                filled[position] = True
            for i, default in enumerate(defaults):
                if filled[i] or default is None:
                    continue
                if default[0] == "serial":
                    table = self._next_serial(view, table, default[1])
                    row[i] = table.sequence_value(default[1])
                else:
                    row[i] = default[1]((), ())
            row = tuple(row)
            _not_null(table, row)  # the proposed row first, even when it will conflict
            key = codec.key(row)
            if self.conflict is not None and self.conflict_target is not None:
                holder = changes.unique_holder(self.conflict_target, row)
                if holder is None and changes.current(key) is not None:
                    raise _duplicate(table, row)  # the primary key clashes, not the target
                key = holder or key
            existing = None if codec.keyless else changes.current(key)
            if existing is not None:
                if self.conflict is None:
                    raise _duplicate(table, row)
                if self.conflict[0] != "update":
                    continue
                if key in seen_updates:
                    raise CardinalityViolationError(
                        "ON CONFLICT DO UPDATE command cannot affect row a second time",
                        hint="Ensure that no rows proposed for insertion within the same "
                             "command have duplicate constrained values.")
                old = codec.decode_one(existing)
                row = self.updated(old, row, key, table, codec)
                if row is None:
                    continue
                changes.check_unique(key, row, old)
                seen_updates.add(key)
                changes.put(key, row)
            else:
                try:
                    changes.check_unique(key, row)
                except UniqueViolationError:
                    if self.conflict is not None and self.conflict[0] == "nothing_any":
                        continue
                    raise
                if self.conflict is not None:
                    seen_updates.add(key)
                changes.put(key, row)
            count += 1
            if self.returning is not None:
                returned.append(row)
        return count, self._returning(returned)

    def updated(self, old: tuple, row: tuple, key: bytes, table, codec) -> tuple | None:
        """ON CONFLICT DO UPDATE of the stored row `old` by the proposed `row`: the new row,
        checked, or None when the DO UPDATE's WHERE rejects it."""
        _, sets, condition = self.conflict
        both = old + row
        if condition is not None and not condition(both, ()):
            return None
        new = list(old)
        for index, fn, source_type in sets:
            new[index] = _assign(fn(both, ()), source_type, self.column_types[index],
                                 table.columns[index].name)
        new = tuple(new)
        _not_null(table, new)
        if codec.key(new) != key:
            raise NotSupportedError("ON CONFLICT DO UPDATE may not change the key")
        return new

    def _next_serial(self, view, table, column):
        from rowdb.query.arith import check_int4, check_int8
        # Like nextval, a value once handed out is not handed out again by this process,
        # even when its statement failed or its transaction rolled back (PostgreSQL's
        # sequences are not transactional): a failed insert does not make the next retry
        # collide with the same key.
        key = (id(view.workspace.store), table.name, column)
        value = max(table.sequence_value(column), _serials_handed.get(key, 0)) + 1
        _serials_handed[key] = value
        sql_type = self.column_types[table.column_index(column)]
        (check_int4 if sql_type.name == "int4" else check_int8)(value)
        table = table.with_sequence(column, value)
        view.workspace.put_table(table)
        return table


_serials_handed: dict[tuple, int] = {}  # (store, table, column) -> last value handed out


def forget_serials(store, table: str) -> None:
    """A table was created or dropped: its serial columns start again from its definition."""
    for key in [k for k in _serials_handed if k[0] == id(store) and k[1] == table]:
        del _serials_handed[key]


def rename_serials(store, old: str, new: str) -> None:
    """ALTER TABLE ... RENAME TO: the values handed out stay handed out."""
    for key in [k for k in _serials_handed if k[0] == id(store) and k[1] == old]:
        _serials_handed[(key[0], new, key[2])] = _serials_handed.pop(key)


def _conflict_target(table, keys, constraint) -> tuple | None:
    """ON CONFLICT (columns) or ON CONSTRAINT name: None for the primary key, else the
    UNIQUE column set it names; 42P10 (42704 for a constraint) when none matches."""
    sets = {table.pkey_constraint(): tuple(table.primary_key)} if table.primary_key else {}
    for i, columns in enumerate(table.unique):
        sets[table.unique_constraint(i)] = tuple(columns)
    if constraint is not None:
        if constraint.name not in sets:
            raise UndefinedObjectError(
                f'constraint "{constraint.name}" for table "{table.name}" does not exist')
        wanted = sorted(sets[constraint.name])
    else:
        wanted = sorted(table.column_index(k.name) if table.column_index(k.name) is not None
                        else -1 for k in keys)
    if not table.keyless and wanted == sorted(table.primary_key):
        return None
    for columns in table.unique:
        if wanted == sorted(columns):
            return tuple(columns)
    raise InvalidColumnReferenceError(
        "there is no unique or exclusion constraint matching the ON CONFLICT specification")


def _assign(value, source_type, target_type, column: str):
    if value is None or source_type == target_type:
        return value
    try:
        return assignment_cast(value, source_type, target_type, column)
    except DatatypeMismatchError:
        raise
    except TypeError:
        raise DatatypeMismatchError(
            f'column "{column}" is of type {target_type} but expression is of type '
            f"{source_type}") from None


def plan_dml(planner: Planner, node, tables) -> DmlPlan:
    from rowdb.query import conflictdml
    from rowdb.query.update_delete import DeletePlan, UpdatePlan

    if isinstance(node, (exp.Update, exp.Delete)) and conflictdml.targets_conflicts(node,
                                                                                   tables):
        return conflictdml.plan(planner, node, tables)
    kinds = {exp.Insert: InsertPlan, exp.Update: UpdatePlan, exp.Delete: DeletePlan}
    kind = kinds.get(type(node))
    if kind is None:
        raise NotSupportedError(f"unsupported statement: {type(node).__name__}")
    with planner.with_ctes(node):
        return kind(planner, node, tables)
