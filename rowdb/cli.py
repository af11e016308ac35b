"""The `rowdb` command line: acts on the repository in the current folder or `--repo DIR`.

Where: top of the stack, beside the server and the shell; it only calls public functions of
the layers below. Each subcommand is one function registered in `COMMANDS` as
(handler, summary) or (handler, summary, add_arguments); handlers live in the cli_*
modules: cli_vc.py (status, add, commit, branch, ...), cli_log.py, cli_diff.py (diff,
show), cli_sql.py; cli_render.py prints tables, cli_repo.py opens the repository and keeps
the current branch. Every failure prints `rowdb: error: <message>` and exits with 1.
"""

from __future__ import annotations

import argparse
import os
import sys

from rowdb import __version__
from rowdb.cli_maintenance import cmd_fsck, cmd_gc
from rowdb.cli_diff import cmd_diff, cmd_show
from rowdb.cli_log import cmd_log
from rowdb.cli_sql import cmd_sql
from rowdb.cli_vc import (cmd_add, cmd_branch, cmd_checkout, cmd_cherry_pick, cmd_commit,
                          cmd_conflicts, cmd_merge, cmd_reset, cmd_revert, cmd_status,
                          cmd_tag)
from rowdb.errors import RowdbError
from rowdb.storage import open_store
from rowdb.storage.kv import STORE_DIR
from rowdb.vc import repo as vc_repo

TRACEBACK_ENV = "ROWDB_TRACEBACK"  # set to 1 to see the traceback of an unexpected failure


def cmd_init(args: argparse.Namespace) -> int:
    """Create an empty repository (an LMDB store in DIR/.rowdb) with its first commit."""
    existed = os.path.isdir(os.path.join(args.repo, STORE_DIR))
    store = open_store(args.repo)
    vc_repo.init(store)
    where = os.path.abspath(os.path.join(args.repo, STORE_DIR))
    if existed:
        print(f"Reinitialized existing rowdb repository in {where}")
    else:
        print(f"Initialized empty rowdb repository in {where}")
    store.chunks.sync()
    return 0


# Arguments ----------------------------------------------------------------------------------

def _color(p: argparse.ArgumentParser) -> None:
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="color the output: auto (when stdout is a terminal), always, never")


def _args_status(p):
    _color(p)


def _args_add(p):
    p.add_argument("tables", nargs="*", metavar="TABLE", help="tables to stage; . for all")
    p.add_argument("-A", "--all", action="store_true", help="stage every table")


def _args_commit(p):
    p.add_argument("-m", "--message", metavar="MSG", help="the commit message")
    p.add_argument("-a", "-A", "--all", action="store_true",
                   help="commit every working change, staged or not")
    p.add_argument("--allow-empty", action="store_true", help="commit even with no change")
    p.add_argument("--author", metavar='"NAME <EMAIL>"', help="the commit's author")
    p.add_argument("--date", metavar="TIMESTAMP", help="the commit's date")


def _args_log(p):
    p.add_argument("revision", nargs="?", metavar="REV", help="start here (default HEAD)")
    p.add_argument("--oneline", action="store_true", help="one line per commit")
    p.add_argument("-n", "--max-count", type=int, metavar="N", help="show at most N commits")
    p.add_argument("--graph", action="store_true", help="draw the commit graph")
    _color(p)


def _diff_filters(p):
    p.add_argument("--stat", action="store_true", help="rows added/modified/removed per table")
    p.add_argument("--summary", action="store_true", help="table-level changes only")
    p.add_argument("-t", "--table", dest="tables", action="append", metavar="TABLE",
                   help="only this table (repeatable)")
    p.add_argument("--where", metavar="EXPR",
                   help="SQL filter on the diff rows, e.g. \"to_id > 5\" or "
                        "\"diff_type = 'added'\"")
    _color(p)


def _args_diff(p):
    p.add_argument("source", nargs="?", metavar="FROM", help="default HEAD")
    p.add_argument("target", nargs="?", metavar="TO", help="default WORKING")
    p.add_argument("--staged", "--cached", action="store_true",
                   help="compare with the staged set instead of the working set")
    _diff_filters(p)


def _args_show(p):
    p.add_argument("revision", nargs="?", metavar="REV", help="default HEAD")
    _diff_filters(p)


def _args_branch(p):
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="NAME [START] to create; with -d NAME...; with -m/-c OLD NEW")
    p.add_argument("-d", "--delete", action="store_true", help="delete branches")
    p.add_argument("-D", dest="force_delete", action="store_true", help="delete, forced")
    p.add_argument("-m", "--move", action="store_true", help="rename OLD to NEW")
    p.add_argument("-c", "--copy", action="store_true", help="copy OLD to NEW")
    p.add_argument("-f", "--force", action="store_true", help="create even if NAME exists")
    p.add_argument("-v", "--verbose", action="store_true", help="list with hash and subject")
    _color(p)


