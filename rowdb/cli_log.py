"""`rowdb log`: commit history as git prints it (full, --oneline, --graph), and the commit
header `rowdb show` reuses.

Where: command line; reads commits through rowdb.vc.refs (any revision's history, newest
first by height, which is a topological order) and branch/tag names through the
rowdb_branches and rowdb_tags system tables.

The graph keeps one lane per line of descent that is still waiting for a commit: a commit
takes the lane that waits for it, its first parent inherits the lane, a further parent opens
a lane to its right (`|\\`), and lanes waiting for the same commit join it (`|/`).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from dataclasses import dataclass

from rowdb.cli_render import BOLD, COMMIT_HASH, CYAN, GREEN, YELLOW, Palette, use_color
from rowdb.cli_repo import CliRepo, open_repo, short
from rowdb.vc.commits import Commit
from rowdb.vc.refs import ancestors


def format_date(moment: datetime.datetime) -> str:
    """git's default date format, in local time: `Fri Nov 7 12:29:11 2025 +0100`."""
    local = moment.astimezone()
    return local.strftime("%a %b ") + str(local.day) + local.strftime(" %H:%M:%S %Y %z")


def decorations(repo: CliRepo) -> dict[str, list[tuple[str, str]]]:
    """commit hash -> [(label, kind)]: HEAD -> branch first, then branches, then tags."""
    found: dict[str, list[tuple[str, str]]] = {}
    for name, digest in sorted(repo.branch_heads().items()):
        if name == repo.branch:
            found.setdefault(digest, []).insert(0, (f"HEAD -> {name}", "head"))
        else:
            found.setdefault(digest, []).append((name, "branch"))
    for name, digest in sorted(repo.tag_targets().items()):
        found.setdefault(digest, []).append((f"tag: {name}", "tag"))
    return found


_LABEL_STYLES = {"head": BOLD + ";" + CYAN, "branch": BOLD + ";" + GREEN,
                 "tag": BOLD + ";" + YELLOW}


def decoration_text(labels: list[tuple[str, str]], palette: Palette) -> str:
    if not labels:
        return ""
    inner = ", ".join(palette.paint(text, _LABEL_STYLES[kind]) for text, kind in labels)
    return " " + palette.paint("(", COMMIT_HASH) + inner + palette.paint(")", COMMIT_HASH)


def header_lines(commit: Commit, labels: list[tuple[str, str]], palette: Palette) -> list[str]:
    """`commit <hash> (refs)`, `Merge:`, `Author:`, `Date:`, blank, indented message."""
    lines = [palette.paint("commit " + commit.digest.hex(), COMMIT_HASH)
             + decoration_text(labels, palette)]
    if len(commit.parents) > 1:
        lines.append("Merge: " + " ".join(short(p) for p in commit.parents))
    lines.append(f"Author: {commit.author} <{commit.email}>")
    lines.append(f"Date:   {format_date(commit.date)}")
    lines.append("")
    lines.extend("    " + line for line in (commit.message.splitlines() or [""]))
    return lines


def oneline(commit: Commit, labels: list[tuple[str, str]], palette: Palette) -> str:
    subject = commit.message.splitlines()[0] if commit.message else ""
    return palette.paint(short(commit.digest), COMMIT_HASH) + \
        decoration_text(labels, palette) + " " + subject


def _bars(lanes: list) -> list[str]:
    return ["|" if lane is not None else " " for lane in lanes]


@dataclass
class GraphRow:
    """The graph around one commit: its line's prefix (`| *`), the lines opening a merge's
    further parents (`|\\`), the prefix of its body lines, the lines joining lanes that wait
    for the same parent (`|/`), and the prefix of the lines after all that."""
    prefix: str
    merges: list[str]
    body: str
    joins: list[str]
    after: str


