"""`rowdb sql`: run SQL on the current branch and print each result as an aligned table.

Where: command line; the minimal, non-interactive form (the prompt-toolkit shell is
rowdb/shell). Statements come from -q or, without it, from standard input until EOF; each
statement's result prints in turn (rows as a table with a row count, others as their command
tag, as psql does). A statement that fails stops the run; the ones before it stay done.
If a statement switches branch (CALL rowdb_checkout(...)), the command line follows.
"""

from __future__ import annotations

import argparse
import sys

from rowdb.cli_render import Palette, result_lines, use_color
from rowdb.cli_repo import open_repo


def cmd_sql(args: argparse.Namespace) -> int:
    """Run the statements of -q QUERY (or of standard input) and print their results."""
    repo = open_repo(args)
    palette = Palette(use_color(args.color, sys.stdout))
    if args.query is not None:
        text = args.query
    else:
        if sys.stdin.isatty():
            print("rowdb: reading SQL from standard input until EOF (Ctrl-D)", file=sys.stderr)
        text = sys.stdin.read()
    if not text.strip():
        return 0
    after_table = False
    for result in repo.execute_each(text):
        if after_table:
            print()
        after_table = bool(result.columns)
        if result.columns:
            print("\n".join(result_lines(result.columns, result.rows, palette)))
        elif result.tag:
            print(result.tag)
    return 0
