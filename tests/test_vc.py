"""Version control through SQL: commits, log, branches, tags, status, diff_<t>, history_<t>,
AS OF, reset; and the awkward cases (unknown refs, deleting the checked-out branch, time
before the first commit, schema changes between versions, keyless tables)."""

from __future__ import annotations

import datetime
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rowdb


@pytest.fixture
def db(tmp_path):
    connection = rowdb.connect(tmp_path / "repo", autocommit=True)
    yield Db(connection)
    connection.close()


class Db:
    def __init__(self, connection):
        self.connection = connection

    def __call__(self, sql, params=None):
        cur = self.connection.cursor()
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else cur.statusmessage

    def one(self, sql, params=None):
        return self(sql, params)[0][0]


def test_commit_log_and_hashof(db):
    db("CREATE TABLE t (id int PRIMARY KEY, v text)")
    db("INSERT INTO t VALUES (1, 'a')")
    first = db.one("SELECT rowdb_commit('-Am', 'first')")
    second = db.one("CALL rowdb_commit('-A', '-m', 'second', '--allow-empty', "
                    "'--author', 'Ann <ann@example.org>', '--date', '2024-05-01T10:00:00Z')")
    log = db("SELECT commit_hash, committer, email, date, message, parents FROM rowdb_log")
    assert [row[4] for row in log] == ["second", "first", "Initialize data repository"]
    assert log[0][:3] == (second, "Ann", "ann@example.org")
    assert log[0][3] == datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.timezone.utc)
    assert log[0][5] == first
    assert db.one("SELECT rowdb_hashof('HEAD')") == second
    assert db.one("SELECT rowdb_hashof('HEAD~1')") == first
    assert db.one("SELECT rowdb_hashof('HEAD^')") == first
    assert db.one("SELECT rowdb_hashof(%s)", (first[:8],)) == first


def test_nothing_to_commit_is_refused(db):
    with pytest.raises(rowdb.Error) as err:
        db("SELECT rowdb_commit('-am', 'empty')")
    assert err.value.sqlstate == "22023"


def test_status_add_and_staging(db):
    db("CREATE TABLE a (id int PRIMARY KEY)")
    db("CREATE TABLE b (id int PRIMARY KEY)")
    assert db("SELECT * FROM rowdb_status ORDER BY 1") == [("a", False, "new table"),
                                                          ("b", False, "new table")]
    db("SELECT rowdb_add('a')")
    assert db("SELECT * FROM rowdb_status ORDER BY 1, 2") == [("a", True, "new table"),
                                                             ("b", False, "new table")]
    db("SELECT rowdb_commit('-m', 'only a')")
    assert db("SELECT * FROM rowdb_status") == [("b", False, "new table")]
    assert db("SELECT count(*) FROM a AS OF 'HEAD'") == [(0,)]
    with pytest.raises(rowdb.Error):
        db("SELECT * FROM b AS OF 'HEAD'")


