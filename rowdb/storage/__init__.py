"""Storage layer: content-addressed chunks in LMDB and prolly trees over them.

No SQL here. See README.md in this folder for the model and invariants. `open_store(dir)`
is the entry point: a NodeStore over the repository's chunk store.
"""

from __future__ import annotations

import os

from rowdb import limits
from rowdb.storage.kv import ChunkStore
from rowdb.storage.nodestore import NodeStore


def open_store(repo_dir: str | os.PathLike, *, cache_bytes: int = limits.node_cache_bytes,
               map_size: int | None = None):
    """The node store of the repository in `repo_dir` (created if missing)."""
    return NodeStore(ChunkStore(repo_dir, map_size=map_size), cache_bytes=cache_bytes)
