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

import weakref
from collections.abc import Mapping

from rowdb import limits
from rowdb.storage.codec import (decode_record, delta_depth, delta_parts, delta_record,
                                 encode_records)
from rowdb.storage.delta import apply_delta, encode_delta
from rowdb.errors import CorruptionError, MissingChunkError
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
        self._writers: weakref.WeakSet = weakref.WeakSet()  # their staged nodes are readable
        self.remember(EMPTY)

    def load(self, digest: bytes) -> Node:
        node = self.cache.get(digest)
        if node is not None:
            return node
        try:
            node = self._read(digest, self.load)
        except MissingChunkError:
            node = self._staged_node(digest)  # made by a transaction, not stored yet
        self.remember(node)
        return node

    def _staged_node(self, digest: bytes) -> Node:
        for writer in list(self._writers):
            data = writer.staged.get(digest)
            if data is not None:
                return decode_node(data, digest)
        raise MissingChunkError(f"chunk {digest.hex()} is missing from the store")

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
        writer = Writer(self)
        self._writers.add(writer)
        return writer


class Writer:
    """Stages new nodes of one operation; `commit` stores them and moves refs atomically."""

    def __init__(self, store: NodeStore):
        self.store = store
        self.staged: dict[bytes, bytes] = {}  # hash -> node bytes, until committed
        self.pending_bytes = 0
        self.written = 0  # records that were new to the store, over all flushes
        self.deltas: dict[bytes, tuple[bytes, bytes]] = {}  # hash -> (base, delta payload)
        self._unpin = None  # releases this writer's pack pin, once it spilled

    def put(self, node: Node, base: Node | None = None, edits: list | None = None) -> bytes:
        """Stage a node; `base`, an earlier version that `edits` turned into this node,
        lets it be stored as a delta against that (delta.py)."""
        digest = node.digest
        if digest not in self.staged:
            data = node.data if node.data is not None else encode_node(node)
            if base is not None:
                node.edited_from = (base.digest, [key for key, _ in edits])
                if base.depth < limits.delta_depth_max:
                    payload = encode_delta(node.level, edits, len(data))
                    if payload is not None:
                        self.deltas[digest] = (base.digest, payload)
            cached = self.store.cache.get(digest)
            # How it is stored is known once committed (or when it was read): until then,
            # unknown (-1), as the store may hold it already, as a delta.
            node.depth = cached.depth if cached is not None else -1
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
        node.depth = -1  # not stored yet: see put
        self.store.remember(node)
        return node

    def flush(self) -> None:
        """Store staged nodes now, without moving any ref: into packs this writer pins until
        its commit (or until it is dropped), every record written again even if stored
        already, so that no gc meanwhile can drop what the writer's tree needs."""
        if self._unpin is None:
            token, pins = new_token(), self.store.pins
            pins.pin(token, PACK, self.store.chunks.next_pack_id(), lambda: True)
            self._unpin = (token, weakref.finalize(self, pins.unpin_later, token))
        self._store({}, {}, force=True)
        self.staged, self.deltas = {}, {}
        self.pending_bytes = 0

    def commit(self, refs: Mapping[str, bytes | None] = {},
               expect: Mapping[str, bytes | None] = {}) -> None:
        """Store every staged node and move `refs` in one transaction (see ChunkStore.write)."""
        if self.staged or refs:
            self._store(refs, expect)
        self.staged, self.deltas = {}, {}
        self.pending_bytes = 0
        self.release()

    def release(self) -> None:
        """Drop the pin on the packs this writer spilled into (at its commit, or when its
        transaction ends without one)."""
        if self._unpin is not None:
            token, finalizer = self._unpin
            finalizer.detach()
            self.store.pins.unpin(token)
            self._unpin = None

    def _store(self, refs, expect, force: bool = False) -> None:
        staged = self.staged
        delta_records = self._delta_records() if self.deltas else {}
        records = encode_records([item for item in staged.items()
                                  if item[0] not in delta_records])
        records.update(delta_records)
        fresh: list[bytes] = []
        self.written += self.store.chunks.write(records, refs, expect, force=force,
                                                fresh_out=fresh)
        cache = self.store.cache
        for digest in fresh:  # now known: how these are stored
            node = cache.get(digest)
            if node is not None:
                record = delta_records.get(digest)
                node.depth = record[1] if record is not None else 0

    def _delta_records(self) -> dict[bytes, bytes]:
        """Delta records for staged nodes, with the depth of their bases as stored (a node
        rebuilt in memory does not know it): too deep, or on a base no longer stored, a
        node is stored whole."""
        staged, deltas = self.staged, self.deltas
        depths: dict[bytes, int | None] = {}
        outside = set()
        cache = self.store.cache
        for base, _ in deltas.values():
            if base not in staged and base not in depths:
                cached = cache.get(base)
                if cached is not None and cached.depth >= 0:
                    depths[base] = cached.depth
                else:
                    outside.add(base)
        outside = sorted(outside)
        for base, head in zip(outside, self.store.chunks.get_heads(outside, 2)):
            depths[base] = None if head is None else delta_depth(head)

        def depth_of(digest: bytes, seen: int = 0) -> int | None:
            if digest in depths:
                return depths[digest]
            if digest not in deltas or seen > limits.delta_depth_max:
                depth = 0 if digest in staged else None
            else:
                below = depth_of(deltas[digest][0], seen + 1)
                depth = None if below is None or below >= limits.delta_depth_max else below + 1
            depths[digest] = depth
            return depth

        out = {}
        for digest, (base, payload) in deltas.items():
            if digest in staged:
                depth = depth_of(digest)
                if depth:
                    out[digest] = delta_record(depth, base, payload)
        return out
