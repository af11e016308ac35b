"""Repository operations: init, add, commit, status, branch, tag, reset.

Where: version-control layer; the SQL functions (rowdb_commit, ...) and the command line
both call these. Every operation reads refs, stages what it writes in one Writer and moves
the refs in one LMDB transaction, expecting them unchanged (RefConflictError otherwise).
"""

from __future__ import annotations

import datetime
import os

from rowdb.errors import InvalidParameterValueError, RowdbError, UnknownRefError
from rowdb.vc.commits import Commit, encode_commit, timestamp_us
from rowdb.vc.refs import (check_name, head_ref, read_commit, resolve_commit, staged_ref,
                           tag_ref, working_ref)
from rowdb.vc.rootvalue import RootValue, load_root, save_root

INITIAL_MESSAGE = "Initialize data repository"


class NothingToCommitError(RowdbError, sqlstate="22023"):
    """A version commit with no staged change (and no --allow-empty)."""


def default_author() -> tuple[str, str]:
    return (os.environ.get("ROWDB_AUTHOR_NAME", "rowdb"),
            os.environ.get("ROWDB_AUTHOR_EMAIL", "rowdb@localhost"))


def init(store, branch: str = "main") -> bytes:
    """Create the first commit and the branch's refs unless the repository has them."""
    chunks = store.chunks
    head = chunks.get_ref(head_ref(branch))
    if head is not None or chunks.refs("heads/"):
        return head
    writer = store.writer()
    legacy = chunks.get_ref(working_ref(branch))
    empty = save_root(writer, {})
    name, email = default_author()
    commit = Commit(empty.digest, (), name, email, timestamp_us(_now()), INITIAL_MESSAGE, 1)
    digest = writer.put_bytes(encode_commit(commit))
    refs = {head_ref(branch): digest, staged_ref(branch): empty.digest}
    if legacy is None:
        refs[working_ref(branch)] = empty.digest
    try:
        writer.commit(refs, expect={head_ref(branch): None})
    except RowdbError:
        pass  # another process initialised it first
    return chunks.get_ref(head_ref(branch))


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def roots(store, branch: str) -> tuple[bytes, RootValue, RootValue, RootValue]:
    """(head commit hash, head root, staged root, working root) of a branch."""
    chunks = store.chunks
    head = chunks.get_ref(head_ref(branch))
    if head is None:
        raise UnknownRefError(f'branch "{branch}" not found')
    head_root = load_root(store, read_commit(store, head).root)
    staged = chunks.get_ref(staged_ref(branch))
    working = chunks.get_ref(working_ref(branch))
    staged_root = load_root(store, staged) if staged else head_root
    working_root = load_root(store, working) if working else head_root
    return head, head_root, staged_root, working_root


def add(store, branch: str, tables: list[str] | None = None) -> None:
    """Stage the working version of `tables` (all tables when None)."""
    head, _, staged, working = roots(store, branch)
    if tables is None:
        new_tables = dict(working.tables)
    else:
        new_tables = dict(staged.tables)
        for name in tables:
            if name in working.tables:
                new_tables[name] = working.tables[name]
            elif name in staged.tables:
                del new_tables[name]
            else:
                raise UnknownRefError(f'table "{name}" not found')
    writer = store.writer()
    root = save_root(writer, new_tables)
    writer.commit({staged_ref(branch): root.digest},
                  expect={staged_ref(branch): store.chunks.get_ref(staged_ref(branch))})


def unstage(store, branch: str, tables: list[str]) -> None:
    """rowdb_reset('t'): the staged version of `tables` goes back to HEAD's."""
    head, head_root, staged, _ = roots(store, branch)
    new_tables = dict(staged.tables)
    for name in tables:
        if name in head_root.tables:
            new_tables[name] = head_root.tables[name]
        else:
            new_tables.pop(name, None)
    writer = store.writer()
    root = save_root(writer, new_tables)
    writer.commit({staged_ref(branch): root.digest}, expect={head_ref(branch): head})


