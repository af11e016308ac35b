"""The `rowdb` command line: acts on the repository in the current folder or `--repo DIR`.

Where: top of the stack, beside the server and the shell; it only calls public functions of
the layers below. Each subcommand is one function registered in `COMMANDS`.
"""

from __future__ import annotations

import argparse
import os
import sys

from rowdb import __version__
from rowdb.errors import RowdbError
from rowdb.storage import open_store
from rowdb.storage.kv import STORE_DIR


def cmd_init(args: argparse.Namespace) -> int:
    """Create an empty repository (an LMDB store in DIR/.rowdb)."""
    existed = os.path.isdir(os.path.join(args.repo, STORE_DIR))
    store = open_store(args.repo)
    where = os.path.abspath(os.path.join(args.repo, STORE_DIR))
    if existed:
        print(f"Reinitialized existing rowdb repository in {where}")
    else:
        print(f"Initialized empty rowdb repository in {where}")
    store.chunks.sync()
    return 0


COMMANDS = {
    "init": (cmd_init, "create an empty repository in the current folder (or --repo DIR)"),
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="rowdb", description="rowdb: a versioned SQL database, Git for tables.")
    top.add_argument("--version", action="version", version=f"rowdb {__version__}")
    top.add_argument("--repo", default=".", metavar="DIR",
                     help="repository folder (default: the current folder)")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in COMMANDS.items():
        sub.add_parser(name, help=summary, description=summary)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not args.command:
        parser().print_help()
        return 0
    try:
        return COMMANDS[args.command][0](args)
    except RowdbError as exc:
        print(f"rowdb: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
