"""Property tests: prolly trees against a plain dict model.

Random sequences of batches (puts and deletes of varied sizes, so chunk boundaries move),
each followed by gets, scans, counts, ranks, ordinal seeks, diffs against earlier versions
and three-way merges, all compared with the same operations on sorted dicts. Every version
must equal a bulk build of its contents (history independence) and pass `verify`.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, initialize, invariant,
                                 precondition, rule)

from helpers import apply_model, build_tree, edit_tree, int_key
from rowdb.storage import open_store, tree
from rowdb.storage.check import verify
from rowdb.storage.diff import diff
from rowdb.storage.merge import merge
from rowdb.storage.tree import Bound

KEY_SPACE = 6000


def random_batch(seed: int, size: int, delete_share: float, value_bytes: int) -> dict:
    rng = random.Random(seed)
    batch = {}
    for _ in range(size):
        key = int_key(rng.randrange(KEY_SPACE))
        if rng.random() < delete_share:
            batch[key] = None
        else:
            batch[key] = rng.randbytes(rng.randrange(1, value_bytes))
    return batch


batches = st.builds(random_batch, seed=st.integers(0, 2**32),
                    size=st.sampled_from([1, 2, 10, 100, 1000, 4000]),
                    delete_share=st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]),
                    value_bytes=st.sampled_from([8, 60, 300, 3000]))


def model_diff(old: dict, new: dict) -> list:
    keys = sorted(set(old) | set(new))
    return [(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]


class TreeMachine(RuleBasedStateMachine):
    versions = Bundle("versions")

    @initialize(target=versions)
    def empty(self):
        import tempfile

        self.tmp = tempfile.TemporaryDirectory()
        self.store = open_store(self.tmp.name)
        self.root = build_tree(self.store, [])
        self.model: dict = {}
        return (self.root, dict(self.model))

    def teardown(self):
        self.tmp.cleanup()

    @rule(target=versions, batch=batches)
    def apply_batch(self, batch):
        self.root = edit_tree(self.store, self.root, batch)
        self.model = apply_model(self.model, batch)
        assert self.root == build_tree(self.store, self.model.items()), "history independence"
        return (self.root, dict(self.model))

    @rule(version=versions)
    def checkout(self, version):
        self.root, model = version
        self.model = dict(model)

    @rule(data=st.data())
    def point_gets(self, data):
        for i in data.draw(st.lists(st.integers(0, KEY_SPACE), max_size=20)):
            key = int_key(i)
            assert tree.get(self.store, self.root, key) == self.model.get(key)

    @rule(low=st.none() | st.integers(0, KEY_SPACE), high=st.none() | st.integers(0, KEY_SPACE),
          low_inclusive=st.booleans(), high_inclusive=st.booleans(), reverse=st.booleans())
    def range_scan(self, low, high, low_inclusive, high_inclusive, reverse):
        lo = None if low is None else Bound(int_key(low), low_inclusive)
        hi = None if high is None else Bound(int_key(high), high_inclusive)
        expected = [(k, v) for k, v in sorted(self.model.items())
                    if (lo is None or k > lo.key or (lo.inclusive and k == lo.key))
                    and (hi is None or k < hi.key or (hi.inclusive and k == hi.key))]
        if reverse:
            expected.reverse()
        assert list(tree.scan(self.store, self.root, lo, hi, reverse=reverse)) == expected
        assert tree.count_range(self.store, self.root, lo, hi) == len(expected)

    @rule(data=st.data())
    def ordinals(self, data):
        keys = sorted(self.model)
        assert tree.count(self.store, self.root) == len(keys)
        for n in data.draw(st.lists(st.integers(-2, len(keys) + 2), max_size=10)):
            found = tree.seek(self.store, self.root, n)
            if 0 <= n < len(keys):
                assert found == (keys[n], self.model[keys[n]])
                assert next(tree.scan_from(self.store, self.root, n))[0] == keys[n]
            else:
                assert found is None
        for i in data.draw(st.lists(st.integers(0, KEY_SPACE), max_size=10)):
            key = int_key(i)
            assert tree.rank(self.store, self.root, key) == bisect_left(keys, key)
            assert tree.rank(self.store, self.root, key, True) == bisect_right(keys, key)

    @rule(version=versions)
    def diff_against(self, version):
        old_root, old_model = version
        assert list(diff(self.store, old_root, self.root)) == model_diff(old_model, self.model)
        assert list(diff(self.store, self.root, old_root)) == model_diff(self.model, old_model)

    @precondition(lambda self: True)
    @rule(target=versions, ours=batches, theirs=batches)
    def merge_branches(self, ours, theirs):
        base_root, base = self.root, self.model
        ours_root = edit_tree(self.store, base_root, ours)
        theirs_root = edit_tree(self.store, base_root, theirs)
        ours_model, theirs_model = apply_model(base, ours), apply_model(base, theirs)
        conflicts = []

        def resolve(key, base_value, our_value, their_value):
            conflicts.append(key)
            return their_value if key[-1] % 2 else our_value

        writer = self.store.writer()
        merged = merge(writer, base_root, ours_root, theirs_root, resolve)
        writer.commit()
        expected = dict(ours_model)
        for key in set(base) | set(theirs_model):
            if base.get(key) == theirs_model.get(key):
                continue  # theirs left it alone
            if base.get(key) == ours_model.get(key) or ours_model.get(key) == theirs_model.get(key):
                value = theirs_model.get(key)
            else:
                assert key in conflicts
                value = theirs_model.get(key) if key[-1] % 2 else ours_model.get(key)
            if value is None:
                expected.pop(key, None)
            else:
                expected[key] = value
        assert merged == build_tree(self.store, expected.items())
        self.root, self.model = merged, expected
        return (merged, dict(expected))

    @invariant()
    def verified(self):
        if hasattr(self, "store"):
            stats = verify(self.store, self.root)
            assert stats.entries == len(self.model)


TreeMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
test_tree_machine = TreeMachine.TestCase


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.dictionaries(st.binary(min_size=1, max_size=40), st.binary(max_size=300),
                             max_size=3000),
       order_seed=st.integers(0, 2**32), pieces=st.integers(1, 6))
def test_history_independence_any_build_order(tmp_path_factory, items, order_seed, pieces):
    """Same contents, inserted in different orders and batches: same root hash."""
    store = open_store(tmp_path_factory.mktemp("repo"))
    expected = build_tree(store, items.items())
    entries = list(items.items())
    random.Random(order_seed).shuffle(entries)
    root = build_tree(store, [])
    step = max(1, len(entries) // pieces)
    for start in range(0, len(entries), step):
        root = edit_tree(store, root, dict(entries[start:start + step]))
    assert root == expected
    # deleting everything then re-adding in another order also converges
    root = edit_tree(store, root, dict.fromkeys(items))
    assert root == build_tree(store, [])
    assert tree.count(store, root) == 0
