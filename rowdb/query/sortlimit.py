"""Operators that order and cut a plan's rows: ORDER BY, LIMIT / OFFSET, FETCH ... WITH TIES.

Where: query layer; plans build them as `operators.Sort` etc. (operators.py re-exports them),
and run them like every operator, through `batches(outer)`; `width` is the number of
columns they pass on.
"""

from __future__ import annotations

from dataclasses import dataclass

from rowdb.errors import InvalidRowCountInLimitError, InvalidRowCountInOffsetError


@dataclass(frozen=True)
class SortKey:
    fn: object          # (row, outer) -> value
    descending: bool
    nulls_first: bool
    floating: bool = False  # float or numeric values: NaN sorts above every number


class Sort:
    """Materialise, sort by the keys (stable passes, last key first), keep `width` columns."""

    def __init__(self, source, keys: list[SortKey], width: int):
        self.source = source
        self.keys = keys
        self.width = width

    def batches(self, outer):
        rows = []
        for batch in self.source.batches(outer):
            rows.extend(batch)
        for key in reversed(self.keys):
            fn = key.fn
            null_flag = int(key.nulls_first == key.descending)
            value_flag = 1 - null_flag

            def sort_key(r, fn=fn, o=outer, nf=null_flag, vf=value_flag):
                v = fn(r, o)
                return (nf, 0) if v is None else (vf, v)

            def float_key(r, fn=fn, o=outer, nf=null_flag, vf=value_flag):
                v = fn(r, o)
                return (nf, 0, 0) if v is None else (vf, 1, 0) if v != v else (vf, 0, v)
            rows.sort(key=float_key if key.floating else sort_key, reverse=key.descending)
        width = self.width
        if width and rows and len(rows[0]) != width:
            rows = [r[:width] for r in rows]
        if rows:
            yield rows


class TiesLimit:
    """FETCH FIRST n ROWS WITH TIES over a Sort: also the rows after the n-th that sort
    equal to it; then only `width` columns are kept."""

    def __init__(self, source, count, skip, keys: list, width: int):
        self.source = source
        self.count = count
        self.skip = skip
        self.keys = keys
        self.width = width

    def batches(self, outer):
        count, skip = _count_and_skip(self.count, self.skip, outer)
        rows = [row for batch in self.source.batches(outer) for row in batch][skip:]
        if count is not None and count < len(rows):
            end = count
            if count:
                def sort_values(row):
                    return tuple(key.fn(row, outer) for key in self.keys)
                last = sort_values(rows[count - 1])
                while end < len(rows) and sort_values(rows[end]) == last:
                    end += 1
            rows = rows[:end]
        if self.width and rows and len(rows[0]) != self.width:
            rows = [row[:self.width] for row in rows]
        if rows:
            yield rows


class Limit:
    def __init__(self, source, count, skip):
        self.source = source
        self.count = count
        self.skip = skip
        self.width = getattr(source, "width", None)

    def batches(self, outer):
        count, skip = _count_and_skip(self.count, self.skip, outer)
        if count == 0:
            return
        for batch in self.source.batches(outer):
            if skip:
                if skip >= len(batch):
                    skip -= len(batch)
                    continue
                batch, skip = batch[skip:], 0
            if count is not None:
                if len(batch) >= count:
                    yield batch[:count]
                    return
                count -= len(batch)
            yield batch


def _count_and_skip(count_fn, skip_fn, outer) -> tuple[int | None, int]:
    """LIMIT's row count (None: all) and OFFSET's (0 when absent or NULL), checked."""
    count = count_fn((), outer) if count_fn is not None else None
    skip = (skip_fn((), outer) if skip_fn is not None else 0) or 0
    if skip < 0:
        raise InvalidRowCountInOffsetError("OFFSET must not be negative")
    if count is not None and count < 0:
        raise InvalidRowCountInLimitError("LIMIT must not be negative")
    return count, skip
