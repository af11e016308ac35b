"""Reading a prolly tree: point look-ups, range scans, counts, ordinal seeks, level cursors.

Where: storage layer; the query layer reads tables through these functions, and edit.py,
diff.py and merge.py build on `LevelCursor` and `load`. A tree is named by its root hash; every
function takes `store`, anything with `load(hash) -> Node` (a NodeStore or a Writer).

Per-row work stays in C: each node step is a `bisect` over the node's key list, and scans
yield `zip` slices of whole leaves.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from rowdb.storage.node import Node


@dataclass(frozen=True, slots=True)
class Bound:
    """One end of a key range; `inclusive` says whether `key` itself is in the range."""

    key: bytes
    inclusive: bool = True


def prefix_range(prefix: bytes) -> tuple[Bound | None, Bound | None]:
    """(low, high) bounds of every key that starts with `prefix`."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return Bound(prefix), None
    upper = stripped[:-1] + bytes([stripped[-1] + 1])
    return Bound(prefix), Bound(upper, inclusive=False)


def get(store, root: bytes, key: bytes) -> bytes | None:
    """The value stored under `key`, or None."""
    node = store.load(root)
    while node.level:
        keys = node.keys
        i = bisect_left(keys, key)
        if i == len(keys):
            return None
        node = store.load(node.values[i])
    keys = node.keys
    i = bisect_left(keys, key)
    if i < len(keys) and keys[i] == key:
        return node.values[i]
    return None


def count(store, root: bytes) -> int:
    """Number of entries: O(1), read off the root."""
    return store.load(root).total


def rank(store, root: bytes, key: bytes, inclusive: bool = False) -> int:
    """Number of entries with keys < `key` (<= when `inclusive`): O(depth)."""
    find = bisect_right if inclusive else bisect_left
    node, before = store.load(root), 0
    while node.level:
        i = find(node.keys, key)
        if i == len(node.keys):
            return before + node.total
        if i:
            before += node.cumulative()[i - 1]
        node = store.load(node.values[i])
    return before + find(node.keys, key)


def count_range(store, root: bytes, low: Bound | None = None, high: Bound | None = None) -> int:
    """Number of entries between the bounds: O(depth)."""
    start = rank(store, root, low.key, not low.inclusive) if low else 0
    end = rank(store, root, high.key, high.inclusive) if high else count(store, root)
    return max(0, end - start)


def _descend(store, root: bytes, key: bytes | None, level: int = 0) -> list[list]:
    """Path of [node, child index] from the root to the level-`level` node holding `key`
    (the first such node when key is None); indexes are clamped to the last child."""
    node = store.load(root)
    path = []
    while node.level > level:
        i = 0 if key is None else min(bisect_left(node.keys, key), len(node.keys) - 1)
        path.append([node, i])
        node = store.load(node.values[i])
    path.append([node, 0])
    return path


def _step(store, path: list[list], forward: bool = True) -> bool:
    """Move the bottom of `path` to the next (or previous) node of its level."""
    depth = len(path) - 1
    level = path[-1][0].level
    up = depth - 1
    while up >= 0:
        node, i = path[up]
        if (i + 1 < len(node.keys)) if forward else (i > 0):
            break
        up -= 1
    else:
        return False
    path[up][1] += 1 if forward else -1
    del path[up + 1:]
    node = store.load(path[up][0].values[path[up][1]])
    while node.level > level:
        i = 0 if forward else len(node.keys) - 1
        path.append([node, i])
        node = store.load(node.values[i])
    path.append([node, 0])
    return True


