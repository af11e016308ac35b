"""Content-defined chunking: where one level's entry stream is cut into nodes.

Where: storage layer; used by tree.build (bulk) and edit.py (re-chunking around edits).

The rule decides a cut from the entries since the last cut only, which is what makes trees
history-independent: the same entries give the same nodes whatever order built them. After
each entry the chunk's byte size s (key + value bytes, or key + 24 above the leaves) is
updated; below `chunk_bytes_min` there is never a cut, at `chunk_bytes_max` there always is,
and in between the entry ends the chunk when a 32-bit hash of its KEY (CRC-32 seeded per level,
then multiplied by an odd constant to spread CRC's linear structure into the high bits) is
below hazard(s) x entry size, with hazard the Weibull(k=4, scale 4096) hazard rate scaled to
2^32 (as Dolt's node_splitter does, with exact integer arithmetic so every platform cuts in
the same places). Only keys are hashed, so changing a value moves a cut only when its size
changes.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from bisect import bisect_left
from itertools import accumulate, compress, islice, repeat
from zlib import crc32

from rowdb import limits
from rowdb.gcpause import paused_gc
from rowdb.errors import InvalidValueError, ProgramLimitExceededError
from rowdb.storage.node import EMPTY, Node

_MIN = limits.chunk_bytes_min
_MAX = limits.chunk_bytes_max
_MIX = 0x9E3779B1  # odd: multiplication is a bijection mod 2^32 that mixes upward
_MASK = 0xFFFFFFFF
_BUCKET_SHIFT = 6  # hazard looked up per 64-byte bucket of chunk size
_INTERNAL_OVERHEAD = limits.internal_entry_overhead


def _hazard_table() -> list[int]:
    """hazard(s) * 2^32 per 64-byte bucket: k s^(k-1) 2^32 / scale^k, in integers."""
    k, scale = limits.chunk_weibull_k, limits.chunk_bytes_target
    table = []
    for bucket in range((_MAX >> _BUCKET_SHIFT) + 1):
        s = (bucket << _BUCKET_SHIFT) + (1 << (_BUCKET_SHIFT - 1))
        table.append(k * s ** (k - 1) * (1 << 32) // scale ** k)
    return table


_HAZARD = _hazard_table()


def entry_bytes(level: int, keys: list[bytes], values: list, start: int, end: int) -> int:
    """Chunk bytes that entries [start:end) count for (key + value, or key + 24 above)."""
    if level:
        return _INTERNAL_OVERHEAD * (end - start) + sum(map(len, keys[start:end]))
    return sum(map(len, keys[start:end])) + sum(map(len, values[start:end]))


def _salt(level: int) -> int:
    return (level * 0x61C88647 + 0x2545F491) & _MASK


class Chunker:
    """Cuts one level's sorted entries into nodes and stores each through `writer`.

    `out` collects the summary (last key, hash, count) of every node cut, in key order: the
    entries of the level above.
    """

    def __init__(self, level: int, writer):
        self.level = level
        self.writer = writer
        self.keys: list[bytes] = []
        self.values: list[bytes] = []
        self.counts: list[int] | None = [] if level else None
        self.size = 0
        self.salt = _salt(level)
        self.out: list[tuple[bytes, bytes, int]] = []

    @property
    def at_boundary(self) -> bool:
        """True when nothing is pending: the last entry added ended a node."""
        return not self.keys

    def add_many(self, keys: list[bytes], values: list, counts: list[int] | None = None,
                 start: int = 0, end: int | None = None) -> None:
        """Add entries [start:end) of the lists, cutting nodes where the rule says."""
        end = len(keys) if end is None else end
        if self.level:
            sizes = map(_INTERNAL_OVERHEAD.__add__, map(len, keys[start:end]))
        else:
            sizes = map(operator.add, map(len, keys[start:end]), map(len, values[start:end]))
        size, first, salt, hazard = self.size, start, self.salt, _HAZARD
        for i, entry_bytes in enumerate(sizes, start):
            size += entry_bytes
            if size < _MIN:
                continue
            if size < _MAX and ((crc32(keys[i], salt) * _MIX) & _MASK) >= \
                    hazard[size >> _BUCKET_SHIFT] * entry_bytes:
                continue
            self._cut(keys, values, counts, first, i + 1)
            first, size = i + 1, 0
        self._keep(keys, values, counts, first, end)
        self.size = size

    def add_edited(self, keys: list[bytes], values: list, counts: list[int] | None,
                   changes: list[tuple[int, int, bool]], old: Node | None = None,
                   edits: list | None = None) -> None:
        """Add an old node's entries after edits, the chunker being at a boundary (the old
        node started right after a cut). `changes` lists, in order, (index in `keys`, bytes
        the entries from there on moved by, whether that entry is new or changed size).
        When the node ends where `old` ended, it is `old` with `edits` applied: the Writer
        may store it so (delta.py).

        An entry's decision depends only on its key, its bytes and the 64-byte bucket of the
        chunk size after it (MIN and MAX are bucket edges). Unchanged entries ended no node
        in the old tree, except the last, which ended it; so only new or resized entries and
        those whose bucket moved are tested, found with C-level passes. Once a cut falls
        somewhere new, the rest is chunked afresh.
        """
        n = len(keys)
        if not n:
            return  # the whole node was deleted: still at the same boundary
        # Entries before the first change keep their totals and decisions: skip them.
        if old is not None and keys[-1] == old.keys[-1] and not any(
                [delta or forced for _, delta, forced in changes]):
            # Values replaced by values of the same size: every size and decision is as
            # before, so the node still ends where the old one ended.
            self._cut(keys, values, counts, 0, n, old, edits)
            return
        first = min(changes[0][0], n - 1) if changes else n - 1
        # The old last entry ended its node by a cut or as the level's last entry: when
        # entries now follow it (inserted after it, in the level's last node), test it.
        old_end = None
        if old is not None and keys[-1] != old.keys[-1]:
            at = bisect_left(keys, old.keys[-1])
            if at < n and keys[at] == old.keys[-1]:
                old_end = at
                first = min(first, at)
        if self.level:
            prefix = len(b"".join(keys[:first])) + _INTERNAL_OVERHEAD * first
            sizes = list(map(_INTERNAL_OVERHEAD.__add__, map(len, keys[first:])))
        else:
            prefix = len(b"".join(keys[:first])) + len(b"".join(values[:first]))
            sizes = list(map(operator.add, map(len, keys[first:]), map(len, values[first:])))
        totals = list(accumulate(sizes, initial=prefix))
        del totals[0]
        if len(changes) == 1 and changes[0][0] == first:
            shifted = map(operator.sub, totals, repeat(changes[0][1]))
        else:
            marks = [0] * (n + 1 - first)
            for at, delta, _ in changes:
                marks[at - first] += delta
            shifted = map(operator.sub, totals, accumulate(marks))
        tested = list(map(operator.ne, map(operator.rshift, totals, repeat(_BUCKET_SHIFT)),
                          map(operator.rshift, shifted, repeat(_BUCKET_SHIFT))))
        for at, _, forced in changes:
            if forced and at < n:
                tested[at - first] = True
        if changes and changes[-1][0] >= n:  # the old last entry was deleted
            tested[-1] = True
        if old_end is not None:
            tested[old_end - first] = True
        salt, hazard = self.salt, _HAZARD
        for offset in compress(range(n - first), tested):
            i = first + offset
            size, entry_bytes = totals[offset], sizes[offset]
            if size < _MIN:
                continue
            if size >= _MAX or ((crc32(keys[i], salt) * _MIX) & _MASK) < \
                    hazard[size >> _BUCKET_SHIFT] * entry_bytes:
                if i + 1 == n:  # still ends where the old node ended
                    self._cut(keys, values, counts, 0, n, old, edits)
                    return
                self._cut(keys, values, counts, 0, i + 1)
                self.add_many(keys, values, counts, i + 1, n)
                return
        if tested[-1]:  # the old end tested and no longer cuts: the node runs on
            self._keep(keys, values, counts, 0, n)
            self.size = totals[-1]
        else:
            self._cut(keys, values, counts, 0, n, old, edits)

    def _keep(self, keys, values, counts, start: int, end: int) -> None:
        if start < end:
            self.keys += keys[start:end]
            self.values += values[start:end]
            if counts is not None:
                self.counts += counts[start:end]

    def _cut(self, keys, values, counts, start: int, end: int, base: Node | None = None,
             edits: list | None = None) -> None:
        if self.keys:
            node_keys = self.keys + keys[start:end]
            node_values = self.values + values[start:end]
            node_counts = self.counts + counts[start:end] if counts is not None else None
            self.keys, self.values = [], []
            self.counts = [] if self.level else None
        else:
            node_keys, node_values = keys[start:end], values[start:end]
            node_counts = counts[start:end] if counts is not None else None
        node = Node(self.level, node_keys, node_values, node_counts)
        self.writer.put(node, base, edits)
        self.out.append((node_keys[-1], node.digest, node.total))

    def finish(self) -> list[tuple[bytes, bytes, int]]:
        """Cut whatever is pending into a last node; returns `out`."""
        if self.keys:
            self._cut([], [], [] if self.level else None, 0, 0)
            self.size = 0
        return self.out


def check_entries(keys: list, values: list, deletes: bool = False) -> None:
    """Refuse entries a tree cannot hold: non-bytes (None values are deletes where
    `deletes`), or keys over the size limit."""
    value_types = set(map(type, values))
    if deletes:
        value_types.discard(type(None))
    if not set(map(type, keys)) <= {bytes} or not value_types <= {bytes}:
        raise InvalidValueError("tree keys and values must be bytes")
    check_key_sizes(keys)


def check_key_sizes(keys: list[bytes]) -> None:
    """Refuse keys over the size limit (54000)."""
    if keys and max(map(len, keys)) > limits.key_bytes_max:
        raise ProgramLimitExceededError(
            f"key size {max(map(len, keys))} exceeds maximum {limits.key_bytes_max}",
            hint="index or key on shorter values")


def build_upward(summaries: list[tuple[bytes, bytes, int]], level: int, writer) -> bytes:
    """The root hash over nodes of `level` given by their summaries: adds levels until one."""
    if not summaries:
        writer.put(EMPTY)
        return EMPTY.digest
    while len(summaries) > 1:
        level += 1
        chunker = Chunker(level, writer)
        keys, digests, counts = map(list, zip(*summaries))
        chunker.add_many(keys, digests, counts)
        summaries = chunker.finish()
    return summaries[0][1]


def build_checked(keys: list[bytes], values: list[bytes], writer) -> bytes:
    """Bulk-build from lists the caller already checked (strictly increasing keys of
    bytes, bytes values within limits): one pass, no per-block checks."""
    with paused_gc():
        chunker = Chunker(0, writer)
        chunker.add_many(keys, values)
        return build_upward(chunker.finish(), 0, writer)


def build(items: Iterable[tuple[bytes, bytes]], writer, block: int = 4096) -> bytes:
    """Bulk-build a tree from (key, value) pairs in strictly increasing key order; its root."""
    with paused_gc():
        return _build(items, writer, block)


def _build(items, writer, block: int) -> bytes:
    chunker = Chunker(0, writer)
    source: Iterator = iter(items)
    previous = None
    while batch := list(islice(source, block)):
        keys, values = map(list, zip(*batch))
        if not all(map(operator.lt, keys, keys[1:])) or (
                previous is not None and not previous < keys[0]):
            raise InvalidValueError("bulk build needs keys in strictly increasing order")
        check_entries(keys, values)
        previous = keys[-1]
        chunker.add_many(keys, values)
    return build_upward(chunker.finish(), 0, writer)
