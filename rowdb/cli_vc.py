"""Version-control commands of `rowdb`: status, add, commit, branch, checkout, tag, reset,
merge, conflicts, revert, cherry-pick.

Where: command line; each handler opens the repository (cli_repo.py), calls the SQL
function of the same name (`rowdb_commit('-m', ...)`, ...) or reads a system table
(`rowdb_status`, `rowdb_branches`, `rowdb_conflicts`, `conflicts_<t>`, ...), and prints
git-like output. Errors are RowdbErrors; cli.py prints them.
"""

from __future__ import annotations

import argparse
import sys

from rowdb.cli_render import GREEN, RED, Palette, plural, result_lines, use_color
from rowdb.cli_repo import CliRepo, open_repo, short
from rowdb.errors import InvalidParameterValueError, UnknownRefError
from rowdb.vc import repo as vc_repo
from rowdb.vc.mergeops import MergeStateError, pending_merge


def _palette(args: argparse.Namespace) -> Palette:
    return Palette(use_color(getattr(args, "color", "auto"), sys.stdout))


def _subject(message: str) -> str:
    return message.splitlines()[0] if message else ""


def report_commit(repo: CliRepo, digest_hex: str) -> None:
    """`[main 1a2b3c4] message`, as git prints after making a commit."""
    commit = repo.commit(bytes.fromhex(digest_hex))
    print(f"[{repo.branch} {short(digest_hex)}] {_subject(commit.message)}")


def _conflicted_tables(repo: CliRepo) -> list[str]:
    return [str(row[0]) for row in repo.rows("SELECT * FROM rowdb_conflicts")]


# status, add, commit -----------------------------------------------------------------------

def cmd_status(args: argparse.Namespace) -> int:
    """Show the current branch, staged and unstaged table changes, and merge conflicts."""
    repo = open_repo(args)
    palette = _palette(args)
    rows = repo.rows("SELECT table_name, staged, status FROM rowdb_status")
    staged = [(name, status) for name, is_staged, status in rows if is_staged]
    unstaged = [(name, status) for name, is_staged, status in rows if not is_staged]
    conflicts = _conflicted_tables(repo)
    merging = pending_merge(repo.store, repo.branch) is not None
    out = [f"On branch {repo.branch}"]
    if merging and not conflicts:
        out += ["All conflicts fixed but you are still merging.",
                '  (use "rowdb commit -a" to conclude merge)', ""]
    if conflicts:
        out += ["You have unmerged tables.",
                '  (fix conflicts and run "rowdb commit -a")',
                '  (use "rowdb merge --abort" to abort the merge)', "",
                "Unmerged tables:",
                '  (use "rowdb conflicts TABLE --ours|--theirs" to resolve)']
        out += ["\t" + palette.paint(f"{'both modified:':<15}{name}", RED) for name in conflicts]
        out.append("")
    if staged:
        out += ["Changes to be committed:", '  (use "rowdb reset" to unstage)']
        out += ["\t" + palette.paint(f"{status + ':':<15}{name}", GREEN)
                for name, status in staged]
        out.append("")
    if unstaged:
        out += ["Changes not staged for commit:",
                '  (use "rowdb add TABLE..." to stage, "rowdb commit -a" to commit all)',
                '  (use "rowdb reset --hard" to discard all changes)']
        out += ["\t" + palette.paint(f"{status + ':':<15}{name}", RED)
                for name, status in unstaged]
        out.append("")
    if not staged and not unstaged and not conflicts and not merging:
        out.append("nothing to commit, working tree clean")
    elif unstaged and not staged and not conflicts:
        out.append('no changes added to commit (use "rowdb add" and/or "rowdb commit -a")')
    print("\n".join(out).rstrip("\n"))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Stage tables' working changes for the next commit (`.` or -A: every table)."""
    if not args.tables and not args.all:
        raise InvalidParameterValueError("nothing specified, nothing added",
                                         hint='to stage every table: rowdb add .')
    repo = open_repo(args)
    repo.call("rowdb_add", *(["."] if args.all else args.tables))
    return 0


