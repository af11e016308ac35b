"""The SQL test runners (tests/slt/) and the SQL behaviour files (tests/sql/).

(a) the runners themselves, on stdlib sqlite3: parsing, formatting, hashing, sorting,
    skipif/onlyif, error expectations, failure reports, rendering, --rewrite;
(b) every tests/sql/**/*.test file on a throwaway PostgreSQL 15 cluster (the oracle),
    plus render() against PostgreSQL's own text output and the sqllogictest samples;
(c) every tests/sql/**/*.test file on rowdb, skipped while `rowdb.connect` does not exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from slt import engines, sqlfile, sqllogictest
from slt.pg import pg_cluster  # noqa: F401 - the session fixture
from slt.render import render

TESTS = Path(__file__).resolve().parent
SQL_FILES = sorted(TESTS.glob("sql/**/*.test"))
SAMPLES_DIR = Path(os.environ.get("ROWDB_SQLLOGICTEST_DIR", TESTS / "sqllogictest"))
SAMPLES = ["select1.test", "select2.test"]


def file_id(path: Path) -> str:
    return path.relative_to(TESTS / "sql").as_posix()


def report(result) -> str:
    return "\n\n".join(map(str, result.failures)) or result.summary()


def run_slt(tmp_path, text: str, label: str = "postgresql", name: str = "case.test"):
    path = tmp_path / name
    path.write_text(text)
    return sqllogictest.run_file(path, engines.sqlite_connect, label=label)


def run_sql(tmp_path, text: str, engine: str = "sqlite", connect=engines.sqlite_connect):
    path = tmp_path / "case.test"
    path.write_text(text)
    return sqlfile.run_sql_file(path, connect, engine)


# ---------------------------------------------------------------- (a) sqllogictest runner

SLT_SCRIPT = """\
# a comment line is dropped
statement ok
CREATE TABLE t(a INTEGER, b TEXT)

statement ok
INSERT INTO t VALUES(1, 'x'), (2, ''), (3, NULL)

query IT nosort
SELECT a,
# comments are dropped inside SQL too
       b FROM t ORDER BY a
----
1
x
2
(empty)
3
NULL

halt

query I
SELECT 'never run'
"""


def test_parse_splits_records_and_drops_comments():
    records = sqllogictest.parse(SLT_SCRIPT)
    assert [r.tokens[0] for r in records] == ["statement", "statement", "query", "halt",
                                               "query"]
    query = records[2]
    assert query.line == 8
    assert query.tokens == ["query", "IT", "nosort"]
    assert query.sql == "SELECT a,\n       b FROM t ORDER BY a"
    assert query.expected == ["1", "x", "2", "(empty)", "3", "NULL"]
    assert records[0].expected is None


def test_run_file_passes_and_halts(tmp_path):
    result = run_slt(tmp_path, SLT_SCRIPT)
    assert result.ok, report(result)
    assert (result.passed, result.skipped, result.halted) == (3, 0, True)


@pytest.mark.parametrize("value, type_char, text", [
    (None, "I", "NULL"), (None, "T", "NULL"), (None, "R", "NULL"),
    (7, "I", "7"), (2.9, "I", "2"), (-2.9, "I", "-2"), (Decimal("7.5"), "I", "7"),
    (Decimal("-7.5"), "I", "-7"), (True, "I", "1"), ("12abc", "I", "12"), ("abc", "I", "0"),
    (" 3.9", "I", "3"), (float("inf"), "I", str(2**63 - 1)), (2**70, "I", str(2**63 - 1)),
    (1, "R", "1.000"), (Decimal("2.5"), "R", "2.500"), (1 / 3, "R", "0.333"),
    (-0.0001, "R", "-0.000"), ("1.25e1xyz", "R", "12.500"), (2.0005, "R", "2.001"),
    ("", "T", "(empty)"), ("a b", "T", "a b"), ("a\tb\n", "T", "a@b@"), ("é", "T", "@@"),
    ("~\x7f", "T", "~@"), (42, "T", "42"), (1.5, "T", "1.5"), (b"\x01", "T", "\\x01"),
])
def test_format_value_like_the_reference(value, type_char, text):
    assert sqllogictest.format_value(value, type_char) == text


def test_sort_modes():
    values = ["2", "b", "10", "a", "1", "c"]
    assert sqllogictest.sort_values(values, 2, "nosort") == values
    assert sqllogictest.sort_values(values, 2, "rowsort") == ["1", "c", "10", "a", "2", "b"]
    assert sqllogictest.sort_values(values, 2, "valuesort") == ["1", "10", "2", "a", "b",
                                                                 "c"]


def test_hash_is_md5_of_values_each_followed_by_newline():
    values = ["1", "NULL", "(empty)"]
    assert sqllogictest.hash_values(values) == hashlib.md5(b"1\nNULL\n(empty)\n").hexdigest()
    assert sqllogictest.hash_line([]) == "0 values hashing to d41d8cd98f00b204e9800998ecf8427e"


def test_hash_threshold_and_labels(tmp_path):
    digest = sqllogictest.hash_values(["1", "2", "3"])
    text = f"""\
