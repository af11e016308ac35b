"""Expressions to Python: each SQL expression becomes one Python expression string.

Where: query layer; the planner compiles every expression of a plan once, then operators run
the generated functions per row (or per batch, fused into list comprehensions). Generated
code reads the current row as `r`, enclosing queries' rows as `o[0]`, `o[1]`, ..., bind
parameters as `P[i]`, and constants and helpers (runtime.py) from the plan's namespace.

NULL is None. Operators whose operands can be NULL are guarded inline; operands known not to
be NULL (NOT NULL columns, literals) skip the guard. Types follow PostgreSQL: untyped string
literals take the type their context asks for; integer arithmetic is range-checked; integer
division truncates; comparisons between types are resolved to a common type first.
"""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

from rowdb.errors import (DatatypeMismatchError, GroupingError, NotSupportedError,
                          RowdbError, SyntaxError as SqlSyntaxError, UndefinedFunctionError,
                          WrongObjectTypeError)
from rowdb.query import arith, bitops, datetime_sql, functions, runtime, textio
from rowdb.query.code import Code
from rowdb.query.namespace import PROCEDURES, Namespace
from rowdb.query.predicates import PredicateCompiler
from rowdb.query.rowvalues import RowValueCompiler
from rowdb.query.scope import Scope
from rowdb.query.types import (BOOL, BYTEA, DATE, FLOAT4, FLOAT8, INT4, INT8, INTERVAL,
                               NUMERIC, TEXT, TIMESTAMP, TIMESTAMPTZ, UNKNOWN, SqlType,
                               assignment_cast, assignment_cast_function, cast, common_type,
                               from_sqlglot)


_INT_RANK = {"int2": 0, "int4": 1, "int8": 2}
_CHECK = {"int2": "_check2", "int4": "_check4", "int8": "_check8"}
_COMPARE = {exp.EQ: "==", exp.NEQ: "!=", exp.LT: "<", exp.LTE: "<=", exp.GT: ">",
            exp.GTE: ">="}
_FLOAT8_ARITH = {"+": "_fadd", "-": "_fsub", "*": "_fmul"}
_ARITH = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}
_AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.GroupConcat,
               exp.ArrayAgg, exp.LogicalAnd, exp.LogicalOr, exp.Stddev, exp.StddevSamp,
               exp.StddevPop, exp.Variance, exp.VariancePop)


def is_aggregate(node: exp.Expression) -> bool:
    if isinstance(node, exp.Filter):
        node = node.this
    if isinstance(node, _AGGREGATES):
        return True
    return isinstance(node, exp.Anonymous) and node.name.lower() in functions.AGGREGATE_NAMES


def _literal_input(convert, code: Code, target: SqlType):
    """A constant converted now; when it is a literal that fails as input to `target`,
    the error points at the literal (PostgreSQL reports its position)."""
    try:
        return convert(code.value, code.type, target)
    except RowdbError as exc:
        if code.origin is not None and exc.position is None and code.type == UNKNOWN:
            exc.node = code.origin
        raise


def has_nan(sql_type: SqlType) -> bool:
    """Types with a NaN value, which PostgreSQL orders above every other value."""
    return sql_type.name in ("float4", "float8", "numeric")


class Grouped:
    """After GROUP BY: group expressions and aggregates are fields of the aggregated row."""

    def __init__(self, group_keys: list[str], aggregates: list[str],
                 columns: dict[int, int] | None = None):
        self.group_keys = {key: i for i, key in enumerate(group_keys)}
        self.aggregates = {key: len(group_keys) + i for i, key in enumerate(aggregates)}
        self.columns = columns or {}  # input field index -> position, for grouped columns


