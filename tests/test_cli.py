"""The `rowdb` command, run as a real subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rowdb(*args: str, cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    return subprocess.run([sys.executable, "-m", "rowdb", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_help_lists_commands(tmp_path):
    result = rowdb("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "init" in result.stdout


def test_init_creates_a_store_and_is_repeatable(tmp_path):
    result = rowdb("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Initialized empty rowdb repository" in result.stdout
    assert (tmp_path / ".rowdb" / "data.mdb").exists()
    again = rowdb("init", cwd=tmp_path)
    assert again.returncode == 0
    assert "Reinitialized" in again.stdout


def test_init_with_repo_flag(tmp_path):
    result = rowdb("--repo", str(tmp_path / "elsewhere"), "init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "elsewhere" / ".rowdb" / "data.mdb").exists()


def test_init_in_unwritable_place_is_a_clear_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("not a folder")
    result = rowdb("--repo", str(target), "init", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("rowdb: error:")
    assert "Traceback" not in result.stderr


def test_unknown_command_is_refused(tmp_path):
    result = rowdb("frobnicate", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


# Helpers for the version-control scenarios ---------------------------------------------------

AUTHOR_ENV = {"ROWDB_AUTHOR_NAME": "Ada", "ROWDB_AUTHOR_EMAIL": "ada@example.com"}


def run(*args: str, cwd, stdin: str | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    """`rowdb ARGS` in `cwd`; with ok, assert success (and show stderr when it fails)."""
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, **AUTHOR_ENV)
    env.pop("NO_COLOR", None)
    result = subprocess.run([sys.executable, "-m", "rowdb", *args], cwd=cwd, env=env,
                            input=stdin, capture_output=True, text=True, timeout=60,
                            check=False)
    assert "Traceback" not in result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def fails(*args: str, cwd) -> str:
    """`rowdb ARGS` must fail with exit code 1 and one `rowdb: error:` message: return it."""
    result = run(*args, cwd=cwd, ok=False)
    assert result.returncode == 1, (args, result.stdout, result.stderr)
    assert result.stderr.startswith("rowdb: error: "), result.stderr
    return result.stderr


def sql(query: str, cwd) -> str:
    return run("sql", "-q", query, cwd=cwd).stdout


@pytest.fixture(scope="module")
def seed_template(tmp_path_factory):
    """A repository with table t committed once (rows 1, 2, 3) on main, built once."""
    folder = tmp_path_factory.mktemp("seed")
    run("init", cwd=folder)
    sql("CREATE TABLE t (id INT PRIMARY KEY, name TEXT, v FLOAT);"
        "INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', NULL), (3, 'c', 2)", folder)
    run("commit", "-a", "-m", "seed t", cwd=folder)
    return folder


@pytest.fixture
def repo(tmp_path, seed_template):
    """A fresh copy of the seeded repository (no process has its store open)."""
    target = tmp_path / "repo"
    shutil.copytree(seed_template, target)
    return target


# The scenario: init, SQL, status, add, commit, log, diff, branches, tags, show, reset --------

def test_version_control_scenario(tmp_path):
    run("init", cwd=tmp_path)
    assert "nothing to commit, working tree clean" in run("status", cwd=tmp_path).stdout

    out = sql("CREATE TABLE t (id INT PRIMARY KEY, name TEXT, v FLOAT);"
              "INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', NULL), (3, 'c', 2)", tmp_path)
    assert out.splitlines() == ["CREATE TABLE", "INSERT 0 3"]
    status = run("status", cwd=tmp_path).stdout
    assert status.startswith("On branch main\n")
    assert "Changes not staged for commit:" in status and "new table:" in status
    assert "Changes to be committed:" not in status

    run("add", "t", cwd=tmp_path)
    status = run("status", cwd=tmp_path).stdout
    assert "Changes to be committed:" in status and "Changes not staged" not in status

    commit = run("commit", "-m", "seed t", cwd=tmp_path).stdout
    assert commit.startswith("[main ") and commit.rstrip().endswith("] seed t")
    log = run("log", "--oneline", cwd=tmp_path).stdout.splitlines()
    assert len(log) == 2
    assert log[0].endswith("(HEAD -> main) seed t")
    assert log[1].endswith("Initialize data repository")
    full = run("log", cwd=tmp_path).stdout
    assert "Author: Ada <ada@example.com>" in full and "    seed t" in full

    # working changes: one row modified, one removed, one added
    sql("UPDATE t SET name = 'bb' WHERE id = 2; DELETE FROM t WHERE id = 1;"
        "INSERT INTO t VALUES (4, 'd', 4)", tmp_path)
    diff = run("diff", cwd=tmp_path).stdout
    assert "diff --rowdb a/t b/t" in diff and "+++ b/t @ WORKING" in diff
    lines = [line.split("|") for line in diff.splitlines() if line[:3] in (" - ", " + ")]
    cells = [[c.strip() for c in line] for line in lines]
    assert cells == [["-", "1", "a", "1.5"], ["-", "2", "b", "NULL"],
                     ["+", "2", "bb", "NULL"], ["+", "4", "d", "4"]]
    assert "\x1b[" not in diff  # not a terminal: no color
    assert run("diff", "-t", "t", cwd=tmp_path).stdout == diff
    assert run("diff", "HEAD", "WORKING", cwd=tmp_path).stdout == diff
    stat = run("diff", "--stat", cwd=tmp_path).stdout
    assert " t | 1 added, 1 modified, 1 removed" in stat
    assert "1 table changed, 1 row added, 1 modified, 1 removed" in stat
    summary = run("diff", "--summary", cwd=tmp_path).stdout.splitlines()
    assert summary[0].split("|")[0].strip() == "table_name"
    assert [c.strip() for c in summary[2].split("|")] == ["t", "modified", "true", "false"]
    where = run("diff", "--where", "to_id > 3", cwd=tmp_path).stdout
    assert " + |  4 | d" in where and "| bb" not in where  # (a hash may hold "bb")
    removed = run("diff", "--where", "diff_type = 'removed'", "--stat", cwd=tmp_path).stdout
    assert " t | 1 removed" in removed

    run("commit", "-a", "-m", "edit t", cwd=tmp_path)
    assert run("diff", cwd=tmp_path).stdout == ""
    old = run("diff", "HEAD~1", "HEAD", cwd=tmp_path).stdout
    assert "--- a/t @ HEAD~1 (" in old and " + |  4 | d" in old

    # a branch with its own commit
    run("branch", "dev", cwd=tmp_path)
    assert run("checkout", "dev", cwd=tmp_path).stdout.strip() == "Switched to branch 'dev'"
    assert (tmp_path / ".rowdb-branch").read_text().strip() == "dev"
    assert run("status", cwd=tmp_path).stdout.startswith("On branch dev\n")
    sql("INSERT INTO t VALUES (10, 'ten', 10)", tmp_path)
    assert "[dev " in run("commit", "-am", "ten on dev", cwd=tmp_path).stdout
    dev_log = run("log", "--oneline", cwd=tmp_path).stdout.splitlines()
    assert len(dev_log) == 4 and dev_log[0].endswith("(HEAD -> dev) ten on dev")
    assert "(main) edit t" in dev_log[1]
    branches = run("branch", cwd=tmp_path).stdout.splitlines()
    assert branches == ["* dev", "  main"]

    run("checkout", "main", cwd=tmp_path)
    main_log = run("log", "--oneline", cwd=tmp_path).stdout
    assert "ten on dev" not in main_log and main_log.startswith(dev_log[1][:7])
    assert "ten" not in sql("SELECT * FROM t", tmp_path)
    assert "ten on dev" in run("log", "--oneline", "dev", cwd=tmp_path).stdout
    assert len(run("log", "--oneline", "-n", "1", cwd=tmp_path).stdout.splitlines()) == 1

    # tags, show
    run("tag", "v1", cwd=tmp_path)
    run("tag", "v0", "HEAD~1", cwd=tmp_path)
    assert run("tag", cwd=tmp_path).stdout.splitlines() == ["v0", "v1"]
    assert "(HEAD -> main, tag: v1) edit t" in run("log", "--oneline", cwd=tmp_path).stdout
    show = run("show", "v1", cwd=tmp_path).stdout
    assert show.startswith("commit ") and "    edit t" in show
    assert "diff --rowdb a/t b/t" in show and " + |  4 | d" in show
    show_seed = run("show", "v0", "--stat", cwd=tmp_path).stdout
    assert " t | 3 added (new table)" in show_seed
    run("tag", "-d", "v0", cwd=tmp_path)
    assert run("tag", cwd=tmp_path).stdout.splitlines() == ["v1"]

    # reset --hard throws away working changes
    sql("DELETE FROM t", tmp_path)
    assert "modified:" in run("status", cwd=tmp_path).stdout
    assert "HEAD is now at" in run("reset", "--hard", cwd=tmp_path).stdout
    assert "working tree clean" in run("status", cwd=tmp_path).stdout
    assert "(3 rows)" in sql("SELECT * FROM t", tmp_path)
    run("reset", "--hard", "HEAD~1", cwd=tmp_path)
    assert run("log", "--oneline", cwd=tmp_path).stdout.splitlines()[0].endswith("seed t")
    assert "(3 rows)" in sql("SELECT * FROM t", tmp_path)
    assert "bb" not in sql("SELECT * FROM t", tmp_path)


# Bad input: exit code 1, one clear message, never a traceback --------------------------------

def test_unknown_revision_is_a_clear_error(repo):
    for args in (("diff", "nope"), ("diff", "HEAD", "nope"), ("show", "nope"),
                 ("log", "nope"), ("reset", "--hard", "nope"), ("tag", "v9", "nope")):
        assert 'revision "nope" not found' in fails(*args, cwd=repo), args
    assert "goes past the first commit" in fails("show", "HEAD~5", cwd=repo)


def test_checkout_of_a_missing_branch_is_refused(repo):
    message = fails("checkout", "nope", cwd=repo)
    assert 'branch "nope" not found' in message and "checkout -b nope" in message
    assert run("status", cwd=repo).stdout.startswith("On branch main\n")


def test_deleting_the_current_branch_is_refused(repo):
    assert "checked out branch" in fails("branch", "-d", "main", cwd=repo)
    run("branch", "dev", cwd=repo)
    assert "Deleted branch dev" in run("branch", "-d", "dev", cwd=repo).stdout
    assert 'branch "dev" not found' in fails("branch", "-d", "dev", cwd=repo)
    assert run("branch", cwd=repo).stdout.splitlines() == ["* main"]


def test_commit_with_nothing_to_commit_is_refused(repo):
    message = fails("commit", "-m", "again", cwd=repo)
    assert "nothing to commit" in message and "rowdb add" in message
    sql("INSERT INTO t VALUES (9, 'z', 0)", repo)
    assert "nothing to commit" in fails("commit", "-m", "unstaged", cwd=repo)
    assert "a commit needs a message" in fails("commit", "-a", cwd=repo)
    assert "] empty" in run("commit", "--allow-empty", "-m", "empty", cwd=repo).stdout


def test_unknown_table_in_diff_is_refused(repo):
    assert 'table "zz" not found' in fails("diff", "-t", "zz", cwd=repo)
    sql("INSERT INTO t VALUES (9, 'z', 0)", repo)
    message = fails("diff", "--where", "to_nope = 1", cwd=repo)
    assert 'column "to_nope" does not exist' in message
    assert "syntax error" in fails("diff", "--where", "((", cwd=repo)


def test_commands_outside_a_repository_are_refused(tmp_path):
    for args in (("status",), ("log",), ("sql", "-q", "SELECT 1")):
        assert "not a rowdb repository" in fails(*args, cwd=tmp_path)
    assert not (tmp_path / ".rowdb").exists()


def test_sql_errors_and_the_branch_file(repo):
    assert "division by zero" in fails("sql", "-q", "SELECT 1/0", cwd=repo)
    assert 'relation "nope" does not exist' in fails("sql", "-q", "SELECT * FROM nope",
                                                     cwd=repo)
    (repo / ".rowdb-branch").write_text("gone\n")
    message = fails("status", cwd=repo)
    assert 'the current branch "gone" does not exist' in message
    assert "rowdb checkout main" in message
    run("checkout", "main", cwd=repo)
    assert run("status", cwd=repo).stdout.startswith("On branch main\n")


# Further commands and output -----------------------------------------------------------------

def test_branch_create_rename_copy_and_list(repo):
    run("branch", "feature", "HEAD", cwd=repo)
    run("branch", "-c", "feature", "copy", cwd=repo)
    assert run("branch", cwd=repo).stdout.splitlines() == ["  copy", "  feature", "* main"]
    assert "already exists" in fails("branch", "feature", cwd=repo)
    run("branch", "-m", "main", "trunk", cwd=repo)
    assert run("status", cwd=repo).stdout.startswith("On branch trunk\n")
    verbose = run("branch", "-v", cwd=repo).stdout.splitlines()
    assert verbose[-1].startswith("* trunk") and verbose[-1].endswith("seed t")
    out = run("checkout", "-b", "topic", cwd=repo).stdout
    assert out.strip() == "Switched to a new branch 'topic'"
    assert "* topic" in run("branch", cwd=repo).stdout


def test_sql_reads_standard_input_and_prints_aligned_tables(repo):
    out = run("sql", cwd=repo, stdin="SELECT id, name FROM t ORDER BY id;\n"
              "SELECT count(*) AS n FROM t;\n").stdout
    assert out == (" id | name\n"
                   "----+------\n"
                   "  1 | a\n"
                   "  2 | b\n"
                   "  3 | c\n"
                   "(3 rows)\n"
                   "\n"
                   " n\n"
                   "---\n"
                   " 3\n"
                   "(1 row)\n")


def test_color_only_when_asked_or_on_a_terminal(repo):
    sql("UPDATE t SET v = 9 WHERE id = 3", repo)
    plain = run("diff", cwd=repo).stdout
    colored = run("diff", "--color", "always", cwd=repo).stdout
    assert "\x1b[" not in plain
    assert "\x1b[1;97;42m9\x1b[0m" in colored  # the changed cell, highlighted
    assert "\x1b[1;97;41m2\x1b[0m" in colored
    assert "\x1b[" not in run("diff", "--color", "never", cwd=repo).stdout
    assert "\x1b[" in run("log", "--color", "always", cwd=repo).stdout


def test_reset_unstages_and_add_dot_stages_everything(repo):
    sql("CREATE TABLE u (k INT PRIMARY KEY); INSERT INTO t VALUES (5, 'e', 5)", repo)
    run("add", ".", cwd=repo)
    status = run("status", cwd=repo).stdout
    assert "Changes to be committed:" in status and "Changes not staged" not in status
    out = run("reset", cwd=repo).stdout
    assert "Unstaged changes after reset:" in out
    assert "Changes to be committed:" not in run("status", cwd=repo).stdout
    assert "nothing specified" in fails("add", cwd=repo)
    assert 'table "zz" not found' in fails("add", "zz", cwd=repo)


def test_diff_of_schema_changes_and_dropped_tables(repo):
    sql("ALTER TABLE t ADD COLUMN w INT; UPDATE t SET w = 5 WHERE id = 3;"
        "CREATE TABLE u (k INT PRIMARY KEY); INSERT INTO u VALUES (1)", repo)
    diff = run("diff", cwd=repo).stdout
    assert "+ column w integer" in diff and "new table u" in diff
    run("commit", "-am", "schema", cwd=repo)
    sql("DROP TABLE u", repo)
    assert "deleted table u" in run("diff", cwd=repo).stdout
    # the compared revisions' columns, not the working set's, name the --where columns
    old = run("diff", "HEAD~1", "HEAD", "-t", "t", "--where", "to_w = 5", cwd=repo).stdout
    assert " + |  3 | c    | 2 |    5" in old
    assert " u | 1 removed (deleted table)" in run("diff", "--stat", cwd=repo).stdout


def test_log_graph_draws_merges():
    from rowdb.cli_log import graph
    from rowdb.vc.commits import Commit

    def commit(name, *parents):
        return Commit(b"", tuple(parents), "", "", 0, name.decode(), 0, name)

    rows = graph([commit(b"m", b"a", b"d"), commit(b"d", b"b"), commit(b"a", b"b"),
                  commit(b"b")])
    assert [r.prefix for r in rows] == ["*", "| *", "* |", "*"]
    assert rows[0].merges == ["|\\"] and rows[2].joins == ["|/"]


def test_aligned_table_renders_like_psql():
    from rowdb.cli_render import aligned_table, display_width
    lines = aligned_table(["id", "name"], [["1", "日本"], ["10", "NULL"]], [True, False])
    assert lines == [" id | name", "----+------", "  1 | 日本", " 10 | NULL"]
    assert display_width("日本") == 4


# Merges, conflicts, revert, cherry-pick ------------------------------------------------------

def diverge(repo, main_sql: str, dev_sql: str) -> None:
    """Branch dev from main's HEAD, then commit `dev_sql` on dev and `main_sql` on main."""
    run("checkout", "-b", "dev", cwd=repo)
    sql(dev_sql, repo)
    run("commit", "-am", "on dev", cwd=repo)
    run("checkout", "main", cwd=repo)
    sql(main_sql, repo)
    run("commit", "-am", "on main", cwd=repo)


