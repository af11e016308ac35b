"""rowdb.connect(): the PEP 249 surface, transactions, persistence, and every SQLSTATE the SQL
core promises, each checked together with the data being unchanged afterwards."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest

import rowdb


@pytest.fixture
def conn(tmp_path):
    connection = rowdb.connect(tmp_path / "db", autocommit=True)
    yield connection
    connection.close()


def rows(conn, sql, params=None):
    cur = conn.cursor()
    cur.execute(sql, params)
    return cur.fetchall()


def test_module_attributes():
    assert rowdb.apilevel == "2.0"
    assert rowdb.threadsafety == 1
    assert rowdb.paramstyle == "pyformat"
    assert issubclass(rowdb.IntegrityError, rowdb.DatabaseError)
    assert issubclass(rowdb.DatabaseError, rowdb.Error)
    assert issubclass(rowdb.ProgrammingError, rowdb.Error)


def test_connect_creates_the_repository(tmp_path):
    target = tmp_path / "new" / "repo"
    with rowdb.connect(target) as connection:
        connection.cursor().execute("CREATE TABLE t (id int PRIMARY KEY)")
    assert (target / ".rowdb" / "data.mdb").exists()


def test_cursor_results_and_description(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id bigint PRIMARY KEY, name text, price numeric(6,2), "
                "ok boolean, d date)")
    assert cur.description is None
    cur.execute("INSERT INTO t VALUES (1, 'a', 1.5, true, '2024-01-02'), "
                "(2, 'b', NULL, false, NULL)")
    assert cur.rowcount == 2
    cur.execute("SELECT id, name, price, ok, d FROM t ORDER BY id")
    assert [d[0] for d in cur.description] == ["id", "name", "price", "ok", "d"]
    assert [d[1] for d in cur.description] == [20, 25, 1700, 16, 1082]
    assert cur.rowcount == 2
    assert cur.fetchone() == (1, "a", Decimal("1.50"), True, datetime.date(2024, 1, 2))
    assert cur.fetchmany(5) == [(2, "b", None, False, None)]
    assert cur.fetchone() is None
    cur.execute("SELECT id FROM t ORDER BY id")
    assert list(cur) == [(1,), (2,)]


def test_parameters_both_styles(conn):
    conn.cursor().execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    conn.cursor().execute("INSERT INTO t VALUES (%s, %s)", (1, "x"))
    conn.cursor().execute("INSERT INTO t VALUES (%(id)s, %(v)s)", {"id": 2, "v": "y"})
    assert rows(conn, "SELECT v FROM t WHERE id = %s", (2,)) == [("y",)]
    assert rows(conn, "SELECT id FROM t WHERE v = %(v)s OR id = %(n)s ORDER BY id",
                {"v": "x", "n": 2}) == [(1,), (2,)]
    assert rows(conn, "SELECT '50%%' || v FROM t WHERE id = %s", (1,)) == [("50%x",)]
    assert rows(conn, "SELECT '50%' || 'x'") == [("50%x",)]  # no params: % is plain


def test_executemany_loads_rows(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    cur.executemany("INSERT INTO t VALUES (%s, %s)", [(i, f"v{i}") for i in range(500)])
    assert cur.rowcount == 500
    assert rows(conn, "SELECT count(*), min(id), max(id) FROM t") == [(500, 0, 499)]


def test_transactions_commit_rollback_and_persistence(tmp_path):
    path = tmp_path / "db"
    first = rowdb.connect(path)
    assert first.autocommit is False
    cur = first.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY)")
    cur.execute("INSERT INTO t VALUES (1)")
    first.commit()
    cur.execute("INSERT INTO t VALUES (2)")
    first.rollback()
    cur.execute("INSERT INTO t VALUES (3)")
    first.close()  # uncommitted work is discarded
    second = rowdb.connect(path)
    assert rows(second, "SELECT id FROM t ORDER BY id") == [(1,)]
    second.close()


def test_connection_context_manager_commits(tmp_path):
    with rowdb.connect(tmp_path / "db") as connection:
        connection.cursor().execute("CREATE TABLE t (id int)")
        connection.cursor().execute("INSERT INTO t VALUES (1)")
    with rowdb.connect(tmp_path / "db") as connection:
        assert rows(connection, "SELECT id FROM t") == [(1,)]


def test_other_connections_see_only_committed_work(tmp_path):
    writer = rowdb.connect(tmp_path / "db")
    reader = rowdb.connect(tmp_path / "db", autocommit=True)
    writer.cursor().execute("CREATE TABLE t (id int PRIMARY KEY)")
    writer.commit()
    writer.cursor().execute("INSERT INTO t VALUES (1)")
    assert rows(reader, "SELECT count(*) FROM t") == [(0,)]
    writer.commit()
    assert rows(reader, "SELECT count(*) FROM t") == [(1,)]


def test_concurrent_autocommit_writers_lose_nothing(tmp_path):
    setup = rowdb.connect(tmp_path / "db", autocommit=True)
    setup.cursor().execute("CREATE TABLE t (id int PRIMARY KEY, who text)")

    def work(n):
        connection = rowdb.connect(tmp_path / "db", autocommit=True)
        for i in range(30):
            connection.cursor().execute("INSERT INTO t VALUES (%s, %s)", (n * 1000 + i, str(n)))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert rows(setup, "SELECT count(*) FROM t") == [(120,)]


def test_conflicting_explicit_transactions_fail_with_40001(tmp_path):
    a = rowdb.connect(tmp_path / "db")
    b = rowdb.connect(tmp_path / "db")
    a.cursor().execute("CREATE TABLE t (id int PRIMARY KEY, v int)")
    a.cursor().execute("INSERT INTO t VALUES (1, 0)")
    a.commit()
    a.cursor().execute("UPDATE t SET v = 1 WHERE id = 1")
    b.cursor().execute("UPDATE t SET v = 2 WHERE id = 1")
    a.commit()
    with pytest.raises(rowdb.OperationalError) as err:
        b.commit()
    assert err.value.sqlstate == "40001"
    assert rows(a, "SELECT v FROM t") == [(1,)]


SETUP = ["CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, qty smallint)",
         "INSERT INTO t VALUES (1, 'a', 10), (2, 'b', 20)"]
ERRORS = [
    ("42601", "SELEC id FROM t"),
    ("42P01", "SELECT * FROM missing"),
    ("42P07", "CREATE TABLE t (x int)"),
    ("42703", "SELECT nope FROM t"),
    ("42804", "SELECT id FROM t WHERE name"),
    ("42883", "SELECT id FROM t WHERE id = 'a'::text"),
    ("22P02", "INSERT INTO t VALUES (3, 'c', 'many')"),
    ("22003", "INSERT INTO t VALUES (3, 'c', 40000)"),
    ("22012", "UPDATE t SET qty = qty / 0"),
    ("23502", "INSERT INTO t VALUES (3, NULL, 1)"),
    ("23505", "INSERT INTO t VALUES (3, 'c', 1), (1, 'dup', 1)"),
]


@pytest.mark.parametrize("sqlstate, sql", ERRORS)
def test_errors_carry_sqlstate_and_change_nothing(tmp_path, sqlstate, sql):
    connection = rowdb.connect(tmp_path / "db", autocommit=True)
    for statement in SETUP:
        connection.cursor().execute(statement)
    before = rows(connection, "SELECT * FROM t ORDER BY id")
    with pytest.raises(rowdb.Error) as err:
        connection.cursor().execute(sql)
    assert err.value.sqlstate == sqlstate, err.value
    assert str(err.value)
    assert rows(connection, "SELECT * FROM t ORDER BY id") == before
    reopened = rowdb.connect(tmp_path / "db", autocommit=True)
    assert rows(reopened, "SELECT * FROM t ORDER BY id") == before


def test_failed_transaction_state_25p02(tmp_path):
    connection = rowdb.connect(tmp_path / "db")
    cur = connection.cursor()
    for statement in SETUP:
        cur.execute(statement)
    connection.commit()
    cur.execute("INSERT INTO t VALUES (5, 'e', 1)")
    with pytest.raises(rowdb.IntegrityError):
        cur.execute("INSERT INTO t VALUES (1, 'dup', 1)")
    with pytest.raises(rowdb.Error) as err:
        cur.execute("SELECT 1")
    assert err.value.sqlstate == "25P02"
    connection.rollback()
    assert rows(connection, "SELECT id FROM t ORDER BY id") == [(1,), (2,)]


def test_syntax_error_has_a_position(conn):
    with pytest.raises(rowdb.ProgrammingError) as err:
        conn.cursor().execute("SELECT 1 FROM WHERE")
    assert err.value.sqlstate == "42601"
    assert err.value.position is not None


def test_closed_connection_and_cursor_are_refused(tmp_path):
    connection = rowdb.connect(tmp_path / "db")
    cur = connection.cursor()
    cur.close()
    with pytest.raises(rowdb.InterfaceError):
        cur.execute("SELECT 1")
    connection.close()
    with pytest.raises(rowdb.OperationalError) as info:  # as psycopg
        connection.cursor()
    assert info.value.sqlstate is None


def test_fetch_without_result_is_an_error(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id int)")
    with pytest.raises(rowdb.ProgrammingError):
        cur.fetchall()


def test_missing_parameter_is_refused(conn):
    """As psycopg: too few, too many or a missing name is a ProgrammingError."""
    with pytest.raises(rowdb.ProgrammingError):
        conn.cursor().execute("SELECT %s, %s", (1,))
    with pytest.raises(rowdb.ProgrammingError):
        conn.cursor().execute("SELECT %s", (1, 2))
    with pytest.raises(rowdb.ProgrammingError):
        conn.cursor().execute("SELECT %(a)s", {"b": 1})


def test_concurrent_transactions_on_different_cells_merge(tmp_path):
    a = rowdb.connect(tmp_path / "db")
    b = rowdb.connect(tmp_path / "db")
    a.cursor().execute("CREATE TABLE t (id int PRIMARY KEY, x int, y int)")
    a.cursor().execute("INSERT INTO t VALUES (1, 0, 0), (2, 0, 0)")
    a.commit()
    a.cursor().execute("UPDATE t SET x = 1 WHERE id = 1")
    a.cursor().execute("INSERT INTO t VALUES (3, 3, 3)")
    b.cursor().execute("UPDATE t SET y = 2 WHERE id = 1")
    b.cursor().execute("DELETE FROM t WHERE id = 2")
    a.commit()
    b.commit()
    assert rows(a, "SELECT * FROM t ORDER BY id") == [(1, 1, 2), (3, 3, 3)]


def test_bad_parameters_are_clear_errors(conn):
    conn.cursor().execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    for params, state in [((2**70, "x"), "22003"), (({"a": 1}, "x"), "22023"),
                          ((1, object()), "22023"), (("abc", "x"), "22P02")]:
        with pytest.raises(rowdb.Error) as err:
            conn.cursor().execute("INSERT INTO t VALUES (%s, %s)", params)
        assert err.value.sqlstate == state, params
    assert rows(conn, "SELECT count(*) FROM t") == [(0,)]


def test_killed_process_loses_no_committed_transaction(tmp_path):
    """SIGKILL a writer mid-stream: every transaction it reported committed is there."""
    import os
    import signal
    import subprocess
    import sys
    import textwrap
    import time

    code = textwrap.dedent(f"""
        import rowdb
        conn = rowdb.connect({str(tmp_path / 'db')!r})
        cur = conn.cursor()
        cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        conn.commit()
        i = 0
        while True:
            cur.executemany("INSERT INTO t VALUES (%s, %s)",
                            [(i * 100 + k, "x" * 50) for k in range(100)])
            conn.commit()
            print(i, flush=True)
            i += 1
    """)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=root))
    committed = -1
    deadline = time.time() + 60
    while committed < 20 and time.time() < deadline:
        committed = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    reopened = rowdb.connect(tmp_path / "db", autocommit=True)
    count = rows(reopened, "SELECT count(*) FROM t")[0][0]
    assert count >= (committed + 1) * 100
    assert count % 100 == 0  # whole transactions only


def test_many_table_join_is_planned_as_joins_not_a_cross_product(tmp_path):
    """Eight 10-row tables joined in WHERE (as sqllogictest's select5 does), checked
    against sqlite3; a cross product would be 10^8 rows."""
    import random
    import sqlite3

    rng = random.Random(4)
    conn = rowdb.connect(tmp_path / "db", autocommit=True)
    lite = sqlite3.connect(":memory:")
    for i in range(1, 9):
        ddl = f"CREATE TABLE t{i}(a{i} INTEGER PRIMARY KEY, b{i} INTEGER, x{i} VARCHAR(40))"
        data = [(k, rng.randrange(12), f"t{i} row {k}") for k in range(1, 11)]
        conn.cursor().execute(ddl)
        conn.cursor().executemany(f"INSERT INTO t{i} VALUES (%s, %s, %s)", data)
        lite.execute(ddl)
        lite.executemany(f"INSERT INTO t{i} VALUES (?, ?, ?)", data)
    query = ("SELECT x1, x2, x3, x4, x5, x6, x7, x8 FROM t8, t7, t6, t5, t4, t3, t2, t1 "
             "WHERE a1 = b2 AND a2 = b3 AND a3 = b4 AND a4 = b5 AND a5 = b6 AND a6 = b7 "
             "AND a7 = b8 AND (b1 > 2 OR a8 IN (3, 5, 7))")
    assert sorted(rows(conn, query)) == sorted(lite.execute(query).fetchall())
    query = "SELECT count(*) FROM t1 JOIN t2 ON a1 = b2 JOIN t3 ON a2 = b3 WHERE b1 > 3"
    assert rows(conn, query) == lite.execute(query).fetchall()


def test_processes_writing_one_branch_merge_at_commit(tmp_path):
    """Four processes update different rows of one table in explicit transactions at the
    same time: every change lands (transactions merge into the moved branch)."""
    import os
    import subprocess
    import sys
    import textwrap

    setup = rowdb.connect(tmp_path / "db", autocommit=True)
    setup.cursor().execute("CREATE TABLE t (id int PRIMARY KEY, n int)")
    setup.cursor().executemany("INSERT INTO t VALUES (%s, 0)", [(i,) for i in range(40)])
    code = textwrap.dedent(f"""
        import sys, rowdb
        me = int(sys.argv[1])
        conn = rowdb.connect({str(tmp_path / 'db')!r})
        for step in range(10):
            cur = conn.cursor()
            cur.execute("UPDATE t SET n = n + 1 WHERE id %% 4 = %s", (me,))
            cur.execute("INSERT INTO t VALUES (%s, %s)", (1000 + me * 100 + step, me))
            conn.commit()
    """)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    procs = [subprocess.Popen([sys.executable, "-c", code, str(n)],
                              env=dict(os.environ, PYTHONPATH=root), stderr=subprocess.PIPE,
                              text=True) for n in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert rows(setup, "SELECT min(n), max(n), count(*) FROM t WHERE id < 40") == [(10, 10, 40)]
    assert rows(setup, "SELECT count(*) FROM t WHERE id >= 1000") == [(40,)]


def test_errors_naming_a_column_or_table_carry_its_position(conn):
    conn.cursor().execute("CREATE TABLE t (id int)")
    for sql, word in [("SELECT nope FROM t", "nope"), ("SELECT id FROM missing", "missing"),
                      ("SELECT 1; SELECT id, zz FROM t", "zz")]:
        with pytest.raises(rowdb.ProgrammingError) as err:
            conn.cursor().execute(sql)
        position = err.value.position
        assert sql[position - 1:position - 1 + len(word)] == word


def test_executemany_bulk_path_checks_every_row(conn):
    """The one-batch load path checks types, NULLs and keys column-wise: each bad row still
    fails the statement with the right SQLSTATE, and nothing of it is kept."""
    conn.autocommit = False  # one transaction per executemany (autocommit keeps earlier rows)
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id bigint PRIMARY KEY, v text NOT NULL, n numeric, d date)")
    conn.commit()
    good = [(i, f"v{i}", i * 10, datetime.date(2024, 1, 1 + i % 28)) for i in range(1000)]
    cases = [
        (good[:500] + [(500, None, 1, None)] + good[501:], "23502"),
        (good[:700] + [(3, "again", 1, None)] + good[701:], "23505"),
    ]
    for rows_in, code in cases:
        with pytest.raises(rowdb.Error) as info:
            cur.executemany("INSERT INTO t VALUES (%s, %s, %s, %s)", rows_in)
        assert info.value.sqlstate == code
        conn.rollback()
        assert rows(conn, "SELECT count(*) FROM t") == [(0,)]
    # NULLs mixed into typed columns, ints beyond bigint, and mixed int/Decimal still load.
    mixed = [(i, f"v{i}", None if i % 3 else 2 ** 70 + i, None if i % 2 else
              datetime.date(2024, 2, 1)) for i in range(300)]
    mixed += [(1000, "d", Decimal("1.5"), None)]
    cur.executemany("INSERT INTO t VALUES (%s, %s, %s, %s)", mixed)
    conn.commit()
    assert rows(conn, "SELECT count(*), count(n), count(d), max(n) FROM t") == [
        (301, 101, 150, Decimal(2 ** 70 + 297))]
    assert rows(conn, "SELECT v, n, d FROM t WHERE id = 0") == [
        ("v0", Decimal(2 ** 70), datetime.date(2024, 2, 1))]


def test_a_session_whose_branch_another_deleted_gets_a_clear_error(tmp_path):
    path = tmp_path / "db"
    first = rowdb.connect(path, autocommit=True)
    first.cursor().execute("SELECT rowdb_branch('feature')")
    other = rowdb.connect(path, branch="feature", autocommit=True)
    other.cursor().execute("SELECT 1")
    first.cursor().execute("SELECT rowdb_branch('-d', 'feature')")
    with pytest.raises(rowdb.Error) as info:
        other.cursor().execute("SELECT 1")
    assert info.value.sqlstate == "42704" and "feature" in str(info.value)
    assert rows(first, "SELECT count(*) FROM rowdb_branches WHERE name = 'feature'") == [(0,)]


def test_executemany_into_an_empty_table_builds_the_same_tree(tmp_path):
    """A load into an empty table is built straight from the sorted rows: shuffled ids, list
    parameter sets and a later load into the filled table give the rows and the very tree
    that loading in key order, in small batches, gives."""
    import random

    data = [(i, f"name-{i % 977}", i * 0.5, datetime.date(2024, 1, 1 + i % 28))
            for i in range(1, 20_001)]
    shuffled = data[:]
    random.Random(3).shuffle(shuffled)
    roots = []
    for name, batches in [("bulk", [shuffled[:15_000], [list(r) for r in shuffled[15_000:]]]),
                          ("small", [data[k:k + 700] for k in range(0, len(data), 700)])]:
        conn = rowdb.connect(tmp_path / name)
        cur = conn.cursor()
        cur.execute("CREATE TABLE t (id bigint PRIMARY KEY, b text, c float8, d date)")
        for batch in batches:
            cur.executemany("INSERT INTO t VALUES (%s, %s, %s, %s)", batch)
            assert cur.rowcount == len(batch)
        conn.commit()
        assert rows(conn, "SELECT * FROM t ORDER BY id") == data
        assert rows(conn, "SELECT * FROM t WHERE id = 777") == [data[776]]
        roots.append(conn.session._open().tables["t"].data)
        conn.close()
    assert roots[0] == roots[1]


def test_executemany_into_an_empty_table_refuses_bad_keys(conn):
    """The empty-table build path still names duplicates (23505) and over-long keys (54000),
    and keeps nothing of the failed statement."""
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (k text PRIMARY KEY, v int)")
    conn.commit()
    cases = [([(f"k{i}", i) for i in range(500)] + [("k7", 1)], "23505"),
             ([(f"k{i}", i) for i in range(500)] + [("x" * 5000, 1)], "54000")]
    for rows_in, code in cases:
        with pytest.raises(rowdb.Error) as info:
            cur.executemany("INSERT INTO t VALUES (%s, %s)", rows_in)
        assert info.value.sqlstate == code
        conn.rollback()
        assert rows(conn, "SELECT count(*) FROM t") == [(0,)]


def test_executemany_upsert_matches_row_by_row(tmp_path):
    """The bulk upsert path (ON CONFLICT on the primary key) gives what the same rows give
    one execute at a time: updates with WHERE, inserts, NOT NULL checks on the proposed row
    (even when it conflicts, as PostgreSQL), a key repeated in the batch (each parameter set
    is its own statement), and parameters inside SET (which take the row-by-row path)."""
    import random

    rng = random.Random(9)
    upsert = ("INSERT INTO t VALUES (%s, %s, %s) ON CONFLICT (id) DO UPDATE "
              "SET a = excluded.a + t.a, b = excluded.b WHERE t.a < 50")
    batches = [[(rng.randrange(1, 400), rng.randrange(100), f"s{rng.randrange(9)}")
                for _ in range(150)] for _ in range(4)]
    batches = [list({row[0]: row for row in batch}.values()) for batch in batches]
    batches.append([(7, 1, "k"), (7, 2, "l"), (8, 5, "m")])  # a key twice: run in order
    results = []
    for mode in ("many", "each"):
        conn = rowdb.connect(tmp_path / mode)
        cur = conn.cursor()
        cur.execute("CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b text)")
        cur.executemany("INSERT INTO t VALUES (%s, %s, %s)", [(i, i % 60, "x")
                                                              for i in range(1, 300, 2)])
        conn.commit()
        for batch in batches:
            if mode == "many":
                cur.executemany(upsert, batch)
            else:
                for row in batch:
                    cur.execute(upsert, row)
            conn.commit()
        results.append(rows(conn, "SELECT * FROM t ORDER BY id"))
        for bad, code in [([(2, None, "y")], "23502"), ([(3, None, "y")], "23502")]:
            with pytest.raises(rowdb.Error) as info:
                cur.executemany(upsert, bad)
            assert info.value.sqlstate == code
            conn.rollback()
        assert rows(conn, "SELECT * FROM t ORDER BY id") == results[-1]
        cur.executemany("INSERT INTO t VALUES (%s, %s, %s) ON CONFLICT (id) DO UPDATE "
                        "SET a = %s", [(5, 1, "p", 77)])
        conn.commit()
        assert rows(conn, "SELECT a FROM t WHERE id = 5") == [(77,)]
        conn.close()
    assert results[0] == results[1]


def test_executemany_update_and_delete_run_one_plan(conn):
    """UPDATE/DELETE by executemany: every parameter set applied, rowcount summed, the tag of
    the last set; a failing set leaves the transaction failed and nothing changed."""
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY, a int)")
    cur.executemany("INSERT INTO t VALUES (%s, %s)", [(i, i) for i in range(10)])
    conn.commit()
    cur.executemany("UPDATE t SET a = a + %s WHERE id = %s", [(100, 1), (200, 2), (300, 99)])
    assert (cur.rowcount, cur.statusmessage) == (2, "UPDATE 0")
    cur.executemany("DELETE FROM t WHERE id = %s", [(3,), (4,), (50,)])
    assert (cur.rowcount, cur.statusmessage) == (2, "DELETE 0")
    conn.commit()
    cur.execute("SELECT a FROM t ORDER BY id")
    assert [a for (a,) in cur.fetchall()] == [0, 101, 202, 5, 6, 7, 8, 9]
    with pytest.raises(rowdb.IntegrityError) as info:  # autocommit: all sets or none
        cur.executemany("UPDATE t SET id = %s WHERE id = %s", [(100, 5), (6, 7)])
    assert info.value.sqlstate == "23505"
    cur.execute("SELECT count(*), sum(a), max(id) FROM t")
    assert cur.fetchall() == [(8, 338, 9)]
    conn.autocommit = False
    cur.executemany("DELETE FROM t WHERE id = %s", [(1,)])
    with pytest.raises(rowdb.IntegrityError):
        cur.executemany("UPDATE t SET id = %s WHERE id = %s", [(100, 5), (6, 7)])
    with pytest.raises(rowdb.DatabaseError) as info:
        cur.execute("SELECT 1")
    assert info.value.sqlstate == "25P02"
    conn.rollback()
    cur.execute("SELECT count(*), sum(a), max(id) FROM t")
    assert cur.fetchall() == [(8, 338, 9)]