class ExprCompiler(PredicateCompiler, RowValueCompiler, bitops.BitwiseCompiler):
    """Compiles sqlglot expressions against one scope into `Code`."""

    def __init__(self, planner, scope: Scope, ns: Namespace, grouped: Grouped | None = None,
                 grouped_types: list[SqlType] | None = None):
        self.planner = planner
        self.scope = scope
        self.subquery_scope = scope  # what subqueries see as their enclosing row
        self.ns = ns
        self.grouped = grouped
        self.grouped_types = grouped_types or []
        self.clause = None  # the clause being compiled, for error messages

    # Entry points ---------------------------------------------------------------------

    def compile(self, node: exp.Expression, want: SqlType | None = None) -> Code:
        if self.grouped is not None:
            found = self._grouped_reference(node)
            if found is not None:
                return found
        try:
            code = self._dispatch(node)
        except RowdbError as exc:
            if exc.position is None and exc.node is None and exc.sqlstate[:2] != "22":
                exc.node = node  # the innermost expression: where analysis failed
            raise
        if want is not None and code.type == UNKNOWN:
            code = self.coerce(code, want)
        return code

    def _dispatch(self, node: exp.Expression) -> Code:
        method = _DISPATCH.get(type(node))
        if method is not None:
            return method(self, node)
        if isinstance(node, exp.Func):
            return self._function(node)
        if isinstance(node, exp.Filter):  # FILTER on a call that is no aggregate
            name = node.this.sql_name().lower() if isinstance(node.this, exp.Func) else \
                node.this.sql("postgres")
            raise WrongObjectTypeError(
                f"FILTER specified, but {name} is not an aggregate function")
        raise NotSupportedError(f"unsupported expression: {node.sql('postgres')}")

    def predicate(self, node: exp.Expression, clause: str = "WHERE") -> Code:
        saved, self.clause = self.clause, clause
        try:
            code = self.compile(node, BOOL)
        finally:
            self.clause = saved
        if code.type not in (BOOL, UNKNOWN):
            raise DatatypeMismatchError(
                f"argument of {clause} must be type boolean, not type {code.type}")
        return code

    def coerce(self, code: Code, target: SqlType) -> Code:
        """Convert `code` to `target` (implicit conversion; constants convert now)."""
        if code.type == target or target == UNKNOWN:
            return code
        if code.const:
            value = _literal_input(cast, code, target)
            return Code(self.ns.const(value), target, value is None, True, value)
        if code.type.name == target.name and not target.has_modifiers:
            return Code(code.text, target, code.nullable)
        if target.name in _INT_RANK and code.type.name in _INT_RANK:
            return Code(code.text, target, code.nullable)
        if target.name in ("float8", "float4") and code.type.category == "N":
            return self._guard([code], lambda a: f"float({a})", target)
        if target.name == "numeric" and code.type.name in _INT_RANK and \
                not target.has_modifiers:
            return self._guard([code], lambda a: f"Decimal({a})", target)
        fn = self.ns.const(cast)
        src, dst = self.ns.const(code.type), self.ns.const(target)
        return self._guard([code], lambda a: f"{fn}({a}, {src}, {dst}, False)", target)

    def assign(self, code: Code, target: SqlType) -> Code:
        """Convert an untyped value as storing it in a column of `target` does (INSERT):
        like `coerce`, but over-long strings are an error, not truncated."""
        if code.const:
            value = _literal_input(assignment_cast, code, target)
            return Code(self.ns.const(value), target, value is None, True, value)
        fn = self.ns.const(assignment_cast_function(code.type, target))
        return self._guard([code], lambda a: f"{fn}({a})", target)

    # Leaves -----------------------------------------------------------------------------

    def _column(self, node: exp.Column) -> Code:
        if isinstance(node.this, exp.Star):
            raise SqlSyntaxError("a * is not allowed here")
        name, table = node.name, node.table or None
        depth, index, field = self.scope.resolve(name, table)
        if depth == 0:
            if self.grouped is not None:
                position = self.grouped.columns.get(index)
                if position is not None:  # grouped on under another spelling (t.c / c)
                    return Code(f"r[{position}]", field.type, field.nullable)
                shown = f"{field.table}.{name}" if field.table else name
                raise GroupingError(f'column "{shown}" must appear in the GROUP BY clause or '
                                    f"be used in an aggregate function")
            return Code(f"r[{index}]", field.type, field.nullable)
        self.scope.mark_correlated(depth)
        return Code(f"o[{depth - 1}][{index}]", field.type, field.nullable)

    def _literal(self, node: exp.Literal) -> Code:
        text = node.this
        if node.is_string:
            return Code(self.ns.const(text), UNKNOWN, False, True, text, node)
        if "." in text or "e" in text.lower():
            value = Decimal(text)
            return Code(self.ns.const(value), NUMERIC, False, True, value)
        value = int(text)
        sql_type = INT4 if -2**31 <= value < 2**31 else INT8 if -2**63 <= value < 2**63 \
            else NUMERIC
        if sql_type == NUMERIC:
            value = Decimal(value)
        return Code(self.ns.const(value), sql_type, False, True, value)

    def _string(self, node) -> Code:
        """E'...' (escapes already read by the parser) and $$...$$ strings."""
        text = node.this
        return Code(self.ns.const(text), UNKNOWN, False, True, text, node)

    def _unicode_string(self, node) -> Code:
        """U&'d\\0061t' [UESCAPE '!']."""
        escape = node.args.get("escape")
        text = textio.unicode_escapes(node.this, escape.name if isinstance(escape, exp.Literal)
                                      else "\\")
        return Code(self.ns.const(text), UNKNOWN, False, True, text, node)

    def _session_value(self, node) -> Code:
        """version(), current_user, current_database(), current_schema()."""
        value = SESSION_VALUES[type(node)]
        return Code(self.ns.const(value), TEXT, False, True, value)

    def _null(self, node) -> Code:
        return Code("None", UNKNOWN, True, True, None)

    def _boolean(self, node: exp.Boolean) -> Code:
        value = bool(node.this)
        return Code(repr(value), BOOL, False, True, value)

    def _placeholder(self, node) -> Code:
        index = self.planner.next_placeholder(node)
        return Code(f"P[{index}]", self.planner.param_type(index), True)

    def _paren(self, node: exp.Paren) -> Code:
        return self.compile(node.this)

    # Operators --------------------------------------------------------------------------

    def _guard(self, codes: list[Code], build, sql_type: SqlType) -> Code:
        """Code for `build(*operand texts)`, NULL when any nullable operand is NULL."""
        nullable = [c for c in codes if c.nullable]
        if not nullable:
            return Code(build(*[c.text for c in codes]), sql_type, False)
        names, parts = [], []
        for c in codes:
            if c.nullable:
                name = self.ns.temp()
                parts.append(f"({name} := {c.text}) is None")
                names.append(name)
            else:
                names.append(c.text)
        return Code(f"(None if {' or '.join(parts)} else {build(*names)})", sql_type, True)

    def _neg(self, node: exp.Neg) -> Code:
        inner = self.compile(node.this)
        check = _CHECK.get(inner.type.name)
        if inner.const and inner.value is not None:
            value = -inner.value
            sql_type = inner.type
            if isinstance(node.this, exp.Literal) and sql_type == INT8 and \
                    -2**31 <= value < 2**31:
                sql_type = INT4  # -2147483648 is an integer literal, as in PostgreSQL
            elif isinstance(node.this, exp.Literal) and sql_type == NUMERIC and \
                    value == -2**63 and "." not in node.this.name:
                sql_type, value = INT8, -2**63  # and -9223372036854775808 a bigint
            elif check:
                arith.INT_CHECKS[sql_type.name](value)
            elif sql_type == NUMERIC and not value:
                value = value.copy_abs()  # numeric has no negative zero
            return Code(self.ns.const(value), sql_type, False, True, value)
        if check:
            return self._guard([inner], lambda a: f"{check}(-{a})", inner.type)
        if inner.type.name == "numeric":  # + 0 turns -0.0 into 0.0: no negative zero
            return self._guard([inner], lambda a: f"(-{a} + 0)", inner.type)
        return self._guard([inner], lambda a: f"(-{a})", inner.type)

    def _not(self, node: exp.Not) -> Code:
        inner = self.compile(node.this, BOOL)
        if inner.type != BOOL:
            raise DatatypeMismatchError(
                f"argument of NOT must be type boolean, not type {inner.type}")
        return self._guard([inner], lambda a: f"(not {a})", BOOL)

    def _and_or(self, node) -> Code:
        left = self.compile(node.this, BOOL)
        right = self.compile(node.expression, BOOL)
        word = "and" if isinstance(node, exp.And) else "or"
        for side in (left, right):
            if side.type != BOOL:
                raise DatatypeMismatchError(
                    f"argument of {word.upper()} must be type boolean, not type "
                    f"{side.type.display() if hasattr(side.type, 'display') else side.type}")
        if not left.nullable and not right.nullable:
            return Code(f"({left.text} {word} {right.text})", BOOL, False)
        helper = "_and3" if word == "and" else "_or3"
        stop = "False" if word == "and" else "True"
        name = self.ns.temp()
        return Code(f"({stop} if ({name} := {left.text}) is {stop} else "
                    f"{helper}({name}, {right.text}))", BOOL, True)

    def _arith(self, node) -> Code:
        op = _ARITH[type(node)]
        left, right = self.compile(node.this), self.compile(node.expression)
        left, right, result = self._arith_types(op, left, right)
        name = result.name
        helper = datetime_sql.arith_helper(op, left.type, right.type)
        if helper is not None:
            ref = self.ns.const(helper)
            return self._guard([left, right], lambda a, b: f"{ref}({a}, {b})", result)
        if op == "/":
            if name in _INT_RANK:  # the one overflow: the type's minimum / -1
                check = _CHECK[name]
                return self._guard([left, right], lambda a, b: f"{check}(_idiv({a}, {b}))",
                                   result)
            helper = "_ndiv" if name == "numeric" else "_fdiv"
            text = f"{helper}({left.text}, {right.text})"
            if name == "float4":  # real / real is rounded to real
                text = f"_f4({text})"
            return Code(text, result, left.nullable or right.nullable)
        if op == "%":
            if name not in _INT_RANK and name != "numeric":
                raise UndefinedFunctionError(
                    f"operator does not exist: {left.type} % {right.type}",
                    hint="No operator matches the given name and argument types. You might "
                         "need to add explicit type casts.")
            helper = "_imod" if name in _INT_RANK else "_nmod"
            return Code(f"{helper}({left.text}, {right.text})", result,
                        left.nullable or right.nullable)
        if name == "float8":  # overflow and underflow fail (22003), as in PostgreSQL
            helper = _FLOAT8_ARITH[op]
            return self._guard([left, right], lambda a, b: f"{helper}({a}, {b})", result)
        if name == "numeric" and op == "*":  # + 0: 0 * -1.5 is 0.0, numeric has no -0
            return self._guard([left, right], lambda a, b: f"({a} * {b} + 0)", result)
        check = _CHECK.get(name) or ("_f4" if name == "float4" else None)
        if check:  # integer overflow checks; real results rounded to real
            return self._guard([left, right], lambda a, b: f"{check}({a} {op} {b})", result)
        return self._guard([left, right], lambda a, b: f"({a} {op} {b})", result)

    def _arith_types(self, op: str, left: Code, right: Code):
        if left.type == UNKNOWN and right.type == UNKNOWN:
            left, right = self.coerce(left, NUMERIC), self.coerce(right, NUMERIC)
        elif left.type == UNKNOWN:  # x + moment: an interval; x - moment: a moment too
            left = self.coerce(left, INTERVAL if right.type.category == "D" and op == "+"
                               and right.type != DATE else right.type)
        elif right.type == UNKNOWN:  # moment - '...' is moment - moment, as PostgreSQL
            right = self.coerce(right, INTERVAL if left.type.category == "D" and op == "+"
                                and left.type != DATE else left.type)
        lt, rt = left.type, right.type
        if lt.category == "N" and rt.category == "N":
            if lt.name in _INT_RANK and rt.name in _INT_RANK:
                result = lt if _INT_RANK[lt.name] >= _INT_RANK[rt.name] else rt
                return left, right, result.without_modifiers()
            if "float8" in (lt.name, rt.name) or "float4" in (lt.name, rt.name):
                result = FLOAT4 if lt.name == rt.name == "float4" else FLOAT8
                return self.coerce(left, result), self.coerce(right, result), result
            return left, right, NUMERIC
        if lt == DATE and rt.name in _INT_RANK and op in "+-":
            return left, right, DATE
        if lt == DATE and rt == DATE and op == "-":
            return left, right, INT4
        if lt.category == "D" and rt == INTERVAL and op in "+-":
            return left, right, TIMESTAMP if lt == DATE else lt
        if lt in (TIMESTAMP, TIMESTAMPTZ) and rt == lt and op == "-":
            return left, right, INTERVAL
        if lt == INTERVAL and rt == INTERVAL and op in "+-":
            return left, right, INTERVAL
        found = datetime_sql.arith_result(op, lt, rt)
        if found is not None:
            return left, right, found
        raise UndefinedFunctionError(f"operator does not exist: {lt} {op} {rt}",
                                     hint="No operator matches the given name and argument "
                                          "types. You might need to add explicit type casts.")

    def _compare(self, node) -> Code:
        rows = self._row_compare(node)
        if rows is not None:
            return rows
        op = _COMPARE[type(node)]
        right = node.expression
        if isinstance(right, exp.Anonymous) and right.name.lower() in ("all", "some") \
                and len(right.expressions) == 1:  # sqlglot reads ALL(array) as a call
            quantifier = exp.All if right.name.lower() == "all" else exp.Any
            node = type(node)(this=node.this, expression=quantifier(this=right.expressions[0]))
        if isinstance(node.expression, (exp.All, exp.Any)):
            return self._quantified(node, op)
        left, right = self._comparable(self.compile(node.this), self.compile(node.expression))
        if has_nan(left.type) or has_nan(right.type):
            return self._float_compare(op, left, right)
        return self._guard([left, right], lambda a, b: f"({a} {op} {b})", BOOL)

    def _comparable(self, left: Code, right: Code) -> tuple[Code, Code]:
        """Both sides converted to one type that compares correctly in Python."""
        lt, rt = left.type, right.type
        if "bpchar" in (lt.name, rt.name) and {lt.category, rt.category} <= {"S", "X"}:
            # character(n) compares without its trailing spaces (PostgreSQL's bpchar
            # semantics; against text, the bpchar side is cast to text, which trims them).
            return self._trimmed(left, rt), self._trimmed(right, lt)
        if lt == rt:
            if lt == UNKNOWN:
                return self.coerce(left, TEXT), self.coerce(right, TEXT)
            return left, right
        if lt == UNKNOWN:
            return self.coerce(left, rt), right
        if rt == UNKNOWN:
            return left, self.coerce(right, lt)
        if lt.category == rt.category == "N":
            if {"float4", "float8"} & {lt.name, rt.name} and "numeric" in (lt.name, rt.name):
                return self.coerce(left, FLOAT8), self.coerce(right, FLOAT8)
            return left, right
        if lt.category == rt.category == "S":
            return left, right
        if lt.category != rt.category and not ({lt.category, rt.category} <= {"D"}):
            raise UndefinedFunctionError(
                f"operator does not exist: {lt} = {rt}",
                hint="No operator matches the given name and argument types. You might need "
                     "to add explicit type casts.")
        target = common_type([lt, rt], "operator")
        return self.coerce(left, target), self.coerce(right, target)

    def _trimmed(self, code: Code, other: SqlType) -> Code:
        """A side of a comparison with a character(n) value, as text. Against varchar the
        comparison is character(n)'s (varchar converts to it): both sides lose trailing
        blanks; against text, only the character(n) side does."""
        if code.type.name == "bpchar" or (other.name == "bpchar" and (
                code.type == UNKNOWN or code.type.name == "varchar")):
            code = self.coerce(code, TEXT) if code.type == UNKNOWN else code
            return self._guard([code], lambda a: f"{a}.rstrip(' ')", TEXT)
        return self.coerce(code, TEXT)

    def _concat(self, node) -> Code:
        left, right = self.compile(node.this), self.compile(node.expression)
        if BYTEA in (left.type, right.type) and {left.type, right.type} <= {BYTEA, UNKNOWN}:
            left, right = self.coerce(left, BYTEA), self.coerce(right, BYTEA)
            return self._guard([left, right], lambda a, b: f"({a} + {b})", BYTEA)
        if "S" not in (left.type.category, right.type.category) and \
                UNKNOWN not in (left.type, right.type):  # text || anynonarray needs text
            raise UndefinedFunctionError(
                f"operator does not exist: {left.type} || {right.type}",
                hint="No operator matches the given name and argument types. You might need "
                     "to add explicit type casts.")
        left = self.coerce(left, TEXT) if left.type.category in "SX" else self._to_text(left)
        right = self.coerce(right, TEXT) if right.type.category in "SX" \
            else self._to_text(right)
        return self._guard([left, right], lambda a, b: f"({a} + {b})", TEXT)

    def _to_text(self, code: Code) -> Code:
        fn, src = self.ns.const(cast), self.ns.const(code.type)
        return self._guard([code], lambda a: f"{fn}({a}, {src}, _TEXT)", TEXT)

    def _case(self, node: exp.Case) -> Code:
        subject = node.this
        subject_code = self.compile(subject) if subject is not None else None
        branches, results = [], []
        for branch in node.args.get("ifs") or []:
            condition = branch.this
            if subject_code is not None:
                left, right = self._comparable(subject_code, self.compile(condition))
                cond = self._guard([left, right], lambda a, b: f"({a} == {b})", BOOL)
            else:
                cond = self.compile(condition, BOOL)
            branches.append(cond)
            results.append(self.compile(branch.args["true"]))
        default = node.args.get("default")
        results.append(self.compile(default) if default is not None
                       else Code("None", UNKNOWN, True, True, None))
        # PostgreSQL resolves the ELSE result first (it names the types in that order).
        result_type = common_type([results[-1].type] + [c.type for c in results[:-1]], "CASE")
        results = [self.coerce(c, result_type) for c in results]
        text = results[-1].text
        for cond, result in zip(reversed(branches), reversed(results[:-1])):
            text = f"({result.text} if {cond.text} else {text})"
        return Code(text, result_type, any(c.nullable for c in results))

    def _variadic(self, node, helper: str, construct: str) -> Code:
        args = [self.compile(a) for a in [node.this, *node.expressions] if a is not None]
        result_type = common_type([a.type for a in args], construct)
        args = [self.coerce(a, result_type) for a in args]
        return Code(f"{helper}({', '.join(a.text for a in args)})", result_type,
                    helper != "_coalesce" or all(a.nullable for a in args))

    def _coalesce(self, node) -> Code:
        """COALESCE evaluates its arguments only up to the first non-NULL one."""
        args = [self.compile(a) for a in [node.this, *node.expressions] if a is not None]
        result_type = common_type([a.type for a in args], "COALESCE")
        args = [self.coerce(a, result_type) for a in args]
        text = args[-1].text
        for arg in reversed(args[:-1]):
            if not arg.nullable:  # never NULL: what follows is never reached
                text = arg.text
                continue
            name = self.ns.temp()
            text = f"({name} if ({name} := {arg.text}) is not None else {text})"
        return Code(text, result_type, all(a.nullable for a in args))

    def _greatest(self, node) -> Code:
        return self._variadic(node, "_greatest", "GREATEST")

    def _least(self, node) -> Code:
        return self._variadic(node, "_least", "LEAST")

    def _nullif(self, node: exp.Nullif) -> Code:
        left, right = self._comparable(self.compile(node.this),
                                       self.compile(node.expression))
        return Code(f"_nullif({left.text}, {right.text})", left.type, True)

    def _cast(self, node: exp.Cast) -> Code:
        target = from_sqlglot(node.to)
        inner = self.compile(node.this)
        if inner.const:
            value = _literal_input(cast, inner, target)
            return Code(self.ns.const(value), target, value is None, True, value)
        fn, src, dst = self.ns.const(runtime.cast_value), self.ns.const(inner.type), \
            self.ns.const(target)
        return self._guard([inner], lambda a: f"{fn}({a}, {src}, {dst})", target)

    # Subqueries -------------------------------------------------------------------------

    def _subquery(self, node: exp.Subquery) -> Code:
        plan = self.planner.subquery(node.this, self.subquery_scope)
        if len(plan.types) != 1:
            raise SqlSyntaxError("subquery must return only one column")
        ref = self.ns.const(plan)
        return Code(f"_scalar({ref}, (r,) + o)", plan.types[0], True)

    def _exists(self, node: exp.Exists) -> Code:
        query = node.this
        plan = self.planner.subquery(query.this if isinstance(query, exp.Subquery) else query,
                                     self.subquery_scope)
        ref = self.ns.const(plan)
        return Code(f"_exists({ref}, (r,) + o)", BOOL, False)

    # Functions and aggregates -----------------------------------------------------------

    def _function(self, node: exp.Func) -> Code:
        procedure = PROCEDURES.get(functions.name_of(node))
        if procedure is not None:
            args = [self.coerce(self.compile(a), TEXT) for a in functions.arguments_of(node)]
            ref = self.ns.const(procedure)
            texts = ", ".join(["X"] + [a.text for a in args])
            return Code(f"{ref}({texts})", TEXT, True)
        if is_aggregate(node):
            where = f"in {self.clause}" if self.clause else "here"
            raise GroupingError(f"aggregate functions are not allowed {where}")
        name = functions.name_of(node)
        args = [self.compile(a) for a in functions.arguments_of(node)]
        if name in ("sqrt", "cbrt") and node._meta and node.meta.get("operator"):
            args = [self.coerce(a, FLOAT8) for a in args]  # |/ and ||/ take float8 only
        impl = functions.lookup(name, [a.type for a in args])
        args = [self.coerce(a, t) for a, t in zip(args, impl.arg_types(len(args)))]
        ref = self.ns.const(impl.fn)
        call = lambda *texts: f"{ref}({', '.join(texts)})"  # noqa: E731
        if impl.strict and not impl.may_return_null:
            return self._guard(args, call, impl.result(args))
        if impl.strict:
            return Code(self._guard(args, call, impl.result(args)).text, impl.result(args), True)
        return Code(call(*[a.text for a in args]), impl.result(args), True)

    def _grouped_reference(self, node: exp.Expression) -> Code | None:
        key = node.sql("postgres")
        index = self.grouped.group_keys.get(key)
        if index is None:
            index = self.grouped.aggregates.get(key)
        if index is None:
            return None
        return Code(f"r[{index}]", self.grouped_types[index], True)