def test_merge_fast_forward_and_three_way(repo):
    run("branch", "ff", cwd=repo)
    run("checkout", "ff", cwd=repo)
    sql("INSERT INTO t VALUES (7, 'g', 7)", repo)
    run("commit", "-am", "seven", cwd=repo)
    run("checkout", "main", cwd=repo)
    out = run("merge", "ff", cwd=repo).stdout
    assert "Fast-forward" in out
    assert "Already up to date." in run("merge", "ff", cwd=repo).stdout

    diverge(repo, "INSERT INTO t VALUES (4, 'd', 4)", "INSERT INTO t VALUES (5, 'e', 5)")
    out = run("merge", "dev", "-m", "join dev", cwd=repo).stdout
    assert "three-way" in out and "] join dev" in out
    assert "(5 rows)" not in sql("SELECT * FROM t", repo)  # 1, 2, 3, 4, 5, 7
    assert "(6 rows)" in sql("SELECT * FROM t", repo)
    graph = run("log", "--oneline", "--graph", cwd=repo).stdout.splitlines()
    assert graph[0].startswith("* ") and graph[0].endswith("join dev")
    assert graph[1] == "|\\"
    assert "Merge: " in run("show", cwd=repo).stdout
    assert 'revision "nope" not found' in fails("merge", "nope", cwd=repo)


