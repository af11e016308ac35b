"""Batch mutation: apply a sorted batch of puts and deletes to a tree, level by level.

Where: storage layer; the query layer's transactions and merge.py call `apply_edits`.

At each level, starting at the leaves, the nodes holding an edited key are rewritten: their
entries with the edits applied are fed to a fresh Chunker from the start of the first touched
node (a cut before unchanged entries stays a cut, because cuts depend only on the entries since
the previous cut). The run continues into following nodes until a cut falls exactly at the end
of an old node; from there the old nodes are reused untouched. The replaced nodes' summaries
become deletes, and the new nodes' summaries puts, for the level above; the same procedure
runs there, up to the root. The result is exactly the tree a bulk build of the new contents
gives (history independence), while work is proportional to the touched nodes x depth.
"""

from __future__ import annotations

import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import compress, repeat

from rowdb.errors import InvalidValueError
from rowdb.gcpause import paused_gc
from rowdb import limits
from rowdb.storage.chunker import Chunker, build_checked, build_upward, check_entries
from rowdb.storage.node import Node
from rowdb.storage.tree import LevelCursor

_INTERNAL_OVERHEAD = limits.internal_entry_overhead

Edit = tuple[bytes, bytes | None]  # (key, new value) or (key, None) to delete
_first, _second = operator.itemgetter(0), operator.itemgetter(1)


def apply_edits(writer, root: bytes, edits: Iterable[Edit]) -> bytes:
    """The root of `root` with `edits` applied; `edits` sorted by key, each key once.

    Deleting an absent key is a no-op. New nodes are staged in `writer`.
    """
    with paused_gc():
        return _apply(writer, root, edits if isinstance(edits, list) else list(edits))


def _apply(writer, root: bytes, edits: list) -> bytes:
    if not edits:
        return root
    keys = list(map(_first, edits))
    if not all(map(operator.lt, keys, keys[1:])):
        raise InvalidValueError("edits must be sorted by key, each key once")
    values = list(map(_second, edits))
    check_entries(keys, values, deletes=True)
    top = writer.load(root)
    if not top.keys:
        if None in values:
            present = list(map(operator.is_not, values, repeat(None)))
            keys, values = list(compress(keys, present)), list(compress(values, present))
        return build_checked(keys, values, writer)
    level_edits: list = edits
    for level in range(top.level + 1):
        summaries, replaced = _rewrite_level(writer, root, level, level_edits)
        if level == top.level:
            new_root = build_upward(summaries, level, writer)
            return _collapse(writer, new_root)
        puts = {key: (digest, count) for key, digest, count in summaries}
        merged = dict.fromkeys(replaced)
        merged.update(puts)
        level_edits = sorted(merged.items())
        if not level_edits:
            return root
    raise AssertionError("unreachable: the loop returns at the root level")


def _collapse(writer, root: bytes) -> bytes:
    """Drop single-child roots: a tree's root is the lowest level with one node."""
    node = writer.load(root)
    while node.level and len(node.keys) == 1:
        node = writer.load(node.values[0])
    return node.digest


def _rewrite_level(writer, root: bytes, level: int, edits: list):
    """Rewrite the level-`level` nodes the edits touch.

    Returns (summaries of the new nodes, last keys of the replaced old nodes). Values of
    `edits` are row bytes at level 0 and (hash, count) above.
    """
    cursor = LevelCursor(writer, root, level)
    edit_keys = [k for k, _ in edits]
    replaced: list[bytes] = []
    chunker = Chunker(level, writer)
    i = 0
    while i < len(edits):
        cursor.seek(edit_keys[i])
        while True:
            node = cursor.node
            last = cursor.is_last()
            j = len(edits) if last else bisect_right(edit_keys, node.keys[-1], i)
            keys, values, counts, changes = merge_node(node, edits, i, j)
            replaced.append(node.keys[-1])
            if chunker.at_boundary and i < j:
                chunker.add_edited(keys, values, counts, changes, node, edits[i:j])
            else:
                chunker.add_many(keys, values, counts)
            i = j
            if last:
                chunker.finish()
                break
            if chunker.at_boundary:
                break  # the cut is where the old node ended: what follows is unchanged
            cursor.next()
    return chunker.out, replaced


def merge_node(node: Node, edits: list, start: int = 0, end: int | None = None):
    """The node's entries with edits[start:end] applied: (keys, values, counts, changes),
    `changes` as Chunker.add_edited takes them; sizes are chunker.py's measure. Above the
    leaves an edit's value is (hash, count). delta.py rebuilds delta records with it."""
    end = len(edits) if end is None else end
    keys, values = node.keys, node.values
    counts = node.counts
    if start == end:
        return keys, values, counts, []
    keys, values = list(keys), list(values)
    changes = []
    if counts is None:
        for key, value in edits[start:end]:
            at = bisect_left(keys, key)
            if at < len(keys) and keys[at] == key:
                if value is None:
                    changes.append((at, -len(key) - len(values[at]), False))
                    del keys[at], values[at]
                else:
                    delta = len(value) - len(values[at])
                    changes.append((at, delta, delta != 0))
                    values[at] = value
            elif value is not None:
                changes.append((at, len(key) + len(value), True))
                keys.insert(at, key)
                values.insert(at, value)
        return keys, values, None, changes
    counts = list(counts)
    for key, value in edits[start:end]:
        at = bisect_left(keys, key)
        found = at < len(keys) and keys[at] == key
        if value is None:
            if found:
                changes.append((at, -len(key) - _INTERNAL_OVERHEAD, False))
                del keys[at], values[at], counts[at]
        elif found:
            values[at], counts[at] = value
        else:
            changes.append((at, len(key) + _INTERNAL_OVERHEAD, True))
            keys.insert(at, key)
            values.insert(at, value[0])
            counts.insert(at, value[1])
    return keys, values, counts, changes
