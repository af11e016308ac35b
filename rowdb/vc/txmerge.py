"""Merging a transaction into a branch that moved while it ran (concurrent writers).

Where: version-control layer; the session calls `merge_roots` when COMMIT finds the
working-set ref moved. base = the root the transaction started from, ours = the branch's root
now, theirs = the transaction's result. It is the branch merge (merge.py) with one
difference: anything that a branch merge would record as a conflict or refuse fails the later
COMMIT with 40001, naming the table and key, and nothing is written.
"""

from __future__ import annotations

from rowdb.errors import NotSupportedError, SerializationFailureError
from rowdb.storage.keys import decode_key
from rowdb.vc.merge import merge_root_values
from rowdb.vc.rootvalue import RootValue


def merge_roots(writer, base: RootValue, ours: RootValue, theirs: RootValue) -> RootValue:
    try:
        result = merge_root_values(writer, base, ours, theirs)
    except NotSupportedError as exc:  # schema changed on both sides, or created/dropped
        raise _conflict(None, exc.message) from None
    for name, conflicts in result.conflicts.items():
        raise _conflict(name, "the same cell was changed by both", conflicts[0][0])
    return result.root


def _conflict(table: str | None, why: str, key: bytes | None = None):
    detail = f'table "{table}"' if table else None
    if key is not None:
        try:
            detail += f", key {decode_key(key)}"
        except Exception:  # noqa: BLE001 - the message must not fail
            detail += f", key {key.hex()}"
    return SerializationFailureError(
        "could not serialize access: this transaction conflicts with a committed transaction "
        f"from another client ({why})", detail=detail + "." if detail else None)
