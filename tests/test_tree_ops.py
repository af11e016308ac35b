"""Prolly tree operations on larger trees: format pinning, edits at several scales, sharing,
chunk sizes, bounds, and bad input."""

from __future__ import annotations

import random
import statistics

import pytest

from helpers import apply_model, build_tree, edit_tree, int_key, random_value
from rowdb import limits
from rowdb.errors import InvalidValueError
from rowdb.storage import tree
from rowdb.storage.check import verify
from rowdb.storage.diff import diff
from rowdb.storage.merge import MergeConflictError, merge
from rowdb.storage.tree import Bound, prefix_range


def test_golden_root_hash_pins_the_format(store):
    """12,345 ascending keys always give this root: a change here is a format break."""
    root = build_tree(store, [(int_key(i), b"value-%d" % i) for i in range(12345)])
    assert root.hex() == GOLDEN_ROOT
    assert tree.count(store, root) == 12345
    assert tree.depth(store, root) >= 2


GOLDEN_ROOT = "f8adfe158745b816e7d6d706df8ec847b1c14486"


@pytest.mark.parametrize("edit_count", [10, 100, 1000, 10000])
def test_random_edits_match_model_and_rebuild(store, edit_count):
    rng = random.Random(edit_count)
    model = {int_key(rng.randrange(200_000)): random_value(rng) for _ in range(50_000)}
    root = build_tree(store, model.items())
    for _ in range(3):
        edits = {}
        for _ in range(edit_count):
            key = int_key(rng.randrange(200_000))
            edits[key] = None if rng.random() < 0.3 else random_value(rng, 1, 200)
        root = edit_tree(store, root, edits)
        model = apply_model(model, edits)
        assert root == build_tree(store, model.items())
        assert list(tree.scan(store, root)) == sorted(model.items())
        assert verify(store, root).entries == len(model)


def test_one_entry_change_shares_structure(store):
    """On 100,000 entries, one changed entry writes at most depth + 2 new chunks."""
    rng = random.Random(7)
    items = [(int_key(i), random_value(rng, 30, 60)) for i in range(100_000)]
    root = build_tree(store, items)
    depth = tree.depth(store, root)
    chunks_before = store.chunks.chunk_count()
    packed_before = store.chunks.packed_bytes()
    writer = store.writer()
    from rowdb.storage.edit import apply_edits
    new_root = apply_edits(writer, root, [(int_key(54321), b"changed")])
    writer.commit()
    added = store.chunks.chunk_count() - chunks_before
    assert 1 <= added <= depth + 2
    assert writer.written == added
    added_bytes = store.chunks.packed_bytes() - packed_before
    assert added_bytes < 0.01 * packed_before
    assert added_bytes <= 32 * 1024
    assert list(diff(store, root, new_root)) == [(int_key(54321), items[54321][1], b"changed")]


@pytest.mark.parametrize("shape", ["sequential", "random", "timeseries"])
def test_chunk_sizes_follow_the_target(store, shape):
    rng = random.Random(3)
    if shape == "sequential":
        keys = [int_key(i) for i in range(60_000)]
    elif shape == "random":
        keys = sorted({rng.randbytes(12) for _ in range(60_000)})
    else:  # low-entropy keys: a timestamp prefix with a small counter
        keys = [b"sensor-1|2026-01-01T%08d" % i for i in range(60_000)]
    root = build_tree(store, [(k, b"x" * 40) for k in keys])
    sizes, last_sizes = [], []
    node = store.load(root)
    level_nodes = [node]
    while level_nodes[0].level:
        level_nodes = [store.load(d) for n in level_nodes for d in n.values]
    for leaf in level_nodes:
        sizes.append(sum(len(k) + len(v) for k, v in zip(leaf.keys, leaf.values)))
    last_sizes = sizes[-1:]
    body = sizes[:-1]
    assert min(body) >= limits.chunk_bytes_min
    assert max(sizes) <= limits.chunk_bytes_max + 200
    assert 2500 <= statistics.mean(body) <= 5500
    assert statistics.pstdev(body) < 0.5 * statistics.mean(body)
    assert last_sizes


