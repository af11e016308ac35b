"""The root value: one version of the whole database, mapping table names to table states.

Where: version-control layer; the query layer reads table definitions and data roots from it,
commits and working sets point at it, diff and merge compare two of them table by table.

A root value is stored as a prolly tree (so two versions share and diff like any tree): key =
encode_key((table name,)), value = the table's definition and the root hash of its data tree.
Rows of a table with a primary key are stored under encode_key(primary key values); rows of a
keyless table under encode_key(all values), with a duplicate count as the row's last value.
Row values are encode_row(all column values, in column order); rows written before a column
was added are shorter and take that column's `missing` value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import msgpack

from rowdb.errors import CorruptionError
from rowdb.storage import tree
from rowdb.storage.chunker import build
from rowdb.storage.keys import decode_key, encode_key
from rowdb.storage.rows import decode_row, encode_row

ROOT_FORMAT = 1


@dataclass(frozen=True, slots=True)
class ColumnDef:
    name: str
    type: str                    # type name as parse_type_name reads it, e.g. "numeric(10,2)"
    not_null: bool = False
    default: str | None = None   # SQL text of the DEFAULT expression, evaluated per row
    missing: Any = None          # value for rows stored before the column existed
    serial: bool = False         # DEFAULT comes from the table's sequence for this column


@dataclass(frozen=True, slots=True)
class TableDef:
    name: str
    columns: tuple[ColumnDef, ...]
    primary_key: tuple[int, ...] = ()      # positions of the key columns; () = keyless
    data: bytes = b""                      # root hash of the data tree
    sequences: tuple[tuple[str, int], ...] = ()  # (column, last value) of serial columns
    unique: tuple[tuple[int, ...], ...] = field(default=())  # further UNIQUE column sets
    # Constraint names fixed at CREATE TABLE (they survive renames, as in PostgreSQL): the
    # primary key's, and one per UNIQUE set; "" (tables from before) means the default name.
    pkey_name: str = ""
    unique_names: tuple[str, ...] = ()

    @property
    def keyless(self) -> bool:
        return not self.primary_key

    def column_index(self, name: str) -> int | None:
        for i, column in enumerate(self.columns):
            if column.name == name:
                return i
        return None

    def pkey_constraint(self) -> str:
        return self.pkey_name or f"{self.name}_pkey"

    def unique_constraint(self, index: int) -> str:
        """The name of UNIQUE set `index`: as given or defaulted (table_columns_key)."""
        if index < len(self.unique_names) and self.unique_names[index]:
            return self.unique_names[index]
        columns = "_".join(self.columns[i].name for i in self.unique[index])
        return f"{self.name}_{columns}_key"

    def sequence_value(self, column: str) -> int:
        return dict(self.sequences).get(column, 0)

    def with_sequence(self, column: str, value: int) -> "TableDef":
        values = dict(self.sequences)
        values[column] = value
        return replace(self, sequences=tuple(sorted(values.items())))


def encode_table(table: TableDef) -> bytes:
    columns = [[c.name, c.type, c.not_null, c.default, c.serial] for c in table.columns]
    missing = encode_row([c.missing for c in table.columns])
    return msgpack.packb([ROOT_FORMAT, table.name, columns, missing, list(table.primary_key),
                          table.data, [list(s) for s in table.sequences],
                          [list(u) for u in table.unique], table.pkey_name,
                          list(table.unique_names)])


def decode_table(data: bytes) -> TableDef:
    try:
        fields = msgpack.unpackb(data)
        (fmt, name, columns, missing, primary_key, root, sequences, unique) = fields[:8]
        pkey_name, unique_names = fields[8:10] if len(fields) >= 10 else ("", ())
        if fmt != ROOT_FORMAT:
            raise ValueError(f"unknown table format {fmt}")
        missing_values = decode_row(missing)
        defs = tuple(ColumnDef(c[0], c[1], c[2], c[3], m, c[4])
                     for c, m in zip(columns, missing_values))
        return TableDef(name, defs, tuple(primary_key), root,
                        tuple((s[0], s[1]) for s in sequences), tuple(map(tuple, unique)),
                        pkey_name, tuple(unique_names))
    except (ValueError, TypeError, IndexError, msgpack.UnpackException) as exc:
        raise CorruptionError("a table definition in the root value is damaged",
                              detail=str(exc)) from exc


class RootValue:
    """An immutable database version: `tables` by name, and the hash naming it."""

    __slots__ = ("tables", "digest")

    def __init__(self, tables: dict[str, TableDef], digest: bytes):
        self.tables = tables
        self.digest = digest


_loaded: dict[bytes, RootValue] = {}


def load_root(store, digest: bytes) -> RootValue:
    """The root value stored under `digest` (decoded once per process)."""
    found = _loaded.get(digest)
    if found is None:
        tables = {}
        for key, value in tree.scan(store, digest):
            table = decode_table(value)
            if decode_key(key) != (table.name,):
                raise CorruptionError("a root value entry is filed under the wrong name")
            tables[table.name] = table
        found = RootValue(tables, digest)
        if len(_loaded) > 256:
            _loaded.clear()
        _loaded[digest] = found
    return found


def save_root(writer, tables: dict[str, TableDef]) -> RootValue:
    """Stage a root value holding `tables`; returns it (its digest names it)."""
    items = sorted((encode_key((name,)), encode_table(t)) for name, t in tables.items())
    digest = build(items, writer)
    value = RootValue(dict(tables), digest)
    _loaded[digest] = value
    return value
