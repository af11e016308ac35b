"""`rowdb fsck` and `rowdb gc`: verify the repository, reclaim unreachable chunks.

Where: command line; thin wrappers over vc/maintenance.py.
"""

from __future__ import annotations

import argparse

from rowdb.cli_repo import open_repo
from rowdb.errors import CorruptionError
from rowdb.vc import maintenance


def cmd_fsck(args: argparse.Namespace) -> int:
    repo = open_repo(args)
    try:
        checked, problems = maintenance.fsck(repo.store)
    finally:
        repo.close()
    for problem in problems:
        print(f"error: {problem}")
    if problems:
        raise CorruptionError(f"{len(problems)} problems found in {checked} chunks checked")
    print(f"ok: {checked} chunks verified")
    return 0


def cmd_gc(args: argparse.Namespace) -> int:
    repo = open_repo(args)
    try:
        before = repo.store.chunks.disk_bytes()
        dropped, reclaimed = maintenance.gc(repo.store)
        after = repo.store.chunks.disk_bytes()
    finally:
        repo.close()
    print(f"removed {dropped} unreachable chunks ({reclaimed} bytes of packed data); "
          f"store uses {after} bytes (was {before}; freed pages are reused by later writes)")
    return 0
