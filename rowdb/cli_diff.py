"""`rowdb diff` and `rowdb show`: row-level differences between two revisions, as tables of
`-`/`+` lines (changed cells highlighted), per-table counts (--stat) or table-level changes
(--summary).

Where: command line; compares the two root values (rowdb.query.systables.revision_root) to
find the tables that differ, then reads each table's diff rows from one tree diff
(systables.table_diff_rows). --where filters through SQL: on `diff_<t>` when the working
set's table has the compared revisions' columns, otherwise on the rows as a VALUES list.
A diff row is laid out as diff_<t>'s columns: to_<col>..., to_commit, to_commit_date,
from_<col>..., from_commit, from_commit_date, diff_type.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rowdb.cli_log import decorations, header_lines
from rowdb.cli_render import (ADDED, ADDED_CELL, BOLD, CYAN, HEADER, REMOVED, REMOVED_CELL,
                              Palette, aligned_table, cell_text, is_numeric, plural,
                              result_lines, use_color)
from rowdb.cli_repo import CliRepo, open_repo, short
from rowdb.errors import (InvalidParameterValueError, RowdbError, UndefinedColumnError,
                          UndefinedTableError)
from rowdb.query.systables import revision_root, table_diff_rows
from rowdb.query.textio import format_value
from rowdb.query.types import TEXT, TIMESTAMPTZ, parse_type_name
from rowdb.vc.rootvalue import TableDef

KINDS = ("added", "modified", "removed")
WHERE_BATCH_ROWS = 500  # rows per --where query: bounds the statement's size


@dataclass(frozen=True)
class TableChange:
    """One table that differs between the two revisions."""
    name: str
    before: TableDef | None
    after: TableDef | None

    @property
    def kind(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None \
            else "modified"

    @property
    def shape(self) -> TableDef:
        return self.after or self.before

    @property
    def schema_changed(self) -> bool:
        if self.before is None or self.after is None:
            return True
        return (_columns(self.before), self.before.primary_key, self.before.unique) != \
            (_columns(self.after), self.after.primary_key, self.after.unique)

    @property
    def data_changed(self) -> bool:
        return (self.before and self.before.data) != (self.after and self.after.data)


def _columns(table: TableDef) -> list[tuple]:
    return [(c.name, c.type, c.not_null, c.default) for c in table.columns]


@dataclass
class DiffRows:
    """A table's diff rows as (kind, old values, new values), old/new None when absent."""
    names: list[str]
    types: list[object]
    rows: list[tuple[str, tuple | None, tuple | None]]


def changed_tables(repo: CliRepo, source: str, target: str,
                   only: list[str] | None) -> list[TableChange]:
    """Tables whose definition or data differ between two revisions, by name."""
    before = revision_root(repo.store, repo.branch, source)[2].tables
    after = revision_root(repo.store, repo.branch, target)[2].tables
    names = sorted(set(before) | set(after))
    for name in only or []:
        if name not in names:
            raise UndefinedTableError(f'table "{name}" not found',
                                      detail=f"neither {source} nor {target} has it")
    return [TableChange(n, before.get(n), after.get(n)) for n in names
            if (not only or n in only) and before.get(n) != after.get(n)]


def diff_rows(repo: CliRepo, change: TableChange, source: str, target: str,
              where: str | None) -> DiffRows:
    """The table's diff rows between two revisions, filtered by `where` if given."""
    shape = change.shape
    types = [_parse_type(c.type) for c in shape.columns]
    width = len(types)
    if where and _same_columns(_working_table(repo, change.name), shape):
        raw = repo.rows(f"SELECT * FROM {_quote('diff_' + change.name)} WHERE from_commit = "
                        f"%s AND to_commit = %s AND ({where})", [source, target])
    else:
        raw = table_diff_rows(repo.store, repo.branch, change.name, source, target)
        if where:
            raw = filter_rows(repo, shape, types, raw, where)
    rows = []
    for row in raw:
        kind = row[-1]
        new = tuple(row[:width]) if kind != "removed" else None
        old = tuple(row[width + 2:2 * width + 2]) if kind != "added" else None
        rows.append((kind, old, new))
    return DiffRows([c.name for c in shape.columns], types, rows)


def _working_table(repo: CliRepo, name: str) -> TableDef | None:
    return revision_root(repo.store, repo.branch, "WORKING")[2].tables.get(name)


def _same_columns(table: TableDef | None, shape: TableDef) -> bool:
    """Whether diff_<t> (named and typed after the working set's table) lays out rows of
    `shape` right: then SQL filters them in the engine, in one query."""
    return table is not None and \
        [(c.name, c.type) for c in table.columns] == [(c.name, c.type) for c in shape.columns]


