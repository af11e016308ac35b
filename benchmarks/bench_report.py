"""Markdown report of a storage benchmark run: the results table, the bars, the details.

Where: benchmarks/; bench_storage.py measures and hands its results dict here. No rowdb
imports: everything arrives as numbers.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
KIB = 1024

# The bars rowdb is held to, with the direction that passes.
BAR_BUILD_RATE_MIN = 500_000     # entries/s, bulk build including the LMDB commit
BAR_GET_RATE_MIN = 200_000       # gets/s, random keys, warm node cache
BAR_UPDATE_SECONDS_MAX = 0.5     # a batch of 1% random updates + commit
BAR_DIFF_SIZE_RATIO_MAX = 1.3    # diff of 100 changes: tree 10x larger / smaller tree
BAR_ONE_CHANGE_BYTES_MAX = 32 * KIB  # bytes one committed one-entry change adds
BAR_DISK_RATIO_MAX = 1.0         # bytes on disk after the build / raw key+value bytes


@dataclass
class Line:
    """One table row: rowdb's figure, the peers' figures, and the bar if there is one."""

    number: str
    measure: str
    unit: str
    better: str  # "higher", "lower" or "" (information only)
    fmt: Callable[[float], str]
    rowdb: float | None
    sqlite: float | None = None
    doltlite: float | None = None
    bar: str = ""
    passed: bool | None = None

    def cells(self) -> list[str]:
        def show(v):
            return "-" if v is None else self.fmt(v)

        ratio = "-"
        if self.rowdb is not None and self.sqlite:
            ratio = f"{self.rowdb / self.sqlite:.2f}x"
        verdict = {None: "", True: "PASS", False: "FAIL"}[self.passed]
        return [self.number, self.measure, self.unit, self.better, show(self.rowdb),
                show(self.sqlite), ratio, show(self.doltlite), self.bar, verdict]


def fmt_count(v: float) -> str:
    return f"{v:,.0f}"


def fmt_seconds(v: float) -> str:
    return f"{v:.3f}"


def fmt_ms(v: float) -> str:
    return f"{v * 1000:.2f}"


def fmt_ratio(v: float) -> str:
    return f"{v:.2f}x"


def mib(v: float) -> str:
    return f"{v / (1 << 20):.1f} MiB"


median = statistics.median


def per_second(count: int, seconds: float | None) -> float | None:
    return None if seconds is None else count / seconds


def dolt(doltlite: dict, key: str, fn=median):
    """A doltlite figure (median of its runs by default), None when doltlite did not run."""
    return fn(doltlite[key]) if doltlite.get("ok") and key in doltlite else None


# Table ----------------------------------------------------------------------------------------

def build_and_get_lines(r: dict, doltlite: dict) -> list[Line]:
    entries, gets = r["diff"]["large_entries"], r["gets"]
    build = {k: median(v) for k, v in r["build"].items()}
    warm = {k: median(v) for k, v in gets["warm"].items()}
    dl_build, count = dolt(doltlite, "build"), gets["count"]
    build_rate, get_rate = entries / build["rowdb"], count / warm["rowdb"]
    return [
        Line("1", f"bulk build of {entries:,} entries + commit", "entries/s", "higher",
             fmt_count, build_rate, entries / build["sqlite3"], per_second(entries, dl_build),
             f">= {BAR_BUILD_RATE_MIN:,}", build_rate >= BAR_BUILD_RATE_MIN),
        Line("", "same, wall time", "s", "lower", fmt_seconds, build["rowdb"],
             build["sqlite3"], dl_build),
        Line("2", f"{count:,} random gets, warm cache", "gets/s", "higher", fmt_count,
             get_rate, count / warm["sqlite3"],
             per_second(count, dolt(doltlite, "gets_warm")),
             f">= {BAR_GET_RATE_MIN:,}", get_rate >= BAR_GET_RATE_MIN),
        Line("", "same, first pass on an empty node cache", "gets/s", "higher", fmt_count,
             count / gets["cold"]["rowdb"], count / gets["cold"]["sqlite3"],
             per_second(count, dolt(doltlite, "gets_cold", lambda v: v))),
    ]


def update_lines(r: dict, doltlite: dict) -> list[Line]:
    up = r["updates"]
    seconds, same, batches = median(up["rowdb"]), sum(up["same_root"]), len(up["same_root"])
    return [
        Line("3", f"{up['count']:,} random updates (1%) + commit", "s", "lower",
             fmt_seconds, seconds, median(up["sqlite3"]), dolt(doltlite, "updates"),
             f"<= {BAR_UPDATE_SECONDS_MAX}", seconds <= BAR_UPDATE_SECONDS_MAX),
        Line("", f"new root == full rebuild ({same}/{batches} batches)", "", "", str, None,
             bar="all equal", passed=same == batches),
    ]


def diff_lines(r: dict) -> list[Line]:
    d = r["diff"]
    t, sql = {k: median(v) for k, v in d["rowdb"].items()}, d["sqlite3"]
    big, small = f"{d['large_entries']:,}", f"{d['small_entries']:,}"
    size_ratio = t["large_100"] / t["small_100"]
    return [
        Line("4a", f"diff, 100 changes, {big}-entry tree", "ms", "lower", fmt_ms,
             t["large_100"], sql["large_100"]),
        Line("4b", f"diff, 100 changes, {small}-entry tree", "ms", "lower", fmt_ms,
             t["small_100"], sql["small_100"]),
        Line("4c", "4a / 4b (tree 10x larger)", "ratio", "lower", fmt_ratio, size_ratio,
             sql["large_100"] / sql["small_100"], bar=f"<= {BAR_DIFF_SIZE_RATIO_MAX}x",
             passed=size_ratio <= BAR_DIFF_SIZE_RATIO_MAX),
        Line("4d", f"diff, 1,000 changes, {big}-entry tree", "ms", "lower", fmt_ms,
             t["large_1000"], sql["large_1000"]),
        Line("4e", "4d / 4a (10x the changes)", "ratio", "", fmt_ratio,
             t["large_1000"] / t["large_100"], sql["large_1000"] / sql["large_100"],
             bar="about 10x"),
    ]


def size_lines(r: dict, doltlite: dict) -> list[Line]:
    one, raw = r["one_entry"], r["size"]["raw"]
    packed = median(x[0] for x in one["rowdb"])
    disk = median(x[1] for x in one["rowdb"])
    disk_ratio = r["size"]["rowdb_disk"] / raw
    bar_bytes = f"<= {BAR_ONE_CHANGE_BYTES_MAX:,}"
    return [
        Line("5a", "bytes added by a one-entry change: chunk (packed) bytes", "bytes",
             "lower", fmt_count, packed, bar=bar_bytes,
             passed=packed <= BAR_ONE_CHANGE_BYTES_MAX),
        Line("5b", "same, LMDB disk bytes (peers: file growth)", "bytes", "lower",
             fmt_count, disk, median(one["sqlite3"]), dolt(doltlite, "one_entry"),
             bar_bytes, disk <= BAR_ONE_CHANGE_BYTES_MAX),
        Line("6", "bytes on disk after the build / raw key+value bytes", "ratio", "lower",
             fmt_ratio, disk_ratio, r["size"]["sqlite3_disk"] / raw,
             dolt(doltlite, "disk", lambda v: v / raw), f"<= {BAR_DISK_RATIO_MAX}x",
             disk_ratio <= BAR_DISK_RATIO_MAX),
    ]


def render_table(lines: list[Line]) -> str:
    head = ["#", "measure", "unit", "better", "rowdb", "sqlite3", "rowdb / sqlite3",
            "doltlite", "bar (rowdb)", "rowdb vs bar"]
    rows = [head, ["---"] * len(head)] + [line.cells() for line in lines]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


# Details and header ---------------------------------------------------------------------------

def render_details(r: dict, doltlite: dict) -> list[str]:
    s, d, up, one = r["size"], r["diff"], r["updates"], r["one_entry"]
    entries = d["large_entries"]
    out = [
        f"- entries: {entries:,}; raw key+value bytes {mib(s['raw'])} "
        f"({s['raw'] / entries:.1f} bytes per entry)",
        f"- rowdb after the build: depth {s['rowdb_depth']}, {s['rowdb_chunks']:,} chunks, "
        f"packed {mib(s['rowdb_packed'])} ({s['rowdb_packed'] / s['rowdb_chunks']:,.0f} "
        f"bytes per stored chunk record), LMDB {mib(s['rowdb_disk'])}; "
        f"sqlite3 file {mib(s['sqlite3_disk'])}",
        "- build seconds, each run: rowdb " + ", ".join(map(fmt_seconds, r["build"]["rowdb"]))
        + "; sqlite3 " + ", ".join(map(fmt_seconds, r["build"]["sqlite3"])),
        "- gets seconds, each warm run: rowdb "
        + ", ".join(map(fmt_seconds, r["gets"]["warm"]["rowdb"])) + "; sqlite3 "
        + ", ".join(map(fmt_seconds, r["gets"]["warm"]["sqlite3"])),
        "- update batch seconds, each run: rowdb " + ", ".join(map(fmt_seconds, up["rowdb"]))
        + f" (chunks written: {', '.join(map(str, up['chunks_written']))}); sqlite3 "
        + ", ".join(map(fmt_seconds, up["sqlite3"])),
        f"- diff trees: {entries:,} entries depth {d['large_depth']}, "
        f"{d['small_entries']:,} entries depth {d['small_depth']}; "
        f"{len(d['rowdb']['large_100'])} random change sets per figure, best of 3 per set, "
        "median over the sets",
        "- one-entry changes, each (packed bytes, LMDB bytes, chunks written): "
        + ", ".join(f"({p:,}, {b:,}, {c})" for p, b, c in one["rowdb"]),
    ]
    if doltlite.get("ok"):
        out.append(
            f"- doltlite {doltlite['version']} (its SQLite {doltlite['sqlite_version']}): "
            f"file {mib(doltlite['disk'])} after the load; a dolt_commit of the load took "
            f"{doltlite['version_commit']:.3f} s, file then "
            f"{mib(doltlite['disk_after_version_commit'])}; its one-entry change (5b) "
            "includes a dolt_commit per change")
    else:
        out.append(f"- doltlite: skipped ({doltlite.get('error', 'not run')})")
    return out


def git_revision() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True,
                              text=True).stdout.strip()

    try:
        head, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain",
                                                                 "--", "rowdb")
    except OSError:
        return "unknown"
    return head + (" + uncommitted changes in rowdb/" if dirty else "")


def render(r: dict, doltlite: dict, command: str) -> str:
    load = " / ".join(f"{x:.2f}" for x in r["load"])
    header = [
        "# rowdb storage benchmark", "",
        f"- command: `{command}`",
        f"- date: {r['date']}",
        f"- machine: {os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}, SQLite {r['sqlite_version']}; 1-minute load average "
        f"before / after the in-process part: {load}",
        f"- rowdb revision: {git_revision()}",
        f"- run time: {r['run_seconds']:.0f} s (without the doltlite child)",
        "",
        "Medians of the runs. \"rowdb / sqlite3\" divides rowdb's figure by sqlite3's: "
        "above 1 is better for rates, below 1 for times and sizes. For diffs sqlite3 "
        "compares two copies of the table with a join (it has no snapshot diff).", "",
    ]
    lines = (build_and_get_lines(r, doltlite) + update_lines(r, doltlite) + diff_lines(r)
             + size_lines(r, doltlite))
    return "\n".join(header + [render_table(lines), "", "Details:", ""]
                     + render_details(r, doltlite)) + "\n"
