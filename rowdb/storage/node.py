"""Prolly tree nodes: the decoded form, its canonical bytes, and their hash.

Where: storage layer; built by chunker.py, loaded through nodestore.py, walked by tree.py,
edit.py, diff.py and check.py.

A node is one chunk. Level 0 (a leaf) holds sorted (key, value) entries. A level n > 0 node
holds one entry per child: the child's LAST key, its hash and the number of leaf entries below
it. Canonical bytes are msgpack `[level, keys, values]` for a leaf and
`[level, keys, child_hashes, counts]` above; the hash is BLAKE2b-160 of those bytes. The only
node that may be empty is the root of an empty tree.
"""

from __future__ import annotations

import hashlib
import operator
from itertools import accumulate

import msgpack

from rowdb import limits
from rowdb.errors import CorruptionError


def digest_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=limits.hash_bytes).digest()


HASH_GROUP = 8  # child hashes per run in Node.hash_groups


class Node:
    """One decoded node. Immutable by convention: never change a node after building it."""

    __slots__ = ("level", "keys", "values", "counts", "total", "digest", "data", "nbytes",
                 "depth", "edited_from", "_cumulative", "_groups")

    def __init__(self, level: int, keys: list, values: list, counts: list | None = None,
                 digest: bytes | None = None, data: bytes | None = None,
                 nbytes: int | None = None):
        self.level = level
        self.keys = keys
        self.values = values  # leaf: value bytes; internal: child hashes
        self.counts = counts  # internal: leaf entries below each child
        self.total = sum(counts) if level else len(keys)
        self._cumulative: list[int] | None = None
        self._groups: list[bytes] | None = None
        self.depth = 0  # deltas between this node and a whole stored one; -1: not known yet
        self.edited_from: tuple[bytes, list] | None = None  # (base hash, keys edited there)
        if data is None and (digest is None or nbytes is None):
            data = encode_node(self)
        self.data: bytes | None = data  # dropped once cached; encode_node rebuilds it
        self.nbytes = len(data) if data is not None else nbytes
        self.digest = digest or digest_of(data)

    @property
    def is_leaf(self) -> bool:
        return self.level == 0

    @property
    def last_key(self) -> bytes:
        return self.keys[-1]

    def cumulative(self) -> list[int]:
        """Running totals of `counts`: entries in children 0..i inclusive."""
        if self._cumulative is None:
            self._cumulative = list(accumulate(self.counts))
        return self._cumulative

    def hash_groups(self) -> list[bytes]:
        """An internal node's child hashes joined in runs of HASH_GROUP: comparing two
        nodes' groups first finds the few differing children with a fraction of the
        comparisons (diff.py). Built once per decoded node."""
        if self._groups is None:
            joined, step = b"".join(self.values), HASH_GROUP * limits.hash_bytes
            self._groups = [joined[i:i + step] for i in range(0, len(joined), step)]
        return self._groups

    def summary(self) -> tuple[bytes, bytes, int]:
        """The parent's entry for this node: (last key, hash, count)."""
        return self.keys[-1], self.digest, self.total

    def validate(self) -> None:
        assert len(self.keys) == len(self.values), "one value per key"
        assert (self.counts is None) == (self.level == 0), "counts exactly on internal nodes"
        assert all(map(operator.lt, self.keys, self.keys[1:])), "keys strictly increase"

    def __repr__(self) -> str:
        return f"Node(level={self.level}, entries={len(self.keys)}, {self.digest.hex()[:12]})"


def encode_node(node: Node) -> bytes:
    if node.level:
        return msgpack.packb([node.level, node.keys, node.values, node.counts])
    return msgpack.packb([node.level, node.keys, node.values])


def decode_node(data: bytes, digest: bytes) -> Node:
    """A node from its canonical bytes; CorruptionError when they are not a valid node."""
    try:
        parts = msgpack.unpackb(data)
        level, keys, values = parts[0], parts[1], parts[2]
        counts = parts[3] if level else None
        if (type(level) is not int or level < 0 or len(parts) != (4 if level else 3)
                or type(keys) is not list or type(values) is not list
                or len(keys) != len(values) or (counts is not None and len(counts) != len(keys))
                or not _all_bytes(keys) or not _all_bytes(values)
                or (counts is not None and not set(map(type, counts)) <= {int})
                or not all(map(operator.lt, keys, keys[1:]))):
            raise ValueError("bad node layout")
        return Node(level, keys, values, counts, digest=digest, data=data)
    except (ValueError, TypeError, IndexError, msgpack.UnpackException) as exc:
        raise CorruptionError(f"chunk {digest.hex()} is not a valid tree node",
                              detail=str(exc)) from exc


def _all_bytes(items: list) -> bool:
    return set(map(type, items)) <= {bytes}


EMPTY = Node(0, [], [])
"""The root of every empty tree."""
