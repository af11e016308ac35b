#!/usr/bin/env python3
"""Storage benchmark: rowdb's prolly trees over LMDB against stdlib sqlite3, same work, same run.

Where: benchmarks/, outside the package; uses rowdb.storage only (no SQL layer). The optional
doltlite peer runs in a child process of this script (`--peer-worker doltlite`), because
doltlite must be imported before sqlite3 to take over its symbols.

Entries are shaped like rows of t(id bigint primary key, a bigint, b text, c double, d date):
key = encode_key((id,)), value = encode_row((a, b, c, d)). The sqlite3 peer holds the same
value bytes in t(id INTEGER PRIMARY KEY, v BLOB) in a file. Every timed section excludes data
generation; everything else (encoding of nodes, hashing, compression, the LMDB commit, fsync)
is inside. Nothing in rowdb is tuned or disabled. Usage: see README.md beside this file.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # a checkout without installing; bench_report

from rowdb.storage import open_store, tree  # noqa: E402
from rowdb.storage.chunker import build  # noqa: E402
from rowdb.storage.diff import diff  # noqa: E402
from rowdb.storage.edit import apply_edits  # noqa: E402
from rowdb.storage.keys import encode_key  # noqa: E402
from rowdb.storage.rows import encode_row  # noqa: E402

from bench_report import render  # noqa: E402

DATA_DIR = HERE / ".data"  # gitignored; each run works in a fresh folder below it
SEED = 20240601
REF = "main"
_DATE_ORDINAL = datetime.date(2000, 1, 1).toordinal()

# Data ---------------------------------------------------------------------------------------

def random_row(rng: random.Random) -> bytes:
    """One value: (random bigint, short text, random double, date) as rowdb row bytes."""
    return encode_row((rng.randrange(-2**63, 2**63), f"name-{rng.randrange(100_000)}",
                       rng.random(),
                       datetime.date.fromordinal(_DATE_ORDINAL + rng.randrange(10_000))))


@dataclass
class Dataset:
    """Entries with ids in increasing order: keys for rowdb, ids for sqlite, shared values."""

    ids: list[int]
    keys: list[bytes]
    values: list[bytes]

    @classmethod
    def generate(cls, entry_count: int, seed: int) -> "Dataset":
        rng = random.Random(seed)
        ids = list(range(1, entry_count + 1))
        return cls(ids, [encode_key((i,)) for i in ids], [random_row(rng) for _ in ids])

    def head(self, entry_count: int) -> "Dataset":
        return Dataset(self.ids[:entry_count], self.keys[:entry_count],
                       self.values[:entry_count])

    @property
    def raw_bytes(self) -> int:
        return sum(map(len, self.keys)) + sum(map(len, self.values))

    def items(self) -> list[tuple[bytes, bytes]]:
        return list(zip(self.keys, self.values))

    def rows(self) -> list[tuple[int, bytes]]:
        return list(zip(self.ids, self.values))


@dataclass
class ChangeSet:
    """New values for distinct entries picked at random (indexes into a Dataset, sorted)."""

    indexes: list[int]
    values: list[bytes]

    @classmethod
    def pick(cls, data: Dataset, change_count: int, rng: random.Random) -> "ChangeSet":
        indexes = sorted(rng.sample(range(len(data.ids)), change_count))
        return cls(indexes, [random_row(rng) for _ in indexes])

    def edits(self, data: Dataset) -> list[tuple[bytes, bytes]]:
        return [(data.keys[i], v) for i, v in zip(self.indexes, self.values)]

    def sql_params(self, data: Dataset) -> list[tuple[bytes, int]]:
        return [(v, data.ids[i]) for i, v in zip(self.indexes, self.values)]

    def applied(self, data: Dataset) -> list[bytes]:
        values = list(data.values)
        for i, v in zip(self.indexes, self.values):
            values[i] = v
        return values


class Scratch:
    """Fresh folders under one run folder; the run folder is removed at the end."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def new(self, prefix: str) -> str:
        # Never reuse a path: rowdb keeps one LMDB environment per path per process.
        return tempfile.mkdtemp(prefix=prefix, dir=self.root)


def timed(fn, *args):
    """(seconds, result) of one call, after a collection so earlier garbage costs nothing."""
    gc.collect()
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


# rowdb --------------------------------------------------------------------------------------

