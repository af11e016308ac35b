"""Rows of one table to and from tree entries.

Where: query layer, between the operators (which see rows as tuples in column order) and the
table's prolly tree (bytes). Layout (see vc/rootvalue.py): a table with a primary key stores
encode_key(key columns) -> encode_row(all columns); a keyless table stores encode_key(all
columns) -> encode_row(all columns + (duplicate count,)); a keyless key over 1 KiB is cut
to a prefix and the SHA-256 of the whole encoding. Rows stored before a column was
added are shorter and are completed with that column's `missing` value.
"""

from __future__ import annotations

import hashlib
import threading
from decimal import Decimal
from operator import itemgetter

from cachetools import LRUCache

from rowdb import limits

from rowdb.query.arith import NUMERIC_CONTEXT
from rowdb.query.types import parse_type_name
from rowdb.storage.interval import Interval, from_span
from rowdb.storage.keys import encode_key, encode_keys, encode_single_keys
from rowdb.storage.rows import decode_row, decode_rows, encode_row, encode_rows
from rowdb.vc.rootvalue import TableDef


class RowCodec:
    """Encodes and decodes the rows of one table definition."""

    def __init__(self, table: TableDef):
        self.table = table
        self.width = len(table.columns)
        self.keyless = table.keyless
        self.missing = tuple(c.missing for c in table.columns)
        self.layout = (self.width, self.keyless, self.missing)
        key = table.primary_key
        # Key columns of unconstrained numeric: 1.0 and 1.00 are one key (numeric(p, s)
        # values already share the column's scale); of interval: '1 mon' and '30 days' are.
        canonical = {i: _canonical_function(table.columns[i].type) for i in key}
        self._free_numeric = [i for i in key if canonical[i] is not None]
        if self.keyless:
            self._key_values = None
        elif self._free_numeric:
            self._key_values = lambda row: tuple(
                canonical[i](row[i]) if canonical[i] is not None else row[i] for i in key)
        elif len(key) == 1:
            index = key[0]
            self._key_values = lambda row: (row[index],)
        else:
            self._key_values = itemgetter(*key)

    def key(self, row: tuple) -> bytes:
        if self.keyless:
            key = encode_key(row)
            if len(key) <= _KEYLESS_INLINE_MAX:
                return key
            # A long row (big text): its key is a prefix of the encoding and its hash, so
            # keyless tables hold rows of any size.
            return key[:_KEYLESS_INLINE_MAX - 32] + hashlib.sha256(key).digest()
        return encode_key(self._key_values(row))

    def keys(self, rows: list[tuple], columns: list[list] | None = None) -> list[bytes]:
        """`key` of many rows, encoded in bulk (a table with a primary key); `columns`, when
        given, holds the same rows column by column."""
        if len(self.table.primary_key) == 1 and not self._free_numeric:
            index = self.table.primary_key[0]
            return encode_single_keys(columns[index] if columns is not None else
                                      list(map(itemgetter(index), rows)))
        return encode_keys(list(map(self._key_values, rows)))

    def values(self, rows: list[tuple], columns: list[list] | None = None,
               kinds: list | None = None) -> list[bytes]:
        """`value` of many rows, encoded in bulk (a table with a primary key); `columns`
        and `kinds` as `encode_rows` takes them."""
        return encode_rows(rows, columns, kinds)

    def key_values(self, row: tuple) -> tuple:
        return row if self.keyless else self._key_values(row)

    def value(self, row: tuple, count: int = 1) -> bytes:
        if self.keyless:
            return encode_row(tuple(row) + (count,))
        return encode_row(row)

    def decode_many(self, values: list[bytes]) -> list[tuple]:
        rows = decode_rows(values)
        width = self.width
        if self.keyless:
            out = []
            for row in rows:
                count = row[-1]
                row = self._complete(row[:-1]) if len(row) - 1 != width else row[:-1]
                out.extend([row] * count)
            return out
        if set(map(len, rows)) <= {width}:
            return list(rows)
        return [row if len(row) == width else self._complete(row) for row in rows]

    def leaf_rows(self, leaf) -> list[tuple]:
        """All rows of a leaf of a keyed table, decoded once and then served from a
        byte-sized LRU shared by the process (leaves are immutable, rows are tuples)."""
        key = (leaf.digest, self.layout)
        try:
            return _leaf_rows[key]
        except KeyError:
            pass
        rows = self.decode_many(leaf.values)
        with _leaf_rows_lock:
            try:
                _leaf_rows[key] = rows
            except ValueError:
                pass
        return rows

    def decode_one(self, value: bytes) -> tuple:
        row = decode_row(value)
        if self.keyless:
            row = row[:-1]
        return row if len(row) == self.width else self._complete(row)

    def count_of(self, value: bytes) -> int:
        """Duplicate count of a keyless table's stored row."""
        return decode_row(value)[-1]

    def _complete(self, row: tuple) -> tuple:
        if len(row) < self.width:
            return row + self.missing[len(row):]
        return row[:self.width]


_KEYLESS_INLINE_MAX = 1024  # longer keyless keys are shortened to a prefix and a hash


def _canonical_function(type_name: str):
    """The function giving one representative per value of a key column's type, or None
    where equal values are already alike."""
    sql_type = parse_type_name(type_name)
    if sql_type.name == "numeric" and sql_type.scale is None:
        return _canonical_numeric
    if sql_type.name == "interval":
        return _canonical_interval
    return None


def _canonical_interval(value):
    return from_span(value.span) if type(value) is Interval else value


def _canonical_numeric(value):
    """One representative per numeric value: trailing zeros dropped, zero unsigned."""
    if type(value) is not Decimal or not value.is_finite():
        return value
    if not value:
        return _ZERO
    return value.normalize(NUMERIC_CONTEXT)


_ZERO = Decimal(0)


def _rows_bytes(rows: list) -> int:
    return 96 + len(rows) * (64 + 24 * (len(rows[0]) if rows else 0))


_leaf_rows: LRUCache = LRUCache(maxsize=limits.row_cache_bytes, getsizeof=_rows_bytes)
_leaf_rows_lock = threading.Lock()
_codecs: dict[int, tuple[TableDef, RowCodec]] = {}


def codec_for(table: TableDef) -> RowCodec:
    """The RowCodec of a table definition, built once per definition object."""
    found = _codecs.get(id(table))
    if found is not None and found[0] is table:
        return found[1]
    if len(_codecs) > 4096:
        _codecs.clear()
    codec = RowCodec(table)
    _codecs[id(table)] = (table, codec)
    return codec