def test_diff_between_any_two_revisions(db):
    db("CREATE TABLE t (id int PRIMARY KEY, v text)")
    db("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    db("SELECT rowdb_commit('-Am', 'one')")
    db("SELECT rowdb_tag('v1')")
    db("UPDATE t SET v = 'B' WHERE id = 2")
    db("DELETE FROM t WHERE id = 3")
    db("INSERT INTO t VALUES (4, 'd')")
    expected = [(2, "B", 2, "b", "modified"), (4, "d", None, None, "added"),
                (None, None, 3, "c", "removed")]
    query = ("SELECT to_id, to_v, from_id, from_v, diff_type FROM diff_t "
             "WHERE from_commit = %s AND to_commit = %s ORDER BY coalesce(to_id, from_id)")
    got = db(query, ("HEAD", "WORKING"))
    assert sorted(got, key=lambda r: r[0] or r[2]) == sorted(expected, key=lambda r: r[0] or r[2])
    db("SELECT rowdb_commit('-am', 'two')")
    for source, target in (("v1", "HEAD"), ("HEAD~1", "main"), ("v1", "WORKING")):
        assert len(db(query, (source, target))) == 3
    assert db(query, ("HEAD", "v1"))[0][4] == "modified"
    assert db("SELECT count(*) FROM diff_t WHERE from_commit = 'HEAD' AND to_commit = 'HEAD'") \
        == [(0,)]
    stats = db("SELECT diff_type, count(*) FROM diff_t WHERE from_commit = 'v1' AND "
               "to_commit = 'HEAD' GROUP BY diff_type ORDER BY 1")
    assert stats == [("added", 1), ("modified", 1), ("removed", 1)]


def test_diff_without_filter_lists_history_and_working(db):
    db("CREATE TABLE t (id int PRIMARY KEY, v int)")
    db("INSERT INTO t VALUES (1, 1)")
    db("SELECT rowdb_commit('-Am', 'one')")
    db("UPDATE t SET v = 2")
    rows = db("SELECT to_commit, diff_type FROM diff_t")
    assert rows[0] == ("WORKING", "modified")
    assert rows[1][1] == "added"


def test_unknown_revision_is_a_clear_error(db):
    db("CREATE TABLE t (id int PRIMARY KEY)")
    for sql in ["SELECT * FROM t AS OF 'nope'", "SELECT rowdb_hashof('HEAD~5')",
                "SELECT * FROM diff_t WHERE from_commit = 'nope' AND to_commit = 'HEAD'"]:
        with pytest.raises(rowdb.Error) as err:
            db(sql)
        assert err.value.sqlstate == "42704", sql


def test_as_of_timestamp(db):
    db("CREATE TABLE t (id int PRIMARY KEY)")
    db("INSERT INTO t VALUES (1)")
    db("SELECT rowdb_commit('-Am', 'old', '--date', '2020-01-01 00:00:00+00')")
    db("INSERT INTO t VALUES (2)")
    db("SELECT rowdb_commit('-Am', 'new', '--date', '2022-01-01 00:00:00+00')")
    assert db("SELECT count(*) FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2021-06-01'") == [(1,)]
    assert db("SELECT count(*) FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2023-01-01'") == [(2,)]
    with pytest.raises(rowdb.Error) as err:
        db("SELECT count(*) FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '1999-01-01'")
    assert err.value.sqlstate == "22023"


def test_branches_checkout_and_isolation(db, tmp_path):
    db("CREATE TABLE t (id int PRIMARY KEY)")
    db("INSERT INTO t VALUES (1)")
    db("SELECT rowdb_commit('-Am', 'base')")
    db("SELECT rowdb_checkout('-b', 'dev')")
    assert db.one("SELECT active_branch()") == "dev"
    db("INSERT INTO t VALUES (2)")
    db("SELECT rowdb_commit('-am', 'dev work')")
    db("SELECT rowdb_checkout('main')")
    assert db("SELECT id FROM t") == [(1,)]
    assert db("SELECT id FROM t AS OF 'dev' ORDER BY id") == [(1,), (2,)]
    other = rowdb.connect(tmp_path / "repo", branch="dev", autocommit=True)
    cur = other.cursor()
    cur.execute("SELECT count(*) FROM t")
    assert cur.fetchall() == [(2,)]
    names = db("SELECT name, latest_commit_message FROM rowdb_branches ORDER BY name")
    assert names == [("dev", "dev work"), ("main", "base")]
    db("SELECT rowdb_branch('-c', 'dev', 'dev2')")
    db("SELECT rowdb_branch('-m', 'dev2', 'dev3')")
    assert [r[0] for r in db("SELECT name FROM rowdb_branches ORDER BY 1")] == \
        ["dev", "dev3", "main"]
    db("SELECT rowdb_branch('-d', 'dev3')")
    with pytest.raises(rowdb.Error):
        db("SELECT rowdb_branch('-d', 'main')")  # checked out here
    with pytest.raises(rowdb.Error):
        rowdb.connect(tmp_path / "repo", branch="missing")


def test_reset_hard_and_soft(db):
    db("CREATE TABLE t (id int PRIMARY KEY)")
    db("SELECT rowdb_commit('-Am', 'empty table')")
    db("INSERT INTO t VALUES (1)")
    db("SELECT rowdb_reset('--hard')")
    assert db("SELECT count(*) FROM t") == [(0,)]
    db("INSERT INTO t VALUES (2)")
    db("SELECT rowdb_add('.')")
    db("SELECT rowdb_reset('--soft')")
    assert db("SELECT * FROM rowdb_status") == [("t", False, "modified")]
    db("SELECT rowdb_commit('-am', 'two')")
    db("SELECT rowdb_reset('--hard', 'HEAD~1')")
    assert db("SELECT count(*) FROM t") == [(0,)]
    assert db.one("SELECT message FROM rowdb_log LIMIT 1") == "empty table"


def test_tags(db):
    db("CREATE TABLE t (id int PRIMARY KEY)")
    db("SELECT rowdb_commit('-Am', 'one')")
    head = db.one("SELECT rowdb_hashof('HEAD')")
    assert db.one("SELECT rowdb_tag('v1')") == head
    assert db("SELECT tag_name, tag_hash FROM rowdb_tags") == [("v1", head)]
    with pytest.raises(rowdb.Error):
        db("SELECT rowdb_tag('v1')")
    db("SELECT rowdb_tag('-d', 'v1')")
    assert db("SELECT * FROM rowdb_tags") == []


def test_diff_across_schema_changes(db):
    db("CREATE TABLE t (id int PRIMARY KEY, a int, b int)")
    db("INSERT INTO t VALUES (1, 10, 100)")
    db("SELECT rowdb_commit('-Am', 'one')")
    db("ALTER TABLE t ADD COLUMN c int DEFAULT 7")
    db("ALTER TABLE t DROP COLUMN b")
    db("UPDATE t SET a = 11")
    db("SELECT rowdb_commit('-Am', 'two')")
    rows = db("SELECT to_id, to_a, to_c, from_id, from_a, from_c, diff_type FROM diff_t "
              "WHERE from_commit = 'HEAD~1' AND to_commit = 'HEAD'")
    assert rows == [(1, 11, 7, 1, 10, None, "modified")]


def test_keyless_table_history(db):
    db("CREATE TABLE k (v text)")
    db("INSERT INTO k VALUES ('x'), ('x'), ('y')")
    db("SELECT rowdb_commit('-Am', 'one')")
    db("DELETE FROM k WHERE v = 'y'")
    db("SELECT rowdb_commit('-am', 'two')")
    assert db("SELECT v FROM k AS OF 'HEAD~1' ORDER BY v") == [("x",), ("x",), ("y",)]
    rows = db("SELECT from_v, diff_type FROM diff_k WHERE from_commit = 'HEAD~1' "
              "AND to_commit = 'HEAD'")
    assert rows == [("y", "removed")]
    assert db("SELECT count(*) FROM history_k") == [(5,)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), steps=st.integers(2, 5))
