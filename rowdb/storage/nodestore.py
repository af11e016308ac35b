"""Decoded nodes by hash: a byte-sized LRU cache over the chunk store, and write buffers.

Where: storage layer, between kv.py (records in LMDB) and the tree algorithms (tree.py,
edit.py, diff.py, merge.py), which only ever see `Node` objects and hashes.

Reads go cache -> LMDB. Writes are staged in a `Writer` (one per operation or transaction):
`put` encodes and compresses a node and keeps the record in memory; `commit` stores every
staged record and moves refs in one LMDB transaction. A writer past its memory budget spills
records early (without refs), which is safe: a record no ref reaches is only garbage. A
writer that spilled pins the packs it stored into until its commit (pins.py), and offers
again at its commit the records a spill found already stored, so that a gc running
meanwhile cannot leave the new root pointing at a dropped chunk.
"""

from __future__ import annotations

from collections.abc import Mapping

from rowdb import limits
from rowdb.storage.codec import decode_record, delta_parts, delta_record, encode_records
from rowdb.storage.delta import apply_delta, encode_delta
from rowdb.errors import CorruptionError
from rowdb.storage.kv import ChunkStore
from rowdb.storage.lru import ByteLRU
from rowdb.storage.pins import PACK, new_token, pins_for
from rowdb.storage.node import EMPTY, Node, decode_node, digest_of, encode_node

_NODE_OVERHEAD = 3  # decoded lists and bytes objects take about 3x the encoded bytes


def _node_bytes(node: Node) -> int:
    return node.nbytes * _NODE_OVERHEAD + 200


class NodeStore:
    """Loads nodes by hash through a bounded LRU cache; hands out writers."""

    def __init__(self, chunks: ChunkStore, cache_bytes: int = limits.node_cache_bytes):
        self.chunks = chunks
        self.cache = ByteLRU(cache_bytes, _node_bytes)
        self.pins = pins_for(chunks.path)
        self.remember(EMPTY)

    def load(self, digest: bytes) -> Node:
        node = self.cache.get(digest)
        if node is not None:
            return node
        node = self._read(digest, self.load)
        self.remember(node)
        return node

    def _read(self, digest: bytes, load_base) -> Node:
        record = self.chunks.get(digest)
        parts = delta_parts(record)
        if parts is None:
            return decode_node(decode_record(record, digest), digest)
        depth, base, payload = parts
        if depth > limits.delta_depth_max + 8:
            raise CorruptionError(f"chunk {digest.hex()} has a delta chain too deep")
        return apply_delta(load_base(base), payload, digest, depth)

    def load_bytes(self, digest: bytes) -> bytes:
        """A chunk that is not a tree node (a commit), as stored."""
        return decode_record(self.chunks.get(digest), digest)

    def load_uncached(self, digest: bytes) -> Node:
        """Read and decode from disk, bypassing the cache (for verification): the node
        carries its canonical bytes, rebuilt through any delta chain."""
        node = self._read(digest, self.load_uncached)
        if node.data is None:
            node.data = encode_node(node)
        return node

    def remember(self, node: Node) -> None:
        node.data = None  # the cache holds decoded nodes only
        self.cache.put(node.digest, node)

    def writer(self) -> "Writer":
        return Writer(self)


class Writer:
    """Stages new nodes of one operation; `commit` stores them and moves refs atomically."""

    def __init__(self, store: NodeStore):
        self.store = store
        self.staged: dict[bytes, bytes] = {}  # hash -> node bytes, until committed
        self.pending_bytes = 0
        self.written = 0  # records that were new to the store, over all flushes
        self._recheck: dict[bytes, bytes] = {}  # found stored by a spill: offered again
        self.deltas: dict[bytes, bytes] = {}  # hash -> delta record, stored instead if new
        self._pin: int | None = None  # token of this writer's pack pin, once it spilled

    def put(self, node: Node, base: Node | None = None, edits: list | None = None) -> bytes:
        """Stage a node; `base`, an earlier version that `edits` turned into this node,
        lets it be stored as a delta against that (delta.py)."""
        digest = node.digest
        if digest not in self.staged:
            data = node.data if node.data is not None else encode_node(node)
            if base is not None:
                node.edited_from = (base.digest, [key for key, _ in edits])
            if base is not None and base.depth < limits.delta_depth_max:
                payload = encode_delta(node.level, edits, len(data))
                if payload is not None:
                    node.depth = base.depth + 1
                    self.deltas[digest] = delta_record(node.depth, base.digest, payload)
            self.staged[digest] = data
            self.pending_bytes += len(data)
            self.store.remember(node)
            if self.pending_bytes > limits.write_buffer_bytes_max:
                self.flush()
        return digest

    def put_bytes(self, data: bytes) -> bytes:
        """Stage a chunk that is not a tree node (a commit); returns its hash."""
        digest = digest_of(data)
        if digest not in self.staged:
            self.staged[digest] = data
            self.pending_bytes += len(data)
        return digest

    def load_bytes(self, digest: bytes) -> bytes:
        data = self.staged.get(digest)
        return data if data is not None else self.store.load_bytes(digest)

    def load(self, digest: bytes) -> Node:
        node = self.store.cache.get(digest)
        if node is not None:
            return node
        data = self.staged.get(digest)
        if data is None:
            return self.store.load(digest)
        node = decode_node(data, digest)
        node.depth = limits.delta_depth_max if digest in self.deltas else 0
        self.store.remember(node)
        return node

    def flush(self) -> None:
        """Store staged nodes now, without moving any ref."""
        if self._pin is None:
            self._pin = new_token()
            chunks = self.store.chunks
            self.store.pins.pin(self._pin, PACK, chunks.next_pack_id(), lambda: True)
        existing: list[bytes] = []
        self._store(self.staged, {}, {}, existing)
        self._recheck.update((digest, self.staged[digest]) for digest in existing)
        self.staged, self.deltas = {}, {}
        self.pending_bytes = 0

    def commit(self, refs: Mapping[str, bytes | None] = {},
               expect: Mapping[str, bytes | None] = {}) -> None:
        """Store every staged node and move `refs` in one transaction (see ChunkStore.write)."""
        if self._recheck:
            self._recheck.update(self.staged)
            self.staged, self._recheck = self._recheck, {}
        if self.staged or refs:
            self._store(self.staged, refs, expect, None)
        self.staged, self.deltas = {}, {}
        self.pending_bytes = 0
        if self._pin is not None:
            self.store.pins.unpin(self._pin)
            self._pin = None

    def _store(self, staged: dict, refs, expect, existing) -> None:
        deltas = self.deltas
        whole = [item for item in staged.items() if item[0] not in deltas] if deltas else \
            list(staged.items())
        records = encode_records(whole)
        if deltas:
            records.update((digest, deltas[digest]) for digest in staged if digest in deltas)
        self.written += self.store.chunks.write(records, refs, expect, existing)