hash-threshold 2

query I rowsort
VALUES (3), (1), (2)
----
3 values hashing to {digest}

query I valuesort same
VALUES (2), (3), (1)
----
1
2
3

query I rowsort same
VALUES (1), (2), (3)
----
1
2
3

query I nosort same
VALUES (1), (2), (4)
----
1
2
4
"""
    result = run_slt(tmp_path, text)
    assert [f.line for f in result.failures] == [22], report(result)
    assert "labeled result [same] does not agree" in result.failures[0].message


def test_wrong_hash_is_reported(tmp_path):
    result = run_slt(tmp_path, "query I\nVALUES (1)\n----\n1 values hashing to "
                               + "0" * 32 + "\n")
    assert not result.ok
    assert result.failures[0].message == "wrong result hash"
    assert result.failures[0].got[0] == sqllogictest.hash_line(["1"])


def test_rows_may_be_written_one_per_line(tmp_path):
    result = run_slt(tmp_path, "query ITI rowsort\nVALUES (2, 'b', NULL), (1, 'a', 3)\n"
                               "----\n1 a 3\n2 b NULL\n")
    assert result.ok, report(result)


def test_skipif_onlyif_use_our_label(tmp_path):
    text = """\
statement ok
CREATE TABLE t(x INTEGER)

onlyif mysql
statement ok
INSERT INTO t VALUES(1)

skipif postgresql
statement ok
INSERT INTO t VALUES(2)

onlyif PostgreSQL
statement ok
INSERT INTO t VALUES(4)

skipif mysql
skipif mssql
statement ok
INSERT INTO t VALUES(8)