def test_diff_equals_set_difference_of_snapshots(tmp_path_factory, seed, steps):
    """For random histories, diff_t between any two commits equals the difference of the
    two AS OF snapshots."""
    rng = random.Random(seed)
    connection = rowdb.connect(tmp_path_factory.mktemp("repo"), autocommit=True)
    db = Db(connection)
    db("CREATE TABLE t (id int PRIMARY KEY, v int)")
    commits = []
    for step in range(steps):
        for _ in range(rng.randrange(1, 30)):
            key = rng.randrange(40)
            action = rng.random()
            if action < 0.5:
                db("INSERT INTO t VALUES (%s, %s) ON CONFLICT (id) DO UPDATE SET v = "
                   "excluded.v", (key, rng.randrange(5)))
            else:
                db("DELETE FROM t WHERE id = %s", (key,))
        db("SELECT rowdb_commit('-Am', %s, '--allow-empty')", (f"step {step}",))
        commits.append(db.one("SELECT rowdb_hashof('HEAD')"))
    for _ in range(4):
        a, b = rng.choice(commits), rng.choice(commits)
        old = dict(db("SELECT id, v FROM t AS OF %s", (a,)) if False else
                   db(f"SELECT id, v FROM t AS OF '{a}'"))
        new = dict(db(f"SELECT id, v FROM t AS OF '{b}'"))
        expected = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        rows = db("SELECT coalesce(to_id, from_id), to_v, from_v FROM diff_t "
                  "WHERE from_commit = %s AND to_commit = %s", (a, b))
        assert {r[0] for r in rows} == expected
        for key, to_v, from_v in rows:
            assert (to_v, from_v) == (new.get(key), old.get(key))
    connection.close()


