"""fsck and gc on real repositories: gc drops only what no ref reaches, everything
reachable stays readable and verifies; fsck names damaged chunks."""

from __future__ import annotations

import struct

import rowdb
from rowdb.vc import maintenance


def make_history(path):
    connection = rowdb.connect(path, autocommit=True)
    cur = connection.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    cur.executemany("INSERT INTO t VALUES (%s, %s)", [(i, "x" * 40) for i in range(20000)])
    cur.execute("SELECT rowdb_commit('-Am', 'one')")
    cur.execute("SELECT rowdb_branch('old')")
    for k in range(4):  # superseded working sets: garbage
        cur.execute("UPDATE t SET v = %s WHERE id %% 5 = %s", ("y" * (41 + k), k))
    cur.execute("SELECT rowdb_commit('-am', 'two')")
    return connection


def test_gc_keeps_everything_reachable(tmp_path):
    connection = make_history(tmp_path / "repo")
    store = connection.session.store
    before = store.chunks.chunk_count()
    dropped, reclaimed = maintenance.gc(store)
    assert dropped > 0 and reclaimed > 0
    assert store.chunks.chunk_count() == before - dropped
    checked, problems = maintenance.fsck(store)
    assert problems == [] and checked > 0
    reopened = rowdb.connect(tmp_path / "repo", autocommit=True)
    cur = reopened.cursor()
    cur.execute("SELECT count(*) FROM t AS OF 'old'")
    assert cur.fetchall() == [(20000,)]
    cur.execute("SELECT count(*) FROM diff_t WHERE from_commit = 'HEAD~1' AND to_commit = 'HEAD'")
    assert cur.fetchall() == [(16000,)]
    assert maintenance.gc(store) == (0, 0)  # nothing left to collect


def test_fsck_reports_a_damaged_chunk(tmp_path):
    connection = make_history(tmp_path / "repo")
    store = connection.session.store
    chunks = store.chunks
    digest = sorted(maintenance.reachable(store))[0]
    with chunks.env.begin(write=True) as txn:
        loc = txn.get(digest, db=chunks._chunks)
        pack_id, offset, length = struct.unpack(">QII", loc)
        key = struct.pack(">Q", pack_id)
        pack = bytearray(txn.get(key, db=chunks._packs))
        pack[offset + length - 3] ^= 0xFF
        txn.put(key, bytes(pack), db=chunks._packs)
    store.cache.clear()
    from rowdb.vc import refs
    refs._commits.clear()
    _, problems = maintenance.fsck(store)
    assert problems and any(digest.hex() in p for p in problems)
