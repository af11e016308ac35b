"""Three-way merge of trees: apply both sides' changes since a common base.

Where: storage layer; the version-control layer merges table data and concurrent
transactions with it, supplying a resolver for keys both sides changed.

The changes base->theirs are applied onto ours as one sorted edit batch (edit.py), so ours'
unchanged subtrees are never read. A key changed on both sides to the same value is taken as
is; a key changed differently goes to `resolve(key, base, ours, theirs)`, which returns the
merged value (None deletes) or raises to refuse the merge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rowdb.errors import RowdbError
from rowdb.storage.diff import diff
from rowdb.storage.edit import apply_edits

Resolver = Callable[[bytes, bytes | None, bytes | None, bytes | None], bytes | None]


class MergeConflictError(RowdbError, sqlstate="40001"):
    """Both sides changed the same key differently and no resolver settled it."""


def refuse(key: bytes, base, ours, theirs):
    raise MergeConflictError("both sides changed the same entry",
                             detail=f"key {key.hex()}")


def merge(writer, base: bytes, ours: bytes, theirs: bytes,
          resolve: Resolver = refuse) -> bytes:
    """The root holding base's entries with both ours' and theirs' changes applied."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    edits = list(_edits(diff(writer, base, ours), diff(writer, base, theirs), resolve))
    return apply_edits(writer, ours, edits)


def _edits(ours: Iterator, theirs: Iterator, resolve: Resolver):
    """Edits that turn ours into the merge: theirs' changes, resolved where both changed."""
    end = (None, None, None)
    mine, other = next(ours, end), next(theirs, end)
    while other[0] is not None:
        if mine[0] is not None and mine[0] < other[0]:
            mine = next(ours, end)
            continue
        key, base_value, their_value = other
        if mine[0] == key:
            my_value = mine[2]
            if my_value != their_value:
                merged = resolve(key, base_value, my_value, their_value)
                if merged != my_value:
                    yield key, merged
            mine = next(ours, end)
        else:
            yield key, their_value
        other = next(theirs, end)
