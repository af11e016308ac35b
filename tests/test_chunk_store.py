"""The LMDB chunk store: atomic refs, idempotent writes, growth, concurrency, damage, full
disks and killed processes. Real LMDB files, real subprocesses, real signals."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from helpers import build_tree, edit_tree, int_key
from rowdb import limits
from rowdb.errors import (CorruptionError, MissingChunkError, RefConflictError,
                          StorageFullError, UnknownRefError)
from rowdb.storage import open_store, tree
from rowdb.storage.check import verify
from rowdb.storage.chunker import build
from rowdb.storage.codec import decode_record, encode_record
from rowdb.storage.kv import ChunkStore
from rowdb.storage.node import digest_of, encode_node

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=REPO_ROOT + os.pathsep + os.path.join(REPO_ROOT, "tests"))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def leaves(store, root: bytes) -> list:
    nodes = [store.load(root)]
    while nodes[0].level:
        nodes = [store.load(d) for n in nodes for d in n.values]
    return nodes


def test_records_and_refs_round_trip(tmp_path):
    chunks = ChunkStore(tmp_path)
    data = b"hello chunk"
    digest = digest_of(data)
    assert chunks.write({digest: encode_record(data)}, {"main": digest}) == 1
    assert chunks.write({digest: encode_record(data)}, {"main": digest}) == 0  # idempotent
    assert decode_record(chunks.get(digest)) == data
    assert chunks.get_ref("main") == digest
    assert chunks.refs() == {"main": digest}
    chunks.write({}, {"main": None})
    assert chunks.get_ref("main") is None


def test_ref_to_unknown_chunk_is_refused_and_writes_nothing(tmp_path):
    chunks = ChunkStore(tmp_path)
    data = b"x" * 100
    with pytest.raises(UnknownRefError) as err:
        chunks.write({digest_of(data): encode_record(data)}, {"main": b"\x01" * 20})
    assert err.value.sqlstate == "42704"
    assert not chunks.has(digest_of(data))  # the whole transaction was rolled back
    assert chunks.get_ref("main") is None


def test_ref_compare_and_swap(tmp_path):
    store = open_store(tmp_path)
    first = build_tree(store, [(b"a", b"1")])
    second = build_tree(store, [(b"a", b"2")])
    store.chunks.write({}, {"main": first}, expect={"main": None})
    with pytest.raises(RefConflictError) as err:
        store.chunks.write({}, {"main": second}, expect={"main": None})
    assert err.value.sqlstate == "40001"
    store.chunks.write({}, {"main": second}, expect={"main": first})
    assert store.chunks.get_ref("main") == second


def test_map_grows_without_errors(tmp_path):
    """A store opened with a 1 MiB map takes 30 MB of chunks: the map grows itself."""
    store = open_store(tmp_path, map_size=1 << 20)
    rng = random.Random(1)
    items = [(int_key(i), rng.randbytes(100)) for i in range(300_000)]
    writer = store.writer()
    root = build(items, writer)
    writer.commit({"main": root})
    assert store.chunks.env.info()["map_size"] > 1 << 20
    assert tree.count(store, root) == 300_000
    assert verify(store, root).entries == 300_000


def test_map_limit_reached_is_a_clear_error_and_keeps_data(tmp_path, monkeypatch):
    store = open_store(tmp_path, map_size=1 << 20)
    kept = build_tree(store, [(int_key(i), b"v") for i in range(100)])
    store.chunks.write({}, {"main": kept})
    monkeypatch.setattr(limits, "map_bytes_max", 4 << 20)
    rng = random.Random(2)
    writer = store.writer()
    root = build([(int_key(i), rng.randbytes(200)) for i in range(100_000)], writer)
    with pytest.raises(StorageFullError) as err:
        writer.commit({"main": root})
    assert err.value.sqlstate == "53100"
    assert store.chunks.get_ref("main") == kept
    assert verify(store, kept).entries == 100


def test_missing_chunk_is_reported_by_hash(tmp_path):
    store = open_store(tmp_path)
    root = build_tree(store, [(int_key(i), b"v" * 50) for i in range(20_000)])
    leaf = leaves(store, root)[3]
    with store.chunks.env.begin(write=True) as txn:  # damage the store on purpose
        txn.delete(leaf.digest, db=store.chunks._chunks)
    fresh = open_store(tmp_path)  # a new cache, so the read goes to disk
    fresh.cache.clear()
    with pytest.raises(MissingChunkError) as err:
        verify(fresh, root)
    assert leaf.digest.hex() in str(err.value)
    with pytest.raises(MissingChunkError):
        list(tree.scan(fresh, root))
    assert tree.get(fresh, root, int_key(0)) == b"v" * 50  # other chunks still read


@pytest.mark.parametrize("damage", ["flip_payload", "bad_tag", "wrong_content"])
def test_corrupt_chunk_is_reported_by_hash(tmp_path, damage):
    store = open_store(tmp_path)
    root = build_tree(store, [(int_key(i), b"v" * 50) for i in range(20_000)])
    leaf = leaves(store, root)[5]
    chunks = store.chunks
    with chunks.env.begin(write=True) as txn:
        loc = txn.get(leaf.digest, db=chunks._chunks)
        import struct
        pack_id, offset, length = struct.unpack(">QII", loc)
        pack_key = struct.pack(">Q", pack_id)
        pack = bytearray(txn.get(pack_key, db=chunks._packs))
        if damage == "flip_payload":
            pack[offset + length // 2] ^= 0xFF
        elif damage == "bad_tag":
            pack[offset] = 0x7E
        else:  # a valid record of some other node under this hash
            other = encode_record(encode_node(leaves(store, root)[6]))
            pack[offset:offset + length] = other[:length].ljust(length, b"\0")
        txn.put(pack_key, bytes(pack), db=chunks._packs)
    store.cache.clear()
    with pytest.raises(CorruptionError) as err:
        verify(store, root)
    assert err.value.sqlstate == "XX001"
    assert leaf.digest.hex() in str(err.value)


def test_threads_write_and_read_concurrently(tmp_path):
    store = open_store(tmp_path, map_size=1 << 20)
    errors = []

    def work(n: int):
        try:
            rng = random.Random(n)
            root = build_tree(store, [])
            model = {}
            for _ in range(15):
                edits = {int_key(rng.randrange(5000)): rng.randbytes(rng.randrange(1, 300))
                         for _ in range(300)}
                writer = store.writer()
                from rowdb.storage.edit import apply_edits
                root = apply_edits(writer, root, sorted(edits.items()))
                writer.commit({f"thread-{n}": root})
                model.update(edits)
                assert dict(tree.scan(store, root)) == model
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    refs = store.chunks.refs("thread-")
    assert len(refs) == 6
    for root in refs.values():
        verify(store, root)


def test_processes_write_the_same_repository(tmp_path):
    code = f"""
        import random, sys
        from helpers import int_key
        from rowdb.storage import open_store, tree
        from rowdb.storage.edit import apply_edits
        n = int(sys.argv[1])
        store = open_store({str(tmp_path)!r}, map_size=1 << 20)
        rng = random.Random(n)
        root = None
        for step in range(20):
            writer = store.writer()
            if root is None:
                from rowdb.storage.chunker import build
                root = build([], writer)
            edits = {{int_key(rng.randrange(4000)): rng.randbytes(200) for _ in range(200)}}
            root = apply_edits(writer, root, sorted(edits.items()))
            writer.commit({{f"proc-{{n}}": root}})
        print(tree.count(store, root))
    """
    env = dict(os.environ, PYTHONPATH=REPO_ROOT + os.pathsep + os.path.join(REPO_ROOT, "tests"))
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(n)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(4)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    store = open_store(tmp_path)
    refs = store.chunks.refs("proc-")
    assert len(refs) == 4
    for root in refs.values():
        verify(store, root)


def test_sigkill_during_a_large_batch_keeps_the_previous_root(tmp_path):
    """A writer killed mid-write leaves the last committed root and its chunks intact."""
    code = f"""
        import random, sys
        from helpers import int_key
        from rowdb.storage import open_store
        from rowdb.storage.chunker import build
        from rowdb.storage.edit import apply_edits
        store = open_store({str(tmp_path)!r})
        rng = random.Random(5)
        writer = store.writer()
        root = build([(int_key(i), rng.randbytes(60)) for i in range(200_000)], writer)
        writer.commit({{"main": root}})
        print("committed", flush=True)
        while True:
            writer = store.writer()
            edits = sorted({{int_key(rng.randrange(400_000)): rng.randbytes(60)
                            for _ in range(50_000)}}.items())
            root = apply_edits(writer, root, edits)
            writer.commit({{"main": root}})
    """
    for attempt in range(3):
        proc = run_python(code)
        assert proc.stdout.readline().strip() == "committed"
        time.sleep(0.2 + attempt * 0.4)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        store = open_store(tmp_path)
        store.cache.clear()
        root = store.chunks.get_ref("main")
        assert root is not None
        stats = verify(store, root)
        assert stats.entries >= 200_000


def test_full_disk_is_a_clear_error_and_keeps_committed_data(tmp_path):
    """With the file size capped (as a full disk would), a big commit fails cleanly."""
    store = open_store(tmp_path)
    kept = build_tree(store, [(int_key(i), b"kept" * 10) for i in range(5000)])
    store.chunks.write({}, {"main": kept})
    store.chunks.sync()
    size = os.path.getsize(os.path.join(tmp_path, ".rowdb", "data.mdb"))
    code = f"""
        import random, resource, signal
        from helpers import int_key
        from rowdb.errors import StorageFullError
        from rowdb.storage import open_store
        from rowdb.storage.chunker import build
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({size} + (1 << 20), {size} + (1 << 20)))
        store = open_store({str(tmp_path)!r})
        rng = random.Random(1)
        writer = store.writer()
        root = build([(int_key(i), rng.randbytes(100)) for i in range(200_000)], writer)
        try:
            writer.commit({{"main": root}})
        except StorageFullError as exc:
            print("full", exc.sqlstate)
    """
    proc = run_python(code)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.strip() == "full 53100"
    store = open_store(tmp_path)
    store.cache.clear()
    assert store.chunks.get_ref("main") == kept
    assert verify(store, kept).entries == 5000
    assert edit_tree(store, kept, {b"z": b"still writable"}) != kept
