"""A transaction's view of the database: table definitions, data trees and unapplied changes.

Where: query layer. The session opens one Workspace per transaction from a root value;
operators read tables through `TableView`; DML stages each statement's row changes in a
`Changes` and, when the statement succeeds, folds them into the views' pending edits. Pending
edits reach the prolly trees as sorted batches (edit.apply_edits) when the transaction
finishes, or earlier when a table's pending edits grow past `pending_rows_max`; until then
reads merge them over the tree. Nothing is stored in LMDB until the session commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from rowdb.query.rowcodec import codec_for
from rowdb.storage import tree
from rowdb.storage.chunker import build_checked, check_key_sizes
from rowdb.storage.edit import apply_edits
from rowdb.storage.tree import Bound
from rowdb.vc.rootvalue import RootValue, TableDef, save_root

pending_rows_max = 50_000  # beyond this a view applies its pending edits to its tree


class TableView:
    """One table as the transaction sees it."""

    def __init__(self, workspace: "Workspace", table: TableDef):
        self.workspace = workspace
        self.table = table
        self.codec = codec_for(table)
        self.root = table.data
        self.pending: dict[bytes, bytes | None] = {}
        self._pending_sorted: list[tuple[bytes, bytes | None]] | None = None

    # Reads ------------------------------------------------------------------------------

    def get_value(self, key: bytes) -> bytes | None:
        """The stored value under `key` (row bytes), seeing pending edits."""
        if key in self.pending:
            return self.pending[key]
        return tree.get(self.workspace.store, self.root, key)

    def get_row(self, key: bytes) -> tuple | None:
        value = self.get_value(key)
        return None if value is None else self.codec.decode_one(value)

    def scan_batches(self, low: Bound | None = None, high: Bound | None = None,
                     reverse: bool = False) -> Iterator[list[tuple]]:
        """Rows between key bounds, in key order, as lists (one per leaf when nothing is
        pending). Keyless tables repeat duplicated rows."""
        codec = self.codec
        decode = codec.decode_many
        if not self.pending:
            store = self.workspace.store
            if codec.keyless:
                for _, values in tree.scan_leaves(store, self.root, low, high, reverse):
                    yield decode(values)
                return
            for leaf, start, end in tree.leaf_ranges(store, self.root, low, high, reverse):
                rows = codec.leaf_rows(leaf)
                if start or end != len(rows):
                    rows = rows[start:end]
                yield rows[::-1] if reverse else rows
            return
        merged = self._merged(low, high, reverse)
        batch: list[bytes] = []
        for _, value in merged:
            batch.append(value)
            if len(batch) >= 256:
                yield decode(batch)
                batch = []
        if batch:
            yield decode(batch)

    def leaf_batches(self, low: Bound | None = None, high: Bound | None = None
                     ) -> Iterator[tuple[object, list[tuple] | None]]:
        """The rows of `scan_batches` (in key order) as (leaf, None) for each leaf wholly
        inside the bounds, whose rows `codec.leaf_rows(leaf)` gives (callers may use what
        they cached of the leaf instead), and (None, rows) otherwise."""
        if self.pending or self.codec.keyless:
            for rows in self.scan_batches(low, high):
                yield None, rows
            return
        leaf_rows = self.codec.leaf_rows
        for leaf, start, end in tree.leaf_ranges(self.workspace.store, self.root, low, high):
            if start or end != len(leaf.keys):
                yield None, leaf_rows(leaf)[start:end]
            else:
                yield leaf, None

    def scan_entries(self, low: Bound | None = None, high: Bound | None = None,
                     reverse: bool = False) -> Iterator[tuple[bytes, bytes]]:
        """(key, value bytes) between bounds, pending edits merged in."""
        if not self.pending:
            return tree.scan(self.workspace.store, self.root, low, high, reverse)
        return self._merged(low, high, reverse)

    def _merged(self, low, high, reverse) -> Iterator[tuple[bytes, bytes]]:
        """Stored entries with the pending edits laid over them (None deletes)."""
        stored = tree.scan(self.workspace.store, self.root, low, high, reverse)
        edits = [(k, v) for k, v in self._sorted_pending()
                 if (low is None or k > low.key or (low.inclusive and k == low.key))
                 and (high is None or k < high.key or (high.inclusive and k == high.key))]
        if reverse:
            edits.reverse()
        pending = iter(edits)
        edit = next(pending, None)
        for key, value in stored:
            while edit is not None and (edit[0] > key if reverse else edit[0] < key):
                if edit[1] is not None:
                    yield edit
                edit = next(pending, None)
            if edit is not None and edit[0] == key:
                if edit[1] is not None:
                    yield edit
                edit = next(pending, None)
                continue
            yield key, value
        while edit is not None:
            if edit[1] is not None:
                yield edit
            edit = next(pending, None)

    def _sorted_pending(self) -> list[tuple[bytes, bytes | None]]:
        if self._pending_sorted is None:
            self._pending_sorted = sorted(self.pending.items())
        return self._pending_sorted

    def is_empty(self) -> bool:
        return not self.pending and tree.count(self.workspace.store, self.root) == 0

    def count(self) -> int:
        if not self.pending and not self.table.keyless:
            return tree.count(self.workspace.store, self.root)
        return sum(map(len, self.scan_batches()))

    # Writes -----------------------------------------------------------------------------

    def stage(self, changes: dict[bytes, bytes | None]) -> None:
        """Fold a finished statement's changes into the pending edits."""
        if not changes:
            return
        self.pending.update(changes)
        self._pending_sorted = None
        self.workspace.dirty = True
        if len(self.pending) > pending_rows_max:
            self.apply_pending()

    def apply_pending(self) -> None:
        """Apply pending edits to the tree (staged in the workspace's writer)."""
        if self.pending:
            self.root = apply_edits(self.workspace.writer, self.root,
                                    sorted(self.pending.items()))
            self.pending = {}
            self._pending_sorted = None

    def fill(self, keys: list[bytes], values: list[bytes]) -> None:
        """Give an empty table with nothing pending its first rows: `keys` strictly
        increasing, built straight into a tree (a bulk load into a new table)."""
        assert self.is_empty()
        check_key_sizes(keys)
        self.root = build_checked(keys, values, self.workspace.writer)
        self.workspace.dirty = True

    def replace_all(self, rows: list[tuple[bytes, bytes]]) -> None:
        """Replace the table's contents (TRUNCATE, DROP COLUMN): `rows` sorted by key."""
        from rowdb.storage.chunker import build

        self.pending = {}
        self._pending_sorted = None
        self.root = build(rows, self.workspace.writer)
        self.workspace.dirty = True