def rowdb_build(scratch: Scratch, items: list) -> tuple[float, object, bytes, str]:
    """Bulk build + commit into a new store: (seconds, store, root, folder)."""
    path = scratch.new("rowdb-")
    store = open_store(path)

    def run():
        writer = store.writer()
        root = build(iter(items), writer)
        writer.commit({REF: root})
        return root

    seconds, root = timed(run)
    return seconds, store, root, path


def rowdb_gets(store, root: bytes, keys: list[bytes]) -> None:
    get = tree.get
    for key in keys:
        get(store, root, key)


def rowdb_get_all(store, root: bytes, keys: list[bytes]) -> list:
    return [tree.get(store, root, key) for key in keys]


def rowdb_edit(store, root: bytes, edits: list, ref: str) -> tuple[bytes, int]:
    """apply_edits + commit: (new root, chunks written)."""
    writer = store.writer()
    new_root = apply_edits(writer, root, edits)
    writer.commit({ref: new_root})
    return new_root, writer.written


def rowdb_rebuild(scratch: Scratch, data: Dataset, values: list[bytes]) -> bytes:
    """Root of a bulk build of `values` under data's keys, in a throwaway store."""
    path = scratch.new("rebuild-")
    root = build(zip(data.keys, values), open_store(path).writer())
    shutil.rmtree(path, ignore_errors=True)
    return root


def count_diff(store, from_root: bytes, to_root: bytes) -> int:
    return sum(1 for _ in diff(store, from_root, to_root))


def rowdb_diff_seconds(store, root: bytes, data: Dataset, changes: ChangeSet,
                       tries: int = 3) -> float:
    """Best of `tries` timings of a full diff between `root` and root + changes."""
    new_root, _ = rowdb_edit(store, root, changes.edits(data), "bench/diff")
    found = count_diff(store, root, new_root)
    assert found == len(changes.indexes), f"diff found {found} changes"
    return min(timed(count_diff, store, root, new_root)[0] for _ in range(tries))


def rowdb_one_entry_changes(store, root: bytes, data: Dataset, rng: random.Random,
                            change_count: int) -> list[tuple[int, int, int]]:
    """Successive one-entry commits: (packed bytes added, disk bytes added, chunks) each."""
    chunks = store.chunks
    out = []
    for _ in range(change_count):
        i = rng.randrange(len(data.keys))
        packed, disk = chunks.packed_bytes(), chunks.disk_bytes()
        root, written = rowdb_edit(store, root, [(data.keys[i], random_row(rng))], REF)
        out.append((chunks.packed_bytes() - packed, chunks.disk_bytes() - disk, written))
    return out


# SQL peers (stdlib sqlite3, or doltlite behind the same module) ----------------------------

class SqlPeer:
    """t(id INTEGER PRIMARY KEY, v BLOB) in a file of its own folder, default settings."""

    def __init__(self, sqlite, name: str, folder: str):
        self.sqlite = sqlite
        self.name = name
        self.folder = folder
        self.conn = sqlite.connect(os.path.join(folder, "bench.db"))
        self.conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)")
        self.conn.commit()

    def load(self, rows: list) -> None:
        self.conn.executemany("INSERT INTO t VALUES (?, ?)", rows)
        self.conn.commit()

    def gets(self, params: list[tuple[int]]) -> None:
        execute = self.conn.execute
        for param in params:
            execute("SELECT v FROM t WHERE id = ?", param).fetchone()

    def get_all(self, params: list[tuple[int]]) -> list:
        return [self.conn.execute("SELECT v FROM t WHERE id = ?", p).fetchone()[0]
                for p in params]

    def update(self, params: list[tuple[bytes, int]]) -> int:
        cursor = self.conn.executemany("UPDATE t SET v = ? WHERE id = ?", params)
        self.conn.commit()
        return cursor.rowcount

    def version_commit(self, message: str) -> None:
        """doltlite only: a Dolt commit of the working set."""
        self.conn.execute("SELECT dolt_commit('-A', '-m', ?)", (message,)).fetchone()

    def disk_bytes(self) -> int:
        """Bytes of every file in the folder (the database and any side files)."""
        return sum(entry.stat().st_size for entry in os.scandir(self.folder)
                   if entry.is_file())

    def close(self) -> None:
        self.conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def peer_build(sqlite, name: str, scratch: Scratch, rows: list) -> tuple[float, SqlPeer]:
    peer = SqlPeer(sqlite, name, scratch.new(f"{name}-"))
    seconds, _ = timed(peer.load, rows)
    return seconds, peer