def commit(store, branch: str, message: str, *, author: str | None = None,
           email: str | None = None, date: datetime.datetime | None = None,
           allow_empty: bool = False, stage_all: bool = False) -> bytes:
    """A version commit of the branch's staged root (of the working root with stage_all)."""
    if not message:
        raise InvalidParameterValueError("a commit needs a message (-m)")
    from rowdb.vc.mergeops import require_no_conflicts, state_ref

    their = require_no_conflicts(store, branch)
    head, head_root, staged, working = roots(store, branch)
    # a merge in progress commits its result, which lives in the working set
    root = working if stage_all or their is not None else staged
    if root.digest == head_root.digest and not allow_empty and their is None:
        raise NothingToCommitError("nothing to commit",
                                   hint="stage changes with rowdb_add or use -a/-A")
    name, mail = default_author()
    parents = (head,) if their is None else (head, their)
    height = max(read_commit(store, p).height for p in parents) + 1
    new = Commit(root.digest, parents, author or name, email or mail,
                 timestamp_us(date or _now()), message, height)
    writer = store.writer()
    digest = writer.put_bytes(encode_commit(new))
    refs = {head_ref(branch): digest, staged_ref(branch): root.digest}
    if their is not None:
        refs[state_ref(branch)] = None
    writer.commit(refs, expect={head_ref(branch): head})
    return digest


def table_status(head: RootValue, staged: RootValue, working: RootValue) -> list[tuple]:
    """(table, staged, status) rows: what `rowdb_status` shows."""
    rows = []
    for left, right, is_staged in ((head, staged, True), (staged, working, False)):
        for name in sorted(set(left.tables) | set(right.tables)):
            a, b = left.tables.get(name), right.tables.get(name)
            if a == b:
                continue
            status = "new table" if a is None else "deleted" if b is None else "modified"
            rows.append((name, is_staged, status))
    return rows


def create_branch(store, name: str, start: str, current: str, force: bool = False) -> bytes:
    check_name(name)
    target = resolve_commit(store, start, current)
    chunks = store.chunks
    existing = chunks.get_ref(head_ref(name))
    if existing is not None and not force:
        raise InvalidParameterValueError(f'branch "{name}" already exists')
    root = read_commit(store, target).root
    chunks.write({}, {head_ref(name): target, working_ref(name): root, staged_ref(name): root},
                 expect={head_ref(name): existing})
    return target


def copy_branch(store, source: str, name: str, force: bool = False) -> None:
    check_name(name)
    chunks = store.chunks
    head = chunks.get_ref(head_ref(source))
    if head is None:
        raise UnknownRefError(f'branch "{source}" not found')
    existing = chunks.get_ref(head_ref(name))
    if existing is not None and not force:
        raise InvalidParameterValueError(f'branch "{name}" already exists')
    refs = {head_ref(name): head}
    for ref in (working_ref, staged_ref):
        value = chunks.get_ref(ref(source))
        if value is not None:
            refs[ref(name)] = value
    chunks.write({}, refs, expect={head_ref(name): existing})


def delete_branch(store, name: str, current: str | None) -> None:
    if name == current:
        raise InvalidParameterValueError(f'cannot delete the checked out branch "{name}"')
    chunks = store.chunks
    head = chunks.get_ref(head_ref(name))
    if head is None:
        raise UnknownRefError(f'branch "{name}" not found')
    chunks.write({}, {head_ref(name): None, working_ref(name): None, staged_ref(name): None},
                 expect={head_ref(name): head})


def rename_branch(store, old: str, new: str, current: str | None) -> None:
    copy_branch(store, old, new)
    delete_branch(store, old, None)


def create_tag(store, name: str, revision: str, current: str) -> bytes:
    check_name(name, "tag")
    target = resolve_commit(store, revision, current)
    chunks = store.chunks
    if chunks.get_ref(tag_ref(name)) is not None:
        raise InvalidParameterValueError(f'tag "{name}" already exists')
    chunks.write({}, {tag_ref(name): target}, expect={tag_ref(name): None})
    return target


def delete_tag(store, name: str) -> None:
    chunks = store.chunks
    found = chunks.get_ref(tag_ref(name))
    if found is None:
        raise UnknownRefError(f'tag "{name}" not found')
    chunks.write({}, {tag_ref(name): None}, expect={tag_ref(name): found})


def reset(store, branch: str, mode: str = "mixed", revision: str | None = None) -> None:
    """Move the branch head to a commit (HEAD by default) and reset the staged set to it,
    as Dolt does for --soft and the default; --hard resets the working set too."""
    chunks = store.chunks
    head = chunks.get_ref(head_ref(branch))
    target = resolve_commit(store, revision, branch) if revision else head
    root = read_commit(store, target).root
    refs = {staged_ref(branch): root}
    if mode == "hard":
        refs[working_ref(branch)] = root
    if target != head:
        refs[head_ref(branch)] = target
    chunks.write({}, refs, expect={head_ref(branch): head})
