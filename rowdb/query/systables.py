"""System tables: rowdb_log, rowdb_branches, rowdb_tags, rowdb_status, and per user table
diff_<t> and history_<t>, as (column names and types, rows).

Where: version-control layer; the query layer's FROM clause asks `virtual_table(name)` for
names it does not find among the user's tables and scans the rows these functions produce.
diff_<t> accepts the pair (from_commit, to_commit) pushed down from the WHERE clause and then
computes one tree diff between the two roots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rowdb.errors import InvalidParameterValueError, UndefinedTableError
from rowdb.storage.diff import diff
from rowdb.query.types import BOOL, INT8, TEXT, TIMESTAMPTZ, parse_type_name
from rowdb.query.rowcodec import codec_for
from rowdb.vc import mergeops, repo
from rowdb.vc.refs import ancestors, first_parent_history, read_commit, resolve_commit
from rowdb.vc.rootvalue import load_root


@dataclass
class VirtualTable:
    name: str
    columns: list[tuple[str, object]]   # (name, SqlType)
    rows: Callable                      # rows(store, branch, pushed: dict) -> iterator
    pushable: tuple[str, ...] = ()      # columns whose `= constant` the scan can use


def virtual_table(name: str, tables: dict) -> VirtualTable | None:
    fixed = _FIXED.get(name)
    if fixed is not None:
        return fixed()
    for prefix, build in (("diff_", _diff_table), ("history_", _history_table),
                          ("conflicts_", _conflicts_table)):
        if name.startswith(prefix):
            table = tables.get(name[len(prefix):])
            if table is None:
                raise UndefinedTableError(f'relation "{name}" does not exist',
                                          detail=f'no table "{name[len(prefix):]}"')
            return build(table)
    return None


def table_function(name: str, constants: list, tables: dict) -> VirtualTable | None:
    """rowdb_diff('t', from, to), rowdb_diff_stat(from, to [, 't']),
    rowdb_schema_diff(from, to): their argument values arrive as pushed["args"]."""
    if name == "rowdb_diff":
        if len(constants) != 3 or not isinstance(constants[0], str):
            raise InvalidParameterValueError(
                "rowdb_diff needs a table name, a from revision and a to revision",
                hint="the table name must be a constant (it decides the columns)")
        table = tables.get(constants[0])
        if table is None:
            raise UndefinedTableError(f'table "{constants[0]}" does not exist')
        shape = _diff_table(table)

        def rows(store, branch, pushed):
            _, source, target = pushed["args"]
            yield from table_diff_rows(store, branch, table.name, source, target, table)
        return VirtualTable(name, shape.columns, rows)
    if name == "rowdb_diff_stat":
        return VirtualTable(name, [("table_name", TEXT), ("rows_added", INT8),
                                   ("rows_modified", INT8), ("rows_removed", INT8),
                                   ("cells_modified", INT8), ("old_row_count", INT8),
                                   ("new_row_count", INT8)], _diff_stat_rows)
    if name == "rowdb_schema_diff":
        return VirtualTable(name, [("table_name", TEXT), ("from_create_statement", TEXT),
                                   ("to_create_statement", TEXT)], _schema_diff_rows)
    return None


def _diff_stat_rows(store, branch, pushed):
    args = pushed["args"]
    if len(args) not in (2, 3):
        raise InvalidParameterValueError("rowdb_diff_stat needs from, to [, table]")
    _, _, before = revision_root(store, branch, args[0])
    _, _, after = revision_root(store, branch, args[1])
    names = [args[2]] if len(args) == 3 else sorted(set(before.tables) | set(after.tables))
    for name in names:
        old, new = before.tables.get(name), after.tables.get(name)
        if old is None and new is None:
            raise UndefinedTableError(f'table "{name}" does not exist in either revision')
        added = modified = removed = cells = 0
        for row in _rows_between(store, name, before, after, "", None, "", None):
            kind = row[-1]
            if kind == "added":
                added += 1
            elif kind == "removed":
                removed += 1
            else:
                modified += 1
                width = (len(row) - 5) // 2
                cells += sum(a != b for a, b in zip(row[:width], row[width + 2:2 * width + 2]))
        yield (name, added, modified, removed, cells, _count(store, old), _count(store, new))


def _count(store, table) -> int:
    from rowdb.storage import tree
    if table is None:
        return 0
    if table.keyless:
        return sum(len(codec_for(table).decode_many(values))
                   for _, values in tree.scan_leaves(store, table.data))
    return tree.count(store, table.data)


def _schema_diff_rows(store, branch, pushed):
    args = pushed["args"]
    if len(args) != 2:
        raise InvalidParameterValueError("rowdb_schema_diff needs from and to revisions")
    _, _, before = revision_root(store, branch, args[0])
    _, _, after = revision_root(store, branch, args[1])
    for name in sorted(set(before.tables) | set(after.tables)):
        old, new = before.tables.get(name), after.tables.get(name)
        old_sql = create_statement(old) if old else None
        new_sql = create_statement(new) if new else None
        if old_sql != new_sql:
            yield (name, old_sql, new_sql)


def create_statement(table) -> str:
    """A CREATE TABLE statement for a table definition (for schema diffs)."""
    parts = []
    for column in table.columns:
        text = f"{column.name} {column.type}"
        if column.default is not None:
            text += f" DEFAULT {column.default}"
        if column.not_null and table.column_index(column.name) not in table.primary_key:
            text += " NOT NULL"
        parts.append(text)
    if table.primary_key:
        parts.append("PRIMARY KEY (" + ", ".join(table.columns[i].name
                                                for i in table.primary_key) + ")")
    for unique in table.unique:
        parts.append("UNIQUE (" + ", ".join(table.columns[i].name for i in unique) + ")")
    return f"CREATE TABLE {table.name} (" + ", ".join(parts) + ")"


def _hex(digest: bytes | None) -> str | None:
    return digest.hex() if digest else None


def _log() -> VirtualTable:
    def rows(store, branch, pushed):
        head = store.chunks.get_ref(f"heads/{branch}")
        for commit in ancestors(store, head):
            yield (commit.digest.hex(), commit.author, commit.email, commit.date,
                   commit.message, ",".join(p.hex() for p in commit.parents))
    return VirtualTable("rowdb_log", [("commit_hash", TEXT), ("committer", TEXT),
                                      ("email", TEXT), ("date", TIMESTAMPTZ),
                                      ("message", TEXT), ("parents", TEXT)], rows)


def _branches() -> VirtualTable:
    def rows(store, branch, pushed):
        for ref, digest in sorted(store.chunks.refs("heads/").items()):
            commit = read_commit(store, digest)
            yield (ref[len("heads/"):], digest.hex(), commit.author, commit.email,
                   commit.date, commit.message)
    return VirtualTable("rowdb_branches", [
        ("name", TEXT), ("hash", TEXT), ("latest_committer", TEXT),
        ("latest_committer_email", TEXT), ("latest_commit_date", TIMESTAMPTZ),
        ("latest_commit_message", TEXT)], rows)


def _tags() -> VirtualTable:
    def rows(store, branch, pushed):
        for ref, digest in sorted(store.chunks.refs("tags/").items()):
            commit = read_commit(store, digest)
            yield (ref[len("tags/"):], digest.hex(), commit.author, commit.date,
                   commit.message)
    return VirtualTable("rowdb_tags", [("tag_name", TEXT), ("tag_hash", TEXT),
                                       ("tagger", TEXT), ("date", TIMESTAMPTZ),
                                       ("message", TEXT)], rows)


def _status() -> VirtualTable:
    def rows(store, branch, pushed):
        _, head, staged, working = repo.roots(store, branch)
        yield from repo.table_status(head, staged, working)
    return VirtualTable("rowdb_status", [("table_name", TEXT), ("staged", BOOL),
                                         ("status", TEXT)], rows)


def _conflicts() -> VirtualTable:
    def rows(store, branch, pushed):
        for name, entries in sorted(mergeops.conflicts(store, branch).items()):
            yield (name, len(entries))
    return VirtualTable("rowdb_conflicts", [("table", TEXT), ("num_conflicts", INT8)], rows)


_FIXED = {"rowdb_conflicts": _conflicts, "rowdb_log": _log, "rowdb_branches": _branches,
          "rowdb_tags": _tags, "rowdb_status": _status}


def revision_root(store, branch: str, revision: str):
    """(label, commit date or None, root value) of a revision; WORKING/STAGED included."""
    word = revision.strip().upper()
    if word in ("WORKING", "STAGED"):
        _, _, staged, working = repo.roots(store, branch)
        return word, None, working if word == "WORKING" else staged
    digest = resolve_commit(store, revision, branch)
    commit = read_commit(store, digest)
    return digest.hex(), commit.date, load_root(store, commit.root)


def _diff_table(table) -> VirtualTable:
    names = [c.name for c in table.columns]
    types = [parse_type_name(c.type) for c in table.columns]
    columns = [(f"to_{n}", t) for n, t in zip(names, types)] + \
        [("to_commit", TEXT), ("to_commit_date", TIMESTAMPTZ)] + \
        [(f"from_{n}", t) for n, t in zip(names, types)] + \
        [("from_commit", TEXT), ("from_commit_date", TIMESTAMPTZ), ("diff_type", TEXT)]

    def rows(store, branch, pushed):
        source, target = pushed.get("from_commit"), pushed.get("to_commit")
        if source is not None and target is not None:
            yield from table_diff_rows(store, branch, table.name, source, target, table)
            return
        yield from _diff_history(store, branch, table.name, table)
    return VirtualTable(f"diff_{table.name}", columns, rows, ("from_commit", "to_commit"))


def table_diff_rows(store, branch: str, name: str, source: str, target: str,
                    layout=None) -> Iterator:
    """diff_<t> rows between two revisions: one tree diff, O(rows that differ). Rows are
    laid out in `layout`'s columns (the table as diff_<t> shows it; by default the newer
    revision's)."""
    _, from_date, from_root = revision_root(store, branch, source)
    _, to_date, to_root = revision_root(store, branch, target)
    # rows carry the revisions as the query gave them, so its filter on them still holds
    yield from _rows_between(store, name, from_root, to_root, source, from_date, target,
                             to_date, layout)


