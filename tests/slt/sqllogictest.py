"""Run classic sqllogictest files (sqlite.org/sqllogictest) against any DB-API connection.

Where: test support; used by tests/test_slt_runner.py and as a command line:
    python tests/slt/sqllogictest.py FILE... --engine sqlite|postgres|rowdb

Follows the reference driver (sqllogictest.c with its slt_sqlite.c and slt_odbc3.c
engines): records are runs of non-blank lines; lines starting with '#' are dropped
everywhere; `skipif DB` / `onlyif DB` prefix a record (our label: `postgresql`);
`statement ok|error`, `query TYPES [nosort|rowsort|valuesort] [LABEL]`, `hash-threshold N`,
`halt`. Values are formatted one per line, then sorted, then compared or hashed: md5 over
every value followed by "\\n", shown as "N values hashing to HEX".

Differences from the reference, all on the lenient-in-form, strict-in-content side:
- an expected block may be a hash line or the listed values whatever the threshold;
  both are checked exactly (the reference insists on the form the threshold implies;
  here the threshold only decides whether a failure report shows the hash line);
- the number of values must match (the reference stops comparing at the shorter list);
- expected rows may also be written one row per line, values separated by whitespace
  (cockroach/duckdb style), when no value contains whitespace;
- a failing record is reported and the run goes on (the reference has -halt for that).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import math
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Callable, Sequence

if __package__ in (None, ""):  # run as a script: make `slt` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slt.render import render  # noqa: E402

HASH_LINE = re.compile(r"^(\d+) values? hashing to ([0-9a-f]{32})$")
NUMERIC_PREFIX = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DEFAULT_HASH_THRESHOLD = 8  # the reference's default, until a `hash-threshold` record
SHOWN_VALUES_MAX = 40       # failure reports show at most this many values per side


@dataclasses.dataclass
class Record:
    """One record: its first line's number, header tokens, conditions and body lines."""

    line: int
    tokens: list[str]
    conditions: list[tuple[str, str]]
    sql: str = ""
    expected: list[str] | None = None  # None: no ---- line


@dataclasses.dataclass
class Failure:
    path: str
    line: int
    sql: str
    message: str
    expected: list[str] = dataclasses.field(default_factory=list)
    got: list[str] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}\n" + _indent(self.sql)
        if self.expected or self.got:
            text += "\n  expected:\n" + _indent(_shown(self.expected), 4)
            text += "\n  got:\n" + _indent(_shown(self.got), 4)
        return text


@dataclasses.dataclass
class Result:
    path: str
    passed: int = 0
    skipped: int = 0
    failures: list[Failure] = dataclasses.field(default_factory=list)
    halted: bool = False

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return (f"{self.path}: {self.passed} passed, {len(self.failures)} failed, "
                f"{self.skipped} skipped" + (" (halted)" if self.halted else ""))


def _indent(text: str, width: int = 2) -> str:
    return "\n".join(" " * width + line for line in text.splitlines() or [""])


def _shown(values: list[str]) -> str:
    if len(values) <= SHOWN_VALUES_MAX:
        return "\n".join(values) if values else "(no values)"
    rest = len(values) - SHOWN_VALUES_MAX
    return "\n".join(values[:SHOWN_VALUES_MAX]) + f"\n... {rest} more"


# ---------------------------------------------------------------- parsing


def script_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) without comment lines; all-blank lines become ""."""
    lines = []
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            line = ""
        elif line.startswith("#"):
            continue
        lines.append((number, line))
    return lines


def parse(text: str) -> list[Record]:
    """Split a script into records: runs of non-blank lines, headed by their first line."""
    records, group = [], []
    for number, line in script_lines(text) + [(0, "")]:
        if line:
            group.append((number, line))
            continue
        if group:
            records.append(_record(group))
            group = []
    return records


def _record(group: list[tuple[int, str]]) -> Record:
    conditions = []
    while group and group[0][1].split()[0] in ("skipif", "onlyif") and len(group) > 1:
        tokens = group[0][1].split()
        conditions.append((tokens[0], tokens[1] if len(tokens) > 1 else ""))
        group = group[1:]
    line, header = group[0]
    record = Record(line, header.split(), conditions)
    body = [text for _, text in group[1:]]
    if record.tokens[0] == "query" and "----" in body:
        split = body.index("----")
        record.sql, record.expected = "\n".join(body[:split]), body[split + 1:]
    else:
        record.sql = "\n".join(body)
    return record


def is_skipped(record: Record, label: str) -> bool:
    """skipif DB skips for our label; onlyif DB skips for every other label."""
    for kind, db in record.conditions:
        match = db.lower() == label.lower()
        if (kind == "skipif") == match:
            return True
    return False


# ---------------------------------------------------------------- values


def _numeric_prefix(text: str) -> float | int:
    """What sqlite3_column_int/double make of text: its leading number, else 0."""
    found = NUMERIC_PREFIX.match(text)
    if not found:
        return 0
    number = found.group(0).strip()
    if re.fullmatch(r"[+-]?\d+", number):
        return int(number)
    return float(number)


def _as_int(value) -> int:
    """Truncate toward zero and saturate at 64 bits, as the reference's engines do."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        value = _numeric_prefix(value)
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        if math.isinf(value):
            return INT64_MAX if value > 0 else INT64_MIN
    if isinstance(value, Decimal) and not value.is_finite():
        return 0 if value.is_nan() else (INT64_MAX if value > 0 else INT64_MIN)
    return max(INT64_MIN, min(INT64_MAX, int(value)))


