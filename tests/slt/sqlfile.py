"""Run rowdb's SQL behaviour files (tests/sql/**/*.test) against any DB-API connection.

Where: test support; used by tests/test_slt_runner.py and as a command line:
    python tests/slt/sqlfile.py FILE... --engine postgres|rowdb|sqlite [--rewrite]

The format (see README.md here) is sqllogictest's, with PostgreSQL's meanings:
- `statement ok` / `statement error [SQLSTATE] [message substring]`;
- `query TYPES [nosort|rowsort]` then SQL, `----`, then one row per line, values separated
  by one tab, each rendered as PostgreSQL's text output (render.py): NULL, t/f, numbers
  as PostgreSQL prints them, `(empty)` for the empty string;
- TYPES has one letter per column and is checked against the driver's Python value:
  I int, R float or Decimal, B bool, T anything else (text, dates, arrays...); NULL fits all;
- `skipif ENGINE` / `onlyif ENGINE` (postgres, rowdb, sqlite) and `halt`;
- '#' lines are comments, except inside an expected block.
The connection must be in autocommit mode: the file's own BEGIN/COMMIT/ROLLBACK rule, and
after an error inside an explicit transaction the file itself rolls back.
"""

from __future__ import annotations

import argparse
import dataclasses
import decimal
import re
import sys
from pathlib import Path
from typing import Callable

if __package__ in (None, ""):  # run as a script: make `slt` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slt.engines import ENGINES, EngineUnavailable, open_engine, sqlite_sqlstate  # noqa: E402
from slt.render import render  # noqa: E402
from slt.sqllogictest import Failure, Result  # noqa: E402

SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
TYPE_LETTERS = "IRBT"
ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


@dataclasses.dataclass
class Record:
    line: int
    tokens: list[str]
    conditions: list[tuple[str, str]]
    sql: str = ""
    expected: list[str] | None = None
    expected_span: tuple[int, int] | None = None  # 0-based [start, end) of expected lines


def parse(text: str) -> list[Record]:
    """Records are runs of non-blank lines; '#' lines are comments outside result blocks."""
    records, group, in_results = [], [], False
    lines = text.split("\n")
    for index, raw in enumerate(lines + [""]):
        line = raw.removesuffix("\r")
        if not line.strip():
            if group:
                records.append(_record(group))
            group, in_results = [], False
            continue
        if line.startswith("#") and not in_results:
            continue
        group.append((index, line))
        in_results = in_results or (line == "----" and group[0][1].startswith(("query",
                                                                              "skipif",
                                                                              "onlyif")))
    return records


def _record(group: list[tuple[int, str]]) -> Record:
    conditions = []
    while len(group) > 1 and group[0][1].split()[0] in ("skipif", "onlyif"):
        tokens = group[0][1].split()
        conditions.append((tokens[0], tokens[1] if len(tokens) > 1 else ""))
        group = group[1:]
    index, header = group[0]
    record = Record(index + 1, header.split(), conditions)
    body = group[1:]
    texts = [text for _, text in body]
    if record.tokens[0] == "query" and "----" in texts:
        split = texts.index("----")
        record.sql = "\n".join(texts[:split])
        record.expected = texts[split + 1:]
        start = body[split][0] + 1
        record.expected_span = (start, body[-1][0] + 1 if record.expected else start)
    else:
        record.sql = "\n".join(texts)
    return record