def peer_one_row_changes(peer: SqlPeer, data: Dataset, rng: random.Random,
                         change_count: int, version_commit: bool) -> list[int]:
    out = []
    for n in range(change_count):
        i = rng.randrange(len(data.ids))
        before = peer.disk_bytes()
        peer.update([(random_row(rng), data.ids[i])])
        if version_commit:
            peer.version_commit(f"one-row change {n}")
        out.append(peer.disk_bytes() - before)
    return out


def sqlite_diff_by_join(peer: SqlPeer, data: Dataset, rng: random.Random,
                        sizes: tuple[int, ...], tries: int) -> dict[int, float]:
    """sqlite3 has no snapshot diff: copy t to t2, change t2, find the changes by a join.

    Changes grow cumulatively to each size in `sizes`; returns the median time per size.
    """
    conn = peer.conn
    conn.execute("CREATE TABLE t2(id INTEGER PRIMARY KEY, v BLOB)")
    conn.execute("INSERT INTO t2 SELECT id, v FROM t")
    conn.commit()
    picked = ChangeSet.pick(data, max(sizes), rng)
    query = "SELECT t.id, t.v, t2.v FROM t JOIN t2 USING (id) WHERE t.v IS NOT t2.v"
    out, done = {}, 0
    for size in sizes:
        params = ChangeSet(picked.indexes[done:size], picked.values[done:size])
        conn.executemany("UPDATE t2 SET v = ? WHERE id = ?", params.sql_params(data))
        conn.commit()
        done = size
        conn.execute(query).fetchall()  # warm-up: the copy's pages into the page caches
        times = []
        for _ in range(tries):
            seconds, rows = timed(lambda: conn.execute(query).fetchall())
            assert len(rows) == size, f"join found {len(rows)} changes"
            times.append(seconds)
        out[size] = statistics.median(times)
    conn.execute("DROP TABLE t2")
    conn.commit()
    return out


# Phases -------------------------------------------------------------------------------------
# Each phase draws its random choices from its own seeded generator, so the doltlite child
# process picks the same keys and change sets as the parent.

def phase_rng(seed: int, phase: int) -> random.Random:
    return random.Random(seed * 10 + phase)


def measure_build(args, data: Dataset, scratch: Scratch, sqlite, results: dict):
    """Repeated bulk builds, rowdb and sqlite3 alternating; keeps the last of each."""
    items, rows = data.items(), data.rows()
    rowdb_times, sqlite_times = [], []
    path = peer = None
    for _ in range(args.repeat):
        if peer is not None:
            peer.close()
            shutil.rmtree(path, ignore_errors=True)
        seconds, store, root, path = rowdb_build(scratch, items)
        rowdb_times.append(seconds)
        seconds, peer = peer_build(sqlite, "sqlite3", scratch, rows)
        sqlite_times.append(seconds)
    results["build"] = {"rowdb": rowdb_times, "sqlite3": sqlite_times}
    chunks = store.chunks
    results["size"] = {
        "raw": data.raw_bytes, "rowdb_disk": chunks.disk_bytes(),
        "rowdb_packed": chunks.packed_bytes(), "rowdb_chunks": chunks.chunk_count(),
        "rowdb_depth": tree.depth(store, root), "sqlite3_disk": peer.disk_bytes()}
    assert tree.count(store, root) == len(data.keys)
    return path, root, peer


def get_sample(data: Dataset, args) -> tuple[list, list, list]:
    """Keys, sqlite parameters and expected values of `args.gets` random entries."""
    rng = phase_rng(args.seed, 1)
    indexes = [rng.randrange(len(data.ids)) for _ in range(args.gets)]
    return ([data.keys[i] for i in indexes], [(data.ids[i],) for i in indexes],
            [data.values[i] for i in indexes])


