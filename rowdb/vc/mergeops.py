"""Branch merges and commit replays: merge (fast-forward, three-way, --no-ff, --squash,
--abort), conflict resolution, revert and cherry-pick.

Where: version-control layer; the SQL functions rowdb_merge, rowdb_conflicts_resolve,
rowdb_revert and rowdb_cherry_pick call these. A merge that cannot commit (conflicts, or a
dirty working set) leaves a merge state under `mergestate/<branch>`: the other commit (the
next commit's second parent), the working root from before the merge (for --abort), and the
conflicts; commits are refused until every conflict is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass

from rowdb.errors import OperationalError
from rowdb.vc import repo
from rowdb.vc.commits import Commit, encode_commit, timestamp_us
from rowdb.vc.merge import (conflict_rows, decode_state, encode_state, is_ancestor,
                            merge_base, merge_root_values)
from rowdb.vc.refs import (head_ref, read_commit, resolve_commit, staged_ref, working_ref)
from rowdb.vc.rootvalue import load_root, save_root


class MergeStateError(OperationalError, sqlstate="55000"):
    """object_not_in_prerequisite_state: a merge in progress blocks this, or none exists."""


def state_ref(branch: str) -> str:
    return f"mergestate/{branch}"


@dataclass
class MergeOutcome:
    commit: bytes | None        # the new head when the merge committed
    fast_forward: bool = False
    conflicts: int = 0
    message: str = ""


def merge(store, branch: str, revision: str, *, no_ff: bool = False, squash: bool = False,
          message: str | None = None, author=None, email=None) -> MergeOutcome:
    chunks = store.chunks
    if chunks.get_ref(state_ref(branch)) is not None:
        raise MergeStateError("a merge is already in progress",
                              hint="resolve its conflicts and commit, or merge --abort")
    head, head_root, staged, working = repo.roots(store, branch)
    theirs = resolve_commit(store, revision, branch)
    if is_ancestor(store, theirs, head):
        return MergeOutcome(head, message="Already up to date")
    clean = working.digest == head_root.digest and staged.digest == head_root.digest
    base = merge_base(store, head, theirs)
    their_root = load_root(store, read_commit(store, theirs).root)
    if base == head and clean and not no_ff and not squash:
        chunks.write({}, {head_ref(branch): theirs, working_ref(branch): their_root.digest,
                          staged_ref(branch): their_root.digest},
                     expect={head_ref(branch): head})
        return MergeOutcome(theirs, fast_forward=True, message="Fast-forward")
    base_root = load_root(store, read_commit(store, base).root) if base else \
        save_root(store.writer(), {})
    writer = store.writer()
    result = merge_root_values(writer, base_root, working, their_root)
    refs = {working_ref(branch): result.root.digest}
    if result.conflicts or (not clean and not squash):
        refs[state_ref(branch)] = encode_state(writer, theirs, working.digest, result.conflicts)
        writer.commit(refs, expect={head_ref(branch): head})
        return MergeOutcome(None, conflicts=result.conflict_count,
                            message=f"{result.conflict_count} conflicts" if result.conflicts
                            else "merged into the working set; commit to finish")
    if squash:
        refs[staged_ref(branch)] = result.root.digest
        writer.commit(refs, expect={head_ref(branch): head})
        return MergeOutcome(None, message="squashed into the working set; commit to finish")
    name, mail = repo.default_author()
    parent = read_commit(store, head)
    text = message or f"Merge {revision} into {branch}"
    commit = Commit(result.root.digest, (head, theirs), author or name, email or mail,
                    timestamp_us(repo._now()), text, max(parent.height,
                                                          read_commit(store, theirs).height) + 1)
    digest = writer.put_bytes(encode_commit(commit))
    refs.update({head_ref(branch): digest, staged_ref(branch): result.root.digest})
    writer.commit(refs, expect={head_ref(branch): head})
    return MergeOutcome(digest, message=text)


def abort(store, branch: str) -> None:
    chunks = store.chunks
    state = chunks.get_ref(state_ref(branch))
    if state is None:
        raise MergeStateError("there is no merge to abort")
    _, pre_merge, _ = decode_state(store, state)
    chunks.write({}, {working_ref(branch): pre_merge, state_ref(branch): None},
                 expect={state_ref(branch): state})


def pending_merge(store, branch: str):
    """(their commit, conflict trees by table) of the merge in progress, or None."""
    state = store.chunks.get_ref(state_ref(branch))
    if state is None:
        return None
    their, _, trees = decode_state(store, state)
    return their, trees


def conflicts(store, branch: str) -> dict[str, list]:
    found = pending_merge(store, branch)
    if found is None:
        return {}
    return {name: list(conflict_rows(store, root)) for name, root in found[1].items()}


def resolve(store, branch: str, side: str, tables: list[str]) -> None:
    """Settle the named tables' conflicts: --ours keeps the merged rows, --theirs takes
    their rows (NULL where they deleted the row)."""
    state = store.chunks.get_ref(state_ref(branch))
    if state is None:
        raise MergeStateError("there is no merge in progress")
    their, pre_merge, trees = decode_state(store, state)
    _, _, _, working = repo.roots(store, branch)
    writer = store.writer()
    tables_now = dict(working.tables)
    for name in tables:
        if name not in trees:
            raise MergeStateError(f'table "{name}" has no conflicts')
        if side == "theirs":
            tables_now[name] = _take_theirs(store, writer, tables_now[name], trees[name])
        del trees[name]
    root = save_root(writer, tables_now)
    refs = {working_ref(branch): root.digest,
            state_ref(branch): _restate(writer, their, pre_merge, trees)}
    writer.commit(refs, expect={state_ref(branch): state})


def forget(store, branch: str, table: str, keys: set[bytes]) -> int:
    """Mark conflicts of `table` resolved, keeping the working rows (DELETE FROM
    conflicts_<t>); returns how many were settled."""
    from rowdb.storage.edit import apply_edits
    state = store.chunks.get_ref(state_ref(branch))
    if state is None:
        return 0
    their, pre_merge, trees = decode_state(store, state)
    if table not in trees or not keys:
        return 0
    writer = store.writer()
    present = {key for key, *_ in conflict_rows(store, trees[table])}
    gone = sorted(present & keys)
    root = apply_edits(writer, trees[table], [(k, None) for k in gone])
    if present - set(gone):
        trees[table] = root
    else:
        del trees[table]
    writer.commit({state_ref(branch): _restate(writer, their, pre_merge, trees)},
                  expect={state_ref(branch): state})
    return len(gone)


def _restate(writer, their, pre_merge, trees):
    import msgpack
    return writer.put_bytes(b"rowdb-merge\x00" + msgpack.packb([their, pre_merge, trees]))


def _take_theirs(store, writer, table, conflict_tree):
    from dataclasses import replace

    from rowdb.storage.edit import apply_edits
    from rowdb.storage.rows import encode_row
    edits = []
    for key, _, _, theirs in conflict_rows(store, conflict_tree):
        edits.append((key, None if theirs is None else encode_row(theirs)))
    return replace(table, data=apply_edits(writer, table.data, sorted(edits)))


def require_no_conflicts(store, branch: str) -> bytes | None:
    """Before a commit: refuse while conflicts remain; the merged commit's second parent."""
    found = pending_merge(store, branch)
    if found is None:
        return None
    their, trees = found
    if trees:
        names = ", ".join(sorted(trees))
        raise MergeStateError(f"cannot commit: unresolved merge conflicts in {names}",
                              hint="resolve with rowdb_conflicts_resolve or DELETE FROM "
                                   "conflicts_<table>")
    return their


