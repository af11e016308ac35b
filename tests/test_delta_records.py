"""Delta records: nodes edited in place are stored as splices against their previous
version; reads rebuild them exactly (also cold, also through chains), fsck checks their
hashes, gc keeps the bases live deltas need, and a scattered update writes far less."""

from __future__ import annotations

import random

from helpers import build_tree, edit_tree, int_key, random_value
from rowdb import limits
from rowdb.storage import open_store, tree
from rowdb.storage.check import verify
from rowdb.storage.codec import DELTA_HEAD_BYTES, delta_base, delta_parts
from rowdb.vc import maintenance


def _deltas(store, root) -> list[int]:
    """Depths of the delta records among the tree's nodes."""
    depths, stack = [], [root]
    while stack:
        digest = stack.pop()
        parts = delta_parts(store.chunks.get(digest))
        if parts is not None:
            depths.append(parts[0])
        node = store.load(digest)
        if node.level:
            stack.extend(node.values)
    return depths


def test_edits_are_stored_as_deltas_and_read_back_exactly(tmp_path, monkeypatch):
    store = open_store(tmp_path / "deltas")
    whole = open_store(tmp_path / "whole")  # the same work with delta records turned off
    rng = random.Random(11)
    model = {int_key(i): random_value(rng, 20, 60) for i in range(0, 60000, 2)}
    root = build_tree(store, sorted(model.items()))
    whole_root = build_tree(whole, sorted(model.items()))
    total = whole_total = 0
    for round_ in range(5):  # chains: deltas on deltas, then whole nodes again
        edits = {}
        for _ in range(300):
            key = int_key(rng.randrange(60000))
            edits[key] = None if rng.random() < 0.2 else random_value(rng, 20, 60)
        before = store.chunks.packed_bytes(), whole.chunks.packed_bytes()
        root = edit_tree(store, root, edits)
        with monkeypatch.context() as patch:
            patch.setattr(limits, "delta_depth_max", 0)
            whole_root = edit_tree(whole, whole_root, edits)
        added = store.chunks.packed_bytes() - before[0]
        whole_added = whole.chunks.packed_bytes() - before[1]
        if round_ == 0:  # every touched node can be a delta of a whole one
            assert added * 3 < whole_added, "edited leaves must be stored as deltas"
        total, whole_total = total + added, whole_total + whole_added
        for key, value in edits.items():
            if value is None:
                model.pop(key, None)
            else:
                model[key] = value
        assert root == whole_root  # the same trees: deltas are only how they are stored
        store.cache.clear()  # read from disk, through the chains
        assert list(tree.scan(store, root)) == sorted(model.items())
        assert verify(store, root).entries == len(model)
        depths = _deltas(store, root)
        assert depths and max(depths) <= limits.delta_depth_max
    assert total * 2 < whole_total


def test_gc_keeps_the_bases_of_live_deltas(tmp_path):
    store = open_store(tmp_path)
    rng = random.Random(5)
    items = [(int_key(i), random_value(rng, 30, 50)) for i in range(20000)]
    root = build_tree(store, items)
    edited = edit_tree(store, root, {int_key(i): b"changed" for i in range(0, 20000, 97)})
    assert _deltas(store, edited)

    def mark():  # only the edited tree is live: the bases of its deltas are not marked
        live: set[bytes] = set()
        maintenance._mark_tree(store, edited, live)
        return live

    dropped, _ = store.chunks.sweep(mark, None, delta_base, DELTA_HEAD_BYTES)
    assert dropped > 0  # the old tree's other nodes went
    store.cache.clear()
    assert verify(store, edited).entries == 20000
    assert tree.get(store, edited, int_key(97)) == b"changed"
    assert tree.get(store, edited, int_key(98)) == items[98][1]


def test_a_damaged_delta_is_reported(tmp_path):
    import struct
    store = open_store(tmp_path)
    rng = random.Random(8)
    root = build_tree(store, [(int_key(i), random_value(rng, 30, 50)) for i in range(5000)])
    edited = edit_tree(store, root, {int_key(2500): b"x" * 40})
    chunks = store.chunks
    victim = next(d for d in [edited] + store.load(edited).values
                  if delta_parts(chunks.get(d)) is not None)
    with chunks.env.begin(write=True) as txn:
        pack_id, offset, length = struct.unpack(">QII", txn.get(victim, db=chunks._chunks))
        key = struct.pack(">Q", pack_id)
        pack = bytearray(txn.get(key, db=chunks._packs))
        pack[offset + length - 2] ^= 0x55
        txn.put(key, bytes(pack), db=chunks._packs)
    store.cache.clear()
    import pytest
    from rowdb.errors import RowdbError
    with pytest.raises(RowdbError) as info:
        verify(store, edited)
    assert victim.hex() in info.value.message


def test_delta_chains_stay_short_when_nodes_are_recreated(tmp_path):
    """A value changed back recreates a node already stored as a delta: the depth is taken
    from the store, so chains never grow past the limit."""
    store = open_store(tmp_path)
    rows = [(int_key(i), bytes([i]) * 100) for i in range(30)]  # one leaf
    root = build_tree(store, rows)
    sequence = [1, 2, 1] + [n for step in range(10) for n in (3 + 2 * step, 4 + 2 * step,
                                                            3 + 2 * step)]
    for n in sequence:
        root = edit_tree(store, root, {int_key(5): bytes([n]) * 100})
        digest, chain = root, 0
        while (parts := delta_parts(store.chunks.get(digest))) is not None:
            digest, chain = parts[1], chain + 1
        assert chain <= limits.delta_depth_max
    store.cache.clear()
    assert store.load(root).values[5] == bytes([sequence[-1]]) * 100