def _args_checkout(p):
    p.add_argument("target", nargs="?", metavar="NAME",
                   help="the branch (with -b: the start, default HEAD)")
    p.add_argument("-b", dest="new_branch", metavar="NEW", help="create branch NEW first")


def _args_merge(p):
    p.add_argument("branch", nargs="?", metavar="BRANCH", help="the branch to merge")
    p.add_argument("--no-ff", action="store_true", help="make a merge commit even if a "
                   "fast-forward is possible")
    p.add_argument("--squash", action="store_true", help="stage the merged result, no commit")
    p.add_argument("--abort", action="store_true", help="abandon a merge with conflicts")
    p.add_argument("-m", "--message", metavar="MSG", help="the merge commit's message")


def _args_conflicts(p):
    p.add_argument("table", nargs="?", metavar="TABLE", help="show this table's conflicts")
    side = p.add_mutually_exclusive_group()
    side.add_argument("--ours", action="store_true", help="resolve TABLE keeping our rows")
    side.add_argument("--theirs", action="store_true", help="resolve TABLE taking theirs")
    _color(p)


def _args_reset(p):
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--hard", dest="mode", action="store_const", const="hard",
                      help="also reset the working set (discards changes)")
    mode.add_argument("--soft", dest="mode", action="store_const", const="soft",
                      help="keep the working set")
    p.set_defaults(mode="mixed")
    p.add_argument("revision", nargs="?", metavar="REV", help="move the branch here")


def _args_tag(p):
    p.add_argument("names", nargs="*", metavar="NAME", help="NAME [REV] to create")
    p.add_argument("-d", "--delete", action="store_true", help="delete tags")


def _args_revision(p):
    p.add_argument("revision", metavar="REV", help="a commit: hash, branch, tag, HEAD~n")


def _args_sql(p):
    p.add_argument("-q", "--query", metavar="QUERY",
                   help="statements to run (default: read standard input until EOF)")
    _color(p)


COMMANDS = {
    "init": (cmd_init, "create an empty repository in the current folder (or --repo DIR)"),
    "status": (cmd_status, "show the branch and staged and unstaged table changes",
               _args_status),
    "add": (cmd_add, "stage tables for the next commit", _args_add),
    "commit": (cmd_commit, "record staged changes as a commit", _args_commit),
    "log": (cmd_log, "show the commit history", _args_log),
    "diff": (cmd_diff, "show row changes between revisions (default HEAD vs WORKING)",
             _args_diff),
    "show": (cmd_show, "show a commit and its changes", _args_show),
    "branch": (cmd_branch, "list, create, delete, rename or copy branches", _args_branch),
    "checkout": (cmd_checkout, "switch branches", _args_checkout),
    "merge": (cmd_merge, "merge a branch into the current branch", _args_merge),
    "conflicts": (cmd_conflicts, "list or resolve merge conflicts", _args_conflicts),
    "reset": (cmd_reset, "unstage changes or move the branch to a revision", _args_reset),
    "tag": (cmd_tag, "list, create or delete tags", _args_tag),
    "revert": (cmd_revert, "make a commit that undoes a commit", _args_revision),
    "cherry-pick": (cmd_cherry_pick, "apply a commit's changes as a new commit",
                    _args_revision),
    "sql": (cmd_sql, "run SQL and print the results", _args_sql),
    "fsck": (cmd_fsck, "verify every chunk a ref reaches; report missing or corrupt ones"),
    "gc": (cmd_gc, "drop chunks no ref or working set can reach"),
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="rowdb", description="rowdb: a versioned SQL database, Git for tables.")
    top.add_argument("--version", action="version", version=f"rowdb {__version__}")
    top.add_argument("--repo", default=".", metavar="DIR",
                     help="repository folder (default: the current folder)")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary, *arguments) in COMMANDS.items():
        command = sub.add_parser(name, help=summary, description=summary)
        for add_arguments in arguments:
            add_arguments(command)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not args.command:
        parser().print_help()
        return 0
    try:
        return COMMANDS[args.command][0](args)
    except RowdbError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (rowdb log | head): stop quietly, as git does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug: still one line, with a way to see more
        if os.environ.get(TRACEBACK_ENV):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc}\n"
                     f"HINT:  run with {TRACEBACK_ENV}=1 for the traceback, and report it")


def _fail(message: str) -> int:
    sys.stdout.flush()
    print(f"rowdb: error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