query I
SELECT sum(x) FROM t
----
12
"""
    result = run_slt(tmp_path, text)
    assert result.ok, report(result)
    assert (result.passed, result.skipped) == (4, 2)
    assert not run_slt(tmp_path, text, label="sqlite").ok  # onlyif postgresql now skips


def test_failures_name_file_line_sql_expected_and_got(tmp_path):
    text = ("statement ok\nCREATE TABLE t(x INTEGER)\n\nstatement error\nSELECT x FROM t\n\n"
            "statement ok\nSELECT nope FROM t\n\nquery I\nSELECT 1\n----\n2\n\n"
            "query II\nSELECT 1\n----\n1\n\nquery X\nSELECT 1\n\nfrobnicate\n")
    result = run_slt(tmp_path, text, name="f.test")
    lines = [f.line for f in result.failures]
    assert lines == [4, 7, 10, 15, 20, 23], report(result)
    wrong = str(result.failures[2])
    assert wrong.startswith(f"{tmp_path / 'f.test'}:10: wrong result\n  SELECT 1\n")
    assert "expected:\n    2\n  got:\n    1" in wrong
    assert "succeeded but an error was expected" in result.failures[0].message
    assert "no such column" in result.failures[1].message
    assert "wrong number of result columns" in result.failures[3].message
    assert "unknown record type" in result.failures[5].message


def test_value_count_must_match(tmp_path):
    result = run_slt(tmp_path, "query I\nVALUES (1), (2)\n----\n1\n")
    assert not result.ok


@pytest.mark.parametrize("name", SAMPLES)
def test_reference_samples_pass_on_sqlite(name):
    path = SAMPLES_DIR / name
    if not path.exists():
        pytest.skip(f"{path} not found (set ROWDB_SQLLOGICTEST_DIR)")
    result = sqllogictest.run_file(path, engines.sqlite_connect, label="sqlite")
    assert result.ok, report(result)
    assert result.passed == 1031


@pytest.mark.parametrize("name", SAMPLES)
def test_reference_samples_pass_on_rowdb(tmp_path, name):
    """select1.test and select2.test pass completely on rowdb.connect()."""
    import rowdb

    path = SAMPLES_DIR / name
    result = sqllogictest.run_file(path, lambda: rowdb.connect(tmp_path / "db", autocommit=True),
                                   label="postgresql")
    assert result.ok, report(result)
    assert result.passed == 1031


def test_command_line(tmp_path, capsys):
    (tmp_path / "a.test").write_text("query I\nSELECT 1\n----\n1\n")
    assert sqllogictest.main([str(tmp_path / "a.test"), "--engine", "sqlite"]) == 0
    assert "1 passed, 0 failed, 0 skipped" in capsys.readouterr().out


# ---------------------------------------------------------------- (a) behaviour-file runner

SQL_SCRIPT = """\
# name: case.test
# description: a sample

statement ok
CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT NOT NULL, r REAL)

statement ok
INSERT INTO t VALUES (1, 'a', 1.5), (2, '', NULL), (3, 'tab\there', 0.25)

statement error 23505 UNIQUE constraint failed
INSERT INTO t VALUES (1, 'b', 0)

statement error 23502
INSERT INTO t VALUES (4, NULL, 0)

statement error no such table
SELECT * FROM missing

query ITR rowsort
SELECT id, s, r FROM t
----
3	tab\\there	0.25
1	a	1.5
2	(empty)	NULL

onlyif postgres
query I
SELECT 'not run on sqlite'
----
0

skipif sqlite
statement ok
THIS IS NOT SQL

