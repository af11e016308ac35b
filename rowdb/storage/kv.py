"""The chunk store: content-addressed chunk records and refs in one LMDB environment.

Where: bottom of the storage layer; the only module that imports `lmdb`. nodestore.py reads
and writes through it; nothing above the storage layer touches it directly.

Layout of `<repo>/.rowdb/` (one LMDB environment, four named databases):
- `packs`:  pack id (8 bytes, big-endian) -> concatenated chunk records. Packing many chunks
  into one LMDB value avoids LMDB's whole-page rounding of each ~2-3 KiB compressed chunk
  (which alone costs ~1.5x the data), so bytes on disk track compressed bytes.
- `chunks`: chunk hash (20 bytes) -> location (pack id, offset, length) of its record.
- `refs`:   ref name (UTF-8) -> hash. Moved in the same write transaction as the chunks
  they point at, so no reader ever sees a ref to a missing chunk and a crash never leaves one.
- `meta`:   format version and the next pack id.
A chunk record is a codec tag byte plus the payload (codec.py); the hash is of the decoded
bytes, so changing codecs never changes addresses.
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import struct
import threading
from collections.abc import Iterable, Mapping

import lmdb

from rowdb import limits
from rowdb.errors import (CorruptionError, MissingChunkError, RefConflictError,
                          StorageFullError, StorageIOError, UnknownRefError)

FORMAT_VERSION = 1
STORE_DIR = ".rowdb"
_location = struct.Struct(">QII")  # pack id, offset, length
_pack_id = struct.Struct(">Q")



class _Environment:
    """One LMDB environment, and the guards that let its map grow while threads use it.

    LMDB may only change the map size while this process has no transaction open: writers
    hold `write_lock` (one write transaction per process at a time, as LMDB has anyway), and
    read transactions count themselves in so that `resize` can wait for them to finish.
    """

    def __init__(self, env: lmdb.Environment):
        self.env = env
        self.pid = os.getpid()
        self.write_lock = threading.RLock()
        self._idle = threading.Condition()
        self._readers = 0
        self._resizing = False
        self.identity = None

    @contextlib.contextmanager
    def read(self):
        self._enter()
        try:
            try:
                txn = self.env.begin(buffers=True)
            except lmdb.MapResizedError:
                self._leave()
                self.resize(0)  # another process grew the map: adopt its size
                self._enter()
                txn = self.env.begin(buffers=True)
            with txn:
                yield txn
        finally:
            self._leave()

    def _enter(self) -> None:
        with self._idle:
            self._idle.wait_for(lambda: not self._resizing)
            self._readers += 1

    def _leave(self) -> None:
        with self._idle:
            self._readers -= 1
            self._idle.notify_all()

    def resize(self, size: int) -> None:
        with self.write_lock, self._idle:
            self._resizing = True
            try:
                self._idle.wait_for(lambda: self._readers == 0)
                self.env.set_mapsize(size)
            finally:
                self._resizing = False
                self._idle.notify_all()


_environments: dict[str, _Environment] = {}
_environments_lock = threading.Lock()


def _open_environment(path: str, map_size: int) -> _Environment:
    """One environment per path per process, as LMDB requires (reopened after fork)."""
    key = os.path.realpath(path)
    with _environments_lock:
        found = _environments.get(key)
        if found and found.pid == os.getpid() and found.identity == _identity(path):
            return found
        try:
            os.makedirs(path, exist_ok=True)
            env = lmdb.open(path, map_size=map_size, max_dbs=8, max_spare_txns=4,
                            max_readers=limits.lmdb_readers_max, readahead=False)
        except (lmdb.Error, OSError) as exc:
            raise _storage_error(exc) from exc
        _environments[key] = _Environment(env)
        _environments[key].identity = _identity(path)
        return _environments[key]


def _identity(path: str):
    """The data file's (device, inode): a folder deleted and made again is a new store."""
    try:
        stat = os.stat(os.path.join(path, "data.mdb"))
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _storage_error(exc: Exception, path: str = "", needed: int = 0) -> Exception:
    """Translate an LMDB or OS failure into a RowdbError a user can act on."""
    code = getattr(exc, "errno", None)
    text = str(exc)
    if isinstance(exc, lmdb.MapFullError):
        return StorageFullError("the store's map size limit is reached",
                                hint="raise rowdb.limits.map_bytes_max")
    if code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or "No space" in text \
            or "too large" in text or (path and _space_exhausted(path, needed)):
        return StorageFullError("could not write to the store: disk full", detail=text)
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return StorageIOError(f"could not access the store: {text}")


