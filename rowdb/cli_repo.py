"""The repository a `rowdb` command acts on: its folder, current branch and SQL session.

Where: command line; every cli_* command module opens a `CliRepo` and works through SQL
(`rowdb_commit(...)`, `rowdb_status`, `diff_<t>`, ...) on a connection to the current branch,
and reads commits through rowdb.vc.refs where SQL has no surface yet (history of any
revision). The current branch persists between invocations in `<repo>/.rowdb-branch`, a
one-line text file beside the `.rowdb/` store (refs hold hashes only; the store's folder
belongs to the storage layer); a missing file means `main`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import rowdb
from rowdb.errors import OperationalError, UnknownRefError
from rowdb.session import Result
from rowdb.storage import open_store
from rowdb.storage.kv import STORE_DIR
from rowdb.vc.commits import Commit
from rowdb.vc.refs import check_name, read_commit, resolve_commit

BRANCH_FILE = ".rowdb-branch"
DEFAULT_BRANCH = "main"
SHORT_HASH_CHARS = 7  # git's default; refs.py resolves any unique prefix of 4+ characters


class NotARepositoryError(OperationalError, sqlstate="58P01"):
    """The folder holds no `.rowdb` store (undefined_file)."""


def short(digest: bytes | str) -> str:
    text = digest.hex() if isinstance(digest, bytes) else digest
    return text[:SHORT_HASH_CHARS]


def read_branch(path: str) -> str:
    """The CLI's current branch of the repository in `path`."""
    try:
        with open(os.path.join(path, BRANCH_FILE), encoding="utf-8") as file:
            name = file.read().strip()
    except FileNotFoundError:
        return DEFAULT_BRANCH
    except OSError as exc:
        raise OperationalError(f"could not read {BRANCH_FILE}: {exc.strerror}") from exc
    return check_name(name) if name else DEFAULT_BRANCH


def write_branch(path: str, branch: str) -> None:
    target = os.path.join(path, BRANCH_FILE)
    temporary = target + ".tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(branch + "\n")
        os.replace(temporary, target)
    except OSError as exc:
        raise OperationalError(f"could not write {BRANCH_FILE}: {exc.strerror}") from exc


class CliRepo:
    """A SQL session on the current branch of the repository in `path`."""

    def __init__(self, path: str, recover: bool = False):
        """With `recover` (checkout), a current branch that no longer exists is no error:
        the session starts on main (or the first branch) and the command switches."""
        if not os.path.isdir(os.path.join(path, STORE_DIR)):
            raise NotARepositoryError(f"not a rowdb repository: {os.path.abspath(path)}",
                                      hint='run "rowdb init" there, or pass --repo DIR')
        self.path = path
        self.branch = read_branch(path)
        start = self.branch
        if recover:
            names = [ref[len("heads/"):] for ref in open_store(path).chunks.refs("heads/")]
            if names and start not in names:
                start = DEFAULT_BRANCH if DEFAULT_BRANCH in names else names[0]
        try:
            self.conn = rowdb.connect(path, branch=start, autocommit=True)
        except UnknownRefError as exc:
            raise UnknownRefError(
                f'the current branch "{self.branch}" does not exist',
                detail=f"{BRANCH_FILE} names it",
                hint=f'switch to an existing branch: rowdb checkout {DEFAULT_BRANCH}') from exc
        self.session = self.conn.session
        self.store = self.session.store

    # SQL ----------------------------------------------------------------------------------

    def execute(self, sql: str, params=None) -> list[Result]:
        """Every statement's result; the session's branch is saved if a statement moved it."""
        try:
            return self.session.execute(sql, params)
        finally:
            self.save_branch()

    def execute_each(self, sql: str) -> Iterator[Result]:
        """Run the statements of `sql` one at a time, yielding each result as it is done."""
        statements, values = self.session.prepare(sql)
        try:
            for statement in statements:
                yield self.session.execute_statement(statement, values)
        finally:
            self.save_branch()

    def query(self, sql: str, params=None) -> Result:
        results = self.execute(sql, params)
        return results[-1] if results else Result()

    def rows(self, sql: str, params=None) -> list[tuple]:
        return list(self.query(sql, params).rows)

    def call(self, function: str, *args: str):
        """SELECT function(args...): the version-control functions take git-style strings."""
        marks = ", ".join(["%s"] * len(args))
        rows = self.rows(f"SELECT {function}({marks})", list(args))
        return rows[0][0] if rows else None

    def save_branch(self) -> None:
        """Persist the session's branch (rowdb_checkout or a rename may have moved it)."""
        current = self.session.branch
        if current != self.branch:
            write_branch(self.path, current)
            self.branch = current

    # Commits ------------------------------------------------------------------------------

    def resolve(self, revision: str) -> bytes:
        return resolve_commit(self.store, revision, self.branch)

    def commit(self, digest: bytes) -> Commit:
        return read_commit(self.store, digest)

    def branch_heads(self) -> dict[str, str]:
        return {name: digest for name, digest in
                self.rows("SELECT name, hash FROM rowdb_branches")}

    def tag_targets(self) -> dict[str, str]:
        return {name: digest for name, digest in
                self.rows("SELECT tag_name, tag_hash FROM rowdb_tags")}

    def close(self) -> None:
        self.conn.close()


def open_repo(args, recover: bool = False) -> CliRepo:
    return CliRepo(args.repo, recover)