def replay(store, branch: str, revision: str, invert: bool) -> bytes:
    """cherry-pick (invert False) or revert (True) one commit onto a clean working set."""
    head, head_root, staged, working = repo.roots(store, branch)
    if working.digest != head_root.digest or staged.digest != head_root.digest:
        raise MergeStateError("the working set has uncommitted changes",
                              hint="commit or reset them first")
    target = read_commit(store, resolve_commit(store, revision, branch))
    if not target.parents:
        raise MergeStateError("cannot replay the first commit")
    parent_root = load_root(store, read_commit(store, target.parents[0]).root)
    target_root = load_root(store, target.root)
    base, theirs = (target_root, parent_root) if invert else (parent_root, target_root)
    writer = store.writer()
    result = merge_root_values(writer, base, head_root, theirs)
    if result.conflicts:
        raise MergeStateError(f"{'revert' if invert else 'cherry-pick'} has "
                              f"{result.conflict_count} conflicts; nothing was changed")
    message = f'Revert "{target.message}"' if invert else target.message
    name, mail = repo.default_author()
    commit = Commit(result.root.digest, (head,), name if invert else target.author,
                    mail if invert else target.email, timestamp_us(repo._now()), message,
                    read_commit(store, head).height + 1)
    digest = writer.put_bytes(encode_commit(commit))
    writer.commit({head_ref(branch): digest, working_ref(branch): result.root.digest,
                   staged_ref(branch): result.root.digest}, expect={head_ref(branch): head})
    return digest
