"""DDL: CREATE / DROP / ALTER TABLE and TRUNCATE, as changes to the workspace's tables.

Where: query layer; the session hands these statements here. Table definitions live in the
root value (vc/rootvalue.py), so schema changes are versioned, diffed and merged with data.
"""

from __future__ import annotations

from dataclasses import replace

from sqlglot import exp

from rowdb.errors import (DuplicateColumnError, DuplicateTableError, NotSupportedError,
                          SyntaxError as SqlSyntaxError, UndefinedColumnError,
                          UndefinedTableError, UniqueViolationError)
from rowdb.query.types import from_sqlglot
from rowdb.query.workspace import Workspace
from rowdb.vc.rootvalue import ColumnDef, TableDef


def create_table(ws: Workspace, node: exp.Create, evaluate_default) -> str:
    from rowdb.query.dml import forget_serials  # dml plans on top of these definitions
    forget_serials(ws.store, node.this.name if isinstance(node.this, exp.Table)
                   else node.this.this.name)
    schema = node.this
    table_node = schema.this if isinstance(schema, exp.Schema) else schema
    name = table_node.name
    if name in ws.tables:
        if node.args.get("exists"):
            return "CREATE TABLE"
        raise DuplicateTableError(f'relation "{name}" already exists')
    if node.expression is not None:
        raise NotSupportedError("CREATE TABLE ... AS needs the query's rows: see create_as")
    columns: list[ColumnDef] = []
    primary: list[str] = []
    pkey_name = ""
    unique: list[tuple[list[str], str]] = []  # (columns, constraint name or "")
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            column, primary_name, unique_name = _column(item)
            if any(c.name == column.name for c in columns):
                raise DuplicateColumnError(
                    f'column "{column.name}" specified more than once')
            columns.append(column)
            if primary_name is not None:
                if primary:
                    raise InvalidTableDefinition(
                        f'multiple primary keys for table "{name}" are not allowed')
                primary, pkey_name = [column.name], primary_name
            if unique_name is not None:
                unique.append(([column.name], unique_name))
        elif isinstance(item, exp.PrimaryKey):
            if primary:
                raise InvalidTableDefinition(
                    f'multiple primary keys for table "{name}" are not allowed')
            primary = [_ident_name(e) for e in item.expressions]
        elif isinstance(item, (exp.UniqueColumnConstraint, exp.Constraint)):
            inner = item.expressions[0] if isinstance(item, exp.Constraint) and \
                item.expressions else item
            named = item.this.name if isinstance(item, exp.Constraint) else ""
            if isinstance(inner, exp.PrimaryKey):
                if primary:
                    raise InvalidTableDefinition(
                        f'multiple primary keys for table "{name}" are not allowed')
                primary, pkey_name = [_ident_name(e) for e in inner.expressions], named
            elif isinstance(inner, exp.UniqueColumnConstraint):
                target = inner.this
                names = [_ident_name(e) for e in target.expressions] \
                    if isinstance(target, exp.Schema) else []
                if names:
                    unique.append((names, named))
            else:
                raise NotSupportedError(f"unsupported table constraint: {item.sql('postgres')}")
        else:
            raise NotSupportedError(f"unsupported table element: {item.sql('postgres')}")
    if not columns:
        raise NotSupportedError("tables without columns are not supported")
    for column in columns:
        if column.default is not None:
            evaluate_default(column, run=False)  # type and literal checked now (42804)
    names = [c.name for c in columns]
    for key in primary:
        if key not in names:
            raise UndefinedColumnError(f'column "{key}" named in key does not exist')
    positions = tuple(names.index(k) for k in primary)
    columns = [replace(c, not_null=True) if i in positions else c
               for i, c in enumerate(columns)]
    kept = [(tuple(names.index(k) for k in u), n) for u, n in unique
            if tuple(names.index(k) for k in u) != positions]
    table = TableDef(name, tuple(columns), positions, b"", (), tuple(u for u, _ in kept),
                     pkey_name if positions else "", tuple(n for _, n in kept))
    table = replace(table, pkey_name=table.pkey_constraint() if positions else "",
                    unique_names=tuple(table.unique_constraint(i) for i in range(len(kept))))
    from rowdb.storage.chunker import build

    table = replace(table, data=build([], ws.writer))
    ws.put_table(table)
    return "CREATE TABLE"


