"""Chunk records: a codec tag byte followed by the (maybe compressed) node bytes.

Where: between node encoding (node.py) and the chunk store (kv.py). A chunk's hash is of the
decoded bytes, so a record may be re-encoded with another codec, or later as a delta against
an earlier chunk, without changing any address.
"""

from __future__ import annotations

import threading

import zstandard

from rowdb import limits
from rowdb.errors import CorruptionError

TAG_RAW = 0   # payload is the node bytes as they are
TAG_ZSTD = 1  # payload is one zstd frame with content checksum
TAG_DELTA = 2  # depth byte, base hash, splices against the base node (delta.py)
DELTA_HEAD_BYTES = 2 + limits.hash_bytes  # tag, depth, base hash

_local = threading.local()  # zstandard contexts are not safe to share between threads


def _compressor() -> zstandard.ZstdCompressor:
    try:
        return _local.compressor
    except AttributeError:
        _local.compressor = zstandard.ZstdCompressor(level=limits.zstd_level,
                                                     write_checksum=True)
        return _local.compressor


def _decompressor() -> zstandard.ZstdDecompressor:
    try:
        return _local.decompressor
    except AttributeError:
        _local.decompressor = zstandard.ZstdDecompressor()
        return _local.decompressor


def encode_record(data: bytes) -> bytes:
    """The stored record for node bytes: zstd unless that would not be smaller."""
    packed = _compressor().compress(data)
    if len(packed) + 1 < len(data):
        return b"\x01" + packed
    return b"\x00" + data


def encode_records(items: list[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    """Records for many (hash, node bytes): one call into zstd, which compresses them on
    `limits.compress_threads` threads of its own (python-zstandard's single-item compress
    holds the GIL, so Python threads would not help)."""
    if len(items) < 64 or limits.compress_threads < 2:
        return {digest: encode_record(data) for digest, data in items}
    datas = [data for _, data in items]
    packed = _compressor().multi_compress_to_buffer(datas, threads=limits.compress_threads)
    records = {}
    for (digest, data), segment in zip(items, packed):
        body = segment.tobytes()
        records[digest] = b"\x01" + body if len(body) + 1 < len(data) else b"\x00" + data
    return records


def delta_record(depth: int, base: bytes, payload: bytes) -> bytes:
    return bytes((TAG_DELTA, depth)) + base + payload


def delta_parts(record: bytes) -> tuple[int, bytes, bytes] | None:
    """(depth, base hash, payload) of a delta record; None for a whole-node record."""
    if record[:1] != b"\x02":
        return None
    return record[1], bytes(record[2:DELTA_HEAD_BYTES]), record[DELTA_HEAD_BYTES:]


def delta_depth(record_head: bytes) -> int:
    """Deltas between a record (from its first two bytes) and a whole stored node."""
    return record_head[1] if record_head[:1] == b"\x02" else 0


def delta_base(record_head: bytes) -> bytes | None:
    """The base hash named by a record's first bytes, if it is a delta (for gc)."""
    if len(record_head) >= DELTA_HEAD_BYTES and record_head[0] == TAG_DELTA:
        return bytes(record_head[2:DELTA_HEAD_BYTES])
    return None



def decode_record(record: bytes, digest: bytes = b"") -> bytes:
    """Node bytes from a stored record; CorruptionError if it cannot be decoded."""
    tag = record[0] if record else -1
    if tag == TAG_ZSTD:
        try:
            return _decompressor().decompress(record[1:])
        except zstandard.ZstdError as exc:
            raise CorruptionError(f"chunk {digest.hex()} is corrupt: {exc}") from exc
    if tag == TAG_RAW:
        return record[1:]
    if tag == TAG_DELTA:
        raise CorruptionError(f"chunk {digest.hex()} is a delta record, not node bytes")
    raise CorruptionError(f"chunk {digest.hex()} has unknown codec tag {tag}")