def test_bounds_prefixes_and_reverse(store):
    items = [(bytes([a]) + int_key(b), b"%d.%d" % (a, b)) for a in range(1, 6) for b in range(3000)]
    root = build_tree(store, items)
    low, high = prefix_range(bytes([3]))
    got = list(tree.scan(store, root, low, high))
    assert got == [(k, v) for k, v in items if k[0] == 3]
    assert list(tree.scan(store, root, low, high, reverse=True)) == got[::-1]
    assert tree.count_range(store, root, low, high) == 3000
    # exclusive and inclusive ends on existing keys
    k1, k2 = items[100][0], items[9000][0]
    assert list(tree.scan(store, root, Bound(k1, False), Bound(k2, True)))[0][0] == items[101][0]
    assert list(tree.scan(store, root, Bound(k1, False), Bound(k2, True)))[-1][0] == k2
    assert list(tree.scan(store, root, Bound(k2), Bound(k1))) == []
    assert prefix_range(b"\xff\xff") == (Bound(b"\xff\xff"), None)
    assert prefix_range(b"a\xff") == (Bound(b"a\xff"), Bound(b"b", inclusive=False))


def test_empty_tree_operations(store):
    root = build_tree(store, [])
    assert tree.count(store, root) == 0
    assert tree.get(store, root, b"a") is None
    assert list(tree.scan(store, root)) == []
    assert list(tree.scan(store, root, reverse=True)) == []
    assert tree.seek(store, root, 0) is None
    assert verify(store, root).entries == 0
    assert edit_tree(store, root, {b"a": None}) == root
    one = edit_tree(store, root, {b"a": b"1"})
    assert list(diff(store, root, one)) == [(b"a", None, b"1")]
    assert edit_tree(store, one, {b"a": None}) == root


def test_bulk_build_rejects_bad_input(store):
    from rowdb.storage.chunker import build

    writer = store.writer()
    with pytest.raises(InvalidValueError):
        build([(b"b", b"1"), (b"a", b"2")], writer)
    with pytest.raises(InvalidValueError):
        build([(b"a", b"1"), (b"a", b"2")], writer)
    with pytest.raises(InvalidValueError):
        build([(b"a", "text")], writer)
    from rowdb.storage.edit import apply_edits

    with pytest.raises(InvalidValueError):
        apply_edits(writer, build_tree(store, []), [(b"b", b"1"), (b"a", b"2")])


def test_merge_conflict_without_resolver_is_refused(store):
    base = build_tree(store, [(int_key(i), b"base") for i in range(1000)])
    ours = edit_tree(store, base, {int_key(5): b"ours", int_key(6): b"same"})
    theirs = edit_tree(store, base, {int_key(5): b"theirs", int_key(6): b"same"})
    writer = store.writer()
    with pytest.raises(MergeConflictError) as err:
        merge(writer, base, ours, theirs)
    assert err.value.sqlstate == "40001"
    assert tree.get(store, ours, int_key(5)) == b"ours"  # nothing changed


def test_merge_shortcuts_and_disjoint_changes(store):
    base = build_tree(store, [(int_key(i), b"v%d" % i) for i in range(20_000)])
    ours = edit_tree(store, base, {int_key(10): b"ours", int_key(30_000): b"new"})
    theirs = edit_tree(store, base, {int_key(19_000): b"theirs", int_key(11): None})
    writer = store.writer()
    assert merge(writer, base, ours, base) == ours
    assert merge(writer, base, base, theirs) == theirs
    merged = merge(writer, base, ours, theirs)
    writer.commit()
    expected = edit_tree(store, base, {int_key(10): b"ours", int_key(30_000): b"new",
                                       int_key(19_000): b"theirs", int_key(11): None})
    assert merged == expected


@pytest.mark.parametrize("value_bytes", [8, 300, 3000])
def test_edits_at_the_end_of_the_last_node_keep_history_independence(store, value_bytes):
    """Appending after the last key, and deleting it, re-tests the old last entry (it ended
    its node as the level's last, not necessarily by a cut)."""
    rng = random.Random(value_bytes)
    model = {int_key(i): random_value(rng, 1, value_bytes) for i in range(0, 3000, 3)}
    root = build_tree(store, model.items())
    for round_ in range(30):
        top = max(model) if model else int_key(0)
        edits = {}
        for _ in range(rng.choice([1, 2, 5])):  # appends after the last key
            key = int_key(int.from_bytes(top, "big") + rng.randrange(1, 50))
            edits[key] = random_value(rng, 1, value_bytes)
        if model and rng.random() < 0.3:
            edits[max(model)] = None  # and the last key deleted
        if model and rng.random() < 0.5:
            edits[rng.choice(list(model))] = random_value(rng, 1, value_bytes)
        root = edit_tree(store, root, edits)
        model = apply_model(model, edits)
        assert root == build_tree(store, model.items()), f"round {round_}"
