"""A session: one connection's statements, transactions and plan cache.

Where: top of the SQL stack, used by the DB-API module (dbapi.py) and later the server.
`Session.execute(sql, params)` reads top-down: parse -> plan (cached) -> run -> Result. Each
transaction works in a Workspace opened on the branch's working root; COMMIT stores its
chunks and moves the working-set ref in one LMDB transaction, provided nobody moved it
meanwhile (autocommit statements are then re-run on the new root; an explicit transaction
fails with 40001). A failed statement inside BEGIN puts the session in the failed state
(25P02) until ROLLBACK, as in PostgreSQL.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import math
import re
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlglot import exp

from rowdb import gcpause
from rowdb.query.arith import NUMERIC_CONTEXT, to_float4
from rowdb.errors import (InFailedTransactionError, InternalError, InvalidParameterValueError,
                          InvalidSavepointError, NoActiveTransactionError, NotSupportedError,
                          ProgramLimitExceededError, ProgrammingError, ReadOnlyTransactionError,
                          RefConflictError, client_error,
                          RowdbError, SerializationFailureError,
                          UnknownRefError)
from rowdb.query import ddl, defaults
from rowdb.query.compile import Namespace
from rowdb.query.dml import plan_dml
from rowdb.query.params import adapt, batch_example, param_type
from rowdb.query.parse import Statement, TransactionControl, number_placeholders, parse
from rowdb.query.plan import Planner, QueryPlan
from rowdb.query.textio import format_float4
from rowdb.query.types import FLOAT4, TEXT, SqlType
from rowdb.query.workspace import Workspace
from rowdb.query import zones
from rowdb.settings import Settings
from rowdb.storage import open_store
from rowdb.storage.lru import ByteLRU
from rowdb.storage.pins import ROOT, new_token
from rowdb.query.systables import revision_root
from rowdb.vc import repo
from rowdb.vc.refs import first_parent_history, head_ref, working_ref
from rowdb.vc.rootvalue import load_root
from rowdb.vc.txmerge import merge_roots

AUTOCOMMIT_RETRIES = 20
# errors naming an object of the statement: report where it appears (as PostgreSQL does)
_POSITIONED = {"42703", "42P01", "42883", "42702", "42804", "42P10"}

@dataclass
class Result:
    """What one statement returned: columns (name, type), rows, rowcount, command tag."""

    columns: list[tuple[str, SqlType]] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    rowcount: int = -1
    tag: str = ""


class ExecContext:
    """What running plans read from the namespace's `X`: the transaction's workspace and the
    session (for its branch and the version-control functions)."""

    __slots__ = ("workspace", "session")

    def __init__(self, workspace: Workspace, session: "Session"):
        self.workspace = workspace
        self.session = session

    @property
    def branch(self) -> str:
        return self.session.branch


_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Alter,
           exp.TruncateTable)


def _statement_scope(function):
    """Decorator for what runs statements: the cyclic collector paused (gcpause.py), and
    Decimal arithmetic exact to numeric's limits (arith.NUMERIC_CONTEXT) instead of the
    thread's context (28 digits by default), as PostgreSQL's numeric is."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        previous = decimal.getcontext()
        try:
            context = _numeric.context
        except AttributeError:
            context = _numeric.context = NUMERIC_CONTEXT.copy()
        gcpause.pause()
        decimal.setcontext(context)
        settings = args[0].settings
        tokens = zones.activate(settings.zone, settings)
        try:
            return function(*args, **kwargs)
        finally:
            zones.deactivate(tokens)
            decimal.setcontext(previous)
            gcpause.resume()
    return wrapper


_numeric = threading.local()  # each thread's copy of NUMERIC_CONTEXT


def _real_values(rows: list, types: list) -> list:
    """Values of real (float4) columns as the shortest decimal that reads back as the same
    single-precision number (1.1, not 1.100000023841858), as psycopg returns them."""
    columns = [i for i, t in enumerate(types) if t == FLOAT4]
    out = []
    for row in rows:
        row = list(row)
        for i in columns:
            value = row[i]
            if value is not None and value == value and abs(value) != math.inf:
                row[i] = float(format_float4(to_float4(value)))
        out.append(tuple(row))
    return out


class _Prepared:
    """A planned statement and the table schemas it was planned against."""

    __slots__ = ("plan", "schemas", "names")

    def __init__(self, plan, schemas, names):
        self.plan = plan
        self.schemas = schemas
        self.names = names