def create_as(ws: Workspace, name: str, names: list[str], types: list, rows: list[tuple],
              if_not_exists: bool = False) -> int:
    """CREATE TABLE name AS query: a keyless table holding the query's rows."""
    if name in ws.tables:
        if if_not_exists:
            return 0
        raise DuplicateTableError(f'relation "{name}" already exists')
    if len(set(names)) != len(names):
        raise DuplicateColumnError("column specified more than once")
    columns = tuple(ColumnDef(n, _type_text(t)) for n, t in zip(names, types))
    from collections import Counter

    from rowdb.storage.chunker import build

    table = TableDef(name, columns, (), build([], ws.writer))
    ws.put_table(table)
    view = ws.view(name)
    counts = Counter(rows)
    view.replace_all(sorted((view.codec.key(r), view.codec.value(r, n))
                            for r, n in counts.items()))
    return len(rows)


class InvalidTableDefinition(SqlSyntaxError, sqlstate="42P16"):
    """invalid_table_definition"""


def _ident_name(node) -> str:
    if isinstance(node, exp.Ordered):
        node = node.this
    return node.name


def _column(item: exp.ColumnDef) -> tuple[ColumnDef, str | None, str | None]:
    """The column, and the names of its PRIMARY KEY and UNIQUE constraints (None: there is
    none; "": the default name)."""
    sql_type = from_sqlglot(item.args["kind"])
    not_null, default, primary, unique = False, None, None, None
    for constraint in item.args.get("constraints") or []:
        kind = constraint.kind
        named = constraint.this.name if constraint.this is not None else ""
        if isinstance(kind, exp.NotNullColumnConstraint):
            not_null = not kind.args.get("allow_null")
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            primary = named
        elif isinstance(kind, exp.DefaultColumnConstraint):
            default = _default_text(kind.this)
        elif isinstance(kind, exp.UniqueColumnConstraint):
            unique = named
        else:
            raise NotSupportedError(f"unsupported column constraint: {constraint.sql('postgres')}")
    serial = sql_type.serial
    if serial:
        not_null = True
    return ColumnDef(item.name, _type_text(sql_type), not_null, default, None, serial), \
        primary, unique


def _default_text(expression: exp.Expression) -> str:
    """A DEFAULT expression as stored in the schema; PostgreSQL refuses subqueries there."""
    if expression.find(exp.Select, exp.Subquery) is not None:
        raise NotSupportedError("cannot use subquery in DEFAULT expression")
    return expression.sql("postgres")


def _type_text(sql_type) -> str:
    return str(sql_type) if sql_type.name != "bpchar" or sql_type.length is None \
        else f"character({sql_type.length})"


def drop_table(ws: Workspace, node: exp.Drop) -> str:
    kind = (node.args.get("kind") or "").upper()
    if kind != "TABLE":
        raise NotSupportedError(f"DROP {kind} is not supported")
    targets = node.args.get("tables") or node.expressions or [node.this]
    for target in targets:
        if target.name not in ws.tables and not node.args.get("exists"):
            raise UndefinedTableError(f'table "{target.name}" does not exist')
    for target in targets:
        if target.name in ws.tables:
            ws.drop_table(target.name)
    return "DROP TABLE"