def _rows_between(store, name, from_root, to_root, from_label, from_date, to_label,
                  to_date, layout=None) -> Iterator:
    before, after = from_root.tables.get(name), to_root.tables.get(name)
    if before is None and after is None:
        return
    shape = layout or after or before
    width = len(shape.columns)
    empty = (None,) * width
    old_codec = codec_for(before) if before else None
    new_codec = codec_for(after) if after else None
    old_data = before.data if before else _empty_root(store)
    new_data = after.data if after else _empty_root(store)
    for key, old, new in diff(store, old_data, new_data):
        old_row = _fit(old_codec.decode_one(old), shape, before) if old is not None else empty
        new_row = _fit(new_codec.decode_one(new), shape, after) if new is not None else empty
        kind = "added" if old is None else "removed" if new is None else "modified"
        if kind == "modified" and old_row == new_row:
            continue
        yield new_row + (to_label, to_date) + old_row + (from_label, from_date, kind)


def _fit(row: tuple, shape, table) -> tuple:
    """A row laid out in `shape`'s columns (schemas may differ between versions)."""
    if table is shape or table.columns == shape.columns:
        return row
    by_name = {c.name: v for c, v in zip(table.columns, row)}
    return tuple(by_name.get(c.name) for c in shape.columns)


def _empty_root(store) -> bytes:
    from rowdb.storage.node import EMPTY
    return EMPTY.digest