def cmd_commit(args: argparse.Namespace) -> int:
    """Record the staged tables (every working change with -a) as a new commit."""
    repo = open_repo(args)
    options = ["-m", args.message or ""]
    if args.all:
        options.append("-A")
    if args.allow_empty:
        options.append("--allow-empty")
    if args.author:
        options += ["--author", args.author]
    if args.date:
        options += ["--date", args.date]
    try:
        digest = repo.call("rowdb_commit", *options)
    except vc_repo.NothingToCommitError as exc:
        raise vc_repo.NothingToCommitError(
            exc.message, hint='stage tables with "rowdb add TABLE...", commit every change '
            'with -a, or record an empty commit with --allow-empty') from exc
    report_commit(repo, digest)
    return 0


# branch, checkout, tag ---------------------------------------------------------------------

def cmd_branch(args: argparse.Namespace) -> int:
    """List, create, delete, rename or copy branches."""
    repo = open_repo(args)
    names = args.names
    if args.delete or args.force_delete:
        if not names:
            raise InvalidParameterValueError("branch name required")
        for name in names:
            digest = repo.branch_heads().get(name)
            repo.call("rowdb_branch", "-D" if args.force_delete else "-d", name)
            print(f"Deleted branch {name} (was {short(digest or '')}).")
        return 0
    if args.move or args.copy:
        if not 1 <= len(names) <= 2:
            raise InvalidParameterValueError(f"{'-m' if args.move else '-c'} takes OLD NEW")
        if len(names) == 1:
            names = [repo.branch] + names
        repo.call("rowdb_branch", "-m" if args.move else "-c", *names)
        return 0
    if names:
        if len(names) > 2:
            raise InvalidParameterValueError("too many arguments: branch NAME [START]")
        repo.call("rowdb_branch", *(["-f"] if args.force else []), *names)
        return 0
    return _list_branches(repo, _palette(args), args.verbose)


def _list_branches(repo: CliRepo, palette: Palette, verbose: bool) -> int:
    rows = repo.rows("SELECT name, hash, latest_commit_message FROM rowdb_branches "
                     "ORDER BY name")
    width = max((len(name) for name, _, _ in rows), default=0)
    for name, digest, message in rows:
        current = name == repo.branch
        text = f"{name:<{width}} {short(digest)} {_subject(message)}" if verbose else name
        print(("* " + palette.paint(text, GREEN)) if current else "  " + text)
    return 0


def cmd_checkout(args: argparse.Namespace) -> int:
    """Switch to a branch (-b: a new one, started at START or HEAD)."""
    repo = open_repo(args, recover=True)
    if args.new_branch:
        start = [args.target] if args.target else []
        repo.call("rowdb_checkout", "-b", args.new_branch, *start)
        print(f"Switched to a new branch '{args.new_branch}'")
        return 0
    if not args.target:
        raise InvalidParameterValueError("checkout needs a branch name")
    if args.target == repo.branch:
        print(f"Already on '{args.target}'")
        return 0
    if args.target not in repo.branch_heads():
        raise UnknownRefError(f'branch "{args.target}" not found',
                              hint=f'create it with "rowdb checkout -b {args.target}" '
                              '(from a tag or commit: "rowdb checkout -b NEW REV")')
    repo.call("rowdb_checkout", args.target)
    print(f"Switched to branch '{args.target}'")
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    """List tags, tag a revision (HEAD by default), or delete tags."""
    repo = open_repo(args)
    if args.delete:
        if not args.names:
            raise InvalidParameterValueError("tag name required")
        for name in args.names:
            digest = repo.tag_targets().get(name)
            repo.call("rowdb_tag", "-d", name)
            print(f"Deleted tag '{name}' (was {short(digest or '')})")
        return 0
    if args.names:
        if len(args.names) > 2:
            raise InvalidParameterValueError("too many arguments: tag NAME [REV]")
        repo.call("rowdb_tag", *args.names)
        return 0
    for (name,) in repo.rows("SELECT tag_name FROM rowdb_tags ORDER BY tag_name"):
        print(name)
    return 0


# reset, merge, revert, cherry-pick, conflicts ----------------------------------------------