query T
SELECT '# not a comment inside results'
----
# not a comment inside results
"""


def test_sql_parse_keeps_results_and_spans():
    records = sqlfile.parse(SQL_SCRIPT)
    assert [r.line for r in records] == [4, 7, 10, 13, 16, 19, 27, 33, 36]
    query = records[5]
    assert query.tokens == ["query", "ITR", "rowsort"]
    assert query.expected_span == (21, 24)
    assert records[6].conditions == [("onlyif", "postgres")]
    assert records[-1].expected == ["# not a comment inside results"]


def test_sql_file_passes_on_sqlite(tmp_path):
    result = run_sql(tmp_path, SQL_SCRIPT)
    assert result.ok, report(result)
    assert (result.passed, result.skipped) == (7, 2)


def test_sql_file_error_expectations(tmp_path):
    text = ("statement ok\nCREATE TABLE t (id INTEGER PRIMARY KEY)\n\n"
            "statement error 23505\nINSERT INTO t VALUES (1), (1)\n\n"
            "statement error 42P01\nINSERT INTO t VALUES (1), (1)\n\n"
            "statement error 23505 some other text\nINSERT INTO t VALUES (1), (1)\n\n"
            "statement error\nSELECT 1\n\n"
            "statement ok\nSELECT nope\n\n"
            "statement maybe\nSELECT 1\n")
    result = run_sql(tmp_path, text)
    messages = [(f.line, f.message.split(":")[0]) for f in result.failures]
    assert messages == [(7, "wrong SQLSTATE"), (10, "error message lacks the expected text"),
                        (13, "statement succeeded but an error was expected"),
                        (16, "statement failed"), (19, "write `statement ok` or "
                                                        "`statement error [SQLSTATE] [text]`")]
    assert "23505 IntegrityError" in result.failures[0].got[0]


class FakeError(Exception):
    sqlstate = "22012"


class FakeCursor:
    description = None

    def execute(self, sql):
        raise FakeError("division by zero")

    def close(self):
        pass


class FakeConnection:
    autocommit = True

    def cursor(self):
        return FakeCursor()

    def close(self):
        pass


def test_sql_file_reads_sqlstate_attribute(tmp_path):
    text = "statement error 22012 division by zero\nSELECT 1/0\n"
    assert run_sql(tmp_path, text, "rowdb", FakeConnection).ok


def test_sql_file_checks_type_letters_and_columns(tmp_path):
    text = ("query I\nSELECT '1'\n----\n1\n\nquery R\nSELECT 1\n----\n1\n\n"
            "query T\nSELECT 1.5\n----\n1.5\n\nquery II\nSELECT 1\n----\n1\n\n"
            "query B\nSELECT NULL\n----\nNULL\n\nquery Q\nSELECT 1\n")
    result = run_sql(tmp_path, text)
    assert [f.line for f in result.failures] == [1, 6, 11, 16, 26], report(result)
    assert "type letter I but the driver gave str '1'" in result.failures[0].message


def test_sql_file_reports_wrong_rows(tmp_path):
    result = run_sql(tmp_path, "query IT\nVALUES (1, 'a'), (2, 'b')\n----\n2\tb\n1\ta\n")
    assert str(result.failures[0]).endswith("expected:\n    2\tb\n    1\ta\n"
                                            "  got:\n    1\ta\n    2\tb")
    assert run_sql(tmp_path, "query IT rowsort\nVALUES (1, 'a'), (2, 'b')\n----\n"
                             "2\tb\n1\ta\n").ok


def test_rewrite_takes_the_engine_rows(tmp_path):
    path = tmp_path / "r.test"
    path.write_text("# name: r\n\nquery I\nSELECT 1\n----\n5\n\nquery IT\nVALUES (2, 'x')\n"
                    "----\n\nstatement ok\nSELECT 1\n")
    assert sqlfile.main([str(path), "--engine", "sqlite", "--rewrite"]) == 1
    assert path.read_text() == ("# name: r\n\nquery I\nSELECT 1\n----\n1\n\nquery IT\n"
                                "VALUES (2, 'x')\n----\n2\tx\n\nstatement ok\nSELECT 1\n")
    assert sqlfile.main([str(path), "--engine", "sqlite"]) == 0


@pytest.mark.parametrize("value, type_code, text", [
    (None, None, "NULL"), (True, None, "t"), (False, None, "f"), (-12, None, "-12"),
    (0.1, None, "0.1"), (1e15, None, "1e+15"), (123456789012345.0, None, "123456789012345"),
    (1e-5, None, "1e-05"), (0.0001, None, "0.0001"), (-0.0, None, "-0"), (100.0, None, "100"),
    (float("inf"), None, "Infinity"), (float("-inf"), None, "-Infinity"),
    (float("nan"), None, "NaN"), (1 / 3, None, "0.3333333333333333"),
    (0.1, 700, "0.1"), (1e6, 700, "1e+06"), (123456.0, 700, "123456"),
    (Decimal("2.50"), None, "2.50"), (Decimal("1E+2"), None, "100"),
    (Decimal("1E-7"), None, "0.0000001"), (Decimal("NaN"), None, "NaN"),
    ("", None, ""), (b"\x00\xff", None, "\\x00ff"), (dt.date(2024, 2, 29), None, "2024-02-29"),
    (dt.datetime(2024, 1, 2, 3, 4, 5), None, "2024-01-02 03:04:05"),
    (dt.datetime(2024, 1, 2, 3, 4, 5, 500000), None, "2024-01-02 03:04:05.5"),
    (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
     None, "2024-01-02 03:04:05+05:30"),
    (dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc), None, "2024-01-02 00:00:00+00"),
    (dt.time(1, 2, 3, 250000), None, "01:02:03.25"),
    (dt.timedelta(days=1), None, "1 day"), (dt.timedelta(days=-1), None, "-1 days"),
    (dt.timedelta(days=2, hours=1, minutes=30), None, "2 days 01:30:00"),
    (dt.timedelta(hours=-1), None, "-01:00:00"), (dt.timedelta(0), None, "00:00:00"),
    ([1, None, 3], None, "{1,NULL,3}"),
    ([["a", "b c"], ["", "NULL"]], None, '{{a,"b c"},{"","NULL"}}'),
    (['x"y', "a\\b"], None, '{"x\\"y","a\\\\b"}'), ([], None, "{}"),
    ({"a": [1, "x"], "b": None}, 3802, '{"a": [1, "x"], "b": null}'), ([1, 2], 3802, "[1, 2]"),
    (uuid.UUID(int=1), None, "00000000-0000-0000-0000-000000000001"),
])
def test_render_like_postgresql(value, type_code, text):
    assert render(value, type_code) == text


def test_sql_cells_mark_empty_and_escape_control_characters():
    assert sqlfile.render_cell("") == "(empty)"
    assert sqlfile.render_cell("a\tb\nc") == "a\\tb\\nc"


@pytest.mark.parametrize("path", SQL_FILES, ids=file_id)
def test_sql_file_is_well_formed(path):
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == f"# name: {path.relative_to(TESTS.parent).as_posix()}"
    assert lines[1].startswith("# description: ") and len(lines[1]) > len("# description: ")
    records = sqlfile.parse(text)
    assert records, "a test file needs records"
    for record in records:
        assert record.tokens[0] in ("statement", "query", "halt"), record.line
        assert record.tokens[0] != "halt", f"{path}:{record.line}: halt left in"
        if record.tokens[0] == "query":
            assert record.expected is not None, f"{path}:{record.line}: query without ----"
            columns = len(record.tokens[1])
            for row in record.expected:
                assert len(row.split("\t")) == columns, f"{path}:{record.line}: {row!r}"


# ---------------------------------------------------------------- (b) PostgreSQL 15


@pytest.mark.parametrize("path", SQL_FILES, ids=file_id)
def test_sql_file_on_postgresql(pg_cluster, path):  # noqa: F811 - fixture
    result = sqlfile.run_sql_file(path, pg_cluster.new_database(), "postgres")
    assert result.ok, report(result)


def test_postgresql_is_version_15(pg_cluster):  # noqa: F811
    assert pg_cluster.server_version().startswith("15"), pg_cluster.server_version()


@pytest.mark.parametrize("name", SAMPLES)
def test_reference_samples_pass_on_postgresql(pg_cluster, name):  # noqa: F811
    path = SAMPLES_DIR / name
    if not path.exists():
        pytest.skip(f"{path} not found (set ROWDB_SQLLOGICTEST_DIR)")
    result = sqllogictest.run_file(path, pg_cluster.new_database())
    assert result.ok, report(result)
    assert result.passed == 1031


RENDERED_EXPRESSIONS = [
    "1::float4", "0.1::float4", "1234567::float4", "1e-5::float4", "'NaN'::float4",
    "0.1::float8", "1e15::float8", "1e-5::float8", "123456789012345678::float8", "'-0'::float8",
    "1234567890123456::float8", "0.00012345::float8", "1.5e300::float8", "1::float8/3",
    "'-Infinity'::float8", "1.50::numeric", "0.0000001::numeric", "1e20::numeric",
    "'NaN'::numeric", "avg(x)", "true", "false", "(-9223372036854775808)::bigint",
    "32767::smallint", "''::text", "'x'::char(3)", "'\\x00ff'::bytea", "date '0001-01-01'",
    "timestamp '2024-01-02 03:04:05.123456'", "timestamptz '2024-01-02 03:04:05+02'",
    "time '01:02:03.25'", "timetz '01:02:03+05:30'", "interval '-1 day -02:00:00'",
    "interval '1 day 02:03:04'", "interval '1.5 seconds'", "ARRAY[1,2,NULL]",
    "ARRAY['a','b c','','NULL',NULL,'x\"y','a\\b']", "ARRAY[[1,2],[3,4]]", "ARRAY[]::int[]",
    "ARRAY[true,false]", "ARRAY[0.1]::float4[]", "'{\"b\": 1, \"a\": [1, \"x\"]}'::jsonb",
    "'[1,2]'::jsonb", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", "'192.168.0.1'::inet",
]


def test_render_matches_postgresql_text_output(pg_cluster):  # noqa: F811
    """Each value through psycopg and render() equals PostgreSQL's own text output."""
    from psycopg.adapt import Loader

    class RawText(Loader):
        def load(self, data):
            return bytes(data).decode()

    connect = pg_cluster.new_database()
    with connect() as typed, connect() as raw:
        raw.execute("CREATE TABLE t (x INT); INSERT INTO t VALUES (1), (2)")
        mismatches = []
        for expression in RENDERED_EXPRESSIONS:
            sql = f"SELECT {expression}" + (" FROM t" if "(x)" in expression else "")
            cursor = typed.execute(sql)
            value, code = cursor.fetchone()[0], cursor.description[0].type_code
            raw.adapters.register_loader(code, RawText)
            text = raw.execute(sql).fetchone()[0]
            if render(value, code) != text:
                mismatches.append(f"{expression}: {render(value, code)!r} != {text!r}")
    assert not mismatches, "\n".join(mismatches)


