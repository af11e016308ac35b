"""Operators: the runnable nodes of a plan, each yielding its rows as lists (batches).

Where: query layer; plan.py builds trees of these, QueryPlan.batches runs them. Every
operator has `batches(outer)`, where `outer` is the tuple of enclosing queries' current rows
(for correlated subqueries). The execution context (the transaction's workspace) and the
bind parameters are read from the plan namespace's `X` and `P` at run time, so one plan
serves many executions. Per-row work is done in generated list comprehensions and C
builtins wherever possible.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import compress

from rowdb.errors import InvalidParameterValueError
from rowdb.query.aggregates import Partial
from rowdb.query.sortlimit import Limit, Sort, SortKey, TiesLimit  # noqa: F401 - ops.*
from rowdb.query.streamagg import aggregate_row


class Operator:
    width: int | None = None

    def batches(self, outer: tuple):
        raise NotImplementedError


class OneRow(Operator):
    """The single empty row of a SELECT without FROM."""

    def batches(self, outer):
        yield [()]


class Values(Operator):
    def __init__(self, fns: list):
        self.fns = fns

    def batches(self, outer):
        yield [fn((), outer) for fn in self.fns]


class TableScan(Operator):
    """Rows of a table, optionally only a primary-key range (keyrange.py)."""

    def __init__(self, ns, table: str):
        self.ns = ns
        self.table = table
        self.key_range = None

    def batches(self, outer):
        view = self.ns["X"].workspace.view(self.table)
        key_range = self.key_range
        if key_range is None:
            yield from view.scan_batches()
            return
        if key_range.full:
            key = key_range.point(outer)
            if key is not None:
                row = view.get_row(key)
                if row is not None:
                    yield [row]
            return
        for low, high in self.key_range.ranges(outer):
            yield from view.scan_batches(low, high)


    def view(self):
        return self.ns["X"].workspace.view(self.table)

    def leaf_batches(self, outer):
        """The rows of `batches` as TableView.leaf_batches gives them: (leaf, None) for
        whole leaves, (None, rows) for the rest."""
        view = self.view()
        key_range = self.key_range
        if key_range is None:
            yield from view.leaf_batches()
        elif key_range.full:
            for rows in self.batches(outer):
                yield None, rows
        else:
            for low, high in key_range.ranges(outer):
                yield from view.leaf_batches(low, high)


class VirtualScan(Operator):
    """Rows of a system table (rowdb_log, diff_<t>, ...), computed when scanned; `pushed`
    holds functions giving the constants of `column = constant` conditions it can use."""

    def __init__(self, ns, table):
        self.ns = ns
        self.table = table
        self.pushed: dict = {}
        self.arguments = None  # table functions: (row, outer) -> argument values

    def batches(self, outer):
        context = self.ns["X"]
        pushed = {name: fn((), outer) for name, fn in self.pushed.items()}
        if self.arguments is not None:
            pushed["args"] = self.arguments((), outer)
        batch = []
        for row in self.table.rows(context.workspace.store, context.branch, pushed):
            batch.append(row)
            if len(batch) >= 1024:
                yield batch
                batch = []
        if batch:
            yield batch


class Series(Operator):
    """generate_series(start, stop [, step]) rows."""

    def __init__(self, bounds):
        self.bounds = bounds  # (row, outer) -> [start, stop, step?]

    def batches(self, outer):
        values = self.bounds((), outer)
        if any(v is None for v in values):
            return
        start, stop = values[0], values[1]
        step = values[2] if len(values) > 2 else 1
        if step == 0:
            raise InvalidParameterValueError("step size cannot equal zero")
        numbers = range(start, stop + (1 if step > 0 else -1), step)
        for first in range(0, len(numbers), 1024):
            yield [(n,) for n in numbers[first:first + 1024]]


class MomentSeries(Operator):
    """generate_series(start, stop, step) over timestamps: start, start + step, ... while
    not past stop (before it, for a negative step)."""

    def __init__(self, bounds, add):
        self.bounds = bounds  # (row, outer) -> [start, stop, step]
        self.add = add        # timestamp + interval

    def batches(self, outer):
        start, stop, step = self.bounds((), outer)
        if start is None or stop is None or step is None:
            return
        zero = type(step)(0, 0, 0)
        if step == zero:
            raise InvalidParameterValueError("step size cannot equal zero")
        rows, value, forward = [], start, step > zero
        while (value <= stop) if forward else (value >= stop):
            rows.append((value,))
            if len(rows) == 1024:
                yield rows
                rows = []
            value = self.add(value, step)
        if rows:
            yield rows


class AsOfScan(Operator):
    """Rows of a table as a given revision held it (its definition and data root)."""

    def __init__(self, ns, table):
        self.ns = ns
        self.table = table

    def batches(self, outer):
        from rowdb.query.rowcodec import codec_for
        from rowdb.storage.tree import leaf_ranges, scan_leaves

        codec = codec_for(self.table)
        store = self.ns["X"].workspace.store
        if codec.keyless:
            for _, values in scan_leaves(store, self.table.data):
                yield codec.decode_many(values)
            return
        for leaf, _, _ in leaf_ranges(store, self.table.data):
            yield codec.leaf_rows(leaf)  # shares the decoded-row cache with head scans


class SubqueryScan(Operator):
    def __init__(self, plan):
        self.plan = plan

    def batches(self, outer):
        return self.plan.batches(outer)


class Project(Operator):
    """Filter and compute output columns in one generated list comprehension per batch."""

    def __init__(self, source: Operator, ns, condition, outputs):
        self.source = source
        self.width = len(outputs)
        row = f"({', '.join(c.text for c in outputs)},)" if outputs else "()"
        where = f" if {condition.text}" if condition is not None else ""
        if row == f"({', '.join(f'r[{i}]' for i in range(len(outputs)))},)" and \
                getattr(source, "width", None) == len(outputs):
            row = "r"
        self.fn = ns.function(f"[{row} for r in rows{where}]", "rows, o")

    def batches(self, outer):
        fn = self.fn
        for batch in self.source.batches(outer):
            out = fn(batch, outer)
            if out:
                yield out


class Trim(Operator):
    def __init__(self, source: Operator, width: int):
        self.source = source
        self.width = width

    def batches(self, outer):
        width = self.width
        for batch in self.source.batches(outer):
            yield [r[:width] for r in batch]


class Distinct(Operator):
    def __init__(self, source: Operator, width: int):
        self.source = source
        self.width = getattr(source, "width", width)
        self.key_width = width

    def batches(self, outer):
        seen = set()
        width = self.key_width
        for batch in self.source.batches(outer):
            out = []
            for row in batch:
                key = row[:width]
                if key not in seen:
                    seen.add(key)
                    out.append(row)
            if out:
                yield out


class DistinctOn(Operator):
    """Keep the first row of each run of equal DISTINCT ON values (input sorted)."""

    def __init__(self, source: Operator, keys: list, width: int):
        self.source = source
        self.keys = keys
        self.width = width

    def batches(self, outer):
        seen = set()
        out = []
        width = self.width
        for batch in self.source.batches(outer):
            for row in batch:
                key = tuple(fn(row, outer) for fn in self.keys)
                if key not in seen:
                    seen.add(key)
                    out.append(row[:width])
        if out:
            yield out


@dataclass
class AggregateSpec:
    aggregate: object   # aggregates.Aggregate
    values: object      # (rows, outer) -> argument values of the rows passing FILTER
    order_keys: object = None  # (rows, outer) -> ORDER BY keys inside the call, same rows
    filtered: bool = False     # the call has a FILTER clause


class TableCount(Operator):
    """count(*) over a whole table: read off the tree's counts, O(1) (keyless tables and
    pending edits are counted by scanning)."""

    def __init__(self, ns, table: str, copies: int):
        self.ns = ns
        self.table = table
        self.copies = copies

    def batches(self, outer):
        count = self.ns["X"].workspace.view(self.table).count()
        yield [(count,) * self.copies]


class Aggregate(Operator):
    """Grouping: rows are collected per group key, then each aggregate reduces its
    argument values per group with C-level builtins (sum, min, len, ...)."""

    def __init__(self, source: Operator, ns, condition, group_codes, specs, grouped: bool):
        self.source = source
        self.specs = specs
        self.grouped = grouped
        self.width = len(group_codes) + len(specs)
        where = f" if {condition.text}" if condition is not None else ""
        self.filter = ns.function(f"[r for r in rows{where}]", "rows, o") if where else None
        key = f"({', '.join(c.text for c in group_codes)},)" if group_codes else "()"
        self.keys = ns.function(f"[{key} for r in rows]", "rows, o")

    def batches(self, outer):
        if not self.grouped and all(
                s.aggregate.name in Partial.DECOMPOSABLE and not s.aggregate.distinct
                and not s.aggregate.order for s in self.specs):
            yield [aggregate_row(self.source, self.specs, self.filter, outer)]
            return
        groups: dict[tuple, list] = {}
        for batch in self.source.batches(outer):
            if self.filter is not None:
                batch = self.filter(batch, outer)
            if not self.grouped:
                groups.setdefault((), []).extend(batch)
                continue
            for key, row in zip(self.keys(batch, outer), batch):
                found = groups.get(key)
                if found is None:
                    groups[key] = [row]
                else:
                    found.append(row)
        if not groups and not self.grouped:
            groups[()] = []
        out = []
        for key, rows in groups.items():
            values = []
            for spec in self.specs:
                args = spec.values(rows, outer)
                keys = spec.order_keys(rows, outer) if spec.order_keys is not None else None
                values.append(spec.aggregate.reduce(args, keys))
            out.append(key + tuple(values))
        if out:
            yield out


class SetOp(Operator):
    """UNION / INTERSECT / EXCEPT, with or without ALL."""

    def __init__(self, kind: str, distinct: bool, left, right, left_convert, right_convert):
        self.kind = kind
        self.distinct = distinct
        self.left = left
        self.right = right
        self.left_convert = left_convert
        self.right_convert = right_convert

    def _rows(self, plan, convert, outer):
        rows = []
        for batch in plan.batches(outer):
            rows.extend(batch if convert is None else [convert(r, outer) for r in batch])
        return rows

    def batches(self, outer):
        left = self._rows(self.left, self.left_convert, outer)
        right = self._rows(self.right, self.right_convert, outer)
        if self.kind == "union":
            rows = left + right
            if self.distinct:
                rows = list(dict.fromkeys(rows))
        elif self.kind == "intersect":
            if self.distinct:
                keep = set(right)
                rows = [r for r in dict.fromkeys(left) if r in keep]
            else:
                counts = Counter(right)
                rows = []
                for r in left:
                    if counts[r] > 0:
                        counts[r] -= 1
                        rows.append(r)
        else:
            if self.distinct:
                drop = set(right)
                rows = [r for r in dict.fromkeys(left) if r not in drop]
            else:
                counts = Counter(right)
                rows = []
                for r in left:
                    if counts[r] > 0:
                        counts[r] -= 1
                    else:
                        rows.append(r)
        if rows:
            yield rows


class HashJoin(Operator):
    """Equi-join: hash the right side's rows by key, probe with each batch of left rows.
    Keys come from generated list comprehensions; NULL keys never match."""

    def __init__(self, left, right, left_keys, right_keys, residual, kind, width_left,
                 width_right):
        self.left = left
        self.right = right
        self.left_keys = left_keys    # (rows, outer) -> keys
        self.right_keys = right_keys
        self.residual = residual
        self.kind = kind
        self.width_left = width_left
        self.width_right = width_right

    def batches(self, outer):
        table: dict = {}
        right_rows = []
        for batch in self.right.batches(outer):
            right_rows.extend(batch)
        if self.kind in ("right", "full"):
            yield from self._outer_right(right_rows, outer)
            return
        right_keys = self.right_keys(right_rows, outer)
        unique = dict(zip(right_keys, right_rows))  # built in C; right for unique keys
        unique.pop(None, None)
        if len(unique) == len(right_keys) - right_keys.count(None):
            yield from self._probe_unique(unique, outer)
            return
        for key, row in zip(right_keys, right_rows):
            if key is not None:
                found = table.get(key)
                if found is None:
                    table[key] = [row]
                else:
                    found.append(row)
        residual = self.residual
        keep_left = self.kind == "left"
        right_pad = (None,) * self.width_right
        empty = ()
        get = table.get
        for batch in self.left.batches(outer):
            keys = self.left_keys(batch, outer)
            if residual is None and not keep_left:
                out = [row + other for row, key in zip(batch, keys)
                       for other in get(key, empty)]
            else:
                out = []
                for row, key in zip(batch, keys):
                    found = False
                    for other in get(key, empty):
                        joined = row + other
                        if residual is None or residual(joined, outer):
                            out.append(joined)
                            found = True
                    if not found and keep_left:
                        out.append(row + right_pad)
            if out:
                yield out

    def _probe_unique(self, table: dict, outer):
        """Inner and left joins against a side whose keys are unique (a key join)."""
        get = table.get
        residual = self.residual
        keep_left = self.kind == "left"
        right_pad = (None,) * self.width_right
        for batch in self.left.batches(outer):
            keys = self.left_keys(batch, outer)
            if residual is None and not keep_left and self.width_right:
                # Matches and their rows found in C: right rows are non-empty tuples
                # (true), misses None.
                others = list(map(get, keys))
                out = list(map(tuple.__add__, compress(batch, others), filter(None, others)))
            elif residual is None and not keep_left:
                out = [row + other for row, key in zip(batch, keys)
                       if (other := get(key)) is not None]
            else:
                out = []
                for row, key in zip(batch, keys):
                    other = get(key)
                    if other is not None:
                        joined = row + other
                        if residual is None or residual(joined, outer):
                            out.append(joined)
                            continue
                    if keep_left:
                        out.append(row + right_pad)
            if out:
                yield out

    def _outer_right(self, right_rows, outer):
        """RIGHT and FULL joins: remember which right rows matched."""
        table: dict = {}
        for index, key in enumerate(self.right_keys(right_rows, outer)):
            if key is not None:
                table.setdefault(key, []).append(index)
        matched = [False] * len(right_rows)
        left_pad = (None,) * self.width_left
        right_pad = (None,) * self.width_right
        residual = self.residual
        keep_left = self.kind == "full"
        for batch in self.left.batches(outer):
            out = []
            for row, key in zip(batch, self.left_keys(batch, outer)):
                found = False
                for index in table.get(key, ()):
                    joined = row + right_rows[index]
                    if residual is None or residual(joined, outer):
                        out.append(joined)
                        found = matched[index] = True
                if not found and keep_left:
                    out.append(row + right_pad)
            if out:
                yield out
        rest = [left_pad + r for r, hit in zip(right_rows, matched) if not hit]
        if rest:
            yield rest


class NestedLoopJoin(Operator):
    """Any join condition: every left row against every right row."""

    def __init__(self, left, right, condition, kind, width_left, width_right):
        self.left = left
        self.right = right
        self.condition = condition
        self.kind = kind
        self.width_left = width_left
        self.width_right = width_right

    def batches(self, outer):
        right_rows = []
        for batch in self.right.batches(outer):
            right_rows.extend(batch)
        matched = [False] * len(right_rows) if self.kind in ("right", "full") else None
        keep_left = self.kind in ("left", "full")
        right_pad = (None,) * self.width_right
        condition = self.condition
        for batch in self.left.batches(outer):
            out = []
            for row in batch:
                if condition is None:
                    out.extend([row + r for r in right_rows])
                    continue
                found = False
                for index, other in enumerate(right_rows):
                    joined = row + other
                    if condition(joined, outer):
                        out.append(joined)
                        found = True
                        if matched is not None:
                            matched[index] = True
                if not found and keep_left:
                    out.append(row + right_pad)
            if out:
                yield out
        if matched is not None:
            left_pad = (None,) * self.width_left
            rest = [left_pad + r for r, hit in zip(right_rows, matched) if not hit]
            if rest:
                yield rest
