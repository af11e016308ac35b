"""Merges through SQL: fast-forward, three-way with cell-wise merging, conflicts recorded in
conflicts_<t> and resolved, --abort, --squash, --no-ff, dirty working sets, schema merges,
NOT NULL violations, revert and cherry-pick."""

from __future__ import annotations

import pytest

import rowdb
from test_vc import Db


@pytest.fixture
def db(tmp_path):
    connection = rowdb.connect(tmp_path / "repo", autocommit=True)
    database = Db(connection)
    database("CREATE TABLE t (id int PRIMARY KEY, a int, b int)")
    database("INSERT INTO t VALUES (1, 0, 0), (2, 0, 0), (3, 0, 0)")
    database("SELECT rowdb_commit('-Am', 'base')")
    yield database
    connection.close()


def on_branch(db, branch, *statements, message="work"):
    db("SELECT rowdb_checkout(%s)", (branch,))
    for sql in statements:
        db(sql)
    db("SELECT rowdb_commit('-am', %s)", (message,))


def test_fast_forward(db):
    db("SELECT rowdb_branch('feature')")
    on_branch(db, "feature", "UPDATE t SET a = 1 WHERE id = 1")
    feature = db.one("SELECT rowdb_hashof('HEAD')")
    db("SELECT rowdb_checkout('main')")
    assert db.one("SELECT rowdb_merge('feature')") == feature
    assert db.one("SELECT rowdb_hashof('main')") == feature
    assert db("SELECT a FROM t WHERE id = 1") == [(1,)]


def test_three_way_merges_cells_and_records_conflicts(db):
    db("SELECT rowdb_branch('feature')")
    on_branch(db, "feature", "UPDATE t SET a = 1 WHERE id = 1", "UPDATE t SET b = 5 WHERE id = 2",
              "INSERT INTO t VALUES (10, 1, 1)")
    on_branch(db, "main", "UPDATE t SET b = 2 WHERE id = 1", "UPDATE t SET b = 9 WHERE id = 2",
              "DELETE FROM t WHERE id = 3")
    assert db.one("SELECT rowdb_merge('feature')") == "1 conflicts"
    assert db("SELECT * FROM rowdb_conflicts") == [("t", 1)]
    assert db("SELECT base_b, our_b, their_b, our_diff_type FROM conflicts_t") == \
        [(0, 9, 5, "modified")]
    assert db("SELECT * FROM t ORDER BY id") == [(1, 1, 2), (2, 0, 9), (10, 1, 1)]
    with pytest.raises(rowdb.Error) as err:
        db("SELECT rowdb_commit('-am', 'too early')")
    assert err.value.sqlstate == "55000"
    assert db("DELETE FROM conflicts_t WHERE our_id = 2") == "DELETE 1"
    assert db("SELECT * FROM rowdb_conflicts") == []
    db("SELECT rowdb_commit('-am', 'merged')")
    parents = db.one("SELECT parents FROM rowdb_log LIMIT 1").split(",")
    assert len(parents) == 2
    assert db("SELECT * FROM t ORDER BY id") == [(1, 1, 2), (2, 0, 9), (10, 1, 1)]


def test_resolve_theirs_and_abort(db):
    db("SELECT rowdb_branch('feature')")
    on_branch(db, "feature", "UPDATE t SET a = 7")
    on_branch(db, "main", "UPDATE t SET a = 8")
    assert db.one("SELECT rowdb_merge('feature')") == "3 conflicts"
    db("SELECT rowdb_merge('--abort')")
    assert db("SELECT DISTINCT a FROM t") == [(8,)]
    assert db("SELECT * FROM rowdb_conflicts") == []
    db("SELECT rowdb_merge('feature')")
    db("SELECT rowdb_conflicts_resolve('--theirs', 't')")
    assert db("SELECT DISTINCT a FROM t") == [(7,)]
    db("SELECT rowdb_commit('-am', 'took theirs')")


def test_merge_into_dirty_working_set_waits_for_commit(db):
    db("SELECT rowdb_branch('feature')")
    on_branch(db, "feature", "UPDATE t SET a = 1 WHERE id = 1")
    db("SELECT rowdb_checkout('main')")
    db("UPDATE t SET b = 4 WHERE id = 3")  # uncommitted
    assert "commit to finish" in db.one("SELECT rowdb_merge('feature')")
    assert db("SELECT a, b FROM t WHERE id IN (1, 3) ORDER BY id") == [(1, 0), (0, 4)]
    db("SELECT rowdb_commit('-am', 'merge with local work')")
    assert len(db.one("SELECT parents FROM rowdb_log LIMIT 1").split(",")) == 2