# ---------------------------------------------------------------- (c) rowdb


@pytest.mark.parametrize("path", SQL_FILES, ids=file_id)
def test_sql_file_on_rowdb(tmp_path, path):
    reason = engines.rowdb_available()
    if reason:
        pytest.skip(reason)
    result = sqlfile.run_sql_file(path, lambda: engines.rowdb_connect(tmp_path), "rowdb")
    assert result.ok, report(result)


def test_rowdb_engine_uses_rowdb_connect(monkeypatch):
    """Until rowdb.connect exists, a stand-in shows the factory's contract."""
    import rowdb

    opened = []

    def fake_connect(path):
        opened.append(Path(path))
        return sqlite3.connect(Path(path) / "db.sqlite", isolation_level=None)

    monkeypatch.setattr(rowdb, "connect", fake_connect, raising=False)
    with engines.open_engine("rowdb") as new_database:
        first, second = new_database(), new_database()
        first().execute("CREATE TABLE t (x INTEGER)")
        assert first().execute("SELECT count(*) FROM t").fetchone() == (0,)
        with pytest.raises(sqlite3.OperationalError):
            second().execute("SELECT * FROM t")
    assert len(set(opened)) == 2 and opened[0].is_dir() is False  # cleaned up


def test_sqlite_errors_get_postgresql_sqlstates():
    conn = engines.sqlite_connect()
    conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b NOT NULL)")
    conn.execute("INSERT INTO t VALUES (1, 1)")
    cases = {"INSERT INTO t VALUES (1, 2)": "23505", "INSERT INTO t VALUES (2, NULL)": "23502",
             "SELECT * FROM nope": "42P01", "CREATE TABLE t (x)": "42P07",
             "SELECT nope FROM t": "42703", "SELEC 1": "42601"}
    for sql, code in cases.items():
        with pytest.raises(sqlite3.Error) as caught:
            conn.execute(sql)
        assert sqlfile.sqlstate_of(caught.value) == code, sql
