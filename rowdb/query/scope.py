"""Name resolution: which column of which row a name in a query means.

Where: query layer; the planner builds one Scope per FROM clause (its fields are the
operator's output row, in order) and the expression compiler resolves column references
through it, walking out to enclosing queries' scopes for correlated subqueries.
"""

from __future__ import annotations

from dataclasses import dataclass

from rowdb.errors import AmbiguousColumnError, UndefinedColumnError, UndefinedTableError
from rowdb.query.types import SqlType


@dataclass(frozen=True, slots=True)
class Field:
    """One value of a row: the column's name, its table alias, type and nullability."""

    name: str
    table: str | None
    type: SqlType
    nullable: bool = True
    hidden: bool = False  # not expanded by `*` (e.g. USING join duplicates)
    key: bool = False     # part of its table's primary key (GROUP BY on it covers the row)


class Scope:
    """The fields of one row layout, and the scope of the enclosing query (if any)."""

    def __init__(self, fields: list[Field], parent: "Scope | None" = None):
        self.fields = fields
        self.parent = parent
        self.correlated = False  # set when this query reads an enclosing query's row

    def tables(self) -> list[str]:
        seen = []
        for f in self.fields:
            if f.table is not None and f.table not in seen:
                seen.append(f.table)
        return seen

    def find(self, name: str, table: str | None) -> int | None:
        """Index of the field `table.name` (or unqualified `name`) in this scope only."""
        matches = [i for i, f in enumerate(self.fields)
                   if f.name == name and (table is None or f.table == table)
                   and not (table is None and f.hidden)]
        if len(matches) > 1:
            raise AmbiguousColumnError(f'column reference "{name}" is ambiguous')
        return matches[0] if matches else None

    def resolve(self, name: str, table: str | None) -> tuple[int, int, Field]:
        """(depth, index, field): depth 0 is this scope, 1 the enclosing query, ..."""
        scope, depth = self, 0
        while scope is not None:
            if table is not None and table not in scope.tables():
                scope, depth = scope.parent, depth + 1
                continue
            index = scope.find(name, table)
            if index is not None:
                return depth, index, scope.fields[index]
            if table is not None:
                raise UndefinedColumnError(f"column {table}.{name} does not exist")
            scope, depth = scope.parent, depth + 1
        if table is not None:
            raise UndefinedTableError(f'missing FROM-clause entry for table "{table}"')
        raise UndefinedColumnError(f'column "{name}" does not exist')

    def mark_correlated(self, depth: int) -> None:
        """This scope and the next `depth - 1` enclosing ones read an outer row."""
        scope = self
        for _ in range(depth):
            scope.correlated = True
            scope = scope.parent