def _space_exhausted(path: str, needed: int) -> bool:
    """Whether a failed write of `needed` bytes is explained by a full disk or file limit
    (LMDB reports a short write as a plain I/O error)."""
    margin = needed + (16 << 20)
    try:
        stat = os.statvfs(path)
        if stat.f_bavail * stat.f_frsize < margin:
            return True
        soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
        size = os.path.getsize(os.path.join(path, "data.mdb"))
        return soft != resource.RLIM_INFINITY and size + margin > soft
    except OSError:
        return False


class ChunkStore:
    """Chunks by hash, packed into LMDB values, plus refs; safe across threads and processes."""

    def __init__(self, repo_dir: str | os.PathLike, *, map_size: int | None = None):
        self.path = os.path.join(os.fspath(repo_dir), STORE_DIR)
        self._shared = _open_environment(self.path, map_size or limits.map_bytes_initial)
        self.env = self._shared.env
        self._transact(self._open_databases)

    def _open_databases(self) -> None:
        with self.env.begin(write=True) as txn:
            self._packs = self.env.open_db(b"packs", txn=txn)
            self._chunks = self.env.open_db(b"chunks", txn=txn)
            self._refs = self.env.open_db(b"refs", txn=txn)
            self._meta = self.env.open_db(b"meta", txn=txn)
            version = txn.get(b"format", db=self._meta)
            if version is None:
                txn.put(b"format", str(FORMAT_VERSION).encode(), db=self._meta)
            elif int(version) != FORMAT_VERSION:
                raise StorageIOError(f"unsupported store format {int(version)}",
                                     hint=f"this rowdb reads format {FORMAT_VERSION}")

    def _transact(self, write, needed: int = 0):
        """Run `write()` (which opens one write transaction) under the process's write lock,
        growing the map when full and adopting another process's growth, then retrying."""
        with self._shared.write_lock:
            while True:
                try:
                    return write()
                except lmdb.MapFullError:
                    self._grow()
                except lmdb.MapResizedError:
                    self._shared.resize(0)
                except (lmdb.Error, OSError) as exc:
                    raise _storage_error(exc, self.path, needed) from exc

    # Reads ---------------------------------------------------------------------------------

    def get(self, digest: bytes) -> bytes:
        """The record (codec tag + payload) stored under `digest`."""
        return self.get_many([digest])[0]

    def get_many(self, digests: Iterable[bytes]) -> list[bytes]:
        """Records for several hashes, read in one transaction."""
        out = []
        with self._read() as txn:
            for digest in digests:
                loc = txn.get(digest, db=self._chunks)
                if loc is None:
                    raise MissingChunkError(f"chunk {digest.hex()} is missing from the store")
                out.append(self._record(txn, digest, loc))
        return out

    def _record(self, txn, digest: bytes, loc) -> bytes:
        if len(loc) != _location.size:
            raise CorruptionError(f"chunk {digest.hex()} has a damaged location entry")
        pack_id, offset, length = _location.unpack(loc)
        pack = txn.get(_pack_id.pack(pack_id), db=self._packs)
        if pack is None or offset + length > len(pack):
            raise CorruptionError(f"chunk {digest.hex()} points outside its pack {pack_id}")
        return bytes(pack[offset:offset + length])

    def get_heads(self, digests: Iterable[bytes], size: int) -> list[bytes | None]:
        """The first `size` bytes of the records of several hashes (None where absent),
        read in one transaction without copying whole records."""
        out = []
        with self._read() as txn:
            for digest in digests:
                loc = txn.get(digest, db=self._chunks)
                if loc is None:
                    out.append(None)
                    continue
                pack_id, offset, length = _location.unpack(loc)
                pack = txn.get(_pack_id.pack(pack_id), db=self._packs)
                out.append(None if pack is None else
                           bytes(pack[offset:offset + min(length, size)]))
        return out

    def has(self, digest: bytes) -> bool:
        with self._read() as txn:
            return txn.get(digest, db=self._chunks) is not None

    def get_ref(self, name: str) -> bytes | None:
        with self._read() as txn:
            found = txn.get(name.encode(), db=self._refs)
            return None if found is None else bytes(found)

    def refs(self, prefix: str = "") -> dict[str, bytes]:
        """All refs whose name starts with `prefix`, read as one snapshot."""
        raw = prefix.encode()
        out = {}
        with self._read() as txn:
            cursor = txn.cursor(db=self._refs)
            if cursor.set_range(raw):
                for key, value in cursor:
                    key = bytes(key)
                    if not key.startswith(raw):
                        break
                    out[key.decode()] = bytes(value)
        return out

    def generation(self) -> int:
        """LMDB's last committed transaction id: when unchanged, no ref can have moved."""
        return self.env.info()["last_txnid"]

    def chunk_count(self) -> int:
        with self._read() as txn:
            return txn.stat(self._chunks)["entries"]

    def iter_hashes(self) -> Iterable[bytes]:
        """Every stored chunk hash (a snapshot, read in one transaction)."""
        with self._read() as txn:
            return list(map(bytes, txn.cursor(db=self._chunks).iternext(keys=True,
                                                                        values=False)))

    def disk_bytes(self) -> int:
        """Bytes the store occupies in the file system (used pages, not the reservation)."""
        info, stat = self.env.info(), self.env.stat()
        return (info["last_pgno"] + 1) * stat["psize"]

    def packed_bytes(self) -> int:
        """Sum of all pack sizes: the logical size of the stored records."""
        total = 0
        with self._read() as txn:
            for _, value in txn.cursor(db=self._packs):
                total += len(value)
        return total

    def _read(self):
        return self._shared.read()

    # Writes --------------------------------------------------------------------------------

    def write(self, records: Mapping[bytes, bytes], refs: Mapping[str, bytes | None] = {},
              expect: Mapping[str, bytes | None] = {}, force: bool = False,
              fresh_out: list | None = None) -> int:
        """Store `records` (hash -> record) and move `refs` in one transaction.

        A ref set to None is deleted. `expect` gives, per ref name, the hash the caller read
        before (None: absent); if a ref moved meanwhile nothing is written and
        RefConflictError says which. Every ref target must be stored or in `records`.
        Returns the number of records that were new. Idempotent for records; with `force`,
        records already stored are stored again, in the new pack (a spilling writer's pinned
        packs then hold everything it wrote). The hashes of the records that were new are
        put in `fresh_out` if given.
        """
        needed = sum(map(len, records.values()))
        return self._transact(lambda: self._write_once(records, refs, expect, force,
                                                       fresh_out), needed)

    def _write_once(self, records, refs, expect, force, fresh_out) -> int:
        with self.env.begin(write=True) as txn:
            for name, want in expect.items():
                have = txn.get(name.encode(), db=self._refs)
                if have != want:
                    raise RefConflictError(
                        f'ref "{name}" moved while this change was being made',
                        detail=f"expected {want.hex() if want else 'none'}, "
                               f"found {have.hex() if have else 'none'}")
            fresh = [(d, r) for d, r in records.items()
                     if txn.get(d, db=self._chunks) is None]
            new_count = len(fresh)
            if fresh_out is not None:
                fresh_out[:] = [d for d, _ in fresh]
            if force:
                fresh = list(records.items())
            self._put_packs(txn, fresh)
            for name, target in refs.items():
                if target is None:
                    txn.delete(name.encode(), db=self._refs)
                    continue
                if len(target) != limits.hash_bytes or (
                        target not in records and txn.get(target, db=self._chunks) is None):
                    raise UnknownRefError(
                        f'ref "{name}" cannot point at unknown chunk {target.hex()}')
                txn.put(name.encode(), target, db=self._refs)
            return new_count

    def _put_packs(self, txn, fresh: list[tuple[bytes, bytes]]) -> None:
        if not fresh:
            return
        raw_next = txn.get(b"next_pack", db=self._meta)
        pack_id = _pack_id.unpack(raw_next)[0] if raw_next else 0
        parts: list[bytes] = []
        locations: list[tuple[bytes, bytes]] = []
        offset = 0
        for digest, record in fresh:
            if offset and offset + len(record) > limits.pack_bytes_max:
                txn.put(_pack_id.pack(pack_id), b"".join(parts), db=self._packs)
                pack_id, parts, offset = pack_id + 1, [], 0
            locations.append((digest, _location.pack(pack_id, offset, len(record))))
            parts.append(record)
            offset += len(record)
        txn.put(_pack_id.pack(pack_id), b"".join(parts), db=self._packs)
        txn.put(b"next_pack", _pack_id.pack(pack_id + 1), db=self._meta)
        locations.sort()
        with txn.cursor(db=self._chunks) as cursor:
            cursor.putmulti(locations)

    def next_pack_id(self) -> int:
        """The id the next stored pack will get: every chunk stored from now on is in a pack
        with this id or a higher one."""
        with self._read() as txn:
            raw = txn.get(b"next_pack", db=self._meta)
            return _pack_id.unpack(raw)[0] if raw else 0

    def sweep(self, mark, keep_from_pack: int | None = None, base_of=None,
              head_bytes: int = 0) -> tuple[int, int]:
        """Garbage collection: `mark()` (called inside the write transaction, so no writer
        in any process can commit meanwhile) returns the set of live hashes; every other
        chunk is dropped, except those in packs numbered `keep_from_pack` or higher (a
        writer still working stores there). `base_of(first head_bytes of a record)` names
        the record another one is stored against (a delta's base): those are kept too.
        Empty packs are deleted and mostly-dead packs rewritten.
        Returns (chunks dropped, pack bytes reclaimed)."""
        return self._transact(lambda: self._sweep_once(mark, keep_from_pack, base_of,
                                                       head_bytes))

    def _sweep_once(self, mark, keep_from_pack, base_of, head_bytes) -> tuple[int, int]:
        with self.env.begin(write=True) as txn:
            live = mark()
            if keep_from_pack is not None:  # a writer's pinned packs: all live, bases too
                live = set(live)
                live.update(bytes(d) for d, loc in txn.cursor(db=self._chunks)
                            if _location.unpack(loc)[0] >= keep_from_pack)
            if base_of is not None:
                live = self._with_bases(live, base_of, head_bytes)
            dropped, per_pack = 0, {}
            dead_keys = []
            for digest, loc in txn.cursor(db=self._chunks):
                pack_id, offset, length = _location.unpack(loc)
                entry = per_pack.setdefault(pack_id, [0, []])
                if digest in live or (keep_from_pack is not None
                                      and pack_id >= keep_from_pack):
                    entry[1].append((digest, offset, length))
                else:
                    dead_keys.append(digest)
                    entry[0] += length
            for digest in dead_keys:
                txn.delete(digest, db=self._chunks)
                dropped += 1
            reclaimed = 0
            fresh: list[tuple[bytes, bytes]] = []
            for pack_id, (dead_bytes, keep) in per_pack.items():
                if not dead_bytes:
                    continue
                key = _pack_id.pack(pack_id)
                pack = txn.get(key, db=self._packs)
                if pack is None:
                    continue
                if not keep or dead_bytes * 2 >= len(pack):
                    fresh += [(d, bytes(pack[o:o + n])) for d, o, n in keep]
                    reclaimed += len(pack) - sum(n for _, _, n in keep)
                    txn.delete(key, db=self._packs)
            for digest, _ in fresh:
                txn.delete(digest, db=self._chunks)
            self._put_packs(txn, fresh)
            return dropped, reclaimed

    def _with_bases(self, live: set[bytes], base_of, head_bytes: int) -> set[bytes]:
        """`live` plus every record a live record is stored against, transitively. Runs
        under the write lock before the sweep writes, so a read snapshot is current."""
        live = set(live)
        frontier = list(live)
        with self._read() as txn:
            packs: dict[int, memoryview] = {}
            while frontier:
                found = []
                for digest in frontier:
                    loc = txn.get(digest, db=self._chunks)
                    if loc is None:
                        continue
                    pack_id, offset, length = _location.unpack(loc)
                    pack = packs.get(pack_id)
                    if pack is None:
                        pack = packs[pack_id] = txn.get(_pack_id.pack(pack_id),
                                                        db=self._packs)
                    if pack is None:
                        continue
                    base = base_of(bytes(pack[offset:offset + min(length, head_bytes)]))
                    if base is not None and base not in live:
                        live.add(base)
                        found.append(base)
                frontier = found
        return live

    def _grow(self) -> None:
        size = self.env.info()["map_size"]
        if size >= limits.map_bytes_max:
            raise StorageFullError("the store reached its maximum size",
                                   detail=f"map size {size} bytes",
                                   hint="raise rowdb.limits.map_bytes_max")
        self._shared.resize(min(size * 2, limits.map_bytes_max))

    def sync(self) -> None:
        self.env.sync(True)