def filter_rows(repo: CliRepo, shape: TableDef, types: list, rows: Iterable[tuple],
                where: str) -> Iterator[tuple]:
    """The diff rows for which `where` holds, evaluated by SQL over the rows as a VALUES
    list named and typed as diff_<t>'s columns: for a table whose columns in the compared
    revisions differ from the working set's (or that the working set no longer has)."""
    names = [c.name for c in shape.columns]
    columns = [f"to_{n}" for n in names] + ["to_commit", "to_commit_date"] + \
        [f"from_{n}" for n in names] + ["from_commit", "from_commit_date", "diff_type"]
    sql_types = [c.type for c in shape.columns]
    sql_types = sql_types + ["text", "timestamptz"] + sql_types + ["text", "timestamptz", "text"]
    all_types = types + [TEXT, TIMESTAMPTZ] + types + [TEXT, TIMESTAMPTZ, TEXT]
    row_sql = "(%s, " + ", ".join(f"CAST(%s AS {t})" for t in sql_types) + ")"
    aliases = ", ".join(_quote(n) for n in ["rowdb_diff_row"] + columns)
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == WHERE_BATCH_ROWS:
            yield from _matching(repo, batch, row_sql, aliases, all_types, where, shape.name)
            batch = []
    if batch:
        yield from _matching(repo, batch, row_sql, aliases, all_types, where, shape.name)


def _matching(repo: CliRepo, batch: list[tuple], row_sql: str, aliases: str, types: list,
              where: str, table: str) -> list[tuple]:
    values = ", ".join([row_sql] * len(batch))
    sql = (f"SELECT rowdb_diff_row FROM (VALUES {values}) AS {_quote('diff_' + table)}"
           f"({aliases}) WHERE ({where})")
    params = []
    for number, row in enumerate(batch):
        params.append(number)
        params.extend(None if v is None else format_value(v, t) for v, t in zip(row, types))
    hits = {number for (number,) in repo.rows(sql, params)}
    return [row for number, row in enumerate(batch) if number in hits]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parse_type(text: str):
    try:
        return parse_type_name(text)
    except RowdbError:  # a type this version does not know still prints, as text
        return TEXT


# Output -------------------------------------------------------------------------------------

def _label(revision: str, resolved: str) -> str:
    """How a diff header names a revision: `WORKING`, `1a2b3c4` or `HEAD~1 (1a2b3c4)`."""
    if resolved in ("WORKING", "STAGED"):
        return resolved
    if resolved.startswith(revision.lower()):
        return short(resolved)
    return f"{revision} ({short(resolved)})"


def schema_lines(change: TableChange, palette: Palette) -> list[str]:
    """Column-level changes of a modified table's definition."""
    before, after = change.before, change.after
    if before is None or after is None:
        return []
    old = {c.name: c for c in before.columns}
    new = {c.name: c for c in after.columns}
    lines = []
    for column in before.columns:
        if column.name not in new:
            lines.append(palette.paint(f"- column {column.name} {column.type}", REMOVED))
        elif _columns_differ(column, new[column.name]):
            lines.append(palette.paint(
                f"~ column {column.name}: {_describe(column)} -> "
                f"{_describe(new[column.name])}", CYAN))
    for column in after.columns:
        if column.name not in old:
            lines.append(palette.paint(f"+ column {column.name} {column.type}", ADDED))
    if before.primary_key != after.primary_key:
        lines.append(palette.paint(f"~ primary key: {_key(before)} -> {_key(after)}", CYAN))
    if before.unique != after.unique:
        lines.append(palette.paint("~ unique constraints changed", CYAN))
    return lines


def _columns_differ(a, b) -> bool:
    return (a.type, a.not_null, a.default) != (b.type, b.not_null, b.default)


def _describe(column) -> str:
    text = column.type + (" not null" if column.not_null else "")
    return text + (f" default {column.default}" if column.default else "")


def _key(table: TableDef) -> str:
    return "(" + ", ".join(table.columns[i].name for i in table.primary_key) + ")"


def row_lines(data: DiffRows, palette: Palette) -> list[str]:
    """The rows as an aligned table: `-` old, `+` new; in a modified row's pair the cells
    that changed are highlighted."""
    table, marks = [], []
    for kind, old, new in data.rows:
        changed = {i for i, (a, b) in enumerate(zip(old, new)) if a != b} \
            if kind == "modified" else set()
        if old is not None:
            table.append(["-"] + [cell_text(v, t) for v, t in zip(old, data.types)])
            marks.append((REMOVED, REMOVED_CELL, changed))
        if new is not None:
            table.append(["+"] + [cell_text(v, t) for v, t in zip(new, data.types)])
            marks.append((ADDED, ADDED_CELL, changed))

    def style(row: int, column: int) -> str | None:
        line, cell, changed = marks[row]
        return cell if column - 1 in changed else line

    return aligned_table([""] + data.names, table,
                         [False] + [is_numeric(t) for t in data.types],
                         cell_style=style, palette=palette, header_style=HEADER)