class Session:
    def __init__(self, path, branch: str = "main"):
        self.store = open_store(path)
        repo.init(self.store)
        if self.store.chunks.get_ref(head_ref(branch)) is None:
            raise UnknownRefError(f'branch "{branch}" not found')
        self.branch = branch
        self.ref = working_ref(branch)
        self.txn: Workspace | None = None
        self.failed = False
        self.read_only = False  # BEGIN READ ONLY: writes raise 25006
        self.savepoints: list[tuple] = []  # (name, workspace snapshot, settings)
        self._plans = ByteLRU(512)
        self._seen: tuple[int, bytes | None] = (-1, None)  # (LMDB generation, working root)
        self._context: ExecContext | None = None
        self.settings = Settings()  # SET/SHOW; the session time zone
        self._pin = new_token()
        weakref.finalize(self, self.store.pins.unpin_later, self._pin)

    @property
    def in_transaction(self) -> bool:
        return self.txn is not None

    # Statements -------------------------------------------------------------------------

    def execute(self, sql: str, params=None) -> list[Result]:
        """Run every statement of `sql`; `params` (a sequence for %s, a mapping for
        %(name)s) binds placeholders, which are only recognised when params are given."""
        statements, values = self.prepare(sql, params)
        return [self.execute_statement(s, values) for s in statements]

    def prepare(self, sql: str, params=None) -> tuple[list[Statement], list]:
        if params is None:
            return parse(sql), []
        text, names = number_placeholders(sql)
        if type(params) is not tuple and type(params) is not list and \
                isinstance(params, Mapping):
            if names is None:
                statements = parse(text)
                if params and any(s.placeholders for s in statements):
                    raise TypeError("positional placeholders (%s) require a sequence of "
                                    "parameters")  # as psycopg
                return statements, []
            missing = [n for n in names if n not in params]
            if missing:
                raise client_error(ProgrammingError, f"query parameter missing: {missing[0]}")
            return parse(text), [params[n] for n in names]
        if names is not None and params:
            raise TypeError("named placeholders require a mapping of parameters")
        return parse(text), list(params)

    @_statement_scope
    def execute_many(self, sql: str, param_rows: list) -> tuple[int, str]:
        """executemany: an INSERT whose parameter sets all have the same Python types is
        planned once and its rows applied as one batch; anything else runs row by row.
        One transaction: in autocommit mode, a failing row leaves none of them. Returns the
        total row count and the command tag of the last parameter set."""
        param_rows = list(param_rows)
        if not param_rows:
            return 0, ""
        if self.txn is None:  # autocommit: all the rows or none of them, as psycopg
            self.begin()
            try:
                outcome = self.execute_many(sql, param_rows)
            except BaseException:
                self.rollback()
                raise
            self.commit()
            return outcome
        statements, first = self.prepare(sql, param_rows[0])
        tree = statements[0].tree if len(statements) == 1 else None
        if not isinstance(tree, (exp.Insert, exp.Update, exp.Delete)) or self.failed \
                or isinstance(param_rows[0], dict) or statements[0].placeholders != len(first):
            return self._execute_each(sql, param_rows)
        batch = batch_example(param_rows)
        if batch is None:
            return self._execute_each(sql, param_rows)
        first, columns, kinds = batch
        workspace = self.txn
        try:
            plan = self._prepare(statements[0], workspace, first).plan
            if plan.before:  # WITH ... (DELETE ...): the statement runs per parameter set
                return self._execute_each(sql, param_rows)
            plan.ns["X"] = ExecContext(workspace, self)
            if isinstance(tree, exp.Insert):
                total = plan.run_many(workspace, param_rows, columns, kinds)
                return total, f"INSERT 0 {min(total, 1)}"  # each set inserts/updates a row
            total = count = 0
            for params in param_rows:  # UPDATE / DELETE: the one plan, run per set
                plan.ns["P"] = params
                count, _ = plan.run(workspace)
                total += count
            return total, f"{tree.key.upper()} {count}"
        except Exception as exc:
            self.failed = True
            if isinstance(exc, RowdbError):
                raise
            raise InternalError(f"internal error: {type(exc).__name__}: {exc}") from exc

    def _execute_each(self, sql: str, param_rows: list) -> tuple[int, str]:
        total, tag = 0, ""
        for params in param_rows:
            statements, values = self.prepare(sql, params)
            for statement in statements:
                result = self.execute_statement(statement, values)
                total += max(result.rowcount, 0)
                tag = result.tag
        return total, tag

    @_statement_scope
    def execute_statement(self, statement: Statement, params=None) -> Result:
        tree = statement.tree
        if isinstance(tree, TransactionControl):
            if tree.name and tree.action != "begin":
                return self._savepoint(tree.action, tree.name)
            if tree.chain and self.txn is None:
                raise NoActiveTransactionError(
                    f"{tree.action.upper()} AND CHAIN can only be used in transaction blocks")
            read_only = self.read_only
            result = self._transaction_control(tree.action)
            if tree.chain:  # the same characteristics, a fresh snapshot
                self.begin()
                self.read_only = read_only
            if tree.name == "read only" and self.txn is not None:
                self.read_only = True
            return result
        if self.failed:
            raise InFailedTransactionError(
                "current transaction is aborted, commands ignored until end of transaction "
                "block")
        params = adapt(params)
        if self.read_only and self.txn is not None and isinstance(tree, _WRITES):
            self.failed = True
            verb = tree.key.upper() if not isinstance(tree, exp.TruncateTable) else "TRUNCATE"
            raise ReadOnlyTransactionError(f"cannot execute {verb} in a read-only transaction")
        if self.txn is not None:
            try:
                return self._guarded(statement, self.txn, params)
            except RowdbError:
                self.failed = True
                raise
        workspace = self._open()
        self._context = None
        try:
            result = self._guarded(statement, workspace, params)
            if self._context is not None:
                workspace = self._context.workspace  # a VC function may have moved it on
            self._commit(workspace)
        finally:
            workspace.writer.release()
        return result

    def _guarded(self, statement: Statement, workspace: Workspace, params) -> Result:
        """Run a statement; an exception that is not a RowdbError is a bug in rowdb: it
        reaches the user as InternalError (XX000), and the statement changed nothing."""
        try:
            return self._run(statement, workspace, params)
        except RowdbError as exc:
            if exc.position is None and exc.node is not None:
                exc.position = statement.position_of(exc.node)
            exc.node = None
            if exc.position is None and exc.sqlstate in _POSITIONED:
                named = re.search(r'"([^"]+)"', exc.message)
                if named:
                    exc.position = statement.locate(named.group(1).split(".")[-1])
            raise
        except RecursionError:
            raise ProgramLimitExceededError("statement too complex: nesting too deep") \
                from None
        except Exception as exc:  # noqa: BLE001 - turned into a reported error
            raise InternalError(f"internal error: {type(exc).__name__}: {exc}") from exc

    def fail(self) -> None:
        """Put an open transaction in the failed state (a statement failed before running)."""
        if self.txn is not None:
            self.failed = True

    def begin(self) -> None:
        if self.txn is None:
            self.txn = self._open()
            self.failed = self.read_only = False
            self.settings.begin()

    @_statement_scope
    def commit(self) -> None:
        workspace, failed = self.txn, self.failed
        self.txn, self.failed, self.savepoints = None, False, []
        self.read_only = False
        self.settings.end(not failed)
        if workspace is None:
            return
        try:
            if not failed:
                self._commit(workspace)
        finally:
            workspace.writer.release()

    def rollback(self) -> None:
        if self.txn is not None:
            self.txn.writer.release()
        self.txn, self.failed, self.read_only = None, False, False
        self.savepoints = []
        self.settings.end(False)

    def _savepoint(self, action: str, name: str) -> Result:
        words = {"savepoint": "SAVEPOINT", "release": "RELEASE SAVEPOINT",
                 "rollback_to": "ROLLBACK TO SAVEPOINT"}[action]
        if self.txn is None:
            raise NoActiveTransactionError(f"{words} can only be used in transaction blocks")
        if action == "savepoint":
            if self.failed:
                raise InFailedTransactionError(
                    "current transaction is aborted, commands ignored until end of "
                    "transaction block")
            self.savepoints.append((name, self.txn.snapshot(), self.settings.mark()))
            return Result(tag="SAVEPOINT")
        for index in range(len(self.savepoints) - 1, -1, -1):
            if self.savepoints[index][0] == name:
                break
        else:
            self.failed = True
            raise InvalidSavepointError(f'savepoint "{name}" does not exist')
        if action == "release":
            if self.failed:
                raise InFailedTransactionError(
                    "current transaction is aborted, commands ignored until end of "
                    "transaction block")
            del self.savepoints[index:]
            return Result(tag="RELEASE")
        self.txn.restore(self.savepoints[index][1])
        self.settings.restore(self.savepoints[index][2])
        del self.savepoints[index + 1:]
        self.failed = False
        self._plans.clear()
        return Result(tag="ROLLBACK")

    def _transaction_control(self, action: str) -> Result:
        if action == "begin":
            self.begin()
            return Result(tag="BEGIN")
        if action == "commit":
            tag = "ROLLBACK" if self.failed else "COMMIT"
            self.commit()
            return Result(tag=tag)
        self.rollback()
        return Result(tag="ROLLBACK")

    def _open(self) -> Workspace:
        chunks = self.store.chunks
        generation = chunks.generation()
        if generation != self._seen[0]:
            for _ in range(100):
                root = chunks.get_ref(self.ref)
                if root is None:  # another session deleted the branch
                    raise UnknownRefError(f'branch "{self.branch}" not found')
                # Pinned, gc in any process keeps this version while the session reads it;
                # if a gc dropped it just before (the ref moved on), read the ref again.
                if self.store.pins.pin(self._pin, ROOT, root, lambda: chunks.has(root)):
                    break
            self._seen = (generation, root)
        return Workspace(self.store, load_root(self.store, self._seen[1]))

    def close(self) -> None:
        """Release the session's pin: gc may drop what only this session was reading."""
        self.store.pins.unpin(self._pin)

    def _commit(self, workspace: Workspace) -> None:
        """Store the transaction's root; if the branch moved meanwhile, merge into it."""
        root = workspace.finish()
        if root.digest == workspace.base.digest:
            return
        base = workspace.base
        expected = base.digest
        pins, chunks, held = self.store.pins, self.store.chunks, []
        try:
            for _ in range(AUTOCOMMIT_RETRIES * 5):
                try:
                    workspace.writer.commit({self.ref: root.digest},
                                            expect={self.ref: expected})
                    return
                except RefConflictError:
                    expected = chunks.get_ref(self.ref)
                    held.append(new_token())  # what the merge reads stays until it is done
                    if not pins.pin(held[-1], ROOT, expected, lambda: chunks.has(expected)):
                        continue
                    current = load_root(self.store, expected)
                    root = merge_roots(workspace.writer, base, current, root)
                    base = current  # `root` now holds `current`: the next merge starts there
        finally:
            for token in held:
                pins.unpin(token)
        raise SerializationFailureError("could not serialize access due to concurrent update")

    # Running ----------------------------------------------------------------------------

    def _run(self, statement: Statement, workspace: Workspace, params) -> Result:
        tree = statement.tree
        if isinstance(tree, (exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)):
            return self._ddl(tree, workspace)
        if isinstance(tree, (exp.Set, exp.Command)) and not isinstance(tree, exp.Select):
            return self._command(statement)
        values = params or []
        if statement.placeholders > len(values):
            raise client_error(ProgrammingError, f"the query has {statement.placeholders} "
                               f"placeholders but {len(values)} parameters were passed")
        prepared = self._prepare(statement, workspace, values)
        plan = prepared.plan
        ns = plan.ns
        ns["X"] = self._context = ExecContext(workspace, self)
        ns["P"] = values
        for step in plan.before:
            step.run_once()
        result = self._execute(plan, tree, workspace)
        for step in plan.before:
            step.stage()
        return result

    def _execute(self, plan, tree, workspace: Workspace) -> Result:
        if isinstance(plan, QueryPlan):
            rows = []
            for batch in plan.batches(()):
                rows.extend(batch)
            columns = plan.result_columns
            if columns is None:  # once per plan: the DB-API caches descriptions by it
                columns = plan.result_columns = list(zip(plan.names, plan.types))
                plan.has_real = FLOAT4 in plan.types
            if plan.has_real:
                rows = _real_values(rows, plan.types)
            return Result(columns, rows, len(rows), f"SELECT {len(rows)}")
        count, returned = plan.run(workspace)
        verb = type(tree).__name__.upper()
        tag = f"INSERT 0 {count}" if verb == "INSERT" else f"{verb} {count}"
        columns = list(zip(plan.names, plan.types)) if plan.returning is not None else []
        return Result(columns, returned, count, tag)

    def _prepare(self, statement: Statement, workspace: Workspace, values) -> _Prepared:
        key = (statement.text, tuple(map(type, values)), self.settings.zone_name)
        prepared = self._plans.get(key)
        if prepared is not None and self._still_valid(prepared, workspace):
            return prepared
        types = [param_type(v) for v in values]
        planner = Planner(workspace.tables, Namespace(), types, self._root_as_of)
        tree = statement.tree
        if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
            plan = plan_dml(planner, tree, workspace.tables)
        else:
            plan = planner.query(tree)
        names = [t.name for t in tree.find_all(exp.Table)]
        schemas = tuple((n, workspace.tables[n].columns) for n in set(names)
                        if n in workspace.tables)
        plan.before = planner.dml_ctes  # data-modifying WITH queries: run first
        prepared = _Prepared(plan, schemas, None)
        if planner.cacheable:
            self._plans[key] = prepared
        return prepared

    @staticmethod
    def _still_valid(prepared: _Prepared, workspace: Workspace) -> bool:
        for name, columns in prepared.schemas:
            table = workspace.tables.get(name)
            if table is None or (table.columns is not columns and table.columns != columns):
                return False
        return True

    def _ddl(self, tree, workspace: Workspace) -> Result:
        self._plans.clear()
        if isinstance(tree, exp.Create):
            kind = (tree.args.get("kind") or "").upper()
            if kind != "TABLE":
                raise NotSupportedError(f"CREATE {kind} is not supported yet")
            if tree.expression is not None:
                return self._create_as(tree, workspace)
            return Result(tag=ddl.create_table(workspace, tree, defaults.evaluate))
        if isinstance(tree, exp.Drop):
            return Result(tag=ddl.drop_table(workspace, tree))
        if isinstance(tree, exp.TruncateTable):
            return Result(tag=ddl.truncate(workspace, tree))
        return Result(tag=ddl.alter_table(workspace, tree, defaults.evaluate))

    def _create_as(self, tree, workspace: Workspace) -> Result:
        planner = Planner(workspace.tables, Namespace(), None, self._root_as_of)
        plan = planner.query(tree.expression)
        plan.ns["X"] = ExecContext(workspace, self)
        plan.ns["P"] = []
        properties = tree.args.get("properties")
        no_data = properties is not None and any(
            isinstance(p, exp.WithDataProperty) and p.args.get("no")
            for p in properties.expressions)
        rows = [] if no_data else plan.rows()
        target = tree.this
        names = [c.name for c in target.expressions] if isinstance(target, exp.Schema) \
            else plan.names
        name = target.this.name if isinstance(target, exp.Schema) else target.name
        count = ddl.create_as(workspace, name, names + plan.names[len(names):], plan.types,
                              rows, bool(tree.args.get("exists")))
        if no_data:
            return Result(tag="CREATE TABLE AS")
        return Result(rowcount=count, tag=f"SELECT {count}")

    # Version control --------------------------------------------------------------------

    def flush_working(self, context: ExecContext) -> None:
        """Make the transaction's changes durable in the working set now (as COMMIT does),
        and continue the transaction from there: version-control functions see them."""
        self._commit(context.workspace)
        self._rebase(context)

    def reload(self, context: ExecContext) -> None:
        """After a function moved the working set: continue from its new root."""
        self._rebase(context)

    def _rebase(self, context: ExecContext) -> None:
        self._seen = (-1, None)
        fresh = self._open()
        context.workspace = fresh
        if self.txn is not None:
            self.txn = fresh
        self._plans.clear()

    def switch_branch(self, branch: str) -> None:
        if self.store.chunks.get_ref(head_ref(branch)) is None:
            raise UnknownRefError(f'branch "{branch}" not found')
        self.branch = branch
        self.ref = working_ref(branch)
        self._seen = (-1, None)
        self._plans.clear()
        if self.txn is not None:
            self.txn = self._open()

    def _root_as_of(self, value, kind: str):
        """The root value a query's AS OF names: a revision, or (SYSTEM_TIME) the newest
        commit on the branch's first-parent history at or before a time."""
        if kind == "TIMESTAMP":
            moment = value
            if not isinstance(moment, datetime.datetime):
                raise InvalidParameterValueError("FOR SYSTEM_TIME AS OF needs a timestamp")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.timezone.utc)
            head = self.store.chunks.get_ref(head_ref(self.branch))
            for commit in first_parent_history(self.store, head):
                if commit.date <= moment:
                    return load_root(self.store, commit.root)
            raise InvalidParameterValueError(
                f"no commit at or before {moment.isoformat()} on branch {self.branch}")
        return revision_root(self.store, self.branch, str(value))[2]

    def _command(self, statement: Statement) -> Result:
        text = statement.text.strip()
        if not re.match(r"(set|show|reset)\b", text, re.IGNORECASE):
            raise NotSupportedError(f"unsupported statement: {text[:60]}")
        shown, tag = self.settings.command(text, self.txn is not None)
        if shown is None:
            return Result(tag=tag)
        return Result([(shown[0], TEXT)], [(shown[1],)], 1, "SHOW")
