"""Bulk DML for executemany: INSERT and the primary-key upsert of bare-parameter VALUES,
checked and encoded column-wise instead of row by row.

Where: query layer; dml.InsertPlan.run_many calls these when the statement and the table
allow (no defaults to compute, no UNIQUE constraints, a primary key) and falls back to its
row-by-row path otherwise. Rows reach the statement's dml.Changes only when every one of
them passed its checks, so a failing executemany changes nothing.
"""

from __future__ import annotations

import operator
from operator import itemgetter

from rowdb.query.dml import _duplicate, _not_null


def insert_direct(plan, view, changes, param_rows, columns=None, kinds=None) -> int:
    """INSERT ... VALUES (%s, %s, ...) where no default needs computing: rows straight
    from the parameters, checked and encoded column-wise in bulk (the load path). Into
    an empty table, the sorted rows are built into a tree at once."""
    table, codec = view.table, view.codec
    rows, columns, kinds = _direct_rows(plan, table, param_rows, columns, kinds)
    _check_not_null(table, rows, columns)
    keys = codec.keys(rows, columns)
    encoded = codec.values(rows, columns, kinds)
    values = changes.values
    if not values and view.is_empty():
        if not all(map(operator.lt, keys, keys[1:])):
            order = sorted(range(len(keys)), key=keys.__getitem__)
            keys = list(map(keys.__getitem__, order))
            encoded = list(map(encoded.__getitem__, order))
            rows = list(map(rows.__getitem__, order))
        if all(map(operator.lt, keys, keys[1:])):
            view.fill(keys, encoded)
            return len(rows)
    if len(set(keys)) != len(keys) or not values.keys().isdisjoint(keys) or (
            not view.is_empty() and any(map(changes.current, keys))):
        seen = set()
        for key, row in zip(keys, rows):  # name the first duplicate
            if key in seen or key in values or changes.current(key) is not None:
                raise _duplicate(table, row)
            seen.add(key)
    values.update(zip(keys, encoded))
    return len(rows)


def _check_not_null(table, rows: list, columns: list | None) -> None:
    """NOT NULL over the proposed rows, column by column (23502 names the first)."""
    for index, column in enumerate(table.columns):
        if column.not_null:
            values_of = columns[index] if columns is not None else \
                list(map(itemgetter(index), rows))
            if None in values_of:
                _not_null(table, rows[values_of.index(None)])


def _direct_rows(plan, table, param_rows, columns, kinds):
    """The rows of bare-parameter VALUES: the parameter tuples themselves when they are the
    columns in order, else built with the plan's converters (then no columns to reuse)."""
    width = len(table.columns)
    order = plan.direct  # (column position, parameter index, converter) per column
    if [(p, i) for p, i, _ in order] == [(i, i) for i in range(width)] and \
            all(c is None for _, _, c in order) and set(map(len, param_rows)) == {width}:
        rows = param_rows if set(map(type, param_rows)) == {tuple} else \
            list(map(tuple, param_rows))
    else:
        columns = kinds = None
        rows = []
        for params in param_rows:
            row = [None] * width
            for position, index, convert in order:
                value = params[index]
                row[position] = value if convert is None or value is None else \
                    convert(value)
            rows.append(tuple(row))
    return rows, columns, kinds


def upsert_direct(plan, view, changes, param_rows, columns=None) -> int | None:
    """INSERT ... VALUES (%s, ...) ON CONFLICT (primary key) DO UPDATE, for executemany: the
    existing rows are looked up for all keys at once, the new rows encoded in bulk. None
    when a key repeats (the general path then raises 21000 as PostgreSQL does)."""
    table, codec = view.table, view.codec
    rows, columns, _ = _direct_rows(plan, table, param_rows, columns, None)
    _check_not_null(table, rows, columns)  # the proposed rows first, as PostgreSQL
    keys = codec.keys(rows, columns)
    if len(set(keys)) != len(keys):
        return None
    decode, updated = codec.decode_one, plan.updated
    out_keys, out_rows = [], []
    for key, row, old in zip(keys, rows, map(view.get_value, keys)):
        if old is not None:
            row = updated(decode(old), row, key, table, codec)
            if row is None:
                continue
        out_keys.append(key)
        out_rows.append(row)
    changes.values.update(zip(out_keys, codec.values(out_rows)))
    return len(out_rows)