def _as_float(value) -> float:
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return float(_numeric_prefix(value))
    return float(value)


def format_value(value, type_char: str) -> str:
    """One result value as the reference prints it for column type I, R or T."""
    if value is None:
        return "NULL"
    if type_char == "I":
        return str(_as_int(value))
    if type_char == "R":
        return "%.3f" % _as_float(value)
    text = value if isinstance(value, str) else render(value)
    if text == "":
        return "(empty)"
    # The reference replaces every byte outside ' '..'~' (C chars are signed: each
    # byte of a multi-byte UTF-8 character counts) with '@'.
    return "".join(chr(b) if 32 <= b <= 126 else "@" for b in text.encode("utf-8"))


def sort_values(values: list[str], column_count: int, mode: str) -> list[str]:
    """nosort keeps order; rowsort sorts rows column by column; valuesort every value."""
    if mode == "rowsort" and column_count:
        rows = [values[i:i + column_count] for i in range(0, len(values), column_count)]
        return [value for row in sorted(rows) for value in row]
    if mode == "valuesort":
        return sorted(values)
    return list(values)


def hash_values(values: Sequence[str]) -> str:
    digest = hashlib.md5()
    for value in values:
        digest.update(value.encode("utf-8") + b"\n")
    return digest.hexdigest()


def hash_line(values: Sequence[str]) -> str:
    return f"{len(values)} values hashing to {hash_values(values)}"


# ---------------------------------------------------------------- running


