"""Merging a transaction into a branch that moved while it ran (concurrent writers).

Where: version-control layer; the session calls `merge_roots` when COMMIT finds the
working-set ref moved. base = the root the transaction started from, ours = the branch's root
now, theirs = the transaction's result. Tables are merged with the storage layer's three-way
merge; a row changed on both sides merges cell by cell; the same cell changed to different
values (or a schema changed on both sides) fails with 40001, naming the table and key.
"""

from __future__ import annotations

from dataclasses import replace

from rowdb.errors import SerializationFailureError
from rowdb.storage.keys import decode_key
from rowdb.storage.merge import merge
from rowdb.storage.rows import decode_row, encode_row
from rowdb.vc.rootvalue import RootValue, TableDef, save_root


def merge_roots(writer, base: RootValue, ours: RootValue, theirs: RootValue) -> RootValue:
    tables = dict(ours.tables)
    names = set(base.tables) | set(ours.tables) | set(theirs.tables)
    for name in sorted(names):
        b, o, t = base.tables.get(name), ours.tables.get(name), theirs.tables.get(name)
        if t == b:
            continue  # the transaction did not touch this table
        if o == b:
            _take(tables, name, t)
            continue
        if b is None or o is None or t is None or not _same_schema(o, t) \
                or not _same_schema(b, t):
            raise _conflict(name, "the table's definition was changed concurrently")
        data = merge(writer, b.data, o.data, t.data, _cell_resolver(name, t))
        tables[name] = replace(o, data=data, sequences=_max_sequences(o, t))
    return save_root(writer, tables)


def _take(tables: dict, name: str, table: TableDef | None) -> None:
    if table is None:
        tables.pop(name, None)
    else:
        tables[name] = table


def _same_schema(a: TableDef, b: TableDef) -> bool:
    return a.columns == b.columns and a.primary_key == b.primary_key and a.unique == b.unique


def _max_sequences(a: TableDef, b: TableDef) -> tuple:
    values = dict(a.sequences)
    for column, value in b.sequences:
        values[column] = max(values.get(column, 0), value)
    return tuple(sorted(values.items()))


def _cell_resolver(name: str, table: TableDef):
    keyless = table.keyless

    def resolve(key, base, ours, theirs):
        if keyless:  # duplicate counts: apply both sides' deltas
            count = _count(ours) + _count(theirs) - _count(base)
            row = decode_row(theirs or ours or base)[:-1]
            return encode_row(row + (count,)) if count > 0 else None
        if base is None or ours is None or theirs is None:
            raise _conflict(name, "a row was inserted or deleted by both", key)
        b, o, t = decode_row(base), decode_row(ours), decode_row(theirs)
        width = max(len(b), len(o), len(t))
        b, o, t = (_pad(r, width) for r in (b, o, t))
        merged = []
        for bv, ov, tv in zip(b, o, t):
            if ov == tv or tv == bv:
                merged.append(ov)
            elif ov == bv:
                merged.append(tv)
            else:
                raise _conflict(name, "the same cell was changed by both", key)
        return encode_row(tuple(merged))
    return resolve


def _count(value) -> int:
    return decode_row(value)[-1] if value is not None else 0


def _pad(row: tuple, width: int) -> tuple:
    return row + (None,) * (width - len(row))


def _conflict(table: str, why: str, key: bytes | None = None) -> SerializationFailureError:
    detail = f'table "{table}"'
    if key is not None:
        try:
            detail += f", key {decode_key(key)}"
        except Exception:  # noqa: BLE001 - the message must not fail
            detail += f", key {key.hex()}"
    return SerializationFailureError(
        "could not serialize access: this transaction conflicts with a committed transaction "
        f"from another client ({why})", detail=detail + ".")