def measure_gets(args, data: Dataset, store_path: str, root: bytes, peer: SqlPeer,
                 results: dict):
    """Random point reads: a first pass on an empty node cache, then warm passes."""
    keys, params, expected = get_sample(data, args)
    store = open_store(store_path)  # a fresh NodeStore: empty node cache, same LMDB
    seconds, got = timed(rowdb_get_all, store, root, keys)
    assert got == expected, "rowdb returned wrong values"
    cold = {"rowdb": seconds}
    seconds, got = timed(peer.get_all, params)
    assert got == expected, "sqlite3 returned wrong values"
    cold["sqlite3"] = seconds
    warm = {"rowdb": [], "sqlite3": []}
    for _ in range(args.repeat):
        warm["rowdb"].append(timed(rowdb_gets, store, root, keys)[0])
        warm["sqlite3"].append(timed(peer.gets, params)[0])
    results["gets"] = {"cold": cold, "warm": warm, "count": len(keys)}
    return store


def measure_one_entry(args, data: Dataset, store, root: bytes, peer: SqlPeer,
                      results: dict) -> None:
    rowdb = rowdb_one_entry_changes(store, root, data, phase_rng(args.seed, 3),
                                    args.one_entry_changes)
    sqlite = peer_one_row_changes(peer, data, phase_rng(args.seed, 3),
                                  args.one_entry_changes, version_commit=False)
    results["one_entry"] = {"rowdb": rowdb, "sqlite3": sqlite}


