"""gc while other sessions run: a snapshot another process is reading, and chunks a writer
stored before its commit, survive a gc that runs meanwhile; once released, they go."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import rowdb
from rowdb import limits
from rowdb.storage import open_store, tree
from rowdb.storage.check import verify
from rowdb.storage.chunker import build
from rowdb.vc import maintenance

from helpers import int_key

ROWS = 5000


def _reader(path: str, ready, go, out) -> None:
    """A second process: read a snapshot, wait while the table changes and gc runs, then
    read the same snapshot again from disk (its node cache emptied)."""
    connection = rowdb.connect(path)  # not autocommit: one transaction, one snapshot
    cur = connection.cursor()
    cur.execute("SELECT sum(length(v)), count(*) FROM t")
    first = cur.fetchall()
    ready.set()
    go.wait(60)
    connection.session.store.cache.clear()
    try:
        cur.execute("SELECT id, v FROM t ORDER BY id")
        rows = cur.fetchall()
        cur.execute("SELECT sum(length(v)), count(*) FROM t")
        out.put(("ok", first, cur.fetchall(), len(rows), rows[0]))
    except Exception as exc:  # noqa: BLE001 - reported to the test
        out.put(("error", repr(exc)))
    connection.close()


def test_gc_keeps_a_snapshot_another_process_reads(tmp_path):
    path = str(tmp_path / "repo")
    writer = rowdb.connect(path, autocommit=True)
    cur = writer.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    cur.executemany("INSERT INTO t VALUES (%s, %s)", [(i, "a" * 30) for i in range(ROWS)])
    context = multiprocessing.get_context("spawn")
    ready, go, out = context.Event(), context.Event(), context.Queue()
    child = context.Process(target=_reader, args=(path, ready, go, out))
    child.start()
    assert ready.wait(60)
    for k in range(3):  # every row rewritten: the child's version is no ref's any more
        cur.execute("UPDATE t SET v = %s", ("b" * (31 + k),))
    dropped, _ = maintenance.gc(writer.session.store)
    assert dropped > 0  # the superseded middle versions went
    go.set()
    result = out.get(timeout=60)
    child.join(60)
    assert result[0] == "ok", result
    _, first, again, count, row0 = result
    assert first == again == [(30 * ROWS, ROWS)] and count == ROWS and row0 == (0, "a" * 30)
    # The reader is gone: its version is garbage now, and the head is intact.
    dropped_after, _ = maintenance.gc(writer.session.store)
    assert dropped_after > 0
    assert maintenance.fsck(writer.session.store)[1] == []
    cur.execute("SELECT count(*), min(v) FROM t")
    assert cur.fetchall() == [(ROWS, "b" * 33)]


def test_gc_by_the_command_line_while_a_transaction_reads(tmp_path):
    path = str(tmp_path / "repo")
    writer = rowdb.connect(path, autocommit=True)
    cur = writer.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    cur.executemany("INSERT INTO t VALUES (%s, %s)", [(i, "a" * 30) for i in range(ROWS)])
    reader = rowdb.connect(path)
    rcur = reader.cursor()
    rcur.execute("SELECT count(*) FROM t")
    cur.execute("UPDATE t SET v = 'c'")
    done = subprocess.run([sys.executable, "-m", "rowdb.cli", "--repo", path, "gc"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    reader.session.store.cache.clear()
    rcur.execute("SELECT count(*), min(v) FROM t")
    assert rcur.fetchall() == [(ROWS, "a" * 30)]
    reader.rollback()
    rcur.execute("SELECT count(*), min(v) FROM t")
    assert rcur.fetchall() == [(ROWS, "c")]


def test_chunks_a_writer_spilled_survive_gc_until_its_commit(tmp_path, monkeypatch):
    store = open_store(tmp_path)
    monkeypatch.setattr(limits, "write_buffer_bytes_max", 32 << 10)  # spill early
    items = [(int_key(i), b"v%06d" % i * 8) for i in range(20000)]
    # An earlier copy of the same tree, committed and then dropped: garbage that the
    # writer's spills find already stored (so they do not store it again).
    old = store.writer()
    old_root = build(iter(items), old)
    old.commit({"old": old_root})
    old.commit({"old": None})
    # The writer's tree: the first half as before (found stored), the rest new.
    items = items[:10000] + [(key, b"new" + value) for key, value in items[10000:]]
    writer = store.writer()
    root = build(iter(items), writer)
    assert writer.written > 0 and writer._unpin is not None  # spilled, packs pinned
    maintenance.gc(store)
    writer.commit({"main": root})
    store.cache.clear()
    assert verify(store, root).entries == len(items)
    assert tree.get(store, root, int_key(123)) == items[123][1]
    assert tree.get(store, root, int_key(15000)) == items[15000][1]


def test_gc_during_a_spilling_transaction_and_after_its_rollback(tmp_path, monkeypatch):
    """A transaction whose writer spilled reads its own (partly unstored) tree after a gc
    in the same process; once rolled back, its pins are gone and gc reclaims again."""
    from rowdb.query import workspace as workspace_module
    monkeypatch.setattr(limits, "write_buffer_bytes_max", 2048)
    monkeypatch.setattr(workspace_module, "pending_rows_max", 100)
    connection = rowdb.connect(str(tmp_path / "repo"), autocommit=True)
    cur = connection.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    cur.executemany("INSERT INTO t VALUES (%s, %s)", [(i, "a" * 30) for i in range(3000)])
    cur.execute("UPDATE t SET v = %s", ("A" * 30,))
    cur.execute("UPDATE t SET v = %s", ("B" * 30,))  # the A version is garbage now
    cur.execute("BEGIN")
    cur.execute("UPDATE t SET v = %s", ("A" * 30,))  # recreates it, spilling
    store = connection.session.store
    maintenance.gc(store)
    cur.execute("SELECT count(*), min(v) FROM t")
    assert cur.fetchall() == [(3000, "A" * 30)]
    cur.execute("ROLLBACK")
    pins = open(f"{store.pins.dir}/{store.pins.pid}").read().split()
    assert "p" not in pins  # the writer's pack pin went with its transaction
    dropped, _ = maintenance.gc(store)
    assert dropped > 0
    cur.execute("SELECT count(*), min(v) FROM t")
    assert cur.fetchall() == [(3000, "B" * 30)]
    assert maintenance.fsck(store)[1] == []


def test_a_writer_dropped_while_pinning_does_not_deadlock(tmp_path, monkeypatch):
    """A spilled writer's finalizer can run anywhere, also inside a pin on the same thread:
    it must not wait for the pin lock."""
    import threading
    from rowdb.storage.pins import ROOT, new_token
    store = open_store(tmp_path)
    monkeypatch.setattr(limits, "write_buffer_bytes_max", 1024)
    holder = [store.writer()]
    build(iter([(int_key(i), b"v" * 40) for i in range(2000)]), holder[0])
    assert holder[0]._unpin is not None  # spilled: its packs are pinned

    def still_there():
        holder.clear()  # the writer's last reference goes: its finalizer runs right here
        return True

    done = threading.Event()

    def pin():
        store.pins.pin(new_token(), ROOT, b"\x01" * 20, still_there)
        done.set()

    thread = threading.Thread(target=pin, daemon=True)
    thread.start()
    thread.join(10)
    assert done.is_set(), "pin deadlocked"
    with store.pins.exclusive() as (_, keep_from_pack):
        assert keep_from_pack is None  # the dropped writer's pin went
