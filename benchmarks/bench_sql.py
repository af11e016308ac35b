#!/usr/bin/env python3
"""SQL benchmark: rowdb through its DB-API against stdlib sqlite3 and doltlite, same workload.

Where: benchmarks/, outside the package; uses only `rowdb.connect` (PEP 249), so parsing,
planning, execution, row encoding and storage are all inside the timings. Scratch folders,
timing and seeded phases come from bench_storage.py, report lines from bench_report.py.
doltlite must be imported before sqlite3, so it runs the same workload in a child process of
this script (`--peer-worker doltlite`) after the in-process part, on data regenerated from the
same seeds.

Rows of t(id bigint primary key, a bigint, b text, c double precision, d date): ids 1..N, `a`
random with |a| < 2**40 (so sums stay inside sqlite's 64-bit integers), `b` like 'name-12345',
`c` random in [0, 1), `d` one of 1,000 dates. sqlite3 and doltlite hold them in
t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL, d TEXT) with ISO date strings, default
settings, a file on disk. Data generation and result checks are outside every timing; every
result is checked against the same computation done in Python. Usage: see README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import gc
import json
import math
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # a checkout without installing; sibling modules

import rowdb  # noqa: E402

from bench_report import Line, fmt_count, git_revision, per_second  # noqa: E402
from bench_storage import DATA_DIR, SEED, Scratch, phase_rng, timed  # noqa: E402

ENGINES = ("rowdb", "sqlite3", "doltlite")
DATES = [datetime.date(2020, 1, 1) + datetime.timedelta(days=k) for k in range(1_000)]
A_BOUND = 2**40
POINT_SELECT_COUNT = 10_000
JOIN_ROW_COUNT = 100_000
JOIN_T2_FIRST_ID = 50_001  # t2 holds ids 50,001..150,000: half of t1's rows find a partner

COLUMNS_POSTGRES = "id bigint primary key, a bigint, b text, c double precision, d date"
COLUMNS_SQLITE = "id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL, d TEXT"
INSERT = "INSERT INTO {table} VALUES (%s, %s, %s, %s, %s)"
POINT = "SELECT * FROM t WHERE id = %s"
SCAN = "SELECT * FROM t"
COUNT_SUM = "SELECT count(*), sum(a) FROM t"
GROUP_BY = "SELECT d, count(*), sum(c) FROM t GROUP BY d"
JOIN_COUNT = "SELECT count(*) FROM t1 JOIN t2 ON t1.id = t2.id"
JOIN_FETCH = "SELECT t1.id, t1.a, t2.b, t2.c FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.c < 0.1"
UPSERT = ("INSERT INTO t VALUES (%s, %s, %s, %s, %s) "
          "ON CONFLICT (id) DO UPDATE SET a = excluded.a")
DELETE = "DELETE FROM t WHERE id = %s"

# The bars rowdb is held to. Load: rows/s at least this. Timed items: rowdb's median seconds
# at most `factor` times the named peer's median: item -> (number, measure, peer, factor).
BAR_LOAD_RATE_MIN = 280_000
TIMED_ITEMS = {
    "point": ("2", f"{POINT_SELECT_COUNT:,} point selects by id (execute + fetchall each)",
              "doltlite", 5.0),
    "scan": ("3", "full scan `SELECT * FROM t` + fetchall", "doltlite", 2.0),
    "count_sum": ("4", "`SELECT count(*), sum(a) FROM t`", "doltlite", 2.0),
    "group_by": ("5", "`SELECT d, count(*), sum(c) FROM t GROUP BY d` (1,000 groups)",
                 "doltlite", 1.5),
    "join_count": ("6a", "`count(*)` of t1 JOIN t2 ON id (100,000 rows each)", "sqlite3", 5.0),
    "join_fetch": ("6b", "fetch t1 JOIN t2 ON id WHERE t2.c < 0.1", "sqlite3", 5.0),
    "upsert": ("7", "daily upsert (1% update, 0.5% insert, 0.1% delete) + commit",
               "doltlite", 3.0),
}


# Data ---------------------------------------------------------------------------------------

def make_rows(rng, first_id: int, row_count: int) -> list[tuple]:
    randrange, rand, dates = rng.randrange, rng.random, DATES
    return [(i, randrange(-A_BOUND, A_BOUND), f"name-{randrange(100_000)}", rand(),
             dates[randrange(len(dates))]) for i in range(first_id, first_id + row_count)]


def summarize(rows: list) -> list:
    """Order-independent digest of a result: the row count, then one figure per column.

    Integers (and rowdb's NUMERIC sums) are summed, floats summed exactly (math.fsum), anything
    else summed as CRC-32s of its text, so rowdb's dates and sqlite's ISO strings agree.
    """
    out = [len(rows)]
    for column in zip(*rows):
        if isinstance(column[0], float):
            out.append(math.fsum(column))
        elif isinstance(column[0], (int, Decimal)):
            out.append(int(sum(column)))
        else:
            out.append(sum(zlib.crc32(str(v).encode()) for v in column))
    return out


def same(left: list, right: list) -> bool:
    """Digests agree; floats to 1e-9 relative (engines add group sums in different orders)."""
    return len(left) == len(right) and all(
        math.isclose(x, y, rel_tol=1e-9) if isinstance(x, float) or isinstance(y, float)
        else x == y for x, y in zip(left, right))


@dataclass
class Workload:
    """Everything the engines are given, from seeds: t's rows, point ids, the join tables."""

    rows: list[tuple]
    point_params: list[tuple[int]]
    t1: list[tuple]
    t2: list[tuple]

    @classmethod
    def generate(cls, row_count: int, seed: int) -> "Workload":
        rng = phase_rng(seed, 2)
        params = [(rng.randrange(1, row_count + 1),) for _ in range(POINT_SELECT_COUNT)]
        return cls(make_rows(phase_rng(seed, 1), 1, row_count), params,
                   make_rows(phase_rng(seed, 6), 1, JOIN_ROW_COUNT),
                   make_rows(phase_rng(seed, 7), JOIN_T2_FIRST_ID, JOIN_ROW_COUNT))

    def expected(self) -> dict[str, list]:
        """Each item's digest as computed in Python from the generated rows."""
        rows, groups = self.rows, {}
        for row in rows:
            groups.setdefault(row[4], []).append(row[3])
        t2_by_id = {row[0]: row for row in self.t2}
        pairs = [(x, t2_by_id[x[0]]) for x in self.t1 if x[0] in t2_by_id]
        return {
            "point": summarize([rows[i - 1] for (i,) in self.point_params]),
            "scan": summarize(rows),
            "count_sum": [1, len(rows), sum(row[1] for row in rows)],
            "group_by": summarize([(d, len(c), math.fsum(c)) for d, c in groups.items()]),
            "join_count": [1, len(pairs)],
            "join_fetch": summarize([(x[0], x[1], y[2], y[3]) for x, y in pairs if y[3] < 0.1]),
        }


def daily_changes(live: dict[int, tuple], next_id: int, rng) -> tuple[list, list, int]:
    """One day's changes, applied to `live` too: (upsert rows, delete params, next new id).

    1% of the live rows get a new `a` (sent as whole rows, as an ETL job would), 0.5% new
    rows get ids from `next_id` on, 0.1% other live rows are deleted.
    """
    row_count = len(live)
    update_count, insert_count = row_count // 100, row_count // 200
    delete_count = row_count // 1000
    picked = rng.sample(list(live), update_count + delete_count)
    upserts = [(i, rng.randrange(-A_BOUND, A_BOUND)) + live[i][2:]
               for i in picked[:update_count]]
    upserts += make_rows(rng, next_id, insert_count)
    deletes = [(i,) for i in picked[update_count:]]
    for row in upserts:
        live[row[0]] = row
    for (i,) in deletes:
        del live[i]
    return upserts, deletes, next_id + insert_count


# Engines ------------------------------------------------------------------------------------

@contextlib.contextmanager
def statement(text: str):
    """Tag an exception with the SQL that raised it, for the report."""
    try:
        yield
    except Exception as exc:
        exc.bench_statement = text
        raise


class Engine:
    """A database under test behind PEP 249, in a folder of its own; SQL is written with %s."""

    columns = COLUMNS_POSTGRES

    def __init__(self, name: str, conn, folder: str):
        self.name, self.conn, self.folder = name, conn, folder
        self.cursor = conn.cursor()

    def sql(self, text: str) -> str:
        return text

    def adapt(self, rows: list[tuple]) -> list[tuple]:
        """Rows of t's shape as this engine takes them."""
        return rows

    def create(self, table: str) -> None:
        text = f"CREATE TABLE {table}({self.columns})"
        with statement(text):
            self.cursor.execute(text)
        self.commit()

    def load(self, table: str, rows: list[tuple]) -> None:
        self.many(INSERT.format(table=table), rows)
        self.commit()

    def many(self, text: str, rows: list[tuple]) -> None:
        with statement(text):
            self.cursor.executemany(self.sql(text), rows)

    def commit(self) -> None:
        with statement("COMMIT"):
            self.conn.commit()

    def query(self, text: str) -> list[tuple]:
        with statement(text):
            return self.cursor.execute(self.sql(text)).fetchall()

    def point_selects(self, params: list[tuple[int]]) -> list[tuple]:
        out, execute, text = [], self.cursor.execute, self.sql(POINT)
        with statement(POINT):
            for param in params:
                out += execute(text, param).fetchall()
        return out

    def upsert(self, upserts: list[tuple], deletes: list[tuple[int]]) -> None:
        self.many(UPSERT, upserts)
        self.many(DELETE, deletes)
        self.commit()

    def rollback(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.rollback()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class RowdbEngine(Engine):
    def __init__(self, scratch: Scratch):
        folder = scratch.new("rowdb-")  # never reused: one LMDB environment per path
        super().__init__("rowdb", rowdb.connect(folder), folder)


class SqliteEngine(Engine):
    """stdlib sqlite3, or doltlite behind the same module; default settings, one file."""

    columns = COLUMNS_SQLITE

    def __init__(self, module, name: str, scratch: Scratch):
        folder = scratch.new(f"{name}-")
        super().__init__(name, module.connect(os.path.join(folder, "bench.db")), folder)

    def sql(self, text: str) -> str:
        return text.replace("%s", "?")

    def adapt(self, rows: list[tuple]) -> list[tuple]:
        return [row[:4] + (row[4].isoformat(),) for row in rows]


# Measuring ----------------------------------------------------------------------------------

def error_record(exc: Exception) -> dict:
    return {"statement": getattr(exc, "bench_statement", "?"),
            "error": f"{type(exc).__name__}: {exc}", "sqlstate": getattr(exc, "sqlstate", None)}


def measure_once(out: dict, item: str, engine: Engine, job) -> bool:
    """Time job() into out["times"]; digest the engine's first result into out["checks"].

    An exception is recorded (statement and error text) and skips the engine for the item.
    """
    errors = out["errors"].setdefault(item, {})
    if engine.name in errors:
        return False
    try:
        seconds, result = timed(job)
    except Exception as exc:
        errors[engine.name] = error_record(exc)
        engine.rollback()
        return False
    out["times"].setdefault(item, {}).setdefault(engine.name, []).append(seconds)
    checks = out["checks"].setdefault(item, {})
    if result is not None and engine.name not in checks:
        checks[engine.name] = summarize(result)
    return True


def measure_load(args, work: Workload, factories: dict, out: dict, jobs: dict) -> dict:
    """Item 1: loads of t into fresh databases, engines taking turns; keeps the last of each."""
    engines: dict[str, Engine] = {}
    adapted: dict[str, list] = {}
    for _ in range(args.repeat):
        for name, factory in factories.items():
            if name in engines:
                engines.pop(name).close()
            engine = factory()
            engine.create("t")
            params = adapted.setdefault(name, engine.adapt(work.rows))
            if measure_once(out, "load", engine, partial(engine.load, "t", params)):
                engines[name] = engine
            else:
                engine.close()
    if "rowdb" in factories:
        def setup():  # for the profile: a fresh database
            engine = factories["rowdb"]()
            engine.create("t")
            return partial(engine.load, "t", work.rows)
        jobs["load"] = setup
    return engines


def measure_items(args, engines: dict, out: dict, jobs: dict, items: dict) -> None:
    """Read-only items, each `repeat` times per engine, engines taking turns."""
    for item, job in items.items():
        for _ in range(args.repeat):
            for engine in engines.values():
                measure_once(out, item, engine, partial(job, engine))
        if "rowdb" in engines:
            jobs[item] = no_setup(partial(job, engines["rowdb"]))
        progress(f"{item} done")


def no_setup(thunk):
    """A profile job whose thunk needs nothing prepared."""
    return lambda: thunk


def measure_reads(args, work: Workload, engines: dict, out: dict, jobs: dict) -> None:
    """Items 2-6. The join tables are loaded first, untimed."""
    for engine in engines.values():
        for table, rows in (("t1", work.t1), ("t2", work.t2)):
            try:
                engine.create(table)
                engine.load(table, engine.adapt(rows))
            except Exception as exc:
                for item in ("join_count", "join_fetch"):
                    out["errors"].setdefault(item, {})[engine.name] = error_record(exc)
                engine.rollback()
    params = work.point_params
    measure_items(args, engines, out, jobs, {
        "point": lambda engine: engine.point_selects(params),
        "scan": lambda engine: engine.query(SCAN),
        "count_sum": lambda engine: engine.query(COUNT_SUM),
        "group_by": lambda engine: engine.query(GROUP_BY),
        "join_count": lambda engine: engine.query(JOIN_COUNT),
        "join_fetch": lambda engine: engine.query(JOIN_FETCH),
    })


def measure_upserts(args, work: Workload, engines: dict, out: dict, jobs: dict) -> None:
    """Item 7: `repeat` successive days of changes, each applied by every engine in turn;
    then count(*) and sum(a) of every engine are checked against the Python model."""
    live = {row[0]: row for row in work.rows}
    rng = phase_rng(args.seed, 8)
    next_id = args.rows + 1
    for _ in range(args.repeat):
        upserts, deletes, next_id = daily_changes(live, next_id, rng)
        for engine in engines.values():
            params = engine.adapt(upserts)
            measure_once(out, "upsert", engine, partial(engine.upsert, params, deletes))
    checks = out["checks"].setdefault("after_upsert", {})
    for engine in engines.values():
        with contextlib.suppress(Exception):
            checks[engine.name] = summarize(engine.query(COUNT_SUM))
    out["expected"]["after_upsert"] = [1, len(live), sum(row[1] for row in live.values())]
    if "rowdb" in engines:
        def setup():  # for the profile: one more day
            upserts, deletes, _ = daily_changes(live, next_id, rng)
            return partial(engines["rowdb"].upsert, upserts, deletes)
        jobs["upsert"] = setup
    progress("upsert done")


def run_workload(args, factories: dict) -> tuple[dict, dict, dict]:
    """All items for the engines `factories` makes: (results, open engines, profile jobs).

    A profile job is a setup callable (untimed) returning the thunk of rowdb's work for the item.
    """
    out: dict = {"times": {}, "checks": {}, "errors": {}, "expected": {}}
    jobs: dict = {}
    work = Workload.generate(args.rows, args.seed)
    progress(f"generated {args.rows:,} rows")
    engines = measure_load(args, work, factories, out, jobs)
    progress("load done")
    measure_reads(args, work, engines, out, jobs)
    measure_upserts(args, work, engines, out, jobs)
    out["expected"].update(work.expected())
    return out, engines, jobs


def progress(text: str) -> None:
    print(f"[{os.getpid()} {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# doltlite, in a child process ---------------------------------------------------------------

def peer_worker(args) -> int:
    """Child process: the workload on doltlite behind the sqlite3 API; one JSON line out."""
    try:
        import doltlite  # must come before sqlite3
        import sqlite3
    except Exception as exc:  # not installed, or its library does not load here
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 0
    scratch = Scratch(Path(args.workdir))
    factories = {"doltlite": partial(SqliteEngine, sqlite3, "doltlite", scratch)}
    out, engines, _ = run_workload(args, factories)
    for engine in engines.values():
        engine.close()
    out.update(ok=True, version=doltlite.__version__, sqlite_version=sqlite3.sqlite_version)
    print(json.dumps(out))
    return 0


def run_doltlite(args, scratch: Scratch) -> dict:
    """Run the doltlite worker in a child process; {"ok": False, "error": ...} on failure."""
    command = [sys.executable, str(Path(__file__).resolve()), "--peer-worker", "doltlite",
               "--workdir", scratch.new("doltlite-run-"), "--rows", str(args.rows),
               "--repeat", str(args.repeat), "--seed", str(args.seed)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": "timed out after 3600 s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"ok": False, "error": f"exit {done.returncode}: {' | '.join(tail)}"}
    return json.loads(lines[-1])


def merge(results: dict, peer: dict) -> None:
    for key in ("times", "checks", "errors"):
        for item, by_engine in peer.get(key, {}).items():
            results[key].setdefault(item, {}).update(by_engine)


# Bars and profile ---------------------------------------------------------------------------

def median_of(results: dict, item: str, name: str) -> float | None:
    runs = results["times"].get(item, {}).get(name)
    return statistics.median(runs) if runs else None


def bar_margins(args, results: dict) -> dict[str, float]:
    """rowdb's figure over what its bar allows, for each item with a verdict (above 1 fails)."""
    margins = {}
    load = median_of(results, "load", "rowdb")
    if load is not None:
        margins["load"] = BAR_LOAD_RATE_MIN * load / args.rows
    for item, (_, _, peer, factor) in TIMED_ITEMS.items():
        mine, theirs = median_of(results, item, "rowdb"), median_of(results, item, peer)
        if mine is not None and theirs:
            margins[item] = mine / (factor * theirs)
    return margins


def function_label(key: tuple) -> str:
    filename, line, name = key
    if filename == "~":
        return name  # a builtin, e.g. "<method 'sort' of 'list' objects>"
    path = Path(filename)
    if path.is_relative_to(HERE.parent):
        short = str(path.relative_to(HERE.parent))
    elif "site-packages" in path.parts:
        short = "/".join(path.parts[path.parts.index("site-packages") + 1:])
    else:
        short = "/".join(path.parts[-2:])
    return f"{short}:{line}({name})"


def profile_item(item: str, jobs: dict) -> dict:
    """cProfile of rowdb's work for `item`, run once more; the top 10 functions by own time."""
    thunk = jobs[item]()
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    thunk()
    profiler.disable()
    stats = pstats.Stats(profiler)
    top = sorted(stats.stats.items(), key=lambda entry: entry[1][2], reverse=True)[:10]
    return {"item": item, "total_seconds": stats.total_tt,
            "top": [[function_label(key), calls, own, cumulative]
                    for key, (_, calls, own, cumulative, _) in top]}


# Report -------------------------------------------------------------------------------------

class SqlLine(Line):
    """A storage-report Line with a second ratio column, rowdb / doltlite."""

    def cells(self) -> list[str]:
        cells = super().cells()
        ratio = "-"
        if self.rowdb is not None and self.doltlite:
            ratio = f"{self.rowdb / self.doltlite:.2f}x"
        return cells[:8] + [ratio] + cells[8:]


def fmt_s(v: float) -> str:
    return f"{v:.4g}"


def table_lines(args, results: dict) -> list[SqlLine]:
    load = [median_of(results, "load", name) for name in ENGINES]
    rate = [per_second(args.rows, seconds) for seconds in load]
    lines = [
        SqlLine("1", f"load {args.rows:,} rows: executemany, one transaction, commit", "rows/s",
                "higher", fmt_count, *rate, bar=f">= {BAR_LOAD_RATE_MIN:,}",
                passed=None if rate[0] is None else rate[0] >= BAR_LOAD_RATE_MIN),
        SqlLine("", "same, wall time", "s", "lower", fmt_s, *load)]
    for item, (number, measure, peer, factor) in TIMED_ITEMS.items():
        seconds = [median_of(results, item, name) for name in ENGINES]
        limit = seconds[ENGINES.index(peer)]
        limit = None if limit is None else factor * limit
        bar = f"<= {factor:g}x {peer}" + ("" if limit is None else f" = {fmt_s(limit)} s")
        passed = None if limit is None or seconds[0] is None else seconds[0] <= limit
        lines.append(SqlLine(number, measure, "s", "lower", fmt_s, *seconds, bar=bar,
                             passed=passed))
    return lines


def render_table(lines: list[SqlLine]) -> str:
    head = ["#", "measure", "unit", "better", "rowdb", "sqlite3", "rowdb / sqlite3",
            "doltlite", "rowdb / doltlite", "bar (rowdb)", "rowdb vs bar"]
    rows = [head, ["---"] * len(head)] + [line.cells() for line in lines]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def check_lines(results: dict) -> list[str]:
    """Each engine's result digests against Python's own computation of the same items."""
    bad = []
    for item, expected in results["expected"].items():
        for name, digest in results["checks"].get(item, {}).items():
            if not same(digest, expected):
                bad.append(f"- CHECK FAILED: {item} on {name}: digest {digest}, "
                           f"expected {expected}")
    if bad:
        return bad
    checked = sorted({name for item in results["expected"]
                      for name in results["checks"].get(item, {})})
    return [f"- results checked: every item's result on {', '.join(checked)} equals Python's "
            "own computation (digest: row count, sums of integer and float columns, sum of "
            "CRC-32s of text and dates), including count(*) and sum(a) after the upserts"]


def detail_lines(args, results: dict, doltlite: dict) -> list[str]:
    out = [f"- t: {args.rows:,} rows; t1, t2: {JOIN_ROW_COUNT:,} rows each, ids 1.. and "
           f"{JOIN_T2_FIRST_ID:,}.., so {JOIN_ROW_COUNT - JOIN_T2_FIRST_ID + 1:,} join; "
           f"{args.repeat} runs per figure (upserts: {args.repeat} successive days)"]
    for item in ["load", *TIMED_ITEMS]:
        runs = results["times"].get(item, {})
        out.append(f"- {item} seconds, each run: " + ("; ".join(
            f"{name} " + ", ".join(fmt_s(v) for v in runs[name])
            for name in ENGINES if name in runs) or "none (see the errors)"))
    out += check_lines(results)
    for item, by_engine in results["errors"].items():
        for name, error in by_engine.items():
            sqlstate = f" (SQLSTATE {error['sqlstate']})" if error["sqlstate"] else ""
            out.append(f"- ERROR on {name}, item {item}: `{error['statement']}` raised "
                       f"{error['error']}{sqlstate}; item skipped")
    if doltlite.get("ok"):
        out.append(f"- doltlite {doltlite['version']} (its SQLite {doltlite['sqlite_version']}) "
                   "ran the same workload in a child process after the in-process part")
    else:
        out.append(f"- doltlite: skipped ({doltlite.get('error', 'not run')})")
    return out


def profile_lines(profile: dict | None, margins: dict) -> list[str]:
    if not profile:
        return []
    item = profile["item"]
    margin = (f"worst against its bar: {margins[item]:.2f}x what the bar allows"
              if item in margins else "chosen with --profile")
    out = ["", f"## Profile: rowdb, item {item} ({margin})", "",
           f"cProfile, one more run after the measurements: {profile['total_seconds']:.3f} s "
           "of own time in total (profiling overhead included). Top 10 by own time:", "",
           "| own s | cumulative s | calls | function |", "| --- | --- | --- | --- |"]
    out += [f"| {own:.3f} | {cumulative:.3f} | {calls:,} | `{label}` |"
            for label, calls, own, cumulative in profile["top"]]
    return out


def render(args, info: dict, results: dict, doltlite: dict, profile: dict | None,
           margins: dict, command: str) -> str:
    load = " / ".join(f"{x:.2f}" for x in info["load"])
    header = [
        "# SQL engine", "",
        f"- command: `{command}`",
        f"- date: {info['date']}",
        f"- machine: {os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}, SQLite {info['sqlite_version']}; 1-minute load average "
        f"before / after the in-process part / after the doltlite child: {load}",
        f"- rowdb revision: {git_revision()}",
        f"- run time: {info['run_seconds']:.0f} s in process, {info['child_seconds']:.0f} s "
        "for the doltlite child",
        "",
        "Medians of the runs. Ratios divide rowdb's figure by the peer's: above 1 is better "
        "for rows/s, below 1 for seconds. All three engines run through PEP 249 "
        "(`execute`/`executemany`/`fetchall`) from Python.", "",
    ]
    return "\n".join(header + [render_table(table_lines(args, results)), "", "Details:", ""]
                     + detail_lines(args, results, doltlite)
                     + profile_lines(profile, margins)) + "\n"


# Main ---------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", help="also write the markdown report to this file")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed figure")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-doltlite", action="store_true", help="skip the doltlite peer")
    parser.add_argument("--profile", default="auto",
                        choices=["auto", "none", "load", *TIMED_ITEMS],
                        help="item whose rowdb work is profiled once at the end (auto: the "
                             "one furthest from its bar)")
    parser.add_argument("--peer-worker", choices=["doltlite"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < 10_000:
        parser.error("--rows must be at least 10000 (the upsert deletes 0.1% of the rows)")
    return args


def choose_profile(args, results: dict, margins: dict, jobs: dict) -> str | None:
    """The item to profile: named by --profile, or the one furthest from its bar; only an
    item rowdb ran without an error."""
    candidates = [item for item in jobs if "rowdb" in results["times"].get(item, {})]
    if args.profile != "auto":
        return args.profile if args.profile in candidates else None
    candidates = [item for item in candidates if item in margins]
    return max(candidates, key=margins.get) if candidates else None


def run_all(args, scratch: Scratch) -> tuple[dict, dict, dict, dict | None, dict]:
    import sqlite3  # here, not at the top: the doltlite child must import doltlite first

    info = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load": [os.getloadavg()[0]], "sqlite_version": sqlite3.sqlite_version}
    started = time.perf_counter()
    factories = {"rowdb": partial(RowdbEngine, scratch),
                 "sqlite3": partial(SqliteEngine, sqlite3, "sqlite3", scratch)}
    results, engines, jobs = run_workload(args, factories)
    info["run_seconds"] = time.perf_counter() - started
    info["load"].append(os.getloadavg()[0])
    engines.pop("sqlite3").close()
    doltlite = {"ok": False, "error": "--no-doltlite"}
    started = time.perf_counter()
    if not args.no_doltlite:
        progress("running doltlite in a child process")
        doltlite = run_doltlite(args, scratch)
        merge(results, doltlite)
    info["child_seconds"] = time.perf_counter() - started
    info["load"].append(os.getloadavg()[0])
    margins = bar_margins(args, results)
    item = choose_profile(args, results, margins, jobs)
    profile = None
    if item:
        progress(f"profiling rowdb on {item}")
        profile = profile_item(item, jobs)
    return info, results, doltlite, profile, margins


def main(argv=None) -> int:
    args = parse_args(argv)
    DATA_DIR.mkdir(exist_ok=True)
    if args.peer_worker:
        return peer_worker(args)
    scratch = Scratch(Path(tempfile.mkdtemp(prefix="sql-run-", dir=DATA_DIR)))
    try:
        info, results, doltlite, profile, margins = run_all(args, scratch)
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)
    script = os.path.relpath(Path(__file__).resolve(), Path.cwd())
    command = " ".join(["python", script] + (sys.argv[1:] if argv is None else argv))
    report = render(args, info, results, doltlite, profile, margins, command)
    print(report)
    if args.out:
        Path(args.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
