#!/usr/bin/env python3
"""Version-control benchmark: rowdb's commits, diffs, merges and AS OF against doltlite's.

Where: benchmarks/, outside the package; uses only `rowdb.connect` (PEP 249) and rowdb's SQL
version-control functions (`rowdb_commit`, `rowdb_branch`, `rowdb_checkout`, `rowdb_merge`,
the `diff_t` table, `AS OF`), plus the store's byte counters for the size figure. Data,
engines, checks and profiling come from bench_sql.py, scratch folders, timing and seeded
phases from bench_storage.py, table lines from bench_report.py. doltlite (Dolt's engine behind
the sqlite3 API, `dolt_commit`, `dolt_diff_t`, `dolt_at_t`) must be imported before sqlite3,
so it runs the same phases in a child process of this script (`--peer-worker doltlite`) after
the in-process part, on data regenerated from the same seeds. Usage: see README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # a checkout without installing; sibling modules

import rowdb  # noqa: E402
from rowdb.query import rowcodec  # noqa: E402  (its process-wide row cache, for cold scans)

from bench_report import (KIB, Line, fmt_count, fmt_ms, fmt_ratio, fmt_seconds,  # noqa: E402
                          git_revision)
from bench_sql import (A_BOUND, UPSERT, Engine, SqliteEngine, daily_changes,  # noqa: E402
                       error_record, make_rows, profile_item, profile_lines, progress, same,
                       statement, summarize)
from bench_storage import DATA_DIR, SEED, Scratch, SqlPeer, phase_rng, timed  # noqa: E402

SCAN = "SELECT * FROM t"
COUNT_SUM = "SELECT count(*), sum(a) FROM t"
ONE_ROW = "UPDATE t SET a = %s WHERE id = %s"
DIFF_COUNT = "SELECT count(*) FROM {diff} WHERE from_commit = %s AND to_commit = %s"
DIFF_FETCH = "SELECT * FROM {diff} WHERE from_commit = %s AND to_commit = %s"
EDIT_ROWS = 100        # rows changed per diff-scaling change set and per branch in the merge
WARM_UP_ROWS = 1_000   # a scratch database that warms parse and plan caches first

# Bars (rowdb's figure against them; see README.md).
BAR_COMMIT_SECONDS = 0.010       # one version commit, after a load or a one-row change
BAR_COMMIT_SIZE_RATIO = 1.5      # commit on the N-row table / on the N/10-row table
BAR_DIFF_FACTOR = 3.0            # upsert diff count / fetch: at most 3x doltlite
BAR_DIFF_SIZE_RATIO = 1.3        # 100-row diff: table 10x larger / smaller table
BAR_MERGE_FACTOR = 3.0           # branch + 2 edits + 2 commits + merge: at most 3x doltlite
BAR_COMMIT_BYTES = 32 * KIB      # bytes a committed one-row change adds to the store
BAR_AS_OF_RATIO = 1.2            # full scan AS OF an old commit / scan of the head, first runs


# Engines ------------------------------------------------------------------------------------

class VersionControl:
    """Version-control SQL over a bench_sql Engine; `prefix` names the functions (rowdb_commit,
    dolt_commit), `diff_table` the diff system table of t."""

    prefix = diff_table = ""

    def run(self, text: str, params=()) -> None:
        with statement(text):
            self.cursor.execute(self.sql(text), params)

    def fetch(self, text: str, params=()) -> list[tuple]:
        with statement(text):
            return self.cursor.execute(self.sql(text), params).fetchall()

    def release(self) -> None:
        """Drop the previous result (a rowdb cursor holds it until its next execute, and
        freeing a million rows takes tens of ms), so a timing does not pay for it."""
        self.fetch("SELECT 1")

    def vc(self, function: str, *args: str):
        """`SELECT <prefix>_<function>(args...)`: its one value (a hash, a status)."""
        text = f"SELECT {self.prefix}_{function}({', '.join(['%s'] * len(args))})"
        return self.fetch(text, args)[0][0]

    def version_commit(self, message: str) -> str:
        return self.vc("commit", "-Am", message)

    def edit(self, rows: list[tuple]) -> None:
        """Whole rows upserted (bench_sql's UPSERT: a new `a`) in one transaction."""
        self.begin()
        self.many(UPSERT, self.adapt(rows))
        self.commit()

    def one_row(self, row_id: int, a: int) -> None:
        self.run(ONE_ROW, (a, row_id))
        self.commit()

    def day(self, upserts: list[tuple], deletes: list[tuple[int]]) -> None:
        """bench_sql's daily upsert (upserts, deletes, commit) in one transaction."""
        self.begin()
        self.upsert(self.adapt(upserts), deletes)

    def diff_count(self, from_commit: str, to_commit: str) -> list[tuple]:
        return self.fetch(DIFF_COUNT.format(diff=self.diff_table), (from_commit, to_commit))

    def diff_fetch(self, from_commit: str, to_commit: str) -> list[tuple]:
        return self.fetch(DIFF_FETCH.format(diff=self.diff_table), (from_commit, to_commit))

    def scan(self, commit: str | None = None) -> list[tuple]:
        return self.fetch(SCAN if commit is None else self.as_of(commit))

    def branch_merge(self, name: str, left: list[tuple], right: list[tuple]) -> str:
        """Item 4: branch, an edit committed on it, another on main, merge it into main."""
        self.vc("branch", name)
        self.vc("checkout", name)
        self.edit(left)
        self.version_commit(f"left {name}")
        self.vc("checkout", "main")
        self.edit(right)
        self.version_commit(f"right {name}")
        return self.vc("merge", name)


class RowdbVc(VersionControl, Engine):
    """rowdb in autocommit mode (so `SELECT rowdb_commit(...)` is a statement of its own);
    data changes in explicit BEGIN ... COMMIT."""

    prefix, diff_table = "rowdb", "diff_t"

    def __init__(self, scratch: Scratch):
        folder = scratch.new("rowdb-vc-")  # never reused: one LMDB environment per path
        super().__init__("rowdb", rowdb.connect(folder, autocommit=True), folder)

    def begin(self) -> None:
        self.run("BEGIN")

    def as_of(self, commit: str) -> str:
        return f"SELECT * FROM t AS OF '{commit}'"  # AS OF takes a constant, not a parameter

    def reopen(self) -> None:
        """A new connection (a new node cache over the same LMDB environment) and an empty
        process-wide decoded-row cache: the next scan starts cold inside rowdb."""
        self.conn.close()
        self.conn = rowdb.connect(self.folder, autocommit=True)
        self.cursor = self.conn.cursor()
        rowcodec._leaf_rows.clear()  # no public API clears it; a benchmark may reach in

    def store_bytes(self) -> dict[str, int]:
        chunks = self.conn.session.store.chunks
        return {"packed": chunks.packed_bytes(), "disk": chunks.disk_bytes()}


class DoltliteVc(VersionControl, SqliteEngine):
    """doltlite with sqlite3's default transaction handling (implicit BEGIN before DML)."""

    prefix, diff_table = "dolt", "dolt_diff_t"

    def __init__(self, module, scratch: Scratch):
        super().__init__(module, "doltlite", scratch)
        self.module = module

    def begin(self) -> None:
        pass

    def as_of(self, commit: str) -> str:
        return f"SELECT * FROM dolt_at_t('{commit}')"

    def reopen(self) -> None:
        self.conn.close()
        self.conn = self.module.connect(os.path.join(self.folder, "bench.db"))
        self.cursor = self.conn.cursor()

    def store_bytes(self) -> dict[str, int]:
        return {"file": SqlPeer.disk_bytes(self)}  # bytes of every file in its folder


# Measuring ----------------------------------------------------------------------------------

class Subject:
    """One engine's database of t and the Python model of t's rows at its head."""

    def __init__(self, engine, rows: list[tuple], label: str):
        self.engine, self.label = engine, label
        self.live = {row[0]: row for row in rows}
        self.next_id = len(rows) + 1
        self.rows_at_load = rows
        self.commits: dict[str, str] = {}
        self.head: str | None = None

    def apply(self, upserts: list[tuple], deletes: list[tuple[int]] = ()) -> None:
        for row in upserts:
            self.live[row[0]] = row
        for (i,) in deletes:
            del self.live[i]

    def new_a(self, rng, ids: list[int]) -> list[tuple]:
        return [(i, rng.randrange(-A_BOUND, A_BOUND)) + self.live[i][2:] for i in ids]


def measure(out: dict, item: str, engine, job, check=None, release=True):
    """Time job() into out["times"]; check(result), if given, into out["checks"] (the first
    digest that disagrees with out["expected"][item] is kept). Exceptions propagate."""
    if release:
        engine.release()
    seconds, result = timed(job)
    out["times"].setdefault(item, {}).setdefault(engine.name, []).append(seconds)
    if check is not None:
        record_check(out, item, engine.name, check(result))
    return result


def record_check(out: dict, item: str, name: str, digest: list) -> None:
    """Keep the engine's first digest for `item` that disagrees with the expected one (or
    the latest, while all agree)."""
    checks = out["checks"].setdefault(item, {})
    if name not in checks or same(checks[name], out["expected"][item]):
        checks[name] = digest


@contextlib.contextmanager
def phase(out: dict, item: str, engine):
    """Record an exception (with the statement that raised it) and go on with the next phase."""
    try:
        yield
    except Exception as exc:
        out["errors"].setdefault(item, {}).setdefault(engine.name, error_record(exc))
        engine.rollback()
        progress(f"{engine.name}: {item} failed: {type(exc).__name__}: {exc}")


def value(out: dict, key: str, engine, number: int) -> None:
    out["values"].setdefault(key, {}).setdefault(engine.name, []).append(number)


def diff_digest(rows: list[tuple]) -> list[int]:
    """Row count, then the counts of added, modified and removed rows (diff_type, last)."""
    kinds = Counter(row[-1] for row in rows)
    return [len(rows), kinds["added"], kinds["modified"], kinds["removed"]]


def first_value(rows: list[tuple]) -> list:
    return [rows[0][0]]


def count_sum(rows: list[tuple]) -> list[int]:
    (count, total), = rows
    return [count, int(total)]


def warm_up(factory, out: dict) -> None:
    """Every statement once on a small scratch database: parse, plan and function caches."""
    engine = factory()
    subject = Subject(engine, make_rows(phase_rng(0, 0), 1, WARM_UP_ROWS), "warm-up")
    rng = phase_rng(0, 1)
    with phase(out, "warm_up", engine):
        engine.create("t")
        engine.load("t", engine.adapt(list(subject.live.values())))
        first = engine.version_commit("load")
        engine.one_row(1, 1)
        engine.version_commit("one row")
        engine.edit(subject.new_a(rng, [2, 3]))
        last = engine.version_commit("edit")
        engine.diff_count(first, last)
        engine.diff_fetch(first, last)
        engine.branch_merge("warm", subject.new_a(rng, [4]), subject.new_a(rng, [5]))
        engine.scan(first)
        engine.scan()
        engine.fetch(COUNT_SUM)
    engine.close()


def load(args, out: dict, subject: Subject) -> None:
    """The load of t (timed for information), then item 1's version commit right after it."""
    engine, size = subject.engine, subject.label
    engine.create("t")
    rows = engine.adapt(list(subject.live.values()))
    measure(out, f"load_{size}", engine, lambda: engine.load("t", rows))
    subject.head = subject.commits["load"] = measure(  # the first statement after the load
        out, f"commit_load_{size}", engine, lambda: engine.version_commit("load"),
        release=False)
    progress(f"{engine.name}: {len(rows):,} rows loaded and committed")


def one_row_commits(args, out: dict, subject: Subject, seed_phase: int) -> None:
    """Items 1 and 5: successive one-row changes, each committed; the version commit timed
    alone, the store's growth measured from before the UPDATE to after the version commit."""
    engine, size, rng = subject.engine, subject.label, phase_rng(args.seed, seed_phase)
    for n in range(args.one_row_changes):
        (row,) = subject.new_a(rng, [rng.randrange(1, subject.next_id)])
        before = engine.store_bytes()
        engine.one_row(row[0], row[1])
        subject.apply([row])
        subject.head = measure(out, f"commit_one_{size}", engine,
                               lambda n=n: engine.version_commit(f"one-row change {n}"))
        after = engine.store_bytes()
        for key, number in after.items():
            value(out, f"bytes_{key}_{size}", engine, number - before[key])


def daily_diff(args, out: dict, subject: Subject) -> None:
    """Item 2: bench_sql's daily upsert, committed; the diff between the two commits."""
    engine, rng = subject.engine, phase_rng(args.seed, 31)
    before = dict(subject.live)
    upserts, deletes, subject.next_id = daily_changes(subject.live, subject.next_id, rng)
    added = sum(1 for row in upserts if row[0] not in before)
    modified = sum(1 for row in upserts if row[0] in before and before[row[0]] != row)
    expected = [added + modified + len(deletes), added, modified, len(deletes)]
    out["expected"].update(diff_count=expected[:1], diff_fetch=expected)
    measure(out, "upsert_day", engine, lambda: engine.day(upserts, deletes))
    old = subject.head
    new = subject.head = measure(out, "commit_upsert", engine,
                                 lambda: engine.version_commit("daily upsert"))
    for _ in range(args.repeat):
        measure(out, "diff_count", engine, lambda: engine.diff_count(old, new), first_value)
        measure(out, "diff_fetch", engine, lambda: engine.diff_fetch(old, new), diff_digest)
    out["info"]["daily"] = {"upserts": len(upserts), "deletes": len(deletes),
                            "changed": expected}
    progress(f"{engine.name}: daily upsert diff done")


def diff_scaling(args, out: dict, subjects: list[Subject]) -> None:
    """Item 3: change sets of 100 rows at random keys, committed; the diff between the two
    commits, best of 3 per set, in the N-row and the N/10-row tables in turn."""
    rng = phase_rng(args.seed, 32)
    for subject in subjects:
        for kind in ("count", "fetch"):
            out["expected"][f"diff100_{kind}_{subject.label}"] = (
                [EDIT_ROWS] if kind == "count" else [EDIT_ROWS, 0, EDIT_ROWS, 0])
    for _ in range(args.diff_sets):
        for subject in subjects:
            engine, size = subject.engine, subject.label
            rows = subject.new_a(rng, rng.sample(sorted(subject.live), EDIT_ROWS))
            engine.edit(rows)
            subject.apply(rows)
            old, subject.head = subject.head, engine.version_commit("100 rows")
            for kind, job, check in (("count", engine.diff_count, first_value),
                                     ("fetch", engine.diff_fetch, diff_digest)):
                item, tries = f"diff100_{kind}_{size}", []
                for _ in range(3):
                    engine.release()
                    seconds, result = timed(job, old, subject.head)
                    tries.append(seconds)
                out["times"].setdefault(item, {}).setdefault(engine.name, []).append(
                    min(tries))
                record_check(out, item, engine.name, check(result))
    progress(f"{subjects[0].engine.name}: 100-row diffs done")


def merges(args, out: dict, subject: Subject) -> None:
    """Item 4, `repeat` times: branch, an edit of 100 rows on each side, commit each, merge;
    afterwards count(*) and sum(a) of t against the model."""
    engine, rng = subject.engine, phase_rng(args.seed, 33)
    for n in range(args.repeat):
        ids = rng.sample(sorted(subject.live), 2 * EDIT_ROWS)
        left, right = subject.new_a(rng, ids[:EDIT_ROWS]), subject.new_a(rng, ids[EDIT_ROWS:])
        subject.head = measure(out, "merge", engine, lambda n=n, left=left, right=right:
                               engine.branch_merge(f"feature{n}", left, right))
        subject.apply(left + right)
    out["expected"]["merge_result"] = [len(subject.live),
                                       sum(row[1] for row in subject.live.values())]
    record_check(out, "merge_result", engine.name, count_sum(engine.fetch(COUNT_SUM)))
    progress(f"{engine.name}: merges done")


def as_of_scans(args, out: dict, subject: Subject) -> None:
    """Item 6: full scan of the head and AS OF the load commit; the first run of each after
    a reopen (cold caches inside the engine), then `repeat` warm runs of each in turn."""
    engine, old = subject.engine, subject.commits["load"]
    scans = (("scan_head", None, summarize(list(subject.live.values()))),
             ("scan_as_of", old, summarize(subject.rows_at_load)))
    for item, commit, expected in scans:
        out["expected"][f"{item}_cold"] = out["expected"][f"{item}_warm"] = expected
        engine.reopen()
        measure(out, f"{item}_cold", engine, lambda c=commit: engine.scan(c), summarize)
    for n in range(args.repeat):
        for item, commit, _ in scans:  # the first warm run of each is checked too
            measure(out, f"{item}_warm", engine, lambda c=commit: engine.scan(c),
                    summarize if n == 0 else None)
    progress(f"{engine.name}: AS OF scans done")


def run_engine(args, factory) -> tuple[dict, dict]:
    """All phases on one engine kind: (results, rowdb profile jobs). A profile job is a setup
    callable (untimed) returning the thunk of the work to profile."""
    out: dict = {"times": {}, "checks": {}, "errors": {}, "expected": {}, "values": {},
                 "info": {}}
    rows = make_rows(phase_rng(args.seed, 1), 1, args.rows)  # bench_sql's t
    progress(f"generated {args.rows:,} rows")
    warm_up(factory, out)
    small = Subject(factory(), rows[:args.rows // 10], "small")
    large = Subject(factory(), rows, "large")
    subjects = [large, small]
    for n in range(args.repeat):  # item 1 after a load: `repeat` databases per size, in turns
        for kept in (small, large):
            subject = kept if n == 0 else Subject(factory(), kept.rows_at_load, kept.label)
            with phase(out, f"load_{kept.label}", subject.engine):
                load(args, out, subject)
            if subject is not kept:
                subject.engine.close()
    for subject, seed_phase in ((small, 21), (large, 22)):
        with phase(out, f"one_row_{subject.label}", subject.engine):
            one_row_commits(args, out, subject, seed_phase)
    engine = large.engine
    with phase(out, "diff_fetch", engine):
        daily_diff(args, out, large)
    with phase(out, "diff100_fetch_large", engine):
        diff_scaling(args, out, subjects)
    with phase(out, "merge", engine):
        merges(args, out, large)
    with phase(out, "scan_as_of_cold", engine):
        as_of_scans(args, out, large)
    jobs = profile_jobs(args, large, factory) if engine.name == "rowdb" else {}
    if engine.name != "rowdb":
        large.engine.close()
    small.engine.close()
    return out, jobs


def profile_jobs(args, subject: Subject, factory) -> dict:
    """rowdb's work per item, to run once more under cProfile (on the N-row table)."""
    engine, rng = subject.engine, phase_rng(args.seed, 34)

    def one_row_commit():
        (row,) = subject.new_a(rng, [rng.choice(list(subject.live))])
        engine.one_row(row[0], row[1])
        return lambda: engine.version_commit("profiled one-row change")

    def load_commit():  # a fresh database of N rows (the load untimed, not profiled)
        fresh = Subject(factory(), subject.rows_at_load, "profiled")
        fresh.engine.create("t")
        fresh.engine.load("t", subject.rows_at_load)
        return lambda: fresh.engine.version_commit("profiled load")

    def daily_diff_job(job):
        def setup():
            rows = subject.new_a(rng, rng.sample(sorted(subject.live), args.rows // 100))
            engine.edit(rows)
            old, new = subject.head, engine.version_commit("profiled upsert")
            subject.head = new
            return lambda: job(old, new)
        return setup

    def merge():
        ids = rng.sample(sorted(subject.live), 2 * EDIT_ROWS)
        left, right = subject.new_a(rng, ids[:EDIT_ROWS]), subject.new_a(rng, ids[EDIT_ROWS:])
        return lambda: engine.branch_merge("profiled", left, right)

    def as_of():
        engine.reopen()
        return lambda: engine.scan(subject.commits["load"])

    def hundred_rows():
        rows = subject.new_a(rng, rng.sample(sorted(subject.live), EDIT_ROWS))
        engine.edit(rows)
        old, new = subject.head, engine.version_commit("profiled 100 rows")
        subject.head = new
        return lambda: engine.diff_fetch(old, new)

    def released(setup):
        def run():
            thunk = setup()
            engine.release()
            return thunk
        return run

    return {"commit_load": load_commit, "commit_one": released(one_row_commit),
            "diff_count": released(daily_diff_job(engine.diff_count)),
            "diff_fetch": released(daily_diff_job(engine.diff_fetch)),
            "diff100": released(hundred_rows), "merge": released(merge),
            "as_of": as_of}


# doltlite, in a child process ---------------------------------------------------------------

def peer_worker(args) -> int:
    """Child process: the phases on doltlite behind the sqlite3 API; one JSON line out."""
    try:
        import doltlite  # must come before sqlite3
        import sqlite3
    except Exception as exc:  # not installed, or its library does not load here
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 0
    scratch = Scratch(Path(args.workdir))
    out, _ = run_engine(args, lambda: DoltliteVc(sqlite3, scratch))
    out.update(ok=True, version=doltlite.__version__, sqlite_version=sqlite3.sqlite_version)
    print(json.dumps(out))
    return 0


def run_doltlite(args, scratch: Scratch) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--peer-worker", "doltlite",
               "--workdir", scratch.new("doltlite-run-"), "--rows", str(args.rows),
               "--repeat", str(args.repeat), "--seed", str(args.seed),
               "--diff-sets", str(args.diff_sets),
               "--one-row-changes", str(args.one_row_changes)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": "timed out after 3600 s"}
    sys.stderr.write(done.stderr)
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"ok": False, "error": f"exit {done.returncode}: {' | '.join(tail)}"}
    return json.loads(lines[-1])


def merge_results(results: dict, peer: dict) -> None:
    for key in ("times", "checks", "errors", "values"):
        for item, by_engine in peer.get(key, {}).items():
            results[key].setdefault(item, {}).update(by_engine)


# Figures, bars, report ----------------------------------------------------------------------

ENGINES = ("rowdb", "doltlite")


def fig(results: dict, item: str, name: str, key: str = "times", fn=statistics.median):
    runs = results[key].get(item, {}).get(name)
    return fn(runs) if runs else None


def ratio(x: float | None, y: float | None) -> float | None:
    return None if x is None or not y else x / y


class VcLine(Line):
    """A bench_report Line with rowdb and doltlite only, and their ratio."""

    def cells(self) -> list[str]:
        cells = super().cells()  # number, measure, unit, better, rowdb, sqlite3, ratio, ...
        between = ratio(self.rowdb, self.doltlite)
        return cells[:5] + [cells[7], "-" if between is None else f"{between:.2f}x"] + cells[8:]


def line(number, measure_text, unit, fmt, mine, theirs, bar="", limit=None, margins=None,
         key=None, better="lower") -> VcLine:
    """A table line; with `limit`, rowdb passes when its figure is at most `limit`, and its
    figure / limit goes into margins[key] (the profile picks the worst)."""
    passed = None
    if limit is not None and mine is not None:
        passed = mine <= limit
        if margins is not None and key:
            margins[key] = max(margins.get(key, 0.0), mine / limit)
    return VcLine(number, measure_text, unit, better, fmt, mine, None, theirs, bar, passed)


def table_lines(args, r: dict, margins: dict) -> list[VcLine]:
    small, large = f"{args.rows // 10:,}", f"{args.rows:,}"
    k = args.one_row_changes

    def both(item, key="times", fn=statistics.median):
        return [fig(r, item, name, key, fn) for name in ENGINES]

    commit_bar = f"<= {BAR_COMMIT_SECONDS * 1000:g} ms"
    lines = []
    for number, item, text in (
            ("1a", "commit_load_small", f"version commit right after loading {small} rows "
                                        f"(median of {args.repeat} databases)"),
            ("1b", "commit_load_large", f"version commit right after loading {large} rows "
                                        f"(median of {args.repeat} databases)"),
            ("1c", "commit_one_small", f"version commit after a one-row change, {small} rows "
                                       f"(median of {k})"),
            ("1d", "commit_one_large", f"version commit after a one-row change, {large} rows "
                                       f"(median of {k})")):
        lines.append(line(number, text, "ms", fmt_ms, *both(item), commit_bar,
                          BAR_COMMIT_SECONDS, margins, item.rsplit("_", 1)[0]))
    size_bar = f"<= {BAR_COMMIT_SIZE_RATIO}x (size-independent)"
    for number, a, b, text in (("1e", "commit_load_large", "commit_load_small", "1b / 1a"),
                               ("1f", "commit_one_large", "commit_one_small", "1d / 1c")):
        mine, theirs = (ratio(x, y) for x, y in zip(both(a), both(b)))
        lines.append(line(number, f"{text} (table 10x larger)", "ratio", fmt_ratio, mine,
                          theirs, size_bar, BAR_COMMIT_SIZE_RATIO, margins, a.rsplit("_", 1)[0]))
    changed = r["info"].get("daily", {}).get("changed", ["?"])[0]
    for number, item, text in (("2a", "diff_count", "count(*)"), ("2b", "diff_fetch",
                                                                   "fetch all (SELECT *)")):
        mine, theirs = both(item)
        limit = None if theirs is None else BAR_DIFF_FACTOR * theirs
        bar = f"<= {BAR_DIFF_FACTOR:g}x doltlite" + ("" if limit is None
                                                     else f" = {limit * 1000:.1f} ms")
        lines.append(line(number, f"diff of the committed daily upsert ({changed:,} changed "
                          f"rows): {text}", "ms", fmt_ms, mine, theirs, bar, limit, margins,
                          item))
    for letters, kind, text in (("abc", "fetch", "fetch all"), ("def", "count", "count(*)")):
        big, little = both(f"diff100_{kind}_large"), both(f"diff100_{kind}_small")
        lines += [
            line(f"3{letters[0]}", f"diff of 100 rows at random keys, {text}, {large} rows",
                 "ms", fmt_ms, *big),
            line(f"3{letters[1]}", f"same, {small} rows", "ms", fmt_ms, *little),
            line(f"3{letters[2]}", f"3{letters[0]} / 3{letters[1]} (table 10x larger)",
                 "ratio", fmt_ratio, ratio(big[0], little[0]), ratio(big[1], little[1]),
                 f"<= {BAR_DIFF_SIZE_RATIO}x", BAR_DIFF_SIZE_RATIO, margins, "diff100")]
    mine, theirs = both("merge")
    limit = None if theirs is None else BAR_MERGE_FACTOR * theirs
    lines.append(line("4", "branch, 100-row edit + commit on each side, merge: total",
                      "ms", fmt_ms, mine, theirs, f"<= {BAR_MERGE_FACTOR:g}x doltlite" + (
                          "" if limit is None else f" = {limit * 1000:.1f} ms"),
                      limit, margins, "merge"))
    bytes_bar = f"<= {BAR_COMMIT_BYTES:,}"
    lines += [
        line("5a", f"bytes a committed one-row change adds, {large} rows: packed chunks",
             "bytes", fmt_count, fig(r, "bytes_packed_large", "rowdb", "values"), None,
             bytes_bar, BAR_COMMIT_BYTES),
        line("5b", "same, LMDB bytes (doltlite: file growth)", "bytes", fmt_count,
             fig(r, "bytes_disk_large", "rowdb", "values"),
             fig(r, "bytes_file_large", "doltlite", "values"), bytes_bar, BAR_COMMIT_BYTES)]
    head, old = both("scan_head_cold"), both("scan_as_of_cold")
    warm_head, warm_old = both("scan_head_warm"), both("scan_as_of_warm")
    lines += [
        line("6a", "full scan `SELECT * FROM t` of the head, first run, cold engine caches",
             "s", fmt_seconds, *head),
        line("6b", "full scan AS OF the load commit, first run, cold engine caches", "s",
             fmt_seconds, *old),
        line("6c", "6b / 6a", "ratio", fmt_ratio, ratio(old[0], head[0]),
             ratio(old[1], head[1]), f"<= {BAR_AS_OF_RATIO}x", BAR_AS_OF_RATIO, margins,
             "as_of"),
        line("6d", f"same ratio, warm caches (medians of {args.repeat} runs)", "ratio",
             fmt_ratio, ratio(warm_old[0], warm_head[0]), ratio(warm_old[1], warm_head[1]))]
    return lines


def render_table(lines: list[VcLine]) -> str:
    head = ["#", "measure", "unit", "better", "rowdb", "doltlite", "rowdb / doltlite",
            "bar (rowdb)", "rowdb vs bar"]
    rows = [head, ["---"] * len(head)] + [line.cells() for line in lines]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def check_lines(r: dict) -> list[str]:
    bad, checked = [], set()
    for item, expected in r["expected"].items():
        for name, digest in r["checks"].get(item, {}).items():
            checked.add(name)
            if not same(digest, expected):
                bad.append(f"- CHECK FAILED: {item} on {name}: {digest}, expected {expected}")
    failed = {name for by_engine in r["errors"].values() for name in by_engine}
    for name in checked - failed:
        bad += [f"- NOT CHECKED: {item} on {name}" for item in r["expected"]
                if name not in r["checks"].get(item, {})]
    if bad:
        return bad
    daily = r["info"].get("daily", {})
    return [f"- results checked on {', '.join(sorted(checked))}: every diff's count(*) and "
            "fetched rows equal the changed rows of the Python model (daily upsert: "
            f"{daily.get('changed')} = [total, added, modified, removed]; each 100-row set: "
            "100 modified); count(*) and sum(a) after the merges equal the model's; both "
            "full scans (first and warm runs) equal the model at the head and at the load "
            "commit (digest: row count, column sums, CRC-32s of text and dates)"]


def detail_lines(args, r: dict, doltlite: dict, info: dict) -> list[str]:
    out = [f"- t: {args.rows:,} rows (and a second database of the first {args.rows // 10:,} "
           f"rows for 1a/1c/3b/3e; {args.repeat} fresh loads per size for 1a/1b, the first "
           f"of each kept for the other items); {args.one_row_changes} one-row changes per "
           "size; "
           f"{args.repeat} runs per figure; {args.diff_sets} 100-row change sets per size, "
           "best of 3 diffs per set, median over the sets; edits are bench_sql's upsert "
           "(whole rows with a new `a`) in one transaction"]
    daily = r["info"].get("daily")
    if daily:
        out.append(f"- daily upsert: {daily['upserts']:,} upserted rows, {daily['deletes']:,} "
                   "deleted; " + "; ".join(
                       f"{name} {fmt_seconds(v)} s to apply + commit the transaction, "
                       f"{fmt_ms(c)} ms for the version commit after it"
                       for name in ENGINES
                       if (v := fig(r, "upsert_day", name)) is not None
                       and (c := fig(r, "commit_upsert", name)) is not None))
    for item in ("load_small", "load_large", "commit_load_small", "commit_load_large",
                 "commit_one_small", "commit_one_large", "diff_count", "diff_fetch",
                 "diff100_count_large", "diff100_count_small", "diff100_fetch_large",
                 "diff100_fetch_small", "merge", "scan_head_cold", "scan_as_of_cold",
                 "scan_head_warm", "scan_as_of_warm"):
        runs = r["times"].get(item, {})
        unit, fmt = ("s", fmt_seconds) if item.startswith(("load", "scan")) else ("ms", fmt_ms)
        out.append(f"- {item} {unit}, each run: " + ("; ".join(
            f"{name} " + ", ".join(fmt(v) for v in runs[name])
            for name in ENGINES if name in runs) or "none (see the errors)"))
    for key, name in (("bytes_packed_large", "rowdb packed"), ("bytes_disk_large",
                                                               "rowdb LMDB"),
                      ("bytes_file_large", "doltlite file")):
        runs = r["values"].get(key, {}).get(name.split()[0])
        if runs:
            out.append(f"- one-row change + commit, bytes added, {name}, each: "
                       + ", ".join(f"{v:,}" for v in runs))
    out.append("- caches: a warm-up pass ran every statement on a 1,000-row scratch database "
               "first (parse/plan caches warm). 6a/6b are the first scans after reopening the "
               "connection: rowdb with a new node cache and its process-wide decoded-row cache "
               "cleared, doltlite with a new connection (page cache); the OS page cache held "
               "the files in both cases (written moments before). All other figures run with "
               "whatever the earlier phases left in the caches (the diffs right after the "
               "commits they compare)")
    out += check_lines(r)
    for item, by_engine in r["errors"].items():
        for name, error in by_engine.items():
            sqlstate = f" (SQLSTATE {error['sqlstate']})" if error["sqlstate"] else ""
            out.append(f"- ERROR on {name}, phase {item}: `{error['statement']}` raised "
                       f"{error['error']}{sqlstate}; the rest of that phase skipped")
    if doltlite.get("ok"):
        out.append(f"- doltlite {doltlite['version']} (its SQLite {doltlite['sqlite_version']}) "
                   "ran the same phases in a child process after the in-process part; its "
                   "spellings: `dolt_commit('-Am', msg)`, `dolt_branch`, `dolt_checkout`, "
                   "`dolt_merge`, `dolt_diff_t` filtered on from_commit/to_commit, "
                   "`SELECT * FROM dolt_at_t('<hash>')` for AS OF")
    else:
        out.append(f"- doltlite: skipped ({doltlite.get('error', 'not run')})")
    return out


def render(args, info: dict, results: dict, doltlite: dict, profiles: list[dict],
           margins: dict, command: str) -> str:
    load = " / ".join(f"{x:.2f}" for x in info["load"])
    lines = table_lines(args, results, margins)
    header = [
        "# Version control", "",
        f"- command: `{command}`",
        f"- date: {info['date']}",
        f"- machine: {os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}; 1-minute load average before / after the in-process "
        f"part / after the doltlite child: {load}",
        f"- rowdb revision: {git_revision()}",
        f"- run time: {info['run_seconds']:.0f} s in process, {info['child_seconds']:.0f} s "
        "for the doltlite child",
        "",
        "Medians of the runs. \"rowdb / doltlite\" divides rowdb's figure by doltlite's. Both "
        "engines run through PEP 249 from Python, version control through SQL functions.", "",
    ]
    return "\n".join(header + [render_table(lines), "", "Details:", ""]
                     + detail_lines(args, results, doltlite, info)
                     + [x.replace("(worst against its bar:", "(against its bar:")
                        for profile in profiles for x in profile_lines(profile, margins)]
                     ) + "\n"


# Main ---------------------------------------------------------------------------------------

PROFILE_ITEMS = ("commit_load", "commit_one", "diff_count", "diff_fetch", "diff100", "merge",
                 "as_of")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", help="also write the markdown report to this file")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed figure")
    parser.add_argument("--diff-sets", type=int, default=5,
                        help="100-row change sets per table size")
    parser.add_argument("--one-row-changes", type=int, default=9)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-doltlite", action="store_true", help="skip the doltlite peer")
    parser.add_argument("--profile", default="auto", choices=["auto", "none", *PROFILE_ITEMS],
                        help="rowdb item profiled once at the end (auto: every timed item "
                             "that misses its bar, worst first, or else the closest to it)")
    parser.add_argument("--peer-worker", choices=["doltlite"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < 10_000:
        parser.error("--rows must be at least 10000 (the upsert deletes 0.1% of the rows)")
    return args


def run_all(args, scratch: Scratch):
    info = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load": [os.getloadavg()[0]]}
    started = time.perf_counter()
    results, jobs = run_engine(args, lambda: RowdbVc(scratch))
    info["run_seconds"] = time.perf_counter() - started
    info["load"].append(os.getloadavg()[0])
    doltlite = {"ok": False, "error": "--no-doltlite"}
    started = time.perf_counter()
    if not args.no_doltlite:
        progress("running doltlite in a child process")
        doltlite = run_doltlite(args, scratch)
        merge_results(results, doltlite)
    info["child_seconds"] = time.perf_counter() - started
    info["load"].append(os.getloadavg()[0])
    margins: dict = {}
    table_lines(args, results, margins)  # fills margins
    ranked = sorted((k for k in margins if k in jobs), key=margins.get, reverse=True)
    items = [args.profile] if args.profile in jobs else []
    if args.profile == "auto":
        items = [k for k in ranked if margins[k] > 1] or ranked[:1]
    profiles = []
    for item in items:
        progress(f"profiling rowdb on {item}")
        margins.setdefault(item, float("nan"))
        profiles.append(profile_item(item, jobs))
    return info, results, doltlite, profiles, margins


def main(argv=None) -> int:
    args = parse_args(argv)
    DATA_DIR.mkdir(exist_ok=True)
    if args.peer_worker:
        return peer_worker(args)
    scratch = Scratch(Path(tempfile.mkdtemp(prefix="vc-run-", dir=DATA_DIR)))
    try:
        info, results, doltlite, profiles, margins = run_all(args, scratch)
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)
    script = os.path.relpath(Path(__file__).resolve(), Path.cwd())
    command = " ".join(["python", script] + (sys.argv[1:] if argv is None else argv))
    report = render(args, info, results, doltlite, profiles, margins, command)
    print(report)
    if args.out:
        Path(args.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