SESSION_VALUES = {
    exp.CurrentVersion: "PostgreSQL 15.0 (rowdb 0.1.0)", exp.CurrentUser: "rowdb",
    exp.CurrentDatabase: "rowdb", exp.CurrentSchema: "public",
}
_DISPATCH = {
    exp.ByteString: ExprCompiler._string, exp.RawString: ExprCompiler._string,
    exp.UnicodeString: ExprCompiler._unicode_string,
    **{kind: ExprCompiler._session_value for kind in SESSION_VALUES},
    exp.Column: ExprCompiler._column, exp.Literal: ExprCompiler._literal,
    exp.Null: ExprCompiler._null, exp.Boolean: ExprCompiler._boolean,
    exp.Placeholder: ExprCompiler._placeholder, exp.Parameter: ExprCompiler._placeholder,
    exp.Paren: ExprCompiler._paren, exp.Neg: ExprCompiler._neg, exp.Not: ExprCompiler._not,
    exp.And: ExprCompiler._and_or, exp.Or: ExprCompiler._and_or,
    exp.Add: ExprCompiler._arith, exp.Sub: ExprCompiler._arith, exp.Mul: ExprCompiler._arith,
    exp.Div: ExprCompiler._arith, exp.Mod: ExprCompiler._arith,
    exp.EQ: ExprCompiler._compare, exp.NEQ: ExprCompiler._compare,
    exp.LT: ExprCompiler._compare, exp.LTE: ExprCompiler._compare,
    exp.GT: ExprCompiler._compare, exp.GTE: ExprCompiler._compare,
    exp.Is: ExprCompiler._is, exp.NullSafeEQ: ExprCompiler._distinct_from,
    exp.NullSafeNEQ: ExprCompiler._distinct_from, exp.Between: ExprCompiler._between,
    exp.In: ExprCompiler._in, exp.Like: ExprCompiler._like, exp.ILike: ExprCompiler._like,
    exp.Escape: ExprCompiler._escape, exp.DPipe: ExprCompiler._concat,
    exp.RegexpLike: ExprCompiler._regex_operator, exp.RegexpILike: ExprCompiler._regex_operator,
    exp.SimilarTo: ExprCompiler._similar,
    exp.Case: ExprCompiler._case, exp.Coalesce: ExprCompiler._coalesce,
    exp.Greatest: ExprCompiler._greatest, exp.Least: ExprCompiler._least,
    exp.Nullif: ExprCompiler._nullif, exp.Cast: ExprCompiler._cast,
    exp.Subquery: ExprCompiler._subquery, exp.Exists: ExprCompiler._exists,
}
_DISPATCH.update(datetime_sql.DISPATCH)
_DISPATCH.update(bitops.DISPATCH)  # intervals, the clock, date/time calls
_DISPATCH[exp.Collate] = ExprCompiler._collate
