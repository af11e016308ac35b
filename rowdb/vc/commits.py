"""Commits: immutable chunks naming a root value, their parents, author and message.

Where: version-control layer; repo.py creates them, refs.py resolves revision expressions to
them, the system tables (rowdb_log, diff_<t>, history_<t>) walk them. A commit is a chunk in
the same store as the trees (record tag 2 in the chunk's first byte of content distinguishes
it from tree nodes), so `gc` and `fsck` reach root values through commits.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import msgpack

from rowdb.errors import CorruptionError

COMMIT_FORMAT = 1
_MAGIC = b"rowdb-commit\x00"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


@dataclass(frozen=True, slots=True)
class Commit:
    root: bytes                  # root value hash
    parents: tuple[bytes, ...]   # first parent first
    author: str
    email: str
    timestamp_us: int            # UTC microseconds since the Unix epoch
    message: str
    height: int                  # 1 + the longest parent height: orders ancestors cheaply
    digest: bytes = b""

    @property
    def date(self) -> datetime.datetime:
        return _EPOCH + datetime.timedelta(microseconds=self.timestamp_us)


def encode_commit(commit: Commit) -> bytes:
    return _MAGIC + msgpack.packb([COMMIT_FORMAT, commit.root, list(commit.parents),
                                   commit.author, commit.email, commit.timestamp_us,
                                   commit.message, commit.height])


def decode_commit(data: bytes, digest: bytes) -> Commit:
    if not data.startswith(_MAGIC):
        raise CorruptionError(f"chunk {digest.hex()} is not a commit")
    try:
        fmt, root, parents, author, email, stamp, message, height = msgpack.unpackb(
            data[len(_MAGIC):])
        if fmt != COMMIT_FORMAT:
            raise ValueError(f"unknown commit format {fmt}")
        return Commit(root, tuple(parents), author, email, stamp, message, height, digest)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise CorruptionError(f"commit {digest.hex()} is damaged", detail=str(exc)) from exc


def is_commit(data: bytes) -> bool:
    return data.startswith(_MAGIC)


def timestamp_us(moment: datetime.datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
