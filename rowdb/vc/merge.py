"""Three-way merge of database versions, with conflicts recorded instead of raised.

Where: version-control layer; rowdb_merge, rowdb_revert and rowdb_cherry_pick use
`merge_root_values`. Table data merges on the prolly trees (storage/merge.py): one side's
changes apply without visiting unchanged subtrees; a row changed on both sides merges cell by
cell; the same cell changed to different values is a conflict (the merged row keeps ours
and the conflict keeps base, ours and theirs). Schemas: a column appended on one side merges
(rows of the other side take the column's missing value); other schema changes on both sides
are refused. NOT NULL violations created by a merge are refused, naming the table and row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import msgpack

from rowdb.errors import NotNullViolationError, NotSupportedError
from rowdb.storage.chunker import build
from rowdb.storage.diff import diff
from rowdb.storage.keys import decode_key
from rowdb.storage.merge import merge
from rowdb.storage.rows import decode_row, encode_row
from rowdb.vc.refs import ancestors
from rowdb.vc.rootvalue import RootValue, TableDef, save_root


@dataclass
class MergeResult:
    root: RootValue
    conflicts: dict[str, list[tuple]] = field(default_factory=dict)  # table -> entries

    @property
    def conflict_count(self) -> int:
        return sum(map(len, self.conflicts.values()))


def merge_base(store, ours: bytes, theirs: bytes) -> bytes | None:
    """The newest common ancestor of two commits (None if they share none)."""
    mine = {c.digest for c in ancestors(store, ours)}
    for commit in ancestors(store, theirs):
        if commit.digest in mine:
            return commit.digest
    return None


def is_ancestor(store, maybe: bytes, of: bytes) -> bool:
    return any(c.digest == maybe for c in ancestors(store, of))


def merge_root_values(writer, base: RootValue, ours: RootValue,
                      theirs: RootValue) -> MergeResult:
    tables = dict(ours.tables)
    result = MergeResult(ours)
    for name in sorted(set(base.tables) | set(ours.tables) | set(theirs.tables)):
        b, o, t = base.tables.get(name), ours.tables.get(name), theirs.tables.get(name)
        if _same(t, b) or _same(o, t):
            continue
        if _same(o, b):
            if t is None:
                tables.pop(name, None)
            else:
                tables[name] = t
            continue
        if b is None or o is None or t is None:
            raise NotSupportedError(
                f'cannot merge table "{name}": it was created or dropped on both sides')
        shape = _merged_schema(name, b, o, t)
        conflicts: list[tuple] = []
        data = merge(writer, b.data, o.data, t.data, _resolver(shape, b, o, t, conflicts))
        merged = replace(shape, data=data, sequences=_max_sequences(o, t))
        _check_not_null(writer, merged, o.data)
        tables[name] = merged
        if conflicts:
            result.conflicts[name] = conflicts
    result.root = save_root(writer, tables)
    return result


def _same(a: TableDef | None, b: TableDef | None) -> bool:
    return a == b


def _merged_schema(name: str, base: TableDef, ours: TableDef, theirs: TableDef) -> TableDef:
    def schema(t):
        return (t.columns, t.primary_key, t.unique)
    if schema(ours) == schema(theirs) or schema(theirs) == schema(base):
        return ours
    if schema(ours) == schema(base):
        return replace(theirs, data=ours.data)
    raise NotSupportedError(f'cannot merge table "{name}": both sides changed its schema',
                            hint="make the schemas agree on one side, then merge again")


def _max_sequences(a: TableDef, b: TableDef) -> tuple:
    values = dict(a.sequences)
    for column, value in b.sequences:
        values[column] = max(values.get(column, 0), value)
    return tuple(sorted(values.items()))


def _aligned(raw: bytes | None, table: TableDef, shape: TableDef):
    """A stored row's values in `shape`'s column order (missing columns take their default)."""
    if raw is None:
        return None
    row = decode_row(raw)
    if table.keyless:
        row = row[:-1]
    width = len(table.columns)
    row = row + tuple(c.missing for c in table.columns[len(row):width])
    by_name = {c.name: v for c, v in zip(table.columns, row)}
    return tuple(by_name.get(c.name, c.missing) for c in shape.columns)


def _resolver(shape: TableDef, base: TableDef, ours: TableDef, theirs: TableDef,
              conflicts: list):
    def resolve(key, b_raw, o_raw, t_raw):
        if shape.keyless:
            count = _count(o_raw) + _count(t_raw) - _count(b_raw)
            row = _aligned(t_raw or o_raw or b_raw, theirs if t_raw else ours, shape)
            return encode_row(row + (count,)) if count > 0 else None
        b = _aligned(b_raw, base, shape)
        o = _aligned(o_raw, ours, shape)
        t = _aligned(t_raw, theirs, shape)
        if o is None or t is None or b is None:
            conflicts.append((key, b, o, t))
            return o_raw
        merged = []
        for bv, ov, tv in zip(b, o, t):
            if ov == tv or tv == bv:
                merged.append(ov)
            elif ov == bv:
                merged.append(tv)
            else:
                conflicts.append((key, b, o, t))
                return o_raw
        return encode_row(tuple(merged))
    return resolve


def _count(raw) -> int:
    return decode_row(raw)[-1] if raw is not None else 0


def _check_not_null(writer, table: TableDef, ours_data: bytes) -> None:
    required = [i for i, c in enumerate(table.columns) if c.not_null]
    if not required:
        return
    for key, _, new in diff(writer, ours_data, table.data):
        if new is None:
            continue
        row = _aligned(new, table, table)
        for i in required:
            if row[i] is None:
                raise NotNullViolationError(
                    f'merge would leave null in column "{table.columns[i].name}" of relation '
                    f'"{table.name}", which is NOT NULL', detail=f"Key {decode_key(key)}.")


# Merge state -----------------------------------------------------------------------------

def encode_state(writer, their_commit: bytes, pre_merge_root: bytes,
                 conflicts: dict[str, list[tuple]]) -> bytes:
    """Store a merge in progress (with its conflicts, each table's as a tree)."""
    trees = {}
    for name, entries in conflicts.items():
        items = sorted((key, encode_row((msgpack.packb(_pack(b)), msgpack.packb(_pack(o)),
                                         msgpack.packb(_pack(t)))))
                       for key, b, o, t in entries)
        trees[name] = build(items, writer)
    return writer.put_bytes(b"rowdb-merge\x00" + msgpack.packb(
        [their_commit, pre_merge_root, trees]))


def _pack(row):
    return None if row is None else encode_row(row)


def decode_state(store, digest: bytes) -> tuple[bytes, bytes, dict[str, bytes]]:
    data = store.load_bytes(digest)
    their, pre_merge, trees = msgpack.unpackb(data[len(b"rowdb-merge\x00"):])
    return their, pre_merge, trees


def conflict_rows(store, tree_root: bytes):
    """(key, base row, our row, their row) of each conflict in a table's conflict tree."""
    from rowdb.storage import tree
    for key, value in tree.scan(store, tree_root):
        b, o, t = (msgpack.unpackb(part) for part in decode_row(value))
        yield key, *(None if raw is None else decode_row(raw) for raw in (b, o, t))