def test_diff_of_a_table_whose_columns_changed_since(db):
    db("CREATE TABLE t (id int PRIMARY KEY, a int)")
    db("INSERT INTO t VALUES (1, 1)")
    db("SELECT rowdb_commit('-Am', 'one')")
    db("UPDATE t SET a = 2")
    db("SELECT rowdb_commit('-am', 'two')")
    db("ALTER TABLE t ADD COLUMN w int")
    rows = db("SELECT to_id, to_a, to_w, from_a, diff_type FROM diff_t "
              "WHERE from_commit = 'HEAD~1' AND to_commit = 'HEAD'")
    assert rows == [(1, 2, None, 1, "modified")]


def test_checkout_of_a_missing_branch_is_42704(db):
    with pytest.raises(rowdb.Error) as err:
        db("SELECT rowdb_checkout('nope')")
    assert err.value.sqlstate == "42704"


def test_reset_unstages_a_table(db):
    db("CREATE TABLE t (id int PRIMARY KEY)")
    db("SELECT rowdb_add('t')")
    assert db("SELECT staged FROM rowdb_status") == [(True,)]
    db("SELECT rowdb_reset('t')")
    assert db("SELECT staged FROM rowdb_status") == [(False,)]


def test_diff_table_functions(db):
    db("CREATE TABLE t (id int PRIMARY KEY, a int, b text)")
    db("INSERT INTO t VALUES (1, 1, 'x'), (2, 2, 'y')")
    db("SELECT rowdb_commit('-Am', 'one')")
    db("UPDATE t SET a = 5, b = 'z' WHERE id = 1")
    db("DELETE FROM t WHERE id = 2")
    db("INSERT INTO t VALUES (3, 3, 'w')")
    db("ALTER TABLE t ADD COLUMN c int")
    db("SELECT rowdb_commit('-Am', 'two')")
    rows = db("SELECT to_id, from_id, diff_type FROM rowdb_diff('t', 'HEAD~1', %s) "
              "ORDER BY coalesce(to_id, from_id)", ("HEAD",))
    assert rows == [(1, 1, "modified"), (None, 2, "removed"), (3, None, "added")]
    assert db("SELECT * FROM rowdb_diff_stat('HEAD~1', 'HEAD')") == [("t", 1, 1, 1, 2, 2, 2)]
    assert db("SELECT table_name FROM rowdb_diff_stat('HEAD~1', 'HEAD', 't')") == [("t",)]
    schema = db("SELECT * FROM rowdb_schema_diff('HEAD~1', 'HEAD')")
    assert schema[0][0] == "t" and "c integer" in schema[0][2] and "c integer" not in schema[0][1]
    for sql, state in [("SELECT * FROM rowdb_diff('nope', 'HEAD~1', 'HEAD')", "42P01"),
                       ("SELECT * FROM rowdb_diff_stat('HEAD~1', 'nope')", "42704"),
                       ("SELECT * FROM rowdb_nothing('x')", "42883")]:
        with pytest.raises(rowdb.Error) as err:
            db(sql)
        assert err.value.sqlstate == state, sql
