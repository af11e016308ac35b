"""Diff of two trees: (key, old value, new value) in key order, skipping shared subtrees.

Where: storage layer; merge.py and the version-control layer (diff_<table>, merges) use it.

Each side is a stack of pending items in key order: subtrees as (level, hash), and parts of
leaves as (-1, leaf, start). Both stacks always hold the same key range, so two subtrees on
top with equal hashes hold equal entries and are dropped unread. Otherwise the higher subtree
is expanded; two leaves with the same keys (the usual case after updates) are compared value
list against value list, and two leaf parts are compared up to the smaller of their last keys
with dictionaries, in C. Cost: O(changed nodes x depth), not O(entries).
"""

from __future__ import annotations

import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import compress, repeat

from rowdb.storage.node import HASH_GROUP

Change = tuple[bytes, bytes | None, bytes | None]  # (key, old or None, new or None)

_PART = -1  # level tag of a leaf part: (-1, leaf node, start index)


def diff(store, from_root: bytes, to_root: bytes) -> Iterator[Change]:
    """Every key whose value differs between the trees: added (old None), removed (new None),
    or modified."""
    if from_root == to_root:
        return
    a = [(store.load(from_root).level, from_root)]
    b = [(store.load(to_root).level, to_root)]
    while a and b:
        x, y = a[-1], b[-1]
        x_level, y_level = x[0], y[0]
        if x_level >= 0 and y_level >= 0:
            if x[1] == y[1]:
                a.pop()
                b.pop()
            elif x_level == y_level == 0:
                yield from _diff_leaves(store, a, b)
            elif x_level == y_level:
                _diff_internal(store, a, b)
            else:
                _expand(store, a if x_level > y_level else b)
        elif x_level >= 0:
            _expand(store, a)
        elif y_level >= 0:
            _expand(store, b)
        else:
            yield from _diff_parts(a, b)
    yield from _drain(store, a, removed=True)
    yield from _drain(store, b, removed=False)


def _diff_leaves(store, a: list, b: list) -> Iterator[Change]:
    """Two different leaves on top: compare value lists at once when the keys are equal,
    else continue with leaf parts."""
    left, right = store.load(a.pop()[1]), store.load(b.pop()[1])
    if left.keys != right.keys:
        if left.keys:
            a.append((_PART, left, 0))
        if right.keys:
            b.append((_PART, right, 0))
        return
    changed = list(map(operator.ne, left.values, right.values))
    yield from zip(compress(left.keys, changed), compress(left.values, changed),
                   compress(right.values, changed))


def _diff_parts(a: list, b: list) -> Iterator[Change]:
    """Two leaf parts on top: diff the entries up to the smaller last key, in C."""
    _, left, i = a.pop()
    _, right, j = b.pop()
    bound = min(left.keys[-1], right.keys[-1])
    i_end = bisect_right(left.keys, bound, i)
    j_end = bisect_right(right.keys, bound, j)
    old = dict(zip(left.keys[i:i_end], left.values[i:i_end]))
    new = dict(zip(right.keys[j:j_end], right.values[j:j_end]))
    if old != new:
        keys = {k for k, _ in set(old.items()) ^ set(new.items())}
        for key in sorted(keys):
            yield key, old.get(key), new.get(key)
    if i_end < len(left.keys):
        a.append((_PART, left, i_end))
    if j_end < len(right.keys):
        b.append((_PART, right, j_end))


def _diff_internal(store, a: list, b: list) -> None:
    """Two different internal nodes of one level on top: replace them by the children that
    differ. Where child boundaries line up, children are paired one by one, descending
    through aligned internal levels at once; otherwise the shared leading and trailing runs
    are dropped and the differing middles pushed whole."""
    left, right = store.load(a.pop()[1]), store.load(b.pop()[1])
    pairs: list[tuple[int, bytes, bytes]] = []
    if _aligned_pairs(store, left, right, pairs):
        for level, left_child, right_child in reversed(pairs):
            a.append((level, left_child))
            b.append((level, right_child))
        return
    level = left.level - 1
    lv, rv = left.values, right.values
    shortest = min(len(lv), len(rv))
    same = list(map(operator.eq, lv, rv))
    head = same.index(False) if False in same else shortest
    same_tail = list(map(operator.eq, reversed(lv), reversed(rv)))[:shortest - head]
    tail = same_tail.index(False) if False in same_tail else len(same_tail)
    a.extend(zip(repeat(level), reversed(lv[head:len(lv) - tail])))
    b.extend(zip(repeat(level), reversed(rv[head:len(rv) - tail])))


def _aligned_pairs(store, left, right, pairs: list) -> bool:
    """If the children of two internal nodes line up, add the differing pairs to `pairs`
    in key order (children above the leaves are opened in turn) and return True."""
    changed = _changed_children(left, right)
    if changed is None:
        return False
    level = left.level - 1
    lv, rv = left.values, right.values
    for i in changed:
        if level and _aligned_pairs(store, store.load(lv[i]), store.load(rv[i]), pairs):
            continue
        pairs.append((level, lv[i], rv[i]))
    return True


def _changed_children(left, right) -> list[int] | None:
    """Indexes of the differing children when both nodes have the same child boundaries."""
    lv, rv = left.values, right.values
    if len(lv) != len(rv):
        return None
    lk, rk = left.keys, right.keys
    edited = _edited_keys(left, right)
    if edited is not None:
        # One node is the other with these keys (sorted) edited: only their children can
        # differ, and the boundaries are the same if the keys agree at each of them.
        changed: list[int] = []
        n = len(rk)
        for key in edited:
            i = bisect_left(rk, key)
            if i < n:
                if lk[i] != rk[i]:
                    return None
                if lv[i] != rv[i] and (not changed or changed[-1] != i):
                    changed.append(i)
        return changed
    # Children with equal hashes have equal last keys, so the boundaries are the same when
    # the keys agree wherever the hashes differ (one or two places, usually).
    changed = []
    n = len(lv)
    for group in compress(range(0, n, HASH_GROUP),
                          map(operator.ne, left.hash_groups(), right.hash_groups())):
        for i in range(group, min(group + HASH_GROUP, n)):
            if lv[i] != rv[i]:
                changed.append(i)
    return changed if all([lk[i] == rk[i] for i in changed]) else None


def _edited_keys(left, right) -> list | None:
    """The keys edited to make one node of the other (known for nodes a batch edit made,
    or read from delta records), if they are each other's base."""
    found = right.edited_from
    if found is not None and found[0] == left.digest:
        return found[1]
    found = left.edited_from
    if found is not None and found[0] == right.digest:
        return found[1]
    return None


def _expand(store, stack: list) -> None:
    """Replace the subtree on top of `stack` by its children (a leaf by a part of it)."""
    node = store.load(stack.pop()[1])
    if node.level:
        stack.extend(zip(repeat(node.level - 1), reversed(node.values)))
    elif node.keys:
        stack.append((_PART, node, 0))


def _drain(store, stack: list, removed: bool) -> Iterator[Change]:
    """Every entry left on `stack`, in key order, as removed or added."""
    while stack:
        item = stack[-1]
        if item[0] >= 0:
            _expand(store, stack)
            continue
        stack.pop()
        _, leaf, start = item
        values = leaf.values[start:]
        if removed:
            yield from zip(leaf.keys[start:], values, repeat(None))
        else:
            yield from zip(leaf.keys[start:], repeat(None), values)
