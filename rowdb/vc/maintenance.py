"""Repository maintenance: what is reachable, fsck (verify it all) and gc (drop the rest).

Where: version-control layer; the `rowdb fsck` and `rowdb gc` commands call these. Roots of
reachability are every ref: branch heads and tags (commits, their ancestors, their root
values), working and staged sets (root values), merge states (the other commit, the
pre-merge root, conflict trees). A root value reaches its catalog tree and every table's
data tree. Marking loads internal nodes only: a leaf's hash is read off its parent.
"""

from __future__ import annotations

from rowdb.errors import RowdbError
from rowdb.storage.check import verify
from rowdb.storage.codec import DELTA_HEAD_BYTES, delta_base
from rowdb.vc.commits import decode_commit
from rowdb.vc.merge import decode_state
from rowdb.vc.rootvalue import load_root


def _ref_roots(store):
    """(commit hashes, root value hashes, merge state hashes) named by refs."""
    commits, roots, states = [], [], []
    for name, digest in store.chunks.refs().items():
        kind = name.split("/", 1)[0]
        if kind in ("heads", "tags"):
            commits.append(digest)
        elif kind in ("workingset", "staged"):
            roots.append(digest)
        elif kind == "mergestate":
            states.append(digest)
    return commits, roots, states


def reachable(store, pinned_roots: list[bytes] = ()) -> set[bytes]:
    """Every chunk hash some ref, or one of `pinned_roots` (root values), reaches."""
    live: set[bytes] = set()
    commits, roots, states = _ref_roots(store)
    roots += pinned_roots
    trees: list[bytes] = []
    for state in states:
        live.add(state)
        their, pre_merge, conflict_trees = decode_state(store, state)
        commits.append(their)
        roots.append(pre_merge)
        trees.extend(conflict_trees.values())
    while commits:
        digest = commits.pop()
        if digest in live:
            continue
        live.add(digest)
        commit = decode_commit(store.load_bytes(digest), digest)
        commits.extend(commit.parents)
        roots.append(commit.root)
    for root in set(roots):
        trees.append(root)
        for table in load_root(store, root).tables.values():
            trees.append(table.data)
    for tree_root in trees:
        _mark_tree(store, tree_root, live)
    return live


def _mark_tree(store, root: bytes, live: set[bytes]) -> None:
    stack = [root]
    while stack:
        digest = stack.pop()
        if digest in live:
            continue
        live.add(digest)
        node = store.load(digest)
        if node.level == 1:
            live.update(node.values)
        elif node.level > 1:
            stack.extend(node.values)


def fsck(store) -> tuple[int, list[str]]:
    """Verify every reachable chunk's hash and structure: (chunks checked, problems)."""
    problems: list[str] = []
    seen: set[bytes] = set()
    commits, roots, states = _ref_roots(store)
    checked = 0
    for digest in states:
        try:
            their, pre_merge, trees = decode_state(store, digest)
            commits.append(their)
            roots.append(pre_merge)
            for tree_root in trees.values():
                checked += verify(store, tree_root, seen).nodes
        except RowdbError as exc:
            problems.append(f"merge state {digest.hex()}: {exc.message}")
    visited: set[bytes] = set()
    while commits:
        digest = commits.pop()
        if digest in visited:
            continue
        visited.add(digest)
        try:
            commit = decode_commit(store.load_bytes(digest), digest)
        except RowdbError as exc:
            problems.append(f"commit {digest.hex()}: {exc.message}")
            continue
        checked += 1
        commits.extend(commit.parents)
        roots.append(commit.root)
    for root in set(roots):
        try:
            checked += verify(store, root, seen).nodes
            for name, table in load_root(store, root).tables.items():
                try:
                    checked += verify(store, table.data, seen).nodes
                except RowdbError as exc:
                    problems.append(f"table {name} in root {root.hex()[:12]}: {exc.message}")
        except RowdbError as exc:
            problems.append(f"root value {root.hex()}: {exc.message}")
    return checked, problems


def gc(store) -> tuple[int, int]:
    """Drop every chunk no ref and no pin reaches: (chunks dropped, bytes reclaimed).

    Safe while other sessions run, in this process or others: the version each session
    reads is pinned (storage/pins.py) and kept, as are the packs a writer is still storing
    into; writers in every process wait for the one LMDB write transaction of the sweep."""
    with store.pins.exclusive() as (pinned_roots, keep_from_pack):
        store.cache.clear()
        return store.chunks.sweep(lambda: reachable(store, pinned_roots), keep_from_pack,
                                  delta_base, DELTA_HEAD_BYTES)