def graph(commits: list[Commit]) -> list[GraphRow]:
    """One GraphRow per commit; `commits` are newest first, children before parents.

    >>> from rowdb.vc.commits import Commit
    >>> def c(d, *ps): return Commit(b"", tuple(ps), "", "", 0, d.decode(), 0, d)
    >>> rows = graph([c(b"m", b"a", b"d"), c(b"d", b"b"), c(b"a", b"b"), c(b"b")])
    >>> [(r.prefix, r.merges + r.joins) for r in rows]
    [('*', ['|\\\\']), ('| *', []), ('* |', ['|/']), ('*', [])]
    >>> rows = graph([c(b"m", b"a", b"d"), c(b"d", b"b"), c(b"a", b"x", b"b"), c(b"b"),
    ...               c(b"x")])
    >>> [(r.prefix, r.merges + r.joins) for r in rows]
    [('*', ['|\\\\']), ('| *', []), ('* |', ['|\\\\|']), ('| *', []), ('*', [])]
    """
    lanes: list[bytes | None] = []
    out = []
    for commit in commits:
        digest = commit.digest
        if digest in lanes:
            column = lanes.index(digest)
        elif None in lanes:
            column = lanes.index(None)
            lanes[column] = digest
        else:
            column = len(lanes)
            lanes.append(digest)
        marks = _bars(lanes)
        marks[column] = "*"
        prefix = " ".join(marks).rstrip()
        parents = list(commit.parents)
        lanes[column] = parents[0] if parents else None
        merges = []
        extra = [p for p in parents[1:] if p not in lanes]
        linked = [lanes.index(p) for p in parents[1:] if p in lanes and p != parents[0]]
        if extra or linked:  # a merge: edges to lanes that wait for its further parents
            chars = list(" ".join(_bars(lanes)) + "  ")
            if extra:  # new lanes open right of it, pushing the lanes there right
                for i in range(column + 1, len(lanes)):
                    if lanes[i] is not None:
                        chars[2 * i], chars[2 * i + 1] = " ", "\\"
            for i in linked + ([column + 1] if extra else []):
                chars[2 * column + 1 if i > column else 2 * column - 1] = \
                    "\\" if i > column else "/"
            merges.append("".join(chars).rstrip())
            lanes[column + 1:column + 1] = extra
        body = " ".join(_bars(lanes)).rstrip()
        joins = []
        removed = [i for i, lane in enumerate(lanes)
                   if lane is not None and lanes.index(lane) < i]
        if removed:  # lanes waiting for a commit another lane waits for join that lane
            for i in removed:
                lanes[i] = None
            chars = list(" ".join(_bars(lanes)) + "  ")
            for i in removed:
                chars[2 * i - 1] = "/"
            joins.append("".join(chars).rstrip())
        while lanes and lanes[-1] is None:
            lanes.pop()
        out.append(GraphRow(prefix, merges, body, joins, " ".join(_bars(lanes)).rstrip()))
    return out


def cmd_log(args: argparse.Namespace) -> int:
    """Show the history of the current branch (or REV), newest first."""
    repo = open_repo(args)
    palette = Palette(use_color(args.color, sys.stdout))
    commits = ancestors(repo.store, repo.resolve(args.revision or "HEAD"))
    if args.max_count is not None:
        commits = commits[:max(args.max_count, 0)]
    labels = decorations(repo)
    rows = graph(commits) if args.graph else [GraphRow("", [], "", [], "")] * len(commits)
    out = []
    for index, (commit, shape) in enumerate(zip(commits, rows)):
        lead = shape.prefix + " " if args.graph else ""
        tags = labels.get(commit.digest.hex(), [])
        if args.oneline:
            out.append(lead + oneline(commit, tags, palette))
            out.extend(shape.merges + shape.joins)
            continue
        head, *body = header_lines(commit, tags, palette)
        out.append(lead + head)
        out.extend(shape.merges)
        gap = shape.body + " " if args.graph else ""
        out.extend((gap + line).rstrip() for line in body)
        out.extend(shape.joins)
        if index < len(commits) - 1:
            out.append(shape.after)
    if out:
        print("\n".join(out))
    return 0
