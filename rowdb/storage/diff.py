"""Diff of two trees: (key, old value, new value) in key order, skipping shared subtrees.

Where: storage layer; merge.py and the version-control layer (diff_<table>, merges) use it.

Each side is a stack of pending items in key order, subtrees as (level, hash) and entries as
(key, value). Both stacks always hold exactly the entries after the last key compared, so two
subtrees on top with equal hashes hold equal entries and are dropped unread. Otherwise the
higher subtree is expanded; two leaves with the same keys (the usual case after updates) are
compared value list against value list. Cost: O(changed nodes x depth), not O(entries).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import compress, repeat
import operator

Change = tuple[bytes, bytes | None, bytes | None]  # (key, old or None, new or None)


def diff(store, from_root: bytes, to_root: bytes) -> Iterator[Change]:
    """Every key whose value differs between the trees: added (old None), removed (new None),
    or modified."""
    if from_root == to_root:
        return
    a = [(store.load(from_root).level, from_root)]
    b = [(store.load(to_root).level, to_root)]
    while a and b:
        x, y = a[-1], b[-1]
        x_tree, y_tree = type(x[0]) is int, type(y[0]) is int
        if x_tree and y_tree:
            if x[1] == y[1]:
                a.pop()
                b.pop()
            elif x[0] == y[0] == 0:
                yield from _diff_leaves(store, a, b)
            elif x[0] == y[0]:
                _diff_internal(store, a, b)
            else:
                if x[0] >= y[0]:
                    _expand(store, a)
                if y[0] >= x[0]:
                    _expand(store, b)
        elif x_tree:
            _expand(store, a)
        elif y_tree:
            _expand(store, b)
        elif x[0] == y[0]:
            a.pop()
            b.pop()
            if x[1] != y[1]:
                yield x[0], x[1], y[1]
        elif x[0] < y[0]:
            a.pop()
            yield x[0], x[1], None
        else:
            b.pop()
            yield y[0], None, y[1]
    for key, value in _drain(store, a):
        yield key, value, None
    for key, value in _drain(store, b):
        yield key, None, value


def _diff_leaves(store, a: list, b: list) -> Iterator[Change]:
    """Two different leaves on top: compare value lists at once when the keys are equal."""
    left, right = store.load(a[-1][1]), store.load(b[-1][1])
    if left.keys != right.keys:
        _expand(store, a)
        _expand(store, b)
        return
    a.pop()
    b.pop()
    changed = list(map(operator.ne, left.values, right.values))
    yield from zip(compress(left.keys, changed), compress(left.values, changed),
                   compress(right.values, changed))


def _diff_internal(store, a: list, b: list) -> None:
    """Two different internal nodes of one level on top: replace them by their children,
    dropping children the two share (compared in C). With the same child boundaries, the
    children are paired one by one; otherwise the shared leading and trailing runs are
    dropped and the differing middles pushed whole."""
    left, right = store.load(a.pop()[1]), store.load(b.pop()[1])
    level = left.level - 1
    if left.keys == right.keys:
        changed = list(map(operator.ne, left.values, right.values))
        a.extend(zip(repeat(level), reversed(list(compress(left.values, changed)))))
        b.extend(zip(repeat(level), reversed(list(compress(right.values, changed)))))
        return
    lv, rv = left.values, right.values
    shortest = min(len(lv), len(rv))
    same = list(map(operator.eq, lv, rv))
    head = same.index(False) if False in same else shortest
    same_tail = list(map(operator.eq, reversed(lv), reversed(rv)))[:shortest - head]
    tail = same_tail.index(False) if False in same_tail else len(same_tail)
    a.extend(zip(repeat(level), reversed(lv[head:len(lv) - tail])))
    b.extend(zip(repeat(level), reversed(rv[head:len(rv) - tail])))


def _expand(store, stack: list) -> None:
    """Replace the subtree on top of `stack` by its children (entries for a leaf)."""
    node = store.load(stack.pop()[1])
    if node.level:
        stack.extend(zip(repeat(node.level - 1), reversed(node.values)))
    else:
        stack.extend(zip(reversed(node.keys), reversed(node.values)))


def _drain(store, stack: list) -> Iterator[tuple[bytes, bytes]]:
    """Every entry left on `stack`, in key order."""
    while stack:
        item = stack[-1]
        if type(item[0]) is int:
            _expand(store, stack)
        else:
            stack.pop()
            yield item
