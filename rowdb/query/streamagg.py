"""Ungrouped decomposable aggregates (count, sum, avg, min, max, bool_and, bool_or) over a
whole input, streamed a batch at a time, with per-leaf partial results cached.

Where: query layer; operators.Aggregate hands its ungrouped queries here. Over a bare table
scan with no condition left to test and aggregates of bare columns, each leaf wholly inside
the scanned range contributes its partial result (count, total): leaves are immutable and
named by their hash, so a partial computed once serves every later query over any version
that shares the leaf. A repeated `SELECT count(*), sum(a) FROM t` reads no rows, and after a
1% update only the edited leaves are read again. Other inputs are fed a few thousand rows at
a time. Float sums are added per leaf, then across leaves (PostgreSQL's parallel aggregates
also group their additions).
"""

from __future__ import annotations

from itertools import chain

from rowdb import limits
from rowdb.query.aggregates import Partial
from rowdb.storage.lru import ByteLRU

_FEED_ROWS = 4096  # rows per call into streamed aggregates: amortizes per-call work
_SAME_PART = {"avg": "sum", "every": "bool_and"}  # aggregates that share a partial

# (leaf hash, row layout, column index, partial kind) -> (count, total)
_leaf_partials = ByteLRU(limits.leaf_partials_max)


def aggregate_row(source, specs: list, row_filter, outer) -> tuple:
    """One row of the aggregates `specs` over the rows of `source` passing `row_filter`."""
    partials = [Partial(spec.aggregate) for spec in specs]
    pairs = list(zip(specs, partials))
    columns = [_column_of(spec) for spec in specs]
    if row_filter is None and hasattr(source, "leaf_batches") and None not in columns:
        _by_leaves(source, pairs, columns, outer)
        return tuple(partial.result() for partial in partials)
    pending: list[list] = []  # leaf-sized batches, fed a few thousand rows at a time
    size = 0
    for batch in source.batches(outer):
        pending.append(batch)
        size += len(batch)
        if size >= _FEED_ROWS:
            _feed(list(chain.from_iterable(pending)), pairs, row_filter, outer)
            pending, size = [], 0
    if pending:
        _feed(list(chain.from_iterable(pending)), pairs, row_filter, outer)
    return tuple(partial.result() for partial in partials)


def _column_of(spec) -> int | None:
    """-1 for count(*), the input column of an aggregate of a bare column, else None."""
    if spec.filtered or spec.order_keys is not None:
        return None
    if spec.aggregate.star:
        return -1
    return getattr(spec.values, "column", None)


def _feed(rows: list, pairs: list, row_filter, outer) -> None:
    if row_filter is not None:
        rows = row_filter(rows, outer)
    for spec, partial in pairs:
        partial.feed(spec.values(rows, outer))


def _by_leaves(source, pairs: list, columns: list, outer) -> None:
    codec = source.view().codec
    layout = codec.layout
    kinds = [_SAME_PART.get(spec.aggregate.name, spec.aggregate.name) for spec, _ in pairs]
    work = list(zip(pairs, columns, kinds))
    get, put = _leaf_partials.get, _leaf_partials.put
    for leaf, rows in source.leaf_batches(outer):
        if leaf is None:
            for spec, partial in pairs:
                partial.feed(spec.values(rows, outer))
            continue
        for (spec, partial), column, kind in work:
            if column < 0:
                partial.merge(len(leaf.keys), None)
                continue
            key = (leaf.digest, layout, column, kind)
            part = get(key)
            if part is None:
                if rows is None:
                    rows = codec.leaf_rows(leaf)
                part = partial.part(spec.values(rows, outer))
                put(key, part)
            partial.merge(*part)
