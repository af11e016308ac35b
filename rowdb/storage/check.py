"""Verification of a whole tree: every chunk present, hashing to its address, well formed.

Where: storage layer; tests call `verify` after edits, and `rowdb fsck` walks every ref.
Reads bypass the node cache so that what is checked is what is on disk.
"""

from __future__ import annotations

from dataclasses import dataclass

from rowdb.errors import CorruptionError
from rowdb.storage.node import digest_of


@dataclass
class TreeStats:
    nodes: int = 0
    entries: int = 0
    levels: int = 0


def verify(store, root: bytes, seen: set[bytes] | None = None) -> TreeStats:
    """Check every node under `root`; CorruptionError or MissingChunkError names the chunk.

    `seen` (hashes already verified) lets a caller check many trees sharing chunks once.
    """
    seen = set() if seen is None else seen
    stats = TreeStats()
    node = _checked(store, root)
    seen.add(root)
    stats.levels = node.level + 1
    stack = [(node, None, None)]  # (node, expected level, expected last key)
    while stack:
        node, level, last_key = stack.pop()
        stats.nodes += 1
        if level is not None and node.level != level:
            raise CorruptionError(f"chunk {node.digest.hex()} is at the wrong tree level")
        if last_key is not None and (not node.keys or node.keys[-1] != last_key):
            raise CorruptionError(f"chunk {node.digest.hex()} does not end at its parent's key")
        if not node.level:
            stats.entries += len(node.keys)
            continue
        previous_last = None
        for key, child_digest, child_count in zip(node.keys, node.values, node.counts):
            if child_digest in seen:
                stats.entries += child_count
                previous_last = key
                continue
            child = _checked(store, child_digest)
            seen.add(child_digest)
            if child.total != child_count:
                raise CorruptionError(f"chunk {node.digest.hex()} has a wrong count for "
                                      f"child {child_digest.hex()}")
            if previous_last is not None and child.keys and child.keys[0] <= previous_last:
                raise CorruptionError(f"chunk {child_digest.hex()} overlaps its left sibling")
            previous_last = key
            stack.append((child, node.level - 1, key))
    return stats


def _checked(store, digest: bytes):
    node = store.load_uncached(digest)
    actual = digest_of(node.data)
    if actual != digest:
        raise CorruptionError(f"chunk {digest.hex()} is corrupt: its content hashes to "
                              f"{actual.hex()}")
    return node