def truncate(ws: Workspace, node) -> str:
    for target in node.expressions:
        if target.name not in ws.tables:
            raise UndefinedTableError(f'relation "{target.name}" does not exist')
        ws.view(target.name).replace_all([])
        if str(node.args.get("identity") or "").upper() == "RESTART":
            from rowdb.query.dml import forget_serials
            forget_serials(ws.store, target.name)  # serial columns start again at 1
            table = ws.tables[target.name]
            if table.sequences:
                ws.put_table(replace(table, sequences=()))
    return "TRUNCATE TABLE"


def alter_table(ws: Workspace, node: exp.Alter, evaluate_default) -> str:
    name = node.this.name
    if name not in ws.tables:
        if node.args.get("exists"):
            return "ALTER TABLE"
        raise UndefinedTableError(f'relation "{name}" does not exist')
    for action in node.args.get("actions") or []:
        table = ws.tables[name]
        if isinstance(action, exp.ColumnDef):
            _add_column(ws, table, action, evaluate_default)
        elif isinstance(action, exp.Drop):
            _drop_column(ws, table, action)
        elif isinstance(action, exp.RenameColumn):
            _rename_column(ws, table, action)
        elif isinstance(action, exp.AlterColumn):
            _alter_column(ws, table, action)
        elif isinstance(action, exp.AlterRename):
            new = action.this.name
            if new in ws.tables:
                raise DuplicateTableError(f'relation "{new}" already exists')
            ws.rename_table(name, replace(table, name=new))
            from rowdb.query.dml import rename_serials
            rename_serials(ws.store, name, new)
            name = new
        else:
            raise NotSupportedError(f"unsupported ALTER TABLE action: {action.sql('postgres')}")
    return "ALTER TABLE"


def _add_column(ws, table: TableDef, action: exp.ColumnDef, evaluate_default) -> None:
    column, primary, unique = _column(action)
    if table.column_index(column.name) is not None:
        if action.args.get("exists"):
            return
        raise DuplicateColumnError(
            f'column "{column.name}" of relation "{table.name}" already exists')
    if primary is not None:
        raise NotSupportedError("ADD COLUMN ... PRIMARY KEY is not supported")
    missing = None
    if column.default is not None:
        missing = evaluate_default(column)
    if column.serial:
        _add_serial_column(ws, table, column)
        return
    view = ws.view(table.name)
    if column.not_null and missing is None and view.count():
        from rowdb.errors import NotNullViolationError
        raise NotNullViolationError(
            f'column "{column.name}" of relation "{table.name}" contains null values')
    added = replace(table, columns=table.columns + (replace(column, missing=missing),))
    if unique is not None:  # ADD COLUMN ... UNIQUE: every row has the default so far
        if missing is not None and view.count() > 1:
            raise UniqueViolationError(
                f'could not create unique index "{unique or table.name + "_" + column.name}'
                f'_key"', detail=f"Key ({column.name})=({missing}) is duplicated.")
        at = len(table.unique)
        added = replace(added, unique=table.unique + ((len(table.columns),),),
                        unique_names=_names(table) + (unique,))
        added = replace(added, unique_names=added.unique_names[:at] + (
            added.unique_constraint(at),))
    if table.keyless:  # a keyless row's key is its content: the new column changes it
        rows = [row + (missing,) for batch in view.scan_batches() for row in batch]
        ws.put_table(added)
        _store_rows(ws, added, rows)
    else:
        ws.put_table(added)


def _add_serial_column(ws, table: TableDef, column: ColumnDef) -> None:
    """ADD COLUMN ... serial: existing rows numbered 1, 2, ... in key order (PostgreSQL goes
    by storage order), and the sequence goes on from there."""
    view = ws.view(table.name)
    rows = [row + (number,) for number, row in enumerate(
        (row for batch in view.scan_batches() for row in batch), 1)]
    added = replace(table, columns=table.columns + (column,)).with_sequence(
        column.name, len(rows))
    ws.put_table(added)
    _store_rows(ws, added, rows)


