"""Data-modifying WITH queries: `WITH d AS (DELETE ... RETURNING *) INSERT INTO a SELECT ...`.

Where: query layer; Planner.with_ctes wraps an INSERT/UPDATE/DELETE found in WITH in a
DmlCte, lists it in `planner.dml_ctes`, and the session runs those before the main
statement. As in PostgreSQL, each runs exactly once per execution, to completion, whether
or not the main query reads it; its RETURNING rows are what the main query sees under its
name. (Unlike PostgreSQL, the main query then reads the tables as the WITH statement left
them, not as they were when the statement began.)
"""

from __future__ import annotations


class DmlCte:
    """A planned INSERT/UPDATE/DELETE read as a table of its RETURNING rows."""

    correlated = False
    scope = None

    def __init__(self, dml, ns):
        self.dml = dml
        self.ns = ns
        self.names = list(dml.names)
        self.types = list(dml.types)
        self._memo: tuple | None = None  # (the execution it ran for, its rows)

    def run_once(self) -> list[tuple]:
        """Run for this execution of the statement (once), and its RETURNING rows."""
        context = self.ns.get("X")
        if self._memo is None or self._memo[0] is not context:
            _, rows = self.dml.run(context.workspace)
            self._memo = (context, rows)
        return self._memo[1]

    def batches(self, outer=()):
        rows = self.run_once()
        if rows:
            yield rows

    def rows(self, outer=(), limit: int | None = None) -> list[tuple]:
        rows = self.run_once()
        return rows if limit is None else rows[:limit]