def _counts(rows) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for kind, _, _ in rows:
        counts[kind] += 1
    return counts


def stat_lines(stats: list[tuple[TableChange, dict[str, int]]], palette: Palette) -> list[str]:
    """` t | 1 added, 2 modified` per table and a total line."""
    if not stats:
        return []
    width = max(len(change.name) for change, _ in stats)
    lines, totals = [], dict.fromkeys(KINDS, 0)
    for change, counts in stats:
        parts = [palette.paint(f"{counts[k]} {k}", {"added": ADDED, "removed": REMOVED}.get(k))
                 for k in KINDS if counts[k]]
        note = {"added": "new table", "removed": "deleted table"}.get(change.kind)
        if note is None and change.schema_changed:
            note = "schema changed"
        text = ", ".join(parts) or "no row changes"
        lines.append(f" {change.name:<{width}} | {text}" + (f" ({note})" if note else ""))
        for k in KINDS:
            totals[k] += counts[k]
    lines.append(f" {plural(len(stats), 'table')} changed, {plural(totals['added'], 'row')} "
                 f"added, {totals['modified']} modified, {totals['removed']} removed")
    return lines


def summary_lines(changes: list[TableChange], palette: Palette) -> list[str]:
    rows = [(c.name, c.kind, c.data_changed, c.schema_changed) for c in changes]
    columns = [("table_name", TEXT), ("diff_type", TEXT), ("data_change", None),
               ("schema_change", None)]
    return result_lines(columns, rows, palette)[:-1]


def diff_lines(repo: CliRepo, source: str, target: str, args: argparse.Namespace,
               palette: Palette) -> list[str]:
    """The whole diff output between two revisions, as the flags ask for it."""
    tables = []
    for change in changed_tables(repo, source, target, args.tables):
        data = None
        if args.where or args.stat or not args.summary:
            data = _rows_or_hint(repo, change, source, target, args.where)
            if args.where and not data.rows:
                continue
        tables.append((change, data))
    out = []
    if args.summary and tables:
        out += summary_lines([change for change, _ in tables], palette)
    if args.stat and tables:
        out += ([""] if out else []) + stat_lines(
            [(change, _counts(data.rows)) for change, data in tables], palette)
    if args.summary or args.stat:
        return out
    from_label = _label(source, revision_root(repo.store, repo.branch, source)[0])
    to_label = _label(target, revision_root(repo.store, repo.branch, target)[0])
    for change, data in tables:
        out.append(palette.paint(f"diff --rowdb a/{change.name} b/{change.name}", BOLD))
        if change.kind != "modified":
            kind = "new" if change.kind == "added" else "deleted"
            out.append(palette.paint(f"{kind} table {change.name}", BOLD))
        out.append(palette.paint(f"--- a/{change.name} @ {from_label}", BOLD))
        out.append(palette.paint(f"+++ b/{change.name} @ {to_label}", BOLD))
        out.extend(schema_lines(change, palette))
        if data.rows:
            out.extend(row_lines(data, palette))
    return out


def _rows_or_hint(repo: CliRepo, change: TableChange, source: str, target: str,
                  where: str | None) -> DiffRows:
    try:
        return diff_rows(repo, change, source, target, where)
    except UndefinedColumnError as exc:
        exc.detail = exc.detail or f'in the diff of table "{change.name}"'
        exc.hint = exc.hint or "--where filters the rows of diff_<table>: name columns " \
            "to_<column>, from_<column> or diff_type; choose a table with -t TABLE"
        raise


def _palette(args: argparse.Namespace) -> Palette:
    return Palette(use_color(args.color, sys.stdout))


def cmd_diff(args: argparse.Namespace) -> int:
    """Row-level changes: HEAD vs the working set by default, FROM vs the working set, or
    FROM vs TO (--staged: HEAD or FROM vs the staged set)."""
    repo = open_repo(args)
    if args.staged:
        if args.target:
            raise InvalidParameterValueError("--staged compares one revision with STAGED")
        source, target = args.source or "HEAD", "STAGED"
    else:
        source, target = args.source or "HEAD", args.target or "WORKING"
    lines = diff_lines(repo, source, target, args, _palette(args))
    if lines:
        print("\n".join(lines))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """A commit's header and its diff against its first parent."""
    repo = open_repo(args)
    palette = _palette(args)
    digest = repo.resolve(args.revision or "HEAD")
    commit = repo.commit(digest)
    out = header_lines(commit, decorations(repo).get(digest.hex(), []), palette)
    if commit.parents:
        lines = diff_lines(repo, commit.parents[0].hex(), digest.hex(), args, palette)
        if lines:
            out += [""] + lines
    print("\n".join(out))
    return 0
