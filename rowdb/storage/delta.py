"""Delta records: a node stored as the edits that made it from an earlier version of itself.

Where: storage layer. edit.py rewrites a node in place from a sorted batch of edits; when the
new node still ends where the old one ended, the chunker hands the Writer (nodestore.py) the
old node and those edits, and at commit the Writer stores them (`encode_delta`) instead of
the whole compressed node when they are much smaller. NodeStore.load rebuilds the node from
its base (`apply_delta`); gc keeps the bases of live deltas; fsck checks the rebuilt bytes.

An updated row in a leaf of ~4 KiB then costs about its own bytes in the store, not the
leaf's: a scattered update batch writes far less, and storage grows with the change. A chain
of deltas is at most `limits.delta_depth_max` long, so a cold read decodes at most that many
extra nodes.

Payload: msgpack `[keys, values, counts]`, sorted edits: a value nil deletes its key; counts
is nil on leaves. Above the leaves a value is a child hash and counts give its entry count.
"""

from __future__ import annotations

import msgpack

from rowdb.errors import CorruptionError
from rowdb.storage.edit import merge_node
from rowdb.storage.node import Node

_WORTH = 4  # store a delta only when it is under 1/_WORTH of the node's bytes


def encode_delta(level: int, edits: list, node_bytes: int) -> bytes | None:
    """Edits (key, value or None) as a payload (above the leaves a value is (hash, count));
    None when it would not be much smaller than the node."""
    keys = [k for k, _ in edits]
    if level:
        values = [None if v is None else v[0] for _, v in edits]
        counts = [None if v is None else v[1] for _, v in edits]
    else:
        values, counts = [v for _, v in edits], None
    payload = msgpack.packb([keys, values, counts])
    return payload if len(payload) * _WORTH < node_bytes else None


def apply_delta(base: Node, payload: bytes, digest: bytes, depth: int) -> Node:
    """The node `payload` makes of `base` (its hash is not checked here: see check.py)."""
    try:
        edit_keys, edit_values, edit_counts = msgpack.unpackb(payload)
        if (base.counts is None) != (edit_counts is None) or len(edit_keys) != len(edit_values):
            raise ValueError("delta does not fit its base")
        if edit_counts is not None:  # above the leaves an edit's value is (hash, count)
            edit_values = [None if v is None else (v, c) for v, c in zip(edit_values,
                                                                         edit_counts)]
        keys, values, counts, _ = merge_node(base, list(zip(edit_keys, edit_values)))
    except (ValueError, TypeError, IndexError, msgpack.UnpackException) as exc:
        raise CorruptionError(f"chunk {digest.hex()} is a damaged delta record",
                              detail=str(exc)) from exc
    node = Node(base.level, keys, values, counts, digest=digest,
                nbytes=base.nbytes + len(payload))
    node.depth = depth
    node.edited_from = (base.digest, edit_keys)
    return node