def _store_rows(ws, table: TableDef, rows: list[tuple]) -> None:
    """Replace a table's contents with `rows` (in any order) after its layout changed:
    keyless tables keep one entry per distinct row, with its count."""
    view = ws.view(table.name)
    codec = view.codec
    if table.keyless:
        from collections import Counter

        entries = sorted((codec.key(r), codec.value(r, n)) for r, n in Counter(rows).items())
    else:
        entries = sorted((codec.key(r), codec.value(r)) for r in rows)
    view.replace_all(entries)


def _drop_column(ws, table: TableDef, action: exp.Drop) -> None:
    targets = action.args.get("tables") or [action.this]
    for target in targets:
        _drop_one_column(ws, ws.tables[table.name], target.name, action)


def _drop_one_column(ws, table: TableDef, target: str, action: exp.Drop) -> None:
    index = table.column_index(target)
    if index is None:
        if action.args.get("exists"):
            return
        raise UndefinedColumnError(
            f'column "{target}" of relation "{table.name}" does not exist')
    if index in table.primary_key:
        raise NotSupportedError("dropping a primary key column is not supported")
    view = ws.view(table.name)
    rows = [row for batch in view.scan_batches() for row in batch]
    columns = table.columns[:index] + table.columns[index + 1:]
    key = tuple(k - (k > index) for k in table.primary_key)
    kept = [(tuple(k - (k > index) for k in u), n) for u, n in zip(table.unique, _names(table))
            if index not in u]  # a UNIQUE constraint goes with any of its columns
    new_table = replace(table, columns=tuple(replace(c, missing=None) for c in columns),
                        primary_key=key, unique=tuple(u for u, _ in kept),
                        unique_names=tuple(n for _, n in kept))
    ws.put_table(new_table)
    _store_rows(ws, new_table, [row[:index] + row[index + 1:] for row in rows])


def _alter_column(ws, table: TableDef, action: exp.AlterColumn) -> None:
    """SET/DROP DEFAULT and SET/DROP NOT NULL (type changes come later)."""
    name = action.this.name
    index = table.column_index(name)
    if index is None:
        raise UndefinedColumnError(
            f'column "{name}" of relation "{table.name}" does not exist')
    column = table.columns[index]
    if action.args.get("dtype") is not None:
        raise NotSupportedError("ALTER COLUMN ... TYPE is not supported yet")
    if action.args.get("default") is not None:
        column = replace(column, default=_default_text(action.args["default"]))
    elif action.args.get("drop") and action.args.get("allow_null"):
        if index in table.primary_key:
            raise InvalidTableDefinition(f'column "{name}" is in a primary key')
        column = replace(column, not_null=False)
    elif action.args.get("drop"):
        column = replace(column, default=None)
    elif action.args.get("allow_null") is False:
        view = ws.view(table.name)
        if any(row[index] is None for batch in view.scan_batches() for row in batch):
            from rowdb.errors import NotNullViolationError
            raise NotNullViolationError(
                f'column "{name}" of relation "{table.name}" contains null values')
        column = replace(column, not_null=True)
    else:
        raise NotSupportedError(f"unsupported ALTER COLUMN: {action.sql('postgres')}")
    columns = list(table.columns)
    columns[index] = column
    ws.put_table(replace(table, columns=tuple(columns)))


def _rename_column(ws, table: TableDef, action: exp.RenameColumn) -> None:
    old, new = action.this.name, action.args["to"].name
    index = table.column_index(old)
    if index is None:
        raise UndefinedColumnError(f'column "{old}" does not exist')
    if table.column_index(new) is not None:
        raise DuplicateColumnError(
            f'column "{new}" of relation "{table.name}" already exists')
    columns = list(table.columns)
    columns[index] = replace(columns[index], name=new)
    ws.put_table(replace(table, columns=tuple(columns)))


def _names(table: TableDef) -> tuple[str, ...]:
    """The names of the table's UNIQUE constraints, fixed now (defaults spelled out)."""
    return tuple(table.unique_constraint(i) for i in range(len(table.unique)))