def measure_updates(args, data: Dataset, store, root: bytes, peer: SqlPeer,
                    scratch: Scratch, results: dict) -> None:
    """1% random updates + commit, each batch against the built tree; the new root is
    checked against a bulk build of the same contents (outside the timing)."""
    rng = phase_rng(args.seed, 2)
    change_count = max(1, len(data.ids) // 100)
    rowdb_times, sqlite_times, same_root, chunks = [], [], [], []
    for n in range(args.repeat):
        changes = ChangeSet.pick(data, change_count, rng)
        edits, params = changes.edits(data), changes.sql_params(data)
        seconds, (new_root, written) = timed(rowdb_edit, store, root, edits, f"bench/u{n}")
        rowdb_times.append(seconds)
        chunks.append(written)
        seconds, updated = timed(peer.update, params)
        assert updated == change_count, f"sqlite3 updated {updated} rows"
        sqlite_times.append(seconds)
        same_root.append(new_root == rowdb_rebuild(scratch, data, changes.applied(data)))
    results["updates"] = {"count": change_count, "rowdb": rowdb_times,
                          "sqlite3": sqlite_times, "same_root": same_root,
                          "chunks_written": chunks}


def measure_diffs(args, data: Dataset, store, root: bytes, peer: SqlPeer, scratch: Scratch,
                  sqlite, results: dict) -> None:
    """Diff cost against tree size (100 changes, tree 10x larger) and against change count."""
    rng = phase_rng(args.seed, 4)
    small = data.head(max(1000, len(data.ids) // 10))
    _, small_store, small_root, _ = rowdb_build(scratch, small.items())
    times = {"large_100": [], "small_100": [], "large_1000": []}
    for _ in range(args.diff_sets):
        times["large_100"].append(
            rowdb_diff_seconds(store, root, data, ChangeSet.pick(data, 100, rng)))
        times["small_100"].append(
            rowdb_diff_seconds(small_store, small_root, small, ChangeSet.pick(small, 100, rng)))
        times["large_1000"].append(
            rowdb_diff_seconds(store, root, data, ChangeSet.pick(data, 1000, rng)))
    joined = sqlite_diff_by_join(peer, data, rng, (100, 1000), args.repeat)
    _, small_peer = peer_build(sqlite, "sqlite3-small", scratch, small.rows())
    joined_small = sqlite_diff_by_join(small_peer, small, rng, (100,), args.repeat)
    small_peer.close()
    results["diff"] = {
        "rowdb": times, "large_entries": len(data.ids), "small_entries": len(small.ids),
        "large_depth": tree.depth(store, root), "small_depth": tree.depth(small_store,
                                                                          small_root),
        "sqlite3": {"large_100": joined[100], "large_1000": joined[1000],
                    "small_100": joined_small[100]}}


# doltlite, in a child process ---------------------------------------------------------------

def peer_worker(args) -> int:
    """Child process: doltlite behind the sqlite3 API; prints one JSON line of results."""
    try:
        import doltlite  # must come before sqlite3
        import sqlite3
    except Exception as exc:  # not installed, or its library does not load here
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 0
    scratch = Scratch(Path(args.workdir))
    data = Dataset.generate(args.entries, args.seed)
    out: dict = {"ok": True, "version": doltlite.__version__,
                 "sqlite_version": sqlite3.sqlite_version, "build": []}
    peer = None
    for _ in range(args.repeat):
        if peer is not None:
            peer.close()
        seconds, peer = peer_build(sqlite3, "doltlite", scratch, data.rows())
        out["build"].append(seconds)
    out["disk"] = peer.disk_bytes()
    out["version_commit"] = timed(peer.version_commit, "load")[0]
    out["disk_after_version_commit"] = peer.disk_bytes()
    _, params, expected = get_sample(data, args)
    seconds, got = timed(peer.get_all, params)
    assert got == expected, "doltlite returned wrong values"
    out["gets_cold"] = seconds
    out["gets_warm"] = [timed(peer.gets, params)[0] for _ in range(args.repeat)]
    out["one_entry"] = peer_one_row_changes(peer, data, phase_rng(args.seed, 3),
                                            args.one_entry_changes, version_commit=True)
    rng, change_count = phase_rng(args.seed, 2), max(1, len(data.ids) // 100)
    out["updates"] = []
    for _ in range(args.repeat):
        params = ChangeSet.pick(data, change_count, rng).sql_params(data)
        out["updates"].append(timed(peer.update, params)[0])
    peer.close()
    print(json.dumps(out))
    return 0


def run_doltlite(args, scratch: Scratch) -> dict:
    """Run the doltlite worker in a child process; {"ok": False, "error": ...} on failure."""
    command = [sys.executable, str(Path(__file__).resolve()), "--peer-worker", "doltlite",
               "--workdir", scratch.new("doltlite-run-"), "--entries", str(args.entries),
               "--repeat", str(args.repeat), "--gets", str(args.gets),
               "--one-entry-changes", str(args.one_entry_changes), "--seed", str(args.seed)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": "timed out after 3600 s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"ok": False, "error": f"exit {done.returncode}: {' | '.join(tail)}"}
    return json.loads(lines[-1])


# Main ---------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--out", help="also write the markdown report to this file")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed figure")
    parser.add_argument("--gets", type=int, default=100_000)
    parser.add_argument("--diff-sets", type=int, default=15,
                        help="random change sets per diff figure")
    parser.add_argument("--one-entry-changes", type=int, default=9)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-doltlite", action="store_true", help="skip the doltlite peer")
    parser.add_argument("--peer-worker", choices=["doltlite"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.entries < 10_000:
        parser.error("--entries must be at least 10000 (diffs change 1,000 entries)")
    return args


def run_all(args, scratch: Scratch) -> dict:
    import sqlite3  # here, not at the top: the doltlite child must import doltlite first

    started = time.perf_counter()
    results: dict = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                     "load": [os.getloadavg()[0]], "sqlite_version": sqlite3.sqlite_version}
    data = Dataset.generate(args.entries, args.seed)
    print(f"generated {args.entries:,} entries", file=sys.stderr)
    store_path, root, peer = measure_build(args, data, scratch, sqlite3, results)
    print("build done", file=sys.stderr)
    store = measure_gets(args, data, store_path, root, peer, results)
    measure_one_entry(args, data, store, root, peer, results)
    measure_updates(args, data, store, root, peer, scratch, results)
    print("gets, one-entry changes, updates done", file=sys.stderr)
    measure_diffs(args, data, store, root, peer, scratch, sqlite3, results)
    peer.close()
    print("diffs done", file=sys.stderr)
    results["run_seconds"] = time.perf_counter() - started
    results["load"].append(os.getloadavg()[0])
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    DATA_DIR.mkdir(exist_ok=True)
    if args.peer_worker:
        return peer_worker(args)
    scratch = Scratch(Path(tempfile.mkdtemp(prefix="run-", dir=DATA_DIR)))
    try:
        results = run_all(args, scratch)
        doltlite = {"ok": False, "error": "--no-doltlite"}
        if not args.no_doltlite:
            print("running doltlite in a child process", file=sys.stderr)
            doltlite = run_doltlite(args, scratch)
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)
    script = os.path.relpath(Path(__file__).resolve(), Path.cwd())
    command = " ".join(["python", script] + (sys.argv[1:] if argv is None else argv))
    report = render(results, doltlite, command)
    print(report)
    if args.out:
        Path(args.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