def test_merge_conflicts_list_resolve_and_abort(repo):
    diverge(repo, "UPDATE t SET name = 'main' WHERE id = 1",
            "UPDATE t SET name = 'dev' WHERE id = 1")
    result = run("merge", "dev", cwd=repo, ok=False)
    assert result.returncode == 1
    assert "CONFLICT: 1 conflicting row in table t" in result.stdout
    assert result.stderr.startswith("rowdb: error: automatic merge failed")
    status = run("status", cwd=repo).stdout
    assert "Unmerged tables:" in status and "both modified: t" in status
    listing = run("conflicts", cwd=repo).stdout.splitlines()
    assert [c.strip() for c in listing[2].split("|")] == ["t", "1"]
    rows = run("conflicts", "t", cwd=repo).stdout
    assert "our_name" in rows and "their_name" in rows and "main" in rows and "dev" in rows
    assert "unresolved merge conflicts" in fails("commit", "-am", "too early", cwd=repo)

    run("merge", "--abort", cwd=repo)
    assert "working tree clean" in run("status", cwd=repo).stdout
    assert "there is no merge to abort" in fails("merge", "--abort", cwd=repo)

    run("merge", "dev", cwd=repo, ok=False)
    assert "their rows" in run("conflicts", "t", "--theirs", cwd=repo).stdout
    assert "still merging" in run("status", cwd=repo).stdout
    run("commit", "-am", "merged dev", cwd=repo)
    assert " 1 | dev" in sql("SELECT id, name FROM t WHERE id = 1", repo)
    assert run("log", "--oneline", "--graph", cwd=repo).stdout.splitlines()[1] == "|\\"


def test_revert_and_cherry_pick(repo):
    sql("INSERT INTO t VALUES (4, 'd', 4)", repo)
    run("commit", "-am", "add four", cwd=repo)
    out = run("revert", "HEAD", cwd=repo).stdout
    assert out.startswith("[main ") and 'Revert "add four"' in out
    assert "(3 rows)" in sql("SELECT * FROM t", repo)
    run("checkout", "-b", "side", "HEAD~2", cwd=repo)
    out = run("cherry-pick", "main~1", cwd=repo).stdout
    assert out.startswith("[side ") and out.rstrip().endswith("add four")
    assert "(4 rows)" in sql("SELECT * FROM t", repo)
    assert 'revision "nope" not found' in fails("cherry-pick", "nope", cwd=repo)


def test_gc_and_fsck(repo):
    sql("UPDATE t SET name = name || 'x'", cwd=repo)
    sql("UPDATE t SET name = name || 'y'", cwd=repo)  # the first update's version is garbage
    out = run("gc", cwd=repo).stdout
    assert "removed" in out and "unreachable chunks" in out
    assert run("fsck", cwd=repo).stdout.startswith("ok: ")
    assert "axy" in sql("SELECT name FROM t WHERE id = 1", cwd=repo)