def test_no_ff_and_squash(db):
    db("SELECT rowdb_branch('f1')")
    on_branch(db, "f1", "UPDATE t SET a = 1 WHERE id = 1")
    db("SELECT rowdb_checkout('main')")
    db("SELECT rowdb_merge('f1', '--no-ff', '-m', 'merge f1')")
    assert db.one("SELECT message FROM rowdb_log LIMIT 1") == "merge f1"
    db("SELECT rowdb_branch('f2')")
    on_branch(db, "f2", "UPDATE t SET a = 2 WHERE id = 2")
    db("SELECT rowdb_checkout('main')")
    db("SELECT rowdb_merge('f2', '--squash')")
    db("SELECT rowdb_commit('-am', 'squashed f2')")
    assert len(db.one("SELECT parents FROM rowdb_log LIMIT 1").split(",")) == 1
    assert db("SELECT a FROM t WHERE id = 2") == [(2,)]


def test_schema_merge_added_column(db):
    db("SELECT rowdb_branch('feature')")
    on_branch(db, "feature", "ALTER TABLE t ADD COLUMN c int DEFAULT 5",
              "UPDATE t SET c = 6 WHERE id = 1")
    on_branch(db, "main", "UPDATE t SET a = 3 WHERE id = 2", "INSERT INTO t VALUES (4, 4, 4)")
    db("SELECT rowdb_merge('feature')")
    assert db("SELECT id, a, c FROM t ORDER BY id") == [(1, 0, 6), (2, 3, 5), (3, 0, 5),
                                                       (4, 4, 5)]


def test_incompatible_schema_changes_are_refused(db):
    db("SELECT rowdb_branch('feature')")
    on_branch(db, "feature", "ALTER TABLE t ADD COLUMN c int")
    on_branch(db, "main", "ALTER TABLE t ADD COLUMN d text")
    before = db("SELECT * FROM t ORDER BY id")
    with pytest.raises(rowdb.Error) as err:
        db("SELECT rowdb_merge('feature')")
    assert "schema" in str(err.value)
    assert db("SELECT * FROM t ORDER BY id") == before


def test_merge_creating_not_null_violation_is_refused(db):
    db("SELECT rowdb_branch('feature')")
    on_branch(db, "feature", "INSERT INTO t VALUES (20, NULL, NULL)")
    on_branch(db, "main", "ALTER TABLE t ALTER COLUMN a SET NOT NULL")
    with pytest.raises(rowdb.Error) as err:
        db("SELECT rowdb_merge('feature')")
    assert err.value.sqlstate == "23502"
    assert db("SELECT count(*) FROM t") == [(3,)]


def test_revert_and_cherry_pick(db):
    db("UPDATE t SET a = 1 WHERE id = 1")
    db("SELECT rowdb_commit('-am', 'set a')")
    db("UPDATE t SET b = 1 WHERE id = 2")
    db("SELECT rowdb_commit('-am', 'set b')")
    db("SELECT rowdb_revert('HEAD~1')")
    assert db("SELECT a, b FROM t WHERE id IN (1, 2) ORDER BY id") == [(0, 0), (0, 1)]
    assert db.one("SELECT message FROM rowdb_log LIMIT 1") == 'Revert "set a"'
    db("SELECT rowdb_checkout('-b', 'other', 'HEAD~3')")
    db("SELECT rowdb_cherry_pick('main~1')")
    assert db("SELECT b FROM t WHERE id = 2") == [(1,)]
    assert db.one("SELECT message FROM rowdb_log LIMIT 1") == "set b"


def test_merge_unknown_branch_is_a_clear_error(db):
    with pytest.raises(rowdb.Error) as err:
        db("SELECT rowdb_merge('nope')")
    assert err.value.sqlstate == "42704"


def test_commit_after_resolving_records_the_merge_result(db):
    db("SELECT rowdb_branch('feature')")
    on_branch(db, "feature", "UPDATE t SET a = 7 WHERE id = 1", "INSERT INTO t VALUES (9, 9, 9)")
    on_branch(db, "main", "UPDATE t SET a = 8 WHERE id = 1")
    db("SELECT rowdb_merge('feature')")
    db("SELECT rowdb_conflicts_resolve('--ours', 't')")
    db("SELECT rowdb_commit('-m', 'merge without -a')")
    assert db("SELECT id, a FROM t AS OF 'HEAD' ORDER BY id") == [(1, 8), (2, 0), (3, 0), (9, 9)]


def test_update_conflict_rows_then_delete_them(db):
    db("SELECT rowdb_branch('feature')")
    on_branch(db, "feature", "UPDATE t SET a = 7 WHERE id = 1")
    on_branch(db, "main", "UPDATE t SET a = 8 WHERE id = 1")
    db("SELECT rowdb_merge('feature')")
    assert db("UPDATE conflicts_t SET our_a = their_a + our_a") == "UPDATE 1"
    assert db("SELECT a FROM t WHERE id = 1") == [(15,)]
    with pytest.raises(rowdb.Error):
        db("UPDATE conflicts_t SET base_a = 1")
    db("DELETE FROM conflicts_t")
    db("SELECT rowdb_commit('-am', 'merged by hand')")
    assert db("SELECT a FROM t AS OF 'HEAD' WHERE id = 1") == [(15,)]