def _diff_history(store, branch: str, name: str, layout) -> Iterator:
    """Without a commit pair: the working set against HEAD, then each commit against its
    first parent, newest first."""
    head, head_root, _, working = repo.roots(store, branch)
    head_commit = read_commit(store, head)
    yield from _rows_between(store, name, head_root, working, head.hex(), head_commit.date,
                             "WORKING", None, layout)
    for commit in first_parent_history(store, head):
        if not commit.parents:
            continue
        parent = read_commit(store, commit.parents[0])
        yield from _rows_between(store, name, load_root(store, parent.root),
                                 load_root(store, commit.root), parent.digest.hex(),
                                 parent.date, commit.digest.hex(), commit.date, layout)


def _conflicts_table(table) -> VirtualTable:
    names = [c.name for c in table.columns]
    types = [parse_type_name(c.type) for c in table.columns]
    columns = [(f"base_{n}", t) for n, t in zip(names, types)] + \
        [(f"our_{n}", t) for n, t in zip(names, types)] + [("our_diff_type", TEXT)] + \
        [(f"their_{n}", t) for n, t in zip(names, types)] + [("their_diff_type", TEXT)]
    width = len(names)

    def rows(store, branch, pushed):
        entries = mergeops.conflicts(store, branch).get(table.name, [])
        for _, base, ours, theirs in entries:
            empty = (None,) * width
            yield ((base or empty) + (ours or empty) + (_kind(base, ours),) +
                   (theirs or empty) + (_kind(base, theirs),))
    return VirtualTable(f"conflicts_{table.name}", columns, rows)


def _kind(base, row) -> str:
    if base is None:
        return "added"
    return "removed" if row is None else "modified"


def _history_table(table) -> VirtualTable:
    names = [c.name for c in table.columns]
    types = [parse_type_name(c.type) for c in table.columns]
    columns = list(zip(names, types)) + [("commit_hash", TEXT), ("committer", TEXT),
                                        ("commit_date", TIMESTAMPTZ)]

    def rows(store, branch, pushed):
        head = store.chunks.get_ref(f"heads/{branch}")
        for commit in first_parent_history(store, head):
            version = load_root(store, commit.root).tables.get(table.name)
            if version is None:
                continue
            codec = codec_for(version)
            label = (commit.digest.hex(), commit.author, commit.date)
            from rowdb.storage import tree
            for _, values in tree.scan_leaves(store, version.data):
                for row in codec.decode_many(values):
                    yield _fit(row, table, version) + label
    return VirtualTable(f"history_{table.name}", columns, rows)
