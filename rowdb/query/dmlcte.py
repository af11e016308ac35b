"""Data-modifying WITH queries: `WITH d AS (DELETE ... RETURNING *) INSERT INTO a SELECT ...`.

Where: query layer; Planner.with_ctes wraps an INSERT/UPDATE/DELETE found in WITH in a
DmlCte, lists it in `planner.dml_ctes`, and the session runs those before the main
statement and stages their changes after it. As in PostgreSQL, each runs exactly once per
execution, to completion, whether or not the main query reads it; its RETURNING rows are
what the main query sees under its name, and the tables read as they were when the
statement began.
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
        self._staged: list = []  # (view, changes) to stage once the statement has run

    def run_once(self) -> list[tuple]:
        """Run for this execution of the statement (once), and its RETURNING rows."""
        context = self.ns.get("X")
        if self._memo is None or self._memo[0] is not context:
            self._staged = []
            _, rows = self.dml.run(context.workspace, self._staged)
            self._memo = (context, rows)
        return self._memo[1]

    def stage(self) -> None:
        """After the main statement: the changes into the transaction."""
        for view, changes in self._staged:
            view.stage(changes)
        self._staged = []

    def batches(self, outer=()):
        rows = self.run_once()
        if rows:
            yield rows

    def rows(self, outer=(), limit: int | None = None) -> list[tuple]:
        rows = self.run_once()
        return rows if limit is None else rows[:limit]