class Workspace:
    """Tables of one transaction, starting from the root value `base`."""

    def __init__(self, store, base: RootValue):
        self.store = store
        self.base = base
        self.tables: dict[str, TableDef] = dict(base.tables)
        self.views: dict[str, TableView] = {}
        self.writer = store.writer()
        self.dirty = False

    def view(self, name: str) -> TableView:
        found = self.views.get(name)
        if found is None:
            found = self.views[name] = TableView(self, self.tables[name])
        return found

    def put_table(self, table: TableDef) -> None:
        """Add or redefine a table (DDL). Its view, if open, keeps its rows."""
        self.tables[table.name] = table
        view = self.views.get(table.name)
        if view is not None:
            view.table = table
            view.codec = codec_for(table)
        self.dirty = True

    def drop_table(self, name: str) -> None:
        del self.tables[name]
        self.views.pop(name, None)
        self.dirty = True

    def rename_table(self, old: str, table: TableDef) -> None:
        view = self.views.pop(old, None)
        del self.tables[old]
        self.tables[table.name] = table
        if view is not None:
            view.table = table
            view.codec = codec_for(table)
            self.views[table.name] = view
        self.dirty = True

    def snapshot(self) -> tuple:
        """Everything a SAVEPOINT must restore (pending edits are copied)."""
        views = {name: (v.table, v.root, dict(v.pending)) for name, v in self.views.items()}
        return dict(self.tables), views, self.dirty

    def restore(self, snapshot: tuple) -> None:
        tables, views, dirty = snapshot
        self.tables = dict(tables)
        self.views = {}
        for name, (table, root, pending) in views.items():
            view = TableView(self, table)
            view.root, view.pending = root, dict(pending)
            self.views[name] = view
        self.dirty = dirty

    def finish(self) -> RootValue:
        """Apply every pending edit and stage the new root value (not yet stored)."""
        if not self.dirty:
            return self.base
        for name, view in self.views.items():
            view.apply_pending()
            table = self.tables[name]
            if table.data != view.root:
                self.tables[name] = replace(table, data=view.root)
        return save_root(self.writer, self.tables)