class Runner:
    """Runs one file's records on one connection and collects a Result."""

    def __init__(self, path: str, conn, label: str):
        self.path = path
        self.conn = conn
        self.label = label
        self.hash_threshold = DEFAULT_HASH_THRESHOLD
        self.label_hashes: dict[str, str] = {}
        self.result = Result(path)

    def fail(self, record: Record, message: str, expected=(), got=()) -> None:
        self.result.failures.append(
            Failure(self.path, record.line, record.sql, message, list(expected), list(got)))

    def run(self, records: list[Record]) -> Result:
        for record in records:
            kind = record.tokens[0]
            if kind == "halt":
                self.result.halted = True
                break
            if kind == "hash-threshold":
                self.hash_threshold = int(record.tokens[1]) if len(record.tokens) > 1 else 0
                continue
            if is_skipped(record, self.label):
                self.result.skipped += 1
                self.check_skipped_label(record)
                continue
            failures_before = len(self.result.failures)
            if kind == "statement":
                self.run_statement(record)
            elif kind == "query":
                self.run_query(record)
            else:
                self.fail(record, f"unknown record type: {kind!r}")
            if len(self.result.failures) == failures_before:
                self.result.passed += 1
        return self.result

    def execute(self, sql: str):
        """Run one record's SQL; commit unless the connection is in autocommit mode."""
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql)
            rows = cursor.fetchall() if cursor.description is not None else None
            description = cursor.description
        except Exception:
            if getattr(self.conn, "autocommit", None) is not True:
                self.conn.rollback()
            raise
        finally:
            cursor.close()
        if getattr(self.conn, "autocommit", None) is not True:
            self.conn.commit()
        return description, rows

    def run_statement(self, record: Record) -> None:
        mode = record.tokens[1] if len(record.tokens) > 1 else ""
        if mode not in ("ok", "error"):
            self.fail(record, "statement argument should be 'ok' or 'error'")
            return
        try:
            self.execute(record.sql)
        except Exception as exc:  # noqa: BLE001 - any driver error is a statement error
            if mode == "ok":
                self.fail(record, f"statement failed: {type(exc).__name__}: {exc}".strip())
            return
        if mode == "error":
            self.fail(record, "statement succeeded but an error was expected")

    def run_query(self, record: Record) -> None:
        types = record.tokens[1] if len(record.tokens) > 1 else ""
        sort_mode = record.tokens[2] if len(record.tokens) > 2 else "nosort"
        label = record.tokens[3] if len(record.tokens) > 3 else ""
        if not types or any(c not in "TIR" for c in types):
            self.fail(record, f"bad type string {types!r}: use the letters T, I and R")
            return
        if sort_mode not in ("nosort", "rowsort", "valuesort"):
            self.fail(record, f"unknown sort method: {sort_mode!r}")
            return
        try:
            description, rows = self.execute(record.sql)
        except Exception as exc:  # noqa: BLE001
            self.fail(record, f"query failed: {type(exc).__name__}: {exc}".strip())
            return
        if description is None:
            self.fail(record, "query returned no result set")
            return
        if len(description) != len(types):
            self.fail(record, f"wrong number of result columns: expected {len(types)} "
                              f"but got {len(description)}")
            return
        values = [format_value(value, t) for row in rows for value, t in zip(row, types)]
        values = sort_values(values, len(types), sort_mode)
        if label:
            self.check_label(record, label, hash_values(values), len(values))
        self.compare(record, values, len(types))

    def compare(self, record: Record, values: list[str], column_count: int) -> None:
        expected = record.expected or []
        hashed = HASH_LINE.match(expected[0]) if len(expected) == 1 else None
        if hashed:
            if hash_line(values) != expected[0]:
                got = [hash_line(values)]
                if len(values) <= SHOWN_VALUES_MAX:
                    got += values
                self.fail(record, "wrong result hash", expected, got)
            return
        if expected == values:
            return
        if self.rows_match(expected, values, column_count):
            return
        got = values
        if len(values) > self.hash_threshold > 0:  # the form the reference would write
            got = [hash_line(values)] + values
        self.fail(record, "wrong result", expected, got)

    @staticmethod
    def rows_match(expected: list[str], values: list[str], column_count: int) -> bool:
        """Expected written one row per line, values separated by whitespace."""
        if column_count < 2 or len(expected) * column_count != len(values):
            return False
        rows = [values[i:i + column_count] for i in range(0, len(values), column_count)]
        return all(line.split() == row for line, row in zip(expected, rows))

    def check_label(self, record: Record, label: str, digest: str, count: int) -> None:
        """Queries sharing a label must give the same values (as in the reference)."""
        previous = self.label_hashes.setdefault(label, digest)
        if previous != digest:
            self.fail(record, f"labeled result [{label}] does not agree with previous values",
                      [f"hash {previous}"], [f"{count} values hashing to {digest}"])

    def check_skipped_label(self, record: Record) -> None:
        """A skipped labeled query still checks its written expectation against the label."""
        if record.tokens[0] != "query" or len(record.tokens) < 4 or not record.expected:
            return
        hashed = HASH_LINE.match(record.expected[0])
        digest = hashed.group(2) if hashed else hash_values(record.expected)
        previous = self.label_hashes.setdefault(record.tokens[3], digest)
        if previous != digest:
            self.fail(record, f"labeled result [{record.tokens[3]}] does not agree with "
                              "previous values")


def run_file(path: str | Path, connect: Callable[[], object], *,
             label: str = "postgresql") -> Result:
    """Run one script on a fresh connection from `connect()` (called once, then closed)."""
    records = parse(Path(path).read_text(encoding="utf-8"))
    conn = connect()
    try:
        return Runner(str(path), conn, label).run(records)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    from slt.engines import LABELS, EngineUnavailable, open_engine

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--engine", choices=sorted(LABELS), default="sqlite")
    parser.add_argument("--label", help="name for skipif/onlyif (default: by engine)")
    parser.add_argument("--failures-max", type=int, default=20,
                        help="failures printed per file (default 20)")
    args = parser.parse_args(argv)
    label = args.label or LABELS[args.engine]
    totals = [0, 0, 0]
    try:
        with open_engine(args.engine) as new_database:
            for path in args.files:
                result = run_file(path, new_database(), label=label)
                for failure in result.failures[:args.failures_max]:
                    print(failure, end="\n\n")
                print(result.summary())
                totals[0] += result.passed
                totals[1] += len(result.failures)
                totals[2] += result.skipped
    except EngineUnavailable as exc:
        print(f"engine {args.engine} unavailable: {exc}", file=sys.stderr)
        return 2
    print(f"total ({args.engine}, label {label}): {totals[0]} passed, {totals[1]} failed, "
          f"{totals[2]} skipped")
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main())
