"""Test helpers shared by the storage tests (imported as `helpers`)."""

from __future__ import annotations

import random
import struct

from rowdb.storage.chunker import build
from rowdb.storage.edit import apply_edits


def int_key(i: int) -> bytes:
    """A fixed-width big-endian key: byte order equals integer order."""
    return struct.pack(">Q", i)


def random_value(rng: random.Random, low: int = 10, high: int = 80) -> bytes:
    return rng.randbytes(rng.randrange(low, high))


def build_tree(store, items) -> bytes:
    """Bulk-build `items` (any order), store the chunks; the root hash."""
    writer = store.writer()
    root = build(sorted(items), writer)
    writer.commit()
    return root


def edit_tree(store, root: bytes, edits: dict) -> bytes:
    """Apply {key: value or None} as one batch and store it; the new root."""
    writer = store.writer()
    new_root = apply_edits(writer, root, sorted(edits.items()))
    writer.commit()
    return new_root


def apply_model(model: dict, edits: dict) -> dict:
    out = dict(model)
    for key, value in edits.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out