def scan(store, root: bytes, low: Bound | None = None, high: Bound | None = None,
         reverse: bool = False) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) pairs between the bounds, in key order (descending when `reverse`)."""
    for keys, values in scan_leaves(store, root, low, high, reverse):
        yield from zip(keys, values)


def scan_leaves(store, root: bytes, low: Bound | None = None, high: Bound | None = None,
                reverse: bool = False) -> Iterator[tuple[list[bytes], list[bytes]]]:
    """The entries between the bounds as (keys, values) lists, one pair per leaf, in key
    order (each list descending when `reverse`): per-row work stays in C for the caller."""
    for leaf, start, end in leaf_ranges(store, root, low, high, reverse):
        if start == 0 and end == len(leaf.keys):
            keys, values = leaf.keys, leaf.values
        else:
            keys, values = leaf.keys[start:end], leaf.values[start:end]
        if reverse:
            keys, values = keys[::-1], values[::-1]
        yield keys, values


def leaf_ranges(store, root: bytes, low: Bound | None = None, high: Bound | None = None,
                reverse: bool = False) -> Iterator[tuple[Node, int, int]]:
    """(leaf, start, end) for each leaf holding entries between the bounds, in key order
    (leaves in descending order when `reverse`); entries leaf.keys[start:end] qualify."""
    if reverse:
        yield from _ranges_backward(store, root, low, high)
        return
    path = _descend(store, root, low.key if low else None)
    leaf = path[-1][0]
    if low is None:
        start = 0
    else:
        start = (bisect_left if low.inclusive else bisect_right)(leaf.keys, low.key)
    while True:
        keys = leaf.keys
        if high is not None and keys and keys[-1] >= high.key:
            end = (bisect_right if high.inclusive else bisect_left)(keys, high.key)
            if end > start:
                yield leaf, start, end
            return
        if start < len(keys):
            yield leaf, start, len(keys)
        if not _step(store, path):
            return
        leaf, start = path[-1][0], 0


def _ranges_backward(store, root, low, high):
    path = _last_path(store, root) if high is None else _descend(store, root, high.key)
    leaf = path[-1][0]
    if high is None:
        end = len(leaf.keys)
    else:
        end = (bisect_right if high.inclusive else bisect_left)(leaf.keys, high.key)
    while True:
        keys = leaf.keys
        if low is not None and keys and keys[0] <= low.key:
            start = (bisect_left if low.inclusive else bisect_right)(keys, low.key)
            if end > start:
                yield leaf, start, end
            return
        if end:
            yield leaf, 0, end
        if not _step(store, path, forward=False):
            return
        leaf = path[-1][0]
        end = len(leaf.keys)


def _last_path(store, root: bytes) -> list[list]:
    node = store.load(root)
    path = []
    while node.level:
        i = len(node.keys) - 1
        path.append([node, i])
        node = store.load(node.values[i])
    path.append([node, 0])
    return path


def seek(store, root: bytes, ordinal: int) -> tuple[bytes, bytes] | None:
    """The entry at 0-based position `ordinal` in key order (for OFFSET), or None."""
    node = store.load(root)
    if ordinal < 0 or ordinal >= node.total:
        return None
    while node.level:
        cumulative = node.cumulative()
        i = bisect_right(cumulative, ordinal)
        if i:
            ordinal -= cumulative[i - 1]
        node = store.load(node.values[i])
    return node.keys[ordinal], node.values[ordinal]


def scan_from(store, root: bytes, ordinal: int) -> Iterator[tuple[bytes, bytes]]:
    """Entries from position `ordinal` on, in key order: OFFSET without visiting the skipped."""
    found = seek(store, root, ordinal)
    if found is not None:
        yield from scan(store, root, Bound(found[0]))


def depth(store, root: bytes) -> int:
    """Number of levels: 1 for a single leaf."""
    return store.load(root).level + 1


class LevelCursor:
    """Walks the nodes of one level of a tree in key order; used by edit.py."""

    def __init__(self, store, root: bytes, level: int):
        self.store = store
        self.root = root
        self.level = level
        self.path: list[list] = _descend(store, root, None, level)

    @property
    def node(self) -> Node:
        return self.path[-1][0]

    def is_last(self) -> bool:
        """True when the current node is the last of its level."""
        return all(i == len(node.keys) - 1 for node, i in self.path[:-1])

    def seek(self, key: bytes) -> None:
        """Move forward to the node of this level whose key range holds `key` (or to the
        last node): climbs to the lowest ancestor whose range reaches `key`, then descends."""
        path = self.path
        if len(path) == 1:
            return
        j = len(path) - 2
        while j > 0 and path[j][0].keys[-1] < key:
            j -= 1
        del path[j + 1:]
        node = path[j][0]
        i = min(bisect_left(node.keys, key), len(node.keys) - 1)
        path[j][1] = i
        node = self.store.load(node.values[i])
        while node.level > self.level:
            i = min(bisect_left(node.keys, key), len(node.keys) - 1)
            path.append([node, i])
            node = self.store.load(node.values[i])
        path.append([node, 0])

    def next(self) -> bool:
        return _step(self.store, self.path)