def cmd_reset(args: argparse.Namespace) -> int:
    """Unstage everything (mixed), or move the branch to REV: --soft keeps the working
    set, --hard also discards working changes."""
    repo = open_repo(args)
    if args.mode == "mixed" and args.revision:
        # rowdb_reset reads a mixed reset's arguments as tables; the core does the rest
        vc_repo.reset(repo.store, repo.branch, "mixed", args.revision)
    else:
        mode = [] if args.mode == "mixed" else [f"--{args.mode}"]
        repo.call("rowdb_reset", *mode, *([args.revision] if args.revision else []))
    if args.mode == "hard" or args.revision:
        commit = repo.commit(repo.resolve("HEAD"))
        print(f"HEAD is now at {short(commit.digest)} {_subject(commit.message)}")
    else:
        unstaged = repo.rows("SELECT table_name FROM rowdb_status WHERE NOT staged")
        if unstaged:
            print("Unstaged changes after reset:")
            for (name,) in unstaged:
                print(f"M\t{name}")
    return 0


def _looks_like_hash(text) -> bool:
    return isinstance(text, str) and len(text) == 40 and \
        all(c in "0123456789abcdef" for c in text)


def cmd_merge(args: argparse.Namespace) -> int:
    """Merge BRANCH into the current branch (--no-ff, --squash, -m MSG), or --abort."""
    repo = open_repo(args)
    if args.abort:
        repo.call("rowdb_merge", "--abort")
        print("Merge aborted; the working set is back to its state before the merge.")
        return 0
    if not args.branch:
        raise InvalidParameterValueError("merge needs a branch name")
    options = [args.branch]
    options += ["--no-ff"] if args.no_ff else []
    options += ["--squash"] if args.squash else []
    options += ["-m", args.message] if args.message else []
    before = repo.resolve("HEAD")
    outcome = repo.call("rowdb_merge", *options)
    if not _looks_like_hash(outcome):
        _report_unfinished(repo, str(outcome))
        return 0
    commit = repo.commit(bytes.fromhex(outcome))
    if before in commit.parents and len(commit.parents) > 1:
        print("Merge made by the 'three-way' strategy.")
        report_commit(repo, outcome)
    else:
        print(f"Updating {short(before)}..{short(outcome)}")
        print("Fast-forward")
    return 0


def _report_unfinished(repo: CliRepo, message: str) -> None:
    """A merge that did not commit: up to date, a result left to commit, or conflicts
    (an error: exit code 1, as git's)."""
    if message.lower().startswith("already up to date"):
        print("Already up to date.")
        return
    counts = repo.rows("SELECT * FROM rowdb_conflicts")
    if counts:
        for table, count in counts:
            print(f"CONFLICT: {plural(count, 'conflicting row')} in table {table}")
        raise MergeStateError(
            "automatic merge failed; resolve the conflicts, then commit the result",
            hint='see them with "rowdb conflicts TABLE"; settle a table with "rowdb '
                 'conflicts TABLE --ours|--theirs" or edit its rows and DELETE FROM '
                 'conflicts_TABLE; then "rowdb commit -a" (or "rowdb merge --abort")')
    print(message[:1].upper() + message[1:] + ".")


def _replay(args: argparse.Namespace, function: str) -> int:
    repo = open_repo(args)
    report_commit(repo, repo.call(function, args.revision))
    return 0


def cmd_revert(args: argparse.Namespace) -> int:
    """Make a commit that undoes REV's changes."""
    return _replay(args, "rowdb_revert")


def cmd_cherry_pick(args: argparse.Namespace) -> int:
    """Apply REV's changes (against its first parent) as a new commit."""
    return _replay(args, "rowdb_cherry_pick")


def cmd_conflicts(args: argparse.Namespace) -> int:
    """List tables with merge conflicts, a table's conflict rows, or resolve a table."""
    repo = open_repo(args)
    palette = _palette(args)
    if args.ours or args.theirs:
        if not args.table:
            raise InvalidParameterValueError("name the table to resolve")
        repo.call("rowdb_conflicts_resolve", "--ours" if args.ours else "--theirs",
                  args.table)
        which = "every table" if args.table == "." else args.table
        print(f"Resolved the conflicts of {which} with {'our' if args.ours else 'their'} rows")
        return 0
    if args.table:
        name = args.table.replace('"', '""')
        result = repo.query(f'SELECT * FROM "conflicts_{name}"')
    else:
        result = repo.query("SELECT * FROM rowdb_conflicts")
    print("\n".join(result_lines(result.columns, result.rows, palette)))
    return 0
