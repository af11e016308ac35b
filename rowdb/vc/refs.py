"""Ref names and revision expressions: what `HEAD~2`, `main`, `v1.0` or `a1b2c3` mean.

Where: version-control layer; repo.py, the SQL functions and system tables and the command
line resolve every user-given revision here. Refs live in the chunk store (storage/kv.py):
    heads/<branch>       commit hash of the branch's tip
    tags/<tag>           commit hash
    workingset/<branch>  root value hash: SQL-committed, not yet version-committed data
    staged/<branch>      root value hash: what the next version commit records
"""

from __future__ import annotations

import re

from rowdb.errors import InvalidParameterValueError, UnknownRefError
from rowdb.vc.commits import Commit, decode_commit

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")
_SUFFIX = re.compile(r"(~\d*|\^\d*)$")


def head_ref(branch: str) -> str:
    return f"heads/{branch}"


def tag_ref(tag: str) -> str:
    return f"tags/{tag}"


def working_ref(branch: str) -> str:
    return f"workingset/{branch}"


def staged_ref(branch: str) -> str:
    return f"staged/{branch}"


def check_name(name: str, what: str = "branch") -> str:
    if not name or not _NAME.match(name) or ".." in name or name.endswith((".", "/")) \
            or name.upper() in ("HEAD", "WORKING", "STAGED"):
        raise InvalidParameterValueError(f'"{name}" is not a valid {what} name')
    return name


_commits: dict[bytes, Commit] = {}


def read_commit(store, digest: bytes) -> Commit:
    """The commit stored under `digest` (decoded once per process)."""
    found = _commits.get(digest)
    if found is None:
        found = decode_commit(store.load_bytes(digest), digest)
        if len(_commits) > 100_000:
            _commits.clear()
        _commits[digest] = found
    return found


def resolve_commit(store, revision: str, branch: str) -> bytes:
    """The commit hash a revision expression names; UnknownRefError if none."""
    text = revision.strip()
    steps: list[str] = []
    while True:
        match = _SUFFIX.search(text)
        if not match or match.start() == 0:
            break
        steps.insert(0, match.group(1))
        text = text[:match.start()]
    digest = _base(store, text, branch, revision)
    for step in steps:
        kind, count = step[0], step[1:]
        n = int(count) if count else 1
        if kind == "~":
            for _ in range(n):
                digest = _parent(store, digest, 0, revision)
        elif n:
            digest = _parent(store, digest, n - 1, revision)
    return digest


def _parent(store, digest: bytes, index: int, revision: str) -> bytes:
    parents = read_commit(store, digest).parents
    if index >= len(parents):
        raise UnknownRefError(f'revision "{revision}" goes past the first commit')
    return parents[index]


def _base(store, text: str, branch: str, revision: str) -> bytes:
    chunks = store.chunks
    if text.upper() == "HEAD":
        text = branch
    for ref in (head_ref(text), tag_ref(text)):
        found = chunks.get_ref(ref)
        if found is not None:
            return found
    if re.fullmatch(r"[0-9a-fA-F]{4,40}", text):
        matches = [d for d in reachable_commits(store) if d.hex().startswith(text.lower())]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UnknownRefError(f'revision "{revision}" is ambiguous',
                                  hint="give more characters of the commit hash")
    raise UnknownRefError(f'revision "{revision}" not found',
                          hint="name a branch, a tag, a commit hash, or HEAD~n")


def reachable_commits(store) -> list[bytes]:
    """Every commit reachable from a branch or tag."""
    seen: set[bytes] = set()
    stack = list(store.chunks.refs("heads/").values()) + \
        list(store.chunks.refs("tags/").values())
    while stack:
        digest = stack.pop()
        if digest in seen:
            continue
        seen.add(digest)
        stack.extend(read_commit(store, digest).parents)
    return list(seen)


def ancestors(store, digest: bytes) -> list[Commit]:
    """The commit and all its ancestors, newest first (by height, then date)."""
    seen: dict[bytes, Commit] = {}
    stack = [digest]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        commit = read_commit(store, current)
        seen[current] = commit
        stack.extend(commit.parents)
    return sorted(seen.values(), key=lambda c: (c.height, c.timestamp_us), reverse=True)


def first_parent_history(store, digest: bytes):
    """The commit, its first parent, that one's first parent, ... (newest first)."""
    while digest:
        commit = read_commit(store, digest)
        yield commit
        digest = commit.parents[0] if commit.parents else None