def is_skipped(record: Record, engine_name: str) -> bool:
    for kind, name in record.conditions:
        if (kind == "skipif") == (name.lower() == engine_name.lower()):
            return True
    return False


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE a driver attached: psycopg and rowdb `sqlstate`, psycopg2 `pgcode`."""
    for attribute in ("sqlstate", "pgcode"):
        code = getattr(exc, attribute, None)
        if isinstance(code, str) and code:
            return code
    return sqlite_sqlstate(exc)


def render_cell(value, type_code=None) -> str:
    text = render(value, type_code)
    if text == "":
        return "(empty)"
    return "".join(ESCAPES.get(ch, ch) for ch in text)


def type_problem(letter: str, value) -> str | None:
    """Why `value` does not fit type letter `letter`, or None when it does."""
    if value is None or letter == "T" and not isinstance(
            value, (bool, int, float, decimal.Decimal)):
        return None
    fits = {"I": isinstance(value, int) and not isinstance(value, bool),
            "R": isinstance(value, (float, decimal.Decimal)),
            "B": isinstance(value, bool)}.get(letter, False)
    if fits:
        return None
    return f"type letter {letter} but the driver gave {type(value).__name__} {value!r}"


class SqlFileRunner:
    def __init__(self, path: str, conn, engine_name: str):
        self.path, self.conn, self.engine_name = path, conn, engine_name
        self.result = Result(path)
        self.actual: dict[int, list[str]] = {}  # record line -> rendered rows, for --rewrite

    def fail(self, record: Record, message: str, expected=(), got=()) -> None:
        self.result.failures.append(
            Failure(self.path, record.line, record.sql, message, list(expected), list(got)))

    def run(self, records: list[Record]) -> Result:
        for record in records:
            kind = record.tokens[0]
            if kind == "halt":
                self.result.halted = True
                break
            if is_skipped(record, self.engine_name):
                self.result.skipped += 1
                continue
            before = len(self.result.failures)
            if kind == "statement":
                self.run_statement(record)
            elif kind == "query":
                self.run_query(record)
            else:
                self.fail(record, f"unknown record type {kind!r}")
            self.result.passed += len(self.result.failures) == before
        return self.result

    def run_statement(self, record: Record) -> None:
        args = record.tokens[1:]
        if not args or args[0] not in ("ok", "error"):
            self.fail(record, "write `statement ok` or `statement error [SQLSTATE] [text]`")
            return
        try:
            self.fetch(record.sql)  # fetch too: a lazy cursor may fail on a later row
        except Exception as exc:  # noqa: BLE001 - any driver error is checked below
            self.check_error(record, args, exc)
            return
        if args[0] == "error":
            self.fail(record, "statement succeeded but an error was expected",
                      [" ".join(record.tokens)], ["ok"])

    def check_error(self, record: Record, args: list[str], exc: BaseException) -> None:
        code = sqlstate_of(exc)
        got = f"{code or '(no SQLSTATE)'} {type(exc).__name__}: {exc}"
        if args[0] == "ok":
            self.fail(record, f"statement failed: {got}")
            return
        header = record.tokens[0] + " " + " ".join(args)
        rest = " ".join(args[1:])
        want_code = args[1] if len(args) > 1 and SQLSTATE.match(args[1]) else None
        substring = " ".join(args[2:]) if want_code else rest
        if want_code and code != want_code:
            self.fail(record, "wrong SQLSTATE", [header], [got])
        elif substring and substring not in str(exc):
            self.fail(record, "error message lacks the expected text", [header], [got])

    def run_query(self, record: Record) -> None:
        types = record.tokens[1] if len(record.tokens) > 1 else ""
        sort_mode = record.tokens[2] if len(record.tokens) > 2 else "nosort"
        if not types or any(letter not in TYPE_LETTERS for letter in types):
            self.fail(record, f"bad type string {types!r}: one of {TYPE_LETTERS} per column")
            return
        if sort_mode not in ("nosort", "rowsort"):
            self.fail(record, f"unknown sort mode {sort_mode!r}: nosort or rowsort")
            return
        try:
            description, rows = self.fetch(record.sql)
        except Exception as exc:  # noqa: BLE001
            self.fail(record, "query failed: " + f"{sqlstate_of(exc) or '(no SQLSTATE)'} "
                      f"{type(exc).__name__}: {exc}")
            return
        if description is None:
            self.fail(record, "query returned no result set")
            return
        if len(description) != len(types):
            self.fail(record, f"query has {len(description)} columns but the type string "
                              f"{types!r} has {len(types)}")
            return
        codes = [column[1] for column in description]
        actual = [[render_cell(v, code) for v, code in zip(row, codes)] for row in rows]
        expected = [line.split("\t") for line in record.expected or []]
        if sort_mode == "rowsort":
            actual, expected = sorted(actual), sorted(expected)
        self.actual[record.line] = ["\t".join(row) for row in actual]
        if actual != expected:
            self.fail(record, "wrong result", ["\t".join(r) for r in expected],
                      ["\t".join(r) for r in actual])
            return
        problems = [f"row {n + 1} column {c + 1}: {problem}"
                    for n, row in enumerate(rows) for c, (letter, value)
                    in enumerate(zip(types, row)) if (problem := type_problem(letter, value))]
        if problems:
            self.fail(record, "result types differ from the type string: " + problems[0])

    def fetch(self, sql: str):
        """Rows of the last result set the SQL produced (a script may hold several)."""
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql)
            nextset = getattr(cursor, "nextset", None)
            while callable(nextset) and cursor.description is None and nextset():
                pass
            description = cursor.description
            rows = cursor.fetchall() if description is not None else []
            return description, rows
        finally:
            cursor.close()


def run_sql_file(path: str | Path, connect: Callable[[], object],
                 engine_name: str = "postgres") -> Result:
    """Run one file on a fresh connection from `connect()` (called once, then closed)."""
    return _run(path, connect, engine_name)[0]


def _run(path, connect, engine_name):
    records = parse(Path(path).read_text(encoding="utf-8"))
    conn = connect()
    if getattr(conn, "autocommit", None) is False:
        conn.autocommit = True
    runner = SqlFileRunner(str(path), conn, engine_name)
    try:
        return runner.run(records), runner, records
    finally:
        conn.close()


def rewrite(path: Path, runner: SqlFileRunner, records: list[Record]) -> int:
    """Replace each query's expected rows with what the engine gave; return the count."""
    lines = path.read_text(encoding="utf-8").split("\n")
    changed = 0
    for record in sorted(records, key=lambda r: r.line, reverse=True):
        actual = runner.actual.get(record.line)
        if actual is None or record.expected_span is None or actual == record.expected:
            continue
        start, end = record.expected_span
        lines[start:end] = actual
        changed += 1
    if changed:
        path.write_text("\n".join(lines), encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--engine", choices=ENGINES, default="postgres")
    parser.add_argument("--rewrite", action="store_true",
                        help="replace expected rows with the engine's; read the diff after")
    args = parser.parse_args(argv)
    failed = 0
    try:
        with open_engine(args.engine) as new_database:
            for path in args.files:
                result, runner, records = _run(path, new_database(), args.engine)
                for failure in result.failures:
                    print(failure, end="\n\n")
                print(result.summary())
                failed += len(result.failures)
                if args.rewrite:
                    print(f"{path}: rewrote {rewrite(path, runner, records)} expectations")
    except EngineUnavailable as exc:
        print(f"engine {args.engine} unavailable: {exc}", file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
